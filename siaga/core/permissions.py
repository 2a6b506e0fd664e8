"""The one permission layer: what a role may do, and where (the user's region scope).

Every view, API endpoint, export and selector asks this module. A scope is a set of region
codes; a user sees an object when its region code is one of them or lies under one of them
(a prefix match on Kemendagri codes). Objects outside the scope are treated as if they did not
exist (404, never 403), so that a scope does not leak what lies beyond it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from siaga.accounts.choices import AgencyKind, Role
from siaga.core.errors import PermissionDenied


class Action(StrEnum):
    VIEW = "view"  # the situation room, maps, lists and details
    SUBMIT_FIELD = "submit_field"  # field reports for the assigned TPS or desa
    EDIT_MASTER = "edit_master"  # regions, TPS, imports of master data
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"
    VIEW_PERSONAL = "view_personal"  # unmasked NIK, phone numbers, reporter identities
    EDIT_LOGISTICS = "edit_logistics"  # distribution plans, shipments, replacement requests
    TRIAGE_INCIDENTS = "triage_incidents"  # verify, reject, assign, merge and share reports
    VIEW_REPORTER = "view_reporter"  # who sent a report (public reporters' names and contacts)
    IMPORT_DPT = "import_dpt"  # upload a voter roll (DPT) and run the double-registration search
    REVIEW_VOTERS = "review_voters"  # the queue of suspected double registrations: confirm, dismiss
    CHECK_VOTER = "check_voter"  # ask at a TPS whether a NIK is on the roll
    TRIAGE_MEDIA = "triage_media"  # review posts, record actions, edit debunks, retrain the model
    INGEST_MEDIA = "ingest_media"  # import posts (files) and manage the sources
    EDIT_RISK = "edit_risk"  # indicator values (import, manual entry), weights, the IKP score
    PLAN_DEPLOYMENT = "plan_deployment"  # personnel available, pattern rules, deployment plans
    EDIT_WATCH = "edit_watch"  # the watch after the vote: recapitulation, gatherings, PSU
    COORDINATE = "coordinate"  # meetings, decisions, tasks to any agency; situation reports


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.ANALYST: frozenset(
        {
            Action.VIEW,
            Action.SUBMIT_FIELD,
            Action.EDIT_MASTER,
            Action.VIEW_AUDIT,
            Action.TRIAGE_INCIDENTS,
            Action.VIEW_REPORTER,
            Action.IMPORT_DPT,
            Action.REVIEW_VOTERS,
            Action.CHECK_VOTER,
            Action.TRIAGE_MEDIA,
            Action.INGEST_MEDIA,
            Action.EDIT_RISK,
            Action.PLAN_DEPLOYMENT,
            Action.EDIT_WATCH,
            Action.COORDINATE,
        }
    ),
    Role.LEADERSHIP: frozenset({Action.VIEW}),
    Role.LIAISON: frozenset({Action.VIEW}),
    Role.FIELD_MONITOR: frozenset({Action.SUBMIT_FIELD, Action.CHECK_VOTER}),
    Role.MACHINE: frozenset({Action.VIEW}),
}

# What a liaison may do on top of the role, because of the agency they speak for.
AGENCY_ACTIONS: dict[str, frozenset[Action]] = {
    # KPU keeps the roll: it imports it, reviews it and sees the NIK it must correct.
    AgencyKind.KPU: frozenset(
        {Action.EDIT_LOGISTICS, Action.IMPORT_DPT, Action.REVIEW_VOTERS, Action.VIEW_PERSONAL}
    ),
    # Bawaslu supervises the roll (it reviews the suspected double registrations) and maps the
    # vulnerable TPS (the indicators of the index).
    AgencyKind.BAWASLU: frozenset({Action.REVIEW_VOTERS, Action.EDIT_RISK}),
    # Polres and Kodim plan their people at the TPS and keep the watch after the vote.
    AgencyKind.POLRI: frozenset({Action.PLAN_DEPLOYMENT, Action.EDIT_WATCH}),
    AgencyKind.TNI: frozenset({Action.PLAN_DEPLOYMENT, Action.EDIT_WATCH}),
    # Diskominfo's media analysts watch social media: they triage posts and act on them.
    AgencyKind.KOMINFO: frozenset({Action.TRIAGE_MEDIA, Action.INGEST_MEDIA}),
}

# What a machine account (an API token) may do because of the agency it runs for.
MACHINE_AGENCY_ACTIONS: dict[str, frozenset[Action]] = {
    # Diskominfo's crawlers push the posts they collect.
    AgencyKind.KOMINFO: frozenset({Action.INGEST_MEDIA}),
}


def _actions(user) -> frozenset[Action]:
    """The actions of an active user: the role's, plus the agency's for liaisons (cached)."""
    cached = getattr(user, "_siaga_actions", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        actions = frozenset(Action)
    else:
        actions = ROLE_ACTIONS.get(user.role, frozenset())
        if user.role == Role.LIAISON and user.agency_id:
            actions |= AGENCY_ACTIONS.get(user.agency.kind, frozenset())
        elif user.role == Role.MACHINE and user.agency_id:
            actions |= MACHINE_AGENCY_ACTIONS.get(user.agency.kind, frozenset())
    user._siaga_actions = actions
    return actions


@dataclass(frozen=True)
class Scope:
    """Region codes a user may see, and optionally the only TPS (for field monitors)."""

    codes: frozenset[str]
    tps_ids: frozenset[int] | None = None
    everything: bool = False

    def covers(self, code: str) -> bool:
        """True when ``code`` is a scope region or lies under one."""
        if self.everything:
            return True
        return any(code == c or code.startswith(c + ".") for c in self.codes)

    def is_ancestor_of_scope(self, code: str) -> bool:
        """True when a scope region lies under ``code`` (the way down to it may be shown)."""
        return any(c.startswith(code + ".") for c in self.codes)

    def may_open_region(self, code: str) -> bool:
        return self.covers(code) or self.is_ancestor_of_scope(code)

    def q(self, field: str) -> Q:
        """A filter keeping rows whose region code ``field`` is covered by the scope."""
        if self.everything:
            return Q()
        if not self.codes:
            return Q(pk__in=[])
        condition = Q()
        for code in sorted(self.codes):
            condition |= Q(**{field: code}) | Q(**{f"{field}__startswith": code + "."})
        return condition

    def tps_q(self, prefix: str = "") -> Q:
        """A filter for TPS rows (``prefix`` is the path to the TPS, e.g. ``"tps__"``)."""
        condition = self.q(f"{prefix}desa__code")
        if self.tps_ids is not None:
            condition &= Q(**{f"{prefix}pk__in": sorted(self.tps_ids)})
        return condition


class SystemPrincipal:
    """Siaga itself, for background computations (the risk index) that read every module
    through its selectors: it sees every region and may do everything, and is nobody."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = id = agency_id = agency = None
    role = Role.ADMIN
    username = "system"


SYSTEM = SystemPrincipal()


def user_scope(user) -> Scope:
    """The scope of ``user``, computed once per user object (two small queries)."""
    cached = getattr(user, "_siaga_scope", None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        scope = Scope(codes=frozenset())
    elif user.is_superuser:
        scope = Scope(codes=frozenset(), everything=True)
    else:
        codes = frozenset(user.scope_regions.values_list("code", flat=True))
        tps_ids = None
        if user.role == Role.FIELD_MONITOR:
            assigned = frozenset(user.assigned_tps.values_list("pk", flat=True))
            tps_ids = assigned or None
        scope = Scope(codes=codes, tps_ids=tps_ids)
    user._siaga_scope = scope
    return scope


def can(user, action: Action, region_code: str | None = None) -> bool:
    """May ``user`` do ``action`` (at ``region_code``, when given)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if action not in _actions(user):
        return False
    return region_code is None or user_scope(user).covers(region_code)


def may_read(user) -> bool:
    """Readers of the situation room, and field monitors (who read what their places hold)."""
    return can(user, Action.VIEW) or can(user, Action.SUBMIT_FIELD)


def require(user, action: Action, region_code: str | None = None) -> None:
    """Raise ``PermissionDenied`` unless ``can(user, action, region_code)``."""
    if not can(user, action, region_code):
        raise PermissionDenied(_("Anda tidak berwenang untuk tindakan ini."))


def require_actor(
    user, action: Action, region_code: str | None = None, *, denied: str, outside: str = ""
) -> None:
    """For services: the system (no acting ``user``) may always; a person must hold ``action``
    (``denied`` otherwise) over ``region_code`` when given (``outside`` otherwise)."""
    if user is None:
        return
    if not can(user, action):
        raise PermissionDenied(denied)
    if region_code is not None and not can(user, action, region_code):
        raise PermissionDenied(outside or _("Wilayah ini di luar wilayah tugas Anda."))


def require_or_404(user, action: Action, region_code: str | None = None) -> None:
    """For pages and API reads: what the user may not do (there) does not exist for them."""
    if not can(user, action, region_code):
        raise Http404


def scope_open_q(scope: Scope, field: str) -> Q:
    """A filter keeping rows whose region code ``field`` the scope may open.

    That is the regions the scope covers and those on the way down to them (its ancestors), as
    ``Scope.may_open_region`` says, so a kecamatan user sees the regency's agencies but never
    another regency's.
    """
    if scope.everything:
        return Q()
    ancestors: set[str] = set()
    for code in scope.codes:
        parts = code.split(".")
        ancestors.update(".".join(parts[:n]) for n in range(1, len(parts)))
    return scope.q(field) | Q(**{f"{field}__in": sorted(ancestors)})


def allowed_actions(user) -> list[str]:
    """The actions ``user`` may take (anywhere in their scope), sorted, for display and clients."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return sorted(_actions(user))
