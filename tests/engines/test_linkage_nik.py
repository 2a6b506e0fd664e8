"""NIK parsing, NIK and birth-date typo tolerance, eligibility (pure: no database)."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from siaga.engines.linkage import nik as nikmod
from siaga.engines.linkage.nik import (
    NikError,
    NikParts,
    clean_nik,
    date_similarity_level,
    eligible_on,
    nik_consistent,
    nik_distance,
    nik_similarity_level,
    parse_nik,
    same_except_serial,
)

REF = dt.date(2024, 11, 27)  # Pilkada voting day


@pytest.mark.parametrize(
    ("raw", "region", "born", "sex", "serial"),
    [
        ("6408041208950001", "64.08.04", dt.date(1995, 8, 12), "L", "0001"),
        ("6408045208950001", "64.08.04", dt.date(1995, 8, 12), "P", "0001"),
        # women's day + 40 at the month edges
        ("6408044101000002", "64.08.04", dt.date(2000, 1, 1), "P", "0002"),
        ("6408047112990003", "64.08.04", dt.date(1999, 12, 31), "P", "0003"),
        ("6408040101000004", "64.08.04", dt.date(2000, 1, 1), "L", "0004"),
        ("6408043112990005", "64.08.04", dt.date(1999, 12, 31), "L", "0005"),
        # 29 February: 2000 is a leap year, 2004 too
        ("6408046902000006", "64.08.04", dt.date(2000, 2, 29), "P", "0006"),
        ("6408042902040007", "64.08.04", dt.date(2004, 2, 29), "L", "0007"),
        # century choice: 07 is 2007 (not in the future), 30 is 1930
        ("6408040101070008", "64.08.04", dt.date(2007, 1, 1), "L", "0008"),
        ("6408040101300009", "64.08.04", dt.date(1930, 1, 1), "L", "0009"),
        ("6408042711240010", "64.08.04", dt.date(2024, 11, 27), "L", "0010"),  # born today
        ("6408042811240011", "64.08.04", dt.date(1924, 11, 28), "L", "0011"),  # tomorrow: 1924
        # spaces and dots are stripped; an int is accepted
        ("64 08 04 120895 0001", "64.08.04", dt.date(1995, 8, 12), "L", "0001"),
        ("64.08.04.120895.9999", "64.08.04", dt.date(1995, 8, 12), "L", "9999"),
        (6408041208950001, "64.08.04", dt.date(1995, 8, 12), "L", "0001"),
        ("1101011208950001", "11.01.01", dt.date(1995, 8, 12), "L", "0001"),
    ],
)
def test_parse_nik(raw, region, born, sex, serial):
    parts = parse_nik(raw, reference=REF)
    assert parts.region_code == region
    assert parts.birth_date == born
    assert parts.sex == sex
    assert parts.serial == serial
    assert len(parts.nik) == 16 and parts.nik.isdigit()
    assert parts.prefix == parts.nik[:12]
    assert parts.regency_code == region[:5]


@pytest.mark.parametrize(
    ("raw", "code", "fragment"),
    [
        ("", "empty", "kosong"),
        ("  . ", "empty", "kosong"),
        ("6408-0412-0895-0001", "not_digits", "angka"),
        ("640804120895000A", "not_digits", "angka"),
        ("\u0666408041208950001", "not_digits", "angka"),  # Arabic-Indic digit
        ("640804120895001", "length", "15 digit"),
        ("64080412089500011", "length", "17 digit"),
        ("0008041208950001", "region", "provinsi"),
        ("1008041208950001", "region", "provinsi"),
        ("6400041208950001", "region", "kabupaten"),
        ("6408001208950001", "region", "kecamatan"),
        ("6408040008950001", "day", "00"),
        ("6408043208950001", "day", "32"),
        ("6408044008950001", "day", "40"),
        ("6408047208950001", "day", "72"),
        ("6408049908950001", "day", "99"),
        ("6408041200950001", "month", "00"),
        ("6408041213950001", "month", "13"),
        ("6408043102950001", "date", "31-02-95"),
        ("6408047102950001", "date", "31-02-95"),  # a woman born on 31 February
        ("6408042902010001", "date", "29-02-01"),  # 2001 and 1901 are not leap years
        ("6408043104950001", "date", "31-04-95"),
        ("6408041208950000", "serial", "0000"),
    ],
)
def test_parse_nik_rejects_with_a_clear_message(raw, code, fragment):
    with pytest.raises(NikError) as info:
        parse_nik(raw, reference=REF)
    assert info.value.code == code
    assert fragment in str(info.value)
    assert "NIK" in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("raw", [None, 6.408041208950001e15, True, b"6408041208950001"])
def test_parse_nik_rejects_non_text(raw):
    with pytest.raises(NikError) as info:
        parse_nik(raw, reference=REF)
    assert info.value.code == "type"


def test_29_february_00_depends_on_the_century():
    assert parse_nik("6408042902000001", reference=REF).birth_date == dt.date(2000, 2, 29)
    # Early in 2000 the only calendar reading (2000) lies in the future; 1900 was no leap year.
    with pytest.raises(NikError) as info:
        parse_nik("6408042902000001", reference=dt.date(2000, 1, 15))
    assert info.value.code == "future"
    assert "setelah" in str(info.value)
    # In 1999 the candidates are 1900 and 1800, neither a leap year.
    with pytest.raises(NikError) as info:
        parse_nik("6408042902000001", reference=dt.date(1999, 12, 31))
    assert info.value.code == "date"


def test_century_is_relative_to_the_reference():
    raw = "6408040101100001"
    assert parse_nik(raw, reference=dt.date(2024, 1, 1)).birth_date == dt.date(2010, 1, 1)
    assert parse_nik(raw, reference=dt.date(2009, 12, 31)).birth_date == dt.date(1910, 1, 1)
    ref = dt.date(2125, 6, 1)  # the rule keeps working next century: never older than 120
    assert parse_nik("6408040101300001", reference=ref).birth_date == dt.date(2030, 1, 1)
    assert parse_nik("6408040101990001", reference=ref).birth_date == dt.date(2099, 1, 1)


def test_reference_defaults_to_today():
    assert parse_nik("6408041208950001").birth_date == dt.date(1995, 8, 12)


def test_clean_nik():
    assert clean_nik(" 6408 0412.0895 0001\n") == "6408041208950001"
    assert clean_nik(6408041208950001) == "6408041208950001"


def _parts(raw: str) -> NikParts:
    return parse_nik(raw, reference=REF)


@pytest.mark.parametrize(
    ("raw", "birth_date", "sex", "problems"),
    [
        ("6408045208950001", dt.date(1995, 8, 12), "P", []),
        ("6408045208950001", dt.date(1995, 8, 12), "p", []),
        ("6408045208950001", dt.date(1995, 8, 12), "Perempuan", []),
        ("6408041208950001", dt.date(1995, 8, 12), "L", []),
        ("6408041208950001", dt.date(1995, 8, 12), "Laki-laki", []),
        # a woman's NIK without the +40: the sex disagrees
        ("6408041208950001", dt.date(1995, 8, 12), "P", ["sex"]),
        ("6408045208950001", dt.date(1995, 8, 12), "L", ["sex"]),
        ("6408041208950001", dt.date(1995, 12, 8), "L", ["birth_date"]),
        ("6408041208950001", dt.date(1996, 8, 12), "P", ["birth_date", "sex"]),
        # the century is not in the NIK: 1910 agrees with a NIK read as 2010
        ("6408040101100001", dt.date(1910, 1, 1), "L", []),
        # missing values are not disagreements
        ("6408041208950001", None, None, []),
        ("6408041208950001", None, " ", []),
        ("6408041208950001", dt.date(1995, 8, 12), "X", ["sex"]),
    ],
)
def test_nik_consistent(raw, birth_date, sex, problems):
    assert nik_consistent(_parts(raw), birth_date=birth_date, sex=sex) == problems


A = "6408041208950001"


@pytest.mark.parametrize(
    ("b", "distance"),
    [
        (A, 0),
        ("6408041208950002", 1),  # one substitution
        ("6408041208950010", 1),  # adjacent transposition
        ("4608041208950001", 1),  # transposition at the start
        ("6408042108950001", 1),  # day digits transposed
        ("6408041208950012", 2),  # two substitutions
        ("6408041208590001", 1),  # year digits transposed
        ("6408041280950001", 1),
        ("6408041208950100", 2),  # 0001 -> 0100: two edits (a double transposition is not 1)
        ("4608041208950010", 2),  # two transpositions
        ("6408041208950123", 3),
        ("1234567890123456", 3),
        ("408041208950001", 1),  # one digit dropped
        ("64080412089500011", 1),  # one digit added
        ("4080412089500016", 2),  # a shifted copy: delete at the start, insert at the end
        ("40804120895000", 2),
        ("408041208950", 3),  # length differs by 4
        ("", 3),
    ],
)
def test_nik_distance_and_level(b, distance):
    assert nik_distance(A, b) == distance
    assert nik_distance(b, A) == distance
    assert nik_similarity_level(A, b) == distance


def test_nik_distance_agrees_with_a_full_dynamic_programme():
    def osa(a: str, b: str) -> int:
        d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
        for i in range(len(a) + 1):
            d[i][0] = i
        for j in range(len(b) + 1):
            d[0][j] = j
        for i in range(1, len(a) + 1):
            for j in range(1, len(b) + 1):
                cost = a[i - 1] != b[j - 1]
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
        return d[-1][-1]

    rng = random.Random(16)
    for _ in range(3000):
        a = "".join(rng.choice("0123456789") for _ in range(16))
        b = list(a)
        for _ in range(rng.randint(0, 4)):
            op = rng.choice("sidt")
            k = rng.randrange(len(b)) if b else 0
            if op == "s" and b:
                b[k] = rng.choice("0123456789")
            elif op == "i":
                b.insert(k, rng.choice("0123456789"))
            elif op == "d" and b:
                del b[k]
            elif op == "t" and k + 1 < len(b):
                b[k], b[k + 1] = b[k + 1], b[k]
        b = "".join(b)
        assert nik_distance(a, b) == min(osa(a, b), 3), (a, b)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("6408041208950001", "6408041208950002", True),  # twins
        ("6408041208950001", "6408041208950001", False),  # same NIK
        ("6408041208950001", "6408041308950002", False),  # another birth date
        ("6408041208950001", "640804120895002", False),  # not 16 digits
    ],
)
def test_same_except_serial(a, b, expected):
    assert same_except_serial(a, b) is expected


D = dt.date


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        (D(1995, 8, 12), D(1995, 8, 12), 0),
        (D(1995, 8, 12), D(1995, 12, 8), 1),  # day and month swapped
        (D(1995, 3, 4), D(1995, 4, 3), 1),
        (D(1995, 8, 12), D(1995, 8, 13), 2),  # one digit
        (D(1995, 8, 12), D(1996, 8, 12), 2),
        (D(1995, 8, 12), D(1985, 8, 12), 2),
        (D(1995, 8, 12), D(1995, 8, 21), 3),  # digits of the day transposed: two digits
        (D(1995, 8, 12), D(1995, 12, 8).replace(year=1996), 3),  # swap and another year
        (D(1995, 8, 12), D(2003, 1, 30), 3),
        (D(1995, 8, 12), None, 3),
    ],
)
def test_date_similarity_level(a, b, level):
    assert date_similarity_level(a, b) == level
    assert date_similarity_level(b, a) == level


VOTING_DAY = D(2024, 11, 27)


@pytest.mark.parametrize(
    ("born", "status", "eligible"),
    [
        (D(2007, 11, 27), "B", True),  # 17 on voting day itself
        (D(2007, 11, 28), "B", False),  # 17 the day after
        (D(2007, 11, 28), "S", True),  # married: eligible whatever the age
        (D(2009, 1, 1), "P", True),  # once married
        (D(2009, 1, 1), "sudah kawin", True),
        (D(2009, 1, 1), "Cerai Hidup", True),
        (D(2009, 1, 1), "BELUM KAWIN", False),
        (D(2009, 1, 1), None, False),
        (D(1950, 1, 1), None, True),
        (None, "B", False),
        (None, "S", True),
    ],
)
def test_eligible_on(born, status, eligible):
    assert eligible_on(born, status, VOTING_DAY) is eligible


def test_born_on_29_february_turns_17_on_1_march_in_a_common_year():
    born = D(2008, 2, 29)
    assert not eligible_on(born, "B", D(2025, 2, 28))
    assert eligible_on(born, "B", D(2025, 3, 1))
    assert eligible_on(D(2004, 2, 29), "B", D(2021, 3, 1))


def test_messages_are_indonesian_constants():
    assert nikmod.MSG_LENGTH.format(length=15) == "NIK harus 16 digit, bukan 15 digit."
    assert nikmod.MAX_AGE == 120
