"""Values every page shows: the phase banner of the election calendar, the navigation."""

from siaga.core import clock
from siaga.core.calendar import calendar_state
from siaga.core.models import Deployment
from siaga.core.permissions import Action, can


def _voters_nav(user) -> str | None:
    """Where the "Pemilih" link leads: the review queue for reviewers, the counts for readers,
    the NIK check for field officers; nowhere for the others."""
    if can(user, Action.REVIEW_VOTERS):
        return "voters:review_queue"
    if can(user, Action.VIEW):
        return "voters:review_summary"
    if can(user, Action.CHECK_VOTER):
        return "voters:check"
    return None


def siaga(request) -> dict:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    nav = {
        "voters_nav": _voters_nav(request.user),
        "can_check_voter": can(request.user, Action.CHECK_VOTER),
        "can_import_dpt": can(request.user, Action.IMPORT_DPT),
        "can_view": can(request.user, Action.VIEW),
        "can_view_media": can(request.user, Action.VIEW),
        "can_ingest_media": can(request.user, Action.INGEST_MEDIA),
    }
    deployment = Deployment.objects.select_related("regency").first()
    if deployment is None:
        return {"deployment": None, **nav}
    today = clock.today()
    return {
        **nav,
        "deployment": deployment,
        "calendar": calendar_state(today=today, voting_day=deployment.voting_day),
        "local_now": clock.local_now(),
    }
