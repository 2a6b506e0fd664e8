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
    auth=[SessionAuth(), BearerToken()],
    urls_namespace="api-v1",
)
