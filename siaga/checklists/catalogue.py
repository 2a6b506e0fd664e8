"""The five default TPS checklists of a Pilkada, as facts an administrator may later edit.

``checklist_templates_seed`` creates version 1 of the template of every phase that has none yet,
and leaves alone a phase that already has one (an administrator's edits are never overwritten),
so it may be run on every demo load or deployment. Each template created is audited.

Times are WITA on the day ``day_offset`` from voting day: the H-1 list is due at 18:00 the day
before; on voting day the opening list is due 07:30 (TPS open at 07:00), the voting list at
12:00 (voting runs 07:00-13:00), counting at 16:00 and the list after counting at 22:00.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from siaga.checklists.choices import ItemKind, Phase
from siaga.checklists.models import ChecklistTemplate
from siaga.core.audit import AuditContext, AuditEntry, audit_record_many, snapshot

Y, N, T, H, F = ItemKind.YES_NO, ItemKind.NUMBER, ItemKind.TEXT, ItemKind.TIME, ItemKind.PHOTO


def item(key: str, label: str, kind: str, required: bool = True, help: str = "") -> dict:
    return {"key": key, "label": label, "kind": str(kind), "required": required, "help": help}


@dataclass(frozen=True)
class TemplateFact:
    phase: str
    title: str
    day_offset: int
    opens_at: dt.time
    due_at: dt.time
    items: tuple[dict, ...]


TEMPLATES: tuple[TemplateFact, ...] = (
    TemplateFact(
        Phase.H_MINUS_1,
        "Kesiapan TPS sehari sebelum pemungutan suara (H-1)",
        -1,
        dt.time(6, 0),
        dt.time(18, 0),
        (
            item("logistik_diterima", "Logistik pemungutan suara diterima KPPS dari PPS", Y),
            item(
                "surat_suara_bupati",
                "Jumlah surat suara bupati/wakil bupati diterima",
                N,
                help="DPT ditambah cadangan 2,5%.",
            ),
            item("surat_suara_gubernur", "Jumlah surat suara gubernur/wakil gubernur diterima", N),
            item("kotak_tersegel", "Kotak suara diterima dalam keadaan tersegel", Y),
            item("logistik_kurang", "Ada logistik yang kurang atau rusak", Y),
            item("logistik_kurang_uraian", "Uraian logistik yang kurang/rusak", T, False),
            item("tps_didirikan", "TPS sudah didirikan", Y),
            item(
                "akses_disabilitas",
                "TPS mudah diakses pemilih disabilitas dan lansia",
                Y,
                help="Tanpa tangga, jalan masuk cukup lebar untuk kursi roda.",
            ),
            item("lokasi_aman", "Lokasi TPS aman dari banjir, longsor atau genangan", Y),
            item("logistik_dijaga", "Logistik dijaga Linmas atau aparat semalam", Y),
            item("foto_tps", "Foto TPS yang sudah berdiri", F, False),
            item("catatan", "Catatan", T, False),
        ),
    ),
    TemplateFact(
        Phase.OPENING,
        "Pembukaan TPS",
        0,
        dt.time(6, 0),
        dt.time(7, 30),
        (
            item("jam_buka", "TPS dibuka pukul 07.00", H, help="Isi jam TPS benar-benar dibuka."),
            item("kpps_lengkap", "Anggota KPPS lengkap (7 orang)", Y),
            item("kpps_hadir", "Jumlah anggota KPPS yang hadir", N),
            item("sumpah_kpps", "KPPS mengucapkan sumpah/janji", Y),
            item("kotak_kosong", "Kotak suara ditunjukkan kosong dan tersegel", Y),
            item(
                "surat_suara_dihitung",
                "Surat suara dihitung dan diumumkan di depan saksi dan pemilih",
                Y,
            ),
            item("saksi_hadir", "Saksi pasangan calon hadir", N, help="Jumlah orang."),
            item("ptps_hadir", "Pengawas TPS (PTPS) hadir", Y),
            item("linmas_hadir", "Anggota Linmas yang bertugas", N),
            item("catatan", "Catatan", T, False),
        ),
    ),
    TemplateFact(
        Phase.VOTING,
        "Pemungutan suara",
        0,
        dt.time(7, 0),
        dt.time(12, 0),
        (
            item("antrean_tertib", "Antrean pemilih tertib", Y),
            item("pemilih_dpt", "Pemilih DPT yang sudah memberikan suara", N),
            item("pemilih_dptb", "Pemilih DPTb (pindahan) yang memberikan suara", N),
            item("pemilih_dpk", "Pemilih DPK (dengan KTP-el) yang memberikan suara", N),
            item(
                "cek_identitas",
                "Identitas pemilih DPTb/DPK dicek dengan KTP-el dan formulir pindah",
                Y,
            ),
            item("tinta_dipakai", "Tinta dicelupkan ke jari setiap pemilih", Y),
            item("pemilih_ditolak", "Ada pemilih yang ditolak memilih", Y),
            item("gangguan", "Ada gangguan keamanan atau ketertiban", Y),
            item("gangguan_uraian", "Uraian gangguan (bila ada)", T, False),
        ),
    ),
    TemplateFact(
        Phase.COUNTING,
        "Penutupan dan penghitungan suara",
        0,
        dt.time(13, 0),
        dt.time(16, 0),
        (
            item("jam_tutup", "TPS ditutup pukul 13.00", H, help="Isi jam TPS ditutup."),
            item("hitung_terbuka", "Penghitungan suara di tempat terbuka, disaksikan umum", Y),
            item("saksi_menyaksikan", "Saksi yang menyaksikan penghitungan", N),
            item("suara_sah_bupati", "Jumlah suara sah pemilihan bupati", N),
            item("suara_tidak_sah_bupati", "Jumlah suara tidak sah pemilihan bupati", N),
            item("surat_suara_sisa", "Surat suara tidak terpakai", N, False),
            item("keberatan_saksi", "Ada keberatan saksi", Y),
            item("keberatan_uraian", "Uraian keberatan (bila ada)", T, False),
            item("c_hasil_ditandatangani", "Formulir C.Hasil ditandatangani KPPS dan saksi", Y),
            item("foto_c_hasil", "Foto formulir C.Hasil", F, help="Seluruh lembar terbaca jelas."),
        ),
    ),
    TemplateFact(
        Phase.AFTER,
        "Pasca penghitungan: penyegelan dan pengawalan kotak suara",
        0,
        dt.time(14, 0),
        dt.time(22, 0),
        (
            item("kotak_disegel", "Kotak suara disegel setelah penghitungan", Y),
            item("salinan_c_hasil", "Salinan C.Hasil diberikan kepada saksi dan PTPS", Y),
            item("dikawal", "Kotak suara dikawal aparat ke PPS/PPK", Y),
            item("jam_berangkat", "Jam berangkat ke PPS/PPK", H),
            item("jam_tiba", "Jam tiba di PPS/PPK", H, False),
            item("foto_serah_terima", "Foto serah terima kotak suara", F, False),
            item("catatan", "Catatan", T, False),
        ),
    ),
)


def checklist_templates_seed(*, context: AuditContext | None = None) -> list[ChecklistTemplate]:
    """Create the default template of every phase that has no template; return those created."""
    context = context or AuditContext()
    with transaction.atomic():
        present = set(ChecklistTemplate.objects.values_list("phase", flat=True).distinct())
        created = [
            ChecklistTemplate.objects.create(
                phase=fact.phase,
                version=1,
                title=fact.title,
                items=[dict(i) for i in fact.items],
                day_offset=fact.day_offset,
                opens_at=fact.opens_at,
                due_at=fact.due_at,
                active=True,
            )
            for fact in TEMPLATES
            if fact.phase not in present
        ]
        audit_record_many(
            context=context,
            entries=[
                AuditEntry(action="checklists.template.seed", obj=t, after=snapshot(t))
                for t in created
            ],
        )
    return created
