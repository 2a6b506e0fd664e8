"""API behind the situation-room map: everything the map needs in one request (/api/v1/map)."""

from ninja import Router

router = Router(tags=["dashboard"])
