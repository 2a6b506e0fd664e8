"""The logistics briefing: one read model shared by the overview page, the XLSX export and the
PDF one-pager, so that the three always show the same numbers.

Everything is read through ``siaga.logistics.selectors`` (which apply the user's scope); this
module only arranges the rows and renders the files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.core import clock
from siaga.core.xlsx import workbook_bytes
from siaga.logistics import selectors
from siaga.logistics.choices import ReplacementStatus, ShipmentStatus, Stage
from siaga.wilayah import selectors as wilayah_selectors
from siaga.wilayah.choices import Level, Vulnerability

OPEN_REPLACEMENTS = (ReplacementStatus.OPEN, ReplacementStatus.IN_PROGRESS)
DONE_STATUSES = (ShipmentStatus.ARRIVED, ShipmentStatus.HANDED_OVER)


@dataclass(frozen=True)
class RegionRow:
    """One kecamatan (or desa) of the reconciliation, with its name."""

    code: str
    name: str
    tps: int
    tps_fully_supplied: int
    tps_ballot_short: int
    voters: int
    percent_supplied: float


@dataclass(frozen=True)
class RiskRow:
    """One at-risk shipment with its prediction, flattened for templates and sheets."""

    shipment: object
    destination: str
    kecamatan: str
    predicted_arrival: dt.datetime | None
    predicted_at_destination: dt.datetime | None
    deadline: dt.datetime | None
    late: bool
    slack_hours: float | None
    voters: int
    vulnerability: str  # the code: "", aman, rawan, sangat_rawan

    @property
    def vulnerability_label(self) -> str:
        try:
            return str(Vulnerability(self.vulnerability).label) if self.vulnerability else ""
        except ValueError:
            return self.vulnerability

    @property
    def is_rawan(self) -> bool:
        return self.vulnerability in (Vulnerability.RAWAN, Vulnerability.SANGAT_RAWAN)


@dataclass(frozen=True)
class TimelineDay:
    day: dt.date
    by_stage: list[int]
    total: int
    done: int


@dataclass
class Briefing:
    region: object
    child_level_label: str
    rows: list[RegionRow]
    total: RegionRow
    at_risk: list[RiskRow]
    replacements: list
    stages: list[tuple[str, str]]
    timeline: list[TimelineDay]
    generated_at: dt.datetime
    shipment_counts: dict[str, int] = field(default_factory=dict)

    @property
    def ballot_short_tps(self) -> int:
        return self.total.tps_ballot_short

    @property
    def voters_at_risk(self) -> int:
        return sum(r.voters for r in self.at_risk)


def _rows(rollups) -> list:
    if isinstance(rollups, dict):
        return list(rollups.values())
    return list(rollups or [])


def _region_row(rollup, name: str) -> RegionRow:
    return RegionRow(
        code=rollup.code,
        name=name,
        tps=rollup.tps,
        tps_fully_supplied=rollup.tps_fully_supplied,
        tps_ballot_short=rollup.tps_ballot_short,
        voters=rollup.voters,
        percent_supplied=float(rollup.percent_supplied or 0),
    )


def region_q(code: str, field_name: str = "destination_region_id") -> Q:
    """Rows whose region ``field_name`` is ``code`` or lies under it."""
    return Q(**{field_name: code}) | Q(**{f"{field_name}__startswith": code + "."})


def _destination(shipment) -> str:
    if shipment.destination_tps_id:
        tps = shipment.destination_tps
        return f"{tps.label} · {tps.desa.name}"
    return shipment.destination_region.name


def _kecamatan_name(shipment, names: dict[str, str]) -> str:
    return names.get(shipment.destination_region_id[:8], "")


def risk_rows(rows, names: dict[str, str]) -> list[RiskRow]:
    result = []
    for row in rows:
        p = row.prediction
        slack = getattr(p, "slack_seconds", None)
        at_destination = getattr(p, "predicted_at_destination", None)
        deadline = (
            at_destination + dt.timedelta(seconds=slack)
            if at_destination is not None and slack is not None
            else None
        )
        result.append(
            RiskRow(
                shipment=row.shipment,
                destination=_destination(row.shipment),
                kecamatan=_kecamatan_name(row.shipment, names),
                predicted_arrival=p.predicted_arrival,
                predicted_at_destination=at_destination,
                deadline=deadline,
                late=bool(p.late),
                slack_hours=round(slack / 3600, 1) if slack is not None else None,
                voters=row.voters or 0,
                vulnerability=str(row.vulnerability or ""),
            )
        )
    return result


def timeline(shipments) -> list[TimelineDay]:
    """Shipments per planned departure day (local time) and stage, with how many have arrived."""
    stages = [s for s, _label in Stage.choices]
    rows = (
        shipments.annotate(
            day=TruncDate("planned_departure", tzinfo=timezone.get_current_timezone())
        )
        .values("day", "stage")
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(status__in=DONE_STATUSES)))
        .order_by("day")
    )
    days: dict[dt.date, dict] = {}
    for r in rows:
        entry = days.setdefault(r["day"], {"stages": dict.fromkeys(stages, 0), "done": 0})
        entry["stages"][r["stage"]] = entry["stages"].get(r["stage"], 0) + r["n"]
        entry["done"] += r["done"]
    return [
        TimelineDay(
            day=day,
            by_stage=[v["stages"][s] for s in stages],
            total=sum(v["stages"].values()),
            done=v["done"],
        )
        for day, v in sorted(days.items())
    ]


def briefing(*, user, region) -> Briefing:
    """Everything the overview, the XLSX and the PDF show for ``region``, in the user's scope."""
    recon = selectors.reconciliation_for(user=user, region=region)
    child_rollups = _rows(recon.by_kecamatan if region.level == Level.REGENCY else recon.by_desa)
    if region.level not in (Level.REGENCY, Level.PROVINCE):
        child_rollups = [r for r in child_rollups if r.code.startswith(region.code + ".")]
    at_risk_raw = list(selectors.shipments_at_risk(user=user, region=region))
    codes = {r.code for r in child_rollups} | {
        row.shipment.destination_region_id[:8] for row in at_risk_raw
    }
    names = dict(
        wilayah_selectors.regions_visible(user=user)
        .filter(code__in=sorted(codes))
        .values_list("code", "name")
    )
    rows = sorted(
        (_region_row(r, names.get(r.code, r.code)) for r in child_rollups), key=lambda r: r.code
    )
    replacements = [
        r
        for r in selectors.replacements_visible(user=user)
        .filter(region_q(region.code, "region__code"), status__in=OPEN_REPLACEMENTS)
        .select_related("item", "tps__desa", "region", "shipment", "assigned_agency")
    ]
    shipments = selectors.shipments_under(selectors.shipments_visible(user=user), region.code)
    counts = dict(
        shipments.values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("status", "n")
    )
    child_level = Level.DISTRICT if region.level == Level.REGENCY else Level.VILLAGE
    return Briefing(
        region=region,
        child_level_label=str(child_level.label),
        rows=rows,
        total=_region_row(recon.total, region.name),
        at_risk=risk_rows(at_risk_raw, names),
        replacements=replacements,
        stages=list(Stage.choices),
        timeline=timeline(shipments),
        generated_at=clock.now(),
        shipment_counts={str(k): v for k, v in counts.items()},
    )


# --- Files ---------------------------------------------------------------------------------


def _local(value: dt.datetime | None):
    """Excel has no time zones: write local (WITA) wall-clock time without tzinfo."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None)


def xlsx_bytes(data: Briefing) -> bytes:
    """An XLSX workbook: Rekap kecamatan, Pengiriman berisiko, Permintaan penggantian."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    bold = Font(bold=True)
    red = PatternFill("solid", fgColor="FECACA")
    book = Workbook()

    sheet = book.active
    sheet.title = "Rekap kecamatan"
    sheet.append(
        [
            data.child_level_label,
            _("Kode"),
            _("TPS"),
            _("TPS lengkap"),
            _("Persen lengkap"),
            _("TPS kurang surat suara"),
            _("Pemilih (DPT)"),
        ]
    )
    for row in [*data.rows, data.total]:
        sheet.append(
            [
                row.name,
                row.code,
                row.tps,
                row.tps_fully_supplied,
                round(row.percent_supplied, 1),
                row.tps_ballot_short,
                row.voters,
            ]
        )
        if row.tps_ballot_short:
            sheet.cell(row=sheet.max_row, column=6).fill = red
    for cell in sheet[sheet.max_row]:
        cell.font = bold

    risky = book.create_sheet("Pengiriman berisiko")
    risky.append(
        [
            _("Kode"),
            _("Tahap"),
            _("Tujuan"),
            _("Kecamatan"),
            _("Moda"),
            _("Status"),
            _("Perkiraan tiba"),
            _("Perkiraan tiba di TPS"),
            _("Tenggat"),
            _("Selisih (jam)"),
            _("Pemilih terdampak"),
            _("Kerawanan"),
        ]
    )
    for r in data.at_risk:
        s = r.shipment
        risky.append(
            [
                s.code,
                s.get_stage_display(),
                r.destination,
                r.kecamatan,
                s.get_mode_display(),
                s.get_status_display(),
                _local(r.predicted_arrival),
                _local(r.predicted_at_destination),
                _local(r.deadline),
                r.slack_hours,
                r.voters,
                r.vulnerability_label,
            ]
        )

    repl = book.create_sheet("Permintaan penggantian")
    repl.append(
        [
            _("Pengiriman"),
            _("Wilayah"),
            _("TPS"),
            _("Barang"),
            _("Jumlah"),
            _("Alasan"),
            _("Instansi"),
            _("Tenggat"),
            _("Status"),
        ]
    )
    for r in data.replacements:
        repl.append(
            [
                r.shipment.code,
                r.region.name,
                r.tps.label if r.tps_id else "",
                r.item.name,
                r.quantity,
                r.get_reason_display(),
                r.assigned_agency.name,
                _local(r.deadline),
                r.get_status_display(),
            ]
        )

    return workbook_bytes(book, min_width=10, max_width=48)


def pdf_html(data: Briefing, *, request=None) -> str:
    """The HTML of the one-pager (kept separate so that tests can read it)."""
    return render_to_string(
        "logistics/briefing_pdf.html",
        {"data": data, "at_risk": data.at_risk[:12], "more": max(0, len(data.at_risk) - 12)},
        request=request,
    )


def pdf_bytes(html: str, *, base_url: str | None = None) -> bytes:
    """Render the one-pager with WeasyPrint (A4, no outside resources)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()
