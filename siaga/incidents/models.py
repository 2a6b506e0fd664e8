"""Incident reports (laporan kejadian) from every channel, their attachments and their timeline.

Every channel (field form, API, public form, Telegram, SMS, WhatsApp) lands in the one
``Incident`` table through ``siaga.incidents.services.incident_submit``; a client-chosen
idempotency key makes retries land once. The scope of an incident is its desa's region code.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from siaga.accounts.choices import AgencyKind
from siaga.incidents.choices import Channel, EventKind, Severity, State


class Category(models.Model):
    """One kind of incident (intimidasi, politik uang, ...), kept as data an administrator edits.

    ``routes_to`` lists agency kinds (comma-separated, e.g. ``bawaslu,polri``) a new report of
    this kind is shared with at once; ``keywords`` are the words SMS and Telegram reporters may
    write for it (``POLITIK UANG``, ``MONEY POLITIK``, ``AMPLOP``).
    """

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    description = models.TextField(_("keterangan"), blank=True)
    default_severity = models.CharField(
        _("tingkat bawaan"), max_length=10, choices=Severity.choices, default=Severity.SEDANG
    )
    routes_to = models.CharField(
        _("dibagikan ke jenis instansi"),
        max_length=200,
        blank=True,
        help_text=_("Jenis instansi, dipisah koma: %(kinds)s")
        % {"kinds": ", ".join(AgencyKind.values)},
    )
    keywords = models.CharField(
        _("kata kunci SMS/Telegram"), max_length=300, blank=True, help_text=_("Dipisah koma.")
    )
    sort_order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("kategori kejadian")
        verbose_name_plural = _("kategori kejadian")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name in the user's language (the seeded names are in the catalogue)."""
        return gettext(self.name)

    @property
    def route_kinds(self) -> list[str]:
        return [kind.strip() for kind in self.routes_to.split(",") if kind.strip()]

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip().upper() for word in self.keywords.split(",") if word.strip()]


class Incident(models.Model):
    ticket = models.CharField(_("nomor tiket"), max_length=12, unique=True)
    channel = models.CharField(_("kanal"), max_length=12, choices=Channel.choices)
    idempotency_key = models.CharField(_("kunci idempoten"), max_length=80, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("kategori")
    )
    description = models.TextField(_("uraian"))
    occurred_at = models.DateTimeField(_("waktu kejadian"))
    received_at = models.DateTimeField(_("waktu diterima"))
    phase = models.CharField(_("tahap"), max_length=20, blank=True)
    region = models.ForeignKey(
        "wilayah.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("desa")
    )
    tps = models.ForeignKey(
        "wilayah.Tps",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("TPS"),
    )
    lat = models.FloatField(_("lintang"), null=True, blank=True)
    lon = models.FloatField(_("bujur"), null=True, blank=True)
    severity = models.CharField(_("tingkat"), max_length=10, choices=Severity.choices)
    people_involved = models.TextField(_("pihak terlibat"), blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("pelapor"),
    )
    anonymous = models.BooleanField(_("anonim"), default=False)
    reporter_name = models.CharField(_("nama pelapor"), max_length=120, blank=True)
    reporter_contact = models.CharField(_("kontak pelapor"), max_length=120, blank=True)
    state = models.CharField(
        _("status"), max_length=16, choices=State.choices, default=State.DITERIMA
    )
    state_changed_at = models.DateTimeField(_("status berubah"))
    reject_reason = models.TextField(_("alasan penolakan"), blank=True)
    outcome = models.TextField(_("hasil tindak lanjut"), blank=True)
    assigned_agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("instansi penindak"),
    )
    sla_due_at = models.DateTimeField(_("batas waktu"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("dieskalasi"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
        verbose_name=_("digabung ke"),
    )
    shared_with = models.ManyToManyField(
        "accounts.Agency", blank=True, related_name="+", verbose_name=_("dibagikan ke")
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("laporan kejadian")
        verbose_name_plural = _("laporan kejadian")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="incident_idempotency_unique",
            )
        ]
        indexes = [
            models.Index(fields=["state", "sla_due_at"]),
            models.Index(fields=["region", "received_at"]),
        ]

    def __str__(self) -> str:
        return self.ticket

    @property
    def region_code(self) -> str:
        return self.region_id


MEDIA_FOLDER = "incidents"  # every attachment of a report is stored under it


def _media_path(instance, filename: str) -> str:
    when = instance.incident.received_at
    return f"{MEDIA_FOLDER}/{when:%Y/%m}/{instance.sha256[:32]}.{instance.extension}"


class Media(models.Model):
    """A photo or a video attached to a report, checked and cleaned by ``siaga.core.media``."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="media")
    file = models.FileField(upload_to=_media_path)
    content_type = models.CharField(max_length=40)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("lampiran")
        verbose_name_plural = _("lampiran")

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.sha256[:8]}"


class Event(models.Model):
    """One line of an incident's timeline (the audit chain holds the same, tamper-evident)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("waktu"))
    kind = models.CharField(_("jenis"), max_length=12, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("pelaku"), max_length=150)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    note = models.TextField(_("catatan"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("riwayat laporan")
        verbose_name_plural = _("riwayat laporan")

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind}"


class MessagingConversation(models.Model):
    """Where a Telegram or WhatsApp reporter is in the guided conversation, and what they said."""

    channel = models.CharField(max_length=12, choices=Channel.choices)
    chat_id = models.CharField(max_length=64)
    step = models.CharField(max_length=20, default="start")
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "chat_id"], name="conversation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.chat_id}"


class ProcessedMessage(models.Model):
    """A webhook message already handled (Telegram update_id, SMS id): replays are ignored."""

    channel = models.CharField(max_length=12, choices=Channel.choices)
    message_id = models.CharField(max_length=100)
    received_at = models.DateTimeField()
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.SET_NULL)
    reply = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "message_id"], name="processed_message_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.message_id}"
