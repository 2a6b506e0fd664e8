"""Live values of the index, from the other modules, through one small interface.

A provider reads one module through that module's selectors and returns, per indicator code it
feeds, a value per TPS id. The providers in force are named in ``SIAGA_RISK_PROVIDERS``; one
whose module is not installed (not built yet, or switched off in a deployment) provides nothing,
and the index is computed from what the others give. Signals about an area (a desa or kecamatan
named by a post, an incident reported for a desa) count for every TPS in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from django.apps import apps
from django.conf import settings
from django.db.models import Q
from django.utils.module_loading import import_string

from siaga.core.permissions import SYSTEM
from siaga.risk.choices import Source

Values = dict[str, dict[int, float]]  # indicator code -> {tps id: value}

VERIFIED_STATES = ("diverifikasi", "ditindaklanjuti", "selesai")


@dataclass(frozen=True)
class ProviderContext:
    """What a provider is asked: live signals since ``since`` for the TPS under ``prefix``."""

    now: dt.datetime
    since: dt.datetime
    prefix: str
    tps_under: Callable[[str], list[int]]  # region code (desa, kecamatan) -> TPS ids in it


class Provider(Protocol):
    source: str  # the Source whose indicators it feeds
    app: str  # the module it reads: not installed, it provides nothing

    def collect(self, ctx: ProviderContext) -> Values: ...


def _add(out: Values, code: str, tps_ids: Iterable[int], amount: float = 1.0) -> None:
    column = out.setdefault(code, {})
    for tps_id in tps_ids:
        column[tps_id] = column.get(tps_id, 0.0) + amount


def _under(field: str, prefix: str) -> Q:
    """Rows whose region code ``field`` is ``prefix`` or lies under it (all when empty)."""
    if not prefix:
        return Q()
    return Q(**{field: prefix}) | Q(**{f"{field}__startswith": prefix + "."})


class VotersProvider:
    """Confirmed double registrations (K1, K3) among a TPS's voters."""

    source, app = Source.VOTERS, "siaga.voters"

    def collect(self, ctx: ProviderContext) -> Values:
        from siaga.voters.selectors import tps_flagged

        qs = tps_flagged().filter(_under("desa__code", ctx.prefix))
        return {"hak_pilih.pemilih_ganda": {pk: 1.0 for pk in qs.values_list("pk", flat=True)}}


class IncidentsProvider:
    """Verified incidents of the live window, by category, at their TPS (or every TPS of their
    desa when the report names no TPS)."""

    source, app = Source.INCIDENTS, "siaga.incidents"
    BY_CATEGORY = {
        "kekerasan": "keamanan.insiden",
        "intimidasi": "keamanan.insiden",
        "politik-uang": "politik_uang.laporan",
        "pemilih-ganda": "hak_pilih.laporan",
        "netralitas": "netralitas.laporan",
        "kampanye-masa-tenang": "netralitas.laporan",
        "logistik": "logistik.laporan",
        "bencana-gangguan": "listrik.gangguan",
    }

    def collect(self, ctx: ProviderContext) -> Values:
        from siaga.incidents.models import Incident

        qs = Incident.objects.filter(
            state__in=VERIFIED_STATES,
            occurred_at__gte=ctx.since,
            occurred_at__lte=ctx.now,
            category__code__in=list(self.BY_CATEGORY),
        ).filter(_under("region__code", ctx.prefix))
        out: Values = {}
        for category, desa, tps in qs.values_list("category__code", "region_id", "tps_id"):
            _add(out, self.BY_CATEGORY[category], [tps] if tps else ctx.tps_under(desa))
        return out


class LogisticsProvider:
    """Shipments late or predicted to miss H-1, and open replacement requests (short or
    damaged items), at their TPS or every TPS of the region they go to."""

    source, app = Source.LOGISTICS, "siaga.logistics"

    def collect(self, ctx: ProviderContext) -> Values:
        from siaga.logistics.choices import ReplacementStatus
        from siaga.logistics.models import ReplacementRequest
        from siaga.logistics.selectors import shipments_at_risk

        out: Values = {}
        late: set[int] = set()
        for row in shipments_at_risk(user=SYSTEM, region=ctx.prefix or None, now=ctx.now):
            shipment = row.shipment
            if shipment.destination_tps_id:
                late.add(shipment.destination_tps_id)
            else:
                late.update(ctx.tps_under(shipment.destination_region_id))
        _add(out, "logistik.terlambat", late)
        open_requests = ReplacementRequest.objects.filter(
            _under("region__code", ctx.prefix),
            status__in=(ReplacementStatus.OPEN, ReplacementStatus.IN_PROGRESS),
        )
        for tps, region in open_requests.values_list("tps_id", "region_id"):
            _add(out, "logistik.kurang", [tps] if tps else ctx.tps_under(region))
        return out


class MediaProvider:
    """Posts of the live window flagged as hoax, provocation, SARA or hate that name a desa or
    kecamatan, counted for every TPS in it; a hoax analysts confirmed counts twice. A post that
    names only the regency says nothing about any one TPS and is left out."""

    source, app = Source.MEDIA, "siaga.media"
    MIN_DEPTH = 3  # kecamatan (64.08.01) and deeper

    def collect(self, ctx: ProviderContext) -> Values:
        from siaga.media.selectors import region_signals

        out: Values = {}
        for code, counts in region_signals(since=ctx.since, prefix=ctx.prefix).items():
            if code.count(".") + 1 < self.MIN_DEPTH:
                continue
            amount = sum(counts[k] for k in ("hoaks", "provokasi", "sara", "ujaran_kebencian"))
            amount += counts["confirmed"]
            if amount:
                _add(out, "sara.medsos", ctx.tps_under(code), float(amount))
        return out


class ChecklistsProvider:
    """TPS whose checklist of a phase already due is missing or came late."""

    source, app = Source.CHECKLISTS, "siaga.checklists"

    def collect(self, ctx: ProviderContext) -> Values:
        from siaga.checklists.selectors import problem_counts

        counts = problem_counts(prefix=ctx.prefix, now=ctx.now)
        return {"pengawasan.checklist": {pk: float(n) for pk, n in counts.items()}}


class WilayahProvider:
    """Special-location TPS (a prison, a hospital, a mine camp), from the TPS data itself."""

    source, app = Source.WILAYAH, "siaga.wilayah"

    def collect(self, ctx: ProviderContext) -> Values:
        from siaga.wilayah.models import Tps

        qs = Tps.objects.exclude(special_location="").filter(_under("desa__code", ctx.prefix))
        return {"lokasi.khusus": {pk: 1.0 for pk in qs.values_list("pk", flat=True)}}


def providers_active() -> list[Provider]:
    """The providers named in settings whose module is installed."""
    found = []
    for path in settings.SIAGA_RISK_PROVIDERS:
        provider = import_string(path)()
        if apps.is_installed(provider.app):
            found.append(provider)
    return found
