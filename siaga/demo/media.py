"""The demo's day on social media, stored through the media services (``siaga.media``).

The content (debunks, 24 hours of posts, the analysts' actions) is ``siaga.demo.media_content``;
this module stores it as a crawler and the analysts would: the debunks through the debunk
service, the posts through the one ingestion pipeline (so they are scored, matched, tagged,
grouped into narratives, and the spike detector runs at the demo's "now"), then each action
through the workflow, as the demo's Diskominfo analyst. Loading twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from siaga.accounts.models import User
from siaga.core.audit import AuditContext
from siaga.demo import media_content as content
from siaga.media import debunks as debunk_service
from siaga.media import sources, workflow
from siaga.media.choices import Platform, SourceKind
from siaga.media.ingest import ingest
from siaga.media.models import Debunk, MediaAlert, Post, PostEvent, Source

SOURCE_SLUG = "perayap-diskominfo"
ANALYST = "diskominfo"
PLATFORM = {"x": Platform.X, "news": Platform.NEWS}


@dataclass
class MediaDemoSummary:
    debunks: int = 0
    posts: int = 0
    narratives: int = 0
    matched: int = 0
    alerts: int = 0
    actions: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def _source(context: AuditContext, regency_code: str) -> Source:
    existing = Source.objects.filter(slug=SOURCE_SLUG).first()
    if existing:
        return existing
    return sources.source_create(
        context=context,
        name="Perayap media sosial Diskominfo",
        kind=SourceKind.WEBHOOK,
        region_code=regency_code,
        platform=Platform.OTHER,
        slug=SOURCE_SLUG,
    )


def _debunks(context: AuditContext, regency_code: str) -> dict[str, Debunk]:
    out = {}
    for item in content.debunks():
        debunk = Debunk.objects.filter(source_url=item.source_url).first()
        if debunk is None:
            debunk = debunk_service.debunk_create(
                context=context,
                region_code=regency_code,
                claim=item.claim,
                verdict=item.verdict,
                date=item.date,
                source_url=item.source_url,
                category=item.category,
                explanation=item.explanation,
            )
        out[item.key] = debunk
    return out


def _records(now: dt.datetime) -> list[tuple[int, dict]]:
    items = sorted(content.posts(), key=lambda p: -p.minutes_before_now)  # oldest first
    by_key = {p.key: p for p in items}
    records = []
    for n, p in enumerate(items, 1):
        parent = by_key.get(p.reply_to) if p.reply_to else None
        records.append(
            (
                n,
                {
                    "platform": p.platform,
                    "external_id": f"demo-{p.key}",
                    "text": p.text,
                    "posted_at": (now - dt.timedelta(minutes=p.minutes_before_now)).isoformat(),
                    "author": p.handle,
                    "author_official": p.official,
                    "url": p.url,
                    "likes": p.likes,
                    "shares": p.shares,
                    "replies": p.replies,
                    "parent_external_id": f"demo-{parent.key}" if parent else "",
                },
            )
        )
    return records


def _replay(action: content.DemoAction, *, analyst, debunks: dict[str, Debunk], now) -> int:
    post = Post.objects.filter(external_id=f"demo-{action.post_key}").first()
    if post is None:
        return 0
    context = AuditContext(actor=analyst, channel="system")
    first_event = PostEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    if action.debunk and action.debunk in debunks:
        post = workflow.post_link_debunk(
            post, debunk=debunks[action.debunk], context=context, note=""
        )
    for status in action.status_path:
        labels = list(action.labels) if status in content.REVIEW_VERDICTS else None
        post = workflow.post_transition(
            post, to=status, context=context, note=action.note, labels=labels or None
        )
    if action.action:
        workflow.post_act(
            post, action=action.action, context=context, note=action.note, link=action.link
        )
    # the timeline shows when the analyst did it during the day, not when the demo was loaded
    PostEvent.objects.filter(post=post, pk__gt=first_event).update(
        at=now - dt.timedelta(minutes=action.minutes_before_now)
    )
    return 1


def demo_media_load(*, context: AuditContext, now: dt.datetime, regency_code: str):
    summary = MediaDemoSummary()
    source = _source(context, regency_code)
    debunks = _debunks(context, regency_code)
    if not Post.objects.filter(source=source).exists():
        ingest(_records(now), source=source, context=context)
    analyst = User.objects.filter(username=ANALYST).first()
    reviewed = PostEvent.objects.filter(post__source=source).exists()  # a second load
    if analyst is not None and not reviewed:
        for action in sorted(content.actions(), key=lambda a: -a.minutes_before_now):
            with transaction.atomic():
                summary.actions += _replay(action, analyst=analyst, debunks=debunks, now=now)
    posts = Post.objects.filter(source=source)
    summary.debunks = len(debunks)
    summary.posts = posts.count()
    summary.narratives = posts.exclude(narrative=None).values("narrative").distinct().count()
    summary.matched = posts.exclude(debunk=None).count()
    summary.alerts = MediaAlert.objects.count()
    for status in posts.values_list("status", flat=True):
        summary.by_status[status] = summary.by_status.get(status, 0) + 1
    return summary
