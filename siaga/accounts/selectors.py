"""Reads of agencies, users and tokens, always through the reader's scope."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from siaga.accounts.models import Agency, ApiToken, User
from siaga.core.permissions import scope_open_q, user_scope


def agencies_visible(*, user) -> QuerySet[Agency]:
    """Agencies whose region the user may open (in the scope or on the way down to it)."""
    return Agency.objects.select_related("region").filter(
        scope_open_q(user_scope(user), "region__code")
    )


def user_scope_regions(*, user) -> list:
    """The regions of the user's scope, in code order (one query)."""
    return list(user.scope_regions.order_by("code"))


def users_overview() -> QuerySet[User]:
    """Every user with agency, scope and active token count loaded, for operators (CLI, admin)."""
    return (
        User.objects.select_related("agency")
        .prefetch_related("scope_regions")
        .annotate(
            active_tokens=Count("api_tokens", filter=Q(api_tokens__revoked=False), distinct=True),
            tps_count=Count("assigned_tps", distinct=True),
        )
        .order_by("username")
    )


def tokens_active() -> QuerySet[ApiToken]:
    """Tokens not revoked (expired ones included, with their expiry), oldest first."""
    return ApiToken.objects.select_related("user").filter(revoked=False).order_by("pk")
