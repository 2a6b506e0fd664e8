"""Forms of the situation-room incident pages: the list filters and the triage actions.

They only parse; the rules (who may move a report where, what a reason must say) live in
``siaga.incidents.services``, which names the field at fault when it refuses.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from siaga.core.calendar import PHASES
from siaga.incidents.choices import Severity, State
from siaga.incidents.models import Category

ALL = [("", _("Semua"))]


class IncidentFilterForm(forms.Form):
    """GET filters of the incident list and the live feed; every field is optional."""

    category = forms.ChoiceField(label=_("Kategori"), required=False)
    state = forms.ChoiceField(label=_("Status"), required=False, choices=ALL + State.choices)
    severity = forms.ChoiceField(label=_("Tingkat"), required=False, choices=ALL + Severity.choices)
    agency = forms.TypedChoiceField(label=_("Instansi"), required=False, coerce=int)
    phase = forms.ChoiceField(label=_("Tahap"), required=False)
    region = forms.ChoiceField(label=_("Wilayah"), required=False)
    open_only = forms.BooleanField(label=_("Hanya yang masih terbuka"), required=False)

    def __init__(self, *args, regions=(), agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = ALL + [
            (c.code, c.label) for c in Category.objects.filter(active=True)
        ]
        self.fields["phase"].choices = ALL + [(p.code, p.label) for p in PHASES]
        self.fields["region"].choices = ALL + list(regions)
        self.fields["agency"].choices = ALL + list(agencies)

    def selector_kwargs(self) -> dict:
        """The keyword arguments of ``selectors.incidents_filter`` (valid forms only)."""
        data = self.cleaned_data
        return {
            "category": data["category"],
            "state": data["state"],
            "severity": data["severity"],
            "agency": data["agency"] or None,
            "phase": data["phase"],
            "region": data["region"],
            "open_only": data["open_only"],
        }


class FeedForm(forms.Form):
    """The live feed: the list filters (not checked against choices: they only narrow what the
    user sees) plus the cursor ``since`` (ISO 8601; local time without an offset) and ``limit``.
    """

    category = forms.CharField(required=False, max_length=40)
    state = forms.CharField(required=False, max_length=16)
    severity = forms.CharField(required=False, max_length=10)
    agency = forms.IntegerField(required=False, min_value=1)
    phase = forms.CharField(required=False, max_length=20)
    region = forms.CharField(required=False, max_length=20)
    open_only = forms.BooleanField(required=False)
    since = forms.DateTimeField(label=_("Sejak"), required=False)
    limit = forms.IntegerField(label=_("Jumlah"), required=False, min_value=1, max_value=50)

    selector_kwargs = IncidentFilterForm.selector_kwargs


class TransitionForm(forms.Form):
    """One workflow step: the target state and what it needs (reason, agency, target ticket)."""

    state = forms.ChoiceField(label=_("Status"), choices=State.choices)
    note = forms.CharField(label=_("Catatan"), required=False, max_length=2000)
    agency = forms.CharField(label=_("Instansi"), required=False, max_length=30)
    merge_into = forms.CharField(label=_("Digabung ke laporan"), required=False, max_length=20)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Catatan"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ShareForm(forms.Form):
    agencies = forms.MultipleChoiceField(label=_("Bagikan ke instansi"))

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].choices = list(agencies)
