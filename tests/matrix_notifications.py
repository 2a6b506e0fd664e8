"""Rows of the permission matrix for the notification preferences page (merged by the lead into
tests/test_permission_matrix.py through ``API``, ``PAGES`` and the sample dicts at the end).

Each function takes the matrix's ``actor`` (duck-typed: ``get``, ``client``, ``headers``,
``user``, ``is_machine``, ``world``, ``assert_no_leak``). The page has no object in its URL: every
person with a session sees and edits their own preferences, whatever their role and scope, and
never anyone else's; machines have no session for pages.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from siaga.accounts.choices import Role
from tests.matrix_common import login_redirect as _login_redirect
from tests.matrix_common import post as _post


def page_preferences(actor) -> None:
    from siaga.notifications.models import NotificationPreference
    from siaga.notifications.services import preference_update

    other = actor.world.user(Role.ANALYST, username="matrix-prefs-someone-else")
    preference_update(
        user=other, muted_kinds=["rahasia.lain"], quiet_start=dt.time(1), quiet_end=dt.time(2)
    )
    url = reverse("notifications:preferences")
    response = actor.get(url)
    if actor.is_machine:
        assert _login_redirect(response)
        response = _post(actor, url, {"quiet_start": "22:00", "quiet_end": "06:00"})
        assert _login_redirect(response)
        assert not NotificationPreference.objects.filter(user=actor.user).exists()
        return
    body = response.content.decode()
    assert response.status_code == 200
    assert "rahasia.lain" not in body and 'value="01:00"' not in body
    response = _post(actor, url, {"quiet_start": "22:00", "quiet_end": "06:00"})
    assert response.status_code == 302
    mine = NotificationPreference.objects.get(user=actor.user)
    assert (mine.quiet_start, mine.quiet_end) == (dt.time(22), dt.time(6))
    theirs = NotificationPreference.objects.get(user=other)
    assert (theirs.quiet_start, theirs.muted_kinds) == (dt.time(1), ["rahasia.lain"])


# --- the rows -----------------------------------------------------------------------------------


def api_preferences(actor) -> None:
    """Every principal reads and replaces only its own preferences (there is no other's)."""
    from siaga.notifications.models import NotificationPreference

    response = actor.get("/api/v1/me/notification-preferences")
    assert response.status_code == 200 and response.json()["channels_off"] == []
    put = actor.client.put(
        "/api/v1/me/notification-preferences",
        {"muted_kinds": ["risk.alert"], "quiet_start": "22:00", "quiet_end": "06:00"},
        content_type="application/json",
        headers=actor.headers,
    )
    assert put.status_code == 200, put.content
    stored = NotificationPreference.objects.get(user=actor.user)
    assert stored.muted_kinds == ["risk.alert"] and str(stored.quiet_start) == "22:00:00"
    assert NotificationPreference.objects.count() == 1
    bad = actor.client.put(
        "/api/v1/me/notification-preferences",
        {"channels_off": ["merpati"]},
        content_type="application/json",
        headers=actor.headers,
    )
    assert bad.status_code == 422 and bad.json()["field"] == "channels_off"


API = {
    ("GET", "/api/v1/me/notification-preferences"): api_preferences,
    ("PUT", "/api/v1/me/notification-preferences"): api_preferences,
}
API_SAMPLES: dict = {}
PAGES = {"notifications:preferences": page_preferences}
PAGE_ARGS: dict = {}
