"""The signed-in user's notification preferences (/api/v1/me/notification-preferences): which
outside channels deliver, which kinds stay in the inbox only, and the quiet hours."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from siaga.notifications import services

router = Router(tags=["notifications"])


class PreferencesIO(Schema):
    channels_off: list[str] = Field(default=[], description="Outside channels turned off.")
    muted_kinds: list[str] = Field(default=[], description="Kinds kept to the in-app inbox.")
    quiet_start: dt.time | None = Field(default=None, description="Local time, e.g. 22:00.")
    quiet_end: dt.time | None = Field(default=None, description="Local time, e.g. 06:00.")
    urgent_ignores_quiet: bool = True


class ErrorOut(Schema):
    detail: str
    field: str | None = None


def _out(pref) -> dict:
    return {
        "channels_off": list(pref.channels_off),
        "muted_kinds": list(pref.muted_kinds),
        "quiet_start": pref.quiet_start,
        "quiet_end": pref.quiet_end,
        "urgent_ignores_quiet": pref.urgent_ignores_quiet,
    }


@router.get("/me/notification-preferences", response=PreferencesIO, summary="My preferences")
def preferences_get(request: HttpRequest):
    return _out(services.preference_get(user=request.auth))


@router.put(
    "/me/notification-preferences",
    response={200: PreferencesIO, 422: ErrorOut},
    summary="Replace my preferences",
)
def preferences_put(request: HttpRequest, payload: PreferencesIO):
    try:
        pref = services.preference_update(user=request.auth, **payload.dict())
    except ValueError as exc:
        field, _, message = str(exc).partition(": ")
        return Status(422, {"detail": message or str(exc), "field": field if message else None})
    return _out(pref)
