"""Forms of the risk pages: a TPS's mapped value, an indicator's weight, the IKP, the import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from siaga.risk.models import Indicator


class ValueForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indikator"))
    value = forms.FloatField(
        label=_("Nilai"), min_value=0, max_value=1000, initial=1,
        help_text=_("1 = ya, 0 = tidak (menghapus), atau jumlah."),
    )  # fmt: skip
    note = forms.CharField(label=_("Catatan"), max_length=300, required=False)

    def __init__(self, *args, indicators: list[Indicator], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [(i.code, _(i.name)) for i in indicators]


class IndicatorForm(forms.Form):
    code = forms.CharField(max_length=60)
    weight = forms.FloatField(label=_("Bobot"), min_value=0, max_value=100)
    saturation = forms.FloatField(label=_("Nilai penuh"), min_value=0.001, max_value=1000)
    active = forms.BooleanField(label=_("Aktif"), required=False)


class IkpForm(forms.Form):
    region = forms.CharField(label=_("Kode wilayah"), max_length=20)
    year = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100, initial=2024)
    score = forms.FloatField(label=_("Skor IKP"), min_value=0, max_value=100)
    source = forms.CharField(label=_("Sumber"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        data["region_code"] = data.pop("region", "")
        return data


class MappingUploadForm(forms.Form):
    region = forms.ChoiceField(label=_("Wilayah"))
    file = forms.FileField(label=_("Berkas pemetaan (CSV atau XLSX)"))

    def __init__(self, *args, regions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(code, code) for code in regions]
