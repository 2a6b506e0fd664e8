"""API tokens: the key is shown once, stored as a SHA-256, and checked on each request."""

from __future__ import annotations

import secrets

from django.db import transaction

from siaga.accounts.models import ApiToken, User
from siaga.core import clock
from siaga.core.audit import AuditContext, audit_record


def token_create(
    *, context: AuditContext, user: User, name: str, expires_at=None
) -> tuple[ApiToken, str]:
    """Make a token for ``user``; returns the row and the clear key, which is never stored."""
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
            after={"user": user.username, "name": name, "prefix": token.prefix},
        )
    return token, key


def token_revoke(*, context: AuditContext, token: ApiToken) -> None:
    with transaction.atomic():
        token.revoked = True
        token.save(update_fields=["revoked"])
        audit_record(context=context, action="token.revoke", obj=token, after={"revoked": True})


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
