"""The situation-room pages. They read through other apps' selectors and write nothing."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from siaga.checklists.selectors import checklist_overview
from siaga.core.models import Deployment
from siaga.core.permissions import Action, can
from siaga.dashboard.briefing import briefing
from siaga.dashboard.statuses import statuses_payload
from siaga.media.selectors import summary as media_summary
from siaga.postelection import selectors as postelection_selectors
from siaga.risk import selectors as risk_selectors
from siaga.wilayah import selectors
from siaga.wilayah.choices import CHILD_LEVEL, Level

OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


def map_config(*, region_code: str | None, point: dict | None = None) -> dict:
    """What the map script needs, passed to it through ``json_script`` (no JS catalogue)."""
    return {
        "endpoint": reverse("api-v1:map_data"),
        "region": region_code,
        "point": point,
        "tileUrl": settings.SIAGA_MAP_TILE_URL,
        "tileAttribution": getattr(settings, "SIAGA_MAP_TILE_ATTRIBUTION", OSM_ATTRIBUTION),
        "tpsUrl": reverse("wilayah:tps", args=[0]).replace("/0/", "/{id}/"),
        "regionUrl": reverse("wilayah:region", args=["CODE"]).replace("CODE", "{code}"),
        "statuses": statuses_payload(),
        "strings": {
            "offline": _("Peta dasar tidak tersedia (luring): batas wilayah dan TPS tetap tampil."),
            "tilesOff": _("Peta dasar dimatikan: hanya batas wilayah dan TPS yang tampil."),
            "loadError": _("Data peta gagal dimuat. Muat ulang halaman untuk mencoba lagi."),
            "loading": _("Memuat peta…"),
            "legend": _("Keterangan"),
            "voters": _("pemilih"),
            "open": _("Buka halaman TPS"),
            "openRegion": _("Buka wilayah"),
            "tpsShown": _("TPS di peta"),
            "noCoordinates": _("TPS tanpa koordinat"),
        },
    }


def region_panel(*, user, region) -> dict:
    """The side panel of a region: its visible children with counts, and the total row."""
    children = selectors.region_children_summary(user=user, region=region)
    total = selectors.Totals(
        tps=sum(c.totals.tps for c in children),
        dpt_male=sum(c.totals.dpt_male for c in children),
        dpt_female=sum(c.totals.dpt_female for c in children),
    )
    child_level = CHILD_LEVEL.get(Level(region.level))
    return {
        "children": children,
        "total": total,
        "child_level_label": child_level.label if child_level else _("Wilayah"),
    }


@login_required
@require_GET
def situation_room(request):
    """The map of the regency with counts per kecamatan; field monitors get their TPS list."""
    user = request.user
    if not can(user, Action.VIEW):
        tps_list = list(selectors.tps_visible(user=user))
        return render(request, "dashboard/my_tps.html", {"tps_list": tps_list})
    try:
        region = selectors.home_region(user=user)
    except selectors.NotFound:
        return render(request, "dashboard/no_region.html", status=200)
    context = {
        "region": region,
        "map_config": map_config(region_code=region.code),
        "checklist_overview": checklist_overview(user=user, region=region.code),
        "media_overview": media_summary(user),
        "risk_overview": risk_selectors.panel(user),
        "postelection_panel": postelection_selectors.dashboard_panel(user),
        **region_panel(user=user, region=region),
    }
    return render(request, "dashboard/situation_room.html", context)


@login_required
@require_GET
def leadership_briefing(request):
    """One screen for the Pjs Bupati and the agency heads, readable on a tablet: the map with the
    current risk, five numbers, what needs a decision, and the latest situation report."""
    user = request.user
    if not can(user, Action.VIEW):
        raise Http404
    try:
        region = selectors.home_region(user=user)
    except selectors.NotFound:
        return render(request, "dashboard/no_region.html", status=200)
    context = {
        "region": region,
        "map_config": map_config(region_code=region.code),
        "risk_layer_on": True,
        "briefing": briefing(user, region_code=region.code),
        **region_panel(user=user, region=region),
    }
    return render(request, "dashboard/briefing.html", context)


HTMX_STOP_POLLING = 286


@require_GET
def phase_banner(request):
    """The phase banner alone, polled by htmx so that the clock and phase stay current.

    Once the session has expired it answers 286, which tells htmx to stop polling, instead of
    redirecting (htmx would paste the login page into the banner).
    """
    if not request.user.is_authenticated:
        return HttpResponse(status=HTMX_STOP_POLLING)
    if not Deployment.objects.exists():
        return HttpResponse(status=HTMX_STOP_POLLING)  # no election configured: nothing to show
    return render(request, "dashboard/_banner.html")
