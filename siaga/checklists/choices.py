from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    """The moments of a TPS's election, each with its own checklist (in this order)."""

    H_MINUS_1 = "h_minus_1", _("Sehari sebelum (H-1)")
    OPENING = "opening", _("Pembukaan TPS")
    VOTING = "voting", _("Pemungutan suara")
    COUNTING = "counting", _("Penutupan dan penghitungan")
    AFTER = "after", _("Pasca penghitungan")


PHASE_ORDER: dict[str, int] = {phase.value: n for n, phase in enumerate(Phase)}


class ItemKind(models.TextChoices):
    """How one item of a checklist is answered."""

    YES_NO = "yes_no", _("Ya/Tidak")
    NUMBER = "number", _("Angka")
    TEXT = "text", _("Teks")
    TIME = "time", _("Jam (JJ:MM)")
    PHOTO = "photo", _("Foto")


class Channel(models.TextChoices):
    FIELD = "field", _("Aplikasi lapangan")
    API = "api", _("API")
    WEB = "web", _("Web")


class CheckState(models.TextChoices):
    """Where one TPS stands on one phase's checklist at a given moment."""

    SUBMITTED = "submitted", _("Terkirim tepat waktu")
    LATE = "late", _("Terlambat")
    MISSING = "missing", _("Belum dikirim (lewat tenggat)")
    NOT_YET_DUE = "not_yet_due", _("Belum jatuh tempo")
