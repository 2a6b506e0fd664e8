"""Admin of agencies, users (role, agency, scope, assigned TPS) and API tokens, all audited."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from siaga.accounts import services, tokens
from siaga.accounts.choices import Role
from siaga.accounts.models import Agency, ApiToken, User
from siaga.core.admin import AuditedModelAdmin, SiagaAdminAccess
from siaga.core.audit import AuditContext, audit_record
from siaga.core.errors import DomainError


@admin.register(Agency)
class AgencyAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "kind", "region")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    autocomplete_fields = ("region",)
    list_select_related = ("region",)

    def audit_region_code(self, obj: Agency) -> str:
        return obj.region_id or ""


class _RoleScopeValidation:
    """Checks the role against the scope and TPS as the service does (field monitors: desa)."""

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role == Role.MACHINE and cleaned.get("set_usable_password"):
            raise ValidationError(
                _("Pengguna mesin tidak memakai kata sandi; pilih 'nonaktifkan' dan buat token.")
            )
        if role and "scope_regions" in cleaned:
            try:
                services.user_scope_validate(
                    username=cleaned.get("username") or self.instance.username,
                    role=role,
                    scope=list(cleaned["scope_regions"]),
                    assigned_tps=list(cleaned.get("assigned_tps") or []),
                )
            except DomainError as exc:
                raise ValidationError(str(exc)) from exc
        return cleaned


class SiagaUserCreationForm(_RoleScopeValidation, AdminUserCreationForm):
    pass


class SiagaUserChangeForm(_RoleScopeValidation, UserChangeForm):
    pass


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    form = SiagaUserChangeForm
    add_form = SiagaUserCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Data diri"), {"fields": ("first_name", "last_name", "email", "phone")}),
        (
            _("Peran dan cakupan"),
            {"fields": ("role", "agency", "scope_regions", "assigned_tps")},
        ),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (
            _("Peran dan cakupan"),
            {"fields": ("first_name", "last_name", "role", "agency", "scope_regions")},
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("username", "first_name", "last_name", "role", "agency", "is_active")
    list_filter = ("role", "agency", "is_active")
    search_fields = ("username", "first_name", "last_name", "email")
    autocomplete_fields = ("agency", "scope_regions", "assigned_tps")
    filter_horizontal = ()
    list_select_related = ("agency",)

    def audit_state(self, obj: User) -> dict:
        return services.user_state(obj)  # never the password hash

    def save_model(self, request, obj, form, change):
        # Staff status follows the role; machine clients never log in with a password.
        obj.is_staff = obj.role == Role.ADMIN
        if obj.role == Role.MACHINE:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            changed = (
                request.method == "POST"
                and isinstance(response, HttpResponseRedirect)
                and response.url != request.get_full_path()  # not the "conflicting data" retry
            )
            if changed:
                user = self.get_object(request, id)
                audit_record(
                    context=AuditContext.from_request(request, channel="admin"),
                    action="user.password_change",
                    obj=user,
                    after={"password_usable": user.has_usable_password()},
                )
        return response


@admin.register(ApiToken)
class ApiTokenAdmin(SiagaAdminAccess, admin.ModelAdmin):
    """Tokens are made with `siaga users token` (the key is shown once there); here one may only
    look and revoke. The key's hash is never shown."""

    list_display = ("prefix", "name", "user", "created_at", "expires_at", "last_used_at", "revoked")
    list_filter = ("revoked",)
    search_fields = ("^prefix", "name", "user__username")
    list_select_related = ("user",)
    fields = ("prefix", "name", "user", "created_at", "expires_at", "last_used_at", "revoked")
    readonly_fields = fields
    actions = ["revoke_selected"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Cabut token terpilih"))
    def revoke_selected(self, request, queryset):
        context = AuditContext.from_request(request, channel="admin")
        count = 0
        with transaction.atomic():
            for token in queryset.filter(revoked=False):
                tokens.token_revoke(context=context, token=token)
                count += 1
        self.message_user(
            request,
            ngettext("%(n)d token dicabut.", "%(n)d token dicabut.", count) % {"n": count},
            messages.SUCCESS,
        )
