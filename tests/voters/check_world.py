"""A small roll and the people of the voter check at the TPS (``CheckWorld``).

On top of ``tests.factories.World`` (two kecamatan of Kutai Timur, two desa each, two TPS per
desa; a desa in Paser):

* the deployment of Pilkada Kutai Timur 2024 (voting day 27 November 2024) with its clock set by
  ``at(...)`` to a moment of WITA;
* agencies Bawaslu, Polres and KPU of Kutai Timur, Bawaslu of Paser, with a liaison each;
* field monitors ``mon_a`` (first TPS of Singa Gembara) and ``mon_b`` (first TPS of Long
  Bentuq), an analyst, a leader (who may not check);
* voters: ``rahmat`` (registered at Long Bentuq TPS 001, outside ``mon_a``'s scope), the K2 NIK
  of ``ayah``/``anak`` (a father's NIK copied onto his son, at two TPS), a suspected pair
  ``sus``/``sus_copy``, a confirmed pair ``conf``/``conf_copy`` and a dismissed pair
  ``dis``/``dis_copy``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from siaga.accounts.choices import AgencyKind, Role
from siaga.core import clock
from siaga.core.models import Deployment
from siaga.voters.models import DuplicateClass, DuplicatePair, PairStatus, Voter
from tests.factories import AgencyFactory, UserFactory, World

WITA = ZoneInfo("Asia/Makassar")
VOTING_DAY = dt.date(2024, 11, 27)
NOT_ON_ROLL = "6408041207900999"


class CheckWorld(World):
    """World + deployment + agencies and their liaisons + a roll with planted cases."""

    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1)
        self.deployment = Deployment.objects.create(
            regency=self.regency, election_name="Pilkada Kutai Timur 2024", voting_day=VOTING_DAY
        )
        self.tps_a = self.tps[self.desa_a1.code][0]
        self.tps_a2 = self.tps[self.desa_a1.code][1]
        self.tps_b = self.tps[self.desa_b1.code][0]
        self.tps_b2 = self.tps[self.desa_b2.code][0]
        agency = {
            code: AgencyFactory(code=code, name=name, kind=kind, region_id=region)
            for code, name, kind, region in (
                ("bawaslu", "Bawaslu Kutai Timur", AgencyKind.BAWASLU, "64.08"),
                ("polres", "Polres Kutai Timur", AgencyKind.POLRI, "64.08"),
                ("kpu", "KPU Kutai Timur", AgencyKind.KPU, "64.08"),
                ("bawaslu-paser", "Bawaslu Paser", AgencyKind.BAWASLU, "64.01"),
            )
        }
        self.bawaslu = self._person("chk-bawaslu", Role.LIAISON, agency["bawaslu"], [self.regency])
        self.polres = self._person("chk-polres", Role.LIAISON, agency["polres"], [self.regency])
        self.polsek_busang = self._person(
            "chk-polsek-busang", Role.LIAISON, agency["polres"], [self.kec_b]
        )
        self.kpu = self._person("chk-kpu", Role.LIAISON, agency["kpu"], [self.regency])
        self.bawaslu_paser = self._person(
            "chk-bawaslu-paser", Role.LIAISON, agency["bawaslu-paser"], [self.other_regency]
        )
        self.analyst = self._person("chk-analyst", Role.ANALYST, self.agency, [self.regency])
        self.leader = self._person("chk-leader", Role.LEADERSHIP, self.agency, [self.regency])
        self.mon_a = self._person(
            "chk-mon-a", Role.FIELD_MONITOR, agency["polres"], [self.desa_a1], tps=[self.tps_a]
        )
        self.mon_b = self._person(
            "chk-mon-b", Role.FIELD_MONITOR, agency["polres"], [self.desa_b1], tps=[self.tps_b]
        )

        self.rahmat = self.voter(
            "RAHMAT HIDAYAT", "6408060304900012", dt.date(1990, 4, 3), "L", self.tps_b
        )
        self.ayah = self.voter(
            "SUPARMAN", "6408041708620003", dt.date(1962, 8, 17), "L", self.tps_a2, nkk="N1"
        )
        self.anak = self.voter(
            "RIZAL FIRMANSYAH", "6408041708620003", dt.date(2001, 11, 30), "L", self.tps_b2
        )
        self.sus = self.voter("DEWI LESTARI", "6408045512880004", dt.date(1988, 12, 15), "P")
        self.sus_copy = self.voter("DEWI LESTARY", "6408045512880005", dt.date(1988, 12, 15), "P")
        self.conf = self.voter("JOKO SAPUTRA", "6408040101750006", dt.date(1975, 1, 1), "L")
        self.conf_copy = self.voter(
            "H. JOKO SAPUTRA", "6408040101750066", dt.date(1975, 1, 1), "L", self.tps_b
        )
        self.dis = self.voter("ANDI PRATAMA", "6408040202800007", dt.date(1980, 2, 2), "L")
        self.dis_copy = self.voter("ANDI PRATAMA", "6408040202800077", dt.date(1980, 2, 2), "L")
        self.pair(self.sus, self.sus_copy, PairStatus.SUSPECTED, DuplicateClass.K3)
        self.pair(self.conf, self.conf_copy, PairStatus.CONFIRMED, DuplicateClass.K1)
        self.pair(self.dis, self.dis_copy, PairStatus.DISMISSED, DuplicateClass.K3)
        self.pair(self.ayah, self.anak, PairStatus.SUSPECTED, DuplicateClass.K2)

    def _person(self, username, role, agency, scope, tps=None):
        return UserFactory(username=username, role=role, agency=agency, scope=scope, tps=tps)

    def voter(self, name, nik, birth, sex, tps=None, nkk="") -> Voter:
        tps = tps or self.tps_a
        n = next(self._ids)
        return Voter.objects.create(
            voter_id=f"chk-{n}",
            nik=nik,
            nkk=nkk or f"64080401011{n:05d}",
            name=name,
            birth_place="SANGATTA",
            birth_date=birth,
            sex=sex,
            address=f"JL. PENDIDIKAN NO. {n}",
            rt="001",
            rw="002",
            desa_id=tps.desa_id,
            tps=tps,
        )

    @staticmethod
    def pair(a: Voter, b: Voter, status: str, klass: str) -> DuplicatePair:
        left, right = sorted((a, b), key=lambda v: v.pk)
        return DuplicatePair.objects.create(
            voter_l=left, voter_r=right, probability=0.99, klass=klass, status=status
        )

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        """Set the deployment's clock to ``day`` at ``hour:minute`` WITA."""
        target = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=WITA)
        # A second ahead: the offset is rounded, and 08:04:59.6 would not read as 08:05.
        self.deployment.clock_offset_seconds = clock.offset_for(target) + 1
        self.deployment.save(update_fields=["clock_offset_seconds"])
        clock.clear_cache()
        return clock.now()
