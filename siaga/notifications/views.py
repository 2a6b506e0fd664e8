"""The in-app inbox: a user's own notifications, newest first, and marking them read; and the
user's own notification preferences (channels, muted kinds, quiet hours).

A notification belongs to one recipient; anyone else's is a 404, as if it did not exist. The
preferences page has no id in its URL: it is always the signed-in user's own.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from siaga.core import clock
from siaga.notifications import channels as channel_registry
from siaga.notifications.forms import PreferenceForm
from siaga.notifications.kinds import kind_choices
from siaga.notifications.models import Notification
from siaga.notifications.services import preference_get, preference_update

PAGE_SIZE = 30


def _own(user):
    return Notification.objects.filter(recipient=user)


def _safe_next(request, url: str) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


@login_required
@require_GET
def inbox(request):
    notes = _own(request.user)
    only_unread = request.GET.get("belum") == "1"
    if only_unread:
        notes = notes.filter(read_at__isnull=True)
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "only_unread": only_unread,
        "unread": _own(request.user).filter(read_at__isnull=True).count(),
    }
    return render(request, "notifications/inbox.html", context)


@login_required
@require_POST
def mark_read(request, pk: int):
    """Mark one notification read; with ``open=1`` go on to what it links to."""
    note = _own(request.user).filter(pk=pk).first()
    if note is None:
        raise Http404
    if note.read_at is None:
        note.read_at = clock.now()
        note.save(update_fields=["read_at"])
    if request.POST.get("open") == "1":
        target = _safe_next(request, note.url)
        if target:
            return redirect(target)
    return redirect(_safe_next(request, request.POST.get("next", "")) or "notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    count = _own(request.user).filter(read_at__isnull=True).update(read_at=clock.now())
    messages.success(
        request,
        _("%(n)d notifikasi ditandai sudah dibaca.") % {"n": count},
    )
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    """Show and save the signed-in user's notification preferences."""
    pref = preference_get(user=request.user)
    channels = channel_registry.enabled_channels()
    shown = {channel.name for channel in channels}
    received = set(_own(request.user).values_list("kind", flat=True).distinct())
    choices = {
        "channels": [(c.name, str(getattr(c, "label", c.name))) for c in channels],
        "kinds": kind_choices(received=received, muted=set(pref.muted_kinds)),
    }
    if request.method == "POST":
        form = PreferenceForm(request.POST, **choices)
        if form.is_valid():
            data = form.cleaned_data
            # A channel the deployment does not offer now keeps the user's earlier choice.
            hidden_off = [name for name in pref.channels_off if name not in shown]
            try:
                preference_update(
                    user=request.user,
                    channels_off=[*hidden_off, *(shown - set(data["channels_on"]))],
                    muted_kinds=data["muted_kinds"],
                    quiet_start=data["quiet_start"],
                    quiet_end=data["quiet_end"],
                    urgent_ignores_quiet=data["urgent_ignores_quiet"],
                )
            except ValueError as exc:
                field, _sep, message = str(exc).partition(": ")
                form.add_error(field if field in form.fields else None, message or str(exc))
            else:
                messages.success(request, _("Preferensi notifikasi disimpan."))
                return redirect("notifications:preferences")
    elif request.method == "GET":
        form = PreferenceForm(
            initial={
                "channels_on": [name for name in shown if name not in pref.channels_off],
                "muted_kinds": pref.muted_kinds,
                "quiet_start": pref.quiet_start,
                "quiet_end": pref.quiet_end,
                "urgent_ignores_quiet": pref.urgent_ignores_quiet,
            },
            **choices,
        )
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    context = {
        "form": form,
        "channels": [
            {"name": c.name, "address": bool(c.address_for_user(request.user))} for c in channels
        ],
        "time_zone": settings.TIME_ZONE,
    }
    return render(request, "notifications/preferences.html", context)
