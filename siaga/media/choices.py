"""The words of the social-media module: platforms, labels, review statuses, actions."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Platform(models.TextChoices):
    X = "x", "X (Twitter)"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    TIKTOK = "tiktok", "TikTok"
    YOUTUBE = "youtube", "YouTube"
    WHATSAPP = "whatsapp", _("WhatsApp (diteruskan)")
    NEWS = "news", _("Situs berita")
    OTHER = "lainnya", _("Lainnya")


class Label(models.TextChoices):
    """The TP3D's categories; the classifier gives each a calibrated score."""

    HOAKS = "hoaks", _("Hoaks")
    UJARAN_KEBENCIAN = "ujaran_kebencian", _("Ujaran kebencian")
    SARA = "sara", "SARA"
    PROVOKASI = "provokasi", _("Provokasi / radikalisme")
    KASAR = "kasar", _("Kasar")
    POLITIK = "politik", _("Politik")


# Labels that make a post worth an analyst's time (politik alone does not).
HARMFUL = (Label.HOAKS, Label.UJARAN_KEBENCIAN, Label.SARA, Label.PROVOKASI, Label.KASAR)
# Labels whose mention of a place triggers the place-surge alert.
INFLAMMATORY = (Label.UJARAN_KEBENCIAN, Label.SARA, Label.PROVOKASI)


class ReviewStatus(models.TextChoices):
    NEW = "belum_ditinjau", _("Belum ditinjau")
    CHECKING = "sedang_diperiksa", _("Sedang diperiksa")
    HOAX = "hoaks", _("Hoaks terkonfirmasi")
    NOT_HOAX = "bukan_hoaks", _("Bukan hoaks")
    UNVERIFIABLE = "tidak_terverifikasi", _("Tidak dapat diverifikasi")
    ACTED = "ditindaklanjuti", _("Ditindaklanjuti")
    DONE = "selesai", pgettext_lazy("review status", "Selesai")


# Which status may follow which (the analyst workflow, after Meedan Check).
TRANSITIONS: dict[str, frozenset[str]] = {
    ReviewStatus.NEW: frozenset(
        {
            ReviewStatus.CHECKING,
            ReviewStatus.HOAX,
            ReviewStatus.NOT_HOAX,
            ReviewStatus.UNVERIFIABLE,
        }
    ),
    ReviewStatus.CHECKING: frozenset(
        {ReviewStatus.HOAX, ReviewStatus.NOT_HOAX, ReviewStatus.UNVERIFIABLE, ReviewStatus.NEW}
    ),
    ReviewStatus.HOAX: frozenset({ReviewStatus.ACTED, ReviewStatus.DONE, ReviewStatus.CHECKING}),
    ReviewStatus.NOT_HOAX: frozenset(
        {ReviewStatus.ACTED, ReviewStatus.DONE, ReviewStatus.CHECKING}
    ),
    ReviewStatus.UNVERIFIABLE: frozenset(
        {ReviewStatus.ACTED, ReviewStatus.DONE, ReviewStatus.CHECKING}
    ),
    ReviewStatus.ACTED: frozenset({ReviewStatus.DONE}),
    ReviewStatus.DONE: frozenset({ReviewStatus.CHECKING}),
}
VERDICTS = frozenset({ReviewStatus.HOAX, ReviewStatus.NOT_HOAX, ReviewStatus.UNVERIFIABLE})


class ActionKind(models.TextChoices):
    REPORT_PLATFORM = "lapor_platform", _("Dilaporkan ke platform")
    REPORT_KOMINFO = "lapor_kominfo", _("Dilaporkan ke Kominfo (aduankonten)")
    COUNTER_NARRATIVE = "kontra_narasi", _("Kontra-narasi diterbitkan")
    REFER_POLICE = "rujuk_polisi", _("Dirujuk ke kepolisian")


# Actions that need the link of what was published or filed.
ACTIONS_NEEDING_LINK = frozenset({ActionKind.COUNTER_NARRATIVE})


class Verdict(models.TextChoices):
    FALSE = "salah", _("Salah")
    MISLEADING = "menyesatkan", _("Menyesatkan")
    UNPROVEN = "tidak_terbukti", _("Tidak terbukti")
    TRUE = "benar", _("Benar")


class SourceKind(models.TextChoices):
    FILE = "file", _("Impor berkas (CSV / JSON Lines)")
    RSS = "rss", _("Umpan RSS/Atom")
    WEBHOOK = "webhook", _("Webhook perayap")
    API = "api", _("API (token mesin)")
    CONNECTOR = "connector", _("Konektor platform")


class EventKind(models.TextChoices):
    STATUS = "status", _("Status")
    ACTION = "action", _("Tindakan")
    LABELS = "labels", _("Label analis")
    DEBUNK = "debunk", _("Klarifikasi")
    NOTE = "note", _("Catatan")


class AlertKind(models.TextChoices):
    NARRATIVE_SPIKE = "narasi", _("Narasi tumbuh cepat")
    PLACE_SURGE = "wilayah", _("Wilayah mendadak disebut dengan kebencian/provokasi")
