"""API of the voter roll (/api/v1/voters/...): imports, the review queue, the voter check."""

from ninja import Router

from siaga.voters import api_check, api_import, api_review

router = Router(tags=["voters"])
router.add_router("", api_import.router)
router.add_router("", api_review.router)
router.add_router("", api_check.router)
