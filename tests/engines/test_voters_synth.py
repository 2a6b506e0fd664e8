"""The synthetic DPT generator of the double-voter benchmark (benchmarks/voters_synth.py).

Pure Python, no database: the roll has to be realistic and hard, and its truth exact.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "voters_synth.py"
_spec = importlib.util.spec_from_file_location("voters_synth", PATH)
vs = importlib.util.module_from_spec(_spec)
sys.modules["voters_synth"] = vs
_spec.loader.exec_module(vs)

VOTING_DAY = date(2024, 11, 27)
N = 20_000


@pytest.fixture(scope="module")
def roll():
    rows, truth = vs.generate(N, seed=11, dup_rate=0.02)
    rows = list(rows)
    return rows, {r["id"]: r for r in rows}, truth


def parse_date(text: str) -> date:
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        return date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{2})([-/])(\d{2})\2(\d{4})", text)
    assert m, f"birth_date {text!r} in no DPT format"
    return date(int(m[4]), int(m[3]), int(m[1]))


def parse_nik(nik: str) -> tuple[str, date, str, str]:
    """(kecamatan code, birth date, sex, serial) from a NIK, century by the voting day."""
    assert re.fullmatch(r"\d{16}", nik), nik
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "P" if day > 40 else "L"
    day -= 40 if sex == "P" else 0
    year = 2000 + yy if 2000 + yy <= VOTING_DAY.year - 16 else 1900 + yy
    return nik[:6], date(year, month, day), sex, nik[12:]


def age_on(born: date, day: date = VOTING_DAY) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def originals(rows, truth):
    k2 = {i for pair in truth.nik_errors for i in pair}
    return [r for r in rows if r["id"] not in truth.kinds and r["id"] not in k2]


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def test_same_seed_same_roll_and_truth_other_seed_another(roll):
    rows, _, truth = roll
    again, truth2 = vs.generate(N, seed=11, dup_rate=0.02)
    assert list(again) == rows
    assert truth2.pairs == truth.pairs and truth2.nik_errors == truth.nik_errors
    other, _ = vs.generate(N, seed=12, dup_rate=0.02)
    assert [r["nik"] for r in other][:100] != [r["nik"] for r in rows][:100]


def test_rows_have_exactly_the_dpt_columns_and_unique_string_ids(roll):
    rows, by_id, _ = roll
    assert all(tuple(r) == vs.COLUMNS for r in rows)
    assert all(isinstance(r["id"], str) and r["id"] for r in rows)
    assert len(by_id) == len(rows)
    assert {r["sex"] for r in rows} == {"L", "P"}
    assert {r["marital_status"] for r in rows} == {"B", "S", "P"}
    assert all(re.fullmatch(r"\d{3}", r["tps"]) for r in rows)
    assert all(re.fullmatch(r"\d{3}", r["rt"]) and re.fullmatch(r"\d{3}", r["rw"]) for r in rows)
    assert all(r["disability"] in {"", "1", "2", "3", "4", "5", "6"} for r in rows)
    disabled = sum(1 for r in rows if r["disability"])
    assert 0 < disabled < 0.05 * len(rows)


def test_undamaged_nik_agrees_with_birth_date_and_sex(roll):
    rows, _, truth = roll
    clean = originals(rows, truth)
    assert len(clean) > 0.97 * N
    for r in clean:
        _, born, sex, serial = parse_nik(r["nik"])
        assert born == parse_date(r["birth_date"]), r
        assert sex == r["sex"], r
        assert serial != "0000"
        assert re.fullmatch(r"\d{16}", r["nkk"]), r


def test_ages_are_eligible_and_some_married_sixteen_year_olds(roll):
    rows, _, truth = roll
    young_married = 0
    for r in originals(rows, truth):
        age = age_on(parse_date(r["birth_date"]))
        assert age <= 90, r
        if age < 17:
            assert age == 16 and r["marital_status"] in {"S", "P"}, r
            young_married += 1
    assert 0 < young_married < 0.01 * N


def test_region_codes_are_desa_of_eighteen_kecamatan_with_and_without_dots(roll):
    rows, _, _ = roll
    dotted = [r["region_code"] for r in rows if "." in r["region_code"]]
    plain = [r["region_code"] for r in rows if "." not in r["region_code"]]
    assert all(re.fullmatch(r"64\.08\.\d{2}\.[12]\d{3}", c) for c in dotted)
    assert all(re.fullmatch(r"6408\d{2}[12]\d{3}", c) for c in plain)
    assert plain and len(plain) < 0.2 * len(rows)
    kec = {c[:8] for c in dotted}
    assert len(kec) == 18
    assert 18 * 6 <= len(set(dotted)) <= 18 * 10


def test_households_share_nkk_address_and_rt_rw(roll):
    rows, _, truth = roll
    by_nkk = defaultdict(list)
    for r in rows:
        if r["id"] not in truth.kinds:
            by_nkk[r["nkk"]].append(r)
    sizes = Counter(len(v) for v in by_nkk.values())
    assert set(sizes) <= set(range(1, 8)) and sizes[1] <= 1  # only the last may be single
    assert {2, 3, 4, 5, 6, 7} <= set(sizes)
    for members in by_nkk.values():
        assert len({(m["address"], m["rt"], m["rw"], m["region_code"]) for m in members}) == 1
    married = [m for v in by_nkk.values() for m in v if m["marital_status"] == "S"]
    assert len(married) > 0.3 * N


def test_truth_pairs_reference_existing_ids_of_one_person(roll):
    rows, by_id, truth = roll
    assert truth.pairs
    for a, b in truth.pairs:
        assert a < b and a in by_id and b in by_id
        assert truth.person_of[a] == truth.person_of[b]
    people = Counter(truth.person_of.values())
    linked = sum(n * (n - 1) // 2 for n in people.values())
    assert linked == len(truth.pairs)
    assert set(truth.person_of) == set(by_id)


def test_duplicate_share_is_near_dup_rate_and_some_people_have_three_records(roll):
    rows, _, truth = roll
    people = Counter(truth.person_of.values())
    assert len(people) == N
    assert (len(rows) - N) / N == pytest.approx(0.02, abs=0.002)
    assert sum(1 for n in people.values() if n >= 3) > 0
    # copies are not grouped with their original in the file
    position = {r["id"]: i for i, r in enumerate(rows)}
    gaps = [abs(position[a] - position[b]) for a, b in truth.pairs]
    assert sorted(gaps)[len(gaps) // 2] > N / 10


def test_copies_carry_every_kind_of_corruption_and_several_at_once(roll):
    rows, by_id, truth = roll
    kinds = Counter(k for ks in truth.kinds.values() for k in ks)
    assert set(kinds) == set(vs.KINDS)
    assert sum(1 for ks in truth.kinds.values() if len(ks) >= 2) > 0.25 * len(truth.kinds)
    original = {}
    for r in rows:
        if r["id"] not in truth.kinds:
            original[truth.person_of[r["id"]]] = r
    records = Counter(truth.person_of.values())
    for cid, ks in truth.kinds.items():
        if records[truth.person_of[cid]] > 2:
            continue  # a copy of a copy carries the kinds of both
        copy, orig = by_id[cid], original[truth.person_of[cid]]
        if ks == ("moved",):
            assert copy["nkk"] != orig["nkk"]
            assert copy["region_code"].replace(".", "") != orig["region_code"].replace(".", "")
        if ks == ("name",):
            assert copy["name"] != orig["name"]
            assert copy["nik"] == orig["nik"]
        if ks == ("nik_typo",):
            diff = [i for i in range(16) if copy["nik"][i] != orig["nik"][i]]
            assert 1 <= len(diff) <= 2 and diff[-1] - diff[0] <= 15
        if ks == ("nik_reissued",):
            assert copy["nik"][:6] != orig["nik"][:6] and copy["nik"][6:12] == orig["nik"][6:12]
        if ks == ("birth_date",):
            assert parse_date(copy["birth_date"]) != parse_date(orig["birth_date"])
        if ks == ("missing_nkk",):
            assert copy["nkk"] == "" and orig["nkk"]


def test_name_variants_include_titles_muhammad_forms_and_dropped_patronyms(roll):
    rows, by_id, truth = roll
    names = [by_id[i]["name"] for i, ks in truth.kinds.items() if "name" in ks]
    joined = " | ".join(names)
    assert re.search(r"\b(HJ?\.|DRS?\.|DRA\.|IR\.|KH\.)|, S\.|, A\.MD|, M\.SI", joined)
    assert re.search(r"\b(M\.|MOH\.|MUH\.|MUHAMAD|MOHAMMAD|MOCHAMMAD|MOHAMAD|ST\.)", joined)


def test_twins_share_household_birth_date_and_nik_except_the_serial(roll):
    _, by_id, truth = roll
    k2 = {i for pair in truth.nik_errors for i in pair}
    twins = [(by_id[a], by_id[b]) for a, b in truth.twins if a not in k2 and b not in k2]
    assert len(twins) >= 0.003 * N
    for a, b in twins:
        assert truth.person_of[a["id"]] != truth.person_of[b["id"]]
        assert (a["id"], b["id"]) not in truth.pairs and (b["id"], a["id"]) not in truth.pairs
        assert a["birth_date"] == b["birth_date"] and a["sex"] == b["sex"]
        assert (a["nkk"], a["address"], a["rt"], a["rw"]) == (b["nkk"], b["address"], b["rt"],
                                                              b["rw"])  # fmt: skip
        assert a["nik"][:12] == b["nik"][:12] and a["nik"][12:] != b["nik"][12:]
        assert a["name"] != b["name"] and edit_distance(a["name"], b["name"]) <= 2


def test_common_names_are_shared_by_many_different_people(roll):
    rows, by_id, truth = roll
    people_per_name = defaultdict(set)
    for r in rows:
        people_per_name[r["name"]].add(truth.person_of[r["id"]])
    assert len(people_per_name["MUHAMMAD RIZKI"]) >= 0.001 * N
    assert len(people_per_name["SITI AMINAH"]) >= 0.001 * N
    assert sum(1 for p in people_per_name.values() if len(p) >= 10) >= 30
    # some of them share the birth date too, in different desa, and are not matches
    assert truth.same_name_date
    other_desa = 0
    for a, b in truth.same_name_date:
        ra, rb = by_id[a], by_id[b]
        assert ra["name"] == rb["name"]
        assert parse_date(ra["birth_date"]) == parse_date(rb["birth_date"])
        assert truth.person_of[a] != truth.person_of[b] and ra["nkk"] != rb["nkk"]
        other_desa += ra["region_code"].replace(".", "") != rb["region_code"].replace(".", "")
    assert other_desa >= 0.8 * len(truth.same_name_date)


def test_father_and_son_with_the_same_name_share_the_address(roll):
    _, by_id, truth = roll
    assert truth.juniors
    for a, b in truth.juniors:
        ra, rb = by_id[a], by_id[b]
        assert ra["name"] == rb["name"] and ra["nkk"] == rb["nkk"]
        assert ra["birth_date"] != rb["birth_date"]
        assert truth.person_of[a] != truth.person_of[b]


def test_k2_pairs_share_a_nik_between_two_different_people(roll):
    _, by_id, truth = roll
    assert truth.nik_errors
    assert not truth.nik_errors & truth.pairs
    for a, b in truth.nik_errors:
        ra, rb = by_id[a], by_id[b]
        assert ra["nik"] == rb["nik"]
        assert truth.person_of[a] != truth.person_of[b]
        assert ra["nkk"] == rb["nkk"]  # a family member's NIK copied onto another
        assert ra["name"] != rb["name"] or ra["birth_date"] != rb["birth_date"]


def test_birth_date_formats_are_mixed(roll):
    rows, _, _ = roll
    formats = Counter(
        "iso"
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["birth_date"])
        else "dash"
        if re.fullmatch(r"\d{2}-\d{2}-\d{4}", r["birth_date"])
        else "slash"
        for r in rows
    )
    assert formats["iso"] > 0.7 * len(rows)
    assert formats["dash"] > 0 and formats["slash"] > 0
    assert all(parse_date(r["birth_date"]) for r in rows)


def test_write_csv_header_rows_and_truth_files(tmp_path):
    out, truth_path, nik_path = tmp_path / "dpt.csv", tmp_path / "t.csv", tmp_path / "k2.csv"
    truth = vs.write_csv(out, 3000, 5, truth_path=truth_path, nik_errors_path=nik_path)
    with open(out, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        body = list(reader)
    assert header == list(vs.COLUMNS)
    assert len(body) == truth.stats["rows"] and all(len(r) == len(header) for r in body)
    rows, _ = vs.generate(3000, seed=5)
    assert [tuple(r.values()) for r in rows] == [tuple(r) for r in body]
    with open(truth_path, encoding="utf-8", newline="") as fh:
        pairs = list(csv.DictReader(fh))
    assert {(p["id_l"], p["id_r"]) for p in pairs} == truth.pairs
    assert all(p["id_l"] < p["id_r"] and p["kinds"] for p in pairs)
    with open(nik_path, encoding="utf-8", newline="") as fh:
        k2 = list(csv.DictReader(fh))
    assert {(p["id_l"], p["id_r"]) for p in k2} == truth.nik_errors


def test_command_line_writes_files_and_prints_counts(tmp_path, capsys):
    out, truth_path = tmp_path / "dpt.csv", tmp_path / "truth.csv"
    assert vs.main(["--people", "2000", "--seed", "3", "--out", str(out), "--truth",
                    str(truth_path)]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    for label in ("rows", "households", "true_pairs", "pairs_moved", "twin_pairs",
                  "same_name_same_birthdate_nonmatch_pairs", "nik_error_pairs_k2"):  # fmt: skip
        assert re.search(rf"^{label}\s+[\d,]+$", printed, re.M), label
    assert out.exists() and truth_path.exists()
    assert (tmp_path / "truth_nik_errors.csv").exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"n_people": 1}, "n_people"),
        ({"dup_rate": 1.5}, "dup_rate"),
        ({"region": "6408"}, "region"),
        ({"region": "64.08.04"}, "region"),
    ],
)
def test_bad_parameters_name_the_field(kwargs, field):
    args = {"n_people": 100, "seed": 1, **kwargs}
    with pytest.raises(ValueError, match=field):
        vs.generate(**args)
