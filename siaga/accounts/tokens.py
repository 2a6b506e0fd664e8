"""API tokens: the key is shown once, stored as a SHA-256, and checked on each request."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from siaga.accounts.models import ApiToken, User
from siaga.core import clock
from siaga.core.audit import AuditContext, audit_record
from siaga.core.errors import DomainError


def token_create(
    *, context: AuditContext, user: User, name: str, expires_at=None
) -> tuple[ApiToken, str]:
    """Make a token for ``user``; returns the row and the clear key, which is never stored."""
    key = "sg_" + secrets.token_urlsafe(32)
    while key[3] in "-_":  # a prefix starting with "-" would read as an option on the CLI
        key = "sg_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=key[3:11],
            key_hash=ApiToken.hash_key(key),
            expires_at=expires_at,
        )
        audit_record(
            context=context,
            action="token.create",
            obj=token,
            after={
                "user": user.username,
                "name": name,
                "prefix": token.prefix,
                "expires_at": expires_at,
            },
        )
    return token, key


def token_revoke(*, context: AuditContext, token: ApiToken) -> None:
    """Revoke ``token`` at once (idempotent: revoking a revoked token records nothing)."""
    with transaction.atomic():
        if ApiToken.objects.filter(pk=token.pk, revoked=True).exists():
            token.revoked = True
            return
        token.revoked = True
        token.save(update_fields=["revoked"])
        audit_record(
            context=context,
            action="token.revoke",
            obj=token,
            before={"revoked": False},
            after={"revoked": True, "user": token.user.username, "prefix": token.prefix},
        )


def token_expiry(*, days: int | None) -> dt.datetime | None:
    """When a token made now for ``days`` days expires (None: never)."""
    if days is None:
        return None
    if days < 1:
        raise DomainError(_("Masa berlaku token minimal 1 hari."))
    return clock.now() + dt.timedelta(days=days)


def token_revoke_by_prefix(*, context: AuditContext, prefix: str) -> ApiToken:
    """Revoke the one active token whose key starts with ``sg_<prefix>`` (as listed)."""
    prefix = prefix.removeprefix("sg_")
    if len(prefix) < 4:
        raise DomainError(_("Awalan token minimal 4 karakter."))
    matches = list(
        ApiToken.objects.select_related("user").filter(prefix__startswith=prefix[:8], revoked=False)
    )
    if not matches:
        raise DomainError(_("Tidak ada token aktif dengan awalan %(prefix)s.") % {"prefix": prefix})
    if len(matches) > 1:
        raise DomainError(
            _("Awalan %(prefix)s cocok dengan %(n)d token; tulis lebih lengkap.")
            % {"prefix": prefix, "n": len(matches)}
        )
    token_revoke(context=context, token=matches[0])
    return matches[0]


def token_authenticate(key: str) -> User | None:
    """The active user behind ``key``, or None (unknown, revoked, expired or inactive)."""
    if not key or not key.startswith("sg_"):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked=False)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = clock.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # at most every 5 minutes
    return token.user
