"""A small stored roll for the review tests: the factories' World plus voters and reviewers.

``RollWorld`` adds to ``tests.factories.World``:

* about forty ordinary voters in Kutai Timur (distinct names, birth dates and NIKs);
* planted cases: ``siti``/``siti_copy`` (one person registered at two desa, the copy with a
  one-digit NIK typo and titles: K1), ``rudi``/``rudi_copy`` (same address, name spelled
  differently, a one-digit NIK typo: K3), ``ahmad``/``rizal`` (a father's NIK copied onto his
  son: two real people, K2, that the engine rightly scores low), twins ``nur1``/``nur2`` (one
  household, same birth date, NIKs differing in the serial: never a pair);
* ``outsider``/``outsider_copy`` in another regency (Paser), outside the Kutai Timur scope;
* users: analyst, leadership, field monitor, KPU liaison, Bawaslu liaison, Polres liaison, and an
  analyst scoped to Paser.
"""

from __future__ import annotations

import datetime as dt
import itertools

from siaga.accounts.choices import AgencyKind, Role
from siaga.voters.models import DuplicatePair, PairStatus, Voter
from tests.factories import AgencyFactory, UserFactory, World

GIVEN = ["ANDI", "BAYU", "CITRA", "DEWI", "EKO", "FITRI", "GILANG", "HENDRA", "INDAH", "JOKO"]
FAMILY = ["PRATAMA", "WIBOWO", "LESTARI", "SAPUTRA"]


def nik(kec: str, birth: dt.date, sex: str, serial: int) -> str:
    """A NIK as Dukcapil builds it: kecamatan (6) + DDMMYY (day + 40 for women) + serial."""
    day = birth.day + (40 if sex == "P" else 0)
    return f"{kec}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


class RollWorld(World):
    """World + a roll with planted duplicates + reviewers of every kind (see module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._seq = itertools.count(1)
        self.filler: list[Voter] = []
        desas = [self.desa_a1, self.desa_a2, self.desa_b1, self.desa_b2]
        for i, (given, family) in enumerate(itertools.product(GIVEN, FAMILY)):
            desa = desas[i % len(desas)]
            sex = "P" if given in ("CITRA", "DEWI", "FITRI", "INDAH") else "L"
            birth = dt.date(1950 + (i * 7) % 50, 1 + i % 12, 1 + (i * 5) % 28)
            self.filler.append(
                self.voter(
                    desa=desa,
                    tps=i % 2,
                    name=f"{given} {family}",
                    birth_date=birth,
                    sex=sex,
                    nik=nik(desa.code[:8].replace(".", ""), birth, sex, 100 + i),
                    nkk=f"64080{i:011d}",
                    address=f"JL. MERDEKA NO. {i + 1}",
                    rt=f"{1 + i % 9:03d}",
                    rw=f"{1 + i % 4:03d}",
                )
            )
        siti_birth = dt.date(1985, 4, 13)
        self.siti = self.voter(
            desa=self.desa_a1,
            name="SITI AMINAH RAHMAWATI",
            birth_date=siti_birth,
            sex="P",
            nik="6408045304850007",
            nkk="6408040101100099",
            address="JL. MELATI NO. 9",
            rt="003",
            rw="002",
        )
        self.siti_copy = self.voter(
            desa=self.desa_a2,
            name="Hj. Siti Aminah Rahmawati, S.Pd.",
            birth_date=siti_birth,
            sex="P",
            nik="6408045304880007",
            nkk="6408040101100099",
            address="JL. MELATI NO. 9",
            rt="003",
            rw="002",
        )
        self.rudi = self.voter(
            desa=self.desa_b1,
            name="RUDI HARTONO SIMANJUNTAK",
            birth_date=dt.date(1979, 3, 5),
            sex="L",
            nik="6408060503790021",
            nkk="6408060101100321",
            address="JL. SUDIRMAN NO. 12",
            rt="002",
            rw="001",
        )
        self.rudi_copy = self.voter(
            desa=self.desa_b1,
            name="RUDY HARTONO SIMANJUNTAK",
            birth_date=dt.date(1979, 3, 5),
            sex="L",
            nik="6408060508790021",
            nkk="6408060101100321",
            address="JL. SUDIRMAN NO. 12",
            rt="002",
            rw="001",
        )
        self.ahmad = self.voter(
            desa=self.desa_b2,
            name="AHMAD FAUZI",
            birth_date=dt.date(1962, 8, 17),
            sex="L",
            nik="6408061708620003",
            nkk="6408060202100555",
            address="JL. KENANGA NO. 4",
            rt="001",
            rw="001",
        )
        self.rizal = self.voter(
            desa=self.desa_b2,
            name="RIZAL FIRMANSYAH",
            birth_date=dt.date(2001, 11, 30),
            sex="L",
            nik="6408061708620003",  # the father's NIK, copied by mistake
            nkk="6408060202100555",
            address="JL. KENANGA NO. 4",
            rt="001",
            rw="001",
        )
        twins_birth = dt.date(2001, 2, 7)
        self.nur1 = self.voter(
            desa=self.desa_b1,
            name="NUR AINI SAFITRI",
            birth_date=twins_birth,
            sex="P",
            nik="6408064702010003",
            nkk="6408060505150042",
            address="JL. KENANGA NO. 8",
            rt="001",
            rw="001",
        )
        self.nur2 = self.voter(
            desa=self.desa_b1,
            name="NUR AINUN SAFITRI",
            birth_date=twins_birth,
            sex="P",
            nik="6408064702010004",
            nkk="6408060505150042",
            address="JL. KENANGA NO. 8",
            rt="001",
            rw="001",
        )
        self.outsider = self.voter(
            desa=self.desa_other,
            name="YOHANES PAULUS LEWI",
            birth_date=dt.date(1970, 6, 1),
            sex="L",
            nik="6401010106700011",
            nkk="6401010101100011",
            address="JL. PASER NO. 1",
        )
        self.outsider_copy = self.voter(
            desa=self.desa_other,
            tps=1,
            name="YOHANES PAULUS LEWI",
            birth_date=dt.date(1970, 6, 1),
            sex="L",
            nik="6401010106700011",
            nkk="6401010101100011",
            address="JL. PASER NO. 7",
        )
        self.kpu = AgencyFactory(code="kpu-kutim", name="KPU Kutai Timur", kind=AgencyKind.KPU)
        self.bawaslu = AgencyFactory(
            code="bawaslu-kutim", name="Bawaslu Kutai Timur", kind=AgencyKind.BAWASLU
        )
        self.polres = AgencyFactory(
            code="polres-kutim", name="Polres Kutai Timur", kind=AgencyKind.POLRI
        )
        self.analyst = self.user(Role.ANALYST)
        self.leader = self.user(Role.LEADERSHIP)
        self.monitor = self.user(Role.FIELD_MONITOR, tps=[self.tps[self.desa_a1.code][0]])
        self.kpu_liaison = UserFactory(
            username="kpu", role=Role.LIAISON, agency=self.kpu, scope=[self.regency]
        )
        self.bawaslu_liaison = UserFactory(
            username="bawaslu", role=Role.LIAISON, agency=self.bawaslu, scope=[self.regency]
        )
        self.polres_liaison = UserFactory(
            username="polres", role=Role.LIAISON, agency=self.polres, scope=[self.regency]
        )
        self.paser_analyst = self.user(
            Role.ANALYST, scope=[self.other_regency], username="analyst-paser"
        )

    def voter(self, *, desa, tps: int = 0, **fields) -> Voter:
        n = next(self._seq)
        return Voter.objects.create(
            voter_id=f"V{n:05d}", desa=desa, tps=self.tps[desa.code][tps], **fields
        )

    def pair(
        self,
        a: Voter,
        b: Voter,
        *,
        klass: str = "K3",
        probability: float = 0.95,
        status: str = PairStatus.SUSPECTED,
        **extra,
    ) -> DuplicatePair:
        """A stored pair (ordered by pk as the model requires), without running the engine."""
        left, right = sorted((a, b), key=lambda v: v.pk)
        evidence = extra.pop(
            "evidence",
            {
                "source": "engine",
                "fields": {"name": {"level": "nama sama", "bf": 120.5}},
                "why": "nama sama",
            },
        )
        return DuplicatePair.objects.create(
            voter_l=left,
            voter_r=right,
            klass=klass,
            probability=probability,
            status=status,
            evidence=evidence,
            **extra,
        )
