"""The voter roll (DPT), its imports, and the suspected double registrations found in it.

A ``DptImport`` is one uploaded file and the background job that reads it: valid rows become
``Voter`` rows, invalid ones are kept apart as ``RejectedRow`` with the reasons, never dropped.
A ``LinkageRun`` scores the stored roll with the linkage engine (``siaga.engines.linkage``) and
leaves ``DuplicatePair`` rows for analysts to confirm or dismiss. ``VoterCheck`` records every
question a field officer asked at a TPS ("is this NIK on the roll?"), for the audit and for the
alert when the same NIK is checked at two TPS on voting day.

NIK and NKK are personal data (UU PDP): pages and exports mask them unless the user may see
them (``Action.VIEW_PERSONAL``), and they are never logged.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from siaga.wilayah.models import Region, Tps


class JobStatus(models.TextChoices):
    QUEUED = "antri", _("Antre")
    RUNNING = "berjalan", _("Berjalan")
    DONE = "selesai", pgettext_lazy("job status", "Selesai")
    FAILED = "gagal", _("Gagal")


class Sex(models.TextChoices):
    MALE = "L", pgettext_lazy("sex", "Laki-laki")
    FEMALE = "P", pgettext_lazy("sex", "Perempuan")


class MaritalStatus(models.TextChoices):
    NEVER = "B", _("Belum kawin")
    MARRIED = "S", _("Sudah kawin")
    WAS_MARRIED = "P", _("Pernah kawin")


class DuplicateClass(models.TextChoices):
    """KPU's classes of suspected duplicates, kept so KPU and Bawaslu read the same words."""

    K1 = "K1", _("K1 — identitas sama, alamat berbeda")
    K2 = "K2", _("K2 — NIK sama, identitas berbeda (kesalahan data)")
    K3 = "K3", _("K3 — identitas mirip")


class PairStatus(models.TextChoices):
    SUSPECTED = "diduga", _("Diduga")
    CONFIRMED = "terkonfirmasi", _("Terkonfirmasi")
    DISMISSED = "ditolak", _("Bukan ganda")


class BackgroundJob(models.Model):
    """What every background job records for its page: status, who started it, when, and why
    it failed."""

    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    error = models.TextField(_("galat"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("oleh"),
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    started_at = models.DateTimeField(_("mulai"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        abstract = True


class DptImport(BackgroundJob):
    """One uploaded DPT file and the job that reads it (status and progress for the page).

    ``sha256`` identifies the file's content: importing the same file again changes nothing.
    ``scope_code`` is the region the importer chose (a regency or kecamatan); every row must
    lie under it.
    """

    file_name = models.CharField(_("nama berkas"), max_length=255)
    stored_path = models.CharField(_("berkas tersimpan"), max_length=500, blank=True)
    sha256 = models.CharField(_("sidik berkas"), max_length=64, db_index=True)
    scope_code = models.CharField(_("wilayah"), max_length=13)
    rows_total = models.PositiveIntegerField(_("baris dalam berkas"), null=True, blank=True)
    rows_read = models.PositiveIntegerField(_("baris terbaca"), default=0)
    rows_accepted = models.PositiveIntegerField(_("baris diterima"), default=0)
    rows_rejected = models.PositiveIntegerField(_("baris ditolak"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("baris tidak berubah"), default=0)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("impor DPT")
        verbose_name_plural = _("impor DPT")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class Voter(models.Model):
    """One registered voter (a DPT row), placed at a TPS.

    ``voter_id`` is the file's ``id`` column (or one derived from the NIK when the file has
    none); a re-import updates the row with the same ``voter_id``. A row repeating another's NIK
    *and* identity (name, birth date) is rejected at import as an exact duplicate; the same NIK
    on another identity is kept, and becomes a K2 pair (a data error for KPU to correct).
    """

    voter_id = models.CharField(_("id pemilih"), max_length=64, unique=True)
    nik = models.CharField(_("NIK"), max_length=16, db_index=True)
    nkk = models.CharField(_("NKK"), max_length=16, blank=True, db_index=True)
    name = models.CharField(_("nama"), max_length=200)
    birth_place = models.CharField(_("tempat lahir"), max_length=120, blank=True)
    birth_date = models.DateField(_("tanggal lahir"))
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices)
    marital_status = models.CharField(
        _("status perkawinan"), max_length=1, choices=MaritalStatus.choices, blank=True
    )
    address = models.CharField(_("alamat"), max_length=255, blank=True)
    rt = models.CharField(_("RT"), max_length=5, blank=True)
    rw = models.CharField(_("RW"), max_length=5, blank=True)
    desa = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="voters", verbose_name=_("desa/kelurahan")
    )
    tps = models.ForeignKey(
        Tps, on_delete=models.PROTECT, related_name="voters", verbose_name=_("TPS")
    )
    disability = models.CharField(_("disabilitas"), max_length=60, blank=True)
    source = models.ForeignKey(
        DptImport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="voters",
        verbose_name=_("impor"),
    )
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    class Meta:
        ordering = ["tps_id", "name", "pk"]
        verbose_name = _("pemilih")
        verbose_name_plural = _("pemilih (DPT)")
        indexes = [models.Index(fields=["desa", "tps"], name="voter_desa_tps")]

    def __str__(self) -> str:
        return f"{self.voter_id} {self.name}"


class RejectedRow(models.Model):
    """A row of an import that failed validation, kept with its reasons for correction.

    ``values`` is the row as read (header → text); ``errors`` a list of
    ``{"field": ..., "code": ..., "message": ...}``.
    """

    dpt_import = models.ForeignKey(
        DptImport, on_delete=models.CASCADE, related_name="rejected", verbose_name=_("impor")
    )
    sheet = models.CharField(_("lembar"), max_length=100, blank=True)
    row_number = models.PositiveIntegerField(_("baris"))
    values = models.JSONField(_("isi baris"), default=dict)
    errors = models.JSONField(_("alasan"), default=list)

    class Meta:
        ordering = ["dpt_import_id", "sheet", "row_number"]
        verbose_name = _("baris ditolak")
        verbose_name_plural = _("baris ditolak")

    def __str__(self) -> str:
        return f"{self.sheet or '-'}:{self.row_number}"


class LinkageRun(BackgroundJob):
    """One run of the double-registration search over the stored roll (a background job)."""

    threshold = models.FloatField(_("ambang"))
    voters = models.PositiveIntegerField(_("pemilih dinilai"), default=0)
    pairs_found = models.PositiveIntegerField(_("pasangan ditemukan"), default=0)
    progress = models.CharField(_("kemajuan"), max_length=200, blank=True)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("pencarian pemilih ganda")
        verbose_name_plural = _("pencarian pemilih ganda")

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_status_display()})"


class DuplicatePair(models.Model):
    """Two voter rows the engine thinks are one person (or, for K2, share one NIK by error).

    ``voter_l`` has the smaller pk. ``evidence`` keeps the engine's per-field levels and Bayes
    factors and its "why". A later run updates the score of a pair still under review and leaves
    decided pairs as decided.
    """

    voter_l = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="+")
    voter_r = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(
        LinkageRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="pairs"
    )
    probability = models.FloatField(_("peluang"))
    match_weight = models.FloatField(_("bobot"), default=0.0)
    klass = models.CharField(_("kelas"), max_length=2, choices=DuplicateClass.choices)
    evidence = models.JSONField(_("bukti"), default=dict)
    status = models.CharField(
        _("status"), max_length=15, choices=PairStatus.choices, default=PairStatus.SUSPECTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diputuskan oleh"),
    )
    decided_at = models.DateTimeField(_("diputuskan"), null=True, blank=True)
    note = models.TextField(_("catatan"), blank=True)
    created_at = models.DateTimeField(_("ditemukan"), auto_now_add=True)

    class Meta:
        ordering = ["-probability", "pk"]
        verbose_name = _("dugaan pemilih ganda")
        verbose_name_plural = _("dugaan pemilih ganda")
        constraints = [
            models.UniqueConstraint(fields=["voter_l", "voter_r"], name="uniq_duplicate_pair"),
            models.CheckConstraint(
                condition=models.Q(voter_l__lt=models.F("voter_r")), name="duplicate_pair_order"
            ),
        ]
        indexes = [models.Index(fields=["status", "-probability"], name="dup_status_prob")]

    def __str__(self) -> str:
        return f"{self.voter_l_id}~{self.voter_r_id} {self.klass} {self.probability:.3f}"


class VoterCheck(models.Model):
    """One "is this NIK on the roll?" asked at a TPS; the NIK itself is kept only as a keyed hash.

    ``nik_hash`` is an HMAC of the NIK with the site's secret, enough to find the same NIK checked
    at two TPS without storing it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("oleh")
    )
    tps = models.ForeignKey(
        Tps,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("TPS"),
    )
    nik_hash = models.CharField(_("sidik NIK"), max_length=64, db_index=True)
    voter = models.ForeignKey(
        Voter, on_delete=models.SET_NULL, null=True, blank=True, related_name="checks"
    )
    result = models.CharField(_("hasil"), max_length=20)
    checked_at = models.DateTimeField(_("waktu"), db_index=True)

    class Meta:
        ordering = ["-checked_at", "-pk"]
        verbose_name = _("cek pemilih")
        verbose_name_plural = _("cek pemilih")

    def __str__(self) -> str:
        return f"{self.checked_at:%Y-%m-%d %H:%M} {self.result}"
