# ruff: noqa: E501 - a data table, one indicator a line
"""The default catalogue of indicators: Bawaslu's TPS vulnerability variables, kept as data.

The static indicators follow Bawaslu's mapping of vulnerable TPS (8 variables, yes/no per TPS);
the live ones are fed by Siaga's modules (``siaga.risk.providers``). Weights are points of 100: a
TPS scores the sum of its indicators' points, capped at 100. They are a starting point that an
administrator tunes on the indicators page; seeding never overwrites a weight someone changed.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop as _noop

from siaga.risk.choices import Source, Variable

S, V = Source, Variable

# code, variable, name, source, weight, saturation
DEFAULT_INDICATORS = [
    ("hak_pilih.tms", V.HAK_PILIH, _noop("Pemilih tidak memenuhi syarat (TMS) di DPT"), S.STATIC, 8, 1),
    ("hak_pilih.dptb", V.HAK_PILIH, _noop("Banyak pemilih pindahan (DPTb)"), S.STATIC, 4, 1),
    ("hak_pilih.dpk", V.HAK_PILIH, _noop("Potensi pemilih DPK (belum terdaftar)"), S.STATIC, 4, 1),
    ("hak_pilih.penyelenggara", V.HAK_PILIH, _noop("Penyelenggara memilih di luar TPS tugasnya"), S.STATIC, 3, 1),
    ("hak_pilih.disabilitas", V.HAK_PILIH, _noop("Terdapat pemilih disabilitas"), S.STATIC, 2, 1),
    ("hak_pilih.riwayat_psu", V.HAK_PILIH, _noop("Riwayat PSU atau penghitungan suara ulang"), S.STATIC, 10, 1),
    ("hak_pilih.pemilih_ganda", V.HAK_PILIH, _noop("Pemilih ganda terkonfirmasi di DPT"), S.VOTERS, 12, 1),
    ("hak_pilih.laporan", V.HAK_PILIH, _noop("Laporan pemilih ganda/tidak berhak terverifikasi"), S.INCIDENTS, 8, 2),
    ("keamanan.riwayat_kekerasan", V.KEAMANAN, _noop("Riwayat kekerasan di TPS"), S.STATIC, 15, 1),
    ("keamanan.intimidasi", V.KEAMANAN, _noop("Riwayat intimidasi terhadap penyelenggara"), S.STATIC, 10, 1),
    ("keamanan.penolakan", V.KEAMANAN, _noop("Riwayat penolakan pemungutan suara"), S.STATIC, 10, 1),
    ("keamanan.insiden", V.KEAMANAN, _noop("Kekerasan atau intimidasi terverifikasi"), S.INCIDENTS, 20, 2),
    ("politik_uang.riwayat", V.POLITIK_UANG, _noop("Riwayat politik uang di sekitar TPS"), S.STATIC, 10, 1),
    ("politik_uang.laporan", V.POLITIK_UANG, _noop("Laporan politik uang terverifikasi"), S.INCIDENTS, 15, 2),
    ("sara.riwayat", V.SARA, _noop("Riwayat politisasi SARA atau ujaran kebencian"), S.STATIC, 8, 1),
    ("sara.medsos", V.SARA, _noop("Hoaks, provokasi, SARA di media sosial yang menyebut wilayah"), S.MEDIA, 10, 10),
    ("netralitas.kpps", V.NETRALITAS, _noop("Riwayat KPPS tidak netral"), S.STATIC, 5, 1),
    ("netralitas.asn", V.NETRALITAS, _noop("Riwayat ASN tidak netral"), S.STATIC, 4, 1),
    ("netralitas.tni_polri", V.NETRALITAS, _noop("Riwayat TNI/Polri tidak netral"), S.STATIC, 4, 1),
    ("netralitas.perangkat_desa", V.NETRALITAS, _noop("Riwayat perangkat desa tidak netral"), S.STATIC, 4, 1),
    ("netralitas.laporan", V.NETRALITAS, _noop("Pelanggaran netralitas atau kampanye masa tenang terverifikasi"), S.INCIDENTS, 8, 2),
    ("logistik.riwayat", V.LOGISTIK, _noop("Riwayat logistik rusak, kurang/lebih atau terlambat"), S.STATIC, 5, 1),
    ("logistik.terlambat", V.LOGISTIK, _noop("Pengiriman logistik terlambat atau diperkirakan terlambat"), S.LOGISTICS, 15, 1),
    ("logistik.kurang", V.LOGISTIK, _noop("Permintaan penggantian logistik (kurang/rusak) terbuka"), S.LOGISTICS, 10, 1),
    ("logistik.laporan", V.LOGISTIK, _noop("Laporan masalah logistik terverifikasi"), S.INCIDENTS, 5, 2),
    ("lokasi.sulit_dijangkau", V.LOKASI, _noop("TPS sulit dijangkau (geografis, cuaca)"), S.STATIC, 10, 1),
    ("lokasi.rawan_konflik", V.LOKASI, _noop("TPS di wilayah rawan konflik"), S.STATIC, 12, 1),
    ("lokasi.rawan_bencana", V.LOKASI, _noop("TPS di wilayah rawan bencana"), S.STATIC, 6, 1),
    ("lokasi.dekat_fasilitas", V.LOKASI, _noop("TPS dekat lembaga pendidikan, tambang atau pabrik"), S.STATIC, 4, 1),
    ("lokasi.dekat_paslon", V.LOKASI, _noop("TPS dekat rumah atau posko pasangan calon"), S.STATIC, 5, 1),
    ("lokasi.khusus", V.LOKASI, _noop("TPS lokasi khusus"), S.WILAYAH, 5, 1),
    ("listrik.padam", V.LISTRIK, _noop("Riwayat listrik padam"), S.STATIC, 3, 1),
    ("listrik.tanpa_sinyal", V.LISTRIK, _noop("Tidak ada jaringan internet/seluler"), S.STATIC, 5, 1),
    ("listrik.gangguan", V.LISTRIK, _noop("Bencana atau gangguan listrik/jaringan terverifikasi"), S.INCIDENTS, 5, 1),
    ("pengawasan.checklist", V.PENGAWASAN, _noop("Daftar periksa TPS belum dikirim atau terlambat"), S.CHECKLISTS, 6, 2),
]  # fmt: skip

STATIC_CODES = tuple(row[0] for row in DEFAULT_INDICATORS if row[3] == Source.STATIC)


def seed_rows(model) -> int:
    """Create the catalogue's indicators that ``model`` (the real or a migration's historical
    ``Indicator``) lacks; returns how many. Existing rows are left as they are."""
    existing = set(model.objects.values_list("code", flat=True))
    missing = [
        model(
            code=code,
            variable=variable,
            name=name,
            source=source,
            weight=float(weight),
            saturation=float(saturation),
            order=order,
        )
        for order, (code, variable, name, source, weight, saturation) in enumerate(
            DEFAULT_INDICATORS, start=1
        )
        if code not in existing
    ]
    model.objects.bulk_create(missing)
    return len(missing)
