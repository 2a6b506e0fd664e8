"""Reads of regions and TPS, always through the user's scope.

Every function takes the ``user`` and returns only what the user may see; an object outside the
scope raises ``NotFound`` (shown as 404) so that its existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr

from siaga.core.permissions import Action, can, user_scope
from siaga.wilayah.choices import CHILD_LEVEL, Level
from siaga.wilayah.models import Region, Tps

CODE_LENGTH = {Level.PROVINCE: 2, Level.REGENCY: 5, Level.DISTRICT: 8, Level.VILLAGE: 13}


class NotFound(Exception):
    """The object does not exist or lies outside the user's scope."""


@dataclass(frozen=True)
class Totals:
    tps: int
    dpt_male: int
    dpt_female: int

    @property
    def dpt(self) -> int:
        return self.dpt_male + self.dpt_female


def _require_view(user) -> None:
    if not can(user, Action.VIEW) and not can(user, Action.SUBMIT_FIELD):
        raise NotFound


def region_get(*, user, code: str) -> Region:
    """A region the user may open: one in the scope, under it, or on the way down to it."""
    _require_view(user)
    if not user_scope(user).may_open_region(code):
        raise NotFound
    try:
        return (
            Region.objects.select_related("parent__parent__parent")
            .defer(
                "parent__boundary", "parent__parent__boundary", "parent__parent__parent__boundary"
            )
            .get(code=code)
        )
    except Region.DoesNotExist as exc:
        raise NotFound from exc


def region_ancestors(region: Region) -> list[Region]:
    """From the top down to the region's parent (uses the parent chain already selected)."""
    chain, node = [], region.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


def regions_visible(*, user) -> QuerySet[Region]:
    _require_view(user)
    return Region.objects.filter(user_scope(user).q("code"))


def tps_visible(*, user) -> QuerySet[Tps]:
    """Every TPS the user may see, with its desa and kecamatan loaded."""
    _require_view(user)
    if not can(user, Action.VIEW):
        # Field monitors see only the TPS they submit for.
        return Tps.objects.filter(user_scope(user).tps_q()).select_related("desa__parent")
    return Tps.objects.filter(user_scope(user).q("desa__code")).select_related("desa__parent")


def tps_under(*, user, region: Region) -> QuerySet[Tps]:
    qs = tps_visible(user=user)
    if region.level == Level.VILLAGE:
        return qs.filter(desa_id=region.code)
    return qs.filter(desa__code__startswith=region.code + ".")


def tps_filter(
    qs: QuerySet[Tps],
    *,
    region: str | None = None,
    special: bool | None = None,
    search: str | None = None,
) -> QuerySet[Tps]:
    """Narrow a TPS queryset by region code (any level), special location, or name search."""
    if region:
        qs = qs.filter(Q(desa_id=region) | Q(desa__code__startswith=region + "."))
    if special is True:
        qs = qs.exclude(special_location="")
    elif special is False:
        qs = qs.filter(special_location="")
    if search:
        qs = qs.filter(Q(desa__name__icontains=search) | Q(address__icontains=search))
    return qs


def tps_get(*, user, pk: int) -> Tps:
    try:
        return tps_visible(user=user).get(pk=pk)
    except Tps.DoesNotExist as exc:
        raise NotFound from exc


def totals(qs: QuerySet[Tps]) -> Totals:
    row = qs.aggregate(
        tps=Count("pk"),
        male=Coalesce(Sum("dpt_male"), 0),
        female=Coalesce(Sum("dpt_female"), 0),
    )
    return Totals(tps=row["tps"], dpt_male=row["male"], dpt_female=row["female"])


@dataclass(frozen=True)
class ChildSummary:
    region: Region
    totals: Totals


def region_children_summary(*, user, region: Region) -> list[ChildSummary]:
    """The visible children of ``region`` with their TPS and DPT totals, in code order."""
    child_level = CHILD_LEVEL.get(Level(region.level))
    if child_level is None:
        return []
    scope = user_scope(user)
    children = [
        child
        for child in Region.objects.filter(parent=region).order_by("code")
        if scope.may_open_region(child.code)
    ]
    length = CODE_LENGTH[child_level]
    rows = (
        tps_under(user=user, region=region)
        .annotate(child=Substr("desa_id", 1, length))
        .values("child")
        .annotate(tps=Count("pk"), male=Sum("dpt_male"), female=Sum("dpt_female"))
        .order_by()
    )
    by_child = {r["child"]: Totals(r["tps"], r["male"] or 0, r["female"] or 0) for r in rows}
    empty = Totals(0, 0, 0)
    return [ChildSummary(child, by_child.get(child.code, empty)) for child in children]


def region_boundaries(*, user, region: Region) -> list[Region]:
    """Boundaries to draw for ``region``: its own and its visible children's, where imported.

    When the children have none but their children do (only desa boundaries were imported),
    the grandchildren are drawn instead, so a regency map still shows its desa.
    """
    _require_view(user)
    scope = user_scope(user)
    fields = ("code", "name", "level", "parent_id", "boundary")
    found = [
        r
        for r in Region.objects.filter(Q(code=region.code) | Q(parent=region))
        .filter(boundary__isnull=False)
        .only(*fields)
        .order_by("code")
        if scope.may_open_region(r.code)
    ]
    has_children = any(r.code != region.code for r in found)
    if not has_children and region.level in (Level.PROVINCE, Level.REGENCY):
        found += [
            r
            for r in Region.objects.filter(parent__parent=region, boundary__isnull=False)
            .only(*fields)
            .order_by("code")
            if scope.may_open_region(r.code)
        ]
    return found


def tps_map_rows(*, user, region: Region) -> list[tuple]:
    """Compact rows of every visible TPS under ``region``, in one query, for the map.

    Each row is ``(pk, lat, lon, number, desa name, dpt_male, dpt_female, special_location)``.
    """
    return list(
        tps_under(user=user, region=region).values_list(
            "pk",
            "lat",
            "lon",
            "number",
            "desa__name",
            "dpt_male",
            "dpt_female",
            "special_location",
        )
    )


def home_region(*, user) -> Region:
    """The region the situation room opens on: the deployment's regency.

    Falls back to ``settings.SIAGA_REGENCY_CODE`` before the deployment row exists; raises
    ``NotFound`` when that region is missing or lies outside the user's scope.
    """
    from django.conf import settings

    from siaga.core.models import Deployment

    code = Deployment.objects.values_list("regency_id", flat=True).first()
    return region_get(user=user, code=code or settings.SIAGA_REGENCY_CODE)
