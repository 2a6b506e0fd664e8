"""Facts about Kabupaten Kutai Timur (64.08) used by the demo: towns, voters, agencies, story.

Region codes and names are not here: they come from the installed Kemendagri code list
(``idn-area-data``). What is here is what that list does not carry and a demo needs to look
like the real regency: where each kecamatan town lies (its capital, written from geographic
knowledge, good to a few kilometres; a test checks that each lies inside its kecamatan
where boundary files are at hand), how many voters each kecamatan has on the DPT of the
2024 Pilkada (the regency totals are the real ones; the split across kecamatan is a plausible
one), which way the land lies from each town (so demo desa are not placed in the sea), the
TP3D agencies, a few special-location TPS, and the election itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

REGENCY_CODE = "64.08"
PROVINCE_CODE = "64"
ELECTION_NAME = "Pilkada Serentak 2024 — Kabupaten Kutai Timur"
VOTING_DAY = dt.date(2024, 11, 27)
# The demo plays three days before voting day (H-3), the first day of the quiet period, in the
# morning, WITA: logistics are on the road and the situation room has most to show.
DEMO_NOW_LOCAL = dt.datetime(2024, 11, 24, 10, 0)
DEMO_TIME_ZONE = "Asia/Makassar"

TOTAL_DPT = 297_994
TOTAL_DPT_MALE = 160_805
TOTAL_DPT_FEMALE = 137_189
TOTAL_TPS = 701
MAX_VOTERS_PER_TPS = 600

# Sangatta, the regency seat, as the regency's own map pin.
REGENCY_TOWN = (0.5010, 117.5480)


@dataclass(frozen=True)
class KecamatanFacts:
    """One kecamatan: its town (capital), the desa it lies in, its DPT and its lie of the land.

    ``inland_bearing`` (degrees clockwise from north) and ``spread_degrees`` give the sector in
    which the demo places desa around the town when no boundary is known; coastal kecamatan
    look away from the sea. ``reach_km`` is how far the farthest desa may lie from the town.
    """

    code: str
    town: str
    town_desa: str
    lat: float
    lon: float
    dpt_male: int
    dpt_female: int
    inland_bearing: float = 0.0
    spread_degrees: float = 360.0
    reach_km: float = 20.0

    @property
    def dpt(self) -> int:
        return self.dpt_male + self.dpt_female


KECAMATAN: dict[str, KecamatanFacts] = {
    f.code: f
    for f in (
        # Upstream on the Kelinjau (Kedang Kepala) river, in the south-west.
        KecamatanFacts("64.08.01", "Kelinjau Ilir", "64.08.01.2002", 0.4020, 116.6450,
                       6641, 5842, reach_km=9.9),
        # On the Wahau river, hub of the oil-palm estates in the north-west.
        KecamatanFacts("64.08.02", "Muara Wahau", "64.08.02.2003", 1.0300, 116.8650,
                       11448, 9519, reach_km=12.6),
        KecamatanFacts("64.08.03", "Muara Bengkal", "64.08.03.2003", 0.2300, 116.7600,
                       5774, 5100, inland_bearing=0, spread_degrees=180, reach_km=6.8),
        # Sangatta, the regency seat: the Makassar Strait lies a few kilometres east.
        KecamatanFacts("64.08.04", "Sangatta", "64.08.04.2001", 0.5010, 117.5480,
                       46714, 39116, inland_bearing=300, spread_degrees=150, reach_km=4),
        # On Sangkulirang bay; the open water is to the east and south-east.
        KecamatanFacts("64.08.05", "Sangkulirang", "64.08.05.2006", 1.0030, 117.9750,
                       9421, 8221, inland_bearing=250, spread_degrees=160, reach_km=9.9),
        # The far west of the regency, upstream (Long Lees).
        KecamatanFacts("64.08.06", "Long Lees", "64.08.06.2003", 0.8800, 116.3700,
                       2303, 2017, reach_km=11.2),
        KecamatanFacts("64.08.07", "Long Segar", "64.08.07.2004", 0.7750, 116.8250,
                       4462, 3695, reach_km=9),
        # Miau Baru, east of Muara Wahau.
        KecamatanFacts("64.08.08", "Miau Baru", "64.08.08.2007", 1.0800, 117.0850,
                       7166, 6080, reach_km=6.8),
        # Sepaso, north of Sangatta; the coal haul roads run to the coast in the east.
        KecamatanFacts("64.08.09", "Sepaso", "64.08.09.2001", 0.8350, 117.6200,
                       12848, 10554, inland_bearing=270, spread_degrees=200, reach_km=9.9),
        KecamatanFacts("64.08.10", "Kaliorang", "64.08.10.2001", 0.8900, 117.8750,
                       4199, 3739, inland_bearing=270, spread_degrees=120, reach_km=5.4),
        # On the south shore of the Mangkalihat peninsula; its desa string east along it.
        KecamatanFacts("64.08.11", "Manubar", "64.08.11.2002", 1.1500, 118.3500,
                       3300, 2914, inland_bearing=100, spread_degrees=30, reach_km=22.5),
        KecamatanFacts("64.08.12", "Sangatta Selatan", "64.08.12.2001", 0.4620, 117.5660,
                       17189, 14761, inland_bearing=225, spread_degrees=120, reach_km=6.3),
        # On the Bontang-Sangatta road; Bontang lies south, the sea east.
        KecamatanFacts("64.08.13", "Teluk Pandan", "64.08.13.2001", 0.2150, 117.4550,
                       7657, 6629, inland_bearing=300, spread_degrees=140, reach_km=6.3),
        # Transmigration settlements west of Sangatta.
        KecamatanFacts("64.08.14", "Mukti Jaya", "64.08.14.2001", 0.5300, 117.2700,
                       7175, 6287, reach_km=6.8),
        KecamatanFacts("64.08.15", "Bumi Etam", "64.08.15.2001", 1.0200, 117.7400,
                       4719, 4152, inland_bearing=300, spread_degrees=200, reach_km=6.3),
        KecamatanFacts("64.08.16", "Karangan Dalam", "64.08.16.2001", 1.1500, 117.6000,
                       3777, 3349, reach_km=8.1),
        KecamatanFacts("64.08.17", "Batu Timbau", "64.08.17.2001", 0.6000, 117.0400,
                       2870, 2494, inland_bearing=330, spread_degrees=180, reach_km=5.4),
        KecamatanFacts("64.08.18", "Sika Makmur", "64.08.18.2001", 0.5600, 116.7300,
                       3142, 2720, reach_km=6.8),
    )
}  # fmt: skip


@dataclass(frozen=True)
class SpecialTps:
    """A TPS lokasi khusus (KPU) the demo places as the last TPS of its desa."""

    desa_code: str
    kind: str  # a siaga.wilayah.choices.SpecialLocation value
    address: str


SPECIAL_TPS: tuple[SpecialTps, ...] = (
    SpecialTps("64.08.04.2001", "lapas", "Rutan Kelas IIB Sangatta"),
    SpecialTps("64.08.04.1010", "rumah_sakit", "RSUD Kudungga Sangatta"),
    SpecialTps("64.08.04.2012", "perusahaan", "Kawasan tambang batu bara Swarga Bara"),
    SpecialTps("64.08.09.2001", "perusahaan", "Mes karyawan tambang batu bara Bengalon"),
    SpecialTps("64.08.02.2007", "perusahaan", "Mes karyawan perkebunan kelapa sawit Wahau"),
)


@dataclass(frozen=True)
class AgencyFacts:
    """A member agency of the TP3D of Kutai Timur."""

    code: str
    name: str
    kind: str  # a siaga.accounts.choices.AgencyKind value


AGENCIES: tuple[AgencyFacts, ...] = (
    AgencyFacts("kesbangpol", "Badan Kesatuan Bangsa dan Politik Kabupaten Kutai Timur", "pemda"),
    AgencyFacts("pemkab", "Pemerintah Kabupaten Kutai Timur (Pjs Bupati)", "pemda"),
    AgencyFacts("polres", "Polres Kutai Timur", "polri"),
    AgencyFacts("kodim", "Kodim 0909/Kutai Timur (Sangatta)", "tni"),
    AgencyFacts("kpu", "KPU Kabupaten Kutai Timur", "kpu"),
    AgencyFacts("bawaslu", "Bawaslu Kabupaten Kutai Timur", "bawaslu"),
    AgencyFacts("kejari", "Kejaksaan Negeri Kutai Timur", "kejaksaan"),
    AgencyFacts(
        "diskominfo",
        "Dinas Komunikasi, Informatika, Statistik dan Persandian Kabupaten Kutai Timur",
        "kominfo",
    ),
    AgencyFacts("binda", "Badan Intelijen Negara Daerah Kalimantan Timur (Pos Kutai Timur)",
                "intelijen"),
)  # fmt: skip
