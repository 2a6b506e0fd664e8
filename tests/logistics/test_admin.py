"""The logistics admin: item types and rules edited by administrators only, every change audited,
bad rule parameters refused with the engine's reasons; shipments, handovers and replacement
requests listed."""

import datetime as dt

import pytest

from siaga.accounts.choices import Role
from siaga.core.audit import AuditContext, audit_verify
from siaga.core.models import AuditEvent
from siaga.logistics.catalogue import catalogue_seed
from siaga.logistics.models import ItemType, RequirementRule, Shipment, ShipmentLine

WITA = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def catalogue(world):
    catalogue_seed(context=AuditContext.cli())
    return {item.code: item for item in ItemType.objects.all()}


@pytest.fixture
def admin_client(world, client, catalogue):
    user = world.user(Role.ADMIN, username="admin")
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


@pytest.fixture
def shipment(world, catalogue):
    tps = world.tps[world.desa_b1.code][0]
    shipment = Shipment.objects.create(
        code="KTM1-06",
        stage="kpu_ppk",
        origin_region=world.regency,
        destination_region=world.kec_b,
        mode="longboat",
        planned_departure=dt.datetime(2024, 11, 23, 7, tzinfo=WITA),
        planned_arrival=dt.datetime(2024, 11, 24, 9, tzinfo=WITA),
    )
    ShipmentLine.objects.create(
        shipment=shipment, item=catalogue["surat_suara_bupati"], tps=tps, quantity=390
    )
    return shipment


def _rule_post(rule: RequirementRule, params: str) -> dict:
    return {"item": rule.item_id, "kind": rule.kind, "params": params, "active": "on"}


def test_the_administrator_reaches_every_logistics_page(admin_client, catalogue, shipment):
    rule = RequirementRule.objects.get(item=catalogue["surat_suara_bupati"])
    for url in (
        "/admin/logistics/",
        "/admin/logistics/itemtype/",
        f"/admin/logistics/itemtype/{catalogue['bilik_suara'].pk}/change/",
        "/admin/logistics/requirementrule/",
        f"/admin/logistics/requirementrule/{rule.pk}/change/",
        "/admin/logistics/shipment/",
        "/admin/logistics/shipment/?status__exact=planned&stage__exact=kpu_ppk",
        "/admin/logistics/shipment/?q=KTM1-06",
        f"/admin/logistics/shipment/{shipment.pk}/change/",
        "/admin/logistics/handover/",
        "/admin/logistics/replacementrequest/",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
    page = admin_client.get(f"/admin/logistics/shipment/{shipment.pk}/change/").content.decode()
    assert "390" in page  # the lines, shown read-only


def test_editing_a_rule_in_the_admin_is_audited(admin_client, catalogue):
    rule = RequirementRule.objects.get(item=catalogue["surat_suara_bupati"])
    response = admin_client.post(
        f"/admin/logistics/requirementrule/{rule.pk}/change/",
        _rule_post(rule, '{"reserve_percent": 3}'),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule.refresh_from_db()
    assert rule.params == {"reserve_percent": 3}
    event = AuditEvent.objects.filter(action="logistics.rule.update").latest("seq")
    assert event.before["params"] == {"reserve_percent": 2.5}
    assert event.after["params"] == {"reserve_percent": 3}
    assert event.actor.username == "admin" and event.channel == "admin"
    assert audit_verify().ok


@pytest.mark.parametrize(
    ("kind", "params", "reason"),
    [
        ("dpt_reserve", '{"reserve_percent": -1}', "negative"),
        ("dpt_reserve", '{"reserve": 2.5}', "reserve_percent"),
        ("fixed", '{"quantity": "satu"}', "whole number"),
        ("dpt_band", '{"bands": [[600, 4], [300, 3]]}', "increasing"),
        ("fixed", "[1, 2]", "object"),
    ],
)
def test_bad_rule_parameters_are_refused_with_a_message(
    admin_client, catalogue, kind, params, reason
):
    rule = RequirementRule.objects.get(item=catalogue["surat_suara_bupati"])
    events = AuditEvent.objects.count()
    response = admin_client.post(
        f"/admin/logistics/requirementrule/{rule.pk}/change/",
        {"item": rule.item_id, "kind": kind, "params": params, "active": "on"},
    )
    assert response.status_code == 200  # the form again, with its errors
    page = response.content.decode()
    assert "Parameter aturan tidak sah" in page and reason in page
    rule.refresh_from_db()
    assert rule.kind == "dpt_reserve" and rule.params == {"reserve_percent": 2.5}
    assert AuditEvent.objects.count() == events


def test_a_rule_edited_on_its_item_page_is_audited_with_the_item(admin_client, catalogue):
    item = catalogue["bilik_suara"]
    rule = item.rule
    response = admin_client.post(
        f"/admin/logistics/itemtype/{item.pk}/change/",
        {
            "code": item.code,
            "name": item.name,
            "unit": item.unit,
            "sort_order": item.sort_order,
            "rule-TOTAL_FORMS": "1",
            "rule-INITIAL_FORMS": "1",
            "rule-MIN_NUM_FORMS": "0",
            "rule-MAX_NUM_FORMS": "1",
            "rule-0-id": rule.pk,
            "rule-0-item": item.pk,
            "rule-0-kind": "dpt_band",
            "rule-0-params": '{"bands": [[250, 3], [600, 4]]}',
            "rule-0-active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.filter(action="itemtype.update").latest("seq")
    assert event.before["rule"]["params"] == {"bands": [[300, 3], [600, 4]]}
    assert event.after["rule"]["params"] == {"bands": [[250, 3], [600, 4]]}


def test_the_handover_and_replacement_lists_are_read_only(admin_client):
    assert admin_client.get("/admin/logistics/handover/add/").status_code == 403
    assert admin_client.get("/admin/logistics/replacementrequest/add/").status_code == 403


@pytest.mark.parametrize(
    "role", [Role.ANALYST, Role.LEADERSHIP, Role.LIAISON, Role.FIELD_MONITOR, Role.MACHINE]
)
def test_non_administrators_are_refused(world, client, catalogue, role):
    scope = [world.desa_a1] if role == Role.FIELD_MONITOR else None
    user = world.user(role, scope=scope)
    user.is_staff = True  # even marked staff by hand
    user.save()
    client.force_login(user)
    rule = RequirementRule.objects.get(item=catalogue["tinta"])
    for url in (
        "/admin/logistics/itemtype/",
        "/admin/logistics/requirementrule/",
        f"/admin/logistics/requirementrule/{rule.pk}/change/",
        "/admin/logistics/shipment/",
        "/admin/logistics/handover/",
    ):
        assert client.get(url).status_code in (302, 403), url
    response = client.post(
        f"/admin/logistics/requirementrule/{rule.pk}/change/",
        _rule_post(rule, '{"quantity": 5}'),
    )
    assert response.status_code in (302, 403)  # the login page, or refused outright
    rule.refresh_from_db()
    assert rule.params == {"quantity": 1}
