"""The Django admin: only Siaga administrators reach it, and every change it makes is audited.

``AuditedModelAdmin`` records one audit event (with before and after) for each create, update
and delete made through the admin, inside the admin's own transaction. The audit trail itself is
shown read-only. Region and TPS are registered here too, with search by code and name
(they belong to ``siaga.wilayah`` and may move to ``siaga/wilayah/admin.py``).
"""

from __future__ import annotations

import hashlib
import json

from django.contrib import admin
from django.db.models import BooleanField, ExpressionWrapper, Model, Q
from django.utils.translation import gettext_lazy as _

from siaga.core.audit import AuditContext, audit_record, snapshot
from siaga.core.models import AuditEvent
from siaga.core.permissions import Action, can, user_scope
from siaga.wilayah.models import Region, Tps


def is_siaga_admin(user) -> bool:
    """Administrators (role admin, marked staff) and superusers; nobody else uses the admin."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and can(user, Action.MANAGE_USERS)
    )


class SiagaAdminAccess:
    """Grant the admin to Siaga administrators by role, not by Django model permissions."""

    def has_module_permission(self, request) -> bool:
        return is_siaga_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_siaga_admin(request.user)

    def has_add_permission(self, request) -> bool:
        return is_siaga_admin(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_siaga_admin(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_siaga_admin(request.user)


class AuditedModelAdmin(SiagaAdminAccess, admin.ModelAdmin):
    """A ModelAdmin whose creates, updates and deletes each leave an audit event.

    ``audit_exclude`` names fields kept out of the snapshot (secrets, heavy blobs);
    ``audit_m2m`` names many-to-many fields recorded as sorted lists of ids. Override
    ``audit_state`` or ``audit_region_code`` for anything more particular.
    """

    audit_exclude: tuple[str, ...] = ()
    audit_m2m: tuple[str, ...] = ()

    def audit_state(self, obj: Model) -> dict:
        names = [f.attname for f in obj._meta.concrete_fields if f.name not in self.audit_exclude]
        state = snapshot(obj, names)
        for name in self.audit_m2m:
            state[name] = sorted(getattr(obj, name).values_list("pk", flat=True))
        return state

    def audit_region_code(self, obj: Model) -> str:
        return getattr(obj, "region_code", "") or ""

    def audit_action(self, obj: Model, verb: str) -> str:
        return f"{obj._meta.model_name}.{verb}"

    def _audit(self, request, obj: Model, verb: str, before, after) -> None:
        audit_record(
            context=AuditContext.from_request(request, channel="admin"),
            action=self.audit_action(obj, verb),
            obj=obj,
            region_code=self.audit_region_code(obj),
            before=before,
            after=after,
        )

    def save_model(self, request, obj, form, change):
        # The form has already changed ``obj`` in memory: read the stored state from the database.
        before = None
        if change and obj.pk is not None:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = self.audit_state(stored) if stored is not None else None
        obj._siaga_audit_before = (change, before)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        change, before = getattr(obj, "_siaga_audit_before", (change, None))
        after = self.audit_state(obj)
        if before != after:
            self._audit(request, obj, "update" if change and before else "create", before, after)

    def delete_model(self, request, obj):
        before = self.audit_state(obj)
        pk = obj.pk
        super().delete_model(request, obj)
        obj.pk = pk  # keep the id in the event
        self._audit(request, obj, "delete", before, None)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, "delete", self.audit_state(obj), None)
        super().delete_queryset(request, queryset)


@admin.register(AuditEvent)
class AuditEventAdmin(SiagaAdminAccess, admin.ModelAdmin):
    """The audit trail, read-only: rows are only ever written by ``audit_record``."""

    list_display = (
        "seq",
        "created_at",
        "actor_label",
        "channel",
        "action",
        "object_type",
        "object_repr",
        "region_code",
        "source_ip",
    )
    list_filter = ("channel", "action", "object_type")
    search_fields = ("=object_id", "actor_label", "object_repr", "^region_code", "action")
    ordering = ("-seq",)
    date_hierarchy = "created_at"
    list_select_related = ("actor",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "level", "parent", "has_boundary")
    list_filter = ("level",)
    search_fields = ("^code", "name")
    autocomplete_fields = ("parent",)
    exclude = ("boundary",)  # imported with `siaga wilayah import-geojson`, too large for a form
    audit_exclude = ("boundary",)

    def get_queryset(self, request):
        qs = (
            super()
            .get_queryset(request)
            .select_related("parent")
            .defer("boundary", "parent__boundary")
        )
        qs = qs.annotate(
            boundary_present=ExpressionWrapper(
                Q(boundary__isnull=False), output_field=BooleanField()
            )
        )
        return qs.filter(user_scope(request.user).q("code"))

    @admin.display(boolean=True, description=_("batas wilayah"))
    def has_boundary(self, obj: Region) -> bool:
        return obj.boundary_present

    def audit_state(self, obj: Region) -> dict:
        state = super().audit_state(obj)
        # A boundary is recorded by its digest: enough to prove which polygon was in place.
        raw = json.dumps(obj.boundary, sort_keys=True) if obj.boundary is not None else None
        state["boundary_sha256"] = hashlib.sha256(raw.encode()).hexdigest() if raw else None
        return state

    def audit_region_code(self, obj: Region) -> str:
        return obj.code


@admin.register(Tps)
class TpsAdmin(AuditedModelAdmin):
    list_display = ("label", "desa", "kecamatan", "dpt_male", "dpt_female", "special_location")
    list_filter = ("special_location",)
    search_fields = ("^desa__code", "desa__name", "desa__parent__name", "address", "=number")
    autocomplete_fields = ("desa",)
    list_select_related = ("desa__parent",)
    ordering = ("desa_id", "number")

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("desa__parent")
        return qs.filter(user_scope(request.user).q("desa__code"))

    @admin.display(description=_("kecamatan"))
    def kecamatan(self, obj: Tps) -> str:
        return obj.desa.parent.name if obj.desa.parent else ""
