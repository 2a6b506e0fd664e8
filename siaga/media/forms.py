"""Forms of the media pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from siaga.media.choices import ActionKind, Label, Platform, ReviewStatus, SourceKind, Verdict

STATUS_FILTER = [
    ("", _("Belum selesai ditinjau")),
    ("semua", _("Semua status")),
    *ReviewStatus.choices,
]


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_FILTER)
    label = forms.ChoiceField(
        label=_("Label"), required=False, choices=[("", _("Semua label")), *Label.choices]
    )
    platform = forms.ChoiceField(
        label=_("Platform"),
        required=False,
        choices=[("", _("Semua platform")), *Platform.choices],
    )
    region = forms.ChoiceField(label=_("Wilayah"), required=False)
    matched = forms.BooleanField(label=_("Cocok dengan klarifikasi"), required=False)
    q = forms.CharField(label=_("Cari teks"), required=False, max_length=100)

    def __init__(self, *args, regions: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("Semua wilayah")), *regions]

    def selector_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "status": d["status"],
            "label": d["label"],
            "platform": d["platform"],
            "region": d["region"],
            "matched": d["matched"],
            "text": d["q"],
        }


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=ReviewStatus.choices)
    labels = forms.MultipleChoiceField(
        label=_("Label analis"),
        required=False,
        choices=Label.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Catatan"), required=False, max_length=2000)


class ActionForm(forms.Form):
    action = forms.ChoiceField(label=_("Tindakan"), choices=ActionKind.choices)
    link = forms.URLField(label=_("Tautan"), required=False, max_length=1000)
    note = forms.CharField(label=_("Catatan"), required=False, max_length=2000)


class DebunkLinkForm(forms.Form):
    debunk = forms.IntegerField(label=_("Klarifikasi"), required=False, min_value=1)
    note = forms.CharField(label=_("Catatan"), required=False, max_length=2000)


class DebunkForm(forms.Form):
    claim = forms.CharField(label=_("Klaim"), widget=forms.Textarea(attrs={"rows": 3}))
    verdict = forms.ChoiceField(label=_("Putusan"), choices=Verdict.choices)
    date = forms.DateField(label=_("Tanggal"), widget=forms.DateInput(attrs={"type": "date"}))
    source_url = forms.URLField(label=_("Tautan klarifikasi"), required=False, max_length=500)
    category = forms.CharField(label=_("Kategori"), required=False, max_length=80)
    explanation = forms.CharField(
        label=_("Penjelasan"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    active = forms.BooleanField(label=_("Aktif (dicocokkan)"), required=False, initial=True)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Berkas (CSV, XLSX atau JSON Lines)"))


class SourceForm(forms.Form):
    name = forms.CharField(label=_("Nama"), max_length=120)
    kind = forms.ChoiceField(
        label=_("Jenis"),
        choices=[c for c in SourceKind.choices if c[0] not in (SourceKind.FILE, SourceKind.API)],
    )
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    url = forms.URLField(label=_("Alamat umpan"), required=False, max_length=500)
    connector = forms.CharField(label=_("Konektor"), required=False, max_length=40)
    poll_minutes = forms.IntegerField(
        label=_("Selang tarik (menit)"), min_value=1, max_value=1440, initial=30
    )
