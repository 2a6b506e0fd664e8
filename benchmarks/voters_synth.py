"""Synthetic DPT (voter roll) with a known truth, for the double-voter benchmark (issue 3).

The roll is meant to be as hard as a real one, not a showcase for a matcher:

* households share an NKK, an address and RT/RW; parents are married (S), widowed people are
  ``P``, children ``B``; a few married 16-year-olds are eligible; ages 17..90 on voting day;
* NIKs are built like Dukcapil's: kecamatan code (PP KK CC) + DDMMYY (day + 40 for women) +
  a 4-digit serial counted per kecamatan and birth date, so twins get consecutive serials;
* names come from Faker's ``id_ID`` lists, skewed (Zipf-like) and with a list of very common
  full names oversampled, so that many different people share a name and some share a birth
  date too;
* hard non-matches: twins in one household (same birth date, near-identical names, NIK differing
  only in the serial); different people with the same common name and birth date; parent and
  son with the same name at one address; a family member's NIK copied onto another member (K2,
  two real people with one NIK: reported separately in ``nik_errors``, never as a match);
* duplicates (extra registrations of one person, ``dup_rate`` extra rows per person) carry one
  to three corruptions at once: name variants, birth date errors, NIK typos, a move within the
  regency with a new NKK, a NIK re-issued in another kecamatan, birth place spelling, missing
  NKK, stale marital status; some people have three records (a copy of a copy).

Use as a module::

    rows, truth = generate(10_000, seed=1)          # rows: iterator of dicts (DPT columns)
    truth = write_csv("/tmp/dpt.csv", 300_000, seed=1, truth_path="/tmp/truth.csv")

or as a script::

    .venv/bin/python benchmarks/voters_synth.py --people 300000 --seed 1 \\
        --out /tmp/dpt.csv --truth /tmp/truth.csv [--nik-errors /tmp/nik_errors.csv]

The truth file has ``id_l,id_r,kinds`` (``id_l < id_r`` as strings; ``kinds`` is the
``+``-joined corruption kinds of the two records, ``exact`` when none); the NIK-error file has
``id_l,id_r``. Pure Python, deterministic for a seed.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import sys
import time
from bisect import bisect
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from faker.providers.address.id_ID import Provider as _AddressProvider
from faker.providers.person.id_ID import Provider as _PersonProvider

COLUMNS = (
    "id",
    "nik",
    "nkk",
    "name",
    "birth_place",
    "birth_date",
    "sex",
    "marital_status",
    "address",
    "rt",
    "rw",
    "region_code",
    "tps",
    "disability",
)

KINDS = (
    "name",
    "birth_date",
    "nik_typo",
    "moved",
    "nik_reissued",
    "birth_place",
    "missing_nkk",
    "marital_stale",
)
_KIND_WEIGHTS = (30, 14, 14, 18, 7, 8, 6, 3)

# Kutai Timur (64.08) has exactly 18 kecamatan; other regions get generic names.
_KUTIM = (
    "MUARA ANCALONG",
    "MUARA WAHAU",
    "MUARA BENGKAL",
    "SANGATTA UTARA",
    "SANGKULIRANG",
    "BUSANG",
    "TELEN",
    "KONGBENG",
    "BENGALON",
    "KAUBUN",
    "SANDARAN",
    "SANGATTA SELATAN",
    "TELUK PANDAN",
    "RANTAU PULUNG",
    "KALIORANG",
    "BATU AMPAR",
    "LONG MESANGAT",
    "KARANGAN",
)
_MIGRANT_PLACES = (
    "SAMARINDA",
    "BALIKPAPAN",
    "TENGGARONG",
    "BONTANG",
    "BONE",
    "SOPPENG",
    "WAJO",
    "PAREPARE",
    "MAKASSAR",
    "PINRANG",
    "SURABAYA",
    "YOGYAKARTA",
    "JEMBER",
    "BANYUWANGI",
    "KEDIRI",
    "TULUNGAGUNG",
    "MALANG",
    "LAMONGAN",
    "SOLO",
    "BANJARMASIN",
    "KUPANG",
    "FLORES TIMUR",
    "TORAJA",
    "PALU",
    "CILACAP",
)
# NIK region prefixes of people registered elsewhere first (other Kaltim regencies, Java, Sulsel).
_OTHER_REGIONS = ("640201", "647101", "647201", "357801", "350901", "737101", "730801", "337301")

_COMMON_MALE = (
    "MUHAMMAD RIZKI",
    "MUHAMMAD IQBAL",
    "MUHAMMAD FAJAR",
    "MUHAMMAD ILHAM",
    "AHMAD FAUZI",
    "AHMAD RIFAI",
    "AGUS SALIM",
    "BUDI SANTOSO",
    "ANDI SAPUTRA",
    "RAHMAT HIDAYAT",
    "ARIF RAHMAN",
    "DEDI KURNIAWAN",
    "HERI SETIAWAN",
    "SUPRIADI",
    "ABDUL RAHMAN",
    "JOKO SUSILO",
)
_COMMON_FEMALE = (
    "SITI AMINAH",
    "NUR HIDAYAH",
    "SITI FATIMAH",
    "SITI NURHALIZA",
    "SRI WAHYUNI",
    "DEWI LESTARI",
    "NURUL HIDAYAH",
    "SITI RAHMAWATI",
    "RINA WATI",
    "NUR AINI",
    "SRI RAHAYU",
    "PUTRI AYU",
    "WAHYUNI",
    "SITI KHADIJAH",
)
_PREFIX_MALE = ("MUHAMMAD", "MUHAMMAD", "MUHAMMAD", "AHMAD", "ABDUL", "ANDI")
_PREFIX_FEMALE = ("SITI", "SITI", "NUR", "SRI", "NURUL", "ANDI")
_TITLES_PRE_M = ("H.", "DRS.", "IR.", "DR.", "KH.")
_TITLES_PRE_F = ("HJ.", "DRA.", "IR.", "DR.", "HJ.")
_TITLES_POST = ("S.PD", "S.PD.I", "S.H", "S.E", "S.KOM", "S.SOS", "A.MD", "S.T", "M.SI", "S.AG")
_MUHAMMAD = ("M.", "MOH.", "MUH.", "MUHAMAD", "MOHAMMAD", "MOCHAMMAD", "MOHAMAD", "MUHAMMAT")
_COMPOUND = ("NUR", "ABDUL", "SRI", "DWI", "TRI", "EKA", "SITI", "NURUL", "PUTRI", "DEWI")
_OLD_SPELLING = (("U", "OE"), ("J", "DJ"), ("C", "TJ"), ("KH", "CH"), ("Y", "J"), ("SY", "SJ"))

_COMMON_SHARE = 0.07  # of people get one of the common full names
_DEFAULT_DATE = 0.08  # of people over 50: birth date 1 July, 31 December or 1 January
_COMMON_SAME_DATE = 0.1  # of adults with a common name reuse the birth date of a namesake
_TWIN_RATE = 0.05  # of households with two or more children
_JUNIOR_RATE = 0.012  # of households with a son: the son carries his father's full name
_K2_RATE = 0.004  # of households with 2+ members: one member's NIK copied onto another
_THIRD_COPY = 0.12  # of duplicated people get a third record (copy of the copy)
_SIZE_WEIGHTS = ((2, 3, 4, 5, 6, 7), (24, 25, 22, 15, 9, 5))


@dataclass
class Truth:
    """What the generator knows. Ids are the DPT ``id`` strings."""

    pairs: set[tuple[str, str]] = field(default_factory=set)  # true matches, id_l < id_r
    person_of: dict[str, int] = field(default_factory=dict)  # row id -> person id
    kinds: dict[str, tuple[str, ...]] = field(default_factory=dict)  # extra copies only
    nik_errors: set[tuple[str, str]] = field(default_factory=set)  # K2: same NIK, two people
    twins: set[tuple[str, str]] = field(default_factory=set)  # original rows of twin pairs
    juniors: set[tuple[str, str]] = field(default_factory=set)  # father and son, same name
    same_name_date: set[tuple[str, str]] = field(default_factory=set)  # different people
    stats: dict[str, int] = field(default_factory=dict)

    def pair_kinds(self, a: str, b: str) -> tuple[str, ...]:
        return tuple(sorted(set(self.kinds.get(a, ())) | set(self.kinds.get(b, ())))) or ("exact",)


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _zipf_cum(n: int, s: float = 0.6) -> list[float]:
    return list(itertools.accumulate(1.0 / (r + 1) ** s for r in range(n)))


class _Gen:
    def __init__(self, n_people: int, seed: int, dup_rate: float, region: str, voting_day: date):
        if n_people < 2:
            raise ValueError("n_people: at least 2")
        if not 0 <= dup_rate <= 1:
            raise ValueError("dup_rate: between 0 and 1")
        parts = region.split(".")
        if len(parts) != 2 or not all(len(p) == 2 and p.isdigit() for p in parts):
            raise ValueError("region: a regency code like 64.08")
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
        self.n_people = n_people
        self.dup_rate = dup_rate
        self.region = region
        self.vd = voting_day
        rng = self.rng

        def uniq_upper(seq):
            return sorted({s.upper() for s in seq})

        male = uniq_upper(_PersonProvider.first_names_male)
        female = uniq_upper(_PersonProvider.first_names_female)
        rng.shuffle(male)
        rng.shuffle(female)
        self.first = {"L": male, "P": female}
        self.first_cum = {"L": _zipf_cum(len(male)), "P": _zipf_cum(len(female))}
        last_m = uniq_upper(_PersonProvider.last_names_male)
        last_f = uniq_upper(_PersonProvider.last_names_female)
        rng.shuffle(last_m)
        rng.shuffle(last_f)
        self.last = {"L": last_m, "P": last_f}
        self.last_cum = {"L": _zipf_cum(len(last_m)), "P": _zipf_cum(len(last_f))}
        self.streets = uniq_upper(_AddressProvider.streets)
        cities = uniq_upper(_AddressProvider.cities)

        # Regions: 18 kecamatan x 6..10 desa (kelurahan 1xxx in the two towns).
        kec_names = (
            _KUTIM if region == "64.08" else tuple(f"KECAMATAN {i:02d}" for i in range(1, 19))
        )
        self.kec = []  # (code "64.08.04", name)
        self.desa = []  # (desa code dotted, kecamatan index, n_tps)
        weights = []
        for k in range(18):
            code = f"{region}.{k + 1:02d}"
            self.kec.append((code, kec_names[k]))
            town = kec_names[k].startswith("SANGATTA")
            for d in range(rng.randint(6, 10)):
                base = 1000 if town and d < 4 else 2000
                self.desa.append([f"{code}.{base + d + 1:04d}", k, 1])
                weights.append(rng.uniform(0.4, 2.5) * (3 if town else 1))
        total = sum(weights)
        for d, w in zip(self.desa, weights, strict=True):
            d[2] = max(1, round(n_people * w / total / 290))
        self.desa_cum = list(itertools.accumulate(weights))
        # Per desa file conventions (DPT files come per TPS/desa from different operators).
        self.desa_datefmt = [rng.choices((0, 1, 2), (85, 10, 5))[0] for _ in self.desa]
        self.desa_nodots = [rng.random() < 0.04 for _ in self.desa]
        self.kec6 = [c.replace(".", "") for c, _ in self.kec]
        self.local_places = [n for _, n in self.kec]
        self.migrant_places = list(_MIGRANT_PLACES) + cities[:40]

        self.serial: dict[tuple[str, str], int] = defaultdict(int)
        self.nkk_serial: dict[str, int] = defaultdict(int)
        self.common_dates: dict[str, list[int]] = defaultdict(list)
        # Birth ordinals: ages 17..90 on voting day.
        self.o_vd = voting_day.toordinal()
        self.o_min = self._years_before(90).toordinal() + 1
        self.o_17 = self._years_before(17).toordinal()
        self.o_16 = self._years_before(16).toordinal()
        self.o_default = self._years_before(50).toordinal()

    # ----------------------------------------------------------------- basics
    def _years_before(self, years: int) -> date:
        vd = self.vd
        try:
            return vd.replace(year=vd.year - years)
        except ValueError:  # 29 February
            return vd.replace(year=vd.year - years, day=28)

    def nik(self, region6: str, born: date, sex: str) -> str:
        day = born.day + (40 if sex == "P" else 0)
        key = f"{day:02d}{born.month:02d}{born.year % 100:02d}"
        self.serial[(region6, key)] += 1
        return f"{region6}{key}{self.serial[(region6, key)]:04d}"

    def nkk(self, kec: int) -> str:
        k6 = self.kec6[kec]
        issued = date.fromordinal(self.o_vd - self.rng.randint(30, 7000))
        self.nkk_serial[k6] += 1
        return f"{k6}{issued:%d%m%y}{self.nkk_serial[k6] % 10000:04d}"

    def first_name(self, sex: str) -> str:
        return self.rng.choices(self.first[sex], cum_weights=self.first_cum[sex])[0]

    def last_name(self, sex: str) -> str:
        return self.rng.choices(self.last[sex], cum_weights=self.last_cum[sex])[0]

    def name(self, sex: str, surname: str | None = None, father: str | None = None):
        """Returns (name, is_common)."""
        rng = self.rng
        if rng.random() < _COMMON_SHARE:
            return rng.choice(_COMMON_MALE if sex == "L" else _COMMON_FEMALE), True
        toks = []
        r = rng.random()
        if r < 0.14:
            toks.append(rng.choice(_PREFIX_MALE if sex == "L" else _PREFIX_FEMALE))
        toks.append(self.first_name(sex))
        if rng.random() < 0.3:
            toks.append(self.first_name(sex))
        if surname:
            toks.append(surname)
        elif rng.random() < 0.4:
            toks.append(self.last_name(sex))
        if len(toks) == 1 and rng.random() < 0.1:
            pass  # a single name, common in Java
        if father and rng.random() < 0.08:
            toks += ["BIN" if sex == "L" else "BINTI", father.split()[0]]
        return " ".join(toks), False

    def birth_place(self, kec: int) -> str:
        r = self.rng.random()
        if r < 0.55:
            return self.local_places[kec]
        if r < 0.7:
            return self.rng.choice(self.local_places)
        return self.rng.choice(self.migrant_places)

    def born_between(self, lo: int, hi: int) -> int:
        return self.rng.randint(max(lo, self.o_min), min(hi, self.o_17))

    # ------------------------------------------------------------- households
    def household(self, hh: int, size: int, out: list, meta: list, hard: dict) -> None:
        rng = self.rng
        d = bisect(self.desa_cum, rng.random() * self.desa_cum[-1])
        d = min(d, len(self.desa) - 1)
        desa_code, kec, n_tps = self.desa[d]
        nkk = self.nkk(kec)
        street = rng.choice(self.streets)
        kind_addr = rng.random()
        if kind_addr < 0.6:
            address = f"JL. {street} NO. {rng.randint(1, 150)}"
        elif kind_addr < 0.8:
            address = f"GG. {street} NO. {rng.randint(1, 60)}"
        else:
            address = f"DUSUN {rng.choice(self.local_places).split()[-1]} {rng.randint(1, 9)}"
        rt = f"{rng.randint(1, 40):03d}"
        rw = f"{rng.randint(1, 12):03d}"
        tps = f"{rng.randint(1, n_tps):03d}"
        surname = self.last_name("L") if rng.random() < 0.3 else None
        members = []  # (sex, born ordinal, marital, name, common, role)
        y = 365.25
        htype = rng.random()
        o17 = self.o_17
        if htype < 0.12 or size == 1:  # widowed head with children
            sex = "P" if rng.random() < 0.65 else "L"
            head_o = self.born_between(o17 - int(90 * y), o17 - int(19 * y))
            members.append([sex, head_o, "P", None, False, "head"])
            mother_o = head_o
            father_name = None
        else:
            head_o = self.born_between(o17 - int(73 * y), o17 - int(3 * y))
            wife_o = rng.randint(max(self.o_min, head_o - 3 * 365), min(o17, head_o + 12 * 365))
            if htype > 0.95 and size >= 3:  # young couple: some brides are 16
                wife_o = rng.randint(o17 + 1, self.o_16) if rng.random() < 0.15 else wife_o
            members.append(["L", head_o, "S", None, False, "head"])
            members.append(["P", wife_o, "S", None, False, "wife"])
            mother_o = wife_o
            father_name = None
        if 0.12 <= htype < 0.24 and len(members) < size:  # three generations: widowed elder
            elder_lo = self.o_min
            elder_hi = min(head_o - int(18 * y), o17)
            if elder_hi > elder_lo:
                members.append(
                    [rng.choice("LPP"), rng.randint(elder_lo, elder_hi), "P", None, False, "elder"]
                )
        # Children: born 18..45 years after the mother, 17+ on voting day.
        lo, hi = mother_o + int(18 * y), min(mother_o + int(45 * y), o17)
        n_children = size - len(members) if hi > lo else 0
        for _ in range(n_children):
            sex = "L" if rng.random() < 0.5 else "P"
            members.append([sex, rng.randint(lo, hi), "B", None, False, "child"])
        # Names: head first (children may take the surname and a bin/binti patronym).
        for m in members:
            if m[5] in ("head", "elder", "wife"):
                m[3], m[4] = self.name(m[0])
        head_name = members[0][3]
        if members[0][0] == "L":
            father_name = head_name
        for m in members:
            if m[5] == "child":
                m[3], m[4] = self.name(m[0], surname, father_name)
                if rng.random() < 0.08 and self.o_vd - m[1] > 24 * y:
                    m[2] = "S" if rng.random() < 0.8 else "P"
        # Older people often carry a default birth date (1 July, 31 December, 1 January).
        for m in members:
            if m[5] != "child" and m[1] < self.o_default and rng.random() < _DEFAULT_DATE:
                year = date.fromordinal(m[1]).year
                o = date(year, *rng.choice(((7, 1), (12, 31), (1, 1)))).toordinal()
                if self.o_min <= o <= self.o_17:
                    m[1] = o
        # Namesakes with the same birth date (adults, no family constraint on their date).
        for m in members:
            if m[4] and m[5] in ("head", "elder"):
                dates = self.common_dates[m[3]]
                if dates and rng.random() < _COMMON_SAME_DATE:
                    m[1] = rng.choice(dates)
                else:
                    dates.append(m[1])
        children = [i for i, m in enumerate(members) if m[5] == "child"]
        twin_pair = junior_pair = None
        if len(children) >= 2 and rng.random() < _TWIN_RATE:
            a, b = children[0], children[1]
            members[b][0] = members[a][0]
            members[b][1] = members[a][1]
            members[b][3] = _near_name(members[a][3], rng)
            twin_pair = (a, b)
        if members[0][0] == "L" and rng.random() < _JUNIOR_RATE:
            sons = [
                i
                for i in children
                if members[i][0] == "L" and (twin_pair is None or i not in twin_pair)
            ]
            if sons:
                members[sons[-1]][3] = head_name
                junior_pair = (0, sons[-1])

        first_index = len(out)
        region6 = place = ""
        for idx, m in enumerate(members):
            sex, born_o, marital, name, common, role = m
            born = date.fromordinal(born_o)
            twin_b = twin_pair is not None and idx == twin_pair[1]
            r = rng.random()
            if twin_b:
                pass  # same region and birth place as the other twin: NIK differs in the serial
            elif r < 0.86:
                region6 = self.kec6[kec]
            elif r < 0.92:
                region6 = rng.choice(self.kec6)
            else:
                region6 = rng.choice(_OTHER_REGIONS)
            nik = self.nik(region6, born, sex)
            age = (self.o_vd - born_o) / y
            dis = ""
            if rng.random() < (0.012 if age < 60 else 0.05):
                dis = str(rng.choices((1, 2, 3, 4, 5, 6), (30, 15, 10, 20, 15, 10))[0])
            if not twin_b:
                place = self.birth_place(kec)
            person = len(meta)
            out.append(
                (person, (), nik, nkk, name, place, born, self.desa_datefmt[d], sex, marital,
                 address, rt, rw, desa_code, self.desa_nodots[d], tps, dis)
            )  # fmt: skip
            meta.append(hh)
            if common:
                hard["common_people"] += 1
            if age < 17:
                hard["married_16"] += 1
        if twin_pair:
            hard["twins"].append((first_index + twin_pair[0], first_index + twin_pair[1]))
        if junior_pair:
            hard["juniors"].append((first_index + junior_pair[0], first_index + junior_pair[1]))
        if len(members) >= 2 and rng.random() < _K2_RATE:
            a, b = rng.sample(range(len(members)), 2)
            src, dst = out[first_index + a], list(out[first_index + b])
            dst[2] = src[2]
            out[first_index + b] = tuple(dst)
            hard["k2"].append((first_index + a, first_index + b))

    # ------------------------------------------------------------- corruption
    def corrupt(self, row: tuple, n_kinds: int) -> tuple:
        rng = self.rng
        r = list(row)
        kinds = set()
        while len(kinds) < n_kinds:
            kinds.add(rng.choices(KINDS, _KIND_WEIGHTS)[0])
        if "nik_reissued" in kinds and rng.random() < 0.7:
            kinds.add("moved")
        applied = []
        for kind in sorted(kinds, key=KINDS.index):
            if kind == "name":
                new = _name_variant(r[4], r[8], rng)
                if new == r[4]:
                    continue
                r[4] = new
            elif kind == "birth_date":
                r[6] = _date_error(r[6], rng)
            elif kind == "nik_typo":
                r[2] = _nik_typo(r[2], rng)
            elif kind == "moved":
                desa = self.desa
                d = rng.randrange(len(desa))
                while desa[d][0] == r[13]:
                    d = rng.randrange(len(desa))
                r[13], kec, n_tps = desa[d]
                r[3] = self.nkk(kec)
                street = rng.choice(self.streets)
                r[10] = f"JL. {street} NO. {rng.randint(1, 150)}"
                r[11] = f"{rng.randint(1, 40):03d}"
                r[12] = f"{rng.randint(1, 12):03d}"
                r[15] = f"{rng.randint(1, n_tps):03d}"
                r[7], r[14] = self.desa_datefmt[d], self.desa_nodots[d]
            elif kind == "nik_reissued":
                old = r[2][:6]
                new = rng.choice(self.kec6)
                while new == old:
                    new = rng.choice(self.kec6)
                key = r[2][6:12]
                self.serial[(new, key)] += 1
                r[2] = f"{new}{key}{self.serial[(new, key)]:04d}"
            elif kind == "birth_place":
                new = _place_variant(r[5], rng)
                if new == r[5]:
                    continue
                r[5] = new
            elif kind == "missing_nkk":
                if not r[3]:
                    continue
                r[3] = ""
            elif kind == "marital_stale":
                stale = {"S": "B", "P": "S", "B": "S"}[r[9]]
                r[9] = stale
            applied.append(kind)
        if "moved" not in applied:  # registered again at another TPS of the same desa, often
            n_tps = self.desa[self._desa_index(r[13])][2]
            if rng.random() < 0.5:
                r[15] = f"{rng.randint(1, n_tps):03d}"
        if rng.random() < 0.25:
            r[7] = rng.randrange(3)
        if rng.random() < 0.08:
            r[14] = not r[14]
        r[1] = tuple(dict.fromkeys((*row[1], *applied)))
        return tuple(r)

    def _desa_index(self, code: str) -> int:
        if not hasattr(self, "_desa_pos"):
            self._desa_pos = {c: i for i, (c, _, _) in enumerate(self.desa)}
        return self._desa_pos[code]

    # ------------------------------------------------------------------ build
    def build(self):
        rng = self.rng
        out: list[tuple] = []
        meta: list[int] = []  # person -> household
        hard = {"twins": [], "juniors": [], "k2": [], "common_people": 0, "married_16": 0}
        hh = 0
        sizes, sw = _SIZE_WEIGHTS
        cum = list(itertools.accumulate(sw))
        while len(out) < self.n_people:
            size = rng.choices(sizes, cum_weights=cum)[0]
            size = min(size, self.n_people - len(out))  # the last one may be a single widow
            self.household(hh, size, out, meta, hard)
            hh += 1
        n_orig = len(out)
        # Duplicates: round(dup_rate * people) extra rows; some people get two extra.
        n_extra = round(self.dup_rate * n_orig)
        k2_rows = {i for p in hard["k2"] for i in p}
        candidates = [i for i in range(n_orig) if i not in k2_rows]
        n_third = int(n_extra * _THIRD_COPY / (1 + _THIRD_COPY))
        n_dup_people = min(n_extra - n_third, len(candidates))
        chosen = rng.sample(candidates, n_dup_people)
        third = set(rng.sample(chosen, min(n_third, len(chosen))))
        extra = []
        for i in chosen:
            base = out[i]
            n_kinds = 0 if rng.random() < 0.05 else rng.choices((1, 2, 3), (45, 35, 20))[0]
            copy = self.corrupt(base, n_kinds)
            extra.append(copy)
            if i in third:
                extra.append(self.corrupt(copy, rng.choices((0, 1, 2), (10, 60, 30))[0]))
        rows = out + extra
        order = list(range(len(rows)))
        rng.shuffle(order)
        ids = rng.sample(range(10_000_000, 100_000_000), len(rows))
        id_of = [""] * len(rows)
        for pos, i in enumerate(order):
            id_of[i] = str(ids[pos])
        return rows, order, id_of, meta, hard, hh, n_orig


def _near_name(name: str, rng: random.Random) -> str:
    """A twin's name: one letter away in the given name (RIZKI/RIZKY, AINI/AINA)."""
    toks = name.split()
    idx = 1 if len(toks) > 1 and toks[0] in _PREFIX_MALE + _PREFIX_FEMALE else 0
    t = toks[idx]
    last = t[-1]
    swap = {"I": "YA", "Y": "I", "A": "IE", "E": "A", "O": "U", "U": "O"}
    if last in swap:
        t = t[:-1] + rng.choice(swap[last])
    else:
        vowels = [k for k, c in enumerate(t) if c in "AIUEO"]
        if vowels:
            k = rng.choice(vowels)
            t = t[:k] + rng.choice([v for v in "AIUEO" if v != t[k]]) + t[k + 1 :]
        else:
            t = t + "A"
    toks[idx] = t
    return " ".join(toks)


def _name_variant(name: str, sex: str, rng: random.Random) -> str:
    ops = ["title", "typo", "spacing", "old", "given"]
    if "MUHAMMAD" in name.split() or "SITI" in name.split():
        ops += ["muhammad"] * 3
    if " BIN " in name or " BINTI " in name:
        ops += ["given"] * 3
    op = rng.choice(ops)
    toks = name.split()
    if op == "muhammad" and "MUHAMMAD" in toks:
        i = toks.index("MUHAMMAD")
        toks[i] = rng.choice(_MUHAMMAD)
    elif op == "muhammad":
        toks[toks.index("SITI")] = "ST."
    elif op == "title":
        if rng.random() < 0.5:
            pre = rng.choice(_TITLES_PRE_M if sex == "L" else _TITLES_PRE_F)
            toks.insert(0, pre)
        else:
            toks[-1] += ","
            toks.append(rng.choice(_TITLES_POST))
    elif op == "old":
        rules = [(a, b) for a, b in _OLD_SPELLING if a in name]
        if rules:
            a, b = rng.choice(rules)
            return name.replace(a, b)
        op = "typo"
    elif op == "spacing":
        for i, t in enumerate(toks):
            for p in _COMPOUND:
                if t == p and i + 1 < len(toks):
                    toks[i : i + 2] = [t + toks[i + 1]]
                    return " ".join(toks)
                if t.startswith(p) and len(t) > len(p) + 2:
                    toks[i : i + 1] = [p, t[len(p) :]]
                    return " ".join(toks)
        if len(toks) >= 2 and rng.random() < 0.5:
            i = rng.randrange(len(toks) - 1)
            toks[i : i + 2] = [toks[i] + toks[i + 1]]
        else:
            op = "typo"
    elif op == "given":
        if "BIN" in toks or "BINTI" in toks:
            toks = toks[: toks.index("BIN" if "BIN" in toks else "BINTI")]
        elif len(toks) >= 2:
            toks = toks[:-1]
        else:
            op = "typo"
    if op == "typo":
        s = " ".join(toks)
        letters = [k for k, c in enumerate(s) if c.isalpha() and k > 0]
        k = rng.choice(letters)
        r = rng.random()
        if r < 0.4:  # dropped letter
            s = s[:k] + s[k + 1 :]
        elif r < 0.75 and k + 1 < len(s) and s[k + 1].isalpha() and s[k + 1] != s[k]:
            s = s[:k] + s[k + 1] + s[k] + s[k + 2 :]  # swapped letters
        elif r < 0.9:
            s = s[:k] + s[k] + s[k:]  # doubled letter
        else:
            s = s[:k] + rng.choice("AIUEONRSTKMH".replace(s[k], "")) + s[k + 1 :]
        return s
    return " ".join(toks)


def _date_error(d: date, rng: random.Random) -> date:
    if d.day <= 12 and d.day != d.month and rng.random() < 0.6:
        return d.replace(day=d.month, month=d.day)
    s = f"{d.year:04d}{d.month:02d}{d.day:02d}"
    for _ in range(50):
        k = rng.choice((2, 3, 5, 6, 7, 7))  # decade/year digits, month, day
        t = s[:k] + rng.choice("0123456789".replace(s[k], "")) + s[k + 1 :]
        try:
            new = date(int(t[:4]), int(t[4:6]), int(t[6:]))
        except ValueError:
            continue
        if abs(new.year - d.year) <= 20:
            return new
    return d + timedelta(days=1)


def _nik_typo(nik: str, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.3:
        pairs = [k for k in range(15) if nik[k] != nik[k + 1]]
        if pairs:
            k = rng.choice(pairs)
            return nik[:k] + nik[k + 1] + nik[k] + nik[k + 2 :]
    n = 2 if r > 0.9 else 1
    s = nik
    for k in rng.sample(range(16), n):
        s = s[:k] + rng.choice("0123456789".replace(s[k], "")) + s[k + 1 :]
    return s


def _place_variant(place: str, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.2:
        return ("KAB. " if rng.random() < 0.6 else "KOTA ") + place
    if r < 0.4:
        if " " in place:
            return place.replace(" ", "", 1)
        rules = [(a, b) for a, b in _OLD_SPELLING if a in place]
        if rules:
            a, b = rng.choice(rules)
            return place.replace(a, b)
    if r < 0.55 and len(place) > 4:
        return place[:4] if rng.random() < 0.5 else place.split()[0]
    doubled = [k for k in range(1, len(place)) if place[k] == place[k - 1]]
    if doubled:
        k = rng.choice(doubled)
        return place[:k] + place[k + 1 :]
    k = rng.randrange(1, len(place))
    if place[k].isalpha():
        return place[:k] + place[k] + place[k:]
    return place + "H"


def _fmt_date(d: date, fmt: int) -> str:
    if fmt == 0:
        return d.isoformat()
    sep = "-" if fmt == 1 else "/"
    return f"{d.day:02d}{sep}{d.month:02d}{sep}{d.year:04d}"


def _record(row: tuple, row_id: str) -> tuple:
    (_, _, nik, nkk, name, place, born, fmt, sex, marital, address, rt, rw, desa, nodots, tps,
     dis) = row  # fmt: skip
    return (row_id, nik, nkk, name, place, _fmt_date(born, fmt), sex, marital, address, rt, rw,
            desa.replace(".", "") if nodots else desa, tps, dis)  # fmt: skip


def _truth(rows, id_of, meta, hard, n_households, n_orig) -> Truth:
    t = Truth()
    by_person: dict[int, list[str]] = defaultdict(list)
    for i, row in enumerate(rows):
        rid = id_of[i]
        t.person_of[rid] = row[0]
        by_person[row[0]].append(rid)
        if i >= n_orig:
            t.kinds[rid] = row[1]
    kind_count: Counter = Counter()
    for ids in by_person.values():
        if len(ids) > 1:
            for a, b in itertools.combinations(ids, 2):
                t.pairs.add(_pair(a, b))
                for k in t.pair_kinds(a, b):
                    kind_count[k] += 1
    t.twins = {_pair(id_of[a], id_of[b]) for a, b in hard["twins"]}
    t.juniors = {_pair(id_of[a], id_of[b]) for a, b in hard["juniors"]}
    t.nik_errors = {_pair(id_of[a], id_of[b]) for a, b in hard["k2"]}
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i in range(n_orig):
        groups[(rows[i][4], rows[i][6])].append(i)
    same_name_desa = 0
    for members in groups.values():
        for a, b in itertools.combinations(members, 2):
            if meta[rows[a][0]] != meta[rows[b][0]]:
                t.same_name_date.add(_pair(id_of[a], id_of[b]))
                same_name_desa += rows[a][13] != rows[b][13]
    twins_serial_only = sum(
        1 for a, b in hard["twins"] if rows[a][2][:12] == rows[b][2][:12] != "" and
        rows[a][2] != rows[b][2]
    )  # fmt: skip
    name_sizes = Counter(rows[i][4] for i in range(n_orig))
    t.stats = {
        "rows": len(rows),
        "people": n_orig,
        "households": n_households,
        "extra_copies": len(rows) - n_orig,
        "people_with_3_records": sum(1 for ids in by_person.values() if len(ids) >= 3),
        "true_pairs": len(t.pairs),
        **{f"pairs_{k}": kind_count[k] for k in (*KINDS, "exact")},
        "pairs_multi_kind": sum(
            1 for a, b in t.pairs if len(set(t.pair_kinds(a, b)) - {"exact"}) >= 2
        ),
        "twin_pairs": len(t.twins),
        "twin_pairs_nik_serial_only": twins_serial_only,
        "same_name_same_birthdate_nonmatch_pairs": len(t.same_name_date),
        "same_name_same_birthdate_other_desa": same_name_desa,
        "father_son_same_name_pairs": len(t.juniors),
        "nik_error_pairs_k2": len(t.nik_errors),
        "people_with_a_common_name": hard["common_people"],
        "names_shared_by_50_plus_people": sum(1 for c in name_sizes.values() if c >= 50),
        "married_16_year_olds": hard["married_16"],
    }
    return t


def generate(
    n_people: int,
    *,
    seed: int,
    dup_rate: float = 0.02,
    region: str = "64.08",
    voting_day: date = date(2024, 11, 27),
) -> tuple[Iterator[dict[str, str]], Truth]:
    """Builds the roll; returns (rows as dicts with the DPT columns in file order, truth)."""
    rows, order, id_of, truth = _generate(n_people, seed, dup_rate, region, voting_day)

    def iter_rows():
        for i in order:
            yield dict(zip(COLUMNS, _record(rows[i], id_of[i]), strict=True))

    return iter_rows(), truth


def _generate(n_people, seed, dup_rate, region, voting_day):
    g = _Gen(n_people, seed, dup_rate, region, voting_day)
    rows, order, id_of, meta, hard, n_hh, n_orig = g.build()
    truth = _truth(rows, id_of, meta, hard, n_hh, n_orig)
    return rows, order, id_of, truth


def write_csv(
    path: str | Path,
    n_people: int,
    seed: int,
    *,
    dup_rate: float = 0.02,
    region: str = "64.08",
    voting_day: date = date(2024, 11, 27),
    truth_path: str | Path | None = None,
    nik_errors_path: str | Path | None = None,
) -> Truth:
    """Writes the roll as CSV (UTF-8, header = DPT columns) and, if asked, the truth files."""
    rows, order, id_of, truth = _generate(n_people, seed, dup_rate, region, voting_day)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for start in range(0, len(order), 50_000):
            w.writerows(_record(rows[i], id_of[i]) for i in order[start : start + 50_000])
    if truth_path:
        with open(truth_path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(("id_l", "id_r", "kinds"))
            w.writerows((a, b, "+".join(truth.pair_kinds(a, b))) for a, b in sorted(truth.pairs))
    if nik_errors_path:
        with open(nik_errors_path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(("id_l", "id_r"))
            w.writerows(sorted(truth.nik_errors))
    return truth


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--people", type=int, default=300_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--dup-rate", type=float, default=0.02)
    p.add_argument("--region", default="64.08")
    p.add_argument("--voting-day", type=date.fromisoformat, default=date(2024, 11, 27))
    p.add_argument("--out", required=True, help="DPT CSV to write")
    p.add_argument("--truth", help="true match pairs CSV (id_l,id_r,kinds)")
    p.add_argument("--nik-errors", help="K2 pairs CSV (default: next to --truth)")
    a = p.parse_args(argv)
    nik_errors = a.nik_errors
    if nik_errors is None and a.truth:
        t = Path(a.truth)
        nik_errors = str(t.with_name(t.stem + "_nik_errors" + (t.suffix or ".csv")))
    t0 = time.perf_counter()
    truth = write_csv(
        a.out,
        a.people,
        a.seed,
        dup_rate=a.dup_rate,
        region=a.region,
        voting_day=a.voting_day,
        truth_path=a.truth,
        nik_errors_path=nik_errors,
    )
    elapsed = time.perf_counter() - t0
    width = max(len(k) for k in truth.stats)
    for k, v in truth.stats.items():
        print(f"{k:<{width}}  {v:>10,}")
    print(f"{'seconds':<{width}}  {elapsed:>10.1f}")
    print(f"wrote {a.out}" + (f", {a.truth}, {nik_errors}" if a.truth else ""), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
