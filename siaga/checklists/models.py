"""TPS checklists per phase: templates kept as versioned data, the answers each TPS submits,
and the photos attached to them.

A template that has been answered is never changed in place: the admin saves a change as a new
version (``siaga.checklists.admin``), so every submission keeps pointing to the exact version
its answers were given against. At most one version per phase is active; that one is what the
field app renders and what the dashboard counts against.
"""

from __future__ import annotations

import datetime as dt
import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from siaga.checklists.choices import Channel, Phase
from siaga.core import clock

ACTIVE_CONSTRAINT = "uniq_checklist_active_phase"


class ChecklistTemplate(models.Model):
    """One version of the checklist of a phase: its items and when it opens and is due.

    ``items`` is a list of ``{"key", "label", "kind", "required", "help"}`` with ``kind`` one of
    yes_no, number, text, time, photo (see ``siaga.checklists.items``). ``day_offset`` counts days
    from voting day (-1 for H-1); ``opens_at`` and ``due_at`` are local times (WITA) of that day.
    """

    phase = models.CharField(_("tahap"), max_length=20, choices=Phase.choices)
    version = models.PositiveIntegerField(_("versi"), default=1)
    title = models.CharField(_("judul"), max_length=200)
    items = models.JSONField(_("butir"), default=list)
    day_offset = models.SmallIntegerField(
        _("hari relatif terhadap hari H"),
        default=0,
        help_text=_("-1 untuk H-1, 0 untuk hari pemungutan suara."),
    )
    opens_at = models.TimeField(_("dibuka pukul"), default=dt.time(0, 0))
    due_at = models.TimeField(_("tenggat pukul"))
    active = models.BooleanField(_("berlaku"), default=True)
    created_at = models.DateTimeField(_("dibuat"), default=clock.now)

    class Meta:
        ordering = ["phase", "-version"]
        verbose_name = _("templat daftar periksa")
        verbose_name_plural = _("templat daftar periksa")
        constraints = [
            models.UniqueConstraint(fields=["phase", "version"], name="uniq_checklist_version"),
            models.UniqueConstraint(
                fields=["phase"], condition=models.Q(active=True), name=ACTIVE_CONSTRAINT
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def get_constraints(self):
        # Forms do not check "one active version per phase": saving through
        # ``template_save_versioned`` deactivates the others in the same transaction, and the
        # database constraint stays as the guard.
        return [
            (model, [c for c in constraints if c.name != ACTIVE_CONSTRAINT])
            for model, constraints in super().get_constraints()
        ]

    def day(self, voting_day: dt.date) -> dt.date:
        return voting_day + dt.timedelta(days=self.day_offset)

    def opens(self, voting_day: dt.date) -> dt.datetime:
        """When the checklist may be filled in (aware, in the deployment's time zone)."""
        zone = ZoneInfo(settings.TIME_ZONE)
        return dt.datetime.combine(self.day(voting_day), self.opens_at, tzinfo=zone)

    def due(self, voting_day: dt.date) -> dt.datetime:
        """When it must have arrived; after this a TPS without it is missing, with it late."""
        zone = ZoneInfo(settings.TIME_ZONE)
        return dt.datetime.combine(self.day(voting_day), self.due_at, tzinfo=zone)

    def item_map(self) -> dict[str, dict]:
        return {item["key"]: item for item in self.items or [] if isinstance(item, dict)}


class ChecklistSubmission(models.Model):
    """The answers of one TPS to one template version; a later one for the same phase corrects
    it (all are kept, the latest counts). ``idempotency_key`` makes a retried submit harmless."""

    tps = models.ForeignKey(
        "wilayah.Tps",
        on_delete=models.PROTECT,
        related_name="checklist_submissions",
        verbose_name=_("TPS"),
    )
    template = models.ForeignKey(
        ChecklistTemplate,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("templat"),
    )
    answers = models.JSONField(_("jawaban"), default=dict)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dikirim oleh"),
    )
    submitted_at = models.DateTimeField(_("diterima server"))
    answered_at = models.DateTimeField(_("diisi (waktu perangkat)"), null=True, blank=True)
    channel = models.CharField(_("kanal"), max_length=10, choices=Channel.choices)
    idempotency_key = models.CharField(_("kunci idempotensi"), max_length=64, unique=True)
    late = models.BooleanField(_("terlambat"), default=False)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("kiriman daftar periksa")
        verbose_name_plural = _("kiriman daftar periksa")
        indexes = [models.Index(fields=["tps", "template"])]

    def __str__(self) -> str:
        return f"{self.template_id} TPS {self.tps_id} @ {self.submitted_at:%Y-%m-%d %H:%M}"


def checklist_photo_path(instance: ChecklistPhoto, filename: str) -> str:
    """A random name under ``checklists/``: the uploader's file name is never kept."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"checklists/{clock.now():%Y/%m}/{secrets.token_hex(12)}.{extension}"


class ChecklistPhoto(models.Model):
    """A photo answering a photo item (the C.Hasil tally sheet, ...), cleaned before storing.

    Served only through the ``checklists:photo`` page, after the TPS scope is checked.
    """

    submission = models.ForeignKey(
        ChecklistSubmission, on_delete=models.CASCADE, related_name="photos"
    )
    item_key = models.CharField(_("butir"), max_length=40)
    file = models.FileField(_("berkas"), upload_to=checklist_photo_path, max_length=200)
    content_type = models.CharField(_("jenis isi"), max_length=40)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(_("ukuran (byte)"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("foto daftar periksa")
        verbose_name_plural = _("foto daftar periksa")

    def __str__(self) -> str:
        return f"{self.submission_id}/{self.item_key}"
