"""The watch after the vote: scheduled events that draw crowds (recapitulation, determination,
the dispute window), planned gatherings, re-votes (PSU) ordered for TPS, and each agency's
readiness checklist.

Every row hangs off the region spine (directly, through its TPS or through its agency), so the
one scope filter of ``siaga.core.permissions`` decides who sees it. Rows made by a seed carry a
``seed_key``: seeding again finds them and leaves the user's edits alone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from siaga.core import clock
from siaga.postelection.choices import GatheringStatus, Permit, RevoteStatus, WatchKind


class WatchPoint(models.Model):
    """A scheduled post-vote event that the security agencies guard: a PPK recapitulation in a
    kecamatan, the KPU's at the regency, the determination, the dispute window at the MK."""

    kind = models.CharField(_("jenis"), max_length=20, choices=WatchKind.choices)
    title = models.CharField(_("judul"), max_length=200)
    place = models.CharField(_("tempat"), max_length=200, blank=True)
    region = models.ForeignKey(
        "wilayah.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("wilayah"),
        help_text=_("Kecamatan untuk rekapitulasi PPK, kabupaten untuk KPU."),
    )
    starts_at = models.DateTimeField(_("mulai"))
    ends_at = models.DateTimeField(_("selesai"))
    note = models.TextField(_("catatan"), blank=True)
    seed_key = models.CharField(_("kunci kalender bawaan"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("dibuat"), default=clock.now)
    updated_at = models.DateTimeField(_("diubah"), default=clock.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("titik rawan pasca-pemungutan")
        verbose_name_plural = _("titik rawan pasca-pemungutan")
        constraints = [
            models.UniqueConstraint(
                fields=["seed_key"],
                condition=~models.Q(seed_key=""),
                name="uniq_watchpoint_seed_key",
            ),
        ]
        indexes = [models.Index(fields=["starts_at"]), models.Index(fields=["ends_at"])]

    def __str__(self) -> str:
        return self.title


class Gathering(models.Model):
    """A planned demonstration or mass mobilisation (rencana unjuk rasa / pengerahan massa),
    recorded from the police's notification or from the field, so the agencies can prepare."""

    title = models.CharField(_("judul"), max_length=200)
    place = models.CharField(_("tempat"), max_length=200)
    region = models.ForeignKey(
        "wilayah.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("wilayah"),
    )
    lat = models.FloatField(_("lintang"), null=True, blank=True)
    lon = models.FloatField(_("bujur"), null=True, blank=True)
    planned_at = models.DateTimeField(_("waktu rencana"))
    expected_size = models.PositiveIntegerField(_("perkiraan jumlah massa"), default=0)
    organiser = models.CharField(_("penyelenggara / penanggung jawab"), max_length=200, blank=True)
    permit = models.CharField(
        _("surat pemberitahuan"), max_length=10, choices=Permit.choices, default=Permit.TIDAK_ADA
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=GatheringStatus.choices,
        default=GatheringStatus.RENCANA,
    )
    note = models.TextField(_("catatan"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dicatat oleh"),
    )
    created_at = models.DateTimeField(_("dicatat"), default=clock.now)
    updated_at = models.DateTimeField(_("diubah"), default=clock.now)

    class Meta:
        ordering = ["planned_at", "pk"]
        verbose_name = _("rencana unjuk rasa / pengerahan massa")
        verbose_name_plural = _("rencana unjuk rasa / pengerahan massa")
        indexes = [models.Index(fields=["planned_at"])]

    def __str__(self) -> str:
        return self.title


class Revote(models.Model):
    """A re-vote (PSU, pemungutan suara ulang) ordered for one TPS: a second voting day there,
    to be secured like the first, usually in a tenser mood."""

    tps = models.ForeignKey(
        "wilayah.Tps", on_delete=models.PROTECT, related_name="revotes", verbose_name=_("TPS")
    )
    ordered_on = models.DateField(_("tanggal perintah"))
    vote_on = models.DateField(_("tanggal PSU"))
    reason = models.TextField(_("alasan"))
    ordered_by = models.CharField(_("diperintahkan oleh"), max_length=120, blank=True)
    status = models.CharField(
        _("status"),
        max_length=14,
        choices=RevoteStatus.choices,
        default=RevoteStatus.DIPERINTAHKAN,
    )
    note = models.TextField(_("catatan"), blank=True)
    created_at = models.DateTimeField(_("dicatat"), default=clock.now)
    updated_at = models.DateTimeField(_("diubah"), default=clock.now)

    class Meta:
        ordering = ["vote_on", "pk"]
        verbose_name = _("pemungutan suara ulang (PSU)")
        verbose_name_plural = _("pemungutan suara ulang (PSU)")

    def __str__(self) -> str:
        return f"PSU {self.tps_id} {self.vote_on:%Y-%m-%d}"


class ReadinessItem(models.Model):
    """One item of an agency's post-vote readiness checklist, ticked by the agency itself (or
    the secretariat), so the situation room sees who is ready for the recapitulation days."""

    agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.CASCADE,
        related_name="readiness_items",
        verbose_name=_("instansi"),
    )
    text = models.CharField(_("butir kesiapan"), max_length=300)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    done = models.BooleanField(_("siap"), default=False)
    done_at = models.DateTimeField(_("dicentang pada"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dicentang oleh"),
    )
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    seed_key = models.CharField(_("kunci butir bawaan"), max_length=40, blank=True)

    class Meta:
        ordering = ["agency__name", "order", "pk"]
        verbose_name = _("butir kesiapan instansi")
        verbose_name_plural = _("butir kesiapan instansi")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "seed_key"],
                condition=~models.Q(seed_key=""),
                name="uniq_readiness_seed_key",
            ),
        ]

    def __str__(self) -> str:
        return self.text
