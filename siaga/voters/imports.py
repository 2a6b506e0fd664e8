"""Importing the voter roll (DPT) from CSV, XLSX (every sheet) or Parquet, streaming.

``dpt_import_create`` stores the uploaded file under ``DATA_DIR/dpt/<sha256>.<ext>`` and queues
the background job; ``dpt_import_run`` (called by the job and, synchronously, by
``siaga voters import``) reads it.

How the run works, and why:

* The file is streamed through ``TableReader`` and handled in batches of ``BATCH_SIZE`` rows:
  each batch is validated, checked for duplicates against the database (one lookup by voter id
  and one by NIK per batch) and written with ``bulk_create`` / ``bulk_update``. Rows of earlier
  batches are already in the database (inside the same transaction), so duplicates across the
  whole file are found without keeping the file in memory.
* All or nothing: the whole run is one transaction. A file that breaks midway (undecodable
  bytes at row 5,000), a crash or a database error rolls everything back: no voter and no
  rejected row of that import stays, and the import is marked ``gagal`` with a message.
* Progress cannot go through the import's own row while that transaction is open (on SQLite it
  would wait for the write lock the run holds), so it is kept in the cache
  (``progress_get``) and written to the row at the end.
* Idempotent: a file whose sha256 was already imported for the same region is refused
  (``DuplicateImport``), and rows are upserts by ``voter_id`` (the file's ``id`` column, or one
  derived from NIK, name, birth date, desa and TPS), so an overlapping file updates the voters
  it shares with an earlier one and counts those that did not change.
* Invalid rows are kept as ``RejectedRow`` with their reasons (field, code, message), never
  dropped. NIKs never reach a log, an exception message or the audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import shutil
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from siaga.core import clock
from siaga.core.audit import AuditContext, audit_record
from siaga.core.deployment import deployment_voting_day
from siaga.core.errors import DomainError
from siaga.core.permissions import Action, require
from siaga.core.tabular import (
    CSV_EXTENSIONS,
    PARQUET_EXTENSIONS,
    XLSX_EXTENSIONS,
    Column,
    TableError,
    TableReader,
    clean_text,
    parse_int,
)
from siaga.engines.linkage import nik as nik_engine
from siaga.voters.models import DptImport, JobStatus, MaritalStatus, RejectedRow, Sex, Voter
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region, Tps
from siaga.wilayah.names import normalise_code

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
DEFAULT_VOTING_DAY = dt.date(2024, 11, 27)  # Pilkada 2024, when no deployment row says otherwise
PROGRESS_TIMEOUT = 7 * 24 * 3600
STALE_RUN_AFTER = dt.timedelta(hours=6)  # a national file takes well under an hour
SUPPORTED_EXTENSIONS = (*CSV_EXTENSIONS, *XLSX_EXTENSIONS, *PARQUET_EXTENSIONS)

COLUMNS = (
    Column("id", ("id_pemilih", "voter_id", "idpemilih", "id_dpt")),
    Column("nik", ("no_nik", "nomor_nik", "nomor_induk_kependudukan"), required=True),
    Column("nkk", ("no_kk", "nomor_kk", "no_nkk", "nomor_kartu_keluarga", "kk")),
    Column("name", ("nama", "nama_lengkap", "nama_pemilih"), required=True),
    Column("birth_place", ("tempat_lahir", "tmp_lahir", "tempat")),
    Column("birth_date", ("tanggal_lahir", "tgl_lahir", "tanggal lahir", "dob"), required=True),
    Column("sex", ("jenis_kelamin", "jk", "l/p", "kelamin", "gender"), required=True),
    Column("marital_status", ("status_kawin", "status_perkawinan", "sts_kawin", "kawin")),
    Column("address", ("alamat", "alamat_lengkap", "jalan")),
    Column("rt", ("no_rt",)),
    Column("rw", ("no_rw",)),
    Column(
        "region_code",
        (
            "kode_desa",
            "kode_kelurahan",
            "kode_desa_kelurahan",
            "kode_desa/kelurahan",
            "kode_wilayah",
            "kode_kel",
            "desa_code",
        ),
    ),
    Column("tps", ("no_tps", "nomor_tps", "tps_no")),
    Column("disability", ("disabilitas", "difabel", "jenis_disabilitas", "ragam_disabilitas")),
)
FIELD_ORDER = tuple(c.name for c in COLUMNS)
VOTER_FIELDS = (
    "nik",
    "nkk",
    "name",
    "birth_place",
    "birth_date",
    "sex",
    "marital_status",
    "address",
    "rt",
    "rw",
    "desa_id",
    "tps_id",
    "disability",
)
MAX_LENGTHS = {
    "id": 64,
    "name": 200,
    "birth_place": 120,
    "address": 255,
    "rt": 5,
    "rw": 5,
    "disability": 60,
}
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")
SEX_WORDS = {
    "L": Sex.MALE,
    "LK": Sex.MALE,
    "LAKILAKI": Sex.MALE,
    "PRIA": Sex.MALE,
    "P": Sex.FEMALE,
    "PR": Sex.FEMALE,
    "PEREMPUAN": Sex.FEMALE,
    "WANITA": Sex.FEMALE,
}
MARITAL_WORDS = {
    "B": MaritalStatus.NEVER,
    "BELUMKAWIN": MaritalStatus.NEVER,
    "BELUMMENIKAH": MaritalStatus.NEVER,
    "S": MaritalStatus.MARRIED,
    "K": MaritalStatus.MARRIED,
    "KAWIN": MaritalStatus.MARRIED,
    "SUDAHKAWIN": MaritalStatus.MARRIED,
    "MENIKAH": MaritalStatus.MARRIED,
    "P": MaritalStatus.WAS_MARRIED,
    "PERNAHKAWIN": MaritalStatus.WAS_MARRIED,
    "CERAI": MaritalStatus.WAS_MARRIED,
    "CERAIHIDUP": MaritalStatus.WAS_MARRIED,
    "CERAIMATI": MaritalStatus.WAS_MARRIED,
}
_WORD = re.compile(r"[^A-Z]")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATE_DAY_FIRST = re.compile(r"^(\d{1,2})([-/])(\d{1,2})\2(\d{4})$")
_TPS_TEXT = re.compile(r"^(?:TPS)?\s*0*(\d{1,4})$", re.I)
_SHEET_TPS = re.compile(r"(\d{2}\.?\d{2}\.?\d{2}\.?\d{4})\D+(\d{1,4})\s*$")


class ImportRefused(DomainError):
    """The upload cannot be imported; ``field`` names the input at fault (file or region)."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class DuplicateImport(DomainError):
    """This file (same sha256) was already imported, or is being imported, for this region."""

    def __init__(self, existing: DptImport) -> None:
        super().__init__(
            _("Berkas ini sudah pernah diimpor untuk wilayah yang sama (impor #%(pk)s).")
            % {"pk": existing.pk}
        )
        self.existing = existing


@dataclass
class DptImportSummary:
    """What a run did; ``status`` is ``selesai`` or ``gagal`` (then ``error`` says why)."""

    import_id: int
    status: str
    rows_total: int | None = None
    rows_read: int = 0
    accepted: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == JobStatus.DONE

    def as_dict(self) -> dict:
        return asdict(self)


# -- progress, kept in the cache while the run's transaction is open ---------------------------


def _progress_key(import_id: int) -> str:
    return f"voters:dpt-import:{import_id}:progress"


def progress_get(import_id: int) -> dict | None:
    """The live counts of a running import (rows_read, rows_total, accepted, rejected...)."""
    return cache.get(_progress_key(import_id))


def _progress_set(summary: DptImportSummary) -> None:
    cache.set(_progress_key(summary.import_id), summary.as_dict(), PROGRESS_TIMEOUT)


# -- creating an import: store the file, queue the job -----------------------------------------


def _store(source: Any, suffix: str) -> tuple[Path, str]:
    """Copy ``source`` (a path or an uploaded file) under DATA_DIR/dpt, hashing as it goes."""
    folder = Path(settings.DATA_DIR) / "dpt"
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".upload-{uuid.uuid4().hex}{suffix}"
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            if isinstance(source, str | Path):
                with Path(source).open("rb") as handle:
                    while chunk := handle.read(1 << 20):
                        digest.update(chunk)
                        out.write(chunk)
            else:
                chunks: Iterable[bytes] = (
                    source.chunks() if hasattr(source, "chunks") else iter(source.read, b"")
                )
                for chunk in chunks:
                    digest.update(chunk)
                    out.write(chunk)
        sha = digest.hexdigest()
        final = folder / f"{sha}{suffix}"
        if final.exists():
            partial.unlink()
        else:
            shutil.move(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return final, sha


def _stale(dpt_import: DptImport) -> bool:
    started = dpt_import.started_at
    return (
        dpt_import.status == JobStatus.RUNNING
        and started is not None
        and started < clock.now() - STALE_RUN_AFTER
    )


def dpt_import_create(
    *,
    context: AuditContext,
    user,
    uploaded_path_or_file: Any,
    file_name: str,
    scope_code: str,
    enqueue: bool = True,
) -> DptImport:
    """Store a DPT file and queue its import (``enqueue=False``: the caller runs it itself).

    Raises ``ImportRefused`` for an unsupported file type or an unknown region, ``PermissionDenied``
    when ``user`` may not import there (``user=None`` is the operator at the command line), and
    ``DuplicateImport`` when the same file was already imported (or is queued) for that region.
    """
    scope_code = normalise_code(scope_code or "")
    region = Region.objects.filter(code=scope_code).first()
    if region is None:
        raise ImportRefused(
            _("Wilayah %(code)s tidak dikenal.") % {"code": scope_code or "-"}, field="region"
        )
    if user is not None:
        require(user, Action.IMPORT_DPT, region.code)
    file_name = Path(str(file_name or "")).name[:255] or "dpt"
    suffix = Path(file_name).suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        raise ImportRefused(
            _("Jenis berkas %(suffix)s tidak didukung; gunakan .csv, .xlsx atau .parquet.")
            % {"suffix": suffix or _("(tanpa akhiran)")},
            field="file",
        )
    path, sha = _store(uploaded_path_or_file, suffix)
    with transaction.atomic():
        existing = (
            DptImport.objects.filter(sha256=sha, scope_code=region.code)
            .exclude(status=JobStatus.FAILED)
            .order_by("pk")
            .first()
        )
        if existing is not None and _stale(existing):
            # Its worker died mid-run (the transaction was rolled back with it): let it go.
            DptImport.objects.filter(pk=existing.pk).update(
                status=JobStatus.FAILED,
                finished_at=clock.now(),
                error=_("Pekerjaan impor terhenti sebelum selesai; tidak ada data yang disimpan."),
            )
            existing = None
        if existing is not None:
            raise DuplicateImport(existing)
        dpt_import = DptImport.objects.create(
            file_name=file_name,
            stored_path=str(path),
            sha256=sha,
            scope_code=region.code,
            created_by=user if getattr(user, "pk", None) else None,
        )
        # Who uploaded what, from where (the run's own event, at the end, is the worker's).
        audit_record(
            context=context,
            action="voters.dpt_import.queue",
            obj=dpt_import,
            after={"file_name": file_name, "sha256": sha, "scope_code": region.code},
            region_code=region.code,
        )
        if enqueue:
            from siaga.voters.tasks import dpt_import_task

            pk = dpt_import.pk
            transaction.on_commit(lambda: dpt_import_task.enqueue(pk))
    return dpt_import


# -- reading and checking rows -----------------------------------------------------------------


def _voting_day() -> dt.date:
    return deployment_voting_day() or DEFAULT_VOTING_DAY


def _estimate_rows(path: Path) -> int | None:
    """Rows in the file, cheaply (for the progress bar): newlines, Parquet metadata, sheet sizes."""
    suffix = path.suffix.lower()
    try:
        if suffix in PARQUET_EXTENSIONS:
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows
        if suffix in XLSX_EXTENSIONS:
            from openpyxl import load_workbook

            workbook = load_workbook(path, read_only=True)
            try:
                return sum(
                    max((ws.max_row or 1) - 1, 0)
                    for ws in workbook.worksheets
                    if hasattr(ws, "max_row")
                )
            finally:
                workbook.close()
        lines = 0
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                lines += chunk.count(b"\n")
        return max(lines - 1, 0)
    except Exception:  # a broken file says so when it is read; here only the estimate is lost
        return None


def identity_key(name: str) -> str:
    """A name compared for exact duplicates: upper case, single spaces."""
    return " ".join(name.upper().split())


def generated_voter_id(
    *, nik: str, name: str, birth_date: dt.date, desa: str, tps_number: int
) -> str:
    """The id of a row without one: the same for the same row on every import.

    The identity (name, birth date) is part of it so that two people sharing a NIK by error at
    one TPS (a family member's NIK copied) stay two voters, as the K2 rule wants.
    """
    text = f"{nik}|{identity_key(name)}|{birth_date.isoformat()}|{desa}|{tps_number}"
    return "G" + hashlib.sha256(text.encode()).hexdigest()[:31]


def _as_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return clean_text(value)


def parse_birth_date(value: Any) -> dt.date:
    """A date from a cell: a real date (XLSX, Parquet), YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = clean_text(value)
    if " " in text:  # "1990-05-01 00:00:00" as a spreadsheet may write it
        text = text.split(" ", 1)[0]
    # The formats of DATE_FORMATS by regular expression: strptime is a fifth of a row's checks.
    match = _DATE_ISO.match(text)
    if match:
        year, month, day = match.groups()
    else:
        match = _DATE_DAY_FIRST.match(text)
        if not match:
            raise ValueError(value)
        day, _sep, month, year = match.groups()
    return dt.date(int(year), int(month), int(day))  # ValueError for 31-02


def _word(value: Any) -> str:
    return _WORD.sub("", clean_text(value).upper())


@dataclass
class _Candidate:
    """A row that passed the checks of its own values, waiting for the duplicate checks."""

    sheet: str
    row: int
    values: dict[str, str]
    voter_id: str
    data: dict[str, Any]


@dataclass
class _Rejected:
    sheet: str
    row: int
    values: dict[str, str]
    errors: list[dict] = field(default_factory=list)


class _Checker:
    """Checks one row's own values against the rules and the region tables."""

    def __init__(self, reader: TableReader, scope_code: str, voting_day: dt.date) -> None:
        self.reader = reader
        self.scope_code = scope_code
        self.voting_day = voting_day
        self.reference = max(clock.today(), voting_day)
        self.kecamatan = set(
            Region.objects.filter(level=Level.DISTRICT).values_list("code", flat=True)
        )
        under = Region.objects.filter(level=Level.VILLAGE).filter(
            Q(code=scope_code) | Q(code__startswith=scope_code + ".")
        )
        self.desa = dict(under.values_list("code", "name"))
        self.tps: dict[tuple[str, int], int] = {
            (desa, number): pk
            for pk, desa, number in Tps.objects.filter(desa_id__in=list(self.desa)).values_list(
                "pk", "desa_id", "number"
            )
        }
        self._known_elsewhere: dict[str, bool] = {}

    def _label(self, sheet: str, column: str) -> str:
        return self.reader.header_label(sheet or None, column)

    def check(self, sheet: str, row: int, raw: dict[str, Any]) -> _Candidate | _Rejected:
        values = {name: _as_text(raw.get(name)) for name in FIELD_ORDER if name in raw}
        errors: list[dict] = []

        def error(column: str, code: str, message: str) -> None:
            errors.append({"field": self._label(sheet, column), "code": code, "message": message})

        for column, limit in MAX_LENGTHS.items():
            if len(values.get(column, "")) > limit:
                error(
                    column,
                    "too_long",
                    _("Isian terlalu panjang (%(n)s karakter, paling banyak %(max)s).")
                    % {"n": len(values[column]), "max": limit},
                )
        name = values.get("name", "")
        if not name:
            error("name", "required", _("Nama wajib diisi."))

        parts = self._nik(values.get("nik", ""), error)
        nkk = values.get("nkk", "").replace(" ", "").replace(".", "")
        if nkk and not (nkk.isascii() and nkk.isdigit() and len(nkk) == 16):
            error("nkk", "nkk_format", _("NKK harus 16 digit angka."))

        birth_date = None
        if not values.get("birth_date"):
            error("birth_date", "required", _("Tanggal lahir wajib diisi."))
        else:
            try:
                birth_date = parse_birth_date(raw.get("birth_date"))
            except ValueError:
                error(
                    "birth_date",
                    "bad_date",
                    _(
                        "Tanggal lahir %(value)s tidak terbaca; tulis YYYY-MM-DD, DD-MM-YYYY "
                        "atau DD/MM/YYYY."
                    )
                    % {"value": values["birth_date"]},
                )
        sex = SEX_WORDS.get(_word(raw.get("sex")))
        if sex is None:
            error(
                "sex",
                "bad_sex" if values.get("sex") else "required",
                _("Jenis kelamin %(value)s tidak dikenal; tulis L atau P.")
                % {"value": values.get("sex") or "(kosong)"},
            )
        marital = ""
        if values.get("marital_status"):
            marital = MARITAL_WORDS.get(_word(raw.get("marital_status")), "")
            if not marital:
                error(
                    "marital_status",
                    "bad_marital",
                    _("Status kawin %(value)s tidak dikenal; tulis B, S atau P.")
                    % {"value": values["marital_status"]},
                )
        if parts is not None:
            for problem in nik_engine.nik_consistent(parts, birth_date=birth_date, sex=sex):
                if problem == "birth_date":
                    error(
                        "birth_date",
                        "nik_birth_date",
                        _("Tanggal lahir %(date)s tidak cocok dengan tanggal lahir pada NIK.")
                        % {"date": birth_date.strftime("%d-%m-%Y")},
                    )
                else:
                    error(
                        "sex",
                        "nik_sex",
                        _(
                            "Jenis kelamin %(sex)s tidak cocok dengan NIK (tanggal lahir pada "
                            "NIK ditambah 40 untuk perempuan)."
                        )
                        % {"sex": sex},
                    )
        if birth_date is not None and not nik_engine.eligible_on(
            birth_date, marital, self.voting_day
        ):
            error(
                "birth_date",
                "not_eligible",
                _(
                    "Belum berumur 17 tahun pada hari pemungutan suara (%(day)s) dan belum "
                    "pernah kawin: tidak memenuhi syarat sebagai pemilih."
                )
                % {"day": self.voting_day.strftime("%d-%m-%Y")},
            )

        desa, tps_number, tps_id = self._place(sheet, values, raw, error)
        voter_id = values.get("id", "")
        if errors:
            return _Rejected(sheet, row, values, errors)
        if not voter_id:
            voter_id = generated_voter_id(
                nik=parts.nik, name=name, birth_date=birth_date, desa=desa, tps_number=tps_number
            )
        data = {
            "nik": parts.nik,
            "nkk": nkk,
            "name": name,
            "birth_place": values.get("birth_place", ""),
            "birth_date": birth_date,
            "sex": sex,
            "marital_status": marital,
            "address": values.get("address", ""),
            "rt": values.get("rt", ""),
            "rw": values.get("rw", ""),
            "desa_id": desa,
            "tps_id": tps_id,
            "disability": values.get("disability", ""),
        }
        return _Candidate(sheet, row, values, voter_id, data)

    def _nik(self, text: str, error: Callable) -> nik_engine.NikParts | None:
        digits = text.replace(" ", "").replace(".", "")
        if not digits:
            error("nik", "required", _("NIK wajib diisi."))
            return None
        if not (digits.isascii() and digits.isdigit()) or len(digits) != nik_engine.NIK_LENGTH:
            error(
                "nik",
                "nik_length",
                _("NIK harus 16 digit angka, bukan %(n)s karakter.") % {"n": len(digits)},
            )
            return None
        try:
            parts = nik_engine.parse_nik(digits, reference=self.reference)
        except nik_engine.NikError as exc:
            # The engine's messages name the faulty part, never the whole number.
            code = "nik_region" if exc.code == "region" else "nik_invalid"
            error("nik", code, exc.message)
            return None
        if parts.region_code not in self.kecamatan:
            error(
                "nik",
                "nik_region",
                _("Kode wilayah pada NIK (%(code)s) bukan kecamatan yang dikenal.")
                % {"code": parts.region_code},
            )
            return None
        return parts

    def _place(
        self, sheet: str, values: dict[str, str], raw: dict[str, Any], error: Callable
    ) -> tuple[str, int, int | None]:
        code_text = values.get("region_code", "")
        tps_raw: Any = raw.get("tps")
        if (not code_text or not values.get("tps")) and sheet:
            # One sheet per TPS: "64.08.04.1001 TPS 001" names the place of every row in it.
            match = _SHEET_TPS.search(sheet)
            if match:
                code_text = code_text or match.group(1)
                tps_raw = tps_raw if values.get("tps") else match.group(2)
        if not code_text:
            error("region_code", "required", _("Kode desa/kelurahan wajib diisi."))
            return "", 0, None
        code = normalise_code(code_text)
        if code not in self.desa:
            if self._exists(code):
                error(
                    "region_code",
                    "desa_out_of_scope",
                    _("Desa/kelurahan %(code)s di luar wilayah impor ini (%(scope)s).")
                    % {"code": code, "scope": self.scope_code},
                )
            else:
                error(
                    "region_code",
                    "desa_unknown",
                    _("Kode desa/kelurahan %(code)s tidak dikenal.") % {"code": code},
                )
            return code, 0, None
        if tps_raw is None or clean_text(tps_raw) == "":
            error("tps", "required", _("Nomor TPS wajib diisi."))
            return code, 0, None
        number = _tps_number(tps_raw)
        if number is None:
            error(
                "tps",
                "bad_tps",
                _("Nomor TPS %(value)s tidak terbaca.") % {"value": clean_text(tps_raw)},
            )
            return code, 0, None
        tps_id = self.tps.get((code, number))
        if tps_id is None:
            error(
                "tps",
                "tps_unknown",
                _("TPS %(number)03d tidak ada di desa/kelurahan %(desa)s (%(code)s).")
                % {"number": number, "desa": self.desa[code], "code": code},
            )
        return code, number, tps_id

    def _exists(self, code: str) -> bool:
        if code not in self._known_elsewhere:
            self._known_elsewhere[code] = Region.objects.filter(
                code=code, level=Level.VILLAGE
            ).exists()
        return self._known_elsewhere[code]


def _tps_number(value: Any) -> int | None:
    try:
        number = parse_int(value)
    except ValueError:
        match = _TPS_TEXT.match(clean_text(value))
        if not match:
            return None
        number = int(match.group(1))
    return number if 0 < number < 10_000 else None


# -- writing a batch ---------------------------------------------------------------------------


def _duplicate_error(field_label: str, stored: bool) -> dict:
    message = (
        _("Duplikat persis: NIK, nama dan tanggal lahir sama dengan pemilih yang sudah tersimpan.")
        if stored
        else _("Duplikat persis: NIK, nama dan tanggal lahir sama dengan baris lain dalam berkas.")
    )
    return {"field": field_label, "code": "duplicate", "message": message}


_INSERT_COLUMNS = ("voter_id", *VOTER_FIELDS, "source_id", "updated_at")


def _insert_voters(rows: list[dict[str, Any]], *, source_id: int) -> None:
    """Insert new voters with one ``executemany``: the ORM's bulk_create spends more time
    building its statement than the database spends writing (a third of an import's time)."""
    if not rows:
        return
    ops = connection.ops
    now = ops.adapt_datetimefield_value(clock.now())
    table = ops.quote_name(Voter._meta.db_table)
    columns = ", ".join(ops.quote_name(name) for name in _INSERT_COLUMNS)
    marks = ", ".join(["%s"] * len(_INSERT_COLUMNS))
    params = [
        (
            *(
                ops.adapt_datefield_value(row[name]) if name == "birth_date" else row[name]
                for name in _INSERT_COLUMNS[:-2]
            ),
            source_id,
            now,
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", params)  # noqa: S608


def _write_batch(
    *,
    dpt_import: DptImport,
    checker: _Checker,
    candidates: list[_Candidate],
    rejected: list[_Rejected],
    summary: DptImportSummary,
) -> None:
    """Check a batch for duplicates against the database and itself, then write it."""
    ids = [c.voter_id for c in candidates]
    niks = {c.data["nik"] for c in candidates}
    existing = {v.voter_id: v for v in Voter.objects.filter(voter_id__in=ids)}
    # identity -> [(voter_id, written by this import?)] for everything stored with these NIKs
    stored: dict[tuple, list[tuple[str, bool]]] = {}
    for voter_id, nik, name, born, source in Voter.objects.filter(nik__in=niks).values_list(
        "voter_id", "nik", "name", "birth_date", "source_id"
    ):
        key = (nik, identity_key(name), born)
        stored.setdefault(key, []).append((voter_id, source == dpt_import.pk))
    batch_ids: set[str] = set()
    batch_identities: set[tuple] = set()
    to_create: list[dict[str, Any]] = []
    to_update: list[Voter] = []
    unchanged: list[int] = []
    for c in candidates:
        identity = (c.data["nik"], identity_key(c.data["name"]), c.data["birth_date"])
        label = checker._label(c.sheet, "nik")
        previous = existing.get(c.voter_id)
        if c.voter_id in batch_ids or (
            previous is not None and previous.source_id == dpt_import.pk
        ):
            same = identity in batch_identities or (
                previous is not None
                and (previous.nik, identity_key(previous.name), previous.birth_date) == identity
            )
            if same:
                error = _duplicate_error(label, stored=False)
            else:
                error = {
                    "field": checker._label(c.sheet, "id"),
                    "code": "duplicate_id",
                    "message": _("Id pemilih %(id)s sudah dipakai baris lain dalam berkas.")
                    % {"id": c.voter_id},
                }
            rejected.append(_Rejected(c.sheet, c.row, c.values, [error]))
            continue
        others = [mine for vid, mine in stored.get(identity, ()) if vid != c.voter_id]
        if identity in batch_identities or others:
            in_file = identity in batch_identities or any(others)
            rejected.append(
                _Rejected(c.sheet, c.row, c.values, [_duplicate_error(label, stored=not in_file)])
            )
            continue
        batch_ids.add(c.voter_id)
        batch_identities.add(identity)
        if previous is None:
            to_create.append({"voter_id": c.voter_id, **c.data})
        elif all(getattr(previous, k) == v for k, v in c.data.items()):
            unchanged.append(previous.pk)
        else:
            for k, v in c.data.items():
                setattr(previous, k, v)
            previous.source = dpt_import
            to_update.append(previous)
    _insert_voters(to_create, source_id=dpt_import.pk)
    if to_update:
        now = clock.now()
        for voter in to_update:
            voter.updated_at = now  # bulk_update does not run auto_now
        Voter.objects.bulk_update(
            to_update, [*VOTER_FIELDS, "source", "updated_at"], batch_size=500
        )
    if unchanged:
        # Marks them as seen in this file, which is how a repeated id further on is recognised.
        Voter.objects.filter(pk__in=unchanged).update(source=dpt_import)
    RejectedRow.objects.bulk_create(
        [
            RejectedRow(
                dpt_import=dpt_import,
                sheet=r.sheet[:100],
                row_number=r.row,
                values=r.values,
                errors=r.errors,
            )
            for r in rejected
        ],
        batch_size=BATCH_SIZE,
    )
    summary.created += len(to_create)
    summary.updated += len(to_update)
    summary.unchanged += len(unchanged)
    summary.accepted += len(to_create) + len(to_update) + len(unchanged)
    summary.rejected += len(rejected)


def _read(
    *,
    dpt_import: DptImport,
    summary: DptImportSummary,
    progress: Callable[[DptImportSummary], None] | None,
    batch_size: int,
) -> None:
    reader = TableReader(Path(dpt_import.stored_path), COLUMNS)
    checker = _Checker(reader, dpt_import.scope_code, _voting_day())
    candidates: list[_Candidate] = []
    rejected: list[_Rejected] = []

    def flush() -> None:
        _write_batch(
            dpt_import=dpt_import,
            checker=checker,
            candidates=candidates,
            rejected=rejected,
            summary=summary,
        )
        candidates.clear()
        rejected.clear()
        _progress_set(summary)
        if progress is not None:
            progress(summary)

    for row in reader:
        summary.rows_read += 1
        outcome = checker.check(row.sheet or "", row.row_number, row.values)
        (candidates if isinstance(outcome, _Candidate) else rejected).append(outcome)
        if len(candidates) + len(rejected) >= batch_size:
            flush()
    flush()


def dpt_import_run(
    *,
    dpt_import: DptImport,
    context: AuditContext,
    progress: Callable[[DptImportSummary], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> DptImportSummary:
    """Read the import's file into the roll, all or nothing; never raises for a bad file.

    ``progress`` is called after every batch (the command line prints it). A run of an import
    already done changes nothing and returns its counts.
    """
    dpt_import.refresh_from_db()
    if dpt_import.status == JobStatus.DONE:
        return _summary_of(dpt_import)
    path = Path(dpt_import.stored_path)
    summary = DptImportSummary(
        import_id=dpt_import.pk, status=JobStatus.RUNNING, rows_total=_estimate_rows(path)
    )
    started = clock.now()
    # Committed at once, outside the long transaction, so that the page shows "berjalan".
    DptImport.objects.filter(pk=dpt_import.pk).update(
        status=JobStatus.RUNNING, started_at=started, rows_total=summary.rows_total, error=""
    )
    _progress_set(summary)
    try:
        with transaction.atomic():
            RejectedRow.objects.filter(dpt_import=dpt_import).delete()  # a retried run
            _read(dpt_import=dpt_import, summary=summary, progress=progress, batch_size=batch_size)
            summary.status = JobStatus.DONE
            _finish(dpt_import, summary, started, context)
    except Exception as exc:
        if isinstance(exc, TableError):
            message = _table_error_message(exc)
        else:
            # The exception's text may quote a row's values (a NIK in a database error): only
            # its type is logged, and the user gets a general message.
            logger.error("DPT import %s failed: %s", dpt_import.pk, type(exc).__name__)
            message = _(
                "Impor gagal karena kesalahan sistem (%(kind)s); tidak ada data yang disimpan. "
                "Coba lagi atau hubungi admin."
            ) % {"kind": type(exc).__name__}
        failed = DptImportSummary(
            import_id=dpt_import.pk,
            status=JobStatus.FAILED,
            rows_total=summary.rows_total,
            rows_read=summary.rows_read,
            error=message,
        )
        with transaction.atomic():
            _finish(dpt_import, failed, started, context)
        summary = failed
    _progress_set(summary)
    return summary


def _table_error_message(exc: TableError) -> str:
    """The reader's problem with where it is, in the user's words; nothing was stored."""
    where = []
    if exc.error.sheet:
        where.append(_("lembar %(sheet)s") % {"sheet": exc.error.sheet})
    if exc.error.row is not None:
        where.append(_("baris %(row)s") % {"row": exc.error.row})
    prefix = (", ".join(where) + ": ") if where else ""
    return prefix + exc.error.message + " " + _("Tidak ada data yang disimpan.")


def _finish(
    dpt_import: DptImport, summary: DptImportSummary, started: dt.datetime, context: AuditContext
) -> None:
    dpt_import.status = summary.status
    dpt_import.started_at = started
    dpt_import.finished_at = clock.now()
    dpt_import.rows_total = summary.rows_total
    dpt_import.rows_read = summary.rows_read
    dpt_import.rows_accepted = summary.accepted
    dpt_import.rows_rejected = summary.rejected
    dpt_import.rows_unchanged = summary.unchanged
    dpt_import.error = summary.error
    dpt_import.save(
        update_fields=[
            "status",
            "started_at",
            "finished_at",
            "rows_total",
            "rows_read",
            "rows_accepted",
            "rows_rejected",
            "rows_unchanged",
            "error",
        ]
    )
    audit_record(
        context=context,
        action="voters.dpt_import" if summary.ok else "voters.dpt_import_failed",
        obj=dpt_import,
        region_code=dpt_import.scope_code,
        after={
            "file_name": dpt_import.file_name,
            "sha256": dpt_import.sha256,
            "scope_code": dpt_import.scope_code,
            "status": summary.status,
            "rows_read": summary.rows_read,
            "accepted": summary.accepted,
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "rejected": summary.rejected,
            "error": summary.error,
        },
    )


def _summary_of(dpt_import: DptImport) -> DptImportSummary:
    return DptImportSummary(
        import_id=dpt_import.pk,
        status=dpt_import.status,
        rows_total=dpt_import.rows_total,
        rows_read=dpt_import.rows_read,
        accepted=dpt_import.rows_accepted,
        unchanged=dpt_import.rows_unchanged,
        rejected=dpt_import.rows_rejected,
        error=dpt_import.error,
    )


def import_progress(dpt_import: DptImport) -> dict:
    """Counts for the page and the API: live from the cache while running, else from the row."""
    if dpt_import.status == JobStatus.RUNNING:
        live = progress_get(dpt_import.pk)
        if live:
            return {
                "rows_total": live.get("rows_total"),
                "rows_read": live.get("rows_read", 0),
                "accepted": live.get("accepted", 0),
                "rejected": live.get("rejected", 0),
                "unchanged": live.get("unchanged", 0),
                "percent": _percent(live.get("rows_read", 0), live.get("rows_total")),
            }
    done = dpt_import.status in (JobStatus.DONE, JobStatus.FAILED)
    return {
        "rows_total": dpt_import.rows_total,
        "rows_read": dpt_import.rows_read,
        "accepted": dpt_import.rows_accepted,
        "rejected": dpt_import.rows_rejected,
        "unchanged": dpt_import.rows_unchanged,
        "percent": 100 if done else _percent(dpt_import.rows_read, dpt_import.rows_total),
    }


def _percent(read: int, total: int | None) -> int | None:
    if not total:
        return None
    return min(100, int(read * 100 / total))


# -- reading imports back (pages, API) ---------------------------------------------------------


def imports_visible(*, user):
    """Imports whose region the user's scope covers (an empty query for anybody else)."""
    from siaga.core.permissions import user_scope

    return DptImport.objects.filter(user_scope(user).q("scope_code"))


def import_report_rows(*, dpt_import: DptImport, user) -> Iterable[list[str]]:
    """The validation report, one line per error: sheet, row, field, message, then the values.

    NIK and NKK are masked unless the user may see personal data. Streams the rejected rows.
    """
    from siaga.voters.privacy import nik_for

    yield [_("lembar"), _("baris"), _("kolom"), _("pesan"), *FIELD_ORDER]
    rows = dpt_import.rejected.order_by("sheet", "row_number", "pk").values_list(
        "sheet", "row_number", "values", "errors"
    )
    for sheet, number, values, errors in rows.iterator(chunk_size=2000):
        shown = dict(values or {})
        for key in ("nik", "nkk"):
            if shown.get(key):
                shown[key] = nik_for(user, str(shown[key]))
        cells = [str(shown.get(name, "")) for name in FIELD_ORDER]
        for error in errors or [{}]:
            yield [
                sheet,
                str(number),
                str(error.get("field", "")),
                str(error.get("message", "")),
                *cells,
            ]
