"""The Django admin: administrators only, every change audited, the audit trail read-only."""

import pytest

from siaga.accounts.choices import Role
from siaga.accounts.models import Agency, ApiToken, User
from siaga.accounts.tokens import token_create
from siaga.core.audit import AuditContext, audit_verify
from siaga.core.models import AuditEvent
from siaga.wilayah.models import Tps


@pytest.fixture
def admin_client(world, client):
    user = world.user(Role.ADMIN, username="admin")
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


def last_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("seq")


@pytest.mark.parametrize(
    "role", [Role.ANALYST, Role.LEADERSHIP, Role.LIAISON, Role.FIELD_MONITOR, Role.MACHINE]
)
def test_only_administrators_reach_the_admin(world, client, role):
    scope = [world.desa_a1] if role == Role.FIELD_MONITOR else None
    client.force_login(world.user(role, scope=scope))
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_staff_status_alone_does_not_open_siaga_models(world, client):
    user = world.user(Role.LIAISON)
    user.is_staff = True  # set by hand, not through the role
    user.save()
    client.force_login(user)
    assert client.get("/admin/accounts/user/").status_code == 403
    assert client.get("/admin/wilayah/tps/").status_code == 403
    assert client.get("/admin/core/auditevent/").status_code == 403


def test_an_administrator_reaches_every_siaga_model(admin_client):
    assert admin_client.get("/admin/").status_code == 200
    for url in (
        "/admin/accounts/agency/",
        "/admin/accounts/user/",
        "/admin/accounts/apitoken/",
        "/admin/core/auditevent/",
        "/admin/wilayah/region/",
        "/admin/wilayah/tps/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_creating_an_agency_in_the_admin_is_audited(admin_client, world):
    response = admin_client.post(
        "/admin/accounts/agency/add/",
        {"code": "kodim", "name": "Kodim 0909", "kind": "tni", "region": "64.08"},
    )
    assert response.status_code == 302, response.content
    event = last_event("agency.create")
    assert event.channel == "admin" and event.actor.username == "admin"
    assert event.before is None and event.after["name"] == "Kodim 0909"
    assert event.region_code == "64.08"
    assert Agency.objects.filter(code="kodim").exists()


def test_changing_and_deleting_a_tps_in_the_admin_is_audited(admin_client, world):
    tps = world.tps["64.08.04.1001"][0]
    data = {
        "desa": tps.desa_id,
        "number": tps.number,
        "address": "Jl. Poros Sangatta",
        "lat": tps.lat,
        "lon": tps.lon,
        "dpt_male": 250,
        "dpt_female": tps.dpt_female,
        "special_location": "",
    }
    response = admin_client.post(f"/admin/wilayah/tps/{tps.pk}/change/", data)
    assert response.status_code == 302, response.content
    event = last_event("tps.update")
    assert event.before["dpt_male"] == 200 and event.after["dpt_male"] == 250
    assert event.after["address"] == "Jl. Poros Sangatta"
    assert event.region_code == "64.08.04.1001"

    response = admin_client.post(f"/admin/wilayah/tps/{tps.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    event = last_event("tps.delete")
    assert event.object_id == str(tps.pk) and event.after is None
    assert event.before["dpt_male"] == 250
    assert not Tps.objects.filter(pk=tps.pk).exists()
    assert audit_verify().ok


def test_saving_without_changes_records_nothing(admin_client, world):
    tps = world.tps["64.08.04.1001"][0]
    data = {
        "desa": tps.desa_id,
        "number": tps.number,
        "address": tps.address,
        "lat": tps.lat,
        "lon": tps.lon,
        "dpt_male": tps.dpt_male,
        "dpt_female": tps.dpt_female,
        "special_location": "",
    }
    admin_client.post(f"/admin/wilayah/tps/{tps.pk}/change/", data)
    assert not AuditEvent.objects.filter(action="tps.update").exists()


def _user_form(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "phone": user.phone,
        "role": user.role,
        "agency": user.agency_id or "",
        "scope_regions": list(user.scope_regions.values_list("code", flat=True)),
        "assigned_tps": list(user.assigned_tps.values_list("pk", flat=True)),
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_changing_a_users_role_and_scope_in_the_admin_is_audited(admin_client, world):
    user = world.user(Role.LIAISON, scope=[world.kec_a], username="rina")
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        _user_form(user, role="analyst", scope_regions=["64.08.04", "64.08.06"]),
    )
    assert response.status_code == 302, response.content
    event = last_event("user.update")
    assert event.before["role"] == "liaison" and event.after["role"] == "analyst"
    assert event.before["scope"] == ["64.08.04"]
    assert event.after["scope"] == ["64.08.04", "64.08.06"]
    assert "password" not in event.after


def test_the_admin_refuses_a_field_monitor_scoped_to_a_kecamatan(admin_client, world):
    user = world.user(Role.LIAISON, scope=[world.kec_a], username="rina")
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/change/", _user_form(user, role="field_monitor")
    )
    assert response.status_code == 200  # the form again, with the error
    assert "hanya untuk desa" in response.content.decode()
    assert User.objects.get(pk=user.pk).role == Role.LIAISON
    assert not AuditEvent.objects.filter(action="user.update").exists()


def test_making_a_user_admin_in_the_admin_makes_it_staff(admin_client, world):
    user = world.user(Role.LIAISON, username="rina")
    admin_client.post(f"/admin/accounts/user/{user.pk}/change/", _user_form(user, role="admin"))
    assert User.objects.get(pk=user.pk).is_staff


def test_a_password_change_in_the_admin_is_audited_without_the_password(admin_client, world):
    user = world.user(Role.LIAISON, username="rina")
    password = "kuda-lumping-sangatta-77"
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": password, "password2": password, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content
    event = last_event("user.password_change")
    assert event.after == {"password_usable": True}
    assert User.objects.get(pk=user.pk).check_password(password)


def test_the_audit_trail_is_read_only_in_the_admin(admin_client, world):
    admin_client.post(
        "/admin/accounts/agency/add/",
        {"code": "kodim", "name": "Kodim 0909", "kind": "tni", "region": "64.08"},
    )
    event = AuditEvent.objects.latest("seq")
    assert admin_client.get("/admin/core/auditevent/").status_code == 200
    assert admin_client.get(f"/admin/core/auditevent/{event.pk}/change/").status_code == 200
    assert admin_client.get("/admin/core/auditevent/add/").status_code == 403
    assert admin_client.get(f"/admin/core/auditevent/{event.pk}/delete/").status_code == 403
    admin_client.post(f"/admin/core/auditevent/{event.pk}/change/", {"action": "forged"})
    assert AuditEvent.objects.get(pk=event.pk).action == "agency.create"
    response = admin_client.post(
        "/admin/core/auditevent/", {"action": "delete_selected", "_selected_action": [event.pk]}
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert response.status_code in (200, 302)


def test_tokens_are_listed_without_their_key_and_may_be_revoked(admin_client, world):
    bot = world.user(Role.MACHINE, username="bot")
    token, key = token_create(context=AuditContext(channel="test"), user=bot, name="crawler")
    page = admin_client.get("/admin/accounts/apitoken/").content.decode()
    assert token.prefix in page and key not in page and token.key_hash not in page
    detail = admin_client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert token.key_hash not in detail and key not in detail
    assert admin_client.get("/admin/accounts/apitoken/add/").status_code == 403
    admin_client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke_selected", "_selected_action": [token.pk]},
    )
    assert ApiToken.objects.get(pk=token.pk).revoked
    assert last_event("token.revoke").channel == "admin"


def test_regions_and_tps_are_searched_by_code_and_name(admin_client, world):
    page = admin_client.get("/admin/wilayah/region/", {"q": "64.08.06"}).content.decode()
    assert "Long Bentuq" in page and "Singa Gembara" not in page
    page = admin_client.get("/admin/wilayah/region/", {"q": "Gembara"}).content.decode()
    assert "64.08.04.1001" in page and "64.08.06.2001" not in page
    page = admin_client.get("/admin/wilayah/tps/", {"q": "Rantau"}).content.decode()
    assert "Rantau Sentosa" in page and "Long Bentuq" not in page


def test_an_admin_scoped_to_a_kecamatan_sees_only_its_regions_and_tps(world, client):
    user = world.user(Role.ADMIN, scope=[world.kec_b], username="admin-busang")
    user.is_staff = True
    user.save()
    client.force_login(user)
    page = client.get("/admin/wilayah/tps/").content.decode()
    assert "Long Bentuq" in page and "Singa Gembara" not in page and "Kasungai" not in page
    other = world.tps["64.08.04.1001"][0]
    assert client.get(f"/admin/wilayah/tps/{other.pk}/change/").status_code == 302  # not found
