"""Notifications: one message to one person, and its deliveries through each channel.

The in-app inbox is the notification row itself. Other channels (email, Telegram) get a
``Delivery`` row each, sent by ``siaga notify send`` with retries, so a channel that is down
loses nothing: the row waits and says why it failed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one person: it is the in-app inbox entry, and the source of deliveries."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("jenis"), max_length=40)
    title = models.CharField(_("judul"), max_length=200)
    body = models.TextField(_("isi"), blank=True)
    url = models.CharField(_("tautan"), max_length=300, blank=True)
    urgent = models.BooleanField(_("mendesak"), default=False)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("dibuat"))
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One notification (or one group message) to send through one outside channel."""

    class Status(models.TextChoices):
        PENDING = "pending", _("menunggu")
        SENT = "sent", _("terkirim")
        FAILED = "failed", _("gagal")

    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("kanal"), max_length=20)
    address = models.CharField(_("alamat"), max_length=200)  # email address or chat id
    subject = models.CharField(_("judul"), max_length=200)
    body = models.TextField(_("isi"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # Held back until then by the recipient's quiet hours (None: as soon as it is due).
    not_before = models.DateTimeField(_("tidak sebelum"), null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("pengiriman notifikasi")
        verbose_name_plural = _("pengiriman notifikasi")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.channel}:{self.address}"


class NotificationPreference(models.Model):
    """How one person wants to be reached outside the inbox (the inbox always gets everything).

    Made on first use with everything on; ``notify`` reads it and never writes it. Lists rather
    than one column per channel, because channels are pluggable: a channel a deployment adds
    later is on for everyone until they turn it off.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    channels_off = models.JSONField(_("kanal dimatikan"), default=list, blank=True)
    muted_kinds = models.JSONField(_("jenis dibisukan"), default=list, blank=True)
    # Local time of the deployment (SIAGA_TIME_ZONE); start > end wraps midnight (22:00-06:00).
    quiet_start = models.TimeField(_("jam tenang mulai"), null=True, blank=True)
    quiet_end = models.TimeField(_("jam tenang selesai"), null=True, blank=True)
    urgent_ignores_quiet = models.BooleanField(
        _("pesan mendesak tetap dikirim saat jam tenang"), default=True
    )
    updated_at = models.DateTimeField(_("diubah"), null=True, blank=True)

    class Meta:
        verbose_name = _("preferensi notifikasi")
        verbose_name_plural = _("preferensi notifikasi")

    def __str__(self) -> str:
        return f"{self.user_id}"
