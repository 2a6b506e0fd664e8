"""The Kutai Timur demo's voter roll: a synthetic DPT sample, its planted problems, the search.

``demo_voters_load`` writes about ten thousand voters (``max_voters``) at the TPS of three desa
of Sangatta Utara and Sangatta Selatan (the demo's other TPS keep their DPT counts but no voter
rows: the roll is a sample), in households sharing an NKK and an address, with NIKs consistent
with birth date, sex and region. Planted in it, as an analyst meets them in a real roll:

* about 1 % double registrations: a voter registered again at another TPS, the copy with the
  errors of real rolls (a title or a spelling variant of the name, a typo or a transposition in
  the NIK, a NIK re-issued in another kecamatan, day and month swapped, a new address and NKK
  after a move);
* twins in one household (same birth date, near-identical names, NIKs differing only in the
  serial): two people, which the search must not flag;
* K2 cases: a family member's NIK copied onto another member (a data error for KPU);
* the voter of the 2024 Sangatta Utara story (the demo's "pemilih-dua-kali" report): a man of
  34, initial R, on the roll once, at that report's TPS.

Then the double-registration search runs synchronously (``siaga.voters.linkage``) so the review
queue is full, and two of the strongest pairs are confirmed by the analyst, as on a real
morning. Everything comes from a generator seeded with ``seed``: the same roll every time.
Idempotent: a roll already loaded is left as it is (the search runs only when it never ran).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from siaga.accounts.choices import Role
from siaga.accounts.models import User
from siaga.core.audit import AuditContext, audit_record
from siaga.demo import kutai_timur as facts
from siaga.voters.models import (
    DuplicateClass,
    DuplicatePair,
    JobStatus,
    LinkageRun,
    MaritalStatus,
    PairStatus,
    Sex,
    Voter,
)
from siaga.wilayah.models import Tps

SEED = 2024
ID_PREFIX = "DEMO-"
COPY_PREFIX = "DEMO-G"  # the planted second registrations
STORY_VOTER_ID = "DEMO-KISAH-R"
STORY_KECAMATAN = "64.08.04"  # Sangatta Utara; see siaga/demo/incidents.py "pemilih-dua-kali"
STORY_TPS_INDEX = 7
# The sampled desa: (kecamatan, how many TPS at most). The story's desa comes first.
SAMPLE = (("64.08.04", 8), ("64.08.04", 6), ("64.08.12", 6))
DUPLICATE_RATE = 0.01
TWIN_PAIRS = 12
K2_COPIES = 5
CONFIRMED_PAIRS = 2

# --- names (DPT style: upper case), a Kutai Timur mix of Kutai, Banjar, Bugis, Javanese, Dayak,
# Toraja and NTT families; a few very common names on purpose -----------------------------------
MALE = (
    "AHMAD", "MUHAMMAD", "ABDUL", "RAHMAT", "BUDI", "AGUS", "ANDI", "ARIF", "BAMBANG", "DEDI",
    "EKO", "FAJAR", "HENDRA", "IRFAN", "JOKO", "KURNIAWAN", "LUKMAN", "MULYADI", "RUDI",
    "SYAHRUL", "TAUFIK", "WAHYU", "YUSUF", "ZAINAL", "HASAN", "ILHAM", "RIZKI", "SUGIANTO",
    "SUPARMAN", "SLAMET", "DARMAWAN", "IWAN", "HAMZAH", "RIDWAN", "FIRMAN", "ANWAR", "AMIR",
    "RUSDI", "JAMALUDDIN", "SYAMSUDDIN", "BAHARUDDIN", "NASRULLAH", "HAIRUL", "FAHMI", "AJI",
    "YOHANES", "PETRUS", "MARTHEN", "DAUD", "ISMAIL", "SAIFUL", "AKBAR", "HERMAN", "JUNAIDI",
    "ARDIANSYAH", "GUSTI", "AWANG", "LUNG", "YAKOBUS", "SUDIRMAN",
)  # fmt: skip
FEMALE = (
    "SITI", "NUR", "SRI", "DEWI", "FITRI", "INDAH", "RINA", "YULIANA", "WAHYUNI", "LESTARI",
    "RAHMAWATI", "NURHAYATI", "HASNAH", "HASANAH", "AISYAH", "FATIMAH", "KARTINI", "RATNA",
    "SUSANTI", "WULANDARI", "AMINAH", "HALIMAH", "MURNI", "SUMARNI", "MARIANA", "YOHANA",
    "MARIA", "ERNAWATI", "NURUL", "ROSMINI", "SITTI", "HAJRAH", "RAHMI", "NURJANAH",
    "ASMAWATI", "MARLINA", "NOVITA", "PUTRI", "AYU", "MEGA", "DIAN", "EKA", "AGUSTINA",
    "SULASTRI", "SURYANI", "HERLINA", "DAYANG", "ELISABET",
)  # fmt: skip
SECOND_MALE = (
    "SAPUTRA", "PRATAMA", "HIDAYAT", "SETIAWAN", "WIJAYA", "HARTONO", "SANTOSO", "RAMADHAN",
    "FIRMANSYAH", "NUGROHO", "SUSANTO", "GUNAWAN", "SYAHPUTRA", "EFFENDI", "HALIM", "RAHMAN",
    "HAKIM", "MAULANA", "FAUZI", "SAMAD", "LATIF", "MAPPA", "PALLAWA", "TANDI", "LAING",
)  # fmt: skip
SECOND_FEMALE = (
    "SARI", "LESTARI", "WATI", "HANDAYANI", "PUSPITA", "ANGGRAINI", "PERTIWI", "NINGSIH",
    "SAFITRI", "UTAMI", "AMINAH", "RAHAYU", "KURNIASIH", "MAWARNI", "ARIANI",
)  # fmt: skip
COMMON = {"L": ("MUHAMMAD RIZKI", "AHMAD FAUZI"), "P": ("SITI AMINAH", "NUR HIDAYAH")}
TWIN_NAMES = (  # twins get names that rhyme, not names that differ by a typo
    ("L", "MUHAMMAD HASAN", "MUHAMMAD HUSEIN"),
    ("P", "NUR AINI", "NUR AINUN"),
    ("L", "RIZKI RAMADHAN", "RIZAL RAMADHAN"),
    ("P", "SITI NURHALIZA", "SITI NURHAYATI"),
    ("L", "ANDI SAPUTRA", "ANDI SETIAWAN"),
    ("P", "DINDA AULIA", "DINDA AMELIA"),
)
STREETS = (
    "JL. YOS SUDARSO", "JL. APT PRANOTO", "JL. SOEKARNO HATTA", "JL. POROS SANGATTA-BENGALON",
    "GG. MAWAR", "GG. MELATI", "JL. PENDIDIKAN", "JL. AHMAD DAHLAN", "JL. DIPONEGORO",
    "JL. PINANG", "JL. KABO JAYA", "JL. RANTAU PULUNG", "JL. MASJID", "JL. PELABUHAN",
    "JL. KENYAMUKAN", "GG. SEPAKAT", "JL. SWARGA BARA", "JL. TELUK LINGGA",
)  # fmt: skip
BIRTH_PLACES = (
    "SANGATTA", "SANGATTA", "SANGATTA", "KUTAI TIMUR", "SAMARINDA", "BONTANG", "TENGGARONG",
    "BALIKPAPAN", "MAKASSAR", "BONE", "WAJO", "PAREPARE", "SURABAYA", "MALANG", "BANJARMASIN",
    "MUARA WAHAU", "TORAJA", "KUPANG", "FLORES TIMUR", "SINJAI",
)  # fmt: skip
# NIK regions of voters first registered outside the kecamatan they live in now.
OTHER_NIK_REGIONS = ("640802", "640805", "640809", "640812", "647101", "647201", "737101")
TITLES = ("H. ", "HJ. ", "DRS. ", "IR. ")
DEGREES = (", S.PD.", ", S.E.", ", S.H.", ", S.KOM.", ", A.MD.")


@dataclass
class VotersDemoSummary:
    """What the demo roll holds, and what this run did."""

    voters: int = 0
    tps_covered: int = 0
    desa_covered: int = 0
    planted_duplicates: int = 0
    twin_pairs: int = 0
    k2_copies: int = 0
    pairs_found: int = 0
    confirmed: int = 0
    created: bool = False
    linkage_ran: bool = False
    seconds: float = 0.0
    story_tps_id: int | None = None
    # Voter ids of the planted cases (the truth of the generator), for tests and evaluation.
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    twins: list[tuple[str, str]] = field(default_factory=list)
    k2: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Row:
    voter_id: str
    nik: str
    nkk: str
    name: str
    birth_place: str
    birth_date: dt.date
    sex: str
    marital_status: str
    address: str
    rt: str
    rw: str
    desa_id: str
    tps_id: int

    def model(self) -> Voter:
        return Voter(**self.__dict__)


class _Roll:
    """The generator: households at TPS, then the planted problems. Pure, seeded."""

    def __init__(self, rng: random.Random, voting_day: dt.date) -> None:
        self.rng = rng
        self.voting_day = voting_day
        self.rows: list[_Row] = []
        self.niks: set[str] = set()
        self.serials: dict[str, int] = {}
        self.nkk_serial = 0
        self.households: list[list[_Row]] = []
        self.summary = VotersDemoSummary()

    # identity numbers
    def nik(self, region6: str, born: dt.date, sex: str) -> str:
        day = born.day + (40 if sex == Sex.FEMALE else 0)
        stem = f"{region6}{day:02d}{born.month:02d}{born.year % 100:02d}"
        while True:
            serial = self.serials.get(stem, self.rng.randint(1, 40)) + 1
            self.serials[stem] = serial
            value = f"{stem}{serial:04d}"
            if value not in self.niks:
                self.niks.add(value)
                return value

    def nkk(self, region6: str) -> str:
        self.nkk_serial += 1
        issued = dt.date(2005, 1, 1) + dt.timedelta(days=self.rng.randint(0, 6900))
        return f"{region6}{issued:%d%m%y}{self.nkk_serial % 10000:04d}"

    def born(self, age_min: int, age_max: int) -> dt.date:
        age_days = self.rng.randint(age_min * 365 + 5, age_max * 365 + 300)
        return self.voting_day - dt.timedelta(days=age_days)

    def name(self, sex: str, father: str = "") -> str:
        rng = self.rng
        if rng.random() < 0.02:
            return rng.choice(COMMON[sex])
        given = rng.choice(MALE if sex == Sex.MALE else FEMALE)
        roll = rng.random()
        if roll < 0.12:
            return given  # one-word names, common among older voters
        if father and roll < 0.25:
            return f"{given} {father.split()[0]}"
        second = rng.choice(SECOND_MALE if sex == Sex.MALE else SECOND_FEMALE)
        if given == second:
            return given
        if roll > 0.93:
            third = rng.choice(MALE if sex == Sex.MALE else FEMALE)
            return f"{given} {third} {second}"
        return f"{given} {second}"

    # households
    def household(self, tps: Tps, region6: str, target: int, next_id) -> list[_Row]:
        rng = self.rng
        size = min(target, rng.choices((1, 2, 3, 4, 5, 6), weights=(10, 30, 25, 20, 10, 5))[0])
        nkk = self.nkk(region6)
        street = rng.choice(STREETS)
        address = f"{street} NO. {rng.randint(1, 150)}"
        rt, rw = f"{rng.randint(1, 40):03d}", f"{rng.randint(1, 10):03d}"
        members: list[_Row] = []

        def add(sex: str, born: dt.date, marital: str, name: str) -> _Row:
            elsewhere = rng.random() < 0.2
            region = rng.choice(OTHER_NIK_REGIONS) if elsewhere else region6
            row = _Row(
                voter_id=next_id(),
                nik=self.nik(region, born, sex),
                nkk=nkk,
                name=name,
                birth_place=rng.choice(BIRTH_PLACES),
                birth_date=born,
                sex=sex,
                marital_status=marital,
                address=address,
                rt=rt,
                rw=rw,
                desa_id=tps.desa_id,
                tps_id=tps.pk,
            )
            members.append(row)
            return row

        head_sex = Sex.MALE if rng.random() < 0.85 else Sex.FEMALE
        head_born = self.born(24, 75)
        single = size == 1 and rng.random() < 0.4
        head_marital = MaritalStatus.NEVER if single else MaritalStatus.MARRIED
        if head_sex == Sex.FEMALE and not single:
            head_marital = MaritalStatus.WAS_MARRIED  # a widow heading the family
        head = add(head_sex, head_born, head_marital, self.name(head_sex))
        if size >= 2 and head_marital == MaritalStatus.MARRIED:
            spouse_born = head_born + dt.timedelta(days=rng.randint(-900, 2500))
            if (self.voting_day - spouse_born).days < 19 * 365:
                spouse_born = head_born
            add(Sex.FEMALE, spouse_born, MaritalStatus.MARRIED, self.name(Sex.FEMALE))
        parent_age = (self.voting_day - head_born).days // 365
        while len(members) < size:
            if parent_age < 40:  # too young for adult children: a younger sibling or in-law
                sex = rng.choice((Sex.MALE, Sex.FEMALE))
                add(sex, self.born(17, 30), MaritalStatus.NEVER, self.name(sex))
                continue
            sex = rng.choice((Sex.MALE, Sex.FEMALE))
            max_child_age = max(17, min(parent_age - 19, 40))
            born = self.born(17, max_child_age)
            married = (self.voting_day - born).days > 24 * 365 and rng.random() < 0.4
            add(
                sex,
                born,
                MaritalStatus.MARRIED if married else MaritalStatus.NEVER,
                self.name(sex, father=head.name if head.sex == Sex.MALE else ""),
            )
        self.households.append(members)
        return members

    # planted problems
    def twins(self, tps_rows: list[tuple[Tps, str]], count: int, next_id) -> None:
        rng = self.rng
        for i in range(count):
            tps, region6 = tps_rows[rng.randrange(len(tps_rows))]
            household = rng.choice([h for h in self.households if h[0].tps_id == tps.pk])
            sex, first, second = TWIN_NAMES[i % len(TWIN_NAMES)]
            born = self.born(17, 28)
            day = born.day + (40 if sex == Sex.FEMALE else 0)
            stem = f"{region6}{day:02d}{born.month:02d}{born.year % 100:02d}"
            serial = self.serials.get(stem, rng.randint(1, 40))
            self.serials[stem] = serial + 2
            pair = []
            for offset, name in ((1, first), (2, second)):
                nik = f"{stem}{serial + offset:04d}"  # registered together: serials in a row
                self.niks.add(nik)
                template = household[0]
                row = _Row(
                    voter_id=next_id(),
                    nik=nik,
                    nkk=template.nkk,
                    name=name,
                    birth_place=template.birth_place,
                    birth_date=born,
                    sex=sex,
                    marital_status=MaritalStatus.NEVER,
                    address=template.address,
                    rt=template.rt,
                    rw=template.rw,
                    desa_id=template.desa_id,
                    tps_id=template.tps_id,
                )
                household.append(row)
                self.rows.append(row)
                pair.append(row.voter_id)
            self.summary.twins.append((pair[0], pair[1]))

    def k2_copies(self, count: int) -> None:
        """A member's NIK typed onto another member of the family (both real people)."""
        families = [h for h in self.households if len(h) >= 3]
        for household in self.rng.sample(families, count):
            source, target = household[0], household[-1]
            target.nik = source.nik
            self.summary.k2.append((source.voter_id, target.voter_id))

    def duplicates(self, count: int, tps_list: list[Tps], region_of: dict[str, str]) -> None:
        rng = self.rng
        candidates = [r for r in self.rows if r.voter_id != STORY_VOTER_ID]
        twins = {v for pair in self.summary.twins for v in pair}
        k2 = {v for pair in self.summary.k2 for v in pair}
        candidates = [r for r in candidates if r.voter_id not in twins | k2]
        for n, original in enumerate(rng.sample(candidates, count), start=1):
            others = [t for t in tps_list if t.pk != original.tps_id]
            moved_desa = [t for t in others if t.desa_id != original.desa_id]
            tps = rng.choice(moved_desa if moved_desa and rng.random() < 0.7 else others)
            copy = _Row(**original.__dict__)
            copy.voter_id = f"{COPY_PREFIX}{n:04d}"
            copy.tps_id, copy.desa_id = tps.pk, tps.desa_id
            copy.name = self.name_variant(original.name, original.birth_date)
            copy.nik = self.nik_variant(original, region_of[tps.desa_id])
            copy.birth_date = self.date_variant(original.birth_date)
            if rng.random() < 0.85:  # moved: a new address, usually a new family card
                copy.address = f"{rng.choice(STREETS)} NO. {rng.randint(1, 150)}"
                copy.rt, copy.rw = f"{rng.randint(1, 40):03d}", f"{rng.randint(1, 10):03d}"
                if rng.random() < 0.6:
                    copy.nkk = self.nkk(region_of[tps.desa_id])
            self.rows.append(copy)
            self.summary.duplicates.append((original.voter_id, copy.voter_id))

    def name_variant(self, name: str, born: dt.date) -> str:
        rng = self.rng
        kind = rng.random()
        if kind < 0.2:
            return name
        if kind < 0.35:
            older = (self.voting_day - born).days > 40 * 365
            return (rng.choice(TITLES) if older else "") + name + rng.choice(("", *DEGREES))
        if kind < 0.5:
            for long, short in (("MUHAMMAD", "M."), ("MUHAMMAD", "MOH."), ("SITI", "ST.")):
                if long in name:
                    return name.replace(long, short, 1)
            return name.replace("U", "OE", 1)  # the old spelling (Soeharto)
        if kind < 0.62:
            return name.replace("J", "DJ", 1).replace("C", "TJ", 1) if "J" in name else name
        if kind < 0.72 and " " in name:
            return name.replace(" ", "", 1)  # compound name written as one word
        chars = list(name)
        positions = [i for i, c in enumerate(chars) if c.isalpha()]
        i = rng.choice(positions[1:] or positions)
        if rng.random() < 0.5:
            chars[i] = rng.choice("AIUEOY") if chars[i] in "AIUEO" else chars[i] * 2
        else:
            del chars[i]
        return "".join(chars)

    def nik_variant(self, original: _Row, new_region6: str) -> str:
        rng = self.rng
        kind = rng.random()
        value = original.nik
        if kind < 0.5:
            return value
        if kind < 0.75:  # one digit mistyped in the birth date or serial
            i = rng.randrange(6, 16)
            digit = str((int(value[i]) + rng.randint(1, 9)) % 10)
            return value[:i] + digit + value[i + 1 :]
        if kind < 0.85:  # two neighbouring digits swapped
            i = rng.randrange(6, 15)
            if value[i] != value[i + 1]:
                return value[:i] + value[i + 1] + value[i] + value[i + 2 :]
            return value
        # Re-issued where the voter moved: the new kecamatan, same birth date, a new serial.
        if new_region6 == value[:6]:
            new_region6 = rng.choice([r for r in OTHER_NIK_REGIONS if r != value[:6]])
        return self.nik(new_region6, original.birth_date, original.sex)

    def date_variant(self, born: dt.date) -> dt.date:
        rng = self.rng
        kind = rng.random()
        if kind < 0.75:
            return born
        if kind < 0.87 and born.day <= 12 and born.day != born.month:
            return born.replace(day=born.month, month=born.day)
        try:
            return born.replace(day=(born.day % 28) + 1 if born.day != 28 else 18)
        except ValueError:
            return born


def _sample_tps() -> tuple[list[Tps], Tps | None]:
    """The TPS of the sampled desa, the story's TPS and its desa first."""
    story_rows = list(
        Tps.objects.filter(desa__code__startswith=STORY_KECAMATAN + ".").order_by(
            "desa_id", "number"
        )
    )
    story = story_rows[STORY_TPS_INDEX % len(story_rows)] if story_rows else None
    chosen: list[Tps] = []
    used_desa: set[str] = set()
    for kecamatan, most in SAMPLE:
        desa_ids = list(
            Tps.objects.filter(desa__code__startswith=kecamatan + ".")
            .exclude(desa_id__in=used_desa)
            .exclude(special_location__gt="")
            .order_by("desa_id")
            .values_list("desa_id", flat=True)
            .distinct()
        )
        if story is not None and story.desa_id in desa_ids:
            desa_ids.remove(story.desa_id)
            desa_ids.insert(0, story.desa_id)
        for desa_id in desa_ids:
            rows = list(Tps.objects.filter(desa_id=desa_id).order_by("number"))
            if len(rows) < 2:
                continue  # a desa with one TPS shows no move within the desa
            if story is not None and story in rows:
                rows.remove(story)
                rows.insert(0, story)
            chosen.extend(rows[:most])
            used_desa.add(desa_id)
            break
    return chosen, story


def demo_voters_load(
    *,
    context: AuditContext,
    max_voters: int = 10_000,
    seed: int = SEED,
    run_linkage: bool = True,
) -> VotersDemoSummary:
    """Write the demo roll (once), run the search (once) and confirm two pairs; see the module.

    Call it after the demo's TPS and accounts exist (``siaga.demo.services.demo_load``).
    """
    started = time.monotonic()
    summary = VotersDemoSummary()
    existing = Voter.objects.filter(voter_id__startswith=ID_PREFIX)
    if not existing.exists():
        summary = _roll_write(context=context, max_voters=max_voters, seed=seed)
    story = Voter.objects.filter(voter_id=STORY_VOTER_ID).values_list("tps_id", flat=True).first()
    summary.story_tps_id = story
    if run_linkage and not LinkageRun.objects.filter(status=JobStatus.DONE).exists():
        _linkage_run(context=context)
        summary.linkage_ran = True
    if run_linkage:
        summary.confirmed = _confirm_pairs(context=context)
    demo = Voter.objects.filter(voter_id__startswith=ID_PREFIX)
    summary.voters = demo.count()
    summary.tps_covered = demo.values("tps_id").distinct().count()
    summary.desa_covered = demo.values("desa_id").distinct().count()
    summary.pairs_found = DuplicatePair.objects.exclude(status=PairStatus.DISMISSED).count()
    summary.seconds = round(time.monotonic() - started, 2)
    return summary


def _roll_write(*, context: AuditContext, max_voters: int, seed: int) -> VotersDemoSummary:
    rng = random.Random(seed)  # noqa: S311 - a demo roll, reproducible on purpose
    tps_list, story = _sample_tps()
    roll = _Roll(rng, facts.VOTING_DAY)
    if not tps_list:
        return roll.summary
    region_of = {t.desa_id: t.desa_id[:8].replace(".", "") for t in tps_list}
    counter = {"n": 0}

    def next_id() -> str:
        counter["n"] += 1
        return f"{ID_PREFIX}{counter['n']:06d}"

    # Room for the copies and the twins that come on top of the households.
    planned = int(max_voters * (1 - DUPLICATE_RATE)) - 2 * TWIN_PAIRS
    budget = planned
    sampled: list[Tps] = []
    for tps in tps_list:
        if budget <= 0:
            break
        voters = min(tps.dpt_male + tps.dpt_female or 300, budget)
        budget -= voters
        sampled.append(tps)
        region6 = region_of[tps.desa_id]
        if story is not None and tps.pk == story.pk:
            _story_household(roll, tps, region6, next_id)
            voters -= len(roll.households[-1])
        while voters > 0:
            members = roll.household(tps, region6, voters, next_id)
            roll.rows.extend(members)
            voters -= len(members)
    roll.twins([(t, region_of[t.desa_id]) for t in sampled], TWIN_PAIRS, next_id)
    roll.k2_copies(K2_COPIES)
    roll.duplicates(max(1, round(len(roll.rows) * DUPLICATE_RATE)), sampled, region_of)
    with transaction.atomic():
        Voter.objects.bulk_create([row.model() for row in roll.rows], batch_size=1000)
        summary = roll.summary
        summary.created = True
        summary.planted_duplicates = len(summary.duplicates)
        summary.twin_pairs = len(summary.twins)
        summary.k2_copies = len(summary.k2)
        audit_record(
            context=context,
            action="demo.voters_load",
            object_type="voters.voter",
            object_id=ID_PREFIX,
            object_repr="DPT demo",
            region_code=facts.REGENCY_CODE,
            after={
                "voters": len(roll.rows),
                "tps": len(sampled),
                "planted_duplicates": summary.planted_duplicates,
                "twin_pairs": summary.twin_pairs,
                "k2_copies": summary.k2_copies,
                "seed": seed,
            },
        )
    return summary


def _story_household(roll: _Roll, tps: Tps, region6: str, next_id) -> None:
    """The story's voter (R., a man of 34) with his wife, at the story's TPS."""
    nkk = roll.nkk(region6)
    born = dt.date(1990, 3, 14)
    wife_born = dt.date(1993, 7, 2)
    members = []
    for voter_id, name, sex, birth in (
        (STORY_VOTER_ID, "RUSLAN EFENDI", Sex.MALE, born),
        (next_id(), "NURHAYATI", Sex.FEMALE, wife_born),
    ):
        members.append(
            _Row(
                voter_id=voter_id,
                nik=roll.nik(region6, birth, sex),
                nkk=nkk,
                name=name,
                birth_place="SANGATTA",
                birth_date=birth,
                sex=sex,
                marital_status=MaritalStatus.MARRIED,
                address="JL. PENDIDIKAN NO. 27",
                rt="014",
                rw="003",
                desa_id=tps.desa_id,
                tps_id=tps.pk,
            )
        )
    roll.households.append(members)
    roll.rows.extend(members)


def _analyst() -> User | None:
    """The demo's analyst, else any active analyst or administrator."""
    users = User.objects.filter(is_active=True)
    return (
        users.filter(username="analis").first()
        or users.filter(role__in=[Role.ANALYST, Role.ADMIN]).order_by("pk").first()
    )


def _linkage_run(*, context: AuditContext) -> None:
    # Imported here: the demo must load even where the search's optional parts are missing.
    from siaga.voters.linkage import DEFAULT_THRESHOLD, linkage_run_execute

    run = LinkageRun.objects.create(threshold=DEFAULT_THRESHOLD, created_by=_analyst())
    linkage_run_execute(run=run, context=context)


def _confirm_pairs(*, context: AuditContext) -> int:
    """The analyst confirms the two strongest pairs of planted copies (what a check with the PPS
    would show), preferring K1, once: a later load finds them confirmed and adds none."""
    from siaga.voters.linkage import pair_confirm

    copies = Q(voter_l__voter_id__startswith=COPY_PREFIX) | Q(
        voter_r__voter_id__startswith=COPY_PREFIX
    )
    confirmed = DuplicatePair.objects.filter(copies, status=PairStatus.CONFIRMED).count()
    analyst = _analyst()
    if analyst is None or confirmed >= CONFIRMED_PAIRS:
        return confirmed
    candidates = DuplicatePair.objects.filter(copies, status=PairStatus.SUSPECTED).exclude(
        klass=DuplicateClass.K2
    )
    pending = sorted(
        candidates.order_by("-probability", "pk")[:20],
        key=lambda p: (p.klass != DuplicateClass.K1, -p.probability, p.pk),
    )[: CONFIRMED_PAIRS - confirmed]
    analyst_context = AuditContext(actor=analyst, channel=context.channel)
    for pair in pending:
        pair_confirm(
            pair=pair,
            context=analyst_context,
            user=analyst,
            note="Dicek dengan PPS: orang yang sama terdaftar di dua TPS (data demo).",
        )
        confirmed += 1
    return confirmed
