from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    RENDAH = "rendah", _("Rendah")
    SEDANG = "sedang", _("Sedang")
    TINGGI = "tinggi", _("Tinggi")
    KRITIS = "kritis", _("Kritis")


SEVERITY_RANK = {Severity.RENDAH: 0, Severity.SEDANG: 1, Severity.TINGGI: 2, Severity.KRITIS: 3}


class State(models.TextChoices):
    DITERIMA = "diterima", _("Diterima")
    DIVERIFIKASI = "diverifikasi", _("Diverifikasi")
    DITOLAK = "ditolak", _("Ditolak")
    DITINDAKLANJUTI = "ditindaklanjuti", _("Ditindaklanjuti")
    SELESAI = "selesai", _("Selesai")
    DIGABUNG = "digabung", _("Digabung")


OPEN_STATES = (State.DITERIMA, State.DIVERIFIKASI, State.DITINDAKLANJUTI)


class Channel(models.TextChoices):
    FIELD = "field", _("Formulir lapangan")
    API = "api", _("API")
    WEB = "web", _("Ruang situasi")
    PUBLIC = "public", _("Formulir publik")
    TELEGRAM = "telegram", _("Telegram")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")


class EventKind(models.TextChoices):
    CREATED = "created", _("Laporan masuk")
    STATE = "state", _("Perubahan status")
    ASSIGNED = "assigned", _("Ditugaskan")
    SHARED = "shared", _("Dibagikan")
    NOTE = "note", _("Catatan")
    MEDIA = "media", _("Lampiran")
    MERGED = "merged", _("Duplikat digabung")
    ESCALATED = "escalated", _("Eskalasi")
