"""Reads of the media module for pages, the API, the dashboard and the risk index.

Everything is filtered by the user's region scope: a post's region is the most specific place of
the regency it names, or its source's region.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, Max, Q, QuerySet

from siaga.core import clock
from siaga.core.deployment import deployment_regency
from siaga.core.permissions import user_scope
from siaga.media.choices import ReviewStatus
from siaga.media.models import Debunk, MediaAlert, Narrative, Post
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region

OPEN_STATUSES = (ReviewStatus.NEW, ReviewStatus.CHECKING)
MIN_NARRATIVE_POSTS = 2


def posts_visible(user) -> QuerySet[Post]:
    return Post.objects.filter(user_scope(user).q("region__code"))


def triage_queue(
    user,
    *,
    status: str = "",
    label: str = "",
    platform: str = "",
    region: str = "",
    narrative: int | None = None,
    matched: bool = False,
    text: str = "",
) -> QuerySet[Post]:
    """Posts for the analysts, riskiest first; by default those still to review."""
    qs = posts_visible(user).select_related("debunk", "narrative", "region", "source")
    if status == "semua":
        pass
    elif status:
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if label:
        qs = qs.filter(label_key__contains=f"|{label}|")
    if platform:
        qs = qs.filter(platform=platform)
    if region:
        qs = qs.filter(Q(region_id=region) | Q(region__code__startswith=region + "."))
    if narrative:
        qs = qs.filter(narrative_id=narrative)
    if matched:
        qs = qs.filter(debunk__isnull=False)
    if text:
        qs = qs.filter(text__icontains=text[:100])
    return qs.order_by("-risk", "-posted_at", "-pk")


def narratives_visible(user) -> QuerySet[Narrative]:
    scope = user_scope(user)
    regency = deployment_regency()
    condition = scope.q("region__code")
    if scope.covers(regency):
        condition |= Q(region__isnull=True)
    return Narrative.objects.filter(condition, post_count__gte=MIN_NARRATIVE_POSTS)


def narrative_spread(narrative: Narrative, *, hours: int = 48) -> dict:
    """Posts per hour (the last ``hours`` hours up to the last post), accounts, platforms."""
    posts = list(
        narrative.posts.values_list("posted_at", "author", "platform", "places").order_by(
            "posted_at"
        )
    )
    end = narrative.last_seen.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    start = end - dt.timedelta(hours=hours)
    buckets = [0] * hours
    for when, *_rest in posts:
        if start <= when < end:
            buckets[int((when - start).total_seconds() // 3600)] += 1
    places = Counter(code for *_x, codes in posts for code in codes)
    return {
        "per_hour": [
            {"hour": start + dt.timedelta(hours=i), "posts": n} for i, n in enumerate(buckets)
        ],
        "accounts": len({author for _w, author, *_r in posts if author}),
        "platforms": dict(Counter(p for _w, _a, p, _c in posts)),
        "places": places.most_common(10),
        "first_seen": narrative.first_seen,
        "last_seen": narrative.last_seen,
        "posts": len(posts),
    }


def alerts_visible(user) -> QuerySet[MediaAlert]:
    return MediaAlert.objects.filter(user_scope(user).q("region__code")).select_related(
        "narrative", "region"
    )


def debunks_visible() -> QuerySet[Debunk]:
    return Debunk.objects.all()


def summary(user, *, hours: int = 24) -> dict:
    """The numbers of the situation room (two queries): posts of the last day, those the model
    flagged (beyond politik) and those repeating a known hoax; posts waiting for review with a
    risk above 0.5; hoaxes confirmed; alerts not yet acknowledged."""
    since = clock.now() - dt.timedelta(hours=hours)
    recent = Q(posted_at__gte=since)
    counts = posts_visible(user).aggregate(
        posts=Count("pk", filter=recent),
        flagged=Count("pk", filter=recent & ~Q(label_key="") & ~Q(label_key="|politik|")),
        matched=Count("pk", filter=recent & Q(debunk__isnull=False)),
        to_review=Count("pk", filter=Q(status__in=OPEN_STATUSES, risk__gt=0.5)),
        hoaxes=Count("pk", filter=Q(verdict=ReviewStatus.HOAX)),
    )
    counts["alerts_open"] = alerts_visible(user).filter(acknowledged_at__isnull=True).count()
    return counts


def region_signals(*, since: dt.datetime, prefix: str = "") -> dict[str, dict[str, int]]:
    """For the risk index (issue 7): per region code named by posts since ``since``, the posts
    the model flags as hoaks / provokasi / SARA / hate and the hoaxes analysts confirmed."""
    qs = Post.objects.filter(posted_at__gte=since).exclude(places=[])
    if prefix:
        qs = qs.filter(Q(region_id=prefix) | Q(region__code__startswith=prefix + "."))
    out: dict[str, dict[str, int]] = {}
    for code, labels, verdict in qs.values_list("region_id", "labels", "verdict").iterator(5000):
        row = out.setdefault(
            code, {"hoaks": 0, "provokasi": 0, "sara": 0, "ujaran_kebencian": 0, "confirmed": 0}
        )
        for label in labels:
            if label in row:
                row[label] += 1
        if verdict == ReviewStatus.HOAX:
            row["confirmed"] += 1
    return out


def harmful_post_places(
    *, since: dt.datetime, until: dt.datetime, prefix: str = ""
) -> list[tuple[str, dt.datetime]]:
    """For the trend alerts of the risk module: (region code, time) of each post flagged as
    hoaks, provokasi, SARA or hate that names a place, posted in ``(since, until]``."""
    flagged = Q()
    for label in ("hoaks", "provokasi", "sara", "ujaran_kebencian"):
        flagged |= Q(label_key__contains=f"|{label}|")
    qs = Post.objects.filter(flagged, posted_at__gt=since, posted_at__lte=until).exclude(places=[])
    if prefix:
        qs = qs.filter(Q(region_id=prefix) | Q(region__code__startswith=prefix + "."))
    return list(qs.values_list("region_id", "posted_at"))


# The labels counted per place on the map layer (politik alone does not flag a post).
LAYER_LABELS = ("hoaks", "provokasi", "sara", "ujaran_kebencian", "kasar")
# The places drawn: a post naming only the regency ("Kutai Timur") is about all of it, not a point.
LAYER_LEVELS = (Level.DISTRICT, Level.VILLAGE)


def layer_points(user, *, since: dt.datetime, region: str = "") -> list[dict]:
    """Flagged posts per named place since ``since``, for the situation-room map layer.

    - flagged: the model gave a label other than politik alone (``label_key`` not empty and not
      ``|politik|``);
    - the place: the post's region, the most specific place of the regency it names, when that
      is a kecamatan or a desa; a post naming no place (its region is only its source's) or only
      the regency itself is left out; a desa without coordinates is drawn at its kecamatan's
      point, if that has one;
    - confirmed: the analysts found it a hoax (its verdict is ``hoaks``, kept when the post is
      acted on and closed).

    Scoped like every read (``posts_visible``); ``region`` narrows to a place and its desa.
    Sorted by the number of posts, largest first.
    """
    qs = (
        posts_visible(user)
        .filter(posted_at__gte=since)
        .exclude(places=[])
        .filter(region__level__in=LAYER_LEVELS)
        .exclude(label_key="")
        .exclude(label_key="|politik|")
    )
    if region:
        qs = qs.filter(Q(region_id=region) | Q(region__code__startswith=region + "."))
    per_label = {
        label: Count("pk", filter=Q(label_key__contains=f"|{label}|")) for label in LAYER_LABELS
    }
    confirmed = Q(verdict=ReviewStatus.HOAX)
    rows = list(
        qs.values("region_id")
        .annotate(
            posts=Count("pk"),
            confirmed=Count("pk", filter=confirmed),
            last_posted_at=Max("posted_at"),
            **per_label,
        )
        .order_by()
    )
    return _layer_merge(rows)


def _layer_merge(rows: list[dict]) -> list[dict]:
    """Rows per region code -> points per place with coordinates (a desa without any falls
    back to its kecamatan); regions with no point at all are left off the map."""
    places = Region.objects.only("code", "name", "level", "lat", "lon", "parent_id")
    regions = places.in_bulk([r["region_id"] for r in rows])
    parents = places.in_bulk({r.parent_id for r in regions.values() if _layer_falls_back(r)})
    points: dict[str, dict] = {}
    for row in rows:
        place = _layer_place(regions.get(row["region_id"]), parents)
        if place is None:
            continue
        point = points.setdefault(
            place.code,
            {
                "code": place.code,
                "name": place.name,
                "level": place.level,
                "lat": place.lat,
                "lon": place.lon,
                "posts": 0,
                "confirmed": 0,
                "last_posted_at": row["last_posted_at"],
                **dict.fromkeys(LAYER_LABELS, 0),
            },
        )
        for key in ("posts", "confirmed", *LAYER_LABELS):
            point[key] += row[key]
        point["last_posted_at"] = max(point["last_posted_at"], row["last_posted_at"])
    return sorted(points.values(), key=lambda p: (-p["posts"], p["code"]))


def _layer_falls_back(region) -> bool:
    """A desa with no point is drawn at its kecamatan's (never a kecamatan at the regency's)."""
    return (region.lat is None or region.lon is None) and region.level == Level.VILLAGE


def _layer_place(region, parents: dict):
    if region is None:
        return None
    if region.lat is not None and region.lon is not None:
        return region
    if not _layer_falls_back(region):
        return None
    parent = parents.get(region.parent_id)
    if parent is not None and parent.lat is not None and parent.lon is not None:
        return parent
    return None
