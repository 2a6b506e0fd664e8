"""The versioned JSON API (/api/v1/), with its OpenAPI schema at /api/v1/openapi.json.

Browsers use their session (with CSRF on writes); machine clients send
``Authorization: Bearer <token>``. Each app adds its router here.
"""

from ninja import NinjaAPI
from ninja.security import HttpBearer, SessionAuth

from siaga.accounts.tokens import token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Siaga API",
    version="1",
    description="Situation room of the TP3D: regions, TPS, agencies and more.",
    auth=[BearerToken(), SessionAuth()],  # a token first: token clients send no CSRF cookie
    urls_namespace="api-v1",
)


def _register_routers() -> None:
    from siaga.accounts.api import router as accounts_router
    from siaga.checklists.api import router as checklists_router
    from siaga.coordination.api import router as coordination_router
    from siaga.dashboard.api import router as dashboard_router
    from siaga.incidents.api import router as incidents_router
    from siaga.logistics.api import router as logistics_router
    from siaga.media.api import router as media_router
    from siaga.media.api_layer import router as media_layer_router
    from siaga.notifications.api import router as notifications_router
    from siaga.postelection.api import router as postelection_router
    from siaga.reports.api import router as reports_router
    from siaga.risk.api import router as risk_router
    from siaga.security.api import router as security_router
    from siaga.voters.api import router as voters_router
    from siaga.wilayah.api import router as wilayah_router

    api.add_router("/", wilayah_router)
    api.add_router("/", accounts_router)
    api.add_router("/", dashboard_router)
    api.add_router("/", notifications_router)
    api.add_router("/logistics", logistics_router)
    api.add_router("/incidents", incidents_router)
    api.add_router("/checklists", checklists_router)
    api.add_router("/voters", voters_router)
    api.add_router("/media", media_router)
    api.add_router("/media", media_layer_router)
    api.add_router("/risk", risk_router)
    api.add_router("/security", security_router)
    api.add_router("/postelection", postelection_router)
    api.add_router("/coordination", coordination_router)
    api.add_router("/reports", reports_router)


_register_routers()
