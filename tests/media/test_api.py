"""The media API (/api/v1/media/...) with API tokens: the queue and its filters, a post with its
timeline, status changes (409 when the workflow refuses), actions, narratives, debunks (readers
get 403 on writes), alerts and their acknowledgement, the summary; and the scope: a user of
Busang (64.08.06) never sees a post of Sangatta Utara (64.08.04).

The role-by-role grid of every endpoint is in tests/test_permission_matrix.py; here the
behaviour, with a Diskominfo liaison (AgencyKind.KOMINFO) acting as analysts do.
"""

import datetime as dt
import json

import pytest

from siaga.accounts.choices import AgencyKind, Role
from siaga.accounts.tokens import token_create
from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.core.models import AuditEvent, Deployment
from siaga.engines.nlp.narratives import NarrativeIndex
from siaga.engines.nlp.normalise import normalise
from siaga.media.choices import AlertKind, ReviewStatus
from siaga.media.ingest import label_key
from siaga.media.models import Debunk, MediaAlert, Narrative, Post, Source
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/media"


def signature(text: str) -> bytes:
    """A real narrative signature: ingestion loads every open narrative into its index."""
    return NarrativeIndex().signature(normalise(text))


@pytest.fixture
def media(world):
    Deployment.objects.create(
        regency=world.regency, election_name="Pilkada", voting_day=dt.date(2024, 11, 27)
    )
    source = Source.objects.create(name="Uji", slug="uji", kind="webhook", region_id="64.08")
    now = clock.now()
    debunk = Debunk.objects.create(
        claim="Surat suara sudah dicoblos", verdict="salah", date=dt.date(2024, 11, 20),
        source_url="https://cekfakta.contoh.id/1",
    )  # fmt: skip
    narr = Narrative.objects.create(
        title="Ayo kumpul", signature=signature("ayo kumpul besok di simpang tiga tutup jalan"),
        first_seen=now - dt.timedelta(hours=2),
        last_seen=now, post_count=2, region_id="64.08.06",
    )  # fmt: skip

    def post(key, region, labels, risk, **extra):
        return Post.objects.create(
            source=source, platform=extra.pop("platform", "x"), external_id=key,
            text=extra.pop("text", f"Unggahan {key}"), posted_at=extra.pop("posted_at", now),
            labels=list(labels), label_key=label_key(labels), risk=risk, region_id=region,
            places=[region], **extra,
        )  # fmt: skip

    posts = {
        "sangatta": post("sangatta", "64.08.04.1001", ["hoaks"], 0.9, debunk=debunk),
        "busang1": post("busang1", "64.08.06.2001", ["provokasi"], 0.5, narrative=narr,
                        posted_at=now - dt.timedelta(hours=1)),
        "busang2": post("busang2", "64.08.06", ["sara", "provokasi"], 0.7, narrative=narr,
                        platform="facebook", text="Kumpul di simpang tiga"),
        "paser": post("paser", "64.01.01", ["hoaks"], 1.0),
    }  # fmt: skip
    alert = MediaAlert.objects.create(
        kind=AlertKind.PLACE_SURGE, region_id="64.08.06", fired_at=now, observed=6,
        expected=0.3, p_value=0.0001, reason="6 unggahan dalam 3 jam",
    )  # fmt: skip
    return {"posts": posts, "debunk": debunk, "narrative": narr, "alert": alert}


@pytest.fixture
def as_user(world, client):
    """``as_user(name)``: a client call helper for one of the people, with a bearer token."""
    kominfo = AgencyFactory(code="diskominfo", name="Diskominfo", kind=AgencyKind.KOMINFO)
    polres = AgencyFactory(code="polres", name="Polres", kind=AgencyKind.POLRI)
    roles = {
        "analyst": (Role.ANALYST, [world.regency], world.agency),
        "kominfo": (Role.LIAISON, [world.regency], kominfo),
        "kominfo-busang": (Role.LIAISON, [world.kec_b], kominfo),
        "leader": (Role.LEADERSHIP, [world.regency], world.agency),
        "polres": (Role.LIAISON, [world.regency], polres),
        "monitor": (Role.FIELD_MONITOR, [world.desa_b1], world.agency),
    }

    class Caller:
        def __init__(self, name):
            role, scope, agency = roles[name]
            self.user = UserFactory(username=name, role=role, agency=agency, scope=scope)
            _token, key = token_create(context=AuditContext(), user=self.user, name="uji")
            self.headers = {"Authorization": f"Bearer {key}"}

        def get(self, path, **params):
            return client.get(f"{API}{path}", params, headers=self.headers)

        def post(self, path, payload=None):
            return client.post(f"{API}{path}", json.dumps(payload or {}),
                               content_type="application/json", headers=self.headers)  # fmt: skip

        def patch(self, path, payload):
            return client.patch(f"{API}{path}", json.dumps(payload),
                                content_type="application/json", headers=self.headers)  # fmt: skip

    return Caller


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["external_id"] for item in response.json()["items"]]


def test_the_queue_is_ordered_by_risk_and_scoped(media, as_user):
    analyst = as_user("analyst")
    assert ids(analyst.get("/posts")) == ["sangatta", "busang2", "busang1"]  # no Paser post
    busang = as_user("kominfo-busang")
    assert ids(busang.get("/posts")) == ["busang2", "busang1"]
    assert ids(busang.get("/posts", region="64.08.04")) == []  # asking never widens the scope
    sangatta = media["posts"]["sangatta"]
    assert busang.get(f"/posts/{sangatta.pk}").status_code == 404
    assert busang.post(f"/posts/{sangatta.pk}/status", {"to": "hoaks"}).status_code == 404
    assert Post.objects.get(pk=sangatta.pk).status == ReviewStatus.NEW


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"label": "provokasi"}, ["busang2", "busang1"]),
        ({"label": "sara"}, ["busang2"]),
        ({"platform": "facebook"}, ["busang2"]),
        ({"region": "64.08.06"}, ["busang2", "busang1"]),
        ({"region": "64.08.06.2001"}, ["busang1"]),
        ({"matched": "true"}, ["sangatta"]),
        ({"q": "simpang"}, ["busang2"]),
        ({"status": "hoaks"}, []),
    ],
)
def test_queue_filters(media, as_user, params, expected):
    assert ids(as_user("analyst").get("/posts", **params)) == expected


def test_status_filter_default_is_open_posts(media, as_user):
    Post.objects.filter(external_id="sangatta").update(status=ReviewStatus.DONE)
    analyst = as_user("analyst")
    assert "sangatta" not in ids(analyst.get("/posts"))
    assert ids(analyst.get("/posts", status="selesai")) == ["sangatta"]
    assert ids(analyst.get("/posts", status="semua"))[0] == "sangatta"


@pytest.mark.parametrize("who", ["analyst", "kominfo"])
def test_status_and_actions_through_the_api(media, as_user, who):
    caller = as_user(who)
    pk = media["posts"]["busang2"].pk
    response = caller.post(f"/posts/{pk}/status", {"to": "hoaks", "note": "cek fakta"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "hoaks"
    assert body["analyst_labels"] == ["hoaks", "provokasi", "sara"]
    assert body["events"][-1]["actor"] == who and body["events"][-1]["note"] == "cek fakta"
    # refused by the workflow: 409 with the field
    refused = caller.post(f"/posts/{pk}/status", {"to": "bukan_hoaks"})
    assert refused.status_code == 409 and refused.json()["field"] == "status"
    no_link = caller.post(f"/posts/{pk}/actions", {"action": "kontra_narasi"})
    assert no_link.status_code == 400 and no_link.json()["field"] == "link"
    bad_link = caller.post(f"/posts/{pk}/actions",
                           {"action": "kontra_narasi", "link": "ftp://contoh.id/x"})  # fmt: skip
    assert bad_link.status_code == 400 and bad_link.json()["field"] == "link"
    done = caller.post(f"/posts/{pk}/actions",
                       {"action": "kontra_narasi", "link": "https://contoh.id/kontra"})  # fmt: skip
    assert done.status_code == 200 and done.json()["status"] == "ditindaklanjuti"
    kinds = [(e["kind"], e["action"], e["link"]) for e in done.json()["events"]]
    assert ("action", "kontra_narasi", "https://contoh.id/kontra") in kinds


def test_a_verdict_with_wrong_labels_is_a_400(media, as_user):
    pk = media["posts"]["sangatta"].pk
    response = as_user("analyst").post(f"/posts/{pk}/status",
                                       {"to": "bukan_hoaks", "labels": ["hoaks"]})  # fmt: skip
    assert response.status_code == 400 and response.json()["field"] == "labels"
    unknown = as_user("analyst").post(f"/posts/{pk}/status", {"to": "dihapus"})
    assert unknown.status_code == 422
    assert Post.objects.get(pk=pk).status == ReviewStatus.NEW


def test_an_action_before_a_verdict_is_refused(media, as_user):
    pk = media["posts"]["sangatta"].pk
    response = as_user("analyst").post(f"/posts/{pk}/actions", {"action": "lapor_platform"})
    assert response.status_code == 400 and response.json()["field"] == "action"


@pytest.mark.parametrize("who", ["leader", "polres"])
def test_readers_read_but_get_403_on_writes(media, as_user, who):
    reader = as_user(who)
    pk = media["posts"]["sangatta"].pk
    audits = AuditEvent.objects.count()
    assert reader.get(f"/posts/{pk}").status_code == 200
    assert reader.post(f"/posts/{pk}/status", {"to": "hoaks"}).status_code == 403
    assert reader.post(f"/posts/{pk}/actions", {"action": "lapor_platform"}).status_code == 403
    debunk = media["debunk"]
    assert reader.post("/debunks", {"claim": "x", "verdict": "salah",
                                    "date": "2024-11-01"}).status_code == 403  # fmt: skip
    assert reader.patch(f"/debunks/{debunk.pk}", {"category": "x"}).status_code == 403
    assert reader.post(f"/alerts/{media['alert'].pk}/acknowledge").status_code == 403
    assert AuditEvent.objects.count() == audits
    assert Post.objects.get(pk=pk).status == ReviewStatus.NEW


def test_field_monitors_get_nothing(media, as_user):
    monitor = as_user("monitor")
    pk = media["posts"]["busang1"].pk
    assert ids(monitor.get("/posts")) == []
    assert monitor.get(f"/posts/{pk}").status_code == 404
    assert monitor.post(f"/posts/{pk}/status", {"to": "hoaks"}).status_code == 404
    assert monitor.get(f"/narratives/{media['narrative'].pk}").status_code == 404
    assert monitor.get("/summary").status_code == 404
    assert monitor.post("/debunks", {"claim": "x", "verdict": "salah",
                                     "date": "2024-11-01"}).status_code == 404  # fmt: skip
    assert monitor.post(f"/alerts/{media['alert'].pk}/acknowledge").status_code == 404
    assert monitor.get("/alerts").json()["items"] == []


def test_narratives_and_their_spread(media, as_user):
    analyst = as_user("analyst")
    listed = analyst.get("/narratives").json()["items"]
    assert [n["id"] for n in listed] == [media["narrative"].pk]
    body = analyst.get(f"/narratives/{media['narrative'].pk}").json()
    assert body["accounts"] == 0 and body["platforms"] == {"x": 1, "facebook": 1}
    assert sum(h["posts"] for h in body["per_hour"]) == 2
    sangatta = as_user("kominfo-busang")  # the narrative is Busang's: visible there
    assert sangatta.get(f"/narratives/{media['narrative'].pk}").status_code == 200


def test_debunks_create_patch_and_validation(media, as_user):
    kominfo = as_user("kominfo")
    created = kominfo.post("/debunks", {"claim": "TPS dipindah", "verdict": "menyesatkan",
                                        "date": "2024-11-22", "category": "pemilu"})  # fmt: skip
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert Debunk.objects.get(pk=pk).created_by.username == "kominfo"
    bad = kominfo.post("/debunks", {"claim": "x", "verdict": "salah", "date": "2024-11-22",
                                    "source_url": "cekfakta.id"})  # fmt: skip
    assert bad.status_code == 400 and bad.json()["field"] == "source_url"
    patched = kominfo.patch(f"/debunks/{pk}", {"active": False})
    assert patched.status_code == 200 and patched.json()["active"] is False
    assert patched.json()["claim"] == "TPS dipindah"  # untouched fields stay
    assert kominfo.patch("/debunks/999999", {"active": False}).status_code == 404
    listed = kominfo.get("/debunks", q="dipindah").json()["items"]
    assert [d["id"] for d in listed] == [pk]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"media.debunk_created", "media.debunk_updated"} <= actions


def test_alerts_list_ack_and_a_second_ack(media, as_user):
    analyst = as_user("analyst")
    alert = media["alert"]
    assert [a["id"] for a in analyst.get("/alerts", open_only="true").json()["items"]] == [alert.pk]
    done = analyst.post(f"/alerts/{alert.pk}/acknowledge")
    assert done.status_code == 200 and done.json()["acknowledged_at"]
    again = analyst.post(f"/alerts/{alert.pk}/acknowledge")
    assert again.status_code == 409
    assert analyst.get("/alerts", open_only="true").json()["items"] == []
    assert AuditEvent.objects.filter(action="media.alert_acknowledged").count() == 1


def test_alerts_outside_the_scope_are_404(media, as_user, world):
    paser = MediaAlert.objects.create(
        kind=AlertKind.PLACE_SURGE, region_id="64.01.01", fired_at=clock.now(), observed=6,
        expected=0.3, p_value=0.001, reason="Paser",
    )  # fmt: skip
    analyst = as_user("analyst")
    assert paser.pk not in [a["id"] for a in analyst.get("/alerts").json()["items"]]
    assert analyst.post(f"/alerts/{paser.pk}/acknowledge").status_code == 404


def test_summary_counts_the_scope(media, as_user):
    Post.objects.filter(external_id="busang1").update(status=ReviewStatus.HOAX)
    body = as_user("analyst").get("/summary").json()
    assert body["posts"] == 3 and body["flagged"] == 3 and body["matched"] == 1
    assert body["to_review"] == 2  # open and risk above 0.5: sangatta, busang2
    assert body["alerts_open"] == 1
    busang = as_user("kominfo-busang").get("/summary").json()
    assert busang["posts"] == 2 and busang["matched"] == 0


def test_a_kominfo_machine_pushes_a_batch(media, world, client):
    kominfo = AgencyFactory(code="diskominfo", name="Diskominfo", kind=AgencyKind.KOMINFO)
    machine = UserFactory(username="perayap", role=Role.MACHINE, agency=kominfo,
                          scope=[world.regency])  # fmt: skip
    _token, key = token_create(context=AuditContext(), user=machine, name="uji")
    record = {"platform": "x", "external_id": "mesin-1", "text": "Pawai damai hari ini",
              "posted_at": "2024-11-24T08:00:00+08:00"}  # fmt: skip
    response = client.post(f"{API}/posts", json.dumps({"posts": [record]}),
                           content_type="application/json",
                           headers={"Authorization": f"Bearer {key}"})  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["stored"] == 1
    assert Post.objects.filter(external_id="mesin-1").exists()


def test_a_reply_names_its_parent(media, world, client):
    kominfo = AgencyFactory(code="diskominfo", name="Diskominfo", kind=AgencyKind.KOMINFO)
    machine = UserFactory(username="perayap", role=Role.MACHINE, agency=kominfo,
                          scope=[world.regency])  # fmt: skip
    _token, key = token_create(context=AuditContext(), user=machine, name="uji")
    headers = {"Authorization": f"Bearer {key}"}
    records = [
        {"platform": "x", "external_id": "induk-1", "text": "Kumpul di Sangatta Utara besok",
         "posted_at": "2024-11-24T08:00:00+08:00"},
        {"platform": "x", "external_id": "balas-1", "text": "Siap, kami datang ke Sangatta Utara",
         "posted_at": "2024-11-24T08:05:00+08:00", "parent_external_id": "induk-1"},
    ]  # fmt: skip
    response = client.post(f"{API}/posts", json.dumps({"posts": records}),
                           content_type="application/json", headers=headers)  # fmt: skip
    assert response.status_code == 200, response.content
    reply = Post.objects.get(external_id="balas-1")
    detail = client.get(f"{API}/posts/{reply.pk}", headers=headers)
    assert detail.status_code == 200, detail.content
    assert detail.json()["parent_external_id"] == "induk-1"
    parent = Post.objects.get(external_id="induk-1")
    assert (
        client.get(f"{API}/posts/{parent.pk}", headers=headers).json()["parent_external_id"] == ""
    )
