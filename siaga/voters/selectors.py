"""Reads of the double-registration review: the queue, the counts per region and TPS, the flags.

Every function applies the user's region scope (``siaga.core.permissions.user_scope``): a pair
is visible when either of its voters' desa lies in the scope, and counts only count the
registrations (the pair's sides) that lie in it, so a scope never learns what lies beyond it.

Who reads what:

* the queue and the pairs (``pairs_visible``): reviewers (``Action.REVIEW_VOTERS``: the
  secretariat's analysts, KPU and Bawaslu liaisons). Everybody else gets an empty queryset;
* the counts (``duplicate_counts``, ``duplicate_map``): reviewers and readers of the situation
  room (``Action.VIEW``: leadership, liaisons), numbers only, no names and no NIK;
* ``tps_flagged``: the TPS with a confirmed double registration, for the TPS supervisors, the
  risk module and the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from siaga.core.permissions import Action, can, user_scope
from siaga.voters.models import DuplicateClass, DuplicatePair, PairStatus, Voter
from siaga.wilayah.models import Region, Tps

LEVELS = ("kecamatan", "desa", "tps")
DOUBLE_CLASSES = (DuplicateClass.K1, DuplicateClass.K3)  # double registrations; K2 is a data error


class NotFound(Exception):
    """The pair does not exist or lies outside the user's scope (the page answers 404)."""


def may_review(user) -> bool:
    return can(user, Action.REVIEW_VOTERS)


def may_see_counts(user) -> bool:
    """Leadership and liaisons see the counts; reviewers too. Field monitors do not."""
    return can(user, Action.VIEW) or can(user, Action.REVIEW_VOTERS)


def _scope_q(user, field: str) -> Q:
    """Rows whose voter ``field`` (a path to a Voter) lies in the user's scope."""
    return user_scope(user).q(f"{field}desa__code")


def pairs_visible(user) -> QuerySet[DuplicatePair]:
    """Pairs with either voter's desa in the user's scope, for reviewers only (else none)."""
    if not may_review(user):
        return DuplicatePair.objects.none()
    return DuplicatePair.objects.filter(_scope_q(user, "voter_l__") | _scope_q(user, "voter_r__"))


def pairs_filter(
    qs: QuerySet[DuplicatePair],
    *,
    klass: str = "",
    status: str = "",
    region: str = "",
    min_probability: float | None = None,
) -> QuerySet[DuplicatePair]:
    """The queue's filters; ``region`` (a kecamatan or desa code) matches either voter."""
    if klass:
        qs = qs.filter(klass=klass)
    if status:
        qs = qs.filter(status=status)
    if region:
        code = region.strip()
        qs = qs.filter(
            Q(voter_l__desa_id=code)
            | Q(voter_l__desa__code__startswith=code + ".")
            | Q(voter_r__desa_id=code)
            | Q(voter_r__desa__code__startswith=code + ".")
        )
    if min_probability is not None:
        qs = qs.filter(probability__gte=min_probability)
    return qs


def pair_get(*, user, pk: int) -> DuplicatePair:
    """One pair the user may review, with both voters, their desa and TPS."""
    pair = (
        pairs_visible(user)
        .select_related(
            "voter_l__desa__parent",
            "voter_l__tps",
            "voter_r__desa__parent",
            "voter_r__tps",
            "decided_by",
            "run",
        )
        .filter(pk=pk)
        .first()
    )
    if pair is None:
        raise NotFound(pk)
    return pair


# --- counts ----------------------------------------------------------------------------------


@dataclass
class DuplicateCount:
    """Pairs per region or TPS, by class. A pair whose two registrations lie in two places
    counts in both; in one place, once. ``double`` (K1 + K3) are double registrations; ``k2``
    (one NIK on two people) are data errors, counted apart."""

    code: str  # region code, or the TPS pk as text
    name: str
    parent: str = ""  # the kecamatan of a desa, the desa of a TPS
    k1: int = 0
    k2: int = 0
    k3: int = 0
    tps_id: int | None = None
    lat: float | None = None
    lon: float | None = None

    @property
    def double(self) -> int:
        return self.k1 + self.k3

    @property
    def total(self) -> int:
        return self.k1 + self.k2 + self.k3


def _sides(user, statuses: tuple[str, ...]) -> list[tuple[int, str, str, int, str]]:
    """(pair pk, class, status, TPS id, desa code) for each in-scope side of the pairs."""
    scope = user_scope(user)
    base = DuplicatePair.objects.filter(status__in=statuses).order_by()
    rows = []
    for side in ("voter_l__", "voter_r__"):
        qs = base.filter(scope.q(f"{side}desa__code"))
        if scope.tps_ids is not None:
            qs = qs.filter(**{f"{side}tps_id__in": sorted(scope.tps_ids)})
        rows.extend(qs.values_list("pk", "klass", "status", f"{side}tps_id", f"{side}desa_id"))
    return rows


def _unit(level: str, tps_id: int, desa: str) -> str:
    if level == "tps":
        return str(tps_id)
    return desa if level == "desa" else desa[:8]


def _count(
    user, *, level: str, statuses: tuple[str, ...]
) -> dict[str, dict[str, dict[str, set[int]]]]:
    """unit → status → class → pair pks (sets, so a pair counts once per unit)."""
    if level not in LEVELS:
        raise ValueError(f"level harus salah satu dari {', '.join(LEVELS)}")
    out: dict[str, dict[str, dict[str, set[int]]]] = {}
    for pk, klass, status, tps_id, desa in _sides(user, statuses):
        unit = _unit(level, tps_id, desa)
        out.setdefault(unit, {}).setdefault(status, {}).setdefault(klass, set()).add(pk)
    return out


def _rows(level: str, units: list[str]) -> dict[str, DuplicateCount]:
    """Empty count rows with names (one query)."""
    if level == "tps":
        tps = Tps.objects.filter(pk__in=[int(u) for u in units]).select_related("desa")
        return {
            str(t.pk): DuplicateCount(
                code=str(t.pk),
                name=f"{t.label} {t.desa.name}",
                parent=t.desa_id,
                tps_id=t.pk,
                lat=t.lat,
                lon=t.lon,
            )
            for t in tps
        }
    regions = Region.objects.filter(code__in=units).values_list("code", "name", "parent_id")
    return {
        code: DuplicateCount(code=code, name=name, parent=parent or "")
        for code, name, parent in regions
    }


def duplicate_counts(
    user, *, level: str = "kecamatan", status: str = PairStatus.CONFIRMED
) -> list[DuplicateCount]:
    """Pairs of ``status`` per kecamatan, desa or TPS in the user's scope, by class, sorted by
    code (TPS: by desa, then number). Empty for users who may not see counts."""
    if not may_see_counts(user):
        return []
    counted = _count(user, level=level, statuses=(status,))
    rows = _rows(level, list(counted))
    for unit, by_status in counted.items():
        row = rows.get(unit)
        if row is None:
            continue
        for klass, pks in by_status.get(status, {}).items():
            setattr(row, klass.lower(), len(pks))
    return sorted(rows.values(), key=lambda r: (r.parent, r.name) if level == "tps" else r.code)


@dataclass(frozen=True)
class MapPoint:
    """One TPS on the map layer: confirmed double registrations and suspected pairs."""

    tps_id: int
    name: str
    desa: str
    lat: float
    lon: float
    confirmed: int  # K1 + K3 confirmed
    suspected: int  # K1 + K3 still under review
    data_errors: int  # K2 confirmed or suspected


def duplicate_map(user) -> list[MapPoint]:
    """Per TPS in scope with a position: confirmed and suspected double registrations."""
    if not may_see_counts(user):
        return []
    counted = _count(user, level="tps", statuses=(PairStatus.CONFIRMED, PairStatus.SUSPECTED))
    rows = _rows("tps", list(counted))
    points = []
    for unit, by_status in counted.items():
        row = rows.get(unit)
        if row is None or row.lat is None or row.lon is None:
            continue

        def n(status: str, classes: tuple[str, ...], by_status=by_status) -> int:
            return sum(len(by_status.get(status, {}).get(k, ())) for k in classes)

        points.append(
            MapPoint(
                tps_id=row.tps_id,
                name=row.name,
                desa=row.parent,
                lat=row.lat,
                lon=row.lon,
                confirmed=n(PairStatus.CONFIRMED, DOUBLE_CLASSES),
                suspected=n(PairStatus.SUSPECTED, DOUBLE_CLASSES),
                data_errors=n(PairStatus.CONFIRMED, (DuplicateClass.K2,))
                + n(PairStatus.SUSPECTED, (DuplicateClass.K2,)),
            )
        )
    return sorted(points, key=lambda p: (p.desa, p.name))


def tps_flagged(user=None) -> QuerySet[Tps]:
    """TPS with at least one *confirmed* double registration (K1 or K3) among their voters.

    This is the flag the TPS supervisors (KPPS, PTPS) act on before voting day, and what the
    risk module (an indicator of the vulnerability index) and the dashboard read. K2 pairs (one
    NIK on two people) are data errors for KPU, not a risk at the TPS, and do not flag it.
    Suspected pairs do not flag either: only an analyst's confirmation does.

    ``user`` limits the TPS to the user's scope; ``None`` (a system job such as the risk
    computation) means every TPS. Returns a queryset of ``Tps``, ordered as the model.
    """
    confirmed = DuplicatePair.objects.filter(
        status=PairStatus.CONFIRMED, klass__in=DOUBLE_CLASSES
    ).order_by()
    voters = Voter.objects.filter(
        Q(pk__in=confirmed.values("voter_l_id")) | Q(pk__in=confirmed.values("voter_r_id"))
    ).order_by()
    qs = Tps.objects.filter(pk__in=voters.values("tps_id"))
    if user is not None:
        qs = qs.filter(user_scope(user).tps_q())
    return qs
