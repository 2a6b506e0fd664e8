"""Forms of the post-vote pages: watch points, gatherings, re-votes and the readiness tick.

They only parse; the services validate the domain rules and their errors are put back on the
field they name.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from siaga.postelection.choices import GatheringStatus, Permit, RevoteStatus, WatchKind

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class _ChoicesForm(forms.Form):
    """A form whose region (or TPS) choices are those the user may edit."""

    choice_field = "region"

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.choice_field].choices = [("", "—"), *choices]


class WatchPointForm(_ChoicesForm):
    kind = forms.ChoiceField(label=_("Jenis"), choices=WatchKind.choices)
    title = forms.CharField(label=_("Judul"), max_length=200)
    place = forms.CharField(label=_("Tempat"), max_length=200, required=False)
    region = forms.ChoiceField(
        label=_("Wilayah"), help_text=_("Kecamatan untuk rekapitulasi PPK, kabupaten untuk KPU.")
    )
    starts_at = forms.DateTimeField(
        label=_("Mulai"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    ends_at = forms.DateTimeField(
        label=pgettext_lazy("end of a period", "Selesai"),
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
    )
    note = forms.CharField(
        label=_("Catatan"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class GatheringForm(_ChoicesForm):
    title = forms.CharField(label=_("Judul"), max_length=200)
    place = forms.CharField(label=_("Tempat"), max_length=200)
    region = forms.ChoiceField(label=_("Wilayah"))
    planned_at = forms.DateTimeField(
        label=_("Waktu rencana"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    expected_size = forms.IntegerField(label=_("Perkiraan jumlah massa"), min_value=0, initial=0)
    organiser = forms.CharField(
        label=_("Penyelenggara / penanggung jawab"), max_length=200, required=False
    )
    permit = forms.ChoiceField(label=_("Surat pemberitahuan"), choices=Permit.choices)
    status = forms.ChoiceField(
        label=_("Status"), choices=GatheringStatus.choices, initial=GatheringStatus.RENCANA
    )
    lat = forms.FloatField(label=_("Lintang"), required=False)
    lon = forms.FloatField(label=_("Bujur"), required=False)
    note = forms.CharField(
        label=_("Catatan"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class RevoteForm(_ChoicesForm):
    choice_field = "tps"

    tps = forms.TypedChoiceField(label=_("TPS"), coerce=int)
    ordered_on = forms.DateField(label=_("Tanggal perintah"), widget=DATE_WIDGET)
    vote_on = forms.DateField(label=_("Tanggal PSU"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Alasan"), widget=forms.Textarea(attrs={"rows": 3}))
    ordered_by = forms.CharField(
        label=_("Diperintahkan oleh"), max_length=120, required=False, initial="Bawaslu / KPU"
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=RevoteStatus.choices, initial=RevoteStatus.DIPERINTAHKAN
    )
    note = forms.CharField(
        label=_("Catatan"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class TickForm(forms.Form):
    """Tick (done=1) or untick (done=0) a readiness item, with an optional note."""

    done = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1"
    )
    note = forms.CharField(max_length=300, required=False)
