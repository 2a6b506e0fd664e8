"""Models shared by every module: the deployment row kept in the database, and the audit log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Deployment(models.Model):
    """The one row describing this installation: which regency it watches and its election clock.

    ``clock_offset_seconds`` shifts "now" for the whole system (see ``siaga.core.clock``), so a
    demo or an exercise can run as if it were a few days before voting day.
    """

    regency = models.ForeignKey(
        "wilayah.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("kabupaten/kota"),
    )
    election_name = models.CharField(_("nama pemilihan"), max_length=200)
    voting_day = models.DateField(_("hari pemungutan suara"))
    clock_offset_seconds = models.BigIntegerField(_("geseran jam (detik)"), default=0)

    class Meta:
        verbose_name = _("penyelenggaraan")
        verbose_name_plural = _("penyelenggaraan")

    def __str__(self) -> str:
        return f"{self.election_name} ({self.regency_id})"


class AuditEvent(models.Model):
    """One append-only, hash-chained entry of the audit trail.

    ``hash`` covers every other field and ``prev_hash``, so that editing, deleting or inserting a
    row breaks the chain; ``siaga audit verify`` walks it. Rows are only ever written by
    ``siaga.core.audit.audit_record``.
    """

    seq = models.BigIntegerField(_("nomor urut"), unique=True)
    created_at = models.DateTimeField(_("waktu"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("pelaku"), max_length=150)
    source_ip = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)
    channel = models.CharField(_("kanal"), max_length=20)
    action = models.CharField(_("tindakan"), max_length=40)
    object_type = models.CharField(_("jenis objek"), max_length=60)
    object_id = models.CharField(_("id objek"), max_length=64)
    object_repr = models.CharField(_("objek"), max_length=200)
    region_code = models.CharField(_("kode wilayah"), max_length=13, blank=True)
    before = models.JSONField(_("sebelum"), null=True, blank=True)
    after = models.JSONField(_("sesudah"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("jejak audit")
        verbose_name_plural = _("jejak audit")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"
