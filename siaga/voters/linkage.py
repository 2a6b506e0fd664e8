"""The double-registration search over the stored roll, and the analysts' decisions on its pairs.

``linkage_run_enqueue`` records a ``LinkageRun`` and hands it to the background worker;
``linkage_run_execute`` does the work (the task and the command line both call it):

1. the ``Voter`` table is streamed, in batches and with only the columns the engine reads, to a
   Parquet file in a temporary directory (ids are the voter pks as text), so a roll of millions
   never sits in memory as Python objects;
2. the engine (``siaga.engines.linkage.dedup``) scores the candidate pairs;
3. pairs sharing one NIK are also found directly in SQL (``GROUP BY nik HAVING COUNT(*) > 1``):
   a NIK copied onto a relative is a data error KPU must correct (K2), and the engine, which is
   right to score two different people low, would otherwise hide it;
4. the pairs are upserted: a new pair is *diduga*; a pair still *diduga* takes the new score and
   evidence; a decided pair keeps its decision untouched; a *diduga* pair this run no longer finds
   is withdrawn (the roll was corrected, or the threshold changed).

``pair_confirm``, ``pair_dismiss`` and ``pair_reopen`` are the review state machine:
diduga → terkonfirmasi | ditolak (a note is required to dismiss), and terkonfirmasi | ditolak →
diduga (reopen, with a note). Two analysts deciding the same pair at once cannot both win: the
row is locked and the change is a conditional update on the status the analyst saw.

Audit events carry counts and ids, never a NIK.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from siaga.core import clock
from siaga.core.audit import AuditContext, audit_record, snapshot
from siaga.core.deployment import deployment_regency
from siaga.core.errors import DomainError, PermissionDenied
from siaga.core.permissions import Action, can
from siaga.engines.linkage import DEFAULT_THRESHOLD
from siaga.voters.models import (
    DuplicateClass,
    DuplicatePair,
    JobStatus,
    LinkageRun,
    PairStatus,
    Voter,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "PairDecisionError",
    "linkage_run_after_import",
    "linkage_run_enqueue",
    "linkage_run_execute",
    "may_run_linkage",
    "pair_confirm",
    "pair_dismiss",
    "pair_reopen",
]

log = logging.getLogger(__name__)

EXPORT_BATCH = 50_000  # rows per Parquet row group: bounded memory on a 3-million-row roll
WRITE_BATCH = 2_000
# A NIK repeated on more rows than this (a placeholder such as 0000..., a bulk data-entry error)
# is paired star-wise with its first row rather than every row with every other, so one bad
# NIK cannot flood the queue with n² pairs; every row still appears in a pair.
NIK_GROUP_ALL_PAIRS_MAX = 12
STALE_RUN_AFTER = dt.timedelta(hours=6)  # a run "berjalan" this long is taken as dead
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)

# Engine input columns (see siaga.engines.linkage.prepare) and the Voter fields behind them.
_EXPORT_FIELDS = (
    ("id", "pk"),
    ("nik", "nik"),
    ("nkk", "nkk"),
    ("name", "name"),
    ("birth_place", "birth_place"),
    ("birth_date", "birth_date"),
    ("sex", "sex"),
    ("address", "address"),
    ("rt", "rt"),
    ("rw", "rw"),
    ("region_code", "desa_id"),
)
# The fields kpu_class reads, as stored on Voter.
_CLASS_FIELDS = ("pk", "nik", "name", "birth_date", "address", "rt", "rw", "desa_id")
AUDITED_PAIR = ["status", "decided_by_id", "decided_at", "note"]


class PairDecisionError(DomainError):
    """A decision the review state machine refuses (with the field at fault, for forms/API)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- running the search ----------------------------------------------------------------------


def may_run_linkage(user) -> bool:
    """KPU and the secretariat start the search (IMPORT_DPT), and so may reviewers; the search
    covers the whole roll, so only users whose scope covers the whole regency start it or see
    its runs (a kecamatan user reviews the pairs of their kecamatan)."""
    regency = deployment_regency()  # the roll is the regency's
    return can(user, Action.IMPORT_DPT, regency) or can(user, Action.REVIEW_VOTERS, regency)


def linkage_run_enqueue(
    *, context: AuditContext, user, threshold: float | None = None
) -> LinkageRun:
    """Record a run and hand it to the background worker once the transaction commits.

    Refused while another run is queued or running (one search at a time over one roll), unless
    that run has been silent for ``STALE_RUN_AFTER`` (its worker died).
    """
    if not may_run_linkage(user):
        raise PermissionDenied(_("Anda tidak berwenang menjalankan pencarian pemilih ganda."))
    return _queue(context=context, user=user, threshold=threshold)


def linkage_run_after_import(*, context: AuditContext, user) -> LinkageRun | None:
    """Queue the search over a roll a finished import has changed. The import was authorised,
    so its importer's scope does not matter here (a kecamatan import changes the regency's
    roll); None when a search is already queued or running."""
    try:
        return _queue(context=context, user=user, threshold=None)
    except PairDecisionError:
        return None


def _queue(*, context: AuditContext, user, threshold: float | None) -> LinkageRun:
    threshold = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    if not 0.0 < threshold <= 1.0:
        raise PairDecisionError(
            _("Ambang harus di antara 0 dan 1, bukan %(t)s.") % {"t": threshold},
            field="threshold",
        )
    with transaction.atomic():
        busy = (
            LinkageRun.objects.select_for_update()
            .filter(status__in=ACTIVE, created_at__gte=clock.now() - STALE_RUN_AFTER)
            .first()
        )
        if busy is not None:
            raise PairDecisionError(
                _("Pencarian #%(pk)s masih %(status)s; tunggu sampai selesai.")
                % {"pk": busy.pk, "status": busy.get_status_display().lower()}
            )
        run = LinkageRun.objects.create(threshold=threshold, created_by=user)
        audit_record(
            context=context,
            action="voters.linkage_run.queue",
            obj=run,
            after={"threshold": threshold},
            region_code=deployment_regency(),
        )
        transaction.on_commit(lambda: _enqueue_task(run.pk))
    return run


def _enqueue_task(run_id: int) -> None:
    from siaga.voters.tasks import linkage_run_task

    linkage_run_task.enqueue(run_id)


def _export_roll(path: Path, *, say: Callable[[str], None]) -> int:
    """Stream the roll to a Parquet file, ``EXPORT_BATCH`` rows at a time; returns the count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = [name for name, _ in _EXPORT_FIELDS]
    schema = pa.schema([(name, pa.string()) for name in names])
    rows = Voter.objects.order_by("pk").values_list(*(f for _, f in _EXPORT_FIELDS))
    total = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        for batch in _batches(rows.iterator(chunk_size=EXPORT_BATCH), EXPORT_BATCH):
            columns = list(zip(*batch, strict=True))
            arrays = [pa.array([_text(v) for v in column], type=pa.string()) for column in columns]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            total += len(batch)
            say(_("%(n)s pemilih diekspor") % {"n": total})
    return total


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _record(row: dict) -> dict:
    """A Voter's values as the record ``kpu_class`` reads."""
    return {
        "nik": row["nik"],
        "name": row["name"],
        "birth_date": _text(row["birth_date"]),
        "address": row["address"],
        "rt": row["rt"],
        "rw": row["rw"],
        "region_code": row["desa_id"],
    }


def _evidence(pair: dict) -> dict:
    """The engine's per-comparison level and Bayes factor, and its "why" (JSON-safe)."""
    fields = {}
    for key, value in pair.items():
        if key.endswith("_level"):
            name = key[: -len("_level")]
            fields[name] = {"level": str(value or ""), "bf": _float(pair.get(f"{name}_bf"))}
    return {"source": "engine", "fields": fields, "why": str(pair.get("why") or "")}


def _float(value: Any) -> float | None:
    try:
        return round(float(value), 4)
    except (TypeError, ValueError):
        return None


def _shared_nik_pairs() -> Iterator[tuple[int, int]]:
    """Pairs of voter pks sharing one NIK, found in SQL (ordered, small pk first)."""
    shared = (
        Voter.objects.exclude(nik="")
        .values("nik")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by()
        .values_list("nik", flat=True)
    )
    niks = list(shared)
    for chunk in _batches(niks, 500):
        groups: dict[str, list[int]] = {}
        for nik, pk in Voter.objects.filter(nik__in=chunk).order_by("pk").values_list("nik", "pk"):
            groups.setdefault(nik, []).append(pk)
        for pks in groups.values():
            if len(pks) <= NIK_GROUP_ALL_PAIRS_MAX:
                for i, a in enumerate(pks):
                    for b in pks[i + 1 :]:
                        yield a, b
            else:
                for b in pks[1:]:
                    yield pks[0], b


def _fail(run: LinkageRun, exc: Exception, context: AuditContext) -> None:
    # The engine's messages name files and columns, never a row's values; keep them short.
    message = f"{type(exc).__name__}: {exc}"[:1000]
    with transaction.atomic():
        LinkageRun.objects.filter(pk=run.pk).update(
            status=JobStatus.FAILED, error=message, finished_at=clock.now()
        )
        run.refresh_from_db()
        audit_record(
            context=context,
            action="voters.linkage_run.fail",
            obj=run,
            after={"status": run.status, "voters": run.voters, "threshold": run.threshold},
        )


def linkage_run_execute(
    *,
    run: LinkageRun,
    context: AuditContext,
    progress: Callable[[str], None] | None = None,
) -> LinkageRun:
    """Score the stored roll and upsert the pairs (synchronous; see the module docstring).

    Progress is written on the run (for the page) and passed to ``progress``. On failure the
    run is marked *gagal* with the error, an audit event is written, and the error re-raised.
    """
    from siaga.engines.linkage.classes import kpu_class
    from siaga.engines.linkage.dedup import dedup

    def say(message: str) -> None:
        LinkageRun.objects.filter(pk=run.pk).update(progress=str(message)[:200])
        if progress is not None:
            progress(str(message))

    started = clock.now()
    LinkageRun.objects.filter(pk=run.pk).update(
        status=JobStatus.RUNNING, started_at=started, error="", progress=""
    )
    try:
        with tempfile.TemporaryDirectory(prefix="siaga-linkage-") as tmp:
            path = Path(tmp) / "dpt.parquet"
            voters = _export_roll(path, say=say)
            LinkageRun.objects.filter(pk=run.pk).update(voters=voters)
            engine_pairs: list[dict] = []
            if voters >= 2:
                engine_pairs, _clusters = dedup(path, threshold=run.threshold, progress=say)
        say(_("menyimpan pasangan"))
        found: dict[tuple[int, int], dict] = {}
        for p in engine_pairs:
            a, b = sorted((int(p["id_l"]), int(p["id_r"])))
            found[(a, b)] = {
                "probability": float(p["match_probability"]),
                "match_weight": float(p.get("match_weight") or 0.0),
                "evidence": _evidence(p),
            }
        shared_nik = 0
        for a, b in _shared_nik_pairs():
            shared_nik += 1
            entry = found.get((a, b))
            if entry is None:
                # Not a score but a fact: the two rows carry the same NIK.
                found[(a, b)] = {
                    "probability": 1.0,
                    "match_weight": 0.0,
                    "evidence": {
                        "source": "nik",
                        "fields": {},
                        "why": _("NIK sama pada dua baris DPT"),
                    },
                }
            else:
                entry["evidence"]["nik_shared"] = True
        counts = _store_pairs(run, found, kpu_class)
    except Exception as exc:
        _fail(run, exc, context)
        raise
    with transaction.atomic():
        LinkageRun.objects.filter(pk=run.pk).update(
            status=JobStatus.DONE,
            pairs_found=len(found),
            finished_at=clock.now(),
            progress=_("selesai: %(n)s pasangan") % {"n": len(found)},
        )
        run.refresh_from_db()
        audit_record(
            context=context,
            action="voters.linkage_run.finish",
            obj=run,
            after={
                "status": run.status,
                "threshold": run.threshold,
                "voters": run.voters,
                "pairs_found": len(found),
                "shared_nik_pairs": shared_nik,
                **counts,
            },
        )
    say(run.progress)
    return run


def _store_pairs(run: LinkageRun, found: dict[tuple[int, int], dict], kpu_class) -> dict:
    """Upsert ``found`` as DuplicatePair rows in one transaction; returns what changed."""
    with transaction.atomic():
        existing = {
            (l_id, r_id): (pk, status)
            for pk, l_id, r_id, status in DuplicatePair.objects.values_list(
                "pk", "voter_l_id", "voter_r_id", "status"
            ).iterator(chunk_size=WRITE_BATCH)
        }
        created = updated = kept = 0
        keys = sorted(found)
        for chunk in _batches(keys, WRITE_BATCH):
            ids = {pk for key in chunk for pk in key}
            records = {
                row["pk"]: _record(row)
                for row in Voter.objects.filter(pk__in=ids).values(*_CLASS_FIELDS)
            }
            new, changed = [], []
            for a, b in chunk:
                if a not in records or b not in records:
                    continue  # a voter deleted since the export
                data = found[(a, b)]
                klass = kpu_class(records[a], records[b])
                known = existing.get((a, b))
                if known is None:
                    new.append(
                        DuplicatePair(voter_l_id=a, voter_r_id=b, run=run, klass=klass, **data)
                    )
                elif known[1] == PairStatus.SUSPECTED:
                    changed.append(DuplicatePair(pk=known[0], run=run, klass=klass, **data))
                else:
                    kept += 1
            DuplicatePair.objects.bulk_create(new, batch_size=WRITE_BATCH)
            DuplicatePair.objects.bulk_update(
                changed,
                ["run", "klass", "probability", "match_weight", "evidence"],
                batch_size=WRITE_BATCH,
            )
            created += len(new)
            updated += len(changed)
        stale = [
            pk
            for key, (pk, status) in existing.items()
            if status == PairStatus.SUSPECTED and key not in found
        ]
        withdrawn = 0
        for chunk in _batches(stale, WRITE_BATCH):
            withdrawn += DuplicatePair.objects.filter(
                pk__in=chunk, status=PairStatus.SUSPECTED
            ).delete()[0]
    return {
        "pairs_created": created,
        "pairs_updated": updated,
        "pairs_kept_decided": kept,
        "pairs_withdrawn": withdrawn,
    }


# --- the analysts' decisions -----------------------------------------------------------------


def _pair_regions(pair: DuplicatePair) -> tuple[str, str]:
    return tuple(
        Voter.objects.filter(pk__in=[pair.voter_l_id, pair.voter_r_id])
        .order_by("pk")
        .values_list("desa_id", flat=True)
    )  # type: ignore[return-value]


def _require_reviewer(user, pair: DuplicatePair) -> None:
    """A reviewer whose scope holds either voter's desa (others may not even see the pair)."""
    regions = _pair_regions(pair)
    if not any(can(user, Action.REVIEW_VOTERS, code) for code in regions):
        raise PermissionDenied(_("Anda tidak berwenang memutuskan pasangan ini."))


def _decide(
    *,
    pair: DuplicatePair,
    context: AuditContext,
    user,
    allowed_from: tuple[str, ...],
    to_status: str,
    note: str,
    action: str,
) -> DuplicatePair:
    _require_reviewer(user, pair)
    with transaction.atomic():
        current = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
        # The analyst decided on the status their page showed; if another analyst changed it
        # since, this decision is refused rather than silently overwriting theirs.
        seen = pair.status
        if current.status != seen or current.status not in allowed_from:
            raise PairDecisionError(
                _("Pasangan ini sudah berstatus %(status)s; muat ulang halaman.")
                % {"status": current.get_status_display()},
                field="status",
            )
        before = snapshot(current, AUDITED_PAIR)
        now = clock.now()
        decided = to_status != PairStatus.SUSPECTED
        rows = DuplicatePair.objects.filter(pk=current.pk, status=seen).update(
            status=to_status,
            decided_by=user if decided else None,
            decided_at=now if decided else None,
            note=note,
        )
        if rows != 1:  # SQLite has no row locks: the conditional update is the guard there
            raise PairDecisionError(
                _("Pasangan ini baru saja diputuskan analis lain; muat ulang halaman."),
                field="status",
            )
        current.refresh_from_db()
        audit_record(
            context=context,
            action=action,
            obj=current,
            before=before,
            after=snapshot(current, AUDITED_PAIR),
            region_code=_pair_regions(current)[0],
        )
    pair.refresh_from_db()
    return pair


def pair_confirm(
    *, pair: DuplicatePair, context: AuditContext, user, note: str = ""
) -> DuplicatePair:
    """diduga → terkonfirmasi: the two rows are one person registered twice (or, K2, one NIK
    on two people, confirmed as a data error). A confirmed double registration is flagged to
    the field monitors of both TPS once the decision is committed."""
    pair = _decide(
        pair=pair,
        context=context,
        user=user,
        allowed_from=(PairStatus.SUSPECTED,),
        to_status=PairStatus.CONFIRMED,
        note=str(note or "").strip(),
        action="voters.pair.confirm",
    )
    if pair.klass != DuplicateClass.K2:
        transaction.on_commit(lambda: _flag_to_supervisors(pair))
    return pair


SUPERVISOR_FLAG_KIND = "voter.double_registration"


def _flag_to_supervisors(pair: DuplicatePair) -> None:
    """Tell the monitors assigned to either TPS that one voter on their list is registered
    twice, without saying who: the NIK check at the TPS names the case when the voter comes."""
    from siaga.accounts.choices import Role
    from siaga.accounts.models import User
    from siaga.notifications.services import notify
    from siaga.wilayah.models import Tps

    tps_ids = {pair.voter_l.tps_id, pair.voter_r.tps_id}
    places = {t.pk: t for t in Tps.objects.filter(pk__in=tps_ids).select_related("desa")}
    labels = sorted(f"{t.label} {t.desa.name}" for t in places.values())
    monitors = User.objects.filter(
        role=Role.FIELD_MONITOR, is_active=True, assigned_tps__in=tps_ids
    ).distinct()
    notify(
        recipients=monitors,
        kind=SUPERVISOR_FLAG_KIND,
        title=_("Pemilih ganda terkonfirmasi di DPT TPS Anda"),
        body=_(
            "Satu pemilih terdaftar di dua tempat: %(places)s. Cek NIK setiap pemilih yang "
            "datang; jawaban cek akan menandai kasus ini."
        )
        % {"places": " & ".join(labels)},
        urgent=False,
        obj=pair,
    )


def pair_dismiss(*, pair: DuplicatePair, context: AuditContext, user, note: str) -> DuplicatePair:
    """diduga → ditolak: not a double registration; the reason is required."""
    note = str(note or "").strip()
    if not note:
        raise PairDecisionError(_("Alasan wajib diisi untuk menolak dugaan."), field="note")
    return _decide(
        pair=pair,
        context=context,
        user=user,
        allowed_from=(PairStatus.SUSPECTED,),
        to_status=PairStatus.DISMISSED,
        note=note,
        action="voters.pair.dismiss",
    )


def pair_reopen(*, pair: DuplicatePair, context: AuditContext, user, note: str) -> DuplicatePair:
    """terkonfirmasi | ditolak → diduga: a decision taken back for review (reason required)."""
    note = str(note or "").strip()
    if not note:
        raise PairDecisionError(_("Alasan wajib diisi untuk membuka kembali."), field="note")
    return _decide(
        pair=pair,
        context=context,
        user=user,
        allowed_from=(PairStatus.CONFIRMED, PairStatus.DISMISSED),
        to_status=PairStatus.SUSPECTED,
        note=note,
        action="voters.pair.reopen",
    )
