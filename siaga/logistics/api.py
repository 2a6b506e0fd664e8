"""API of election logistics (/api/v1/logistics/...)."""

from ninja import Router

router = Router(tags=["logistics"])
