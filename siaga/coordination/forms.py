"""Forms of the coordination pages. They only parse; the services validate the domain rules
and their errors are put back on the field they name. Choices (regions, agencies, people) are
those the user may see, given by the view."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from siaga.coordination.choices import AboutType, Priority, TaskStatus

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
TASK_ROWS = 3  # task rows offered under a new decision


def _blank(choices) -> list:
    return [("", "—"), *choices]


class MeetingForm(forms.Form):
    template = forms.ChoiceField(label=_("Templat"), required=False)
    title = forms.CharField(
        label=_("Judul"),
        max_length=200,
        required=False,
        help_text=_("Kosongkan untuk memakai nama templat."),
    )
    held_at = forms.DateTimeField(
        label=_("Waktu rapat"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    place = forms.CharField(label=_("Tempat"), max_length=200)
    region = forms.ChoiceField(label=_("Wilayah"))
    chair = forms.CharField(label=_("Pimpinan rapat"), max_length=200, required=False)
    chair_agency = forms.TypedChoiceField(
        label=_("Instansi pimpinan rapat"), coerce=int, required=False, empty_value=None
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("Satu butir per baris; kosongkan untuk memakai agenda templat."),
    )
    attendees = forms.TypedMultipleChoiceField(
        label=_("Instansi yang hadir"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Notulen"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args, templates=(), regions=(), agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = _blank(templates)
        self.fields["region"].choices = _blank(regions)
        self.fields["chair_agency"].choices = _blank(agencies)
        self.fields["attendees"].choices = list(agencies)

    def agenda_items(self) -> list[str] | None:
        text = self.cleaned_data.get("agenda") or ""
        items = [line.strip() for line in text.splitlines() if line.strip()]
        return items or None


class TaskRowForm(forms.Form):
    """One task under a new decision; a row left empty is skipped."""

    title = forms.CharField(label=_("Tindak lanjut"), max_length=200, required=False)
    agency = forms.TypedChoiceField(
        label=_("Instansi"), coerce=int, required=False, empty_value=None
    )
    due_at = forms.DateTimeField(
        label=_("Batas waktu"),
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
        required=False,
    )
    priority = forms.ChoiceField(
        label=_("Prioritas"), choices=Priority.choices, initial=Priority.SEDANG
    )

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = _blank(agencies)

    def is_empty(self) -> bool:
        data = self.cleaned_data
        return not (data.get("title") or data.get("agency") or data.get("due_at"))


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Keputusan"), widget=forms.Textarea(attrs={"rows": 3}))


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Judul"), max_length=200)
    agency = forms.TypedChoiceField(label=_("Instansi"), coerce=int)
    due_at = forms.DateTimeField(
        label=_("Batas waktu"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    priority = forms.ChoiceField(
        label=_("Prioritas"), choices=Priority.choices, initial=Priority.SEDANG
    )
    region = forms.ChoiceField(
        label=_("Wilayah"), required=False, help_text=_("Kosongkan: wilayah instansi.")
    )
    description = forms.CharField(
        label=_("Uraian"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    about_type = forms.ChoiceField(
        label=_("Terkait dengan"), choices=_blank(AboutType.choices), required=False
    )
    about_id = forms.CharField(label=_("ID terkait"), max_length=60, required=False)
    about_label = forms.CharField(label=_("Keterangan terkait"), max_length=200, required=False)
    about_url = forms.CharField(label=_("Tautan terkait"), max_length=300, required=False)

    def __init__(self, *args, regions=(), agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = _blank(agencies)
        self.fields["region"].choices = _blank(regions)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status baru"), choices=TaskStatus.choices)
    note = forms.CharField(
        label=_("Catatan"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Wajib bila terhambat atau dibatalkan: tuliskan alasannya."),
    )


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(
        label=_("Petugas"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("— instansi —")), *people]


class QueueFilterForm(forms.Form):
    agency = forms.TypedChoiceField(
        label=_("Instansi"), coerce=int, required=False, empty_value=None
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Belum selesai")), ("semua", _("Semua")), *TaskStatus.choices],
        required=False,
    )
    overdue = forms.BooleanField(label=_("Hanya yang terlambat"), required=False)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("Semua instansi")), *agencies]
