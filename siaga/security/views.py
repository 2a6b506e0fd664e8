"""Deployment planning pages (/pengamanan/): the overview (personnel, pattern rules, plans, and
the form that makes a plan or a what-if), one plan with its shortfalls and comparison, and the
plan's XLSX and PDF exports (whole plan or one kecamatan).

Thin views: parse, authorise with ``siaga.core.permissions``, call a selector or a service,
render. Reading needs VIEW; a plan outside the user's scope is a 404. Making a plan needs
PLAN_DEPLOYMENT: others who may read get a 403.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from siaga.core.audit import AuditContext
from siaga.core.errors import DomainError, PermissionDenied
from siaga.security import exports, selectors, services
from siaga.security.choices import UnitKind
from siaga.security.forms import PlanForm
from siaga.wilayah import selectors as wilayah_selectors
from siaga.wilayah.choices import Level

PLANS_SHOWN = 30


def _plan_form(user, data=None, initial=None) -> PlanForm:
    regions = (
        wilayah_selectors.regions_visible(user=user)
        .filter(level__in=[Level.REGENCY, Level.DISTRICT])
        .order_by("code")
        .values_list("code", "name")
    )
    units = (
        selectors.units_visible(user=user)
        .filter(active=True)
        .exclude(kind=UnitKind.LINMAS)
        .order_by("region_id", "name")
        .values_list("pk", "name")
    )
    plans = selectors.plans_visible(user=user).values_list("pk", "name")[:PLANS_SHOWN]
    return PlanForm(data, initial=initial, regions=regions, units=units, plans=plans)


def _linmas_by_kecamatan(units) -> list[dict]:
    rows = (
        units.filter(active=True, kind=UnitKind.LINMAS)
        .values("region__parent_id", "region__parent__name")
        .annotate(desa=Count("pk"), people=Sum("count"))
        .order_by("region__parent_id")
    )
    return [
        {
            "code": r["region__parent_id"],
            "name": r["region__parent__name"],
            "desa": r["desa"],
            "people": r["people"] or 0,
        }
        for r in rows
    ]


@login_required
@require_http_methods(["GET", "POST"])
def overview(request):
    """Personnel by kind, pattern rules, plans; POST makes a plan (or a what-if)."""
    user = request.user
    if not selectors.may_view(user):
        raise Http404
    may_plan = selectors.may_plan(user)
    status = 200
    if request.method == "POST":
        if not may_plan:
            raise HttpForbidden(_("Anda tidak berwenang menyusun rencana pengamanan."))
        form = _plan_form(user, request.POST)
        if form.is_valid():
            f = form.cleaned_data
            try:
                plan = services.plan_create(
                    context=AuditContext.from_request(request),
                    region_code=f["region"],
                    withdrawn=f["withdrawn"],
                    name=f["name"],
                    based_on=f["based_on"],
                    time_limit_s=f["time_limit_s"],
                )
            except PermissionDenied as exc:
                raise HttpForbidden(str(exc)) from exc
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("security:plan", pk=plan.pk)
        status = 400
    else:
        form = _plan_form(user) if may_plan else None
    units = selectors.units_visible(user=user)
    context = {
        "form": form,
        "may_plan": may_plan,
        "kinds": selectors.unit_kind_counts(units),
        "units": units.exclude(kind=UnitKind.LINMAS).order_by("region_id", "kind", "name"),
        "linmas": _linmas_by_kecamatan(units),
        "patterns": selectors.patterns_all(),
        "plans": selectors.plans_visible(user=user)[:PLANS_SHOWN],
    }
    return render(request, "security/overview.html", context, status=status)


def _plan_view(request, pk: int) -> selectors.PlanView:
    if not selectors.may_view(request.user):
        raise Http404
    try:
        plan = selectors.plan_get(user=request.user, pk=pk)
    except selectors.NotFound as exc:
        raise Http404 from exc
    return selectors.plan_view(plan)


@login_required
@require_GET
def plan_detail(request, pk: int):
    """Totals, the per-kecamatan table, shortfalls with reasons, the comparison with the plan
    it was based on, and a what-if form starting from this plan."""
    view = _plan_view(request, pk)
    plan = view.plan
    may_plan = selectors.may_plan(request.user, plan.region_id)
    form = None
    if may_plan:
        form = _plan_form(
            request.user,
            initial={
                "region": plan.region_id,
                "based_on": plan.pk,
                "withdrawn": plan.withdrawn,
                "time_limit_s": plan.parameters.get("time_limit_s", 10),
            },
        )
    context = {
        "view": view,
        "plan": plan,
        "totals": plan.totals,
        "form": form,
        "may_plan": may_plan,
    }
    return render(request, "security/plan.html", context)


def _narrowed(request, pk: int) -> tuple[selectors.PlanView, str | None]:
    view = _plan_view(request, pk)
    code = request.GET.get("kecamatan") or None
    if code and code not in {k.code for k in view.kecamatan}:
        raise Http404
    return view.only(code), code


@login_required
@require_GET
def export_xlsx(request, pk: int):
    view, code = _narrowed(request, pk)
    response = HttpResponse(
        exports.xlsx_bytes(view),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = exports.export_name(view, "xlsx", code)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def export_pdf(request, pk: int):
    view, code = _narrowed(request, pk)
    html = exports.pdf_html(view, request=request)
    response = HttpResponse(exports.pdf_bytes(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{exports.export_name(view, "pdf", code)}"'
    return response
