"""Rows of the permission matrix (tests/test_permission_matrix.py) for the risk module.

The world gets a mapping (one value per TPS), a computed index, and one alert per desa (the
Busang ones sent to Polri only, so that a Kesbangpol liaison may see them but not acknowledge).
Readers of the situation room see the TPS, areas, layer points and alerts in their scope; field
monitors get 404; Bawaslu and the secretariat (``Action.EDIT_RISK``: admins and analysts among the
principals) edit the mapping in their scope, and the weights when their scope covers the regency.
"""

from __future__ import annotations

import re

from django.urls import reverse

from siaga.accounts.choices import Role
from siaga.core.audit import AuditContext
from tests.matrix_common import audits as _audits

RISK_API = "/api/v1/risk"
EDITORS = (Role.ADMIN, Role.ANALYST)
CODE = "keamanan.riwayat_kekerasan"


def _risk(world):
    """Compute the world's index once per test (a cached attribute of the world)."""
    if hasattr(world, "_risk"):
        return world._risk
    from siaga.core import clock
    from siaga.risk.compute import risk_recompute
    from siaga.risk.models import IndicatorValue, RiskAlert
    from siaga.wilayah.models import Region, Tps

    for tps in Tps.objects.all():
        IndicatorValue.objects.create(
            tps=tps, indicator_id=CODE, value=1, origin="manual", updated_at=clock.now()
        )
    risk_recompute(context=AuditContext())
    alerts = {}
    for desa in Region.objects.filter(level="village"):
        kinds = ["polri"] if desa.code.startswith("64.08.06.") else ["pemda", "polri"]
        alerts[desa.code] = RiskAlert.objects.create(
            kind="trend", key=f"matrix:{desa.code}", region=desa, title=f"Tren {desa.code}",
            reason="matriks", agency_kinds=kinds, fired_at=clock.now(),
        )  # fmt: skip
    world._risk = alerts
    return alerts


def _sees(actor) -> bool:
    return actor.principal.role != Role.FIELD_MONITOR


def _edits(actor, code: str | None = None) -> bool:
    return actor.principal.role in EDITORS and (code is None or actor.covers(code))


def _edits_catalogue(actor) -> bool:
    return _edits(actor, "64.08")


def _acks(actor, alert) -> bool:
    if not _sees(actor) or not actor.covers(alert.region_id):
        return False
    if actor.principal.role in EDITORS:
        return True
    return actor.principal.role in (Role.LIAISON, Role.LEADERSHIP) and "pemda" in alert.agency_kinds


def _denied_page(actor, response) -> None:
    if actor.principal.role == Role.MACHINE:
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    else:
        assert response.status_code == 404


def _shown(pattern: str, response) -> set[int]:
    return {int(x) for x in re.findall(pattern, response.content.decode())}


# --- API --------------------------------------------------------------------------------------


def api_tps(actor) -> None:
    _risk(actor.world)
    response = actor.get(f"{RISK_API}/tps", {"page_size": 500})
    if not _sees(actor):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert {row["tps"] for row in response.json()["items"]} == actor.tps()


def api_tps_detail(actor) -> None:
    from siaga.wilayah.models import Tps

    _risk(actor.world)
    for tps in Tps.objects.all():
        response = actor.get(f"{RISK_API}/tps/{tps.pk}")
        visible = _sees(actor) and tps.pk in actor.tps()
        assert response.status_code == (200 if visible else 404), tps.pk
        if visible:
            assert [r["code"] for r in response.json()["reasons"]] == [CODE]


def api_value_set(actor) -> None:
    from siaga.risk.models import IndicatorValue
    from siaga.wilayah.models import Tps

    _risk(actor.world)
    for tps in Tps.objects.all():
        audits = _audits()
        response = actor.client.put(
            f"{RISK_API}/tps/{tps.pk}/values/lokasi.rawan_konflik",
            {"value": 1, "note": "matriks"},
            content_type="application/json",
            headers=actor.headers,
        )
        actor.assert_no_leak(response)
        stored = IndicatorValue.objects.filter(tps=tps, indicator_id="lokasi.rawan_konflik")
        if not _sees(actor) or tps.pk not in actor.tps():
            assert response.status_code == 404, tps.pk
        elif _edits(actor, tps.desa_id):
            assert response.status_code == 200 and stored.exists(), tps.pk
            assert _audits() == audits + 1
            continue
        else:
            assert response.status_code == 403, tps.pk
        assert not stored.exists() and _audits() == audits, tps.pk


def api_areas(actor) -> None:
    _risk(actor.world)
    response = actor.get(f"{RISK_API}/areas", {"level": "kecamatan"})
    if not _sees(actor):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    codes = {row["code"] for row in response.json()}
    assert codes == {c for c in actor.regions() if c.count(".") == 2 and c.startswith("64.")}


def api_layer(actor) -> None:
    _risk(actor.world)
    response = actor.get(f"{RISK_API}/layer")
    if not _sees(actor):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    from siaga.wilayah.models import Tps

    placed = set(Tps.objects.filter(lat__isnull=False).values_list("pk", flat=True))
    assert {row["tps"] for row in response.json()} == actor.tps() & placed


def api_alerts(actor) -> None:
    alerts = _risk(actor.world)
    response = actor.get(f"{RISK_API}/alerts", {"page_size": 500})
    if not _sees(actor):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    expected = {a.pk for a in alerts.values() if actor.covers(a.region_id)}
    assert {row["id"] for row in response.json()["items"]} == expected


def api_alert_ack(actor) -> None:
    from siaga.risk.models import RiskAlert

    for code, alert in _risk(actor.world).items():
        audits = _audits()
        url = f"{RISK_API}/alerts/{alert.pk}/acknowledge"
        response = actor.client.post(url, headers=actor.headers)
        actor.assert_no_leak(response)
        done = RiskAlert.objects.get(pk=alert.pk).acknowledged_at is not None
        if not _sees(actor) or not actor.covers(code):
            assert response.status_code == 404, code
        elif _acks(actor, alert):
            assert response.status_code == 200 and done and _audits() == audits + 1, code
            assert actor.client.post(url, headers=actor.headers).status_code == 409
            continue
        else:
            assert response.status_code == 403, code
        assert not done and _audits() == audits, code


def api_indicators(actor) -> None:
    response = actor.get(f"{RISK_API}/indicators")
    assert response.status_code == (200 if _sees(actor) else 404)
    if _sees(actor):
        assert CODE in {row["code"] for row in response.json()}


def api_indicator_patch(actor) -> None:
    from siaga.risk.models import Indicator

    audits = _audits()
    response = actor.client.patch(
        f"{RISK_API}/indicators/{CODE}",
        {"weight": 40, "saturation": 1, "active": True},
        content_type="application/json",
        headers=actor.headers,
    )
    weight = Indicator.objects.get(code=CODE).weight
    if not _sees(actor):
        assert response.status_code == 404
    elif _edits_catalogue(actor):
        assert response.status_code == 200 and weight == 40 and _audits() == audits + 1
        return
    else:
        assert response.status_code == 403
    assert weight != 40 and _audits() == audits


def api_recompute(actor) -> None:
    response = actor.client.post(f"{RISK_API}/recompute", headers=actor.headers)
    if not _sees(actor):
        assert response.status_code == 404
    else:
        assert response.status_code == (202 if _edits_catalogue(actor) else 403)


# --- pages ------------------------------------------------------------------------------------


def page_overview(actor) -> None:
    _risk(actor.world)
    response = actor.get(reverse("risk:overview"))
    if not _sees(actor) or actor.principal.role == Role.MACHINE:
        _denied_page(actor, response)
        return
    assert response.status_code == 200
    assert _shown(r'data-tps="(\d+)"', response) == actor.tps()


def page_tps(actor) -> None:
    from siaga.wilayah.models import Tps

    _risk(actor.world)
    for tps in Tps.objects.all():
        response = actor.get(reverse("risk:tps", args=[tps.pk]))
        if not _sees(actor) or actor.principal.role == Role.MACHINE or tps.pk not in actor.tps():
            _denied_page(actor, response)
            continue
        assert response.status_code == 200, tps.pk
        assert ("data-value-form" in response.content.decode()) == _edits(actor, tps.desa_id)


def page_alerts(actor) -> None:
    alerts = _risk(actor.world)
    response = actor.get(reverse("risk:alerts"))
    if not _sees(actor) or actor.principal.role == Role.MACHINE:
        _denied_page(actor, response)
        return
    assert response.status_code == 200
    visible = {a.pk for a in alerts.values() if actor.covers(a.region_id)}
    assert _shown(r'data-alert="(\d+)"', response) == visible
    buttons = _shown(r"peringatan/(\d+)/terima", response)
    assert buttons == {a.pk for a in alerts.values() if _acks(actor, a)}


def page_alert_ack(actor) -> None:
    from siaga.risk.models import RiskAlert

    for code, alert in _risk(actor.world).items():
        audits = _audits()
        response = actor.client.post(
            reverse("risk:alert_ack", args=[alert.pk]), headers=actor.headers
        )
        actor.assert_no_leak(response)
        done = RiskAlert.objects.get(pk=alert.pk).acknowledged_at is not None
        if actor.principal.role != Role.MACHINE and _acks(actor, alert):
            assert response.status_code == 302 and done and _audits() == audits + 1, code
            continue
        _denied_page(actor, response)
        assert not done and _audits() == audits, code


def page_indicators(actor) -> None:
    from siaga.risk.models import Indicator

    response = actor.get(reverse("risk:indicators"))
    if not _sees(actor) or actor.principal.role == Role.MACHINE:
        _denied_page(actor, response)
        return
    assert response.status_code == 200
    audits = _audits()
    posted = actor.client.post(
        reverse("risk:indicators"),
        {"code": CODE, "weight": 33, "saturation": 1, "active": "on"},
        headers=actor.headers,
    )
    changed = Indicator.objects.get(code=CODE).weight == 33
    if _edits_catalogue(actor):
        assert posted.status_code == 302 and changed and _audits() == audits + 1
    else:
        assert posted.status_code == 404 and not changed and _audits() == audits


def page_ikp(actor) -> None:
    from siaga.risk.models import RegionalIndex

    response = actor.client.post(
        reverse("risk:ikp"),
        {"region": "64.08", "year": 2024, "score": 61.5, "source": "matriks"},
        headers=actor.headers,
    )
    stored = RegionalIndex.objects.filter(region_id="64.08", year=2024).exists()
    if actor.principal.role != Role.MACHINE and _edits_catalogue(actor):
        assert response.status_code == 302 and stored
    else:
        _denied_page(actor, response)
        assert not stored


def page_import(actor) -> None:
    response = actor.get(reverse("risk:import"))
    if actor.principal.role != Role.MACHINE and _edits(actor):
        assert response.status_code == 200
        choices = set(re.findall(r'<option value="([\d.]+)"', response.content.decode()))
        assert choices == set(actor.principal.scope)
    else:
        _denied_page(actor, response)


API = {
    ("GET", f"{RISK_API}/tps"): api_tps,
    ("GET", f"{RISK_API}/tps/{{tps_id}}"): api_tps_detail,
    ("PUT", f"{RISK_API}/tps/{{tps_id}}/values/{{code}}"): api_value_set,
    ("GET", f"{RISK_API}/areas"): api_areas,
    ("GET", f"{RISK_API}/layer"): api_layer,
    ("GET", f"{RISK_API}/alerts"): api_alerts,
    ("POST", f"{RISK_API}/alerts/{{pk}}/acknowledge"): api_alert_ack,
    ("GET", f"{RISK_API}/indicators"): api_indicators,
    ("PATCH", f"{RISK_API}/indicators/{{code}}"): api_indicator_patch,
    ("POST", f"{RISK_API}/recompute"): api_recompute,
}
API_SAMPLES = {
    f"{RISK_API}/tps/{{tps_id}}": f"{RISK_API}/tps/{{tps}}",
    f"{RISK_API}/tps/{{tps_id}}/values/{{code}}": f"{RISK_API}/tps/{{tps}}/values/{CODE}",
    f"{RISK_API}/alerts/{{pk}}/acknowledge": f"{RISK_API}/alerts/1/acknowledge",
    f"{RISK_API}/indicators/{{code}}": f"{RISK_API}/indicators/{CODE}",
}
PAGES = {
    "risk:overview": page_overview,
    "risk:tps": page_tps,
    "risk:alerts": page_alerts,
    "risk:alert_ack": page_alert_ack,
    "risk:indicators": page_indicators,
    "risk:ikp": page_ikp,
    "risk:import": page_import,
}
PAGE_ARGS = {"risk:tps": ["{tps}"], "risk:alert_ack": ["1"]}
