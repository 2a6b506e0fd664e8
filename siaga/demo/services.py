"""Loading the Kutai Timur demo: regions, the deployment and its clock, agencies, TPS, users,
the TPS vulnerability ratings and the logistics distribution plan as it stands on H-3.

``demo_load`` is idempotent and deterministic: a second run finds everything in place, writes
no TPS, region, agency, user or shipment, and only puts the clock back to the morning of H-3
(recorded in the one ``demo.load`` audit event of each run).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from shapely.geometry import Point

from siaga.accounts.choices import AgencyKind, Role
from siaga.accounts.models import Agency, User
from siaga.accounts.services import agency_upsert, user_upsert
from siaga.checklists.demo import ChecklistDemoSummary, checklists_demo_load
from siaga.coordination.demo import coordination_demo_load
from siaga.core import clock
from siaga.core.audit import AuditContext, audit_record
from siaga.core.errors import DomainError
from siaga.core.models import Deployment
from siaga.demo import kutai_timur as facts
from siaga.demo.generator import (
    DemoPlan,
    DesaInput,
    KecamatanInput,
    generate_tps,
    geometry_from_geojson,
)
from siaga.demo.incidents import incidents_demo_load
from siaga.demo.logistics import LogisticsDemoSummary, at_risk_fill, logistics_demo_load
from siaga.demo.media import MediaDemoSummary, demo_media_load
from siaga.demo.risk import risk_mapping_load
from siaga.demo.voters import VotersDemoSummary, demo_voters_load
from siaga.postelection.demo import postelection_demo_load
from siaga.reports.demo import reports_demo_load
from siaga.risk.compute import risk_recompute
from siaga.security.demo import security_demo_load
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region, Tps
from siaga.wilayah.reference import regions_load_reference

# One password for every demo account: long enough for the validators, easy to type on a phone.
DEMO_PASSWORD = "siaga-kutim-2024"  # noqa: S105 - printed on purpose: it is the demo's
TPS_FIELDS = ("address", "lat", "lon", "dpt_male", "dpt_female", "special_location")


@dataclass(frozen=True)
class DemoUser:
    """One demo account: who, which agency, and where (region codes) it sees."""

    username: str
    role: Role
    agency: str
    scope: tuple[str, ...]
    full_name: str
    assign_tps: bool = False  # field monitors: every TPS of their desa


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", Role.ADMIN, "kesbangpol", ("64.08",), "Admin Sekretariat TP3D"),
    DemoUser("analis", Role.ANALYST, "kesbangpol", ("64.08",), "Analis Kesbangpol"),
    DemoUser("pimpinan", Role.LEADERSHIP, "pemkab", ("64.08",), "Pjs Bupati Kutai Timur"),
    DemoUser("polres", Role.LIAISON, "polres", ("64.08",), "Bag Ops Polres Kutai Timur"),
    DemoUser("polsek.sangatta", Role.LIAISON, "polres", ("64.08.04",), "Polsek Sangatta Utara"),
    DemoUser("kpu.logistik", Role.LIAISON, "kpu", ("64.08",), "Divisi Logistik KPU Kutai Timur"),
    DemoUser(
        "bawaslu", Role.LIAISON, "bawaslu", ("64.08",), "Divisi Penanganan Pelanggaran Bawaslu"
    ),
    DemoUser("kodim", Role.LIAISON, "kodim", ("64.08",), "Staf Intel Kodim 0909/Kutai Timur"),
    DemoUser(
        "bhabin.sangkima",
        Role.FIELD_MONITOR,
        "polres",
        ("64.08.12.2003",),
        "Bhabinkamtibmas Sangkima",
        assign_tps=True,
    ),
    DemoUser("diskominfo", Role.LIAISON, "diskominfo", ("64.08",), "Analis Media Diskominfo"),
    DemoUser("bot.diskominfo", Role.MACHINE, "diskominfo", ("64.08",), "Pemantau Media Otomatis"),
)


@dataclass(frozen=True)
class DemoAccount:
    """A demo account as printed for the new user."""

    username: str
    role: str
    role_label: str
    agency: str
    scope: str
    password: str | None


@dataclass
class DemoSummary:
    """What the demo holds after loading, and what this run changed."""

    election_name: str
    voting_day: dt.date
    clock_now: dt.datetime
    kecamatan: int = 0
    desa: int = 0
    tps: int = 0
    dpt: int = 0
    dpt_male: int = 0
    dpt_female: int = 0
    regions_created: int = 0
    regions_updated: int = 0
    tps_created: int = 0
    tps_updated: int = 0
    region_points_set: int = 0
    tps_vulnerability_set: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)
    logistics: LogisticsDemoSummary | None = None
    incidents: dict[str, int] = field(default_factory=dict)
    checklists: ChecklistDemoSummary | None = None
    voters: VotersDemoSummary | None = None
    media: MediaDemoSummary | None = None
    watch: dict[str, int] = field(default_factory=dict)  # the watch after the vote: counts
    coordination: dict = field(default_factory=dict)  # the 21 November meeting and its tasks
    risk_by_category: dict[str, int] = field(default_factory=dict)  # Tps.vulnerability -> TPS
    risk_alerts: int = 0
    security: dict = field(default_factory=dict)  # personnel and the voting-day plan
    report: dict = field(default_factory=dict)  # the situation report of the demo day


def demo_load(
    *,
    context: AuditContext,
    national_regions: bool = True,
    voting_day: bool = False,
    media: bool = True,
) -> DemoSummary:
    """Load (or refresh) the Kutai Timur demo and set the clock to 10:00 WITA on H-3.

    ``national_regions`` loads the Kemendagri code list for all of Indonesia; otherwise only
    Kutai Timur with its province, which is what the tests use for speed. ``voting_day`` plays
    the demo on voting day instead (15:30 WITA), with the voting-day stream of incident reports.
    ``media=False`` leaves out the day of social-media posts (tests of other modules).
    """
    now = demo_now(voting_day=voting_day)
    loaded = regions_load_reference(
        context=context, only=None if national_regions else facts.REGENCY_CODE
    )
    with transaction.atomic():
        regency = Region.objects.filter(code=facts.REGENCY_CODE).first()
        if regency is None:
            raise DomainError(
                _("Wilayah %(code)s tidak ada di daftar kode wilayah.")
                % {"code": facts.REGENCY_CODE}
            )
        deployment = _deployment_set(regency=regency, now=now)
        agencies = {
            a.code: agency_upsert(
                context=context, code=a.code, name=a.name, kind=AgencyKind(a.kind), region=regency
            )
            for a in facts.AGENCIES
        }
        kecamatan = _kecamatan_inputs(regency)
        try:
            plan = generate_tps(kecamatan)
        except ValueError as error:
            message = _("Data demo tidak dapat dibuat: %(error)s") % {"error": error}
            raise DomainError(message) from error
        created, updated = _tps_write(plan)
        points_set = _region_points_set(regency=regency, kecamatan=kecamatan, plan=plan)
        accounts = _users_upsert(context=context, agencies=agencies)
        # The mapping and the index it gives "yesterday": what the logistics plan ranks by.
        mapped = risk_mapping_load(context=context, regency_code=regency.code, now=now)
        vulnerability_set = 0
        if mapped:
            yesterday = risk_recompute(
                context=context, prefix=regency.code, now=now - dt.timedelta(days=1)
            )
            vulnerability_set = yesterday.changed
        logistics = logistics_demo_load(context=context, now=now)
        incidents = incidents_demo_load(context=context, now=now)
        checklists = checklists_demo_load(context=context, regency_code=regency.code, now=now)
        watch = postelection_demo_load(context=context, now=now, regency_code=regency.code)
        coordination = coordination_demo_load(context=context, now=now)
        summary = DemoSummary(
            election_name=deployment.election_name,
            voting_day=deployment.voting_day,
            clock_now=clock.now(),
            regions_created=loaded.created,
            regions_updated=loaded.updated,
            tps_created=created,
            tps_updated=updated,
            region_points_set=points_set,
            tps_vulnerability_set=vulnerability_set,
            accounts=accounts,
            logistics=logistics,
            incidents=incidents,
            checklists=checklists,
            watch=watch,
            coordination=coordination,
        )
        _totals_fill(summary, regency)
        audit_record(
            context=context,
            action="demo.load",
            obj=deployment,
            region_code=regency.code,
            after={
                "election_name": deployment.election_name,
                "voting_day": deployment.voting_day,
                "clock_now": summary.clock_now,
                "clock_offset_seconds": deployment.clock_offset_seconds,
                "tps_created": created,
                "tps_updated": updated,
                "region_points_set": points_set,
                "tps": summary.tps,
                "dpt": summary.dpt,
                "tps_vulnerability_set": vulnerability_set,
                "shipments": logistics.shipments,
                "shipments_by_status": logistics.by_status,
                "shipments_changed": logistics.changed,
                "shipments_at_risk": len(logistics.at_risk),
                "incidents_by_state": incidents,
            },
        )
    # After the commit: a failing double-registration search must not undo the whole demo.
    summary.voters = demo_voters_load(context=context)
    if media:
        clock.clear_cache()  # the media pipeline reads the demo's clock, set above
        summary.media = demo_media_load(context=context, now=now, regency_code=facts.REGENCY_CODE)
    if mapped:
        # Now, with every module's live signals: what rose since yesterday raises alerts.
        clock.clear_cache()
        run = risk_recompute(context=context, prefix=facts.REGENCY_CODE, now=now)
        summary.risk_alerts = run.alerts
    if summary.logistics is not None:
        at_risk_fill(summary.logistics, now=now)
    # Personnel and the voting-day deployment plan, on the index as it stands now.
    summary.security = security_demo_load(context=context, regency_code=facts.REGENCY_CODE)
    # The day's situation report, from everything above.
    summary.report = reports_demo_load(context=context, now=now)
    summary.risk_by_category = dict(
        Tps.objects.filter(desa__code__startswith=facts.REGENCY_CODE + ".")
        .values_list("vulnerability")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return summary


def demo_now(*, voting_day: bool = False) -> dt.datetime:
    """The moment the demo plays at: 10:00 WITA three days before voting day, or voting day."""
    local = facts.VOTING_DAY_NOW_LOCAL if voting_day else facts.DEMO_NOW_LOCAL
    return local.replace(tzinfo=ZoneInfo(facts.DEMO_TIME_ZONE))


def _deployment_set(*, regency: Region, now: dt.datetime) -> Deployment:
    deployment = Deployment.objects.select_for_update().order_by("pk").first()
    if deployment is None:
        deployment = Deployment(regency=regency)
    deployment.regency = regency
    deployment.election_name = facts.ELECTION_NAME
    deployment.voting_day = facts.VOTING_DAY
    deployment.clock_offset_seconds = clock.offset_for(now)
    deployment.save()
    clock.clear_cache()
    return deployment


def _kecamatan_inputs(regency: Region) -> list[KecamatanInput]:
    desa_by_kecamatan: dict[str, list[DesaInput]] = {}
    villages = Region.objects.filter(
        level=Level.VILLAGE, code__startswith=regency.code + "."
    ).values_list("code", "name", "parent_id", "boundary")
    for code, name, parent, boundary in villages.order_by("code"):
        desa_by_kecamatan.setdefault(parent, []).append(DesaInput(code, name, boundary))
    return [
        KecamatanInput(code, name, tuple(desa_by_kecamatan.get(code, ())))
        for code, name in Region.objects.filter(level=Level.DISTRICT, parent=regency)
        .order_by("code")
        .values_list("code", "name")
    ]


def _tps_write(plan: DemoPlan) -> tuple[int, int]:
    """Upsert the planned TPS by (desa, number) in bulk; returns (created, updated)."""
    desa_codes = {record.desa_code for record in plan.tps}
    existing = {
        (tps.desa_id, tps.number): tps for tps in Tps.objects.filter(desa_id__in=desa_codes)
    }
    to_create, to_update, changed_fields = [], [], set()
    for record in plan.tps:
        values = {name: getattr(record, name) for name in TPS_FIELDS}
        tps = existing.get((record.desa_code, record.number))
        if tps is None:
            to_create.append(Tps(desa_id=record.desa_code, number=record.number, **values))
            continue
        changed = {name for name, value in values.items() if getattr(tps, name) != value}
        if changed:
            for name in changed:
                setattr(tps, name, values[name])
            changed_fields |= changed
            to_update.append(tps)
    Tps.objects.bulk_create(to_create, batch_size=500)
    # Only the fields that changed (after a boundary import: lat and lon), in small batches:
    # bulk_update's CASE expressions grow with the batch and slow SQLite down.
    fields = [name for name in TPS_FIELDS if name in changed_fields]
    if to_update:
        Tps.objects.bulk_update(to_update, fields, batch_size=100)
    return len(to_create), len(to_update)


def _inside(region: Region) -> bool:
    if region.lat is None or region.lon is None:
        return False
    if not region.boundary:
        return True
    return geometry_from_geojson(region.boundary).covers(Point(region.lon, region.lat))


def _region_points_set(*, regency: Region, kecamatan: list[KecamatanInput], plan: DemoPlan) -> int:
    """Give the regency, kecamatan and desa a map point where they have none (or a stray one).

    A point an import already placed inside its boundary is kept; a desa with a boundary gets
    its polygon's representative point, one without gets the demo's point near its town.
    """
    wanted: dict[str, tuple[float, float]] = {regency.code: facts.REGENCY_TOWN}
    for kec in kecamatan:
        kec_facts = facts.KECAMATAN.get(kec.code)
        if kec_facts:
            wanted[kec.code] = (kec_facts.lat, kec_facts.lon)
    wanted.update(plan.desa_points)
    changed = []
    for region in Region.objects.filter(code__in=list(wanted)):
        if _inside(region):
            continue
        if region.boundary and region.level != Level.VILLAGE:
            rep = geometry_from_geojson(region.boundary).representative_point()
            point = (round(rep.y, 6), round(rep.x, 6))
        else:
            point = wanted[region.code]
        if (region.lat, region.lon) != point:
            region.lat, region.lon = point
            changed.append(region)
    Region.objects.bulk_update(changed, ["lat", "lon"], batch_size=500)
    return len(changed)


def _users_upsert(*, context: AuditContext, agencies: dict[str, Agency]) -> list[DemoAccount]:
    accounts = []
    regions = Region.objects.in_bulk([code for u in DEMO_USERS for code in u.scope])
    for spec in DEMO_USERS:
        scope = [regions[code] for code in spec.scope if code in regions]
        assigned = (
            list(Tps.objects.filter(desa__in=scope).order_by("desa_id", "number"))
            if spec.assign_tps
            else None
        )
        password = None if spec.role == Role.MACHINE else DEMO_PASSWORD
        existing = User.objects.filter(username=spec.username).first()
        if password:
            first, _sep, last = spec.full_name.partition(" ")
            validate_password(
                password, User(username=spec.username, first_name=first, last_name=last)
            )
        # Setting the same password again would rehash it and log a change on every run.
        new_password = (
            password
            if password and (existing is None or not existing.check_password(password))
            else None
        )
        user_upsert(
            context=context,
            username=spec.username,
            role=spec.role,
            agency=agencies[spec.agency],
            scope=scope,
            password=new_password,
            full_name=spec.full_name,
            assigned_tps=assigned,
        )
        accounts.append(
            DemoAccount(
                username=spec.username,
                role=spec.role.value,
                role_label=str(spec.role.label),
                agency=agencies[spec.agency].name,
                scope=_scope_label(scope, assigned),
                password=password,
            )
        )
    return accounts


def _scope_label(scope: list[Region], assigned: list[Tps] | None) -> str:
    prefix = {Level.REGENCY: "", Level.DISTRICT: "Kec. ", Level.VILLAGE: "Desa "}
    text = ", ".join(f"{prefix.get(r.level, '')}{r.name}" for r in scope)
    if assigned:
        text += f" ({len(assigned)} TPS)"
    return text


def _totals_fill(summary: DemoSummary, regency: Region) -> None:
    under = regency.code + "."
    levels = dict(
        Region.objects.filter(code__startswith=under)
        .values_list("level")
        .annotate(n=Count("code"))
        .order_by()
    )
    summary.kecamatan = levels.get(Level.DISTRICT, 0)
    summary.desa = levels.get(Level.VILLAGE, 0)
    totals = Tps.objects.filter(desa__code__startswith=under).aggregate(
        n=Count("pk"), male=Coalesce(Sum("dpt_male"), 0), female=Coalesce(Sum("dpt_female"), 0)
    )
    summary.tps = totals["n"]
    summary.dpt_male, summary.dpt_female = totals["male"], totals["female"]
    summary.dpt = summary.dpt_male + summary.dpt_female
