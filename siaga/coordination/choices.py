"""Choices of the coordination module: task priority, status, what a task is about, and the
kinds of entries on a task's timeline."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Priority(models.TextChoices):
    RENDAH = "rendah", _("Rendah")
    SEDANG = "sedang", _("Sedang")
    TINGGI = "tinggi", _("Tinggi")
    MENDESAK = "mendesak", _("Mendesak")


class TaskStatus(models.TextChoices):
    BARU = "baru", _("Baru")
    DIKERJAKAN = "dikerjakan", _("Dikerjakan")
    TERHAMBAT = "terhambat", _("Terhambat")
    SELESAI = "selesai", pgettext_lazy("task status", "Selesai")
    DIBATALKAN = "dibatalkan", _("Dibatalkan")


# A task still to be carried out; the two others are final.
OPEN_STATUSES = (TaskStatus.BARU, TaskStatus.DIKERJAKAN, TaskStatus.TERHAMBAT)
FINAL_STATUSES = (TaskStatus.SELESAI, TaskStatus.DIBATALKAN)


class AboutType(models.TextChoices):
    """The thing a task follows up on, in another module (or outside Siaga)."""

    INCIDENT = "incident", _("Laporan insiden")
    SHIPMENT = "shipment", _("Pengiriman logistik")
    POST = "post", _("Unggahan media sosial / hoaks")
    ALERT = "alert", _("Peringatan media")
    RISK_ALERT = "risk_alert", _("Peringatan kerawanan")
    TPS = "tps", _("TPS")
    WATCHPOINT = "watchpoint", _("Titik rawan pasca-pemungutan")
    OTHER = "other", _("Lainnya")


class EventKind(models.TextChoices):
    CREATED = "created", _("Dibuat")
    STATUS = "status", _("Status diubah")
    ASSIGNED = "assigned", _("Petugas ditunjuk")
    COMMENT = "comment", _("Komentar")
    REMINDED = "reminded", _("Pengingat dikirim")
    ESCALATED = "escalated", _("Dieskalasi")
