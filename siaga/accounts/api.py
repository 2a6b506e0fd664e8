"""API of agencies and the current user (/api/v1/agencies, /api/v1/me)."""

from django.http import HttpRequest
from ninja import Field, Router, Schema

from siaga.accounts import selectors
from siaga.accounts.choices import AgencyKind, Role
from siaga.accounts.models import Agency
from siaga.core.permissions import allowed_actions, user_scope

router = Router(tags=["accounts"])


class AgencyOut(Schema):
    code: str = Field(description="Short code of the agency, e.g. 'polres'.")
    name: str = Field(description="Name of the agency.")
    kind: AgencyKind = Field(description="Kind of agency (pemda, polri, tni, kpu, ...).")
    kind_label: str = Field(description="The kind in the user's language.")
    region_code: str = Field(description="Code of the region the agency serves.")
    region_name: str = Field(description="Name of the region the agency serves.")

    @staticmethod
    def resolve_kind_label(obj: Agency) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_region_code(obj: Agency) -> str:
        return obj.region_id

    @staticmethod
    def resolve_region_name(obj: Agency) -> str:
        return obj.region.name


class AgencyRef(Schema):
    code: str = Field(description="Short code of the agency.")
    name: str = Field(description="Name of the agency.")


class ScopeRegion(Schema):
    code: str = Field(description="Kemendagri code of a region in the user's scope.")
    name: str = Field(description="Its name.")
    level: str = Field(description="Its level (regency, district, village, ...).")


class MeOut(Schema):
    username: str = Field(description="Login name.")
    full_name: str = Field(description="Full name, empty for machine clients.")
    role: Role = Field(description="Role of the user.")
    role_label: str = Field(description="The role in the user's language.")
    agency: AgencyRef | None = Field(description="The user's agency, if any.")
    scope: list[ScopeRegion] = Field(
        description="Regions the user sees and acts on (and everything under them)."
    )
    scope_everything: bool = Field(description="True for superusers, who see every region.")
    assigned_tps: list[int] | None = Field(
        description="For field monitors tied to TPS: the only TPS ids they may see and report on."
    )
    actions: list[str] = Field(
        description="What the role allows: view, submit_field, edit_master, manage_users, "
        "view_audit, view_personal."
    )


@router.get(
    "/agencies",
    response=list[AgencyOut],
    summary="List agencies",
    description="Agencies of the TP3D serving a region the user may open.",
)
def agency_list(request: HttpRequest):
    return selectors.agencies_visible(user=request.auth)


@router.get(
    "/me",
    response=MeOut,
    summary="The current user",
    description="Who is calling: role, agency, region scope and the actions the role allows.",
)
def me(request: HttpRequest):
    user = request.auth
    scope = user_scope(user)
    agency = user.agency
    return {
        "username": user.username,
        "full_name": user.get_full_name(),
        "role": user.role,
        "role_label": str(user.get_role_display()),
        "agency": {"code": agency.code, "name": agency.name} if agency else None,
        "scope": [
            {"code": r.code, "name": r.name, "level": r.level}
            for r in selectors.user_scope_regions(user=user)
        ],
        "scope_everything": scope.everything,
        "assigned_tps": sorted(scope.tps_ids) if scope.tps_ids is not None else None,
        "actions": allowed_actions(user),
    }
