"""Reads of the report archive.

A report describes a whole regency, so it is read by those whose scope covers the regency
(``Action.VIEW``): a kecamatan user would find in it the names of places outside its scope, so
for them the report does not exist (404), as anything outside a scope.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from siaga.core.deployment import deployment_regency
from siaga.core.permissions import Action, can, user_scope
from siaga.reports.models import SituationReport

LIST_FIELDS = (
    "pk", "day", "region_id", "region__name", "generated_at", "generated_by__username",
    "distributed_at", "audit_head",
)  # fmt: skip


class NotFound(Exception):
    """No such report, or the user may not read it."""


def reports_visible(user) -> QuerySet[SituationReport]:
    """Reports of the regions the user's scope covers, latest first (files not loaded)."""
    if not can(user, Action.VIEW):
        return SituationReport.objects.none()
    return (
        SituationReport.objects.filter(user_scope(user).q("region__code"))
        .select_related("region", "generated_by")
        .defer("html", "pdf", "xlsx", "figures", "region__boundary")
        .order_by("-day", "region_id")
    )


def parse_day(value: str | dt.date) -> dt.date:
    """``YYYY-MM-DD``; ``NotFound`` for anything else (it comes from a URL)."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise NotFound from exc


def report_get(user, day: str | dt.date, *, region_code: str | None = None) -> SituationReport:
    """The report of ``day`` for the regency (default: the deployment's), with its files."""
    found = (
        SituationReport.objects.filter(
            day=parse_day(day), region_id=region_code or deployment_regency()
        )
        .select_related("region", "generated_by")
        .first()
    )
    if found is None or not can(user, Action.VIEW, found.region_id):
        raise NotFound
    return found


def may_generate(user, region_code: str | None = None) -> bool:
    """The secretariat (``Action.COORDINATE``) over the regency generates reports."""
    return can(user, Action.COORDINATE, region_code or deployment_regency())


def latest(user) -> SituationReport | None:
    """The latest report the user may read (files not loaded), for the leadership briefing."""
    return reports_visible(user).filter(region_id=deployment_regency()).first()
