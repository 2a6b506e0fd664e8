from django import forms
from django.utils.translation import gettext_lazy as _

from siaga.checklists.choices import CheckState, Phase

STATE_CHOICES = [
    ("", _("Belum dikirim dan terlambat")),
    (CheckState.MISSING, CheckState.MISSING.label),
    (CheckState.LATE, CheckState.LATE.label),
]


class StatusFilterForm(forms.Form):
    """Filters of the checklist page: phase, kecamatan (of the user's scope) and state."""

    phase = forms.ChoiceField(
        label=_("Tahap"), required=False, choices=[("", _("Semua tahap")), *Phase.choices]
    )
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False)
    state = forms.ChoiceField(label=_("Keadaan"), required=False, choices=STATE_CHOICES)

    def __init__(self, *args, kecamatan_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kecamatan"].choices = [("", _("Semua kecamatan")), *kecamatan_choices]
