"""Writes of agencies and users. Every change leaves an audit event."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

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
    user_scope_validate(username=username, role=role, scope=scope, assigned_tps=assigned_tps or [])
    first, _sep, last = full_name.partition(" ")
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
        elif user.pk is None:
            user.set_unusable_password()  # no login until a password is set
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


def user_scope_validate(
    *, username: str, role: str, scope: list[Region], assigned_tps: list[Tps]
) -> None:
    """Check a role's scope: never empty; field monitors only desa, with TPS inside them.

    Raises ``DomainError`` with a message for the operator; the admin form calls it too.
    """
    if not scope:
        raise DomainError(
            _("Pengguna %(username)s: cakupan wilayah wajib diisi.") % {"username": username}
        )
    if role == Role.FIELD_MONITOR and any(r.level != "village" for r in scope):
        raise DomainError(
            _("Pengguna %(username)s: pemantau lapangan hanya untuk desa/kelurahan.")
            % {"username": username}
        )
    if assigned_tps and role != Role.FIELD_MONITOR:
        raise DomainError(
            _("Pengguna %(username)s: hanya pemantau lapangan yang ditugaskan ke TPS.")
            % {"username": username}
        )
    codes = {r.code for r in scope}
    outside = sorted(t.pk for t in assigned_tps if t.desa_id not in codes)
    if outside:
        ids = ", ".join(str(pk) for pk in outside)
        raise DomainError(
            _("Pengguna %(username)s: TPS %(ids)s di luar cakupan wilayahnya.")
            % {"username": username, "ids": ids}
        )


def user_password_validate(*, password: str, username: str, full_name: str = "") -> None:
    """Check a new password with the configured validators (length, common, similarity)."""
    first, _sep, last = full_name.partition(" ")
    try:
        validate_password(password, user=User(username=username, first_name=first, last_name=last))
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc


def regions_resolve(*, codes: list[str]) -> list[Region]:
    """The regions with these codes, in the given order; unknown codes raise ``DomainError``."""
    found = Region.objects.in_bulk(codes)
    missing = [code for code in codes if code not in found]
    if missing:
        raise DomainError(
            _("Kode wilayah tidak dikenal: %(codes)s.") % {"codes": ", ".join(missing)}
        )
    return [found[code] for code in codes]


def tps_resolve(*, ids: list[int]) -> list[Tps]:
    """The TPS with these ids; unknown ids raise ``DomainError``."""
    found = Tps.objects.in_bulk(ids)
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise DomainError(_("TPS tidak dikenal: %(ids)s.") % {"ids": ", ".join(missing)})
    return [found[pk] for pk in ids]


def user_set_active(*, context: AuditContext, user: User, active: bool) -> User:
    """Activate or deactivate a user (a deactivated user and its tokens are refused at once)."""
    with transaction.atomic():
        if user.is_active == active:
            return user
        before = _user_state(user)
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(
            context=context,
            action="user.activate" if active else "user.deactivate",
            obj=user,
            before=before,
            after=_user_state(user),
        )
    return user


def user_state(user: User) -> dict:
    """The audited state of a user: profile, role, scope and TPS; never the password hash."""
    return _user_state(user)


def _user_state(user: User) -> dict:
    state = snapshot(user, _USER_FIELDS)
    state["scope"] = sorted(user.scope_regions.values_list("code", flat=True))
    state["assigned_tps"] = sorted(user.assigned_tps.values_list("pk", flat=True))
    return state
