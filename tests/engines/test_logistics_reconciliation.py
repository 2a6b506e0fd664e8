"""Reconciliation: per TPS lines, fully supplied vs short, the red ballot flag, rollups."""

import pytest

from siaga.engines.logistics import Line, Movement, Rollup, Rule, TpsInfo, reconcile

RULES = [
    Rule("ss_gub", "dpt_reserve", {"reserve_percent": 2.5}),
    Rule("ss_bup", "dpt_reserve", {"reserve_percent": 2.5}),
    Rule("kotak", "fixed", {"quantity": 2}),
]
BALLOTS = {"ss_gub", "ss_bup"}
TPS = [
    TpsInfo(1, "64.08.01.2001", "64.08.01", 250),
    TpsInfo(2, "64.08.01.2001", "64.08.01", 200),
    TpsInfo(3, "64.08.01.2002", "64.08.01", 100, voters=110),
    TpsInfo(4, "64.08.02.2001", "64.08.02", 40),
]


def full(tps_id, dpt):
    """Movements that supply a TPS exactly."""
    ballots = -(-dpt * 1025 // 1000)
    return [
        Movement(tps_id, "ss_gub", ballots, ballots),
        Movement(tps_id, "ss_bup", ballots, ballots),
        Movement(tps_id, "kotak", 2, 2),
    ]


def test_line_figures():
    line = Line(required=257, dispatched=250, received=240, damaged=5, missing=10)
    assert (line.usable, line.shortage, line.surplus, line.short_dispatch) == (235, 22, 0, 7)
    extra = Line(required=2, dispatched=3, received=3, damaged=0, missing=0)
    assert (extra.usable, extra.shortage, extra.surplus, extra.short_dispatch) == (3, 0, 1, 0)
    # More damaged than received (a counting error in the field) is no usable, not negative.
    assert Line(5, 5, 1, 3, 0).usable == 0


def test_voters_default_to_dpt():
    assert TpsInfo(1, "d", "k", 250).voters == 250
    assert TpsInfo(1, "d", "k", 250, voters=260).voters == 260


def test_exact_supply_is_fully_supplied():
    result = reconcile(TPS[:1], RULES, full(1, 250), BALLOTS)
    assert result.fully_supplied == {1}
    assert result.ballot_short == set()
    assert result.by_tps[1]["ss_gub"] == Line(257, 257, 257, 0, 0)


def test_damaged_ballots_make_the_tps_short_and_red():
    movements = [*full(1, 250)[1:], Movement(1, "ss_gub", 257, 257, damaged=3)]
    result = reconcile(TPS[:1], RULES, movements, BALLOTS)
    assert result.fully_supplied == set()
    assert result.ballot_short == {1}
    assert result.by_tps[1]["ss_gub"].shortage == 3


def test_a_missing_box_is_a_shortage_but_not_a_red_flag():
    movements = [*full(1, 250)[:2], Movement(1, "kotak", 2, 1, missing=1)]
    result = reconcile(TPS[:1], RULES, movements, BALLOTS)
    assert result.fully_supplied == set()
    assert result.ballot_short == set()
    assert result.by_tps[1]["kotak"].shortage == 1


def test_surplus_is_still_fully_supplied():
    movements = [*full(1, 250)[1:], Movement(1, "ss_gub", 260, 260)]
    result = reconcile(TPS[:1], RULES, movements, BALLOTS)
    assert result.fully_supplied == {1}
    assert result.by_tps[1]["ss_gub"].surplus == 3


def test_nothing_arrived_yet_is_short_with_every_required_item_listed():
    result = reconcile(TPS[:1], RULES, [], BALLOTS)
    assert result.ballot_short == {1}
    assert result.by_tps[1] == {
        "ss_gub": Line(257, 0, 0, 0, 0),
        "ss_bup": Line(257, 0, 0, 0, 0),
        "kotak": Line(2, 0, 0, 0, 0),
    }


def test_dispatched_in_full_but_not_received_is_on_its_way_not_short():
    movements = [Movement(1, m.item, dispatched=m.dispatched) for m in full(1, 250)]
    result = reconcile(TPS[:1], RULES, movements, BALLOTS)
    assert result.ballot_short == set()
    assert result.fully_supplied == set()  # supplied only once it has arrived
    assert result.by_tps[1]["ss_gub"].short_dispatch == 0
    assert result.by_tps[1]["ss_gub"].expected == 257


def test_a_full_plan_not_yet_departed_is_not_short_but_a_short_plan_is():
    planned_in_full = [Movement(1, m.item, planned=m.dispatched) for m in full(1, 250)]
    assert reconcile(TPS[:1], RULES, planned_in_full, BALLOTS).ballot_short == set()
    short_plan = [*planned_in_full[1:], Movement(1, "ss_gub", planned=250)]  # reserve forgotten
    result = reconcile(TPS[:1], RULES, short_plan, BALLOTS)
    assert result.ballot_short == {1}
    assert result.by_tps[1]["ss_gub"] == Line(257, 0, 0, 0, 0, 250)


def test_ballots_missing_at_an_upstream_handover_make_the_tps_short_before_they_reach_it():
    movements = [
        Movement(1, m.item, planned=m.dispatched, dispatched=m.dispatched, received=m.dispatched)
        for m in full(1, 250)[1:]
    ]
    movements.append(Movement(1, "ss_gub", planned=257, dispatched=257, received=107, missing=150))
    result = reconcile(TPS[:1], RULES, movements, BALLOTS)
    assert result.ballot_short == {1}
    assert result.by_tps[1]["ss_gub"].expected == 107


def test_several_movements_for_one_tps_and_item_add_up():
    movements = [
        *full(1, 250)[1:],
        Movement(1, "ss_gub", dispatched=257),  # shipment line
        Movement(1, "ss_gub", received=200),  # first handover
        Movement(1, "ss_gub", received=57, damaged=1),  # second handover
    ]
    result = reconcile(TPS[:1], RULES, movements, BALLOTS)
    assert result.by_tps[1]["ss_gub"] == Line(257, 257, 257, 1, 0)
    assert result.ballot_short == {1}


def test_an_item_without_a_rule_counts_as_surplus():
    movements = [*full(1, 250), Movement(1, "payung", 1, 1)]
    result = reconcile(TPS[:1], RULES, movements, BALLOTS)
    assert result.by_tps[1]["payung"] == Line(0, 1, 1, 0, 0)
    assert result.by_tps[1]["payung"].surplus == 1
    assert result.fully_supplied == {1}
    assert result.total.surplus["payung"] == 1


def test_a_tps_without_any_rule_is_fully_supplied():
    result = reconcile(TPS[:1], [], [], BALLOTS)
    assert result.fully_supplied == {1}
    assert result.by_tps[1] == {}


def scenario():
    movements = [
        *full(1, 250),  # fully supplied
        *full(2, 200)[1:],  # its ss_gub went missing on the road: red
        Movement(2, "ss_gub", 205, 0, 0, 205),
        *full(3, 100)[:2],  # ballots fine, a box short
        Movement(3, "kotak", 2, 1, 0, 1),
        *full(4, 40),  # fully supplied, plus a surplus
        Movement(4, "ss_bup", 5, 5),
    ]
    return movements, reconcile(TPS, RULES, movements, BALLOTS, total_code="64.08")


def test_flags_per_tps():
    _, result = scenario()
    assert result.fully_supplied == {1, 4}
    assert result.ballot_short == {2}


def test_rollups_by_desa_kecamatan_and_total():
    movements, result = scenario()
    assert list(result.by_desa) == ["64.08.01.2001", "64.08.01.2002", "64.08.02.2001"]
    assert list(result.by_kecamatan) == ["64.08.01", "64.08.02"]
    desa = result.by_desa["64.08.01.2001"]
    assert (desa.code, desa.tps, desa.tps_fully_supplied, desa.tps_ballot_short) == (
        "64.08.01.2001",
        2,
        1,
        1,
    )
    assert desa.voters == 450
    assert desa.voters_ballot_short == 200
    assert desa.percent_supplied == 50.0
    assert desa.items["ss_gub"] == Line(257 + 205, 257 + 205, 257, 0, 205)
    kec = result.by_kecamatan["64.08.01"]
    assert (kec.tps, kec.tps_fully_supplied, kec.tps_ballot_short, kec.voters) == (3, 1, 1, 560)
    assert kec.items["kotak"] == Line(6, 6, 5, 0, 1)
    assert kec.shortage["kotak"] == 1
    total = result.total
    assert total.code == "64.08"
    assert (total.tps, total.tps_fully_supplied, total.tps_ballot_short) == (4, 2, 1)
    assert total.percent_supplied == 50.0
    for item in ("ss_gub", "ss_bup", "kotak"):
        lines = [result.by_tps[t.id][item] for t in TPS]
        assert total.items[item].required == sum(line.required for line in lines)
        assert total.items[item].dispatched == sum(
            m.dispatched for m in movements if m.item == item
        )
        assert total.items[item].received == sum(m.received for m in movements if m.item == item)
        assert total.shortage[item] == sum(line.shortage for line in lines)
        assert total.surplus[item] == sum(line.surplus for line in lines)
        fields = ("required", "dispatched", "received", "damaged", "missing")
        by_kecamatan = [r.items[item] for r in result.by_kecamatan.values()]
        assert total.items[item] == Line(
            *(sum(getattr(x, f) for x in by_kecamatan) for f in fields)
        )


def test_region_shortage_is_not_hidden_by_a_surplus_elsewhere():
    movements = [
        *full(1, 250)[1:],
        Movement(1, "ss_gub", 250, 250),  # 7 short
        *full(2, 200)[1:],
        Movement(2, "ss_gub", 215, 215),  # 10 over
    ]
    result = reconcile(TPS[:2], RULES, movements, BALLOTS)
    desa = result.by_desa["64.08.01.2001"]
    assert desa.items["ss_gub"].shortage == 0  # netted
    assert desa.shortage["ss_gub"] == 7
    assert desa.surplus["ss_gub"] == 10


def test_empty_rollup_percent_is_zero():
    assert Rollup("64.08").percent_supplied == 0.0
    assert reconcile([], RULES, [], BALLOTS).total.percent_supplied == 0.0


def test_movements_for_unknown_tps_are_set_aside():
    result = reconcile(TPS[:1], RULES, [*full(1, 250), Movement(99, "ss_gub", 5, 5)], BALLOTS)
    assert result.unknown_tps == {99}
    assert result.total.items["ss_gub"].dispatched == 257


@pytest.mark.parametrize("field", ["dispatched", "received", "damaged", "missing"])
def test_negative_counts_are_refused(field):
    with pytest.raises(ValueError, match="Negative count for TPS 1"):
        reconcile(TPS[:1], RULES, [Movement(1, "ss_gub", **{field: -1})], BALLOTS)


def test_inconsistent_regions_are_refused():
    with pytest.raises(ValueError, match="given twice"):
        reconcile([TPS[0], TPS[0]], RULES, [], BALLOTS)
    with pytest.raises(ValueError, match="under kecamatan"):
        reconcile([TPS[0], TpsInfo(9, TPS[0].desa, "64.08.09", 10)], RULES, [], BALLOTS)
