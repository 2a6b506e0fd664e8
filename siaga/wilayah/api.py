"""API of regions and TPS (/api/v1/regions, /api/v1/tps).

Every endpoint reads through ``siaga.wilayah.selectors``, which keep the user's scope: lists hold
only what the scope covers, and an object outside it answers 404 as if it did not exist.
"""

import math
from typing import Any

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import PaginationBase, paginate

from siaga.wilayah import selectors
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region, Tps

router = Router(tags=["wilayah"])

MAX_PAGE_SIZE = 500


class SiagaPagination(PaginationBase):
    """Page-number pagination that also says which page this is and how many there are."""

    class Input(Schema):
        page: int = Field(1, ge=1, description="Page number, starting at 1.")
        page_size: int | None = Field(
            None,
            ge=1,
            le=MAX_PAGE_SIZE,
            description=(
                "Items per page (default SIAGA_API_PAGE_SIZE, 100 unless configured; "
                f"at most {MAX_PAGE_SIZE})."
            ),
        )

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="Number of items over all pages.")
        page: int = Field(description="This page's number.")
        page_size: int = Field(description="Items per page.")
        pages: int = Field(description="Number of pages.")

    def paginate_queryset(self, queryset: QuerySet, pagination: Input, request, **params):
        size = pagination.page_size or settings.SIAGA_API_PAGE_SIZE
        offset = (pagination.page - 1) * size
        count = self._items_count(queryset)
        return {
            "items": list(queryset[offset : offset + size]),
            "count": count,
            "page": pagination.page,
            "page_size": size,
            "pages": max(1, math.ceil(count / size)),
        }


# --- Schemas ------------------------------------------------------------------------------------


class RegionRef(Schema):
    code: str = Field(description="Kemendagri code, e.g. 64.08.04.1001.")
    name: str = Field(description="Region name.")


class RegionOut(Schema):
    code: str = Field(description="Kemendagri code (64, 64.08, 64.08.04, 64.08.04.1001).")
    name: str = Field(description="Region name.")
    level: Level = Field(description="province, regency, district (kecamatan) or village (desa).")
    level_label: str = Field(description="The level in the user's language.")
    parent_code: str | None = Field(description="Code of the parent region, if any.")
    lat: float | None = Field(description="Latitude of the representative point (WGS 84).")
    lon: float | None = Field(description="Longitude of the representative point (WGS 84).")
    has_boundary: bool = Field(description="Whether a boundary polygon has been imported.")

    @staticmethod
    def resolve_level_label(obj: Region) -> str:
        return str(obj.get_level_display())

    @staticmethod
    def resolve_parent_code(obj: Region) -> str | None:
        return obj.parent_id

    @staticmethod
    def resolve_has_boundary(obj: Region) -> bool:
        return obj.has_boundary_flag  # annotated: boundaries are heavy and never listed


class TotalsOut(Schema):
    tps: int = Field(description="Number of TPS (visible to the user).")
    dpt_male: int = Field(description="Male voters on the DPT.")
    dpt_female: int = Field(description="Female voters on the DPT.")
    dpt_total: int = Field(description="All voters on the DPT.")


class ChildOut(Schema):
    code: str = Field(description="Kemendagri code of the child region.")
    name: str = Field(description="Name of the child region.")
    level: Level = Field(description="Level of the child region.")
    totals: TotalsOut = Field(description="TPS and DPT under the child, within the user's scope.")


class RegionDetailOut(Schema):
    code: str = Field(description="Kemendagri code.")
    name: str = Field(description="Region name.")
    level: Level = Field(description="province, regency, district (kecamatan) or village (desa).")
    level_label: str = Field(description="The level in the user's language.")
    parent_code: str | None = Field(description="Code of the parent region, if any.")
    lat: float | None = Field(description="Latitude of the representative point (WGS 84).")
    lon: float | None = Field(description="Longitude of the representative point (WGS 84).")
    has_boundary: bool = Field(description="Whether a boundary polygon has been imported.")
    ancestors: list[RegionRef] = Field(description="From the province down to the parent.")
    totals: TotalsOut = Field(description="TPS and DPT under the region, within the scope.")
    children: list[ChildOut] = Field(
        description="Child regions the user may open, each with its TPS count and DPT."
    )


class TpsOut(Schema):
    id: int = Field(description="TPS id.")
    label: str = Field(description="Display label, e.g. 'TPS 003'.")
    number: int = Field(description="TPS number within its desa.")
    desa: RegionRef = Field(description="The desa/kelurahan of the TPS.")
    kecamatan: RegionRef = Field(description="The kecamatan of the TPS.")
    address: str = Field(description="Street address or landmark.")
    lat: float | None = Field(description="Latitude (WGS 84).")
    lon: float | None = Field(description="Longitude (WGS 84).")
    dpt_male: int = Field(description="Male voters on the DPT.")
    dpt_female: int = Field(description="Female voters on the DPT.")
    dpt_total: int = Field(description="All voters on the DPT.")
    special_location: str = Field(
        description="Kind of special location (lapas, rumah_sakit, ...), empty when ordinary."
    )

    @staticmethod
    def resolve_desa(obj: Tps) -> dict:
        return {"code": obj.desa.code, "name": obj.desa.name}

    @staticmethod
    def resolve_kecamatan(obj: Tps) -> dict:
        kecamatan = obj.desa.parent
        return {"code": kecamatan.code, "name": kecamatan.name}


class RegionFilters(Schema):
    level: Level | None = Field(None, description="Only regions of this level.")
    parent: str | None = Field(None, description="Only the children of this region code.")
    q: str | None = Field(None, description="Name contains, or code starts with, this text.")


class TpsFilters(Schema):
    region: str | None = Field(
        None, description="Only TPS in or under this region code (any level, e.g. 64.08.04)."
    )
    special: bool | None = Field(
        None, description="true: only special-location TPS; false: only ordinary ones."
    )
    search: str | None = Field(None, description="Desa name or address contains this text.")


# --- Endpoints ----------------------------------------------------------------------------------


def _user(request: HttpRequest):
    return request.auth


def _totals(totals: selectors.Totals) -> dict:
    return {
        "tps": totals.tps,
        "dpt_male": totals.dpt_male,
        "dpt_female": totals.dpt_female,
        "dpt_total": totals.dpt,
    }


@router.get(
    "/regions",
    response=list[RegionOut],
    summary="List regions in the user's scope",
    description="Regions the user's scope covers, in code order, filtered and paginated.",
)
@paginate(SiagaPagination)
def region_list(request: HttpRequest, filters: Query[RegionFilters]):
    qs = (
        selectors.regions_visible(user=_user(request))
        .defer("boundary")
        .annotate(
            has_boundary_flag=ExpressionWrapper(
                Q(boundary__isnull=False), output_field=BooleanField()
            )
        )
        .order_by("code")
    )
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.parent:
        qs = qs.filter(parent_id=filters.parent)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(code__startswith=filters.q))
    return qs


@router.get(
    "/regions/{code}",
    response=RegionDetailOut,
    summary="One region with its children",
    description=(
        "A region in the scope, or on the way down to it (its children are then only those "
        "in the scope), with TPS and DPT totals per child. 404 outside the scope."
    ),
)
def region_detail(request: HttpRequest, code: str):
    user = _user(request)
    try:
        region = selectors.region_get(user=user, code=code)
    except selectors.NotFound as exc:
        raise Http404 from exc
    children = selectors.region_children_summary(user=user, region=region)
    return {
        "code": region.code,
        "name": region.name,
        "level": region.level,
        "level_label": str(region.get_level_display()),
        "parent_code": region.parent_id,
        "lat": region.lat,
        "lon": region.lon,
        "has_boundary": region.boundary is not None,
        "ancestors": [{"code": r.code, "name": r.name} for r in selectors.region_ancestors(region)],
        "totals": _totals(selectors.totals(selectors.tps_under(user=user, region=region))),
        "children": [
            {
                "code": c.region.code,
                "name": c.region.name,
                "level": c.region.level,
                "totals": _totals(c.totals),
            }
            for c in children
        ],
    }


@router.get(
    "/tps",
    response=list[TpsOut],
    summary="List TPS in the user's scope",
    description=(
        "TPS the user may see (field monitors: only their assigned TPS), in desa and number "
        "order, filtered and paginated. The number of SQL queries does not grow with the page."
    ),
)
@paginate(SiagaPagination)
def tps_list(request: HttpRequest, filters: Query[TpsFilters]):
    qs = selectors.tps_visible(user=_user(request))
    qs = selectors.tps_filter(
        qs, region=filters.region, special=filters.special, search=filters.search
    )
    # Boundary polygons of the desa and kecamatan are heavy and not part of a TPS item.
    return qs.defer("desa__boundary", "desa__parent__boundary").order_by("desa_id", "number", "pk")


@router.get(
    "/tps/{tps_id}",
    response=TpsOut,
    summary="One TPS",
    description="A TPS the user may see; 404 outside the scope.",
)
def tps_detail(request: HttpRequest, tps_id: int):
    try:
        return selectors.tps_get(user=_user(request), pk=tps_id)
    except selectors.NotFound as exc:
        raise Http404 from exc


class PagedRows:
    """A query whose page (only) is turned into response rows by ``out``, for the paginator:
    a list endpoint converts the 100 rows it returns, never the whole query."""

    def __init__(self, qs, out) -> None:
        self.qs, self.out = qs, out

    def __len__(self) -> int:
        return self.qs.count()

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, window: slice) -> list[dict]:
        return [self.out(x) for x in self.qs[window]]
