"""Requirement rules: DPT plus reserve rounded up exactly, fixed per TPS, DPT bands, validation."""

from decimal import Decimal
from fractions import Fraction

import pytest

from siaga.engines.logistics import (
    Rule,
    compile_rule,
    required_quantity,
    requirements,
    validate_rule,
)

RESERVE = Rule("surat_suara_bupati", "dpt_reserve", {"reserve_percent": 2.5})
BOOTHS = Rule("bilik_suara", "dpt_band", {"bands": [[300, 3], [600, 4]]})


def test_tps_with_dpt_250_requires_257_ballots_per_contest():
    # The acceptance rule: 250 × 1.025 = 256.25, rounded up.
    assert required_quantity(RESERVE, 250) == 257


@pytest.mark.parametrize(
    ("dpt", "expected"),
    [
        (0, 0),  # an empty TPS needs no ballots, not a reserve of one
        (1, 2),  # 1.025 rounds up
        (40, 41),  # exactly 41.0: no float error may push it to 42
        (200, 205),  # exact multiple
        (400, 410),
        (600, 615),
        (599, 614),  # 613.975
    ],
)
def test_reserve_rounds_up_exactly(dpt, expected):
    assert required_quantity(RESERVE, dpt) == expected


@pytest.mark.parametrize("pct", [2.5, Decimal("2.5"), Fraction(5, 2)])
def test_reserve_given_as_float_decimal_or_fraction_gives_the_exact_answer(pct):
    rule = Rule("ss", "dpt_reserve", {"reserve_percent": pct})
    dpts = range(0, 2000, 7)
    assert [required_quantity(rule, d) for d in dpts] == [-(-d * 1025 // 1000) for d in dpts]


@pytest.mark.parametrize(
    ("pct", "dpt", "expected"),
    [(0, 250, 250), (10, 250, 275), (0.1, 1000, 1001), (0.1, 1001, 1003), (100, 7, 14)],
)
def test_other_reserves(pct, dpt, expected):
    assert required_quantity(Rule("x", "dpt_reserve", {"reserve_percent": pct}), dpt) == expected


def test_fixed_quantity_ignores_dpt():
    rule = Rule("tinta", "fixed", {"quantity": 1})
    assert [required_quantity(rule, d) for d in (0, 250, 600)] == [1, 1, 1]


@pytest.mark.parametrize(
    ("dpt", "expected"),
    [(0, 3), (1, 3), (300, 3), (301, 4), (600, 4), (601, 4), (5000, 4)],
)
def test_bands_up_to_and_including_the_limit_then_the_last_quantity(dpt, expected):
    assert required_quantity(BOOTHS, dpt) == expected


def test_requirements_for_every_tps_and_rule():
    rules = [RESERVE, BOOTHS, Rule("tinta", "fixed", {"quantity": 1})]
    assert requirements({1: 250, 2: 0, 3: 450}, rules) == {
        1: {"surat_suara_bupati": 257, "bilik_suara": 3, "tinta": 1},
        2: {"surat_suara_bupati": 0, "bilik_suara": 3, "tinta": 1},
        3: {"surat_suara_bupati": 462, "bilik_suara": 4, "tinta": 1},
    }


def test_requirements_refuse_two_rules_for_one_item():
    with pytest.raises(ValueError, match="More than one rule"):
        requirements({1: 10}, [RESERVE, RESERVE])


@pytest.mark.parametrize("dpt", [-1, 2.5, None, True])
def test_a_dpt_that_is_not_a_count_is_refused(dpt):
    with pytest.raises(ValueError, match="DPT"):
        required_quantity(RESERVE, dpt)
    with pytest.raises(ValueError, match="TPS 7"):
        requirements({7: dpt}, [RESERVE])


def test_an_invalid_rule_is_refused_when_used():
    with pytest.raises(ValueError, match="reserve_percent"):
        required_quantity(Rule("ss", "dpt_reserve", {}), 100)
    with pytest.raises(ValueError, match="Unknown rule kind"):
        compile_rule(Rule("ss", "per_voter", {}))


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("dpt_reserve", {"reserve_percent": 2.5}),
        ("dpt_reserve", {"reserve_percent": 0}),
        ("dpt_reserve", {"reserve_percent": Decimal("2.5")}),
        ("fixed", {"quantity": 0}),
        ("fixed", {"quantity": 2}),
        ("dpt_band", {"bands": [[300, 3], [600, 4]]}),
        ("dpt_band", {"bands": [(0, 0)]}),
    ],
)
def test_valid_rules_have_no_messages(kind, params):
    assert validate_rule(kind, params) == []


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("per_voter", {}, "Unknown rule kind 'per_voter'; expected one of: dpt_reserve"),
        ("dpt_reserve", {}, "Missing parameter 'reserve_percent'"),
        ("dpt_reserve", {"reserve_percent": -1}, "must not be negative"),
        ("dpt_reserve", {"reserve_percent": "2.5"}, "must be a number"),
        ("dpt_reserve", {"reserve_percent": True}, "must be a number"),
        ("dpt_reserve", {"reserve_percent": float("nan")}, "finite"),
        ("dpt_reserve", {"reserve_percent": 250}, "at most 100"),
        ("dpt_reserve", {"reserve_percent": 2.5, "reserve": 3}, "Unexpected parameter 'reserve'"),
        ("fixed", {}, "Missing parameter 'quantity'"),
        ("fixed", {"quantity": -1}, "must not be negative"),
        ("fixed", {"quantity": 1.5}, "must be a whole number"),
        ("dpt_band", {}, "Missing parameter 'bands'"),
        ("dpt_band", {"bands": []}, "non-empty list"),
        ("dpt_band", {"bands": [[300, 3], [600]]}, "Band 2 must be a pair"),
        ("dpt_band", {"bands": [[600, 4], [300, 3]]}, "increasing order (300 comes after 600)"),
        ("dpt_band", {"bands": [[300, 3], [300, 4]]}, "increasing order"),
        ("dpt_band", {"bands": [[-5, 3]]}, "Band 1: the DPT limit must be a whole number"),
        ("dpt_band", {"bands": [[300, -3]]}, "Band 1: the quantity must be a whole number"),
        ("fixed", [("quantity", 1)], "must be an object"),
    ],
)
def test_bad_rules_are_explained(kind, params, message):
    errors = validate_rule(kind, params)
    assert any(message in error for error in errors), errors


def test_every_problem_is_reported_at_once():
    errors = validate_rule("dpt_band", {"bands": [[600, -1], [300, 3]], "extra": 1})
    assert len(errors) == 3, errors
