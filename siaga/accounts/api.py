"""API of agencies and the current user (/api/v1/agencies, /api/v1/me)."""

from ninja import Router

router = Router(tags=["accounts"])
