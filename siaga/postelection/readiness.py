"""The default post-vote readiness checklist of each kind of agency.

What the TP3D asks each member to have in place before the recapitulation days, written as the
agencies' own briefings put it. ``readiness_seed`` (in ``siaga.postelection.services``) gives
every agency the items of its kind, keyed so that seeding again adds only what is missing; an
agency may then edit, reorder or add its own.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from siaga.accounts.choices import AgencyKind

# kind -> ((seed key, text), ...), in the order shown.
DEFAULT_ITEMS: dict[str, tuple[tuple[str, str], ...]] = {
    AgencyKind.POLRI: (
        ("ppk", _("Pengamanan rekapitulasi PPK di setiap kecamatan")),
        ("cadangan", _("Pasukan cadangan siaga di Polres")),
        ("kpu", _("Pengamanan kantor KPU dan gudang kotak suara selama rekapitulasi")),
        ("unras", _("Rencana pengamanan unjuk rasa dan negosiator siap")),
        ("patroli", _("Patroli ke rumah calon dan posko pemenangan")),
    ),
    AgencyKind.TNI: (
        ("bko", _("Personel siap di-BKO-kan ke Polres atas permintaan")),
        ("koramil", _("Koramil memantau situasi dan melapor harian")),
        ("angkutan", _("Sarana angkut darat dan sungai siaga untuk wilayah terpencil")),
    ),
    AgencyKind.KPU: (
        ("jadwal", _("Jadwal dan tempat rekapitulasi PPK dan KPU diumumkan")),
        ("saksi", _("Undangan saksi pasangan calon dan Bawaslu dikirim")),
        ("dokumen", _("Formulir hasil dan kotak suara tersegel di gudang PPK")),
        ("siaran", _("Siaran langsung rapat pleno rekapitulasi disiapkan")),
    ),
    AgencyKind.BAWASLU: (
        ("pengawas", _("Pengawas hadir di setiap rapat rekapitulasi PPK")),
        ("keberatan", _("Formulir keberatan dan saluran laporan pelanggaran dibuka")),
        ("psu", _("Kajian rekomendasi PSU atau penghitungan ulang siap")),
    ),
    AgencyKind.PEMDA: (
        ("posko", _("Posko TP3D beroperasi sampai penetapan hasil")),
        ("fasilitas", _("Tempat dan sarana rapat pleno rekapitulasi tersedia")),
        ("tokoh", _("Tokoh agama dan adat dihubungi untuk menyejukkan suasana")),
    ),
    AgencyKind.KOMINFO: (
        ("patroli", _("Patroli siber atas hoaks hasil pemilihan")),
        ("klarifikasi", _("Saluran klarifikasi resmi hasil rekapitulasi siap")),
        ("takedown", _("Jalur pengajuan penurunan konten ke platform siap")),
    ),
    AgencyKind.KEJAKSAAN: (
        ("gakkumdu", _("Jaksa Sentra Gakkumdu siaga selama rekapitulasi")),
        ("perkara", _("Penanganan perkara tindak pidana pemilihan dipantau")),
    ),
    AgencyKind.INTELIJEN: (
        ("deteksi", _("Deteksi dini rencana pengerahan massa")),
        ("laporan", _("Laporan harian situasi pasca-pemungutan kepada TP3D")),
        ("tokoh", _("Pemetaan tokoh penggerak massa pasangan calon")),
    ),
}
