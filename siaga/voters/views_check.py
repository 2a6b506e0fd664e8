"""The voter check page (/pemilih/cek/): a one-field phone form, answered in large type.

The officer types the NIK from the KTP (most KTP-el carry no machine-readable NIK, so "scan"
means typing) and picks the TPS (their assigned one is preselected). The page posts to itself
and shows the answer of ``siaga.voters.check.voter_check``; the NIK is never echoed back, so
the next voter's check starts blank and nothing personal stays on the screen.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from siaga.core.audit import AuditContext
from siaga.core.permissions import Action, can
from siaga.voters import check as service


def _tps_id(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() else None


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def check(request):
    """GET: the empty form; POST: check the NIK and show the answer under the form."""
    user = request.user
    if not can(user, Action.CHECK_VOTER):
        raise HttpForbidden
    choices = service.check_tps_choices(user=user)
    selected = choices[0].pk if len(choices) >= 1 else None
    result = error = None
    error_field = ""
    retry_after = None
    status = 200
    if request.method == "POST":
        selected = _tps_id(request.POST.get("tps"))
        try:
            tps = service.check_tps_resolve(user=user, tps_id=selected)
            result = service.voter_check(
                user=user,
                nik=request.POST.get("nik", ""),
                tps=tps,
                context=AuditContext.from_request(request),
            )
        except service.VoterCheckRateLimited as exc:
            error, retry_after, status = str(exc), exc.retry_after, 429
        except service.VoterCheckNotFound as exc:
            error, error_field, status = str(exc), exc.field, 404
        except service.VoterCheckError as exc:
            error, error_field, status = str(exc), exc.field, 400
    response = render(
        request,
        "voters/check.html",
        {
            "choices": choices,
            "selected": selected,
            "result": result,
            "error": error,
            "error_field": error_field,
        },
        status=status,
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


urlpatterns = [path("cek/", check, name="check")]
