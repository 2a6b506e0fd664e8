"""Agencies of the TP3D, their users with a role and a region scope, and API tokens."""

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from siaga.accounts.choices import AgencyKind, Role


class Agency(models.Model):
    """A member agency of the TP3D (Kesbangpol, Polres, Kodim, KPU, Bawaslu, Kejari, ...)."""

    code = models.SlugField(_("kode"), max_length=30, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=20, choices=AgencyKind.choices)
    region = models.ForeignKey(
        "wilayah.Region",
        on_delete=models.PROTECT,
        related_name="agencies",
        verbose_name=_("wilayah"),
    )
    head = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("pimpinan instansi"),
        help_text=_("Menerima eskalasi bila tindak lanjut instansi melewati batas waktu."),
    )
    telegram_chat_id = models.CharField(
        _("ID grup Telegram"),
        max_length=40,
        blank=True,
        help_text=_("Grup Telegram instansi yang menerima pemberitahuan."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("instansi")
        verbose_name_plural = _("instansi")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person (or a machine client) of an agency, with one role and a region scope.

    The scope lists regions (the regency, some kecamatan or some desa); the user sees and acts on
    what lies in or under them. Field monitors may further be tied to individual TPS.
    """

    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("instansi"),
    )
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices, default=Role.LIAISON)
    scope_regions = models.ManyToManyField(
        "wilayah.Region", blank=True, related_name="+", verbose_name=_("cakupan wilayah")
    )
    assigned_tps = models.ManyToManyField(
        "wilayah.Tps", blank=True, related_name="+", verbose_name=_("TPS yang ditugaskan")
    )
    phone = models.CharField(_("nomor telepon"), max_length=30, blank=True)
    telegram_chat_id = models.CharField(_("ID chat Telegram"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token for a machine client; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nama"), max_length=100)
    prefix = models.CharField(_("awalan"), max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    expires_at = models.DateTimeField(_("kedaluwarsa"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    revoked = models.BooleanField(_("dicabut"), default=False)

    class Meta:
        verbose_name = _("token API")
        verbose_name_plural = _("token API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
