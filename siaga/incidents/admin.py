"""The admin of incident reports: the category taxonomy is data administrators edit (audited);
reports themselves change only through the workflow, so the admin shows them read-only.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from siaga.accounts.choices import AgencyKind
from siaga.core.admin import AuditedModelAdmin
from siaga.incidents.models import Category, Incident
from siaga.logistics.admin import ReadOnlyAdmin


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = (
            "code",
            "name",
            "description",
            "default_severity",
            "routes_to",
            "keywords",
            "sort_order",
            "active",
        )

    def clean_routes_to(self) -> str:
        kinds = [k.strip() for k in self.cleaned_data["routes_to"].split(",") if k.strip()]
        unknown = [k for k in kinds if k not in AgencyKind.values]
        if unknown:
            raise forms.ValidationError(
                _("Jenis instansi tidak dikenal: %(kinds)s") % {"kinds": ", ".join(unknown)}
            )
        return ",".join(kinds)

    def clean_keywords(self) -> str:
        words = [w.strip().upper() for w in self.cleaned_data["keywords"].split(",") if w.strip()]
        return ",".join(dict.fromkeys(words))


@admin.register(Category)
class CategoryAdmin(AuditedModelAdmin):
    form = CategoryForm
    list_display = ("code", "name", "default_severity", "routes_to", "active", "sort_order")
    list_editable = ()
    search_fields = ("code", "name", "keywords")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # reports keep their category: deactivate instead


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "category", "state", "severity", "region", "received_at", "channel")
    list_filter = ("state", "severity", "channel", "category")
    search_fields = ("ticket",)
    personal = ("reporter_name", "reporter_contact")  # shown to those allowed on the detail page

    def get_readonly_fields(self, request, obj=None):
        return [f for f in super().get_readonly_fields(request, obj) if f not in self.personal]

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj)
