"""The Kutai Timur demo's incident reports: the quiet period, and voting day when played there.

At the default demo moment (H-3, 10:00 WITA) the situation room holds the reports of the last
days of the campaign and the start of the quiet period. With ``siaga demo --voting-day`` the
clock moves to 27 November 2024, 15:30 WITA, and the voting-day stream is there too: reports from
TPS over every channel, in every state of the workflow, including the real 2024 pattern in
Sangatta Utara of one voter voting twice at one TPS (in the morning with the invitation as a DPT
voter, again at midday with an e-KTP as a DPK voter), told by the field officer and, a little
later, by a citizen through the public form (a duplicate merged into the first report).

Each report goes through ``incident_submit`` and ``incident_transition`` like any other, so the
timeline, routing, notifications and audit trail are real; times are then set to the story's.
Idempotent: every report has a fixed idempotency key, and a report already stored is left alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import transaction

from siaga.accounts.models import Agency, User
from siaga.core.audit import AuditContext
from siaga.demo import kutai_timur as facts
from siaga.incidents.catalogue import categories_seed
from siaga.incidents.choices import Channel, State
from siaga.incidents.models import Event, Incident
from siaga.incidents.services import IncidentInput, incident_submit, incident_transition
from siaga.wilayah.models import Tps

WITA = ZoneInfo(facts.DEMO_TIME_ZONE)
KEY_PREFIX = "demo-insiden-"


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2024, 11, day, hour, minute, tzinfo=WITA)


@dataclass(frozen=True)
class Step:
    """One move of the workflow, ``minutes`` after the report was received."""

    state: str
    minutes: int
    by: str = "analis"
    note: str = ""
    agency: str = ""
    merge_into: str = ""  # the key of the report kept


@dataclass(frozen=True)
class DemoReport:
    key: str
    occurred_at: dt.datetime
    category: str
    severity: str
    kecamatan: str  # the report's TPS is the ``tps_index``-th TPS of this kecamatan
    tps_index: int | None
    description: str
    channel: str = Channel.FIELD
    reporter: str = ""  # a demo username; empty for the public channels
    anonymous: bool = False
    reporter_name: str = ""
    people_involved: str = ""
    delay_minutes: int = 4  # between the event and the report reaching Siaga
    steps: tuple[Step, ...] = field(default_factory=tuple)


REPORTS: tuple[DemoReport, ...] = (
    # --- Campaign's last days and the quiet period ---------------------------------------------
    DemoReport(
        "apk-sangatta-selatan", _at(24, 7, 30), "kampanye-masa-tenang", "sedang", "64.08.12", 3,
        "Baliho dan spanduk paslon masih terpasang di simpang jalan poros Sangatta Selatan pada "
        "hari pertama masa tenang.", reporter="analis", channel=Channel.WEB, delay_minutes=20,
        steps=(Step(State.DIVERIFIKASI, 15), Step(State.DITINDAKLANJUTI, 25, agency="bawaslu"),
               Step(State.SELESAI, 140, by="analis",
                    note="APK diturunkan Satpol PP bersama Panwascam pukul 10.00.")),
    ),
    DemoReport(
        "hoaks-tps-pindah", _at(23, 20, 15), "hoaks-lokal", "sedang", "64.08.04", None,
        "Pesan berantai WhatsApp menyebut TPS di Teluk Lingga dipindah ke balai desa dan pemilih "
        "dari luar desa boleh mencoblos dengan KTP. Tidak benar.", channel=Channel.PUBLIC,
        anonymous=True, delay_minutes=35,
        steps=(Step(State.DIVERIFIKASI, 40),
               Step(State.DITINDAKLANJUTI, 55, agency="diskominfo",
                    note="Siapkan klarifikasi bersama KPU di kanal resmi.")),
    ),
    DemoReport(
        "serangan-fajar-isu", _at(24, 6, 10), "politik-uang", "tinggi", "64.08.09", 5,
        "Warga menyampaikan ada tim yang mendata nama pemilih per rumah dan menjanjikan uang "
        "menjelang hari pemungutan; belum ada pembagian.", channel=Channel.SMS,
        reporter_name="Warga Sepaso", delay_minutes=12,
        steps=(Step(State.DIVERIFIKASI, 60),
               Step(State.DITINDAKLANJUTI, 75, agency="bawaslu",
                    note="Patroli bersama Gakkumdu di Sepaso malam ini.")),
    ),
    DemoReport(
        "surat-suara-basah", _at(23, 16, 40), "logistik", "sedang", "64.08.01", 2,
        "Satu kotak surat suara Bupati basah terkena air sungai saat bongkar muat di dermaga "
        "PPK Kelinjau Ilir; sekitar 40 lembar rusak.", reporter="kpu.logistik",
        channel=Channel.WEB, delay_minutes=30,
        steps=(Step(State.DIVERIFIKASI, 10),
               Step(State.DITINDAKLANJUTI, 20, agency="kpu",
                    note="Pengganti dari cadangan 2,5 % di gudang KPU."),
               Step(State.SELESAI, 600, by="kpu.logistik",
                    note="Surat suara pengganti diterima PPK, berita acara rusak dibuat.")),
    ),
    DemoReport(
        "netralitas-kades", _at(24, 8, 0), "netralitas", "sedang", "64.08.07", 1,
        "Kepala desa diduga mengajak warga dalam pertemuan RT untuk memilih paslon tertentu.",
        channel=Channel.PUBLIC, anonymous=True, delay_minutes=45,
        steps=(Step(State.DITOLAK, 70,
                    note="Dicek Panwascam: pertemuan RT membahas kerja bakti, tidak ada ajakan "
                         "memilih. Tidak cukup bukti."),),
    ),
    DemoReport(
        "listrik-sangkulirang-h3", _at(24, 9, 20), "bencana-gangguan", "rendah", "64.08.05", None,
        "Pemadaman listrik bergilir di Sangkulirang; sinyal seluler putus-putus.",
        reporter="analis", channel=Channel.WEB, delay_minutes=10,
    ),
    # --- Voting day, 27 November 2024 -----------------------------------------------------------
    DemoReport(
        "tps-terlambat-buka", _at(27, 7, 20), "logistik", "sedang", "64.08.04", 11,
        "TPS belum dibuka pukul 07.20: kotak suara DPRD tertukar dengan TPS sebelah, KPPS menunggu "
        "PPS.", reporter="polsek.sangatta", delay_minutes=3,
        steps=(Step(State.DIVERIFIKASI, 5),
               Step(State.DITINDAKLANJUTI, 8, agency="kpu"),
               Step(State.SELESAI, 50, by="kpu.logistik",
                    note="Kotak ditukar oleh PPS, TPS dibuka 08.05, waktu pemungutan diperpanjang "
                         "sesuai aturan.")),
    ),
    DemoReport(
        "pemilih-dua-kali", _at(27, 11, 40), "pemilih-ganda", "tinggi", "64.08.04", 7,
        "Seorang pemilih mencoblos pagi hari dengan undangan (terdaftar di DPT), lalu kembali "
        "pukul 11.40 dengan e-KTP sebagai pemilih DPK di TPS yang sama. Diketahui saksi paslon; "
        "KPPS tidak memeriksa tinta di jari.", reporter="polsek.sangatta",
        people_involved="Pemilih berinisial R (laki-laki, 34 th); Ketua KPPS", delay_minutes=6,
        steps=(Step(State.DIVERIFIKASI, 10, note="Dikonfirmasi PTPS dan saksi."),
               Step(State.DITINDAKLANJUTI, 15, agency="bawaslu",
                    note="Kajian Panwascam untuk rekomendasi pemungutan suara ulang."),
               # Received 11.46; closed 15.06, before the voting-day demo's 15.30.
               Step(State.SELESAI, 200, by="analis",
                    note="Bawaslu merekomendasikan pemungutan suara ulang (PSU) di TPS ini; "
                         "KPU menetapkan jadwal PSU.")),
    ),
    DemoReport(
        "pemilih-dua-kali-warga", _at(27, 11, 45), "pemilih-ganda", "tinggi", "64.08.04", 7,
        "Ada orang nyoblos dua kali di TPS ini, pagi pakai undangan siang pakai KTP. Tolong dicek",
        channel=Channel.PUBLIC, anonymous=True, delay_minutes=20,
        steps=(Step(State.DIGABUNG, 12, merge_into="pemilih-dua-kali",
                    note="Kejadian yang sama dengan laporan petugas."),),
    ),
    DemoReport(
        "amplop-sangatta-selatan", _at(27, 8, 35), "politik-uang", "tinggi", "64.08.12", 9,
        "Pembagian amplop berisi uang Rp100.000 kepada warga di gang dekat TPS, disertai kartu "
        "nama paslon.", channel=Channel.SMS, reporter_name="PTPS", delay_minutes=5,
        people_involved="Dua orang laki-laki bermotor",
        steps=(Step(State.DIVERIFIKASI, 20),
               Step(State.DITINDAKLANJUTI, 25, agency="bawaslu",
                    note="Sentra Gakkumdu mengamankan barang bukti.")),
    ),
    DemoReport(
        "intimidasi-long-lees", _at(27, 9, 10), "intimidasi", "tinggi", "64.08.06", 2,
        "Sekelompok orang berkumpul di depan TPS dan meminta pemilih memilih paslon tertentu; "
        "sebagian pemilih pulang.", channel=Channel.TELEGRAM, reporter_name="Linmas TPS",
        delay_minutes=55,  # no signal at the TPS: sent from the river landing
        steps=(Step(State.DIVERIFIKASI, 15),
               Step(State.DITINDAKLANJUTI, 20, agency="polres",
                    note="Personel Polsek menuju lokasi dengan longboat.")),
    ),
    DemoReport(
        "listrik-padam-hitung", _at(27, 14, 50), "bencana-gangguan", "sedang", "64.08.05", 6,
        "Listrik padam saat penghitungan suara; KPPS melanjutkan dengan lampu darurat.",
        reporter="analis", channel=Channel.WEB, delay_minutes=8,
    ),
    DemoReport(
        "keributan-wahau", _at(27, 15, 5), "kekerasan", "kritis", "64.08.02", 4,
        "Adu mulut antar pendukung setelah penghitungan di TPS, satu orang terluka ringan.",
        reporter="polres", delay_minutes=4, people_involved="Pendukung dua paslon",
        steps=(Step(State.DIVERIFIKASI, 3),
               Step(State.DITINDAKLANJUTI, 6, agency="polres",
                    note="Dalmas Polres dan Koramil menuju lokasi.")),
    ),
    DemoReport(
        "surat-suara-kurang", _at(27, 7, 45), "logistik", "sedang", "64.08.13", 3,
        "Surat suara Gubernur kurang 12 lembar dari jumlah DPT ditambah 2,5 %.",
        reporter="kpu.logistik", channel=Channel.WEB, delay_minutes=10,
        steps=(Step(State.DIVERIFIKASI, 5), Step(State.DITINDAKLANJUTI, 8, agency="kpu"),
               Step(State.SELESAI, 70, by="kpu.logistik",
                    note="Ditambah dari TPS terdekat dengan berita acara.")),
    ),
    DemoReport(
        "hoaks-hasil-hitung", _at(27, 14, 30), "hoaks-lokal", "sedang", "64.08.04", None,
        "Beredar tangkapan layar 'hasil resmi' perolehan suara sebelum penghitungan selesai.",
        channel=Channel.PUBLIC, anonymous=True, delay_minutes=15,
    ),
    DemoReport(
        "kppsnetral-muara-bengkal", _at(27, 10, 15), "netralitas", "sedang", "64.08.03", 1,
        "Anggota KPPS memakai kaus bergambar paslon di TPS.", reporter="analis",
        channel=Channel.WEB, delay_minutes=25,
        steps=(Step(State.DIVERIFIKASI, 30),),
    ),
)  # fmt: skip


def _tps(kecamatan: str, index: int | None) -> Tps | None:
    if index is None:
        return None
    rows = Tps.objects.filter(desa__code__startswith=kecamatan + ".").order_by("desa_id", "number")
    return rows[index % rows.count()] if rows.exists() else None


def _desa_code(kecamatan: str) -> str:
    tps = _tps(kecamatan, 0)
    return tps.desa_id if tps else ""


def incidents_demo_load(*, context: AuditContext, now: dt.datetime) -> dict[str, int]:
    """Store the demo reports that happened before ``now``; returns counts by state."""
    categories_seed(context=context)
    users = {u.username: u for u in User.objects.all()}
    agencies = {a.code: a for a in Agency.objects.all()}
    by_key: dict[str, Incident] = {}
    for report in sorted(REPORTS, key=lambda r: r.occurred_at):
        received = report.occurred_at + dt.timedelta(minutes=report.delay_minutes)
        if received > now:
            continue
        key = KEY_PREFIX + report.key
        existing = Incident.objects.filter(idempotency_key=key).first()
        if existing is not None:
            by_key[report.key] = existing
            continue
        by_key[report.key] = _load_one(context, report, key, received, now, users, agencies, by_key)
    counts: dict[str, int] = {}
    for incident in Incident.objects.filter(idempotency_key__startswith=KEY_PREFIX):
        counts[incident.state] = counts.get(incident.state, 0) + 1
    return counts


def _load_one(context, report, key, received, now, users, agencies, by_key) -> Incident:
    reporter = users.get(report.reporter) if report.reporter else None
    tps = _tps(report.kecamatan, report.tps_index)
    data = IncidentInput(
        category=report.category,
        description=report.description,
        occurred_at=report.occurred_at,
        tps_id=tps.pk if tps else None,
        region_code="" if tps else _desa_code(report.kecamatan),
        severity=report.severity,
        people_involved=report.people_involved,
        anonymous=report.anonymous,
        reporter_name=report.reporter_name,
    )
    with transaction.atomic():
        incident = incident_submit(
            context=AuditContext(actor=reporter, channel="demo"),
            channel=report.channel,
            data=data,
            user=reporter,
            idempotency_key=key,
        ).incident
        Incident.objects.filter(pk=incident.pk).update(
            received_at=received, state_changed_at=received
        )
        Event.objects.filter(incident=incident).update(at=received)
        for step in report.steps:
            at = received + dt.timedelta(minutes=step.minutes)
            if at > now:
                break
            actor = users.get(step.by)
            last_event = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            incident = incident_transition(
                context=AuditContext(actor=actor, channel="demo"),
                user=actor,
                incident=incident,
                to_state=step.state,
                note=step.note,
                agency=agencies.get(step.agency) if step.agency else None,
                merge_into=by_key.get(step.merge_into) if step.merge_into else None,
            )
            Event.objects.filter(pk__gt=last_event).update(at=at)
            changes = {"state_changed_at": at}
            if step.state == State.DITINDAKLANJUTI:
                changes["sla_due_at"] = incident.sla_due_at - (now - at)
            Incident.objects.filter(pk=incident.pk).update(**changes)
    return Incident.objects.get(pk=incident.pk)
