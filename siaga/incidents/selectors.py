"""Reads of incident reports, always through the user's scope and agency.

Who sees which report:
- administrators, analysts (the secretariat) and leadership: every report in their region scope;
- liaisons and machine clients: reports in their scope that are assigned to their agency or
  shared with it (a category routes new reports to its agencies at once);
- field monitors: the reports they sent themselves.
Reporter identities (public reporters' names and contacts) need ``Action.VIEW_REPORTER``.
"""

from __future__ import annotations

import datetime as dt
import math

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext

from siaga.accounts.choices import Role
from siaga.core.permissions import Action, can, user_scope
from siaga.engines.incidents import duplicates
from siaga.incidents.choices import OPEN_STATES, State
from siaga.incidents.models import Incident


class NotFound(Exception):
    """The report does not exist or the user may not see it."""


AGENCY_BOUND_ROLES = (Role.LIAISON, Role.MACHINE)


def incidents_visible(*, user) -> QuerySet[Incident]:
    base = Incident.objects.select_related("category", "region", "tps__desa", "assigned_agency")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return base.none()
    # Whoever sent a report may follow it; a system principal (no row) sent none.
    own = Q(reporter=user) if getattr(user, "pk", None) else Q(pk__in=[])
    if can(user, Action.VIEW):
        visible = user_scope(user).q("region__code")
        if not user.is_superuser and user.role in AGENCY_BOUND_ROLES:
            if not user.agency_id:
                return base.filter(own)
            agency = Q(assigned_agency_id=user.agency_id) | Q(
                pk__in=Incident.shared_with.through.objects.filter(agency_id=user.agency_id).values(
                    "incident_id"
                )
            )
            visible &= agency
        return base.filter(visible | own)
    if can(user, Action.SUBMIT_FIELD):
        return base.filter(own)
    return base.none()


def incident_get(*, user, ticket: str) -> Incident:
    found = incidents_visible(user=user).filter(ticket=str(ticket).strip().upper()).first()
    if found is None:
        raise NotFound
    return found


def incidents_filter(
    qs: QuerySet[Incident],
    *,
    category: str = "",
    state: str = "",
    agency: int | None = None,
    phase: str = "",
    region: str = "",
    severity: str = "",
    since: dt.datetime | None = None,
    open_only: bool = False,
) -> QuerySet[Incident]:
    if category:
        qs = qs.filter(category__code=category)
    if state:
        qs = qs.filter(state=state)
    if agency:
        shared = Incident.shared_with.through.objects.filter(agency_id=agency)
        qs = qs.filter(Q(assigned_agency_id=agency) | Q(pk__in=shared.values("incident_id")))
    if phase:
        qs = qs.filter(phase=phase)
    if region:
        qs = qs.filter(Q(region_id=region) | Q(region__code__startswith=region + "."))
    if severity:
        qs = qs.filter(severity=severity)
    if since is not None:
        qs = qs.filter(received_at__gte=since)
    if open_only:
        qs = qs.filter(state__in=OPEN_STATES)
    return qs


def may_see_reporter(user, incident: Incident) -> bool:
    return can(user, Action.VIEW_REPORTER, incident.region_id)


def reporter_label(user, incident: Incident) -> str:
    """Who reported, as this user may know it."""
    if incident.anonymous:
        return gettext("anonim")
    if incident.reporter_id and incident.reporter is not None:
        if may_see_reporter(user, incident) or incident.reporter_id == user.pk:
            return incident.reporter.get_full_name() or incident.reporter.username
        return incident.reporter.agency.name if incident.reporter.agency_id else gettext("petugas")
    if may_see_reporter(user, incident):
        return (
            " / ".join(x for x in (incident.reporter_name, incident.reporter_contact) if x) or "-"
        )
    return gettext("warga")


def _as_report(incident: Incident) -> duplicates.Report:
    return duplicates.Report(
        id=incident.pk,
        category=incident.category_id,
        occurred_at=incident.occurred_at,
        region_code=incident.region_id,
        tps_id=incident.tps_id,
        lat=incident.lat
        if incident.lat is not None
        else (incident.tps.lat if incident.tps_id else None),
        lon=incident.lon
        if incident.lon is not None
        else (incident.tps.lon if incident.tps_id else None),
        text=incident.description,
    )


def _box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """The latitude/longitude box holding every point within ``km`` of (lat, lon)."""
    dlat = km / 111.0
    dlon = km / (111.0 * max(math.cos(math.radians(lat)), 0.01))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def _in_box(prefix: str, box: tuple[float, float, float, float]) -> Q:
    south, north, west, east = box
    return Q(
        **{
            f"{prefix}lat__gte": south,
            f"{prefix}lat__lte": north,
            f"{prefix}lon__gte": west,
            f"{prefix}lon__lte": east,
        }
    )


def duplicate_suggestions(
    *, user, incident: Incident, limit: int = 5
) -> list[tuple[Incident, duplicates.Suggestion]]:
    """Reports the user may see that are probably the same event as ``incident``."""
    if incident.state in (State.DIGABUNG,):
        return []
    window = dt.timedelta(hours=duplicates.MAX_HOURS)
    kecamatan = incident.region_id.rsplit(".", 1)[0]
    place = Q(region__code__startswith=kecamatan + ".")
    point = _as_report(incident)
    if point.lat is not None and point.lon is not None:
        # a report just across the kecamatan border can be the same event: take every report
        # whose point (its own, or its TPS's) lies in the box around this one
        box = _box(point.lat, point.lon, duplicates.MAX_KM)
        place |= _in_box("", box) | _in_box("tps__", box)
    candidates = list(
        incidents_visible(user=user)
        .filter(
            place,
            category_id=incident.category_id,
            occurred_at__gte=incident.occurred_at - window,
            occurred_at__lte=incident.occurred_at + window,
        )
        .exclude(pk=incident.pk)
        .exclude(state__in=[State.DIGABUNG, State.DITOLAK])
        .select_related("tps")[:200]
    )
    by_id = {c.pk: c for c in candidates}
    found = duplicates.suggest(_as_report(incident), [_as_report(c) for c in candidates])
    return [(by_id[s.other_id], s) for s in found[:limit]]


def counts_by(qs: QuerySet[Incident], field: str) -> dict[str, int]:
    return {row[field]: row["n"] for row in qs.order_by().values(field).annotate(n=Count("pk"))}


def tps_history(*, user, tps_id: int) -> QuerySet[Incident]:
    return incidents_visible(user=user).filter(tps_id=tps_id).order_by("-occurred_at")
