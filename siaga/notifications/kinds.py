"""The kinds of notification a person may mute, with the names shown on the preferences page.

``notify`` accepts any kind; this catalogue only gives the known ones a readable label. A kind
not listed here still appears on the page once the person has received it (see
``kind_choices``), so a module that adds a kind needs no change here to make it mutable.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

KNOWN_KINDS: dict[str, str] = {
    "incident.new": _("Laporan insiden baru"),
    "incident.assigned": _("Tindak lanjut insiden ditugaskan"),
    "incident.escalated": _("Eskalasi insiden"),
    "risk.alert": _("Peringatan kerawanan"),
    "media.alert": _("Peringatan media sosial"),
    "voter.double_check": _("Pemeriksaan pemilih ganda"),
    "voter.double_registration": _("Dugaan pemilih terdaftar ganda"),
    "coordination.task.new": _("Tindak lanjut baru"),
    "coordination.task.assigned": _("Tindak lanjut ditugaskan"),
    "coordination.task.blocked": _("Tindak lanjut terhambat"),
    "coordination.task.reminder": _("Pengingat tenggat tindak lanjut"),
    "coordination.task.escalated": _("Eskalasi tindak lanjut terlambat"),
    "reports.sitrep": _("Laporan situasi harian"),
}


def kind_choices(*, received: set[str], muted: set[str]) -> list[tuple[str, str]]:
    """(kind, label) for the page: the known kinds, then any other the person has received or
    muted (labelled with the kind itself), each once, in a stable order."""
    others = sorted((received | muted) - set(KNOWN_KINDS))
    return [(kind, str(label)) for kind, label in KNOWN_KINDS.items()] + [(k, k) for k in others]
