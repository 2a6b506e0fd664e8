"""The Kutai Timur demo's coordination: the Rapat Koordinasi TP3D of 21 November 2024 in
Sangatta, chaired by the Pjs Bupati with Kesbangpol as secretariat, with the member agencies
present and five decisions matching the TP3D's five priorities, each a task to the agency that
carries it out (logistics to KPU, hoaxes to Diskominfo, TPS supervision to Bawaslu, security to
Polres and Kodim, the daily situation report to Kesbangpol).

At the demo's clock (24 November, 10:00 WITA) most tasks are under way, Bawaslu's is blocked
(with the reason), and Diskominfo's first report is overdue, so the sweep escalates it.
Agencies are found by kind among those the demo created; a missing one leaves its task out.
Idempotent: the meeting is found again by its title and time, and nothing is written twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction

from siaga.accounts.models import Agency
from siaga.coordination import services
from siaga.coordination.choices import Priority, TaskStatus
from siaga.coordination.models import Meeting, MeetingTemplate
from siaga.core.audit import AuditContext
from siaga.core.deployment import deployment_regency

WITA = ZoneInfo("Asia/Makassar")
MEETING_TITLE = "Rapat Koordinasi TP3D Kabupaten Kutai Timur"
MEETING_AT = dt.datetime(2024, 11, 21, 9, 0, tzinfo=WITA)
MEETING_PLACE = "Ruang rapat Kantor Bupati Kutai Timur, Bukit Pelangi, Sangatta"
CHAIR = "Pjs Bupati Kutai Timur (sekretariat: Kepala Badan Kesbangpol)"
TEMPLATE_NAME = "Rakor TP3D jelang pemungutan suara"
DEFAULT_REGENCY = "64.08"

# Who came, by agency kind (the code when a kind has several agencies), and who they sent.
ATTENDANCE: tuple[tuple[str, str, str], ...] = (
    ("pemda", "pemkab", "Pjs Bupati Kutai Timur; Asisten Pemerintahan dan Kesra"),
    ("pemda", "kesbangpol", "Kepala Badan Kesbangpol; Kabid Politik Dalam Negeri"),
    ("polri", "", "Kapolres Kutai Timur; Kabag Ops"),
    ("tni", "", "Dandim 0909/Kutai Timur; Pasi Ops"),
    ("kpu", "", "Ketua KPU Kutai Timur; Kadiv Logistik"),
    ("bawaslu", "", "Ketua Bawaslu Kutai Timur; Kadiv Pencegahan"),
    ("kejaksaan", "", "Kasi Intelijen Kejari Kutai Timur"),
    ("kominfo", "", "Kepala Diskominfo Staper; Kabid Informasi dan Komunikasi Publik"),
    ("intelijen", "", "Perwakilan BIN Daerah Pos Kutai Timur"),
)


@dataclass(frozen=True)
class DemoTask:
    """One task of a decision, to the agency of ``kind`` (``code`` when the kind has several),
    due at ``due`` (WITA), in ``status`` at the demo's clock (``note`` the reason when blocked)."""

    kind: str
    title: str
    due: dt.datetime
    priority: str
    description: str
    status: str = TaskStatus.BARU
    note: str = ""
    code: str = ""


def _wita(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2024, 11, day, hour, minute, tzinfo=WITA)


DECISIONS: tuple[tuple[str, tuple[DemoTask, ...]], ...] = (
    (
        "Logistik pemilihan harus tiba di seluruh TPS paling lambat H-1 (26 November 2024); "
        "TPS di daerah terpencil dan yang dijangkau lewat sungai didahulukan.",
        (
            DemoTask(
                "kpu",
                "Pastikan logistik tiba di seluruh TPS paling lambat H-1, TPS terpencil lebih dulu",
                _wita(26, 18),
                Priority.MENDESAK,
                "Distribusi dari gudang KPU di Sangatta ke PPK dan PPS; kecamatan terjauh "
                "(Busang, Long Mesangat, Muara Ancalong) diberangkatkan pertama. Laporkan "
                "setiap serah terima.",
                TaskStatus.DIKERJAKAN,
                "Pengiriman ke kecamatan terjauh sudah berangkat sejak 23 November.",
            ),
        ),
    ),
    (
        "Intensifkan pemantauan hoaks, ujaran kebencian dan provokasi di media sosial selama "
        "masa tenang sampai pasca pemungutan suara; akun penyebar dilaporkan ke platform.",
        (
            DemoTask(
                "kominfo",
                "Patroli siber hoaks dan provokasi: laporan pertama ke sekretariat TP3D",
                _wita(23, 17),
                Priority.TINGGI,
                "Pantau grup Facebook dan WhatsApp warga; klarifikasi hoaks yang beredar; "
                "daftar akun yang dilaporkan ke platform.",
                TaskStatus.DIKERJAKAN,
                "Patroli berjalan; rekap belum dikirim.",
            ),
        ),
    ),
    (
        "Pengawasan ketat di setiap TPS terhadap pemilih ganda, mobilisasi pemilih dan "
        "intimidasi; pengawas TPS dibekali daftar TPS rawan.",
        (
            DemoTask(
                "bawaslu",
                "Pengawasan ketat di setiap TPS: pemilih ganda dan intimidasi",
                _wita(26, 18),
                Priority.TINGGI,
                "Bimbingan teknis seluruh pengawas TPS (PTPS) dan pembagian daftar TPS rawan.",
                TaskStatus.TERHAMBAT,
                "Bimtek PTPS di desa-desa hulu Busang tertunda: speedboat tidak dapat berangkat "
                "karena air surut; dijadwalkan ulang lewat jalur darat.",
            ),
        ),
    ),
    (
        "Kesiapan pengamanan sejak H-1, pada hari pemungutan suara dan sampai selesai "
        "rekapitulasi, dengan prioritas TPS sangat rawan.",
        (
            DemoTask(
                "polri",
                "Kesiapan pengamanan TPS sejak H-1 sampai pasca pemungutan suara",
                _wita(26, 12),
                Priority.MENDESAK,
                "Apel gelar pasukan, penempatan personel di TPS sangat rawan, patroli "
                "pengamanan distribusi logistik.",
                TaskStatus.DIKERJAKAN,
                "Rencana penempatan personel disusun; apel gelar pasukan 25 November.",
            ),
            DemoTask(
                "tni",
                "Dukungan personel TNI untuk TPS terpencil dan pengawalan logistik",
                _wita(26, 12),
                Priority.TINGGI,
                "Babinsa di desa-desa terpencil membantu pengamanan dan pengawalan logistik.",
            ),
        ),
    ),
    (
        "Sekretariat TP3D menyusun laporan situasi harian untuk Pjs Bupati dan menjaga "
        "koordinasi antarinstansi sampai pasca pemungutan suara.",
        (
            DemoTask(
                "pemda",
                "Laporan situasi harian dan koordinasi TP3D",
                _wita(27, 20),
                Priority.SEDANG,
                "Laporan situasi harian pukul 17.00 WITA berisi logistik, insiden, media "
                "sosial, kerawanan dan tindak lanjut.",
                TaskStatus.DIKERJAKAN,
                "Laporan harian dikirim sejak 22 November.",
                code="kesbangpol",
            ),
        ),
    ),
)


# The demo's agency of each kind (siaga.demo.kutai_timur.AGENCIES), preferred over others.
DEMO_CODES = {
    "pemda": "kesbangpol",
    "polri": "polres",
    "tni": "kodim",
    "kpu": "kpu",
    "bawaslu": "bawaslu",
    "kejaksaan": "kejari",
    "kominfo": "diskominfo",
    "intelijen": "binda",
}


def _agency(kind: str, code: str = "", region: str = DEFAULT_REGENCY) -> Agency | None:
    """The agency ``code`` (default: the demo's of that kind), else one of that kind at the
    regency, else any of that kind; None when the deployment has none."""
    qs = Agency.objects.filter(kind=kind).order_by("pk")
    return (
        qs.filter(code=code or DEMO_CODES.get(kind, "")).first()
        or qs.filter(region_id=region).first()
        or qs.first()
    )


def coordination_demo_load(*, context: AuditContext, now: dt.datetime) -> dict:
    """Load the 21 November meeting, its decisions and tasks, move the tasks to their state at
    ``now`` and sweep (reminders, escalations); returns counts of what was written."""
    summary = {"meetings": 0, "decisions": 0, "tasks": 0, "transitions": 0, "escalated": 0}
    if Meeting.objects.filter(title=MEETING_TITLE, held_at=MEETING_AT).exists():
        return summary
    with transaction.atomic():
        services.templates_seed(context=context)
        template = MeetingTemplate.objects.filter(name=TEMPLATE_NAME).first()
        attendees: dict[int, str] = {}
        regency = deployment_regency() or DEFAULT_REGENCY
        for kind, code, people in ATTENDANCE:
            agency = _agency(kind, code, regency)
            if agency is not None and (not code or agency.code == code):
                attendees[agency.pk] = people
        chair_agency = _agency("pemda", "pemkab", regency)
        meeting = services.meeting_create(
            context=context,
            title=MEETING_TITLE,
            held_at=MEETING_AT,
            place=MEETING_PLACE,
            region=regency,
            chair=CHAIR,
            chair_agency=chair_agency,
            template=template,
            notes=(
                "Rapat membahas kesiapan lima bidang TP3D menjelang pemungutan suara "
                "27 November 2024. Seluruh instansi diminta melaporkan tindak lanjut "
                "melalui Siaga."
            ),
            attendees=attendees,
        )
        summary["meetings"] = 1
        moves: list[tuple] = []
        for text, tasks in DECISIONS:
            rows, specs = [], []
            for spec in tasks:
                agency = _agency(spec.kind, spec.code, regency)
                if agency is None:
                    continue
                rows.append(
                    {
                        "title": spec.title,
                        "agency": agency,
                        "due_at": spec.due,
                        "priority": spec.priority,
                        "description": spec.description,
                    }
                )
                specs.append(spec)
            decision = services.decision_add(
                context=context, meeting=meeting, text=text, tasks=rows
            )
            summary["decisions"] += 1
            for task, spec in zip(decision.tasks.order_by("pk"), specs, strict=True):
                summary["tasks"] += 1
                if spec.status != TaskStatus.BARU:
                    moves.append((task, spec))
        for task, spec in moves:
            services.task_transition(context=context, task=task, status=spec.status, note=spec.note)
            summary["transitions"] += 1
        swept = services.tasks_sweep(now=now, context=context)
        summary["escalated"] = swept["escalated"]
    return summary
