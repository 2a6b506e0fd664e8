"""The admin of TPS checklists: templates edited by Siaga administrators, every change audited,
and read-only lists of the submissions that came from the field.

A template that has been answered is never changed in place: saving a changed template with
submissions creates a new version (version + 1) and deactivates the old one, so each submission
keeps pointing to the version it answered. The items JSON is checked in the form, each problem
naming its item.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from siaga.checklists.items import items_problems
from siaga.checklists.models import ChecklistPhoto, ChecklistSubmission, ChecklistTemplate
from siaga.checklists.services import template_save_versioned
from siaga.core.admin import AuditedModelAdmin, SiagaAdminAccess
from siaga.core.audit import AuditContext
from siaga.core.permissions import user_scope


class ChecklistTemplateForm(forms.ModelForm):
    class Meta:
        model = ChecklistTemplate
        fields = ("phase", "title", "items", "day_offset", "opens_at", "due_at", "active")
        help_texts = {
            "items": _(
                'Daftar JSON: [{"key": "kpps_lengkap", "label": "Anggota KPPS lengkap (7 orang)", '
                '"kind": "yes_no", "required": true, "help": ""}]. Jenis: yes_no, number, text, '
                "time, photo."
            ),
        }

    def clean_items(self):
        items = self.cleaned_data.get("items")
        problems = items_problems(items)
        if problems:
            raise forms.ValidationError(problems)
        return items

    def clean(self):
        cleaned = super().clean()
        opens, due = cleaned.get("opens_at"), cleaned.get("due_at")
        if opens and due and opens >= due:
            self.add_error("due_at", gettext("Tenggat harus sesudah jam dibuka."))
        return cleaned


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(AuditedModelAdmin):
    form = ChecklistTemplateForm
    list_display = (
        "title",
        "phase",
        "version",
        "active",
        "day_offset",
        "opens_at",
        "due_at",
        "item_count",
        "submission_count",
    )
    list_filter = ("phase", "active")
    search_fields = ("title",)
    ordering = ("phase", "-version")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_submissions=Count("submissions"))

    def get_readonly_fields(self, request, obj=None):
        return ("phase", "version", "created_at") if obj else ("version", "created_at")

    @admin.display(description=_("butir"))
    def item_count(self, obj: ChecklistTemplate) -> int:
        return len(obj.items or [])

    @admin.display(description=_("kiriman"), ordering="n_submissions")
    def submission_count(self, obj: ChecklistTemplate) -> int:
        return obj.n_submissions

    def save_model(self, request, obj, form, change):
        before = None
        if change and obj.pk is not None:
            stored = ChecklistTemplate.objects.filter(pk=obj.pk).first()
            before = self.audit_state(stored) if stored is not None else None
        old_pk, old_version = obj.pk, (before or {}).get("version")
        obj, _others = template_save_versioned(
            context=AuditContext.from_request(request, channel="admin"), template=obj
        )
        versioned = change and obj.pk != old_pk
        if versioned:
            messages.info(
                request,
                gettext(
                    "Templat ini sudah dijawab TPS: perubahan disimpan sebagai versi %(new)s; "
                    "versi %(old)s tetap tersimpan apa adanya dan tidak berlaku lagi."
                )
                % {"new": obj.version, "old": old_version},
            )
        # save_related records the audit event: a new version is a creation.
        obj._siaga_audit_before = (change and not versioned, None if versioned else before)


class ReadOnlyAccess(SiagaAdminAccess):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ChecklistPhotoInline(ReadOnlyAccess, admin.TabularInline):
    """Photos are listed, not linked: they are served only by the scoped photo page."""

    model = ChecklistPhoto
    fields = ("item_key", "content_type", "size", "sha256")
    readonly_fields = fields
    extra = 0


@admin.register(ChecklistSubmission)
class ChecklistSubmissionAdmin(ReadOnlyAccess, admin.ModelAdmin):
    """Submissions are written in the field; the admin only lists them."""

    list_display = (
        "tps",
        "template",
        "submitted_at",
        "late",
        "channel",
        "submitted_by",
    )
    list_filter = ("template__phase", "late", "channel")
    search_fields = ("^tps__desa__code", "tps__desa__name", "=idempotency_key")
    list_select_related = ("tps__desa", "template", "submitted_by")
    date_hierarchy = "submitted_at"
    inlines = (ChecklistPhotoInline,)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def get_queryset(self, request):
        qs = super().get_queryset(request).defer("tps__desa__boundary")
        return qs.filter(user_scope(request.user).q("tps__desa__code"))
