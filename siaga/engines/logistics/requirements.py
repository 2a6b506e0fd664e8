"""How many of each item a TPS needs, from its DPT and requirement rules kept as data.

The rules live in the database (``siaga.logistics.models.RequirementRule``) so an administrator
can change them; this module only interprets them. Quantities are computed in integers: a
ballot count off by one because of ``256.25000000001`` rounding up to 257 (or ``257.0`` from a
float error rounding to 258) would be a ballot too many or too few at a real TPS.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from numbers import Real
from typing import Any

DPT_RESERVE = "dpt_reserve"
FIXED = "fixed"
DPT_BAND = "dpt_band"
RULE_KINDS: tuple[str, ...] = (DPT_RESERVE, FIXED, DPT_BAND)

# A reserve above this is surely a typo (25 for 2.5); the admin should be told, not obeyed.
MAX_RESERVE_PERCENT = 100

_PARAM_NAMES: dict[str, tuple[str, ...]] = {
    DPT_RESERVE: ("reserve_percent",),
    FIXED: ("quantity",),
    DPT_BAND: ("bands",),
}


@dataclass(frozen=True)
class Rule:
    """One requirement rule: ``item`` is an ``ItemType.code``; ``kind`` one of ``RULE_KINDS``.

    ``params`` by kind: dpt_reserve ``{"reserve_percent": 2.5}``; fixed ``{"quantity": 1}``;
    dpt_band ``{"bands": [[300, 3], [600, 4]]}`` (up to that DPT inclusive, that many; beyond the
    last band the last quantity).
    """

    item: str
    kind: str
    params: Mapping[str, Any]


def _is_int(value: Any) -> bool:
    # bool is an int subclass, but ``true`` ballots is a mistake, not a quantity.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, Real | Decimal) and not isinstance(value, bool)


def validate_rule(kind: str, params: Mapping[str, Any]) -> list[str]:
    """Human-readable problems with a rule (English), ``[]`` when it is valid.

    Returned rather than raised so that an admin form can show every problem at once.
    """
    if kind not in RULE_KINDS:
        return [f"Unknown rule kind {kind!r}; expected one of: {', '.join(RULE_KINDS)}."]
    if not isinstance(params, Mapping):
        return ["Parameters must be an object (a mapping of names to values)."]
    errors = [
        f"Unexpected parameter {name!r} for rule kind {kind!r}; "
        f"expected: {', '.join(_PARAM_NAMES[kind])}."
        for name in params
        if name not in _PARAM_NAMES[kind]
    ]
    if kind == DPT_RESERVE:
        errors += _validate_reserve(params)
    elif kind == FIXED:
        errors += _validate_fixed(params)
    else:
        errors += _validate_bands(params)
    return errors


def _validate_reserve(params: Mapping[str, Any]) -> list[str]:
    if "reserve_percent" not in params:
        return ["Missing parameter 'reserve_percent' (e.g. 2.5 for a 2.5 % reserve)."]
    pct = params["reserve_percent"]
    if not _is_number(pct):
        return [f"'reserve_percent' must be a number, not {pct!r}."]
    if pct != pct or pct in (float("inf"), float("-inf")):  # NaN or infinite
        return [f"'reserve_percent' must be a finite number, not {pct!r}."]
    if pct < 0:
        return [f"'reserve_percent' must not be negative (got {pct})."]
    if pct > MAX_RESERVE_PERCENT:
        return [f"'reserve_percent' must be at most {MAX_RESERVE_PERCENT} (got {pct})."]
    return []


def _validate_fixed(params: Mapping[str, Any]) -> list[str]:
    if "quantity" not in params:
        return ["Missing parameter 'quantity' (how many per TPS, e.g. 1)."]
    quantity = params["quantity"]
    if not _is_int(quantity):
        return [f"'quantity' must be a whole number, not {quantity!r}."]
    if quantity < 0:
        return [f"'quantity' must not be negative (got {quantity})."]
    return []


def _validate_bands(params: Mapping[str, Any]) -> list[str]:
    if "bands" not in params:
        return ["Missing parameter 'bands' (a list of [up to DPT, quantity] pairs)."]
    bands = params["bands"]
    if not isinstance(bands, list | tuple) or not bands:
        return ["'bands' must be a non-empty list of [up to DPT, quantity] pairs."]
    errors: list[str] = []
    previous: int | None = None
    for number, band in enumerate(bands, start=1):
        if not isinstance(band, list | tuple) or len(band) != 2:
            errors.append(f"Band {number} must be a pair [up to DPT, quantity], not {band!r}.")
            continue
        limit, quantity = band
        if not _is_int(limit) or limit < 0:
            errors.append(
                f"Band {number}: the DPT limit must be a whole number ≥ 0, not {limit!r}."
            )
            continue
        if not _is_int(quantity) or quantity < 0:
            errors.append(
                f"Band {number}: the quantity must be a whole number ≥ 0, not {quantity!r}."
            )
        if previous is not None and limit <= previous:
            errors.append(
                f"Band {number}: DPT limits must be in increasing order "
                f"({limit} comes after {previous})."
            )
        previous = limit
    return errors


def compile_rule(rule: Rule) -> Callable[[int], int]:
    """A function DPT → quantity for one rule, validated once and fast to call many times.

    ``requirements`` calls it for every TPS, so the per-call work is a few integer operations.
    Raises ``ValueError`` with the validation messages when the rule is invalid.
    """
    errors = validate_rule(rule.kind, rule.params)
    if errors:
        raise ValueError(f"Invalid rule for item {rule.item!r}: " + " ".join(errors))
    if rule.kind == DPT_RESERVE:
        # Fraction(str(x)) reads 2.5 as exactly 5/2 (a float's repr is its shortest decimal), so
        # ceil(dpt * (100 + pct) / 100) becomes an exact integer ceiling division.
        pct = rule.params["reserve_percent"]
        ratio = Fraction(pct) if isinstance(pct, int | Decimal) else Fraction(str(pct))
        numerator = (100 + ratio).numerator
        denominator = (100 + ratio).denominator * 100

        def reserve(dpt: int) -> int:
            return -(-dpt * numerator // denominator)

        return reserve
    if rule.kind == FIXED:
        quantity = int(rule.params["quantity"])
        return lambda dpt: quantity
    limits = [int(limit) for limit, _ in rule.params["bands"]]
    quantities = [int(quantity) for _, quantity in rule.params["bands"]]
    last = len(limits) - 1

    def band(dpt: int) -> int:
        return quantities[min(bisect.bisect_left(limits, dpt), last)]

    return band


def _check_dpt(dpt: int, where: str = "") -> None:
    if not _is_int(dpt) or dpt < 0:
        raise ValueError(f"DPT must be a whole number ≥ 0{where}, not {dpt!r}.")


def required_quantity(rule: Rule, dpt: int) -> int:
    """How many of ``rule.item`` a TPS with ``dpt`` voters needs (DPT 250 at 2.5 % → 257)."""
    _check_dpt(dpt)
    return compile_rule(rule)(dpt)


def requirements(dpt_by_tps: Mapping[int, int], rules: Sequence[Rule]) -> dict[int, dict[str, int]]:
    """``{tps_id: {item: quantity}}`` for every TPS and every rule.

    Two rules for one item are refused: which one wins would otherwise depend on list order.
    """
    compiled: list[tuple[str, Callable[[int], int]]] = []
    seen: set[str] = set()
    for rule in rules:
        if rule.item in seen:
            raise ValueError(f"More than one rule for item {rule.item!r}.")
        seen.add(rule.item)
        compiled.append((rule.item, compile_rule(rule)))
    result: dict[int, dict[str, int]] = {}
    for tps_id, dpt in dpt_by_tps.items():
        if dpt.__class__ is not int or dpt < 0:
            _check_dpt(dpt, f" (TPS {tps_id})")
        result[tps_id] = {item: quantity(dpt) for item, quantity in compiled}
    return result
