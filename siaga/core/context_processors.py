"""Values every page shows: the phase banner of the election calendar."""

from siaga.core import clock
from siaga.core.calendar import calendar_state
from siaga.core.models import Deployment


def siaga(request) -> dict:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    deployment = Deployment.objects.select_related("regency").first()
    if deployment is None:
        return {"deployment": None}
    today = clock.today()
    return {
        "deployment": deployment,
        "calendar": calendar_state(today=today, voting_day=deployment.voting_day),
        "local_now": clock.local_now(),
    }
