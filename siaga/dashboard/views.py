"""The situation-room pages. They read through other apps' selectors and write nothing."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def situation_room(request):  # placeholder until the front-end lands
    return HttpResponse("Siaga")
