"""TP3D coordination: meetings (from a template with a standing agenda), who attended for each
agency, the decisions taken, and the tasks (tindak lanjut) that carry each decision out.

A task is assigned to an agency (and optionally a person), hangs off a region (the scope filter
of ``siaga.core.permissions``) and may point at the thing it follows up on in another module
(``about_*``: a type, an id, a label and a link, so this module imports none of them). Its
timeline is ``TaskEvent``; every change is also in the audit chain.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from siaga.coordination.choices import AboutType, EventKind, Priority, TaskStatus
from siaga.core import clock


class MeetingTemplate(models.Model):
    """A kind of meeting with its standing agenda, so a routine Rakor starts in one click."""

    name = models.CharField(_("nama"), max_length=200, unique=True)
    agenda = models.JSONField(_("agenda"), default=list, help_text=_("Daftar butir agenda."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("templat rapat")
        verbose_name_plural = _("templat rapat")

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    """A coordination meeting (rapat koordinasi) of the TP3D: when, where, who chaired, the
    agenda and the minutes; its decisions follow."""

    title = models.CharField(_("judul"), max_length=200)
    template = models.ForeignKey(
        MeetingTemplate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
        verbose_name=_("templat"),
    )
    held_at = models.DateTimeField(_("waktu rapat"))
    place = models.CharField(_("tempat"), max_length=200)
    region = models.ForeignKey(
        "wilayah.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah")
    )
    chair = models.CharField(_("pimpinan rapat"), max_length=200, blank=True)
    chair_agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("instansi pimpinan rapat"),
    )
    agenda = models.JSONField(_("agenda"), default=list)
    notes = models.TextField(_("notulen"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dicatat oleh"),
    )
    created_at = models.DateTimeField(_("dicatat"), default=clock.now)

    class Meta:
        ordering = ["-held_at", "-pk"]
        verbose_name = _("rapat koordinasi")
        verbose_name_plural = _("rapat koordinasi")
        indexes = [models.Index(fields=["held_at"])]

    def __str__(self) -> str:
        return self.title


class MeetingAttendance(models.Model):
    """An agency present at a meeting, with the names and roles of those who came."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("rapat")
    )
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("instansi")
    )
    people = models.TextField(_("yang hadir"), blank=True, help_text=_("Nama dan jabatan."))

    class Meta:
        ordering = ["agency__name", "pk"]
        verbose_name = _("kehadiran instansi")
        verbose_name_plural = _("kehadiran instansi")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "agency"], name="uniq_attendance_agency")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.agency_id}"


class Decision(models.Model):
    """A decision of a meeting, numbered within it; its tasks carry it out."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("rapat")
    )
    number = models.PositiveSmallIntegerField(_("nomor"))
    text = models.TextField(_("keputusan"))

    class Meta:
        ordering = ["meeting_id", "number"]
        verbose_name = _("keputusan rapat")
        verbose_name_plural = _("keputusan rapat")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="uniq_decision_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class Task(models.Model):
    """A follow-up (tindak lanjut) assigned to an agency, due at a time, with a status that the
    agency itself moves forward and the secretariat oversees."""

    title = models.CharField(_("judul"), max_length=200)
    description = models.TextField(_("uraian"), blank=True)
    decision = models.ForeignKey(
        Decision,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        verbose_name=_("keputusan rapat"),
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        related_name="coordination_tasks",
        verbose_name=_("instansi"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coordination_tasks",
        verbose_name=_("petugas"),
    )
    due_at = models.DateTimeField(_("batas waktu"))
    priority = models.CharField(
        _("prioritas"), max_length=10, choices=Priority.choices, default=Priority.SEDANG
    )
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.BARU
    )
    region = models.ForeignKey(
        "wilayah.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah")
    )
    about_type = models.CharField(
        _("terkait dengan"), max_length=12, choices=AboutType.choices, blank=True
    )
    about_id = models.CharField(_("ID terkait"), max_length=60, blank=True)
    about_label = models.CharField(_("keterangan terkait"), max_length=200, blank=True)
    about_url = models.CharField(_("tautan terkait"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dibuat oleh"),
    )
    created_at = models.DateTimeField(_("dibuat"), default=clock.now)
    updated_at = models.DateTimeField(_("diubah"), default=clock.now)
    completed_at = models.DateTimeField(_("selesai pada"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("diingatkan pada"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("dieskalasi pada"), null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("tindak lanjut")
        verbose_name_plural = _("tindak lanjut")
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["agency", "status"]),
        ]

    def __str__(self) -> str:
        return self.title


class TaskEvent(models.Model):
    """One line of a task's timeline: created, a status change (with its note), assigned,
    a comment, a reminder or an escalation."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="events", verbose_name=_("tindak lanjut")
    )
    at = models.DateTimeField(_("waktu"), default=clock.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("oleh"),
    )
    kind = models.CharField(_("jenis"), max_length=10, choices=EventKind.choices)
    status_from = models.CharField(
        _("status semula"), max_length=12, choices=TaskStatus.choices, blank=True
    )
    status_to = models.CharField(
        _("status baru"), max_length=12, choices=TaskStatus.choices, blank=True
    )
    note = models.TextField(_("catatan"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("riwayat tindak lanjut")
        verbose_name_plural = _("riwayat tindak lanjut")

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind}"
