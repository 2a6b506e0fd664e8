"""Region drill-down (regency > kecamatan > desa) and the TPS page.

Thin views: authorise through ``siaga.core.permissions``, read through the selectors (which
enforce the scope), render. Anything outside the scope is a 404, as if it did not exist.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from siaga.core.permissions import Action, can, user_scope
from siaga.dashboard.statuses import status_by_code, tps_status
from siaga.dashboard.views import map_config, region_panel
from siaga.wilayah import selectors
from siaga.wilayah.choices import Level


def _breadcrumbs(user, region) -> list:
    scope = user_scope(user)
    return [r for r in selectors.region_ancestors(region) if scope.may_open_region(r.code)]


@login_required
@require_GET
def region_detail(request, code):
    user = request.user
    if not can(user, Action.VIEW):  # field monitors work from their TPS list, not the map
        raise Http404
    try:
        region = selectors.region_get(user=user, code=code)
    except selectors.NotFound as exc:
        raise Http404 from exc
    context = {
        "region": region,
        "breadcrumbs": _breadcrumbs(user, region),
        "map_config": map_config(region_code=region.code),
    }
    if region.level == Level.VILLAGE:
        tps_list = list(selectors.tps_under(user=user, region=region))
        context["tps_list"] = tps_list
        context["total"] = selectors.Totals(
            tps=len(tps_list),
            dpt_male=sum(t.dpt_male for t in tps_list),
            dpt_female=sum(t.dpt_female for t in tps_list),
        )
    else:
        context.update(region_panel(user=user, region=region))
    return render(request, "wilayah/region_detail.html", context)


@login_required
@require_GET
def tps_detail(request, pk):
    user = request.user
    try:
        tps = selectors.tps_get(user=user, pk=pk)
    except selectors.NotFound as exc:
        raise Http404 from exc
    status = status_by_code(tps_status(special_location=tps.special_location))
    point = None
    if tps.lat is not None and tps.lon is not None:
        point = {
            "lat": tps.lat,
            "lon": tps.lon,
            "label": tps.label,
            "desa": tps.desa.name,
            "dpt": tps.dpt_total,
            "status": status.code,
            "boundary": tps.desa.boundary,
        }
    may_view = can(user, Action.VIEW)
    context = {
        "tps": tps,
        "status": status,
        "may_view_regions": may_view,
        "breadcrumbs": _breadcrumbs(user, tps.desa) + [tps.desa] if may_view else [],
        "map_config": map_config(region_code=None, point=point),
    }
    return render(request, "wilayah/tps_detail.html", context)
