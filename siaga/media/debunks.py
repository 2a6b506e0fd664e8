"""The debunk database: known hoaxes and their clarifications, and the index posts are matched
against.

Debunks are created and edited by media analysts (``Action.TRIAGE_MEDIA``) or imported from a
CSV (``claim,verdict,date,url,category,explanation``; TurnBackHoax exports call the
explanation ``narrative``). An import is all or nothing: every row is checked first, and a file
with a bad row stores nothing and names the row and column. Re-importing a file changes
nothing: a debunk is the same one when its link (or, without a link, its claim and date) is.

``claim_index()`` is the matcher over the active debunks, rebuilt only when they change.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from siaga.core.audit import AuditContext, AuditEntry, audit_record, audit_record_many, snapshot
from siaga.core.tabular import Column, RowError, TableError, TableReader
from siaga.engines.nlp.matching import ClaimIndex
from siaga.media.choices import Verdict
from siaga.media.errors import MediaError
from siaga.media.models import Debunk

EDITABLE = ("claim", "verdict", "date", "source_url", "category", "explanation", "active")
VERDICT_ALIASES = {
    "hoaks": Verdict.FALSE,
    "hoax": Verdict.FALSE,
    "salah": Verdict.FALSE,
    "false": Verdict.FALSE,
    "disinformasi": Verdict.FALSE,
    "misinformasi": Verdict.MISLEADING,
    "menyesatkan": Verdict.MISLEADING,
    "misleading": Verdict.MISLEADING,
    "konten menyesatkan": Verdict.MISLEADING,
    "tidak terbukti": Verdict.UNPROVEN,
    "tidak_terbukti": Verdict.UNPROVEN,
    "unproven": Verdict.UNPROVEN,
    "benar": Verdict.TRUE,
    "fakta": Verdict.TRUE,
    "true": Verdict.TRUE,
}
COLUMNS = (
    Column("claim", ("klaim", "judul", "title"), required=True),
    Column("verdict", ("putusan", "label"), required=True),
    Column("date", ("tanggal",), required=True),
    Column("url", ("source_url", "tautan", "link")),
    Column("category", ("kategori",)),
    Column("explanation", ("narrative", "penjelasan", "narasi")),
)


def parse_verdict(value: object) -> str | None:
    return VERDICT_ALIASES.get(str(value or "").strip().lower())


def _parse_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        return None


def _check(fields: dict) -> dict[str, str]:
    """Problems with a debunk's fields, by field name (empty when it is valid)."""
    problems = {}
    if not str(fields.get("claim") or "").strip():
        problems["claim"] = _("Klaim wajib diisi.")
    if fields.get("verdict") not in Verdict.values:
        problems["verdict"] = _("Putusan tidak dikenal.")
    if not isinstance(fields.get("date"), dt.date):
        problems["date"] = _("Tanggal wajib diisi (YYYY-MM-DD).")
    url = str(fields.get("source_url") or "")
    if url and not url.startswith(("http://", "https://")):
        problems["source_url"] = _("Tautan harus diawali http:// atau https://.")
    return problems


def debunk_create(*, context: AuditContext, region_code: str, **fields) -> Debunk:
    problems = _check(fields)
    if problems:
        name, message = next(iter(problems.items()))
        raise MediaError(message, field=name)
    with transaction.atomic():
        debunk = Debunk.objects.create(
            region_id=fields.pop("region_id", None), created_by=_actor(context), **fields
        )
        audit_record(
            context=context,
            action="media.debunk_created",
            obj=debunk,
            after=snapshot(debunk, list(EDITABLE)),
            region_code=debunk.region_id or region_code,
        )
    _invalidate()
    return debunk


def debunk_update(debunk: Debunk, *, context: AuditContext, region_code: str, **fields) -> Debunk:
    merged = {name: getattr(debunk, name) for name in EDITABLE} | fields
    problems = _check(merged)
    if problems:
        name, message = next(iter(problems.items()))
        raise MediaError(message, field=name)
    with transaction.atomic():
        locked = Debunk.objects.select_for_update().get(pk=debunk.pk)
        before = snapshot(locked, list(EDITABLE))
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        audit_record(
            context=context,
            action="media.debunk_updated",
            obj=locked,
            before=before,
            after=snapshot(locked, list(EDITABLE)),
            region_code=locked.region_id or region_code,
        )
    _invalidate()
    return locked


def _actor(context: AuditContext):
    return context.actor if getattr(context.actor, "pk", None) else None


@dataclass
class DebunkImport:
    created: int
    unchanged: int
    errors: list[RowError]


def debunks_import(path: str | Path, *, context: AuditContext, region_code: str) -> DebunkImport:
    """Import a CSV/XLSX of debunks, all or nothing (see the module docstring)."""
    rows: list[tuple[int, dict]] = []
    errors: list[RowError] = []
    reader = TableReader(path, COLUMNS)
    try:
        for row in reader:
            values = row.values
            fields = {
                "claim": str(values.get("claim") or "").strip(),
                "verdict": parse_verdict(values.get("verdict")),
                "date": _parse_date(values.get("date")),
                "source_url": str(values.get("url") or "").strip(),
                "category": str(values.get("category") or "").strip()[:80],
                "explanation": str(values.get("explanation") or "").strip(),
            }
            for name, message in _check(fields).items():
                column = {"source_url": "url"}.get(name, name)
                errors.append(
                    RowError(row.row_number, reader.header_label(row.sheet, column), message)
                )
            rows.append((row.row_number, fields))
    except TableError as exc:
        return DebunkImport(0, 0, [exc.error])
    if errors:
        return DebunkImport(0, 0, errors)
    known_urls = set(Debunk.objects.exclude(source_url="").values_list("source_url", flat=True))
    known_claims = set(Debunk.objects.filter(source_url="").values_list("claim", "date"))
    new: list[Debunk] = []
    unchanged = 0
    for _row, fields in rows:
        key_known = (
            fields["source_url"] in known_urls
            if fields["source_url"]
            else (fields["claim"], fields["date"]) in known_claims
        )
        if key_known:
            unchanged += 1
            continue
        known_urls.add(fields["source_url"]) if fields["source_url"] else known_claims.add(
            (fields["claim"], fields["date"])
        )
        new.append(Debunk(created_by=_actor(context), **fields))
    with transaction.atomic():
        Debunk.objects.bulk_create(new, batch_size=500)
        audit_record_many(
            context=context,
            entries=[
                AuditEntry(
                    action="media.debunks_imported",
                    object_type="media.debunk",
                    object_id="",
                    object_repr=Path(path).name[:200],
                    region_code=region_code,
                    after={"created": len(new), "unchanged": unchanged},
                )
            ],
        )
    _invalidate()
    return DebunkImport(len(new), unchanged, [])


# --- the matcher over the active debunks ---------------------------------------------------------

_lock = threading.Lock()
_index: dict[str, object] = {}


def _invalidate() -> None:
    with _lock:
        _index.clear()


reset_cache = _invalidate


def claim_index() -> tuple[ClaimIndex | None, list[int]]:
    """The matcher over the active debunks and their ids (index i is ids[i]); (None, []) when
    there are none. Rebuilt when a debunk is added, edited or deactivated (in any process)."""
    active = Debunk.objects.filter(active=True)
    stamp = active.aggregate(n=Count("pk"), last=Max("updated_at"))
    key = (stamp["n"], stamp["last"])
    with _lock:
        if _index.get("key") == key:
            return _index["index"], _index["ids"]  # type: ignore[return-value]
    rows = list(active.order_by("pk").values_list("pk", "claim"))
    index = ClaimIndex([claim for _pk, claim in rows]) if rows else None
    ids = [pk for pk, _claim in rows]
    with _lock:
        _index.update(key=key, index=index, ids=ids)
    return index, ids
