"""Ingestion: every post, from every connector, goes through ``ingest``.

For each chunk of records (5,000 at a time): check them (bad ones are reported with their row
and field and the good ones stored), skip the ones already stored (idempotent on platform and
external id: a repeat only refreshes the engagement counts), then for the new ones: normalise,
score with the text model, match against the debunks, tag the places of the regency, group into
narratives, compute the triage risk, and store, with one audit event per batch. Each chunk is
one transaction: a failure never leaves half a chunk. After the batch, the spike detector looks
at the narratives and places it touched (``siaga.media.alerts``).

A caller may pass ``stats`` (a dict): the seconds spent in each stage (parse, classify, match,
geotag, narratives, store, spikes) are added to it, so ``benchmarks/media_ingest.py`` can tell
where the time goes without the pipeline printing anything.

Risk, the order of the triage queue, is ``score × reach × relevance``: ``score`` is the highest
calibrated score of the harmful labels (hoaks, ujaran kebencian, SARA, provokasi, kasar), raised
to the debunk similarity when the post repeats a known hoax; ``reach`` is
``1 + log10(1 + likes + 2·shares + replies)``; ``relevance`` is 1 when the post names a place
of the regency and 0.5 otherwise; posts of official accounts count a third.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from siaga.core import clock
from siaga.core.audit import AuditContext, audit_record
from siaga.engines.nlp.narratives import NarrativeIndex
from siaga.engines.nlp.normalise import normalise
from siaga.media import debunks, textmodel
from siaga.media.choices import HARMFUL, Verdict
from siaga.media.models import IngestBatch, Narrative, Post, Source
from siaga.media.places import gazetteer
from siaga.media.records import PostRecord, RecordError, parse_record

CHUNK = 5_000
MAX_KEPT_ERRORS = 1_000
_PG_LOCK_KEY = 0x5E_D1A  # serialises ingestion (narratives) across processes on PostgreSQL
ENGAGEMENT = ("likes", "shares", "replies")


@dataclass
class IngestResult:
    batch: IngestBatch
    errors: list[RecordError] = field(default_factory=list)
    post_ids: list[int] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return self.batch.stored

    @property
    def updated(self) -> int:
        return self.batch.updated

    @property
    def rejected(self) -> int:
        return self.batch.rejected


def risk_of(score: float, engagement: int, local: bool, official: bool) -> float:
    reach = 1.0 + math.log10(1.0 + max(engagement, 0))
    value = score * reach * (1.0 if local else 0.5)
    return round(value / 3.0 if official else value, 4)


def label_key(labels) -> str:
    return "|" + "|".join(sorted(labels)) + "|" if labels else ""


def _engagement(likes: int, shares: int, replies: int) -> int:
    return likes + 2 * shares + replies


def _chunks(records: Iterable[tuple[int, Any]], size: int) -> Iterator[list[tuple[int, Any]]]:
    chunk: list[tuple[int, Any]] = []
    for item in records:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@contextmanager
def _stage(stats: dict[str, float] | None, name: str) -> Iterator[None]:
    """Add the seconds spent in the block to ``stats[name]`` (nothing when stats is None)."""
    if stats is None:
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        stats[name] = stats.get(name, 0.0) + time.perf_counter() - start


# --- narratives: one index per process, kept in step with the database ----------------------

_narrative_lock = threading.Lock()
_narratives: dict[str, Any] = {}


def _narrative_index() -> NarrativeIndex:
    """The index of open narratives (last post within SIAGA_MEDIA_NARRATIVE_DAYS), loading only
    the narratives created since this process last looked; rebuilt once a day."""
    today = clock.now().date()
    if _narratives.get("day") != today:
        _narratives.clear()
        _narratives.update(day=today, index=NarrativeIndex(), last_pk=0)
        since = clock.now() - dt.timedelta(days=settings.SIAGA_MEDIA_NARRATIVE_DAYS)
        rows = Narrative.objects.filter(last_seen__gte=since)
    else:
        rows = Narrative.objects.filter(pk__gt=_narratives["last_pk"])
    index: NarrativeIndex = _narratives["index"]
    last = _narratives["last_pk"]
    for pk, signature in rows.order_by("pk").values_list("pk", "signature").iterator(2000):
        index.add(("n", pk), bytes(signature))
        last = max(last, pk)
    _narratives["last_pk"] = last
    return index


def reset_caches() -> None:
    """Forget the narrative index (tests that roll the database back call this)."""
    with _narrative_lock:
        _narratives.clear()


# --- the pipeline ------------------------------------------------------------------------------


def ingest(
    records: Iterable[tuple[int, Any]],
    *,
    source: Source,
    context: AuditContext,
    chunk_size: int = CHUNK,
    detect_spikes: bool = True,
    stats: dict[str, float] | None = None,
) -> IngestResult:
    """Store a batch of raw records (``(row, dict)`` pairs) from ``source``; ``stats``, when
    given, receives the seconds of each stage (see the module docstring)."""
    from siaga.media import alerts

    started = time.monotonic()
    batch = IngestBatch(
        source=source, created_by=context.actor if getattr(context.actor, "pk", None) else None
    )
    result = IngestResult(batch=batch)
    touched_narratives: set[int] = set()
    touched_regions: set[str] = set()
    for chunk in _chunks(records, chunk_size):
        with _stage(stats, "parse"):
            good = _parse_chunk(chunk, batch, result)
        if good:
            with _narrative_lock, transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
                try:
                    _store_chunk(
                        good, source, batch, result, touched_narratives, touched_regions, stats
                    )
                except BaseException:
                    _narratives.clear()  # the index may hold narratives rolled back
                    raise
    batch.seconds = round(time.monotonic() - started, 3)
    batch.errors = [e.as_dict() for e in result.errors[:MAX_KEPT_ERRORS]]
    with _stage(stats, "store"), transaction.atomic():
        batch.save()
        audit_record(
            context=context,
            action="media.posts_ingested",
            obj=batch,
            after={
                "source": source.slug,
                "received": batch.received,
                "stored": batch.stored,
                "updated": batch.updated,
                "rejected": batch.rejected,
            },
            region_code=source.region_id,
        )
    if detect_spikes and (touched_narratives or touched_regions):
        with _stage(stats, "spikes"):
            alerts.detect(narrative_ids=touched_narratives, region_codes=touched_regions)
    return result


def _parse_chunk(
    chunk: list[tuple[int, Any]], batch: IngestBatch, result: IngestResult
) -> dict[tuple[str, str], PostRecord]:
    """The chunk's valid records by (platform, external id); the bad ones go to ``result``."""
    good: dict[tuple[str, str], PostRecord] = {}
    for row, raw in chunk:
        batch.received += 1
        parsed = parse_record(raw, row)
        if isinstance(parsed, list):
            batch.rejected += 1
            result.errors.extend(parsed)
            continue
        good[(parsed.platform, parsed.external_id)] = parsed  # a repeat in the batch: last wins
    return good


def _refresh_existing(good: dict[tuple[str, str], PostRecord], batch: IngestBatch) -> None:
    """Posts already stored: refresh their engagement (and risk), remove them from ``good``."""
    by_platform: dict[str, list[str]] = {}
    for platform, external_id in good:
        by_platform.setdefault(platform, []).append(external_id)
    changed: list[Post] = []
    for platform, ids in by_platform.items():
        for start in range(0, len(ids), 900):  # SQLite's limit on query parameters
            for post in Post.objects.filter(
                platform=platform, external_id__in=ids[start : start + 900]
            ).only(
                "pk",
                "platform",
                "external_id",
                "likes",
                "shares",
                "replies",
                "risk",
                "scores",
                "places",
                "author_official",
                "debunk_score",
            ):
                record = good.pop((post.platform, post.external_id))
                batch.updated += 1
                if all(getattr(post, n) == getattr(record, n) for n in ENGAGEMENT):
                    continue
                old = _engagement(post.likes, post.shares, post.replies)
                for name in ENGAGEMENT:
                    setattr(post, name, getattr(record, name))
                # score × reach × relevance: rescale by the new reach
                reach_old = 1.0 + math.log10(1.0 + old)
                reach_new = 1.0 + math.log10(
                    1.0 + _engagement(post.likes, post.shares, post.replies)
                )
                post.risk = round(post.risk * reach_new / reach_old, 4)
                changed.append(post)
    if changed:
        Post.objects.bulk_update(changed, [*ENGAGEMENT, "risk"], batch_size=500)


@dataclass
class _Found:
    """What the machine found for the new posts of a chunk, index by index."""

    labels: list[str]  # the model's labels, in the order of the columns of ``proba``
    proba: np.ndarray
    decided: list
    debunks: list[tuple[int | None, float | None]]  # (debunk id, similarity) or (None, None)
    places: list[list[str]]
    risks: list[float]
    regions: list[str]


def _store_chunk(
    good: dict[tuple[str, str], PostRecord],
    source: Source,
    batch: IngestBatch,
    result: IngestResult,
    touched_narratives: set[int],
    touched_regions: set[str],
    stats: dict[str, float] | None = None,
) -> None:
    with _stage(stats, "store"):
        _refresh_existing(good, batch)
    records = list(good.values())
    if not records:
        return
    texts = [r.text for r in records]
    # copies (retweets, copy-paste campaigns, "setuju") are scored, matched and tagged once
    distinct = list(dict.fromkeys(texts))
    position = {text: k for k, text in enumerate(distinct)}
    of = [position[t] for t in texts]

    with _stage(stats, "classify"):
        model = textmodel.current()
        version = textmodel.version()
        proba = model.predict_proba(distinct)[of]
        decided = model.decide(proba)
        harmful_cols = [model.labels.index(lab) for lab in HARMFUL if lab in model.labels]
        harm = proba[:, harmful_cols].max(axis=1) if harmful_cols else np.zeros(len(records))

    with _stage(stats, "match"):
        distinct_debunks, hoax_debunks = _match_debunks(distinct)
        best_debunk = [distinct_debunks[k] for k in of]

    with _stage(stats, "geotag"):
        gaz = gazetteer()
        distinct_places = [gaz.codes(t) for t in distinct]
        places = [list(distinct_places[k]) for k in of]

    risks = [
        _risk(record, float(harm[i]), best_debunk[i], hoax_debunks, bool(places[i]))
        for i, record in enumerate(records)
    ]
    regions = [p[0] if p else source.region_id for p in places]
    found = _Found(list(model.labels), proba, decided, best_debunk, places, risks, regions)
    touched_regions.update(regions)

    with _stage(stats, "narratives"):
        narrative_ids = _assign_narratives(records, texts, found)
        touched_narratives.update(n for n in narrative_ids if n is not None)

    with _stage(stats, "store"):
        _insert_posts(_post_rows(records, source, version, found, narrative_ids))
        batch.stored += len(records)
        result.post_ids.extend(_stored_ids(records))


def _match_debunks(
    texts: list[str],
) -> tuple[list[tuple[int | None, float | None]], set[int]]:
    """For each text its best debunk over the threshold as (id, similarity) or (None, None),
    and which of the matched debunks say false or misleading."""
    index, debunk_ids = debunks.claim_index()
    best_debunk: list[tuple[int | None, float | None]] = [(None, None)] * len(texts)
    if index is not None:
        threshold = settings.SIAGA_MEDIA_MATCH_THRESHOLD
        for start in range(0, len(texts), 1000):
            sims = index.similarities(texts[start : start + 1000])
            top = sims.argmax(axis=1)
            for offset, j in enumerate(top):
                score = float(sims[offset, j])
                if score >= threshold:
                    best_debunk[start + offset] = (debunk_ids[int(j)], round(score, 4))
    false_verdicts = {Verdict.FALSE, Verdict.MISLEADING}
    hoax_debunks = set(
        debunks.Debunk.objects.filter(
            pk__in={d for d, _s in best_debunk if d}, verdict__in=false_verdicts
        ).values_list("pk", flat=True)
    )
    return best_debunk, hoax_debunks


def _risk(record: PostRecord, harm: float, debunk, hoax_debunks: set[int], local: bool) -> float:
    debunk_id, debunk_score = debunk
    score = max(harm, float(debunk_score or 0.0)) if debunk_id in hoax_debunks else harm
    return risk_of(
        score,
        _engagement(record.likes, record.shares, record.replies),
        local,
        record.author_official,
    )


def _assign_narratives(
    records: list[PostRecord], texts: list[str], found: _Found
) -> list[int | None]:
    """Each post's narrative (database id; None for a post too short to join one).

    A narrative started in this chunk is created with its members' figures already summed;
    the stored narratives the chunk joined are updated with one statement per narrative."""
    narratives = _narrative_index()
    normalised = {text: normalise(text) for text in dict.fromkeys(texts)}
    assignments = narratives.assign([normalised[t] for t in texts])
    members: dict[object, list[int]] = {}  # narrative key -> indices of its posts in the chunk
    for i, a in enumerate(assignments):
        key = a.key if a.key is not None else a.new_key
        if key is not None:
            members.setdefault(key, []).append(i)
    leaders = {a.new_key: i for i, a in enumerate(assignments) if a.new_key is not None}
    fresh = []
    for new_key, i in leaders.items():
        narrative = Narrative(
            title=" ".join(records[i].text.split())[:200],
            signature=assignments[i].signature,
            first_seen=records[i].posted_at,
            last_seen=records[i].posted_at,
            region_id=found.places[i][0] if found.places[i] else None,
            debunk_id=found.debunks[i][0],
        )
        _add_members(narrative, members[new_key], records, found)
        fresh.append(narrative)
    Narrative.objects.bulk_create(fresh, batch_size=500)
    ids: dict[object, int] = {}
    for new_key, narrative in zip(leaders, fresh, strict=True):
        # known from now on by its database id; already in the index, never loaded again
        narratives.rename(new_key, ("n", narrative.pk))
        ids[new_key] = narrative.pk
        _narratives["last_pk"] = max(_narratives["last_pk"], narrative.pk)
    joined = {key[1]: indices for key, indices in members.items() if isinstance(key, tuple)}
    _update_narratives(joined, records, found)
    ids.update({("n", pk): pk for pk in joined})
    out: list[int | None] = [None] * len(records)
    for key, indices in members.items():
        for i in indices:
            out[i] = ids.get(key)
    return out


def common_region(codes: list[str]) -> str:
    """The deepest Kemendagri code every one of ``codes`` lies in (or is)."""
    parts = [code.split(".") for code in codes]
    shared = []
    for segment in zip(*parts, strict=False):
        if len(set(segment)) > 1:
            break
        shared.append(segment[0])
    return ".".join(shared)


def _add_members(
    narrative: Narrative, indices: list[int], records: list[PostRecord], found: _Found
) -> None:
    """Count the chunk's posts ``indices`` in ``narrative`` (in memory)."""
    narrative.post_count += len(indices)
    narrative.first_seen = min([narrative.first_seen, *(records[i].posted_at for i in indices)])
    narrative.last_seen = max([narrative.last_seen, *(records[i].posted_at for i in indices)])
    narrative.peak_risk = max([narrative.peak_risk, *(found.risks[i] for i in indices)])
    # the narrative is about the places its posts name: their deepest common region (posts
    # naming Sepaso and Keraitan make a narrative of Kecamatan Bengalon)
    named = [found.places[i][0] for i in indices if found.places[i]]
    if narrative.region_id:
        named.append(narrative.region_id)
    if named:
        narrative.region_id = common_region(named) or None
    if narrative.debunk_id is None:
        matched = [found.debunks[i][0] for i in indices if found.debunks[i][0]]
        if matched:
            narrative.debunk_id = Counter(matched).most_common(1)[0][0]


_UPDATED = ("post_count", "first_seen", "last_seen", "peak_risk", "region_id", "debunk_id")


def _update_narratives(
    joined: dict[int, list[int]], records: list[PostRecord], found: _Found
) -> None:
    """Add the chunk's posts to the stored narratives they joined: one UPDATE per narrative
    sent with ``executemany`` (the ORM's ``bulk_update`` builds a CASE per field and row and
    took longer than the rest of the narrative work)."""
    if not joined:
        return
    rows = []
    stored = Narrative.objects.only(*_UPDATED).in_bulk(list(joined))
    ops = connection.ops
    for pk, narrative in stored.items():
        _add_members(narrative, joined[pk], records, found)
        rows.append(
            (
                narrative.post_count,
                ops.adapt_datetimefield_value(narrative.first_seen),
                ops.adapt_datetimefield_value(narrative.last_seen),
                narrative.peak_risk,
                narrative.region_id,
                narrative.debunk_id,
                pk,
            )
        )
    table = ops.quote_name(Narrative._meta.db_table)
    assignments = ", ".join(f"{ops.quote_name(name)} = %s" for name in _UPDATED)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE {ops.quote_name('id')} = %s",  # noqa: S608
            rows,
        )


def _post_rows(
    records: list[PostRecord],
    source: Source,
    version: str,
    found: _Found,
    narrative_ids: list[int | None],
) -> list[dict[str, Any]]:
    """The chunk's new posts as column values (the fields left out take their defaults)."""
    rows: list[dict[str, Any]] = []
    for i, record in enumerate(records):
        debunk_id, debunk_score = found.debunks[i]
        rows.append(
            {
                "source_id": source.pk,
                "platform": record.platform,
                "external_id": record.external_id,
                "author": record.author,
                "author_official": record.author_official,
                "text": record.text,
                "url": record.url,
                "language": record.language,
                "posted_at": record.posted_at,
                "likes": record.likes,
                "shares": record.shares,
                "replies": record.replies,
                "media_urls": record.media_urls,
                "parent_external_id": record.parent_external_id,
                "scores": {
                    lab: round(float(p), 4)
                    for lab, p in zip(found.labels, found.proba[i], strict=True)
                },
                "labels": list(found.decided[i]),
                "label_key": label_key(found.decided[i]),
                "model_version": version,
                "risk": found.risks[i],
                "region_id": found.regions[i],
                "places": found.places[i],
                "debunk_id": debunk_id,
                "debunk_score": debunk_score,
                "narrative_id": narrative_ids[i],
            }
        )
    return rows


def _insert_posts(rows: list[dict[str, Any]]) -> None:
    """Insert new posts with one ``executemany``: the ORM's ``bulk_create`` spent more time
    building its statement (a Post has 29 columns) than the database spent writing. Every
    column is written: a value from ``rows``, else the field's default, prepared for the
    database as the ORM would (JSON, and datetimes in UTC for SQLite); ``ingested_at`` is now,
    as ``auto_now_add`` makes it."""
    ops = connection.ops
    columns: list[tuple[str, Any, Any]] = []  # (attname, how to prepare, default)
    for f in Post._meta.concrete_fields:
        if f.primary_key:
            continue
        if isinstance(f, (models.JSONField, models.DateTimeField)):
            prepare = partial(f.get_db_prep_save, connection=connection)
        else:
            prepare = None
        default = timezone.now() if f.attname == "ingested_at" else f.get_default()
        columns.append((f.attname, prepare, default))
    params = [
        tuple(
            prepare(row.get(name, default)) if prepare else row.get(name, default)
            for name, prepare, default in columns
        )
        for row in rows
    ]
    table = ops.quote_name(Post._meta.db_table)
    names = ", ".join(ops.quote_name(Post._meta.get_field(n).column) for n, _p, _d in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", params)  # noqa: S608


def _stored_ids(records: list[PostRecord]) -> list[int]:
    """The database ids of the posts just inserted, in the order of ``records``."""
    by_platform: dict[str, list[str]] = {}
    for record in records:
        by_platform.setdefault(record.platform, []).append(record.external_id)
    ids: dict[tuple[str, str], int] = {}
    for platform, external_ids in by_platform.items():
        for start in range(0, len(external_ids), 900):  # SQLite's limit on query parameters
            ids.update(
                ((platform, external_id), pk)
                for pk, external_id in Post.objects.filter(
                    platform=platform, external_id__in=external_ids[start : start + 900]
                ).values_list("pk", "external_id")
            )
    return [ids[(r.platform, r.external_id)] for r in records]
