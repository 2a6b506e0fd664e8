"""Writes of agencies and users. Every change leaves an audit event."""

from __future__ import annotations

from django.db import transaction

from siaga.accounts.choices import AgencyKind, Role
from siaga.accounts.models import Agency, User
from siaga.core.audit import AuditContext, audit_record, snapshot
from siaga.core.errors import DomainError
from siaga.wilayah.models import Region, Tps

_USER_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "role",
    "agency_id",
    "is_active",
    "is_staff",
    "phone",
]


def agency_upsert(
    *, context: AuditContext, code: str, name: str, kind: AgencyKind, region: Region
) -> Agency:
    """Create the agency ``code`` or update its name, kind and region (idempotent)."""
    with transaction.atomic():
        agency = Agency.objects.filter(code=code).first()
        before = snapshot(agency) if agency else None
        if agency is None:
            agency = Agency(code=code)
        agency.name, agency.kind, agency.region = name, kind, region
        after = snapshot(agency)
        if before != after:
            agency.save()
            audit_record(
                context=context,
                action="agency.update" if before else "agency.create",
                obj=agency,
                region_code=region.code,
                before=before,
                after=snapshot(agency),
            )
    return agency


def user_upsert(
    *,
    context: AuditContext,
    username: str,
    role: Role,
    agency: Agency | None,
    scope: list[Region],
    password: str | None = None,
    full_name: str = "",
    assigned_tps: list[Tps] | None = None,
) -> User:
    """Create or update a user with a role, an agency and a region scope.

    A machine user gets no usable password (it authenticates with API tokens only). A field
    monitor's scope must be desa (or TPS through ``assigned_tps``).
    """
    if not scope:
        raise DomainError(f"Pengguna {username}: cakupan wilayah wajib diisi.")
    if role == Role.FIELD_MONITOR and any(r.level != "village" for r in scope):
        raise DomainError(f"Pengguna {username}: pemantau lapangan hanya untuk desa/kelurahan.")
    first, _, last = full_name.partition(" ")
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        before = _user_state(user) if user else None
        if user is None:
            user = User(username=username)
        user.role, user.agency = role, agency
        user.first_name, user.last_name = first, last
        user.is_staff = role == Role.ADMIN
        if role == Role.MACHINE:
            user.set_unusable_password()
        elif password:
            user.set_password(password)
        user.save()
        user.scope_regions.set(scope)
        user.assigned_tps.set(assigned_tps or [])
        after = _user_state(user)
        if before != after or password:
            audit_record(
                context=context,
                action="user.update" if before else "user.create",
                obj=user,
                before=before,
                after={**after, "password_changed": bool(password)},
            )
    return user


def _user_state(user: User) -> dict:
    state = snapshot(user, _USER_FIELDS)
    state["scope"] = sorted(user.scope_regions.values_list("code", flat=True))
    state["assigned_tps"] = sorted(user.assigned_tps.values_list("pk", flat=True))
    return state
