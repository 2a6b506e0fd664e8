"""The in-app inbox: a user's own notifications, newest first, and marking them read.

A notification belongs to one recipient; anyone else's is a 404, as if it did not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from siaga.core import clock
from siaga.notifications.models import Notification

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
