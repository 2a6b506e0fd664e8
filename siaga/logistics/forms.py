"""Forms of the logistics pages: the shipment list filters and the shipment editor with its lines.

Forms only parse and check the shape of the input; the rules (scope, valid regions for a stage,
unique codes, quantities) are the services', whose ``DomainError`` the view shows on the form.
Regions and TPS are typed as codes / ids with one shared ``<datalist>`` of suggestions, so a
page with many lines does not repeat a 700-option select in every row.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from siaga.logistics.choices import ShipmentStatus, Stage, TransportMode
from siaga.logistics.models import ItemType

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


class ShipmentFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Semua"))] + ShipmentStatus.choices
    )
    stage = forms.ChoiceField(
        label=_("Tahap"), required=False, choices=[("", _("Semua"))] + Stage.choices
    )
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False)
    at_risk = forms.BooleanField(label=_("Hanya yang berisiko"), required=False)

    def __init__(self, *args, kecamatan_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kecamatan"].choices = [("", _("Semua"))] + list(kecamatan_choices)


class ShipmentForm(forms.Form):
    """The fields of one leg of the distribution (the code is fixed once created)."""

    code = forms.CharField(
        label=_("Kode pengiriman"),
        max_length=16,
        required=False,
        help_text=_("Kosongkan untuk dibuat otomatis."),
    )
    stage = forms.ChoiceField(label=_("Tahap"), choices=Stage.choices)
    origin = forms.CharField(
        label=_("Asal (kode wilayah)"),
        max_length=13,
        widget=forms.TextInput(attrs={"list": "region-options", "autocomplete": "off"}),
    )
    destination = forms.CharField(
        label=_("Tujuan (kode wilayah)"),
        max_length=13,
        widget=forms.TextInput(attrs={"list": "region-options", "autocomplete": "off"}),
    )
    destination_tps = forms.IntegerField(
        label=_("TPS tujuan (untuk tahap PPS → KPPS)"),
        required=False,
        min_value=1,
        widget=forms.TextInput(
            attrs={"list": "tps-options", "inputmode": "numeric", "autocomplete": "off"}
        ),
    )
    mode = forms.ChoiceField(label=_("Moda"), choices=TransportMode.choices)
    carrier = forms.CharField(label=_("Pengangkut"), max_length=120, required=False)
    escort = forms.CharField(label=_("Pengawalan"), max_length=120, required=False)
    planned_departure = forms.DateTimeField(
        label=_("Rencana berangkat"), input_formats=[DATETIME_FORMAT], widget=DateTimeLocalInput()
    )
    planned_arrival = forms.DateTimeField(
        label=_("Rencana tiba"), input_formats=[DATETIME_FORMAT], widget=DateTimeLocalInput()
    )
    notes = forms.CharField(label=_("Catatan"), required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # The route of a leg is fixed once created; only its plan and contents change.
            for name in ("code", "stage", "origin", "destination", "destination_tps"):
                self.fields[name].disabled = True
            self.fields["code"].help_text = ""

    def clean(self):
        data = super().clean()
        departure, arrival = data.get("planned_departure"), data.get("planned_arrival")
        if departure and arrival and arrival <= departure:
            self.add_error("planned_arrival", _("Rencana tiba harus sesudah rencana berangkat."))
        return data

    @classmethod
    def initial_for(cls, shipment) -> dict:
        return {
            "code": shipment.code,
            "stage": shipment.stage,
            "origin": shipment.origin_region_id,
            "destination": shipment.destination_region_id,
            "destination_tps": shipment.destination_tps_id,
            "mode": shipment.mode,
            "carrier": shipment.carrier,
            "escort": shipment.escort,
            "planned_departure": shipment.planned_departure,
            "planned_arrival": shipment.planned_arrival,
            "notes": shipment.notes,
        }


class LineForm(forms.Form):
    item = forms.ChoiceField(label=_("Barang"))
    tps = forms.IntegerField(
        label=_("TPS"),
        required=False,
        min_value=1,
        widget=forms.TextInput(
            attrs={"list": "tps-options", "inputmode": "numeric", "autocomplete": "off"}
        ),
    )
    quantity = forms.IntegerField(label=_("Jumlah"), min_value=0)


class BaseLineFormSet(forms.BaseFormSet):
    def __init__(self, *args, items=None, **kwargs):
        # The items are read once and shared by every row (no query per line).
        if items is None:
            items = list(ItemType.objects.all())
        self.item_choices = [("", "---------")] + [(i.code, i.name) for i in items]
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.fields["item"].choices = self.item_choices
        return form

    @property
    def empty_form(self):
        form = super().empty_form
        form.fields["item"].choices = self.item_choices
        return form

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        seen = set()
        lines = 0
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            key = (form.cleaned_data["item"], form.cleaned_data.get("tps"))
            if key in seen:
                raise forms.ValidationError(
                    _("Barang yang sama untuk TPS yang sama tercantum dua kali.")
                )
            seen.add(key)
            lines += 1
        if not lines:
            raise forms.ValidationError(
                _("Isi pengiriman belum ada: tambahkan minimal satu barang.")
            )

    def lines(self) -> list[dict]:
        return [
            {
                "item": f.cleaned_data["item"],
                "tps_id": f.cleaned_data.get("tps"),
                "quantity": f.cleaned_data["quantity"],
            }
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


LineFormSet = forms.formset_factory(LineForm, formset=BaseLineFormSet, extra=3, can_delete=True)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ShipmentStatus.choices)
