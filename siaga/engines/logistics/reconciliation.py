"""Required vs dispatched vs received vs damaged, per TPS and rolled up per desa and kecamatan.

The service feeds this with one ``Movement`` per shipment line and handover line (or pre-summed
ones: several movements for the same TPS and item add up), so the engine never needs to know
how shipments nest (KPU → PPK → PPS → KPPS). Counts are those destined for a TPS.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from siaga.engines.logistics.requirements import Rule, requirements


@dataclass(frozen=True, slots=True)
class TpsInfo:
    """A TPS as reconciliation needs it. ``voters`` (those affected by a shortage) defaults to
    the DPT; a service may add DPTb/DPK when it knows them."""

    id: int
    desa: str
    kecamatan: str
    dpt: int
    voters: int | None = None

    def __post_init__(self) -> None:
        if self.voters is None:
            object.__setattr__(self, "voters", self.dpt)


@dataclass(frozen=True, slots=True)
class Movement:
    """Counts of one item for one TPS from one shipment line and/or handover line.

    ``received`` includes the ``damaged`` ones (they arrived, unusable); ``missing`` is what the
    receiving officer found short against the document. ``planned`` is the TPS's allocation in
    the distribution plan, whether it has left the warehouse or not: together with damaged and
    missing it tells whether the TPS will have enough once everything arrives.
    """

    tps_id: int
    item: str
    dispatched: int = 0
    received: int = 0
    damaged: int = 0
    missing: int = 0
    planned: int = 0  # in the distribution plan for this TPS, departed or not


@dataclass(frozen=True, slots=True)
class Line:
    """The reconciliation of one item (at one TPS, or summed over a region)."""

    required: int
    dispatched: int
    received: int
    damaged: int
    missing: int
    planned: int = 0

    @property
    def usable(self) -> int:
        return max(0, self.received - self.damaged)

    @property
    def expected(self) -> int:
        """What the TPS will have once everything planned arrives, less what is known lost."""
        return max(0, max(self.planned, self.dispatched) - self.damaged - self.missing)

    @property
    def shortage(self) -> int:
        """Net: on a summed line a surplus in one TPS hides a shortage in another; rollups also
        carry ``Rollup.shortage`` (the sum over TPS), which is what to show for a region."""
        return max(0, self.required - self.usable)

    @property
    def surplus(self) -> int:
        return max(0, self.usable - self.required)

    @property
    def short_dispatch(self) -> int:
        """Planned too little: the shortage is already in the plan, not on the road."""
        return max(0, self.required - self.dispatched)


@dataclass
class Rollup:
    """A region's (or the whole scope's) reconciliation: counts of TPS and summed lines.

    ``shortage``/``surplus`` per item are sums of the TPS-level figures, unlike
    ``items[x].shortage`` which nets surpluses against shortages across TPS.
    """

    code: str
    tps: int = 0
    tps_fully_supplied: int = 0
    tps_ballot_short: int = 0
    voters: int = 0
    items: dict[str, Line] = field(default_factory=dict)
    voters_ballot_short: int = 0
    shortage: dict[str, int] = field(default_factory=dict)
    surplus: dict[str, int] = field(default_factory=dict)

    @property
    def percent_supplied(self) -> float:
        """Share of TPS fully supplied, 0..100 (0 for a region without TPS: nothing to colour)."""
        return 100.0 * self.tps_fully_supplied / self.tps if self.tps else 0.0


@dataclass
class Reconciliation:
    """The result of ``reconcile``. ``unknown_tps`` lists TPS ids that had movements but were not
    in the TPS given (out of scope or deleted); their movements are left out of every figure."""

    by_tps: dict[int, dict[str, Line]]
    fully_supplied: set[int]
    ballot_short: set[int]
    by_desa: dict[str, Rollup]
    by_kecamatan: dict[str, Rollup]
    total: Rollup
    unknown_tps: set[int] = field(default_factory=set)


# Index of each figure in the accumulators (lists are much faster to add into than dataclasses).
_REQ, _DISP, _RECV, _DMG, _MISS, _SHORT, _SURPLUS, _PLAN = range(8)


class _Acc:
    """Mutable running sums for one region, turned into a ``Rollup`` at the end."""

    __slots__ = ("tps", "fully", "short", "voters", "voters_short", "items")

    def __init__(self) -> None:
        self.tps = self.fully = self.short = self.voters = self.voters_short = 0
        self.items: dict[str, list[int]] = {}

    def add(self, other: _Acc) -> None:
        self.tps += other.tps
        self.fully += other.fully
        self.short += other.short
        self.voters += other.voters
        self.voters_short += other.voters_short
        for item, sums in other.items.items():
            mine = self.items.get(item)
            if mine is None:
                self.items[item] = sums.copy()
            else:
                for i in range(8):
                    mine[i] += sums[i]

    def rollup(self, code: str) -> Rollup:
        items: dict[str, Line] = {}
        shortage: dict[str, int] = {}
        surplus: dict[str, int] = {}
        for item in sorted(self.items):
            s = self.items[item]
            items[item] = Line(s[_REQ], s[_DISP], s[_RECV], s[_DMG], s[_MISS], s[_PLAN])
            shortage[item] = s[_SHORT]
            surplus[item] = s[_SURPLUS]
        return Rollup(
            code=code,
            tps=self.tps,
            tps_fully_supplied=self.fully,
            tps_ballot_short=self.short,
            voters=self.voters,
            items=items,
            voters_ballot_short=self.voters_short,
            shortage=shortage,
            surplus=surplus,
        )


def reconcile(
    tps: Sequence[TpsInfo],
    rules: Sequence[Rule],
    movements: Iterable[Movement],
    ballot_items: Collection[str],
    *,
    total_code: str = "",
) -> Reconciliation:
    """Reconcile every TPS against its requirements and roll the result up by desa and kecamatan.

    A TPS is fully supplied when, for every item with a rule, usable ≥ required; it is ballot
    short ("flagged red") when for any item of ``ballot_items`` what it will have once the plan
    is delivered (``Line.expected``: planned or dispatched, less damaged and missing) is below
    what it requires, so a shortage in the plan or a loss on the road shows days before the
    ballots would have reached the TPS. Movements of
    items without a rule still count (required 0, so all of it is surplus). ``total_code`` names
    the total rollup (e.g. the regency code the scope covers).

    Raises ``ValueError`` on a negative count, a TPS id given twice, or a desa given under two
    kecamatan (the rollups would silently disagree).
    """
    dpt_by_tps: dict[int, int] = {}
    for info in tps:
        if info.id in dpt_by_tps:
            raise ValueError(f"TPS {info.id} is given twice.")
        dpt_by_tps[info.id] = info.dpt
    required = requirements(dpt_by_tps, rules)
    rule_items = [rule.item for rule in rules]
    ballots = frozenset(ballot_items)

    sums: dict[int, dict[str, list[int]]] = {tps_id: {} for tps_id in dpt_by_tps}
    unknown: set[int] = set()
    for m in movements:
        per_tps = sums.get(m.tps_id)
        if per_tps is None:
            unknown.add(m.tps_id)
            continue
        d, r, dm, mi, p = m.dispatched, m.received, m.damaged, m.missing, m.planned
        if d < 0 or r < 0 or dm < 0 or mi < 0 or p < 0:
            raise ValueError(
                f"Negative count for TPS {m.tps_id}, item {m.item!r}: dispatched {d}, "
                f"received {r}, damaged {dm}, missing {mi}, planned {p}."
            )
        acc = per_tps.get(m.item)
        if acc is None:
            per_tps[m.item] = [d, r, dm, mi, p]
        else:
            acc[0] += d
            acc[1] += r
            acc[2] += dm
            acc[3] += mi
            acc[4] += p

    by_tps: dict[int, dict[str, Line]] = {}
    fully_supplied: set[int] = set()
    ballot_short: set[int] = set()
    desa_acc: dict[str, _Acc] = {}
    kecamatan_of: dict[str, str] = {}
    zero = (0, 0, 0, 0, 0)
    # Lines are immutable and mostly repeat (2 boxes required, 2 sent, 2 received at thousands
    # of TPS): sharing equal ones is ~10× cheaper than building each and saves memory.
    interned: dict[tuple[int, int, int, int, int, int], Line] = {}
    for info in tps:
        tps_id = info.id
        needs = required[tps_id]
        moved = sums[tps_id]
        desa = desa_acc.get(info.desa)
        if desa is None:
            desa = desa_acc[info.desa] = _Acc()
            kecamatan_of[info.desa] = info.kecamatan
        elif kecamatan_of[info.desa] != info.kecamatan:
            raise ValueError(
                f"Desa {info.desa!r} is given under kecamatan {kecamatan_of[info.desa]!r} and "
                f"{info.kecamatan!r}."
            )
        desa_items = desa.items
        lines: dict[str, Line] = {}
        fully = True
        short = False
        items = rule_items if not moved else [*rule_items, *(i for i in moved if i not in needs)]
        for item in items:
            req = needs.get(item, 0)
            d, r, dm, mi, p = moved.get(item, zero)
            key = (req, d, r, dm, mi, p)
            line = interned.get(key)
            if line is None:
                line = interned[key] = Line(req, d, r, dm, mi, p)
            lines[item] = line
            usable = r - dm if r > dm else 0
            if usable < req:
                gap, extra = req - usable, 0
                fully = False
            else:
                gap, extra = 0, usable - req
            if item in ballots and max(p, d) - dm - mi < req:
                short = True
            s = desa_items.get(item)
            if s is None:
                desa_items[item] = [req, d, r, dm, mi, gap, extra, p]
            else:
                s[0] += req
                s[1] += d
                s[2] += r
                s[3] += dm
                s[4] += mi
                s[5] += gap
                s[6] += extra
                s[7] += p
        by_tps[tps_id] = lines
        voters = info.voters if info.voters is not None else info.dpt
        desa.tps += 1
        desa.voters += voters
        if fully:
            fully_supplied.add(tps_id)
            desa.fully += 1
        if short:
            ballot_short.add(tps_id)
            desa.short += 1
            desa.voters_short += voters

    kecamatan_acc: dict[str, _Acc] = {}
    total_acc = _Acc()
    for code, acc in desa_acc.items():
        kecamatan = kecamatan_acc.setdefault(kecamatan_of[code], _Acc())
        kecamatan.add(acc)
    for acc in kecamatan_acc.values():
        total_acc.add(acc)
    return Reconciliation(
        by_tps=by_tps,
        fully_supplied=fully_supplied,
        ballot_short=ballot_short,
        by_desa={code: acc.rollup(code) for code, acc in sorted(desa_acc.items())},
        by_kecamatan={code: acc.rollup(code) for code, acc in sorted(kecamatan_acc.items())},
        total=total_acc.rollup(total_code),
        unknown_tps=unknown,
    )
