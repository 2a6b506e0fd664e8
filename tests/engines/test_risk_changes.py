"""Category rises: only a move into a higher category alerts, and only with an earlier category."""

import numpy as np
import pytest

from siaga.engines.risk import Rise, category_rises


def test_only_rises_are_reported_in_key_order():
    keys = ["tps-1", "tps-2", "tps-3", "tps-4", "tps-5", "tps-6"]
    before = np.array([0, 1, 2, 0, 1, -1], dtype=np.int8)
    after = np.array([1, 1, 1, 2, 2, 2], dtype=np.int8)
    assert category_rises(keys, before, after) == [
        Rise("tps-1", "aman", "rawan"),
        Rise("tps-4", "aman", "sangat_rawan"),
        Rise("tps-5", "rawan", "sangat_rawan"),
    ]


def test_no_earlier_category_is_never_a_rise():
    assert category_rises(["64.08.01"], np.array([-1]), np.array([2])) == []


def test_nothing_changed_gives_nothing():
    codes = np.array([0, 1, 2], dtype=np.int8)
    assert category_rises(["a", "b", "c"], codes, codes.copy()) == []
    assert category_rises([], np.array([], dtype=np.int8), np.array([], dtype=np.int8)) == []


@pytest.mark.parametrize(
    ("before", "after", "message"),
    [
        ([0, 1], [1], "after must have one code per key \\(2\\)"),
        ([0], [1, 1], "before must have one code per key"),
        ([0, 3], [1, 1], "before must hold category codes -1 \\(none\\), 0, 1 or 2"),
        ([0, 0], [-1, 1], "after must hold category codes 0, 1 or 2"),
        ([0.0, 0.0], [1, 1], "before must hold category codes"),
    ],
)
def test_bad_codes_are_refused_naming_the_field(before, after, message):
    with pytest.raises(ValueError, match=message):
        category_rises(["a", "b"], np.array(before), np.array(after))
