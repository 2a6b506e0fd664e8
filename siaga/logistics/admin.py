"""The admin of election logistics: item types and their requirement rules (edited by Siaga
administrators, every change audited), shipments with their contents, and read-only lists of
handovers and replacement requests (those are written in the field and by KPU, not here).

A rule's parameters are checked by the engine (``siaga.engines.logistics.validate_rule``) in the
form, so a bad rule is refused with its reasons before it can change any TPS's requirements.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from siaga.core.admin import AuditedModelAdmin, SiagaAdminAccess
from siaga.core.permissions import user_scope
from siaga.engines.logistics import validate_rule
from siaga.logistics.models import (
    Handover,
    HandoverLine,
    ItemType,
    ReplacementRequest,
    RequirementRule,
    Shipment,
    ShipmentLine,
)


class ReadOnlyAdmin(SiagaAdminAccess, admin.ModelAdmin):
    """Shown to administrators, never changed through the admin."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RequirementRuleForm(forms.ModelForm):
    """Validates the kind and parameters together, with the engine's rules."""

    class Meta:
        model = RequirementRule
        fields = ("item", "kind", "params", "active")
        help_texts = {
            "params": _(
                'dpt_reserve: {"reserve_percent": 2.5}; fixed: {"quantity": 1}; '
                'dpt_band: {"bands": [[300, 3], [600, 4]]}'
            ),
        }

    def clean(self):
        cleaned = super().clean()
        kind, params = cleaned.get("kind"), cleaned.get("params")
        if kind and "params" in cleaned:
            problems = validate_rule(kind, params if params is not None else {})
            if problems:
                self.add_error(
                    "params",
                    gettext("Parameter aturan tidak sah: %(problems)s")
                    % {"problems": " ".join(problems)},
                )
        return cleaned


class InlineAccess(SiagaAdminAccess):
    """``SiagaAdminAccess`` for inlines, whose add permission also takes the parent object."""

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request)


class RequirementRuleInline(InlineAccess, admin.StackedInline):
    model = RequirementRule
    form = RequirementRuleForm
    fields = ("kind", "params", "active")
    extra = 0
    max_num = 1
    can_delete = False


@admin.register(ItemType)
class ItemTypeAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "unit", "is_ballot", "sort_order", "rule_summary")
    list_filter = ("is_ballot",)
    search_fields = ("code", "name")
    ordering = ("sort_order", "code")
    inlines = (RequirementRuleInline,)
    list_select_related = ("rule",)

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else {"code": ("name",)}

    @admin.display(description=_("aturan kebutuhan"))
    def rule_summary(self, obj: ItemType) -> str:
        rule = getattr(obj, "rule", None)
        if rule is None:
            return "—"
        state = "" if rule.active else " " + gettext("(nonaktif)")
        return f"{rule.get_kind_display()} {json.dumps(rule.params)}{state}"

    def audit_state(self, obj: ItemType) -> dict:
        state = super().audit_state(obj)
        rule = RequirementRule.objects.filter(item=obj).first()
        state["rule"] = (
            {"kind": rule.kind, "params": rule.params, "active": rule.active} if rule else None
        )
        return state


@admin.register(RequirementRule)
class RequirementRuleAdmin(AuditedModelAdmin):
    form = RequirementRuleForm
    list_display = ("item", "kind", "params_text", "active")
    list_filter = ("kind", "active")
    search_fields = ("item__code", "item__name")
    list_select_related = ("item",)
    ordering = ("item__sort_order", "item__code")

    def audit_action(self, obj, verb: str) -> str:
        return f"logistics.rule.{verb}"

    @admin.display(description=_("parameter"))
    def params_text(self, obj: RequirementRule) -> str:
        return json.dumps(obj.params)


class ShipmentLineInline(InlineAccess, admin.TabularInline):
    model = ShipmentLine
    fields = ("item", "tps", "quantity")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item", "tps__desa")


@admin.register(Shipment)
class ShipmentAdmin(AuditedModelAdmin):
    """Shipments, to look up and correct; plans are made in the logistics pages or imported."""

    list_display = (
        "code",
        "stage",
        "origin_region",
        "destination_region",
        "destination_tps",
        "mode",
        "status",
        "planned_departure",
        "planned_arrival",
        "actual_arrival",
    )
    list_filter = ("status", "stage", "mode")
    search_fields = ("=code", "^destination_region__code", "destination_region__name", "carrier")
    list_select_related = ("origin_region", "destination_region", "destination_tps__desa")
    autocomplete_fields = ("origin_region", "destination_region", "destination_tps")
    date_hierarchy = "planned_departure"
    inlines = (ShipmentLineInline,)
    ordering = ("planned_departure", "code")

    def get_queryset(self, request):
        qs = (
            super()
            .get_queryset(request)
            .defer(
                "origin_region__boundary",
                "destination_region__boundary",
                "destination_tps__desa__boundary",
            )
        )
        return qs.filter(user_scope(request.user).q("destination_region__code"))

    def audit_region_code(self, obj: Shipment) -> str:
        return obj.destination_region_id or ""

    def audit_action(self, obj, verb: str) -> str:
        return f"logistics.shipment.{verb}"


class HandoverLineInline(InlineAccess, admin.TabularInline):
    model = HandoverLine
    fields = ("item", "tps", "received", "damaged", "missing")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item", "tps__desa")


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ("shipment", "received_at", "handed_by", "received_by", "recorded_by")
    list_filter = ("shipment__stage",)
    search_fields = ("=shipment__code", "handed_by", "received_by", "=idempotency_key")
    list_select_related = ("shipment", "recorded_by")
    date_hierarchy = "received_at"
    inlines = (HandoverLineInline,)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(user_scope(request.user).q("shipment__destination_region__code"))


@admin.register(ReplacementRequest)
class ReplacementRequestAdmin(ReadOnlyAdmin):
    list_display = (
        "shipment",
        "item",
        "tps",
        "region",
        "quantity",
        "reason",
        "assigned_agency",
        "deadline",
        "status",
    )
    list_filter = ("status", "reason")
    search_fields = ("=shipment__code", "^region__code", "region__name")
    list_select_related = ("shipment", "item", "tps__desa", "region", "assigned_agency")
    ordering = ("deadline", "pk")

    def get_queryset(self, request):
        qs = super().get_queryset(request).defer("region__boundary", "tps__desa__boundary")
        return qs.filter(user_scope(request.user).q("region__code"))
