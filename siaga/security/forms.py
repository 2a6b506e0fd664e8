"""The form that asks for a plan: where, what to call it, which units to withdraw (what-if),
which plan it varies, and how long the solver may take.

The choices are built from what the user may see and plan for, so a region or unit outside the
scope is simply not a valid choice.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from siaga.security.services import MAX_TIME_LIMIT_S


class PlanForm(forms.Form):
    region = forms.ChoiceField(label=_("Wilayah rencana"))
    name = forms.CharField(
        label=_("Nama rencana"),
        max_length=200,
        required=False,
        help_text=_("Kosongkan untuk nama otomatis."),
    )
    withdrawn = forms.TypedMultipleChoiceField(
        label=_("Satuan yang ditarik (simulasi)"),
        coerce=int,
        required=False,
        help_text=_("Pilih satuan yang tidak tersedia untuk melihat dampaknya."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    based_on = forms.TypedChoiceField(
        label=_("Berdasarkan rencana"), coerce=int, required=False, empty_value=None
    )
    time_limit_s = forms.FloatField(
        label=_("Batas waktu hitung (detik)"),
        min_value=1,
        max_value=MAX_TIME_LIMIT_S,
        initial=10,
    )

    def __init__(self, *args, regions=(), units=(), plans=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = list(regions)
        self.fields["withdrawn"].choices = list(units)
        self.fields["based_on"].choices = [("", _("— tidak ada —")), *plans]
