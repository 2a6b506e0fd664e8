"""Writes of agencies, users and tokens: validated, audited, idempotent."""

import datetime as dt

import pytest

from siaga.accounts import services, tokens
from siaga.accounts.choices import AgencyKind, Role
from siaga.accounts.models import ApiToken, User
from siaga.core import clock
from siaga.core.audit import AuditContext, audit_verify
from siaga.core.errors import DomainError
from siaga.core.models import AuditEvent

CONTEXT = AuditContext(channel="test", source_ip="10.9.8.7")
PASSWORD = "kuda-lumping-sangatta-77"


def events(action: str | None = None):
    qs = AuditEvent.objects.order_by("seq")
    return list(qs.filter(action=action) if action else qs)


def upsert(world, username="rina", **overrides):
    options = {
        "context": CONTEXT,
        "username": username,
        "role": Role.LIAISON,
        "agency": world.agency,
        "scope": [world.kec_a],
    }
    return services.user_upsert(**{**options, **overrides})


def test_creating_a_user_records_one_audit_event_without_the_password(world):
    user = upsert(world, password=PASSWORD, full_name="Rina Wulandari")
    assert (user.first_name, user.last_name) == ("Rina", "Wulandari")
    [event] = events("user.create")
    assert event.object_id == str(user.pk) and event.source_ip == "10.9.8.7"
    assert event.before is None
    assert event.after["scope"] == ["64.08.04"] and event.after["role"] == "liaison"
    assert event.after["password_changed"] is True
    assert "password" not in event.after
    assert PASSWORD not in str(event.after) and user.password not in str(event.after)
    assert audit_verify().ok


def test_updating_a_user_records_before_and_after_and_nothing_when_unchanged(world):
    upsert(world, password=PASSWORD)
    upsert(world, role=Role.ANALYST, scope=[world.kec_a, world.kec_b])
    [event] = events("user.update")
    assert event.before["role"] == "liaison" and event.after["role"] == "analyst"
    assert event.after["scope"] == ["64.08.04", "64.08.06"]
    assert event.after["password_changed"] is False
    upsert(world, role=Role.ANALYST, scope=[world.kec_a, world.kec_b])  # same state again
    assert len(events("user.update")) == 1
    assert User.objects.get(username="rina").check_password(PASSWORD)  # kept


def test_staff_status_follows_the_admin_role(world):
    assert upsert(world, role=Role.ADMIN).is_staff
    assert not upsert(world, role=Role.LEADERSHIP).is_staff


def test_machine_users_get_no_usable_password(world):
    user = upsert(world, username="bot", role=Role.MACHINE, password=PASSWORD)
    assert not user.has_usable_password()


def test_a_new_user_without_a_password_cannot_log_in_until_one_is_set(world):
    assert not upsert(world).has_usable_password()


def test_a_scope_is_required(world):
    with pytest.raises(DomainError, match="cakupan wilayah wajib"):
        upsert(world, scope=[])
    assert not User.objects.filter(username="rina").exists() and not events()


@pytest.mark.parametrize("scope_attr", ["regency", "kec_a"])
def test_a_field_monitor_scope_may_only_be_desa(world, scope_attr):
    with pytest.raises(DomainError, match="hanya untuk desa"):
        upsert(world, role=Role.FIELD_MONITOR, scope=[getattr(world, scope_attr)])
    assert not events()


def test_a_field_monitor_may_be_tied_to_tps_of_its_own_desa_only(world):
    own, other = world.tps["64.08.04.1001"][0], world.tps["64.08.04.1002"][0]
    user = upsert(world, role=Role.FIELD_MONITOR, scope=[world.desa_a1], assigned_tps=[own])
    assert list(user.assigned_tps.all()) == [own]
    with pytest.raises(DomainError, match="di luar cakupan"):
        upsert(world, role=Role.FIELD_MONITOR, scope=[world.desa_a1], assigned_tps=[other])
    assert list(User.objects.get(pk=user.pk).assigned_tps.all()) == [own]  # unchanged


def test_only_field_monitors_are_tied_to_tps(world):
    with pytest.raises(DomainError, match="hanya pemantau lapangan"):
        upsert(world, scope=[world.desa_a1], assigned_tps=[world.tps["64.08.04.1001"][0]])


def test_passwords_are_checked_by_the_configured_validators(world):
    with pytest.raises(DomainError):
        services.user_password_validate(password="12345", username="rina")
    with pytest.raises(DomainError):
        services.user_password_validate(password="rina-rina", username="rina-rina")
    services.user_password_validate(password=PASSWORD, username="rina")


def test_unknown_region_codes_and_tps_are_reported(world):
    with pytest.raises(DomainError, match="99.99"):
        services.regions_resolve(codes=["64.08.04", "99.99"])
    assert services.regions_resolve(codes=["64.08.06", "64.08.04"]) == [world.kec_b, world.kec_a]
    with pytest.raises(DomainError, match="424242"):
        services.tps_resolve(ids=[424242])


def test_deactivating_a_user_is_audited_once(world):
    user = upsert(world)
    services.user_set_active(context=CONTEXT, user=user, active=False)
    services.user_set_active(context=CONTEXT, user=user, active=False)
    [event] = events("user.deactivate")
    assert event.before["is_active"] is True and event.after["is_active"] is False


def test_agency_upsert_is_idempotent_and_audited(world):
    services.agency_upsert(
        context=CONTEXT, code="kodim", name="Kodim 0909", kind=AgencyKind.TNI, region=world.regency
    )
    services.agency_upsert(
        context=CONTEXT, code="kodim", name="Kodim 0909", kind=AgencyKind.TNI, region=world.regency
    )
    services.agency_upsert(
        context=CONTEXT,
        code="kodim",
        name="Kodim 0909/Sangatta",
        kind=AgencyKind.TNI,
        region=world.regency,
    )
    assert [e.action for e in events() if e.object_type == "accounts.agency"] == [
        "agency.create",
        "agency.update",
    ]
    assert events("agency.update")[0].before["name"] == "Kodim 0909"


# --- tokens -------------------------------------------------------------------------------------


def test_a_token_is_shown_once_and_stored_as_a_hash(world):
    user = upsert(world, username="bot", role=Role.MACHINE)
    token, key = tokens.token_create(context=CONTEXT, user=user, name="crawler")
    assert key.startswith("sg_") and len(key) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == ApiToken.hash_key(key) and key not in stored.key_hash
    assert stored.prefix == key[3:11]
    [event] = events("token.create")
    assert key not in str(event.after) and event.after["prefix"] == token.prefix
    assert tokens.token_authenticate(key) == user


def test_revoking_a_token_is_audited_once_and_refuses_it(world):
    user = upsert(world, username="bot", role=Role.MACHINE)
    token, key = tokens.token_create(context=CONTEXT, user=user, name="crawler")
    tokens.token_revoke(context=CONTEXT, token=token)
    tokens.token_revoke(context=CONTEXT, token=token)
    [event] = events("token.revoke")
    assert event.before == {"revoked": False} and event.after["revoked"] is True
    assert tokens.token_authenticate(key) is None


def test_a_token_is_revoked_by_its_prefix(world):
    user = upsert(world, username="bot", role=Role.MACHINE)
    token, key = tokens.token_create(context=CONTEXT, user=user, name="crawler")
    revoked = tokens.token_revoke_by_prefix(context=CONTEXT, prefix=key[:11])  # sg_ + 8
    assert revoked.pk == token.pk and ApiToken.objects.get(pk=token.pk).revoked
    with pytest.raises(DomainError, match="Tidak ada token aktif"):
        tokens.token_revoke_by_prefix(context=CONTEXT, prefix=token.prefix)
    with pytest.raises(DomainError, match="minimal 4"):
        tokens.token_revoke_by_prefix(context=CONTEXT, prefix="ab")


def test_token_expiry_counts_days_on_the_siaga_clock(world):
    assert tokens.token_expiry(days=None) is None
    expires = tokens.token_expiry(days=30)
    assert abs((expires - clock.now() - dt.timedelta(days=30)).total_seconds()) < 5
    with pytest.raises(DomainError):
        tokens.token_expiry(days=0)


def test_an_expired_token_is_refused(world):
    user = upsert(world, username="bot", role=Role.MACHINE)
    _token, key = tokens.token_create(
        context=CONTEXT, user=user, name="old", expires_at=clock.now() - dt.timedelta(minutes=1)
    )
    assert tokens.token_authenticate(key) is None


def test_every_write_leaves_an_intact_audit_chain(world):
    user = upsert(world, password=PASSWORD)
    upsert(world, role=Role.ANALYST)
    token, _key = tokens.token_create(context=CONTEXT, user=user, name="x")
    tokens.token_revoke(context=CONTEXT, token=token)
    report = audit_verify()
    assert report.ok and report.checked == 4
