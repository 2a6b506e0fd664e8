"""The archive of daily situation reports (laporan situasi harian).

One report per day and regency: the HTML, PDF and XLSX files as they were generated, with every
number they show (``figures``) and the head of the audit hash chain at that moment, so that every
agency holding a copy holds the evidence of the state it describes. Regenerating a day replaces
its row (the replacement is audited).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SituationReport(models.Model):
    """The situation report of one day for one regency, as generated and distributed.

    ``generated_by`` is empty for the scheduled report; ``audit_head`` is the hash of the
    latest audit event when the report was generated (``figures["audit"]`` has its number).
    The files live in the database: a report is a few hundred kilobytes and must survive with
    the data it certifies (one backup holds both).
    """

    day = models.DateField(_("tanggal"))
    region = models.ForeignKey(
        "wilayah.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("kabupaten/kota"),
    )
    generated_at = models.DateTimeField(_("dibuat"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dibuat oleh"),
    )
    figures = models.JSONField(_("angka laporan"), default=dict)
    html = models.TextField(_("HTML"))
    pdf = models.BinaryField(_("PDF"))
    xlsx = models.BinaryField(_("XLSX"))
    audit_head = models.CharField(_("kepala rantai audit"), max_length=64)
    distributed_at = models.DateTimeField(_("disebarkan"), null=True, blank=True)

    class Meta:
        ordering = ["-day", "region_id"]
        verbose_name = _("laporan situasi harian")
        verbose_name_plural = _("laporan situasi harian")
        constraints = [
            models.UniqueConstraint(fields=["day", "region"], name="reports_one_per_day_region")
        ]

    def __str__(self) -> str:
        return f"Laporan situasi {self.region_id} {self.day:%Y-%m-%d}"
