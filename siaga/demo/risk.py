"""The demo's mapping of vulnerable TPS (Bawaslu's yes/no per indicator), and its index.

The mapping is written as the Bawaslu/Polres mapping of Kutai Timur would be: each rated area of
``kutai_timur.VULNERABLE_AREAS`` gets the indicators its reason names (land conflict, river-only
access, a mine next door...) and the history indicators that make its rating add up; the remote
river kecamatan are hard to reach, often without signal or power; Sangatta's TPS have movers
(DPTb) and unregistered voters (DPK), the larger ones ineligible names on the roll, and the most
crowded (500 voters or more) sit by candidates' posts in the officials' quarter: rawan. Two
kecamatan are not mapped yet. The index is computed twice: "yesterday", from the mapping alone
(that is what the logistics plan ranks by), and at the demo's moment, when the live signals of
the other modules (late shipments, confirmed double voters, verified incidents, hoaxes) lift
some TPS, which raises alerts and shows on the map as the change since yesterday.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from siaga.core.audit import AuditContext, audit_record
from siaga.demo import kutai_timur as facts
from siaga.risk.catalogue import DEFAULT_INDICATORS
from siaga.risk.choices import ValueOrigin
from siaga.risk.models import Indicator, IndicatorValue, RegionalIndex, TpsAssessment
from siaga.risk.services import assessments_mark, indicators_seed
from siaga.wilayah.models import Tps

WEIGHTS = {code: weight for code, _v, _n, _s, weight, _sat in DEFAULT_INDICATORS}
RAWAN, SANGAT_RAWAN = 25, 50
NO_SIGNAL_DESA = 37  # villages of Kutai Timur without a phone signal (the TP3D's count)
SANGATTA = ("64.08.04", "64.08.12")
CROWDED = 500  # voters: a TPS this full in the regency seat is mapped rawan
CROWDED_INDICATORS = {"hak_pilih.penyelenggara", "lokasi.dekat_paslon", "netralitas.asn"}
# Words of a rated area's reason -> the indicators they stand for.
REASON_INDICATORS = (
    (("sengketa", "konflik", "pembebasan lahan"), "lokasi.rawan_konflik"),
    (("longboat", "sungai", "speedboat", "laut", "akses"), "lokasi.sulit_dijangkau"),
    (("tambang",), "lokasi.dekat_fasilitas"),
    (("ombak", "cuaca", "hujan", "hulu"), "lokasi.rawan_bencana"),
)
# History that comes with each kind of area, in the order the mapping would add it.
CONFLICT_HISTORY = ("keamanan.intimidasi", "politik_uang.riwayat", "keamanan.riwayat_kekerasan",
                    "keamanan.penolakan", "netralitas.perangkat_desa")  # fmt: skip
ACCESS_HISTORY = ("listrik.tanpa_sinyal", "logistik.riwayat", "listrik.padam",
                  "hak_pilih.penyelenggara", "keamanan.intimidasi", "keamanan.riwayat_kekerasan",
                  "politik_uang.riwayat")  # fmt: skip
MINE_HISTORY = ("hak_pilih.tms", "hak_pilih.dptb", "hak_pilih.dpk", "politik_uang.riwayat",
                "netralitas.asn", "keamanan.intimidasi")  # fmt: skip
IKP = {"year": 2024, "score": 58.4, "source": "Angka ilustrasi demo, bukan IKP resmi Bawaslu"}


def _score(codes: set[str]) -> float:
    return sum(WEIGHTS[c] for c in codes)


def _rated(codes: set[str], level: str, reason: str) -> set[str]:
    """Add the area's history until the score reaches its rating's band."""
    low, high = (SANGAT_RAWAN, 101) if level == "sangat_rawan" else (RAWAN, SANGAT_RAWAN)
    if "lokasi.rawan_konflik" in codes:
        history = CONFLICT_HISTORY + ACCESS_HISTORY
    elif "lokasi.sulit_dijangkau" in codes:
        history = ACCESS_HISTORY
    else:
        history = MINE_HISTORY
    for code in history:
        if _score(codes) >= low:
            break
        if code not in codes and _score(codes) + WEIGHTS[code] < high:
            codes.add(code)
    if not low <= _score(codes) < high:  # pragma: no cover - the facts are fixed
        raise ValueError(f"demo mapping of {reason!r} does not reach {level}")
    return codes


def mapping(tps: list[tuple[int, str, int, int]]) -> dict[int, set[str]]:
    """Indicator codes present per TPS id, from (id, desa, number, DPT) rows."""
    remote_desa = sorted({desa for _pk, desa, _n, _d in tps if desa[:8] in facts.REMOTE_KECAMATAN})
    no_signal = set(remote_desa[::2][:NO_SIGNAL_DESA])
    out: dict[int, set[str]] = {}
    for pk, desa, number, dpt in tps:
        kecamatan = desa[:8]
        if kecamatan in facts.UNRATED_KECAMATAN:
            continue
        codes: set[str] = set()
        if kecamatan in facts.REMOTE_KECAMATAN:
            codes |= {"lokasi.sulit_dijangkau", "listrik.padam"}
            if desa in no_signal:
                codes.add("listrik.tanpa_sinyal")
        if kecamatan in SANGATTA:
            codes |= {"hak_pilih.dptb", "hak_pilih.dpk"}
            if dpt >= 480:
                codes.add("hak_pilih.tms")
            if dpt >= CROWDED:  # the seat's crowded TPS: candidates' posts, officials' quarter
                codes |= CROWDED_INDICATORS
        if number % 4 == 0:
            codes.add("hak_pilih.disabilitas")
        out[pk] = codes
    by_place = {(desa, number): pk for pk, desa, number, _d in tps}
    for area in facts.VULNERABLE_AREAS:
        numbers = area.tps_numbers or [n for (d, n) in by_place if d == area.desa]
        for number in numbers:
            pk = by_place.get((area.desa, number))
            if pk is None:
                continue
            codes = set(out.get(pk, set()))
            reason = area.reason.lower()
            for words, code in REASON_INDICATORS:
                if any(word in reason for word in words):
                    codes.add(code)
            codes.discard("hak_pilih.disabilitas")
            # A later entry overrides an earlier one (a desa rawan, its TPS 001 sangat rawan).
            out[pk] = _rated(codes, area.level, area.reason)
    return out


def risk_mapping_load(*, context: AuditContext, regency_code: str, now: dt.datetime) -> int:
    """Write the demo mapping (idempotent); returns how many values were added or removed."""
    indicators_seed(context=context)
    rows = list(
        Tps.objects.filter(desa__code__startswith=regency_code + ".").values_list(
            "pk", "desa_id", "number", "dpt_male", "dpt_female"
        )
    )
    wanted = mapping([(pk, desa, n, m + f) for pk, desa, n, m, f in rows])
    static = set(Indicator.objects.filter(source="static").values_list("code", flat=True))
    pairs = {(pk, code) for pk, codes in wanted.items() for code in codes if code in static}
    existing = set(
        IndicatorValue.objects.filter(tps_id__in=[r[0] for r in rows]).values_list(
            "tps_id", "indicator_id"
        )
    )
    new, gone = pairs - existing, existing - pairs
    unmarked = set(wanted) - set(
        TpsAssessment.objects.filter(tps_id__in=list(wanted)).values_list("tps_id", flat=True)
    )
    if not new and not gone and not unmarked:
        return 0
    with transaction.atomic():
        for pk, code in gone:
            IndicatorValue.objects.filter(tps_id=pk, indicator_id=code).delete()
        IndicatorValue.objects.bulk_create(
            [
                IndicatorValue(tps_id=pk, indicator_id=code, value=1.0, origin=ValueOrigin.IMPORT,
                               note="Pemetaan TPS rawan (demo)", updated_at=now)
                for pk, code in sorted(new)
            ],
            batch_size=1000,
        )  # fmt: skip
        assessments_mark(sorted(unmarked), origin=ValueOrigin.IMPORT, now=now)
        RegionalIndex.objects.update_or_create(
            region_id=regency_code,
            year=IKP["year"],
            defaults={"score": IKP["score"], "source": IKP["source"]},
        )
        audit_record(
            context=context,
            action="demo.risk_mapping",
            object_type="risk.indicatorvalue",
            object_id="",
            object_repr="Pemetaan TPS rawan (demo)",
            region_code=regency_code,
            after={"added": len(new), "removed": len(gone), "tps": len(wanted)},
        )
    return len(new) + len(gone) + len(unmarked)
