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
# `siaga demo --voting-day` plays on voting day itself, mid-afternoon, while the count goes on.
VOTING_DAY_NOW_LOCAL = dt.datetime(2024, 11, 27, 15, 30)
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


# --- Logistics distribution (issue 4) -----------------------------------------------------------
# In 2024 the KPU of Kutai Timur sent the logistics out of its warehouse in Sangatta from 23 to
# 26 November, farthest kecamatan first, by road and by river, to reach every TPS by H-1.

WAREHOUSE_NAME = "Gudang Logistik KPU Kutai Timur, Sangatta"
WAREHOUSE_POINT = (0.4980, 117.5410)
# Delivered by H-1: the end of 26 November, WITA.
DISTRIBUTION_TARGET_LOCAL = dt.datetime(2024, 11, 26, 23, 59)

ESCORT_POLRES_KODIM = "Polres Kutai Timur (2 personel) dan Kodim 0909 (1 personel)"
ESCORT_POLRES = "Polres Kutai Timur (2 personel)"


@dataclass(frozen=True)
class DistributionLeg:
    """The first leg to one kecamatan: KPU warehouse in Sangatta → its PPK.

    ``departure`` and ``hours`` are the plan (local time, WITA). ``late_minutes`` and ``pace``
    (actual over planned duration) are what happened, for legs that left before the demo's
    morning of H-3; ``held_at`` marks a leg held up on the way at that fraction of its route,
    with ``note`` saying why. ``local_mode`` is how the PPK sends on to the desa (PPS) away from
    the kecamatan town, and ``local_kmh`` how fast that goes.
    """

    kecamatan: str
    departure: dt.datetime
    mode: str  # a siaga.logistics.choices.TransportMode value
    hours: float
    carrier: str
    escort: str
    route: str
    local_mode: str = "road"
    local_kmh: float = 25.0
    late_minutes: int = 0
    pace: float = 1.0
    held_at: float | None = None
    note: str = ""


def _wita(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2024, 11, day, hour, minute)


# In departure order: the farthest first (23 November), Sangatta Utara last (26 November).
DISTRIBUTION: tuple[DistributionLeg, ...] = (
    DistributionLeg("64.08.17", _wita(23, 5), "road", 9, "CV Borneo Ekspedisi Kutim",
                    ESCORT_POLRES_KODIM, "Sangatta – Rantau Pulung – Batu Ampar (jalan poros)",
                    late_minutes=20, pace=1.05),
    DistributionLeg("64.08.03", _wita(23, 5, 30), "river_boat", 18, "KM Sinar Kedang Kepala",
                    ESCORT_POLRES_KODIM,
                    "Darat ke dermaga Muara Wahau, kapal sungai menyusuri Sungai Kedang Kepala",
                    local_mode="longboat", local_kmh=8, late_minutes=25, pace=1.08),
    DistributionLeg("64.08.01", _wita(23, 6), "river_boat", 22, "KM Kelinjau Indah",
                    ESCORT_POLRES_KODIM,
                    "Darat ke dermaga Muara Bengkal, kapal sungai ke hulu Sungai Kelinjau",
                    local_mode="longboat", local_kmh=8, late_minutes=45, pace=1.3,
                    note="Kapal melambat melawan arus; tiba di PPK diperkirakan siang ini."),
    DistributionLeg("64.08.11", _wita(23, 6, 30), "speedboat", 10,
                    "Speedboat Mangkalihat Ekspres (CV Bahari Sandaran)", ESCORT_POLRES_KODIM,
                    "Darat ke Sangkulirang, speedboat menyusur pantai Teluk Sangkulirang",
                    local_mode="speedboat", local_kmh=25, late_minutes=15, pace=1.12),
    DistributionLeg("64.08.06", _wita(23, 7), "longboat", 26, "Longboat Koperasi Long Bentuq",
                    ESCORT_POLRES_KODIM,
                    "Darat ke Muara Wahau, longboat ke hulu Sungai Telen sampai Long Lees",
                    local_mode="longboat", local_kmh=7, late_minutes=240, held_at=0.45,
                    note=("Berangkat terlambat menunggu BBM dan pengawalan; tertahan di riam "
                          "Sungai Telen karena arus deras setelah hujan di hulu. Muatan aman.")),
    DistributionLeg("64.08.18", _wita(23, 8), "longboat", 14, "Longboat CV Mesangat Jaya",
                    ESCORT_POLRES_KODIM, "Darat ke Muara Ancalong, longboat ke Long Mesangat",
                    local_mode="longboat", local_kmh=8, late_minutes=30, pace=1.55),
    DistributionLeg("64.08.05", _wita(24, 5), "road", 5, "Truk KPU Kutai Timur (KT 8147 D)",
                    ESCORT_POLRES_KODIM, "Sangatta – Bengalon – Sangkulirang (jalan poros)",
                    late_minutes=10, pace=0.95),
    DistributionLeg("64.08.07", _wita(24, 6), "road", 8, "CV Borneo Ekspedisi Kutim",
                    ESCORT_POLRES_KODIM, "Sangatta – Muara Wahau – Telen (jalan poros)",
                    late_minutes=15, pace=1.0),
    DistributionLeg("64.08.02", _wita(24, 7), "road", 7, "CV Borneo Ekspedisi Kutim",
                    ESCORT_POLRES_KODIM, "Sangatta – Rantau Pulung – Muara Wahau (jalan poros)",
                    late_minutes=20, pace=1.0),
    DistributionLeg("64.08.08", _wita(24, 10, 30), "road", 6, "Truk KPU Kutai Timur (KT 8152 D)",
                    ESCORT_POLRES_KODIM, "Sangatta – Muara Wahau – Kombeng (jalan poros)"),
    DistributionLeg("64.08.16", _wita(24, 13), "road", 6, "CV Sangatta Jaya Logistik",
                    ESCORT_POLRES_KODIM, "Sangatta – Sangkulirang – Karangan (jalan poros)"),
    DistributionLeg("64.08.15", _wita(25, 6), "road", 4, "CV Sangatta Jaya Logistik",
                    ESCORT_POLRES, "Sangatta – Bengalon – Kaubun (jalan poros)"),
    DistributionLeg("64.08.10", _wita(25, 7), "road", 4, "CV Sangatta Jaya Logistik",
                    ESCORT_POLRES, "Sangatta – Bengalon – Kaliorang (jalan poros)"),
    DistributionLeg("64.08.09", _wita(25, 8), "road", 3, "Truk KPU Kutai Timur (KT 8147 D)",
                    ESCORT_POLRES, "Sangatta – Bengalon (jalan poros)"),
    DistributionLeg("64.08.14", _wita(25, 9), "road", 3, "Truk KPU Kutai Timur (KT 8152 D)",
                    ESCORT_POLRES, "Sangatta – Rantau Pulung (jalan poros)"),
    DistributionLeg("64.08.13", _wita(26, 6), "road", 2.5, "Truk KPU Kutai Timur (KT 8147 D)",
                    ESCORT_POLRES, "Sangatta – Teluk Pandan (jalan poros Bontang)"),
    DistributionLeg("64.08.12", _wita(26, 7), "road", 2, "Truk KPU Kutai Timur (KT 8152 D)",
                    ESCORT_POLRES, "Dalam kota Sangatta"),
    DistributionLeg("64.08.04", _wita(26, 8), "road", 2, "Truk KPU Kutai Timur (KT 8147 D)",
                    ESCORT_POLRES, "Dalam kota Sangatta"),
)  # fmt: skip

# Kecamatan the TP3D counts as remote: reached by river or sea, hours from a road.
REMOTE_KECAMATAN = frozenset({"64.08.01", "64.08.03", "64.08.06", "64.08.11", "64.08.17",
                              "64.08.18"})  # fmt: skip


@dataclass(frozen=True)
class ShortageFact:
    """The one shortage of the demo: found at a handover at a PPK, with its replacement request."""

    kecamatan: str
    desa: str
    tps_number: int
    item: str  # an ItemType code of siaga.logistics.catalogue
    missing: int
    handed_by: str
    received_by: str
    note: str
    # The replacement reaches the PPK only on the afternoon of H-1; the last leg upriver to the
    # desa then runs so close to the deadline that the prediction flags it.
    onward_departure_local: dt.datetime = dt.datetime(2024, 11, 26, 12, 0)
    onward_hours: float = 8.0


SHORTAGE = ShortageFact(
    kecamatan="64.08.18",
    desa="64.08.18.2005",
    tps_number=1,
    item="surat_suara_bupati",
    missing=150,
    handed_by="Petugas Logistik KPU Kutai Timur",
    received_by="Ketua PPK Long Mesangat",
    note="Satu bendel surat suara bupati (150 lembar) untuk TPS 001 Melan tidak ada di kotak.",
)


@dataclass(frozen=True)
class VulnerableArea:
    """TPS the Bawaslu/Polres mapping (IKP) rates rawan or sangat rawan, and why.

    ``tps_numbers`` empty means every TPS of the desa; later entries override earlier ones.
    """

    desa: str
    level: str  # a siaga.wilayah.choices.Vulnerability value
    reason: str
    tps_numbers: tuple[int, ...] = ()


VULNERABLE_AREAS: tuple[VulnerableArea, ...] = (
    VulnerableArea("64.08.06.2001", "sangat_rawan",
                   "Sengketa tanah adat dengan perusahaan sawit; hanya longboat dari Long Lees"),
    VulnerableArea("64.08.06.2002", "sangat_rawan", "Hulu Sungai Telen; akses hanya longboat"),
    VulnerableArea("64.08.06.2006", "rawan", "Hulu Sungai Telen; akses sulit"),
    VulnerableArea("64.08.18.2005", "sangat_rawan", "Konflik lahan plasma perkebunan sawit"),
    VulnerableArea("64.08.18.2006", "rawan", "Konflik lahan perkebunan sawit"),
    VulnerableArea("64.08.11.2007", "sangat_rawan",
                   "Ujung Semenanjung Mangkalihat; hanya speedboat, ombak tinggi"),
    VulnerableArea("64.08.11.2006", "rawan", "Akses laut; cuaca buruk di bulan November"),
    VulnerableArea("64.08.09.2005", "rawan",
                   "Berbatasan dengan konsesi tambang batu bara; sengketa ganti rugi lahan"),
    VulnerableArea("64.08.09.2005", "sangat_rawan",
                   "Berbatasan dengan konsesi tambang batu bara; sengketa ganti rugi lahan",
                   tps_numbers=(1,)),
    VulnerableArea("64.08.09.2003", "rawan", "Berbatasan dengan konsesi tambang batu bara"),
    VulnerableArea("64.08.09.2004", "rawan", "Berbatasan dengan konsesi tambang batu bara"),
    VulnerableArea("64.08.04.2012", "rawan",
                   "Kawasan tambang batu bara; pemilih pekerja tambang dari luar daerah"),
    VulnerableArea("64.08.02.2010", "rawan",
                   "Wilayah adat Wehea berbatasan dengan HGU perkebunan sawit"),
    VulnerableArea("64.08.02.2002", "rawan", "Konflik lahan perkebunan sawit"),
    VulnerableArea("64.08.14.2009", "rawan", "Sengketa lahan transmigrasi dan perkebunan"),
    VulnerableArea("64.08.16.2003", "rawan", "Konflik lahan perkebunan sawit"),
    VulnerableArea("64.08.15.2006", "rawan", "Konflik lahan perkebunan sawit"),
    VulnerableArea("64.08.05.2015", "rawan", "Pembebasan lahan Kawasan Ekonomi Khusus Maloy"),
    VulnerableArea("64.08.17.2007", "rawan", "Akses jalan tanah; putus saat hujan"),
    VulnerableArea("64.08.01.2004", "rawan", "Akses hanya lewat sungai"),
    VulnerableArea("64.08.03.2013", "rawan", "Akses hanya lewat sungai"),
)  # fmt: skip

# Kecamatan whose TPS the mapping has not rated yet: their TPS stay "belum dinilai".
UNRATED_KECAMATAN = frozenset({"64.08.10", "64.08.13"})
