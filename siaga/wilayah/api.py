"""API of regions and TPS (/api/v1/regions, /api/v1/tps)."""

from ninja import Router

router = Router(tags=["wilayah"])
