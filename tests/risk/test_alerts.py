"""Early warning: category rises (one alert per kecamatan, the right people told, audited, once
per key), the trend rule (noise does not fire, a real jump does), clusters of related incidents,
and who may acknowledge an alert."""

from __future__ import annotations

import datetime as dt

import pytest

from siaga.core.models import AuditEvent
from siaga.notifications.models import Notification
from siaga.risk.choices import AlertKind
from siaga.risk.models import RiskAlert
from tests.risk.conftest import NOW

pytestmark = pytest.mark.django_db

RAWAN = {"keamanan__riwayat_kekerasan": 1, "lokasi__sulit_dijangkau": 1, "hak_pilih__tms": 1}


def _notified(alert: RiskAlert) -> set[str]:
    return set(
        Notification.objects.filter(
            kind="risk.alert", object_type="risk.riskalert", object_id=str(alert.pk)
        ).values_list("recipient__username", flat=True)
    )


# --- category rises -----------------------------------------------------------------------------


def test_the_first_computation_raises_no_alert(rw):
    for tps in (rw.a1, rw.a1b, rw.b1):
        rw.map(tps, **RAWAN)
    run = rw.recompute()
    assert run.alerts == 0 and not RiskAlert.objects.exists()


def test_a_category_rise_raises_one_alert_per_kecamatan_listing_its_tps(rw):
    rw.recompute()
    for tps in (rw.a1, rw.a1b, rw.a2):  # three of the four TPS of Sangatta Utara: 33 each
        rw.map(tps, **RAWAN)
    rw.map(rw.b1, **RAWAN)  # one TPS of Busang
    run = rw.recompute(now=NOW + dt.timedelta(hours=1))

    alerts = {a.region_id: a for a in RiskAlert.objects.all()}
    assert run.alerts == 2
    # the kecamatan's own mean is (3 x 33) / 4 = 24.75: still aman, so no area alert
    assert set(alerts) == {rw.w.kec_a.code, rw.w.desa_b1.code}
    sangatta = alerts[rw.w.kec_a.code]
    assert sangatta.kind == AlertKind.CATEGORY_UP and sangatta.tps_id is None
    assert sangatta.title == "3 TPS di Sangatta Utara naik menjadi Rawan"
    assert sorted(t["id"] for t in sangatta.detail["tps"]) == sorted(
        [rw.a1.pk, rw.a1b.pk, rw.a2.pk]
    )
    assert {t["before"] for t in sangatta.detail["tps"]} == {"aman"}
    assert "TPS 001 Singa Gembara (33)" in sangatta.reason
    busang = alerts[rw.w.desa_b1.code]  # a single TPS: the alert points at it
    assert busang.tps_id == rw.b1.pk
    assert set(sangatta.agency_kinds) == {"pemda", "polri", "tni", "bawaslu"}

    assert _notified(sangatta) == {
        "risk-analyst",
        "risk-admin",
        "risk-analyst-kec",
        "risk-leader",
        "risk-pemda",
        "risk-polri",
        "risk-tni",
        "risk-bawaslu",
    }  # fmt: skip  (not kominfo, kpu, Paser, the Busang liaison or the field monitor)
    assert "risk-polri-busang" in _notified(busang)
    assert "risk-analyst-kec" not in _notified(busang)
    raised = AuditEvent.objects.filter(action="risk.alert_raised")
    assert sorted(raised.values_list("object_id", flat=True)) == sorted(
        str(a.pk) for a in alerts.values()
    )


def test_a_rise_to_sangat_rawan_is_urgent_and_an_area_rise_has_its_own_alert(rw):
    rw.recompute()
    very = {**RAWAN, "keamanan__intimidasi": 1, "keamanan__penolakan": 1}  # 53
    for tps in (rw.a1, rw.a1b, rw.a2, rw.a2b):
        rw.map(tps, **very)
    rw.recompute(now=NOW + dt.timedelta(hours=1))
    tps_alert = RiskAlert.objects.get(key__startswith="category:tps-in:64.08.04:")
    area_alert = RiskAlert.objects.get(key__startswith="category:area:64.08.04:")
    assert tps_alert.detail["after"] == "sangat_rawan"
    assert area_alert.title == "Sangatta Utara naik menjadi Sangat rawan"
    assert area_alert.detail == {"before": "aman", "after": "sangat_rawan"}
    assert Notification.objects.filter(object_id=str(tps_alert.pk), urgent=True).exists()
    # the desa rose too, but desa are left to their TPS; the regency (mean 26.5) rose to rawan
    assert not RiskAlert.objects.filter(region_id=rw.w.desa_a1.code).exists()
    assert RiskAlert.objects.filter(key__startswith="category:area:64.08:rawan").exists()


def test_the_same_rise_does_not_fire_twice_the_same_day(rw):
    rw.recompute()
    rw.map(rw.a1, **RAWAN)
    rw.map(rw.a1b, **RAWAN)
    assert rw.recompute(now=NOW + dt.timedelta(hours=1)).alerts == 1
    assert rw.recompute(now=NOW + dt.timedelta(hours=2)).alerts == 0  # nothing rose
    rw.map(rw.a1, hak_pilih__tms=0, keamanan__riwayat_kekerasan=0)  # down to aman ...
    rw.map(rw.a1b, hak_pilih__tms=0, keamanan__riwayat_kekerasan=0)
    rw.recompute(now=NOW + dt.timedelta(hours=3))
    rw.map(rw.a1, **RAWAN)  # ... and up again the same day: the key already fired
    rw.map(rw.a1b, **RAWAN)
    assert rw.recompute(now=NOW + dt.timedelta(hours=4)).alerts == 0
    assert RiskAlert.objects.count() == 1
    assert AuditEvent.objects.filter(action="risk.alert_raised").count() == 1


# --- trend --------------------------------------------------------------------------------------


def _daily(rw, per_day: list[int], *, tps) -> None:
    """Reports of no indicator ("lainnya", received) per day: per_day[0] today, then back."""
    for days_ago, count in enumerate(per_day):
        for k in range(count):
            at = NOW - dt.timedelta(days=days_ago, hours=2, minutes=7 * k)
            rw.incident("lainnya", tps=tps, at=at, state="diterima")


def _trends() -> list[RiskAlert]:
    return list(RiskAlert.objects.filter(kind=AlertKind.TREND))


def test_incidents_at_their_usual_daily_level_do_not_fire(rw):
    _daily(rw, [3, 2, 3, 2, 4, 2, 3, 2], tps=rw.a1)  # today 3, usually 2.6 a day
    rw.recompute()
    assert _trends() == []


def test_a_real_jump_in_incidents_fires_a_trend_alert_for_the_kecamatan(rw):
    _daily(rw, [12, 2, 3, 2, 4, 2, 3, 2], tps=rw.a1)  # today 12
    _daily(rw, [3, 2, 3, 2, 4, 2, 3, 2], tps=rw.b1)  # Busang as usual
    rw.recompute()
    [alert] = _trends()
    assert alert.region_id == rw.w.kec_a.code and alert.signal == "incidents"
    assert alert.detail["observed"] == 12
    assert alert.detail["baseline"] == [2, 3, 2, 4, 2, 3, 2]  # oldest first
    assert alert.detail["expected"] == pytest.approx(18 / 7, abs=0.001)
    assert alert.detail["p_value"] < 0.01
    assert "risk-polri" in _notified(alert) and "risk-kominfo" not in _notified(alert)
    assert rw.recompute(now=NOW + dt.timedelta(minutes=5)).alerts == 0  # once a day


def test_rejected_reports_do_not_make_a_trend(rw):
    for k in range(12):
        rw.incident("lainnya", tps=rw.a1, at=NOW - dt.timedelta(hours=1 + k), state="ditolak")
    rw.recompute()
    assert _trends() == []


# --- cluster ------------------------------------------------------------------------------------


def _clusters() -> list[RiskAlert]:
    return list(RiskAlert.objects.filter(kind=AlertKind.CLUSTER))


def test_three_related_incidents_close_in_place_and_time_fire_a_cluster(rw):
    points = [(0.500, 117.500), (0.510, 117.505), (0.505, 117.515)]  # about 1 km apart
    for hours, (lat, lon) in zip((5, 3, 1), points, strict=True):
        rw.incident("kekerasan", tps=rw.a1, at=NOW - dt.timedelta(hours=hours), lat=lat, lon=lon)
    rw.incident("intimidasi", tps=rw.a1b, at=NOW - dt.timedelta(minutes=30), state="diterima")
    rw.recompute()
    [alert] = _clusters()
    assert alert.region_id == rw.w.kec_a.code
    assert alert.detail["group"] == "keamanan"
    assert len(alert.detail["tickets"]) == 4  # intimidasi is of the same family, at the TPS
    assert Notification.objects.filter(object_id=str(alert.pk), urgent=True).exists()
    assert rw.recompute(now=NOW + dt.timedelta(minutes=10)).alerts == 0


def test_three_related_incidents_far_apart_or_hours_apart_do_not(rw):
    for hours, lat in ((5, 0.50), (3, 0.70), (1, 0.90)):  # about 22 km apart
        rw.incident("kekerasan", tps=rw.a1, at=NOW - dt.timedelta(hours=hours), lat=lat, lon=117.5)
    for hours in (23, 14, 1):  # at one place, but 9 hours and more apart
        rw.incident(
            "politik-uang", tps=rw.b1, at=NOW - dt.timedelta(hours=hours), lat=1.1, lon=116.2
        )
    rw.recompute()
    assert _clusters() == []


def test_unrelated_incidents_together_do_not_make_a_cluster(rw):
    for category in ("kekerasan", "politik-uang", "logistik"):
        rw.incident(category, tps=rw.a1, at=NOW - dt.timedelta(hours=1), lat=0.5, lon=117.5)
    rw.recompute()
    assert _clusters() == []


# --- acknowledgement ----------------------------------------------------------------------------


@pytest.fixture
def alert(rw) -> RiskAlert:
    """The category alert of Sangatta Utara (to pemda, polri, tni, bawaslu)."""
    rw.recompute()
    rw.map(rw.a1, **RAWAN)
    rw.map(rw.a1b, **RAWAN)
    rw.recompute(now=NOW + dt.timedelta(hours=1))
    return RiskAlert.objects.get(region_id=rw.w.kec_a.code)


def _ack_api(client, user, alert):
    client.force_login(user)
    return client.post(f"/api/v1/risk/alerts/{alert.pk}/acknowledge")


@pytest.mark.parametrize("who", ["polri", "tni", "bawaslu", "pemda", "leader", "analyst"])
def test_the_agencies_it_went_to_and_the_secretariat_acknowledge_an_alert(rw, alert, client, who):
    user = getattr(rw, who)
    response = _ack_api(client, user, alert)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["acknowledged_at"] is not None and body["may_acknowledge"] is False
    alert.refresh_from_db()
    assert alert.acknowledged_by == user
    event = AuditEvent.objects.get(action="risk.alert_acknowledged")
    assert (event.actor, event.object_id) == (user, str(alert.pk))


@pytest.mark.parametrize(("who", "status"), [("kominfo", 403), ("kpu", 403)])
def test_other_agencies_may_read_but_not_acknowledge(rw, alert, client, who, status):
    client.force_login(getattr(rw, who))
    listed = client.get("/api/v1/risk/alerts").json()
    assert [a["id"] for a in listed["items"]] == [alert.pk]
    assert listed["items"][0]["may_acknowledge"] is False
    assert _ack_api(client, getattr(rw, who), alert).status_code == status
    page = client.post(f"/risiko/peringatan/{alert.pk}/terima/")
    assert page.status_code == 404
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    assert not AuditEvent.objects.filter(action="risk.alert_acknowledged").exists()


@pytest.mark.parametrize("who", ["analyst_paser", "monitor", "polri_busang"])
def test_people_out_of_its_scope_do_not_see_the_alert(rw, alert, client, who):
    assert _ack_api(client, getattr(rw, who), alert).status_code == 404
    assert client.post(f"/risiko/peringatan/{alert.pk}/terima/").status_code == 404


def test_an_alert_is_acknowledged_once(rw, alert, client):
    assert _ack_api(client, rw.polri, alert).status_code == 200
    second = _ack_api(client, rw.tni, alert)
    assert second.status_code == 409
    assert "sudah diterima" in second.json()["detail"]
    alert.refresh_from_db()
    assert alert.acknowledged_by == rw.polri
    assert AuditEvent.objects.filter(action="risk.alert_acknowledged").count() == 1


def test_the_alerts_page_acknowledges_and_returns_to_the_list(rw, alert, client):
    client.force_login(rw.bawaslu)
    response = client.post(f"/risiko/peringatan/{alert.pk}/terima/")
    assert response.status_code == 302 and response["Location"] == "/risiko/peringatan/"
    alert.refresh_from_db()
    assert alert.acknowledged_by == rw.bawaslu
    again = client.post(f"/risiko/peringatan/{alert.pk}/terima/", follow=True)
    assert again.status_code == 200
    assert "sudah diterima" in again.content.decode()
    assert AuditEvent.objects.filter(action="risk.alert_acknowledged").count() == 1
