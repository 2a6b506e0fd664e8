"""incident_submit, the one door of every channel: validation (nothing stored on refusal),
placement, idempotency (also under a race), routing, audit, notifications and cleaned media.
"""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from PIL import Image

from siaga.accounts.choices import Role
from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.core.errors import PermissionDenied
from siaga.core.models import AuditEvent
from siaga.incidents.catalogue import DEFAULT_CATEGORIES
from siaga.incidents.choices import EventKind, Severity, State
from siaga.incidents.models import Category, Event, Incident, Media
from siaga.incidents.services import (
    IncidentError,
    IncidentInput,
    IncidentNotFound,
    incident_submit,
    normalise_region_code,
)
from siaga.notifications.models import Notification
from tests.factories import UserFactory

MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 512
GPS_IFD = 0x8825


def jpeg(*, gps: bool = False, colour: str = "red") -> bytes:
    image = Image.new("RGB", (24, 16), colour)
    exif = Image.Exif()
    exif[0x010F] = "HPMurah"  # camera make: not a location, a field officer's copy keeps it
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (0.0, 30.0, 15.5), 3: "E", 4: (117.0, 30.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- validation: every rule names its field and stores nothing -------------------------------

REFUSALS = [
    ("unknown category", None, {"category": "tidak-ada"}, "category"),
    ("inactive category", None, {"category": "lainnya-nonaktif"}, "category"),
    ("empty description", None, {"description": "   "}, "description"),
    ("too short description", None, {"description": "abc"}, "description"),
    ("too long description", None, {"description": "x" * 4001}, "description"),
    ("unknown severity", None, {"severity": "besar"}, "severity"),
    ("future time", None, {"occurred_at": "future"}, "occurred_at"),
    ("naive time", None, {"occurred_at": "naive"}, "occurred_at"),
    ("ancient time", None, {"occurred_at": "ancient"}, "occurred_at"),
    ("lat without lon", None, {"lat": 0.5}, "lat"),
    ("lon without lat", None, {"lon": 117.5, "region_code": "64.08.04.1001"}, "lat"),
    ("latitude out of range", None, {"lat": 91.0, "lon": 117.5}, "lat"),
    ("longitude out of range", None, {"lat": 0.5, "lon": 181.0}, "lat"),
    ("too many media", "analyst", {"media": "six"}, "media"),
    ("text file as media", None, {"media": [(b"bukan gambar sama sekali", "a.txt")]}, "media"),
    ("image truncated", None, {"media": [(jpeg()[:60], "a.jpg")]}, "media"),
    ("video from the public", None, {"media": [(MP4, "v.mp4")]}, "media"),
    ("empty file", "analyst", {"media": [(b"", "kosong.jpg")]}, "media"),
    ("region is a kecamatan", None, {"region_code": "64.08.04"}, "region"),
    ("unknown desa", None, {"region_code": "64.08.04.9999"}, "region"),
    ("desa of another regency", None, {"region_code": "64.01.01.2001"}, "region"),
    ("TPS number not in desa", None, {"region_code": "64.08.04.1001", "tps_number": 9}, "tps"),
    ("unknown TPS id", None, {"tps_id": 999_999}, "tps"),
    ("TPS of another regency", None, {"tps_id": "paser"}, "tps"),
    ("point outside the regency", None, {"lat": -1.2, "lon": 100.3}, "lat"),
    ("no place at all", None, {"region_code": ""}, "region"),
    ("key too long", None, {"key": "k" * 81}, "idempotency_key"),
]


@pytest.mark.parametrize(("case", "who", "fields", "field"), REFUSALS, ids=[c[0] for c in REFUSALS])
def test_a_refused_report_names_the_field_and_stores_nothing(
    inc, inc_report, inc_media, case, who, fields, field
):
    Category.objects.create(code="lainnya-nonaktif", name="Nonaktif", active=False)
    fields = dict(fields)
    now = clock.now()
    times = {
        "future": now + dt.timedelta(hours=1),
        "naive": now.replace(tzinfo=None),
        "ancient": now - dt.timedelta(days=61),
    }
    if fields.get("occurred_at") in times:
        fields["occurred_at"] = times[fields["occurred_at"]]
    if fields.get("media") == "six":
        fields["media"] = [(jpeg(colour=c), f"{c}.jpg") for c in ("red", "blue") * 3]
    if fields.get("tps_id") == "paser":
        fields["tps_id"] = inc.world.tps["64.01.01.2001"][0].pk
    audit_before = AuditEvent.objects.count()
    user = getattr(inc, who) if who else None

    with pytest.raises(IncidentError) as refused:
        inc_report(user, **fields)

    assert refused.value.field == field, str(refused.value)
    assert str(refused.value)
    assert Incident.objects.count() == 0
    assert Media.objects.count() == 0
    assert Event.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before
    assert stored_files(inc_media) == []


def test_a_refusal_is_translated_into_indonesian_by_default(inc, inc_report):
    with pytest.raises(IncidentError) as refused:
        inc_report(category="tidak-ada")
    assert str(refused.value) == "Kategori tidak-ada tidak dikenal."


def test_a_failure_late_in_the_write_leaves_no_report_no_event_and_no_audit(
    inc, inc_report, inc_media, monkeypatch
):
    """The report, its files, its timeline and its audit event land together or not at all."""
    import siaga.incidents.services as services

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "audit_record", broken)
    audit_before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError):
        inc_report(inc.analyst, media=[(jpeg(), "a.jpg")])
    assert Incident.objects.count() == 0
    assert Media.objects.count() == 0
    assert Event.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before


def test_accounts_report_only_within_their_scope(inc, inc_report, world):
    kec_a_analyst = world.user(Role.ANALYST, scope=[world.kec_a], username="inc-analyst-kec-a")
    with pytest.raises(IncidentNotFound) as refused:
        inc_report(kec_a_analyst, tps_id=world.tps[world.desa_b1.code][0].pk)
    assert refused.value.field == "region"
    # A field monitor reports for the TPS assigned, not another one of the same desa.
    other_tps = world.tps[world.desa_a1.code][1]
    with pytest.raises(IncidentNotFound) as refused:
        inc_report(inc.monitor, tps_id=other_tps.pk, channel="field")
    assert refused.value.field == "tps"
    assert inc_report(inc.monitor, channel="field").tps == inc.tps
    assert Incident.objects.count() == 1


def test_the_field_and_api_channels_need_an_account(inc, inc_report):
    for channel in ("field", "api", "web"):
        with pytest.raises(PermissionDenied):
            inc_report(None, channel=channel)
    assert Incident.objects.count() == 0


# --- placement ----------------------------------------------------------------------------------


def test_placed_by_tps_id(inc, inc_report, world):
    tps = world.tps[world.desa_b2.code][1]
    incident = inc_report(tps_id=tps.pk)
    assert (incident.region_id, incident.tps_id) == ("64.08.06.2002", tps.pk)


@pytest.mark.parametrize("code", ["64.08.04.1002", "6408041002", " 64.08.04.1002 "])
def test_placed_by_desa_code_with_or_without_dots_and_a_tps_number(inc, inc_report, world, code):
    incident = inc_report(region_code=code, tps_number=2)
    assert incident.region_id == "64.08.04.1002"
    assert incident.tps == world.tps["64.08.04.1002"][1]


def test_placed_by_desa_code_alone_has_no_tps(inc, inc_report):
    incident = inc_report(region_code="6408062001")
    assert (incident.region_id, incident.tps_id) == ("64.08.06.2001", None)


def test_normalise_region_code():
    assert normalise_region_code("6408041001") == "64.08.04.1001"
    assert normalise_region_code("64 08 04 1001") == "64.08.04.1001"
    assert normalise_region_code("6408") == "64.08"
    assert normalise_region_code("abc") == "abc"


def test_placed_by_point_in_the_nearest_desa_within_15_km(inc, inc_report, world):
    for desa, (lat, lon) in {
        world.desa_a1: (0.55, 117.55),
        world.desa_a2: (0.60, 117.60),
        world.desa_b1: (1.10, 115.90),
        world.desa_other: (-1.90, 116.20),  # Paser: never chosen for Kutai Timur
    }.items():
        desa.lat, desa.lon = lat, lon
        desa.save()
    near_a2 = inc_report(lat=0.59, lon=117.61)
    assert (near_a2.region_id, near_a2.tps_id) == ("64.08.04.1002", None)
    assert (near_a2.lat, near_a2.lon) == (0.59, 117.61)
    # ~11 km from Long Bentuq: still there.
    assert inc_report(lat=1.10, lon=116.0).region_id == "64.08.06.2001"
    # ~20 km from every desa: outside the regency as far as Siaga knows.
    with pytest.raises(IncidentError) as refused:
        inc_report(lat=1.28, lon=115.90)
    assert refused.value.field == "lat"
    # Next to Paser's desa: not a desa of this regency.
    with pytest.raises(IncidentError):
        inc_report(lat=-1.90, lon=116.20)


def test_a_tps_id_wins_over_a_point(inc, inc_report, world):
    """A monitor's phone sends both; the TPS places the report, the point is kept."""
    incident = inc_report(tps_id=inc.tps.pk, lat=0.9, lon=116.9)
    assert incident.region_id == inc.tps.desa_id
    assert (incident.lat, incident.lon) == (0.9, 116.9)


# --- what is stored ------------------------------------------------------------------------------


def test_a_report_stores_its_facts_timeline_and_audit(inc, inc_report):
    # Two hours ago, but not before local midnight: the phase is that of today (H-3).
    midnight = timezone.make_aware(dt.datetime.combine(clock.today(), dt.time()))
    occurred = max(clock.now() - dt.timedelta(hours=2), midnight)
    incident = inc_report(
        inc.bawaslu,
        occurred_at=occurred,
        people_involved="  Tim sukses paslon X ",
        description="  Serangan fajar: amplop Rp100.000 dibagikan  ",
    )
    incident.refresh_from_db()
    assert incident.ticket.startswith("LK-") and len(incident.ticket) == 9
    assert incident.state == State.DITERIMA
    assert incident.severity == Severity.TINGGI  # politik-uang's default
    assert incident.description == "Serangan fajar: amplop Rp100.000 dibagikan"
    assert incident.people_involved == "Tim sukses paslon X"
    assert incident.occurred_at == occurred
    assert incident.phase == "masa_tenang"  # voting day is in three days
    assert incident.reporter == inc.bawaslu and incident.channel == "web"
    event = incident.events.get()
    assert (event.kind, event.to_state, event.actor) == (
        EventKind.CREATED,
        "diterima",
        inc.bawaslu,
    )
    audit = AuditEvent.objects.get(action="incident.create")
    assert audit.object_id == str(incident.pk)
    assert audit.region_code == "64.08.04.1001"
    assert audit.actor == inc.bawaslu
    assert audit.after["ticket"] == incident.ticket
    assert audit.after["state"] == "diterima"
    assert audit.after["tps_id"] == inc.tps.pk


def test_an_explicit_severity_overrides_the_category_default(inc, inc_report):
    assert inc_report(severity="kritis").severity == "kritis"
    assert inc_report(category="logistik").severity == "sedang"


def test_an_anonymous_public_report_keeps_no_name_or_contact(inc, inc_report):
    incident = inc_report(anonymous=True, reporter_name="Budi", reporter_contact="0812")
    assert incident.anonymous
    assert (incident.reporter_name, incident.reporter_contact, incident.reporter) == ("", "", None)
    named = inc_report(reporter_name="Budi", reporter_contact="0812")
    assert (named.anonymous, named.reporter_name, named.reporter_contact) == (False, "Budi", "0812")


# --- idempotency ---------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_returns_the_same_report(inc):
    def submit(description, key="hp-1/7f3a", channel="field", user=None):
        return incident_submit(
            context=AuditContext(actor=user or inc.monitor),
            channel=channel,
            data=IncidentInput(category="intimidasi", description=description, tps_id=inc.tps.pk),
            user=user or inc.monitor,
            idempotency_key=key,
        )

    first = submit("Pemilih diancam oleh orang tak dikenal")
    again = submit("Teks lain (sudah diperbaiki di ponsel)")
    assert first.created and not again.created
    assert again.incident.pk == first.incident.pk
    assert again.incident.description == "Pemilih diancam oleh orang tak dikenal"
    assert Incident.objects.count() == 1
    assert AuditEvent.objects.filter(action="incident.create").count() == 1
    # The same key over another channel is another report.
    other_channel = submit("Pemilih diancam lagi", channel="api")
    assert other_channel.created and other_channel.incident.pk != first.incident.pk
    # Another user may not reuse the key (nor learn the first report through it).
    with pytest.raises(IncidentError) as refused:
        submit("Pemilih diancam", user=inc.analyst)
    assert refused.value.field == "idempotency_key"
    assert Incident.objects.count() == 2


def test_a_retry_of_an_invalid_report_is_still_refused(inc, inc_report):
    for _ in range(2):
        with pytest.raises(IncidentError):
            inc_report(inc.analyst, key="retry-1", category="tidak-ada")
    assert Incident.objects.count() == 0


def test_a_public_retry_with_the_same_key_is_one_report(inc, inc_report):
    first = inc_report(key="tg-1001", channel="telegram")
    assert inc_report(key="tg-1001", channel="telegram").pk == first.pk
    assert Incident.objects.count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: the SQLite test database is in memory, one per thread",
)
@pytest.mark.django_db(transaction=True)
def test_two_retries_racing_store_one_report(inc):
    threads = 4
    barrier = threading.Barrier(threads)
    results, errors = [], []

    def submit():
        try:
            barrier.wait(timeout=10)
            results.append(
                incident_submit(
                    context=AuditContext(actor=inc.monitor),
                    channel="field",
                    data=IncidentInput(
                        category="intimidasi",
                        description="Pemilih diancam oleh orang tak dikenal",
                        tps_id=inc.tps.pk,
                    ),
                    user=inc.monitor,
                    idempotency_key="race-key-1",
                )
            )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=submit) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert errors == []
    assert len(results) == threads
    assert Incident.objects.filter(idempotency_key="race-key-1").count() == 1
    assert sorted(r.created for r in results) == [False] * (threads - 1) + [True]
    assert len({r.incident.pk for r in results}) == 1
    assert AuditEvent.objects.filter(action="incident.create").count() == 1


# --- routing and notifications -------------------------------------------------------------------


def test_a_category_routes_the_report_to_the_agencies_of_the_regency(inc, inc_report):
    money = inc_report(category="politik-uang")
    assert set(money.shared_with.values_list("code", flat=True)) == {"bawaslu", "polres"}
    violence = inc_report(category="kekerasan")
    assert set(violence.shared_with.values_list("code", flat=True)) == {"polres", "kodim"}
    assert list(inc_report(category="lainnya").shared_with.all()) == []


def test_a_serious_report_notifies_the_secretariat_and_routed_liaisons_with_it(
    inc, inc_report, django_capture_on_commit_callbacks
):
    # Told in the report's own transaction: if the report is not stored, nobody is told.
    with pytest.raises(RuntimeError), transaction.atomic():
        inc_report(category="politik-uang")
        assert Notification.objects.count() == 4
        raise RuntimeError("the transaction fails after the report")
    assert Notification.objects.count() == 0 and Incident.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        incident = inc_report(category="politik-uang")
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"inc-analyst", "inc-admin", "inc-bawaslu", "inc-polres"}
    note = Notification.objects.filter(recipient=inc.analyst).get()
    assert note.kind == "incident.new"
    assert incident.ticket in note.title and "Singa Gembara" in note.title
    assert note.url == f"/insiden/{incident.ticket}/"
    assert (note.object_type, note.object_id) == ("incidents.incident", str(incident.pk))
    assert not note.urgent

    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        inc_report(category="kekerasan")  # kritis
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "inc-analyst",
        "inc-admin",
        "inc-polres",
        "inc-kodim",
    }
    assert all(Notification.objects.values_list("urgent", flat=True))


def test_a_minor_report_notifies_no_one(inc, inc_report, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inc_report(category="logistik")
        inc_report(category="politik-uang", severity="sedang")
    assert Notification.objects.count() == 0


def test_a_liaison_is_not_told_of_a_report_outside_their_scope(
    inc, inc_report, world, django_capture_on_commit_callbacks
):
    """The notification carries the description: it must not reach beyond the scope."""
    busang = UserFactory(
        username="inc-polres-busang",
        role=Role.LIAISON,
        agency=inc.agency.polres,
        scope=[world.kec_b],
    )
    with django_capture_on_commit_callbacks(execute=True):
        inc_report(category="politik-uang")  # at Singa Gembara, kecamatan Sangatta Utara
    assert not Notification.objects.filter(recipient=busang).exists()
    assert Notification.objects.filter(recipient=inc.polres).exists()


# --- media ---------------------------------------------------------------------------------------


def test_a_public_jpeg_is_stored_without_any_exif_location(inc, inc_report, inc_media):
    original = jpeg(gps=True)
    assert GPS_IFD in Image.open(io.BytesIO(original)).getexif()
    incident = inc_report(media=[(original, "bukti.jpg")])
    media = incident.media.get()
    stored = media.file.read()
    media.file.close()
    exif = Image.open(io.BytesIO(stored)).getexif()
    assert GPS_IFD not in exif
    assert 0x010F not in exif  # the public form keeps no EXIF at all
    assert b"HPMurah" not in stored
    assert (media.content_type, media.extension, media.size) == ("image/jpeg", "jpg", len(stored))
    import hashlib

    assert media.sha256 == hashlib.sha256(stored).hexdigest()
    assert len(stored_files(inc_media)) == 1
    audit = AuditEvent.objects.get(action="incident.create")
    assert audit.after["media"] == [media.sha256]


def test_a_field_officers_jpeg_loses_its_gps_but_video_is_accepted(inc, inc_report, inc_media):
    incident = inc_report(inc.analyst, media=[(jpeg(gps=True), "foto.jpg"), (MP4, "v.mp4")])
    photo, video = incident.media.all()
    with photo.file.open("rb") as f:
        exif = Image.open(io.BytesIO(f.read())).getexif()
    assert GPS_IFD not in exif and exif[0x010F] == "HPMurah"
    assert (video.content_type, video.extension) == ("video/mp4", "mp4")
    with video.file.open("rb") as f:
        assert f.read() == MP4


def test_five_attachments_are_accepted(inc, inc_report, inc_media):
    colours = ("red", "blue", "green", "white", "black")
    incident = inc_report(media=[(jpeg(colour=c), f"{c}.jpg") for c in colours])
    assert incident.media.count() == 5


# --- operator command ----------------------------------------------------------------------------


def test_the_seed_command_creates_the_categories_once(db, capsys):
    call_command("incidents", "seed")
    assert Category.objects.count() == len(DEFAULT_CATEGORIES)
    assert "10 categories created." in capsys.readouterr().out
    call_command("incidents", "seed")
    assert "0 categories created." in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="incident_category.create").count() == 10
    assert AuditEvent.objects.filter(channel="cli").count() == 10
