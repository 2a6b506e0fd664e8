"""The closed vocabularies of the watch after the vote."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WatchKind(models.TextChoices):
    """What a scheduled post-vote event is; each draws crowds, witnesses and tension."""

    REKAP_PPK = "rekap_ppk", _("Rekapitulasi PPK (kecamatan)")
    REKAP_KPU = "rekap_kpu", _("Rekapitulasi KPU kabupaten/kota")
    PENETAPAN = "penetapan", _("Penetapan hasil")
    SENGKETA_MK = "sengketa_mk", _("Masa pengajuan sengketa ke MK")
    LAINNYA = "lainnya", _("Lainnya")


class Permit(models.TextChoices):
    """Whether the police were notified of a gathering (Surat Tanda Terima Pemberitahuan)."""

    ADA = "ada", _("Ada")
    DIAJUKAN = "diajukan", _("Diajukan")
    TIDAK_ADA = "tidak_ada", _("Tidak ada")


class GatheringStatus(models.TextChoices):
    RENCANA = "rencana", pgettext_lazy("gathering status", "Rencana")
    BERLANGSUNG = "berlangsung", _("Berlangsung")
    SELESAI = "selesai", pgettext_lazy("gathering status", "Selesai")
    DIBATALKAN = "dibatalkan", _("Dibatalkan")


ACTIVE_GATHERING = (GatheringStatus.RENCANA, GatheringStatus.BERLANGSUNG)


class RevoteStatus(models.TextChoices):
    DIPERINTAHKAN = "diperintahkan", _("Diperintahkan")
    DILAKSANAKAN = "dilaksanakan", _("Dilaksanakan")
    DIBATALKAN = "dibatalkan", _("Dibatalkan")


class EntrySource(models.TextChoices):
    """Where an entry of the watch calendar comes from."""

    WATCH = "watch", _("Titik rawan")
    GATHERING = "gathering", _("Unjuk rasa / pengerahan massa")
    REVOTE = "revote", _("PSU")
