"""Spike alerts: a narrative growing fast, or a place suddenly named with hate or provocation.

After each ingestion batch, ``detect`` looks at the narratives and places the batch touched. For
each, the posts of the last SIAGA_MEDIA_SPIKE_HOURS hours are compared with the rate of the 24
hours before by a one-sided Poisson test (``siaga.engines.nlp.spikes``), so a quiet narrative
jumping from 1 to 12 posts fires while a busy one keeping its pace does not. An alert is raised
once per narrative or kecamatan while the previous one is younger than the window; it goes to
the media analysts (Diskominfo) and the secretariat whose scope covers the place, and is
audited. Acknowledging it is audited too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from siaga.accounts.choices import AgencyKind, Role
from siaga.accounts.models import User
from siaga.core import clock
from siaga.core.audit import AuditContext, audit_record
from siaga.core.deployment import deployment_regency
from siaga.engines.nlp.spikes import detect_spike, hourly_counts
from siaga.media.choices import HARMFUL, INFLAMMATORY, AlertKind
from siaga.media.errors import MediaError
from siaga.media.models import MediaAlert, Narrative, Post
from siaga.notifications.services import notify
from siaga.wilayah.models import Region

BASELINE_HOURS = 24


def _ancestors(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts) + 1)]


def recipients(region_code: str) -> list[User]:
    """Diskominfo liaisons and the secretariat whose scope covers the region."""
    who = Q(role__in=[Role.ANALYST, Role.ADMIN]) | Q(
        role=Role.LIAISON, agency__kind=AgencyKind.KOMINFO
    )
    covering = Q(is_superuser=True) | Q(scope_regions__code__in=_ancestors(region_code))
    return list(User.objects.filter(who, covering, is_active=True).distinct().order_by("pk"))


def _window() -> tuple[dt.datetime, int]:
    hours = settings.SIAGA_MEDIA_SPIKE_HOURS
    return clock.now(), BASELINE_HOURS + hours


def _recent(kind: str, *, narrative_id=None, region_code=None) -> bool:
    since = clock.now() - dt.timedelta(hours=settings.SIAGA_MEDIA_SPIKE_HOURS)
    return MediaAlert.objects.filter(
        kind=kind, narrative_id=narrative_id, region_id=region_code, fired_at__gte=since
    ).exists()


def _spike(times: list[dt.datetime]):
    end, hours = _window()
    counts = hourly_counts(times, end=end, hours=hours)
    return detect_spike(
        counts,
        window=settings.SIAGA_MEDIA_SPIKE_HOURS,
        min_observed=settings.SIAGA_MEDIA_SPIKE_MIN_POSTS,
        alpha=settings.SIAGA_MEDIA_SPIKE_ALPHA,
    )


def detect(*, narrative_ids=(), region_codes=()) -> list[MediaAlert]:
    """Raise the alerts the latest posts call for; returns those raised now.

    Two queries whatever the batch: the harmful posts of the touched narratives, and the
    inflammatory posts of the touched kecamatan, over the window and its baseline (only their
    times are read)."""
    end, hours = _window()
    start = end - dt.timedelta(hours=hours)
    recent = end - dt.timedelta(hours=settings.SIAGA_MEDIA_SPIKE_HOURS)
    minimum = settings.SIAGA_MEDIA_SPIKE_MIN_POSTS
    raised: list[MediaAlert] = []
    in_window = Q(posted_at__gte=start, posted_at__lte=end)

    # A narrative can only spike if it grew lately; only what may do harm counts (a harmless
    # message going viral, rain or a debate, is no alert).
    narratives = Narrative.objects.in_bulk(
        Narrative.objects.filter(
            pk__in=list(narrative_ids), post_count__gte=minimum, last_seen__gte=recent
        ).values_list("pk", flat=True)
    )
    times: dict[int, list[dt.datetime]] = defaultdict(list)
    if narratives:
        rows = Post.objects.filter(
            in_window, _labelled(HARMFUL) | Q(debunk__isnull=False), narrative_id__in=narratives
        ).values_list("narrative_id", "posted_at")
        for narrative_id, when in rows.iterator(5000):
            times[narrative_id].append(when)
    for pk, narrative in sorted(narratives.items()):
        region_code = narrative.region_id or deployment_regency()
        spike = _spike(times[pk]) if len(times[pk]) >= minimum else None
        if (
            spike
            and spike.fires
            and not _recent(AlertKind.NARRATIVE_SPIKE, narrative_id=pk, region_code=region_code)
        ):
            raised.append(
                _raise(
                    AlertKind.NARRATIVE_SPIKE, spike, narrative=narrative, region_code=region_code
                )
            )

    kecamatan = sorted({code[:8] for code in region_codes if len(code) >= 8})
    per_place: dict[str, list[dt.datetime]] = defaultdict(list)
    if kecamatan:
        under = Q()
        for code in kecamatan:
            under |= Q(region_id=code) | Q(region__code__startswith=code + ".")
        rows = Post.objects.filter(in_window, under, _labelled(INFLAMMATORY)).values_list(
            "region_id", "posted_at"
        )
        for code, when in rows.iterator(5000):
            per_place[code[:8]].append(when)
    for code in kecamatan:
        if len(per_place[code]) < minimum:
            continue
        spike = _spike(per_place[code])
        if spike.fires and not _recent(AlertKind.PLACE_SURGE, region_code=code):
            raised.append(_raise(AlertKind.PLACE_SURGE, spike, region_code=code))
    return raised


def _labelled(labels) -> Q:
    """Posts the model gave one of ``labels`` (through ``label_key``, "|hoaks|sara|")."""
    condition = Q(pk__in=[])
    for label in labels:
        condition |= Q(label_key__contains=f"|{label}|")
    return condition


def _raise(kind: str, spike, *, region_code: str, narrative: Narrative | None = None) -> MediaAlert:
    region = Region.objects.filter(pk=region_code).first()
    place = region.name if region else region_code
    if kind == AlertKind.NARRATIVE_SPIKE:
        title = _("Narasi tumbuh cepat: %(title)s") % {"title": narrative.title[:80]}
    else:
        title = _("%(place)s mendadak disebut dengan ujaran kebencian/provokasi") % {"place": place}
    with transaction.atomic():
        alert = MediaAlert.objects.create(
            kind=kind,
            narrative=narrative,
            region_id=region_code,
            fired_at=clock.now(),
            observed=spike.observed,
            expected=round(spike.expected, 3),
            p_value=spike.p_value,
            reason=spike.reason[:300],
        )
        audit_record(
            context=AuditContext(channel="system"),
            action="media.alert_raised",
            obj=alert,
            after={
                "kind": kind,
                "narrative": narrative.pk if narrative else None,
                "observed": spike.observed,
                "expected": round(spike.expected, 3),
                "p_value": spike.p_value,
            },
            region_code=region_code,
        )
        notify(
            recipients=recipients(region_code),
            kind="media.alert",
            title=title,
            body=spike.reason,
            url=reverse("media:alerts"),
            urgent=kind == AlertKind.PLACE_SURGE,
            obj=alert,
        )
    return alert


def alert_acknowledge(alert: MediaAlert, *, context: AuditContext) -> MediaAlert:
    with transaction.atomic():
        locked = MediaAlert.objects.select_for_update().get(pk=alert.pk)
        if locked.acknowledged_at is not None:
            raise MediaError(_("Peringatan ini sudah diterima."))
        locked.acknowledged_by = context.actor
        locked.acknowledged_at = clock.now()
        locked.save(update_fields=["acknowledged_by", "acknowledged_at"])
        audit_record(
            context=context,
            action="media.alert_acknowledged",
            obj=locked,
            after={"acknowledged_at": locked.acknowledged_at},
            region_code=locked.region_id,
        )
    return locked
