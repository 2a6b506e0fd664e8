"""Region drill-down and TPS pages (placeholders until the front-end lands)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse

from siaga.wilayah import selectors


@login_required
def region_detail(request, code):
    try:
        region = selectors.region_get(user=request.user, code=code)
    except selectors.NotFound as exc:
        raise Http404 from exc
    return HttpResponse(region.name)


@login_required
def tps_detail(request, pk):
    try:
        tps = selectors.tps_get(user=request.user, pk=pk)
    except selectors.NotFound as exc:
        raise Http404 from exc
    return HttpResponse(str(tps))
