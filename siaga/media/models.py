"""Social-media monitoring: sources, posts with their scores, known debunks, narratives,
the analysts' decisions and actions, and spike alerts.

A ``Post`` is stored once per (platform, external id), whatever the connector that brought it
(file, RSS feed, crawler webhook, platform connector). At ingestion it is normalised, scored by
the text model (one calibrated score per TP3D label), matched against the ``Debunk`` database,
grouped into a ``Narrative`` (near-duplicates of one message) and tagged with the places of the
regency it mentions; its ``risk`` (score × reach × local relevance) orders the triage queue.
The scope of a post is its region: the most specific place it mentions, else its source's region.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from siaga.media.choices import (
    ActionKind,
    AlertKind,
    EventKind,
    Platform,
    ReviewStatus,
    SourceKind,
    Verdict,
)
from siaga.wilayah.models import Region


class Source(models.Model):
    """Where posts come from: a file import, a news feed, a crawler pushing to the webhook, or a
    platform connector configured in settings."""

    name = models.CharField(_("nama"), max_length=120)
    slug = models.SlugField(_("kode"), max_length=60, unique=True)
    kind = models.CharField(_("jenis"), max_length=10, choices=SourceKind.choices)
    platform = models.CharField(
        _("platform"), max_length=12, choices=Platform.choices, default=Platform.NEWS
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah")
    )
    url = models.URLField(_("alamat umpan"), max_length=500, blank=True)
    connector = models.CharField(
        _("konektor"),
        max_length=40,
        blank=True,
        help_text=_("Nama konektor di SIAGA_MEDIA_CONNECTORS (untuk jenis konektor)."),
    )
    webhook_secret = models.CharField(
        _("rahasia webhook"),
        max_length=128,
        blank=True,
        help_text=_("Kunci HMAC yang dipakai perayap untuk menandatangani kirimannya."),
    )
    poll_minutes = models.PositiveIntegerField(_("selang tarik (menit)"), default=30)
    active = models.BooleanField(_("aktif"), default=True)
    last_polled_at = models.DateTimeField(_("terakhir ditarik"), null=True, blank=True)
    last_error = models.TextField(_("galat terakhir"), blank=True)
    cursor = models.CharField(_("penanda"), max_length=200, blank=True)  # ETag / Last-Modified

    class Meta:
        ordering = ["name"]
        verbose_name = _("sumber")
        verbose_name_plural = _("sumber")

    def __str__(self) -> str:
        return self.name


class Debunk(models.Model):
    """A claim already checked (MAFINDO/TurnBackHoax, Kominfo, KPU, a local clarification)."""

    claim = models.TextField(_("klaim"))
    verdict = models.CharField(_("putusan"), max_length=16, choices=Verdict.choices)
    date = models.DateField(_("tanggal"))
    source_url = models.URLField(_("tautan klarifikasi"), max_length=500, blank=True)
    category = models.CharField(_("kategori"), max_length=80, blank=True)
    explanation = models.TextField(_("penjelasan"), blank=True)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("wilayah"),
        help_text=_("Kosong untuk klarifikasi nasional."),
    )
    active = models.BooleanField(_("aktif"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("klarifikasi hoaks")
        verbose_name_plural = _("klarifikasi hoaks")
        indexes = [models.Index(fields=["source_url"])]

    def __str__(self) -> str:
        return self.claim[:80]


class Narrative(models.Model):
    """Near-duplicates of one message: its leader's signature, when it was seen, its reach."""

    title = models.CharField(_("judul"), max_length=200)
    signature = models.BinaryField(editable=False)
    first_seen = models.DateTimeField(_("pertama terlihat"), db_index=True)
    last_seen = models.DateTimeField(_("terakhir terlihat"), db_index=True)
    post_count = models.PositiveIntegerField(_("unggahan"), default=0)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("wilayah"),
    )
    debunk = models.ForeignKey(
        Debunk, on_delete=models.SET_NULL, null=True, blank=True, related_name="narratives"
    )
    peak_risk = models.FloatField(_("risiko tertinggi"), default=0.0)

    class Meta:
        ordering = ["-last_seen", "-pk"]
        verbose_name = _("narasi")
        verbose_name_plural = _("narasi")

    def __str__(self) -> str:
        return self.title


class Post(models.Model):
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="posts", verbose_name=_("sumber")
    )
    platform = models.CharField(_("platform"), max_length=12, choices=Platform.choices)
    external_id = models.CharField(_("ID di platform"), max_length=200)
    author = models.CharField(_("akun"), max_length=200, blank=True)
    author_official = models.BooleanField(_("akun resmi"), default=False)
    text = models.TextField(_("teks"))
    url = models.URLField(_("tautan"), max_length=1000, blank=True)
    language = models.CharField(_("bahasa"), max_length=8, default="id")
    posted_at = models.DateTimeField(_("waktu unggah"), db_index=True)
    ingested_at = models.DateTimeField(_("diterima"), auto_now_add=True)
    likes = models.PositiveIntegerField(_("suka"), default=0)
    shares = models.PositiveIntegerField(_("bagikan"), default=0)
    replies = models.PositiveIntegerField(_("balasan"), default=0)
    media_urls = models.JSONField(_("tautan media"), default=list, blank=True)
    parent_external_id = models.CharField(_("membalas"), max_length=200, blank=True)

    # what the machine found
    scores = models.JSONField(_("skor"), default=dict)  # label -> calibrated probability
    labels = models.JSONField(_("label model"), default=list)  # labels over their threshold
    # the same labels as "|hoaks|sara|", so that every database can filter on one label
    label_key = models.CharField(max_length=120, blank=True, db_index=True)
    model_version = models.CharField(_("versi model"), max_length=40, blank=True)
    risk = models.FloatField(_("risiko"), default=0.0, db_index=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah")
    )
    places = models.JSONField(_("tempat disebut"), default=list, blank=True)  # region codes
    debunk = models.ForeignKey(
        Debunk,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("klarifikasi cocok"),
    )
    debunk_score = models.FloatField(_("kemiripan klarifikasi"), null=True, blank=True)
    narrative = models.ForeignKey(
        Narrative,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("narasi"),
    )

    # what the analysts decided
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ReviewStatus.choices,
        default=ReviewStatus.NEW,
        db_index=True,
    )
    # the analysts' finding (hoaks, bukan_hoaks, tidak_terverifikasi), kept when the post moves
    # on to ditindaklanjuti and selesai
    verdict = models.CharField(_("hasil pemeriksaan"), max_length=20, blank=True, db_index=True)
    analyst_labels = models.JSONField(
        _("label analis"), null=True, blank=True
    )  # None: not reviewed; a list (maybe empty) becomes training data
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ditinjau oleh"),
    )
    reviewed_at = models.DateTimeField(_("ditinjau"), null=True, blank=True)

    class Meta:
        ordering = ["-risk", "-posted_at", "-pk"]
        verbose_name = _("unggahan")
        verbose_name_plural = _("unggahan")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "external_id"], name="uniq_post_platform_external_id"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-risk"]),
            models.Index(fields=["region", "posted_at"]),
            models.Index(fields=["narrative", "posted_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.external_id}"

    @property
    def region_code(self) -> str:
        return self.region_id

    @property
    def reach(self) -> int:
        return self.likes + self.shares + self.replies


class PostEvent(models.Model):
    """One step of a post's review: a status change, an action, labels set, a debunk linked."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("waktu"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("jenis"), max_length=10, choices=EventKind.choices)
    status_from = models.CharField(max_length=20, blank=True)
    status_to = models.CharField(max_length=20, blank=True)
    action = models.CharField(
        pgettext_lazy("post event", "tindakan"),
        max_length=20,
        choices=ActionKind.choices,
        blank=True,
    )
    note = models.TextField(_("catatan"), blank=True)
    link = models.URLField(_("tautan"), max_length=1000, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("riwayat unggahan")
        verbose_name_plural = _("riwayat unggahan")

    def __str__(self) -> str:
        return f"{self.post_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class IngestBatch(models.Model):
    """One delivery of posts (a file, a feed poll, a webhook call) and what became of it."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="batches")
    created_at = models.DateTimeField(_("diterima"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received = models.PositiveIntegerField(_("diterima"), default=0)
    stored = models.PositiveIntegerField(_("disimpan"), default=0)
    updated = models.PositiveIntegerField(_("diperbarui"), default=0)
    rejected = models.PositiveIntegerField(_("ditolak"), default=0)
    errors = models.JSONField(_("galat"), default=list, blank=True)  # [{row, field, message}]
    seconds = models.FloatField(_("durasi (detik)"), default=0.0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("kiriman unggahan")
        verbose_name_plural = _("kiriman unggahan")

    def __str__(self) -> str:
        return f"{self.source_id} {self.created_at:%Y-%m-%d %H:%M}"


class MediaAlert(models.Model):
    """A spike: a narrative growing fast, or a place suddenly named with hate or provocation."""

    kind = models.CharField(_("jenis"), max_length=10, choices=AlertKind.choices)
    narrative = models.ForeignKey(
        Narrative, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah")
    )
    fired_at = models.DateTimeField(_("waktu"), db_index=True)
    observed = models.PositiveIntegerField(_("teramati"))
    expected = models.FloatField(_("biasanya"))
    p_value = models.FloatField(_("nilai p"))
    reason = models.CharField(_("alasan"), max_length=300)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("diterima"), null=True, blank=True)

    class Meta:
        ordering = ["-fired_at", "-pk"]
        verbose_name = _("peringatan media")
        verbose_name_plural = _("peringatan media")

    def __str__(self) -> str:
        return self.reason

    @property
    def region_code(self) -> str:
        return self.region_id
