"""The incident pages of the situation room: the list with its filters and briefing counts, the
detail with its timeline and workflow actions, the per-TPS history, and the map and feed hooks.

Who sees what: analysts every report in their scope (and act on it), liaisons the reports
assigned to or shared with their agency (closing those assigned to it), leadership everything
in scope without acting and without reporters' identities, field monitors their own reports.
Reports out of sight answer 404; actions a user may not take on a report they see answer 403.
Every action writes through the services: an audit event per change, nothing on refusal.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from siaga.accounts.choices import AgencyKind, Role
from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.core.models import AuditEvent, Deployment
from siaga.incidents.catalogue import categories_seed
from siaga.incidents.choices import EventKind, State
from siaga.incidents.models import Event, Incident
from siaga.incidents.services import IncidentInput, incident_submit, incident_transition
from tests.factories import AgencyFactory, UserFactory

WITA = ZoneInfo("Asia/Makassar")
NOW = dt.datetime(2024, 11, 24, 10, 0, tzinfo=WITA)  # H-3, masa tenang
CONTEXT = AuditContext(channel="test")
PUBLIC_NAME = "Budi Santoso"
PUBLIC_CONTACT = "081234567890"


class Room:
    """The small world with a deployment at H-3, the taxonomy, agencies, users and reports."""

    def __init__(self, world):
        self.w = world
        Deployment.objects.create(
            regency=world.regency,
            election_name="Pilkada Kutai Timur 2024",
            voting_day=dt.date(2024, 11, 27),
            clock_offset_seconds=clock.offset_for(NOW),
        )
        clock.clear_cache()
        categories_seed(context=CONTEXT)
        self.polres = AgencyFactory(
            code="polres-kutim", name="Polres Kutai Timur", kind=AgencyKind.POLRI, region_id="64.08"
        )
        self.bawaslu = AgencyFactory(
            code="bawaslu-kutim", name="Bawaslu Kutai Timur", kind=AgencyKind.BAWASLU
        )
        self.kpu = AgencyFactory(code="kpu-kutim", name="KPU Kutai Timur", kind=AgencyKind.KPU)
        self.koramil_busang = AgencyFactory(
            code="koramil-busang", name="Koramil Busang", kind=AgencyKind.TNI, region_id="64.08.06"
        )
        self.tps_a1 = world.tps[world.desa_a1.code][0]
        self.tps_b1 = world.tps[world.desa_b1.code][0]
        self.analyst = world.user(Role.ANALYST, username="analis")
        self.analyst_busang = world.user(
            Role.ANALYST, scope=[world.kec_b], username="analis-busang"
        )
        self.leader = world.user(Role.LEADERSHIP, username="pimpinan")
        self.polres_liaison = UserFactory(
            username="polres", role=Role.LIAISON, agency=self.polres, scope=[world.regency]
        )
        self.kpu_liaison = UserFactory(
            username="kpu", role=Role.LIAISON, agency=self.kpu, scope=[world.regency]
        )
        self.monitor = world.user(
            Role.FIELD_MONITOR, scope=[world.desa_a1], tps=[self.tps_a1], username="babinsa"
        )
        self.other_monitor = world.user(
            Role.FIELD_MONITOR, scope=[world.desa_a1], username="linmas"
        )
        # Intimidation at TPS a1, from the Babinsa: shared at once with Bawaslu and Polres.
        self.intimidation = self.submit(
            self.monitor,
            category="intimidasi",
            tps_id=self.tps_a1.pk,
            description="Sekelompok orang mengancam saksi di depan TPS 001 agar pulang.",
        )
        # Ballot papers short in desa a1, from the Linmas: shared with the KPU.
        self.logistics = self.submit(
            self.other_monitor,
            category="logistik",
            region_code=world.desa_a1.code,
            description="Surat suara kurang 20 lembar untuk TPS 002 Singa Gembara.",
        )
        # Vote buying in Busang, from the public form with the reporter's name and number.
        self.public = self.submit(
            None,
            channel="public",
            category="politik-uang",
            region_code=world.desa_b1.code,
            description="Ada pembagian amplop berisi uang di rumah kepala dusun malam ini.",
            reporter_name=PUBLIC_NAME,
            reporter_contact=PUBLIC_CONTACT,
        )

    def submit(self, user, *, channel: str = "field", **data) -> Incident:
        result = incident_submit(
            context=AuditContext(actor=user, channel="test"),
            channel=channel,
            data=IncidentInput(**data),
            user=user,
        )
        return result.incident

    def move(self, incident: Incident, to_state: str, **kwargs) -> Incident:
        return incident_transition(
            context=CONTEXT,
            user=self.analyst,
            incident=incident,
            to_state=to_state,
            **kwargs,
        )


@pytest.fixture
def room(world) -> Room:
    return Room(world)


def login(client, user):
    client.force_login(user)
    return client


def tickets_in(html: str) -> set[str]:
    return set(re.findall(r'<tr data-ticket="(LK-[A-Z0-9]{6})"', html))


def audit_count(incident: Incident) -> int:
    return AuditEvent.objects.filter(
        object_type="incidents.incident", object_id=str(incident.pk)
    ).count()


def detail_url(incident: Incident) -> str:
    return reverse("incidents:detail", args=[incident.ticket])


def post_transition(client, incident: Incident, **data):
    return client.post(reverse("incidents:transition", args=[incident.ticket]), data)


def flash(client, incident: Incident) -> str:
    """The page after the redirect, where the message of the action is shown."""
    return client.get(detail_url(incident)).content.decode()


# --- the list ---------------------------------------------------------------------------------


def test_analyst_lists_every_report_in_scope_newest_first_with_briefing_counts(client, room):
    html = login(client, room.analyst).get(reverse("incidents:list")).content.decode()
    assert tickets_in(html) == {room.intimidation.ticket, room.logistics.ticket, room.public.ticket}
    order = re.findall(r'<tr data-ticket="(LK-[A-Z0-9]{6})"', html)
    assert order[0] == room.public.ticket  # the last one received
    assert re.search(r"data-count-total>3<", html)
    assert re.search(r"data-count-open>3<", html)
    assert re.search(r'<tr data-state="diterima">.*?<td class="num">3</td>', html, re.S)
    assert re.search(r'<tr data-category="intimidasi">.*?<td class="num">1</td>', html, re.S)
    # The live feed panel beside it polls every 15 s from the newest report received.
    assert 'id="incident-feed-items"' in html
    assert 'hx-trigger="every 15s"' in html
    assert reverse("incidents:feed") in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "intimidasi"}, {"intimidation"}),
        ({"region": "64.08.06"}, {"public"}),
        ({"region": "64.08.04.1001"}, {"intimidation", "logistics"}),
        ({"severity": "sedang"}, {"logistics"}),
        ({"phase": "masa_tenang"}, {"intimidation", "logistics", "public"}),
        ({"phase": "pemungutan"}, set()),
        ({"state": "diverifikasi"}, {"logistics"}),
        ({"open_only": "on"}, {"intimidation", "logistics"}),
        ({"agency": "kpu"}, {"logistics"}),
    ],
)
def test_list_filters(client, room, params, expected):
    room.move(room.logistics, State.DIVERIFIKASI)
    room.move(room.public, State.DITOLAK, note="Tidak dapat dikonfirmasi di lapangan.")
    if params.get("agency"):
        params = {"agency": str(room.kpu.pk)}
    html = login(client, room.analyst).get(reverse("incidents:list"), params).content.decode()
    assert tickets_in(html) == {getattr(room, name).ticket for name in expected}
    assert re.search(rf"data-count-total>{len(expected)}<", html)


def test_a_filter_outside_the_choices_shows_an_error_naming_it_and_no_reports(client, room):
    login(client, room.analyst_busang)
    response = client.get(reverse("incidents:list"), {"region": "64.08.04"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Wilayah:" in html
    assert tickets_in(html) == set()


def test_liaison_lists_only_reports_assigned_or_shared_with_the_agency(client, room):
    html = login(client, room.polres_liaison).get(reverse("incidents:list")).content.decode()
    # Intimidation and vote buying route to the police; the ballot shortage does not.
    assert tickets_in(html) == {room.intimidation.ticket, room.public.ticket}
    assert re.search(r"data-count-total>2<", html)
    html = login(client, room.kpu_liaison).get(reverse("incidents:list")).content.decode()
    assert tickets_in(html) == {room.logistics.ticket}


def test_briefing_counts_a_report_shared_and_assigned_to_the_same_agency_once(client, room):
    room.move(room.intimidation, State.DIVERIFIKASI)
    room.move(room.intimidation, State.DITINDAKLANJUTI, agency=room.polres)
    room.intimidation.shared_with.add(room.kpu)
    html = login(client, room.polres_liaison).get(reverse("incidents:list")).content.decode()
    assert re.search(r"data-count-total>2<", html)
    assert re.search(r'<tr data-category="intimidasi">.*?<td class="num">1</td>', html, re.S)


def test_leadership_lists_everything_in_scope(client, room):
    html = login(client, room.leader).get(reverse("incidents:list")).content.decode()
    assert len(tickets_in(html)) == 3


def test_field_monitor_lists_only_own_reports(client, room):
    response = login(client, room.monitor).get(reverse("incidents:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert tickets_in(html) == {room.intimidation.ticket}
    assert 'name="agency"' not in html  # no agency filter for them
    assert room.logistics.ticket not in html  # not even in the feed panel


def test_out_of_scope_reports_are_not_listed(client, room):
    html = login(client, room.analyst_busang).get(reverse("incidents:list")).content.decode()
    assert tickets_in(html) == {room.public.ticket}
    assert room.intimidation.ticket not in html
    assert "Singa Gembara" not in html  # nor are the desa outside the scope offered as filters


def test_list_needs_a_session(client, room):
    response = client.get(reverse("incidents:list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_list_query_count_does_not_grow_with_reports(client, room, django_assert_max_num_queries):
    for n in range(12):
        room.submit(
            room.monitor,
            category="kampanye-masa-tenang",
            tps_id=room.tps_a1.pk,
            description=f"Alat peraga kampanye nomor {n} masih terpasang di masa tenang.",
        )
    login(client, room.analyst)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("incidents:list"))
    assert len(tickets_in(response.content.decode())) == 15


# --- the detail -------------------------------------------------------------------------------


def test_analyst_detail_shows_everything_and_the_triage_actions(client, room):
    html = login(client, room.analyst).get(detail_url(room.public)).content.decode()
    assert room.public.description in html
    assert PUBLIC_NAME in html and PUBLIC_CONTACT in html  # the secretariat may know the reporter
    assert "Bawaslu Kutai Timur" in html and "Polres Kutai Timur" in html  # shared with
    assert 'data-event="created"' in html  # the timeline
    for action in ("verify", "reject", "merge", "note", "share"):
        assert f'data-action="{action}"' in html, action
    assert 'data-action="resolve"' not in html  # not before it is assigned
    assert "data-incident-map" not in html  # neither a point, nor a TPS, nor a desa point
    html = client.get(detail_url(room.intimidation)).content.decode()
    assert 'data-incident-map="incident-map-config"' in html  # placed at its TPS
    assert "babinsa" in html  # the analyst may know who reported


def test_detail_shows_sla_assigned_agency_and_escalation(client, room):
    room.move(room.intimidation, State.DIVERIFIKASI)
    room.move(room.intimidation, State.DITINDAKLANJUTI, agency=room.polres, note="Patroli.")
    Incident.objects.filter(pk=room.intimidation.pk).update(escalated_at=clock.now())
    html = login(client, room.analyst).get(detail_url(room.intimidation)).content.decode()
    assert re.search(r"data-assigned>Polres Kutai Timur<", html)
    due = Incident.objects.get(pk=room.intimidation.pk).sla_due_at
    assert due is not None and "data-sla>—" not in html
    assert "data-escalated" in html
    assert 'data-event="assigned"' in html and "Patroli." in html
    # The assigned agency and the remaining moves are offered: reassign, resolve, merge.
    assert 'data-action="assign"' in html and 'data-action="resolve"' in html
    assert 'data-action="verify"' not in html


def test_leadership_sees_the_report_without_reporter_identity_or_actions(client, room):
    response = login(client, room.leader).get(detail_url(room.public))
    html = response.content.decode()
    assert response.status_code == 200
    assert room.public.description in html
    assert PUBLIC_NAME not in html and PUBLIC_CONTACT not in html
    assert re.search(r"data-reporter>warga<", html)
    assert "data-actions" not in html and "data-action=" not in html


def test_leadership_sees_field_reporters_only_as_their_agency(client, room):
    html = login(client, room.leader).get(detail_url(room.intimidation)).content.decode()
    assert re.search(r"data-reporter>Kesbangpol Kutai Timur<", html)
    assert "babinsa" not in html


def test_liaison_cannot_verify_but_resolves_what_is_assigned_to_the_agency(client, room):
    login(client, room.polres_liaison)
    html = client.get(detail_url(room.intimidation)).content.decode()
    assert "data-action=" not in html  # shared only: reads, no actions
    assert PUBLIC_NAME not in client.get(detail_url(room.public)).content.decode()
    room.move(room.intimidation, State.DIVERIFIKASI)
    room.move(room.intimidation, State.DITINDAKLANJUTI, agency=room.polres)
    html = client.get(detail_url(room.intimidation)).content.decode()
    assert 'data-action="resolve"' in html and 'data-action="note"' in html
    for action in ("verify", "reject", "assign", "merge", "share"):
        assert f'data-action="{action}"' not in html, action


def test_liaison_does_not_see_reports_not_shared_with_the_agency(client, room):
    assert login(client, room.kpu_liaison).get(detail_url(room.intimidation)).status_code == 404


def test_field_monitor_opens_own_report_but_not_another(client, room):
    login(client, room.monitor)
    response = client.get(detail_url(room.intimidation))
    assert response.status_code == 200
    assert "data-action=" not in response.content.decode()
    assert client.get(detail_url(room.logistics)).status_code == 404


def test_out_of_scope_detail_is_404(client, room):
    login(client, room.analyst_busang)
    assert client.get(detail_url(room.intimidation)).status_code == 404
    assert client.get(reverse("incidents:detail", args=["LK-ZZZZZZ"])).status_code == 404
    assert client.get(detail_url(room.public)).status_code == 200


def test_detail_accepts_a_ticket_typed_in_lower_case(client, room):
    url = reverse("incidents:detail", args=[room.public.ticket.lower()])
    assert login(client, room.analyst).get(url).status_code == 200


# --- workflow actions -------------------------------------------------------------------------


def test_verify(client, room):
    login(client, room.analyst)
    before = audit_count(room.intimidation)
    response = post_transition(client, room.intimidation, state="diverifikasi")
    assert response.status_code == 302 and response.url == detail_url(room.intimidation)
    incident = Incident.objects.get(pk=room.intimidation.pk)
    assert incident.state == State.DIVERIFIKASI
    assert audit_count(incident) == before + 1
    event = AuditEvent.objects.filter(object_id=str(incident.pk)).order_by("-seq").first()
    assert event.action == "incident.diverifikasi" and event.channel == "web"
    assert event.actor_id == room.analyst.pk
    assert Event.objects.filter(incident=incident, to_state=State.DIVERIFIKASI).exists()
    assert "diverifikasi." in flash(client, incident)


@pytest.mark.parametrize("who", ["polres_liaison", "leader"])
def test_readers_cannot_verify(client, room, who):
    login(client, getattr(room, who))
    before = audit_count(room.intimidation)
    response = post_transition(client, room.intimidation, state="diverifikasi")
    assert response.status_code == 403
    assert Incident.objects.get(pk=room.intimidation.pk).state == State.DITERIMA
    assert audit_count(room.intimidation) == before


def test_field_monitor_cannot_act_on_own_report_and_sees_no_other(client, room):
    login(client, room.monitor)
    assert post_transition(client, room.intimidation, state="diverifikasi").status_code == 403
    assert post_transition(client, room.logistics, state="diverifikasi").status_code == 404
    assert Incident.objects.filter(state=State.DITERIMA).count() == 3


def test_out_of_scope_action_is_404_and_changes_nothing(client, room):
    login(client, room.analyst_busang)
    before = audit_count(room.intimidation)
    assert post_transition(client, room.intimidation, state="diverifikasi").status_code == 404
    assert Incident.objects.get(pk=room.intimidation.pk).state == State.DITERIMA
    assert audit_count(room.intimidation) == before


def test_reject_needs_a_reason(client, room):
    login(client, room.analyst)
    before = audit_count(room.public)
    response = post_transition(client, room.public, state="ditolak", note="  ")
    assert response.status_code == 302
    assert Incident.objects.get(pk=room.public.pk).state == State.DITERIMA
    assert audit_count(room.public) == before
    assert "Alasan penolakan wajib diisi." in flash(client, room.public)


def test_reject_with_a_reason_then_reopen(client, room):
    login(client, room.analyst)
    post_transition(client, room.public, state="ditolak", note="Hoaks, sudah dicek Babinsa.")
    incident = Incident.objects.get(pk=room.public.pk)
    assert incident.state == State.DITOLAK
    assert incident.reject_reason == "Hoaks, sudah dicek Babinsa."
    html = client.get(detail_url(incident)).content.decode()
    assert 'data-action="reopen"' in html and "data-reject-reason" in html
    post_transition(client, incident, state="diterima")
    incident.refresh_from_db()
    assert incident.state == State.DITERIMA and incident.reject_reason == ""
    actions = list(
        AuditEvent.objects.filter(object_id=str(incident.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["incident.ditolak", "incident.diterima"]


def test_unknown_state_is_refused_with_a_message_naming_the_field(client, room):
    login(client, room.analyst)
    post_transition(client, room.public, state="hilang")
    assert Incident.objects.get(pk=room.public.pk).state == State.DITERIMA
    assert "Status:" in flash(client, room.public)


def test_a_state_that_cannot_follow_is_refused(client, room):
    login(client, room.analyst)
    post_transition(client, room.public, state="selesai", note="Selesai.")
    assert Incident.objects.get(pk=room.public.pk).state == State.DITERIMA
    assert "tidak dapat menjadi" in flash(client, room.public)


def test_assign_to_an_agency_covering_the_region_starts_the_sla(client, room):
    room.move(room.intimidation, State.DIVERIFIKASI)
    login(client, room.analyst)
    html = client.get(detail_url(room.intimidation)).content.decode()
    assign = re.search(r'data-action="assign".*?</form>', html, re.S).group(0)
    assert 'value="polres-kutim"' in assign
    assert 'value="koramil-busang"' not in assign  # Busang's Koramil does not cover desa a1
    before = audit_count(room.intimidation)
    post_transition(client, room.intimidation, state="ditindaklanjuti", agency="polres-kutim")
    incident = Incident.objects.get(pk=room.intimidation.pk)
    assert incident.state == State.DITINDAKLANJUTI
    assert incident.assigned_agency == room.polres
    assert incident.sla_due_at > clock.now()
    assert audit_count(incident) == before + 1
    assert "ditugaskan ke Polres Kutai Timur" in flash(client, incident)


@pytest.mark.parametrize(
    ("agency", "message"),
    [("", "Pilih instansi yang menindaklanjuti."), ("koramil-busang", "Instansi:")],
)
def test_assign_needs_a_covering_agency(client, room, agency, message):
    room.move(room.intimidation, State.DIVERIFIKASI)
    login(client, room.analyst)
    before = audit_count(room.intimidation)
    post_transition(client, room.intimidation, state="ditindaklanjuti", agency=agency)
    incident = Incident.objects.get(pk=room.intimidation.pk)
    assert incident.state == State.DIVERIFIKASI and incident.assigned_agency is None
    assert audit_count(incident) == before
    assert message in flash(client, incident)


def test_assigned_liaison_resolves_with_the_outcome(client, room):
    room.move(room.intimidation, State.DIVERIFIKASI)
    room.move(room.intimidation, State.DITINDAKLANJUTI, agency=room.polres)
    login(client, room.polres_liaison)
    before = audit_count(room.intimidation)
    post_transition(client, room.intimidation, state="selesai", note="")
    assert Incident.objects.get(pk=room.intimidation.pk).state == State.DITINDAKLANJUTI
    assert "Hasil tindak lanjut wajib diisi." in flash(client, room.intimidation)
    assert audit_count(room.intimidation) == before
    post_transition(
        client, room.intimidation, state="selesai", note="Pelaku diamankan Polsek, saksi aman."
    )
    incident = Incident.objects.get(pk=room.intimidation.pk)
    assert incident.state == State.SELESAI
    assert incident.outcome == "Pelaku diamankan Polsek, saksi aman."
    assert audit_count(incident) == before + 1
    # Not assigned to the KPU: its liaison does not even see the report.
    assert post_transition(
        login(client, room.kpu_liaison), incident, state="selesai", note="x"
    ).status_code == (404)


def test_duplicate_suggestion_and_merge(client, room):
    duplicate = room.submit(
        room.analyst,
        channel="web",
        category="intimidasi",
        tps_id=room.tps_a1.pk,
        description="Sekelompok orang mengancam saksi di depan TPS 001 supaya pulang.",
    )
    login(client, room.analyst)
    html = client.get(detail_url(duplicate)).content.decode()
    suggestion = re.search(
        rf'data-duplicate="{room.intimidation.ticket}".*?</li>', html, re.S
    ).group(0)
    assert f"Gabungkan ke {room.intimidation.ticket}" in suggestion
    assert "TPS sama" in suggestion
    before = audit_count(duplicate)
    post_transition(client, duplicate, state="digabung", merge_into=room.intimidation.ticket)
    duplicate.refresh_from_db()
    assert duplicate.state == State.DIGABUNG and duplicate.merged_into == room.intimidation
    assert audit_count(duplicate) == before + 1
    kept = client.get(detail_url(room.intimidation)).content.decode()
    assert duplicate.ticket in kept  # listed among the reports merged into it
    assert Event.objects.filter(incident=room.intimidation, kind=EventKind.MERGED).exists()


def test_merge_into_an_unknown_or_invisible_ticket_is_refused(client, room):
    login(client, room.analyst_busang)
    before = audit_count(room.public)
    post_transition(client, room.public, state="digabung", merge_into=room.intimidation.ticket)
    assert Incident.objects.get(pk=room.public.pk).state == State.DITERIMA
    assert "tidak ditemukan" in flash(client, room.public)
    post_transition(client, room.public, state="digabung", merge_into="")
    assert "Pilih laporan tujuan penggabungan." in flash(client, room.public)
    assert audit_count(room.public) == before


def test_add_note(client, room):
    login(client, room.analyst)
    url = reverse("incidents:note", args=[room.logistics.ticket])
    before = audit_count(room.logistics)
    response = client.post(url, {"text": "KPU sudah dihubungi lewat telepon."})
    assert response.status_code == 302 and response.url == detail_url(room.logistics)
    assert Event.objects.filter(
        incident=room.logistics, kind=EventKind.NOTE, note="KPU sudah dihubungi lewat telepon."
    ).exists()
    assert audit_count(room.logistics) == before + 1
    assert "KPU sudah dihubungi lewat telepon." in flash(client, room.logistics)


def test_empty_note_is_refused_and_readers_cannot_add_notes(client, room):
    url = reverse("incidents:note", args=[room.logistics.ticket])
    login(client, room.analyst)
    client.post(url, {"text": ""})
    assert "Catatan:" in flash(client, room.logistics)
    assert login(client, room.leader).post(url, {"text": "Catatan pimpinan."}).status_code == 403
    kpu = login(client, room.kpu_liaison).post(url, {"text": "Catatan KPU."})
    assert kpu.status_code == 403  # shared with the KPU, not assigned to it
    assert not Event.objects.filter(incident=room.logistics, kind=EventKind.NOTE).exists()


def test_share_with_more_agencies(client, room):
    login(client, room.analyst)
    url = reverse("incidents:share", args=[room.logistics.ticket])
    before = audit_count(room.logistics)
    response = client.post(url, {"agencies": ["polres-kutim"]})
    assert response.status_code == 302
    assert room.polres in room.logistics.shared_with.all()
    assert audit_count(room.logistics) == before + 1
    # Now the police liaison sees it.
    assert login(client, room.polres_liaison).get(detail_url(room.logistics)).status_code == 200


def test_share_refuses_unknown_agencies_and_non_triagers(client, room):
    url = reverse("incidents:share", args=[room.logistics.ticket])
    login(client, room.analyst)
    client.post(url, {"agencies": ["koramil-busang"]})  # does not cover desa a1
    assert "Bagikan ke instansi:" in flash(client, room.logistics)
    shared = set(room.logistics.shared_with.values_list("code", flat=True))
    assert shared == {"kpu-kutim"}
    assert login(client, room.kpu_liaison).post(
        url, {"agencies": ["polres-kutim"]}
    ).status_code == (403)
    assert set(room.logistics.shared_with.values_list("code", flat=True)) == {"kpu-kutim"}


@pytest.mark.parametrize("name", ["incidents:transition", "incidents:note", "incidents:share"])
def test_actions_are_post_only_and_need_a_session(client, room, name):
    url = reverse(name, args=[room.public.ticket])
    anonymous = client.post(url, {"state": "diverifikasi"})
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login"))
    assert login(client, room.analyst).get(url).status_code == 405


# --- the TPS history, the map layer and the situation room ------------------------------------


def test_tps_page_loads_its_incident_history(client, room):
    login(client, room.analyst)
    page = client.get(reverse("wilayah:tps", args=[room.tps_a1.pk])).content.decode()
    history_url = reverse("incidents:tps-history", args=[room.tps_a1.pk])
    assert f'hx-get="{history_url}"' in page
    fragment = client.get(history_url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment
    assert room.intimidation.ticket in fragment
    assert room.logistics.ticket not in fragment  # placed in the desa, not at this TPS
    full = client.get(history_url).content.decode()  # without JavaScript: a page of its own
    assert "<html" in full and room.intimidation.ticket in full


def test_tps_history_keeps_scope_and_visibility(client, room):
    history_url = reverse("incidents:tps-history", args=[room.tps_a1.pk])
    assert login(client, room.analyst_busang).get(history_url).status_code == 404
    html = login(client, room.kpu_liaison).get(history_url).content.decode()
    assert room.intimidation.ticket not in html  # not shared with the KPU
    html = login(client, room.monitor).get(history_url).content.decode()
    assert room.intimidation.ticket in html
    other_tps = room.w.tps[room.w.desa_a1.code][1]
    url = reverse("incidents:tps-history", args=[other_tps.pk])
    assert login(client, room.monitor).get(url).status_code == 404  # not their TPS


def test_situation_room_has_the_incident_layer_and_the_feed_panel(client, room):
    html = login(client, room.analyst).get(reverse("dashboard:situation-room")).content.decode()
    assert 'id="siaga-incident-config"' in html
    assert "incidents/incident_layer.js" in html
    assert f'hx-get="{reverse("incidents:feed")}?limit=10"' in html
    assert f'href="{reverse("incidents:list")}"' in html  # the nav link "Insiden"


def test_the_layer_endpoint_the_map_polls_answers_the_session(client, room):
    login(client, room.polres_liaison)
    points = client.get("/api/v1/incidents/layer", {"region": "64.08"}).json()
    # Only located reports: the intimidation at its TPS (the others have no point), and never
    # the ballot shortage, which is not shared with the police.
    assert {p["ticket"] for p in points} == {room.intimidation.ticket}
    assert {"lat", "lon", "severity", "state", "category_name"} <= set(points[0])


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_detail_shows_attachment_thumbnails_served_only_to_those_who_see_the_report(
    client, room, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    with_photo = room.submit(
        room.monitor,
        category="kampanye-masa-tenang",
        tps_id=room.tps_a1.pk,
        description="Baliho calon masih terpasang di depan TPS pada masa tenang.",
        media=[(_png(), "baliho.png")],
    )
    media = with_photo.media.get()
    media_url = reverse("incidents:media", args=[media.pk])
    html = login(client, room.analyst).get(detail_url(with_photo)).content.decode()
    assert f'<img src="{media_url}"' in html
    assert client.get(media_url)["Content-Type"] == "image/png"
    assert login(client, room.analyst_busang).get(media_url).status_code == 404


def test_detail_query_count_is_bounded(client, room, django_assert_max_num_queries):
    for n in range(6):
        room.submit(
            room.analyst,
            channel="web",
            category="intimidasi",
            tps_id=room.tps_a1.pk,
            description=f"Saksi nomor {n} diancam sekelompok orang di depan TPS 001.",
        )
    login(client, room.analyst)
    with django_assert_max_num_queries(14):
        response = client.get(detail_url(room.intimidation))
    assert response.status_code == 200
    assert response.content.decode().count("data-duplicate=") == 5  # the best five
