"""The social-media layer of the situation-room map (GET /api/v1/media/layer).

Issue 6 asks that hoaxes "appear on the map": one point per place (desa or kecamatan with a
map point) that posts flagged by the model named in the last hours, with the counts per label
and a link to the triage queue filtered by that place. The counting rules (what is flagged,
which place a post counts at, what "confirmed" means) live in
``siaga.media.selectors.layer_points``; this router only checks the reader and shapes the
answer. Its own router (mounted on /media next to the main one) keeps it apart from the
analysts' API in ``siaga.media.api``. Readers of the situation room only (``Action.VIEW``):
anyone else gets 404, as for every other media read.
"""

import datetime as dt
from urllib.parse import urlencode

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema

from siaga.core import clock
from siaga.core.permissions import Action, can
from siaga.media import selectors

router = Router(tags=["media"])

MAX_HOURS = 24 * 30


class MediaLayerPoint(Schema):
    code: str = Field(description="Region code of the place (desa or kecamatan).")
    name: str
    level: str = Field(description="district (kecamatan) or village (desa), as in /regions.")
    lat: float
    lon: float
    posts: int = Field(description="Flagged posts naming the place in the window.")
    hoaks: int
    provokasi: int
    sara: int
    ujaran_kebencian: int
    kasar: int
    confirmed: int = Field(
        description="Analysts' verdict hoaks, or acted on (ditindaklanjuti) with a linked "
        "debunk or their own hoaks label."
    )
    last_posted_at: dt.datetime
    url: str = Field(description="The triage queue filtered by the place, every status.")


def queue_url(code: str) -> str:
    """The analysts' queue of one place, every status (the popup's link)."""
    return reverse("media:queue") + "?" + urlencode({"region": code, "status": "semua"})


@router.get(
    "/layer",
    response=list[MediaLayerPoint],
    summary="Map layer: places named by flagged posts",
    description=(
        "One point per kecamatan or desa named in the last `hours` hours (1 to 720, deployment "
        "clock) by posts the model flagged (any label but politik alone), in the user's scope; "
        "`region` narrows to a kecamatan or desa and what lies inside. Largest first."
    ),
)
def media_layer(request: HttpRequest, hours: int = 24, region: str = ""):
    if not can(request.auth, Action.VIEW):
        raise Http404
    since = clock.now() - dt.timedelta(hours=max(1, min(hours, MAX_HOURS)))
    points = selectors.layer_points(request.auth, since=since, region=region.strip())
    return [{**p, "url": queue_url(p["code"])} for p in points]
