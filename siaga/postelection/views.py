"""Pages of the watch after the vote (/pasca/): the overview (calendar, gatherings, PSU,
readiness per agency), the editors of watch points, gatherings and re-votes, the readiness tick
and the seeding of the default calendar.

Thin views: parse, authorise, call one service or selector, render. Anything outside the user's
scope is a 404; so are the editors for users who may not edit (the page does not exist for
them). A readiness item the user sees but may not tick (another agency's) answers 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from siaga.core.audit import AuditContext
from siaga.core.deployment import deployment_regency, deployment_voting_day
from siaga.core.errors import DomainError, PermissionDenied
from siaga.core.permissions import Action, can, require_or_404, user_scope
from siaga.postelection import selectors, services
from siaga.postelection.forms import GatheringForm, RevoteForm, TickForm, WatchPointForm
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region, Tps

OVERVIEW_DAYS = 30
LIST_LIMIT = 100


@login_required
@require_GET
def overview(request):
    """The calendar of the coming weeks, gatherings, PSU and readiness per agency."""
    user = request.user
    require_or_404(user, Action.VIEW)
    readiness = selectors.readiness_overview(user)
    for row in readiness:
        for item in row.items:
            item.may_tick = services.may_tick(user, item)
    regency = deployment_regency()
    context = {
        "entries": selectors.watch_calendar(user, days=OVERVIEW_DAYS),
        "days": OVERVIEW_DAYS,
        "post_vote": selectors.is_post_vote(),
        "voting_day": deployment_voting_day(),
        "gatherings": list(selectors.gatherings_visible(user).order_by("-planned_at")[:LIST_LIMIT]),
        "revotes": list(selectors.revotes_visible(user).order_by("-vote_on", "-pk")[:LIST_LIMIT]),
        "watchpoints": list(selectors.watchpoints_visible(user).order_by("starts_at", "pk")),
        "readiness": readiness,
        "can_edit": can(user, Action.EDIT_WATCH),
        "can_seed": can(user, Action.EDIT_WATCH, regency),
    }
    return render(request, "postelection/overview.html", context)


# --- editors -------------------------------------------------------------------------------------


def _region_choices(user, levels: tuple[str, ...]) -> list[tuple[str, str]]:
    qs = Region.objects.filter(user_scope(user).q("code"), level__in=levels).order_by("code")
    return [(code, f"{name} ({code})") for code, name in qs.values_list("code", "name")]


def _tps_choices(user) -> list[tuple[int, str]]:
    qs = (
        Tps.objects.filter(user_scope(user).q("desa__code"))
        .order_by("desa_id", "number")
        .values_list("pk", "number", "desa__name", "desa__parent__name")
    )
    return [(pk, f"{kec} · {desa} · TPS {n:03d}") for pk, n, desa, kec in qs]


EDITORS = {
    "watchpoint": {
        "form": WatchPointForm,
        "choices": lambda user: _region_choices(user, (Level.REGENCY, Level.DISTRICT)),
        "get": selectors.watchpoint_get,
        "region": lambda point: point.region_id,
        "create": services.watchpoint_create,
        "update": services.watchpoint_update,
        "arg": "watchpoint",
        "title_new": gettext_lazy("Titik rawan baru"),
        "title_edit": gettext_lazy("Ubah titik rawan"),
    },
    "gathering": {
        "form": GatheringForm,
        "choices": lambda user: _region_choices(
            user, (Level.REGENCY, Level.DISTRICT, Level.VILLAGE)
        ),
        "get": selectors.gathering_get,
        "region": lambda gathering: gathering.region_id,
        "create": services.gathering_create,
        "update": services.gathering_update,
        "arg": "gathering",
        "title_new": gettext_lazy("Rencana unjuk rasa / pengerahan massa baru"),
        "title_edit": gettext_lazy("Ubah rencana unjuk rasa / pengerahan massa"),
    },
    "revote": {
        "form": RevoteForm,
        "choices": _tps_choices,
        "get": selectors.revote_get,
        "region": lambda revote: revote.tps.desa_id,
        "create": services.revote_create,
        "update": services.revote_update,
        "arg": "revote",
        "title_new": gettext_lazy("PSU baru"),
        "title_edit": gettext_lazy("Ubah PSU"),
    },
}


def _initial(kind: str, obj) -> dict:
    form = EDITORS[kind]["form"]
    initial = {}
    for name in form.base_fields:
        value = getattr(obj, f"{name}_id" if name in ("region", "tps") else name)
        initial[name] = value
    return initial


def _values(kind: str, cleaned: dict) -> dict:
    values = dict(cleaned)
    if kind == "gathering":
        values["lat"] = values.get("lat")
        values["lon"] = values.get("lon")
    return values


def _editor(request, kind: str, pk: int | None = None):
    """The form of a new row of ``kind`` (``pk`` None) or of an existing one. A row outside the
    user's scope and a user who may not edit it both get a 404, as if it did not exist."""
    spec = EDITORS[kind]
    user = request.user
    require_or_404(user, Action.VIEW)
    obj = None
    if pk is None:
        require_or_404(user, Action.EDIT_WATCH)
    else:
        try:
            obj = spec["get"](user=user, pk=pk)
        except selectors.NotFound as exc:
            raise Http404 from exc
        require_or_404(user, Action.EDIT_WATCH, spec["region"](obj))
    choices = spec["choices"](user)
    if request.method == "POST":
        form = spec["form"](request.POST, choices=choices)
        if form.is_valid():
            context = AuditContext.from_request(request)
            try:
                if obj is None:
                    spec["create"](context=context, **_values(kind, form.cleaned_data))
                else:
                    spec["update"](
                        context=context, **{spec["arg"]: obj}, **_values(kind, form.cleaned_data)
                    )
            except services.WatchError as error:
                name = error.field if error.field in form.fields else None
                form.add_error(name, str(error))
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Tersimpan."))
                return redirect("postelection:overview")
    else:
        initial = _initial(kind, obj) if obj is not None else {}
        form = spec["form"](initial=initial or None, choices=choices)
    title = spec["title_edit"] if obj is not None else spec["title_new"]
    return render(
        request,
        "postelection/form.html",
        {"form": form, "title": title, "object": obj, "kind": kind},
    )


@login_required
@require_http_methods(["GET", "POST"])
def watchpoint_create(request):
    return _editor(request, "watchpoint")


@login_required
@require_http_methods(["GET", "POST"])
def watchpoint_edit(request, pk: int):
    return _editor(request, "watchpoint", pk)


@login_required
@require_http_methods(["GET", "POST"])
def gathering_create(request):
    return _editor(request, "gathering")


@login_required
@require_http_methods(["GET", "POST"])
def gathering_edit(request, pk: int):
    return _editor(request, "gathering", pk)


@login_required
@require_http_methods(["GET", "POST"])
def revote_create(request):
    return _editor(request, "revote")


@login_required
@require_http_methods(["GET", "POST"])
def revote_edit(request, pk: int):
    return _editor(request, "revote", pk)


# --- readiness and seeding -----------------------------------------------------------------------


@login_required
@require_POST
def readiness_tick(request, pk: int):
    """Tick (done=1) or untick (done=0) one readiness item."""
    user = request.user
    require_or_404(user, Action.VIEW)
    try:
        item = selectors.readiness_item_get(user=user, pk=pk)
    except selectors.NotFound as exc:
        raise Http404 from exc
    form = TickForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Permintaan centang tidak dikenal."))
        return redirect("postelection:overview")
    note = form.cleaned_data["note"] if "note" in request.POST else None
    service = services.readiness_tick if form.cleaned_data["done"] else services.readiness_untick
    try:
        service(context=AuditContext.from_request(request), item=item, note=note)
    except PermissionDenied as error:
        return HttpResponseForbidden(str(error))
    except DomainError as error:
        messages.error(request, str(error))
    return redirect(f"{reverse('postelection:overview')}#kesiapan-{item.agency_id}")


@login_required
@require_POST
def seed(request):
    """Create the default calendar of the deployment's regency and the readiness items."""
    user = request.user
    require_or_404(user, Action.VIEW)
    regency = deployment_regency()
    require_or_404(user, Action.EDIT_WATCH, regency)
    voting_day = deployment_voting_day()
    if voting_day is None:
        messages.error(request, _("Hari pemungutan suara belum ditetapkan."))
        return redirect("postelection:overview")
    context = AuditContext.from_request(request)
    try:
        points = services.calendar_seed(context=context, voting_day=voting_day, regency=regency)
        items = services.readiness_seed(context=context)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Kalender bawaan: %(points)s titik rawan dan %(items)s butir kesiapan ditambahkan.")
            % {"points": len(points), "items": items},
        )
    return redirect("postelection:overview")
