"""Rows of the permission matrix for the watch after the vote (merged by the lead into
tests/test_permission_matrix.py through ``API``, ``PAGES`` and the sample dicts at the end).

Each function takes the matrix's ``actor`` (duck-typed: ``get``, ``client``, ``headers``,
``principal.role``, ``covers``, ``may_open``, ``world``, ``assert_no_leak``). What the actor must
see is computed from the world, not from the code under test:
- watch points and gatherings: regions the actor may open (its scope and the way down to it);
- re-votes: TPS in the actor's scope (``covers``);
- readiness: agencies whose region the actor may open;
- writes: admins and analysts (EDIT_WATCH) within ``covers``; the principals' liaisons speak for
  Kesbangpol (no EDIT_WATCH) and tick only Kesbangpol's items; leadership and machines read;
  field monitors read nothing here (404); machines have no session for pages.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from siaga.accounts.choices import Role
from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.wilayah.models import Tps
from tests.matrix_common import audits as _audits
from tests.matrix_common import ids as _ids
from tests.matrix_common import json_request as _json
from tests.matrix_common import login_redirect as _login_redirect
from tests.matrix_common import post as _post
from tests.matrix_common import role as _role

API_ROOT = "/api/v1/postelection"
EDITORS = (Role.ADMIN, Role.ANALYST)
READERS_ONLY = (Role.LEADERSHIP, Role.LIAISON, Role.MACHINE)


# --- the world ----------------------------------------------------------------------------------


class Watch:
    """The world's post-vote data, made once per world, timed around the clock's today."""

    def __init__(self, world):
        from siaga.postelection import services

        system = AuditContext()
        today = clock.local_now().date()
        for regency in ("64.08", "64.01"):
            services.calendar_seed(context=system, voting_day=today, regency=regency)
        services.readiness_seed(context=system)
        tomorrow = clock.now() + dt.timedelta(days=1)
        self.gatherings: dict[int, str] = {}
        for region in ("64.08.04", "64.08.06", "64.01.01"):
            g = services.gathering_create(
                context=system,
                title=f"Aksi matriks {region}",
                place="Lapangan",
                region=region,
                planned_at=tomorrow,
                expected_size=100,
            )
            self.gatherings[g.pk] = region
        self.revotes: dict[int, str] = {}
        for desa in ("64.08.04.1001", "64.08.06.2001", "64.01.01.2001"):
            r = services.revote_create(
                context=system,
                tps=world.tps[desa][0].pk,
                ordered_on=today,
                vote_on=today + dt.timedelta(days=2),
                reason="Matriks",
            )
            self.revotes[r.pk] = desa
        from siaga.postelection.models import ReadinessItem, WatchPoint

        self.watchpoints = dict(WatchPoint.objects.values_list("pk", "region_id"))
        # The first item of each agency: {item: (agency code, agency region)}.
        self.items: dict[int, tuple[str, str]] = {}
        for item in ReadinessItem.objects.select_related("agency").order_by("agency_id", "order"):
            if item.agency.code not in {code for code, _r in self.items.values()}:
                self.items[item.pk] = (item.agency.code, item.agency.region_id)
        self.agencies = {code: region for code, region in self.items.values()}


def _watch(world) -> Watch:
    if not hasattr(world, "_postelection"):
        world._postelection = Watch(world)
    return world._postelection


def _is_monitor(actor) -> bool:
    return _role(actor) == Role.FIELD_MONITOR


def _is_machine(actor) -> bool:
    return _role(actor) == Role.MACHINE


def _edits(actor, code: str | None = None) -> bool:
    return _role(actor) in EDITORS and (code is None or actor.covers(code))


def _may_tick(actor, agency_code: str, agency_region: str) -> bool:
    if _role(actor) == Role.LIAISON:
        return agency_code == actor.world.agency.code
    return _edits(actor, agency_region)


def _free_tps(actor) -> Tps | None:
    """A TPS in the actor's scope without an open re-vote (the second TPS of a desa)."""
    for tps in Tps.objects.order_by("pk"):
        if actor.covers(tps.desa_id) and not tps.revotes.exists():
            return tps
    return None


def _local_input(moment: dt.datetime) -> str:
    """A datetime-local form value: the page reads it in the deployment's time zone."""
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%Y-%m-%dT%H:%M")


# --- API rows -----------------------------------------------------------------------------------


def api_calendar(actor) -> None:
    watch = _watch(actor.world)
    response = actor.get(f"{API_ROOT}/calendar", {"days": 60})
    if _is_monitor(actor):
        assert response.status_code == 404
        return
    assert response.status_code == 200, response.content
    shown = {(e["source"], e["id"]) for e in response.json()["entries"]}
    expected = {("watch", pk) for pk, code in watch.watchpoints.items() if actor.may_open(code)}
    expected |= {("gathering", pk) for pk, code in watch.gatherings.items() if actor.may_open(code)}
    expected |= {("revote", pk) for pk, code in watch.revotes.items() if actor.covers(code)}
    assert shown == expected


def api_gatherings(actor) -> None:
    watch = _watch(actor.world)
    response = actor.get(f"{API_ROOT}/gatherings")
    if _is_monitor(actor):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    expected = {pk for pk, code in watch.gatherings.items() if actor.may_open(code)}
    assert {g["id"] for g in response.json()} == expected


def api_gathering_create(actor) -> None:
    from siaga.postelection.models import Gathering

    _watch(actor.world)
    body = {
        "title": "Aksi baru matriks",
        "place": "Lapangan",
        "region": actor.principal.scope[0],
        "planned_at": (clock.now() + dt.timedelta(days=2)).isoformat(),
        "expected_size": 50,
    }
    before, audits = Gathering.objects.count(), _audits()
    outside = _json(actor, "post", f"{API_ROOT}/gatherings", body | {"region": "64.01.01"})
    response = _json(actor, "post", f"{API_ROOT}/gatherings", body)
    if _is_monitor(actor):
        assert (outside.status_code, response.status_code) == (404, 404)
    elif _edits(actor):
        assert outside.status_code == 400 and outside.json()["field"] == "region"
        assert response.status_code == 201, response.content
        assert Gathering.objects.count() == before + 1 and _audits() == audits + 1
        return
    else:
        assert (outside.status_code, response.status_code) == (403, 403)
    assert Gathering.objects.count() == before and _audits() == audits


def api_gathering_update(actor) -> None:
    from siaga.postelection.models import Gathering

    watch = _watch(actor.world)
    for pk, code in watch.gatherings.items():
        audits = _audits()
        response = _json(actor, "patch", f"{API_ROOT}/gatherings/{pk}", {"expected_size": 777})
        if _is_monitor(actor) or not actor.may_open(code):
            expected = 404
        elif _edits(actor, code):
            expected = 200
        else:
            expected = 403
        assert response.status_code == expected, (pk, response.content)
        changed = Gathering.objects.get(pk=pk).expected_size == 777
        assert changed == (expected == 200) and _audits() == audits + changed
        if changed:
            Gathering.objects.filter(pk=pk).update(expected_size=100)


def api_revotes(actor) -> None:
    watch = _watch(actor.world)
    response = actor.get(f"{API_ROOT}/revotes")
    if _is_monitor(actor):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    expected = {pk for pk, desa in watch.revotes.items() if actor.covers(desa)}
    assert {r["id"] for r in response.json()} == expected


def api_revote_create(actor) -> None:
    from siaga.postelection.models import Revote

    _watch(actor.world)
    today = clock.local_now().date()
    tps = _free_tps(actor)
    assert tps is not None
    body = {
        "tps": tps.pk,
        "ordered_on": today.isoformat(),
        "vote_on": (today + dt.timedelta(days=3)).isoformat(),
        "reason": "Matriks",
    }
    paser = Tps.objects.filter(desa__code__startswith="64.01.").order_by("pk").last()
    before, audits = Revote.objects.count(), _audits()
    outside = _json(actor, "post", f"{API_ROOT}/revotes", body | {"tps": paser.pk})
    response = _json(actor, "post", f"{API_ROOT}/revotes", body)
    if _is_monitor(actor):
        assert (outside.status_code, response.status_code) == (404, 404)
    elif _edits(actor):
        assert outside.status_code == 400 and outside.json()["field"] == "tps"
        assert response.status_code == 201, response.content
        assert Revote.objects.count() == before + 1 and _audits() == audits + 1
        return
    else:
        assert (outside.status_code, response.status_code) == (403, 403)
    assert Revote.objects.count() == before and _audits() == audits


def api_readiness(actor) -> None:
    watch = _watch(actor.world)
    response = actor.get(f"{API_ROOT}/readiness")
    if _is_monitor(actor):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    rows = {r["agency_code"]: r for r in response.json()}
    expected = {code for code, region in watch.agencies.items() if actor.may_open(region)}
    assert set(rows) == expected
    for code, row in rows.items():
        may = _may_tick(actor, code, watch.agencies[code]) and not _is_machine(actor)
        assert all(item["may_tick"] == may for item in row["items"]), code


def api_readiness_tick(actor) -> None:
    from siaga.postelection.models import ReadinessItem

    watch = _watch(actor.world)
    for pk, (code, region) in watch.items.items():
        audits = _audits()
        response = _json(actor, "post", f"{API_ROOT}/readiness/{pk}/tick", {"done": True})
        if _is_monitor(actor) or not actor.may_open(region):
            expected = 404
        elif _may_tick(actor, code, region) and not _is_machine(actor):
            expected = 200
        else:
            expected = 403
        assert response.status_code == expected, (code, response.content)
        done = ReadinessItem.objects.get(pk=pk).done
        assert done == (expected == 200) and _audits() == audits + done
        ReadinessItem.objects.filter(pk=pk).update(done=False, done_at=None, done_by=None)


# --- page rows ----------------------------------------------------------------------------------


def _denied_page(actor, response) -> None:
    if _is_machine(actor):
        assert _login_redirect(response)
    else:
        assert response.status_code == 404


def page_overview(actor) -> None:
    watch = _watch(actor.world)
    response = actor.get(reverse("postelection:overview"))
    if _is_machine(actor) or _is_monitor(actor):
        _denied_page(actor, response)
        return
    assert response.status_code == 200
    body = response.content.decode()
    assert _ids(r'data-watchpoint="(\d+)"', response) == {
        pk for pk, code in watch.watchpoints.items() if actor.may_open(code)
    }
    assert _ids(r'data-gathering="(\d+)"', response) == {
        pk for pk, code in watch.gatherings.items() if actor.may_open(code)
    }
    assert _ids(r'data-revote="(\d+)"', response) == {
        pk for pk, desa in watch.revotes.items() if actor.covers(desa)
    }
    agencies = set(re.findall(r'data-agency="([\w-]+)"', body))
    assert agencies == {code for code, region in watch.agencies.items() if actor.may_open(region)}
    assert (reverse("postelection:gathering-create") in body) == _edits(actor)


def _create_page(name: str, model_path: str, form: callable):
    def check(actor) -> None:
        import importlib

        module, _dot, cls = model_path.rpartition(".")
        model = getattr(importlib.import_module(module), cls)
        _watch(actor.world)
        url = reverse(f"postelection:{name}")
        before, audits = model.objects.count(), _audits()
        response = actor.get(url)
        posted = _post(actor, url, form(actor))
        if not _edits(actor) or _is_machine(actor):
            _denied_page(actor, response)
            _denied_page(actor, posted)
            assert (model.objects.count(), _audits()) == (before, audits)
            return
        assert response.status_code == 200
        assert posted.status_code == 302, posted.content.decode()[-2000:]
        assert posted.url == reverse("postelection:overview")
        assert model.objects.count() == before + 1 and _audits() == audits + 1

    return check


def _watchpoint_form(actor) -> dict:
    start = clock.now() + dt.timedelta(days=1)
    return {
        "kind": "lainnya",
        "title": "Titik matriks",
        "place": "Lapangan",
        "region": actor.principal.scope[0],
        "starts_at": _local_input(start),
        "ends_at": _local_input(start + dt.timedelta(hours=4)),
        "note": "",
    }


def _gathering_form(actor) -> dict:
    return {
        "title": "Aksi matriks halaman",
        "place": "Lapangan",
        "region": actor.principal.scope[0],
        "planned_at": _local_input(clock.now() + dt.timedelta(days=1)),
        "expected_size": "40",
        "organiser": "",
        "permit": "ada",
        "status": "rencana",
        "lat": "",
        "lon": "",
        "note": "",
    }


def _revote_form(actor) -> dict:
    today = clock.local_now().date()
    tps = _free_tps(actor)
    return {
        "tps": str(tps.pk if tps else 0),
        "ordered_on": today.isoformat(),
        "vote_on": (today + dt.timedelta(days=3)).isoformat(),
        "reason": "Matriks",
        "ordered_by": "Bawaslu / KPU",
        "status": "diperintahkan",
        "note": "",
    }


page_watchpoint_create = _create_page(
    "watchpoint-create", "siaga.postelection.models.WatchPoint", _watchpoint_form
)
page_gathering_create = _create_page(
    "gathering-create", "siaga.postelection.models.Gathering", _gathering_form
)
page_revote_create = _create_page("revote-create", "siaga.postelection.models.Revote", _revote_form)


def _edit_page(name: str, rows: callable, covers: callable):
    def check(actor) -> None:
        watch = _watch(actor.world)
        for pk, code in rows(watch).items():
            response = actor.get(reverse(f"postelection:{name}", args=[pk]))
            if _is_machine(actor):
                assert _login_redirect(response), pk
            elif covers(actor, code) and _edits(actor, code):
                assert response.status_code == 200, pk
            else:
                assert response.status_code == 404, pk

    return check


page_watchpoint_edit = _edit_page(
    "watchpoint-edit", lambda w: w.watchpoints, lambda a, code: a.may_open(code)
)
page_gathering_edit = _edit_page(
    "gathering-edit", lambda w: w.gatherings, lambda a, code: a.may_open(code)
)
page_revote_edit = _edit_page("revote-edit", lambda w: w.revotes, lambda a, code: a.covers(code))


def page_readiness_tick(actor) -> None:
    from siaga.postelection.models import ReadinessItem

    watch = _watch(actor.world)
    for pk, (code, region) in watch.items.items():
        response = _post(actor, reverse("postelection:readiness-tick", args=[pk]), {"done": "1"})
        done = ReadinessItem.objects.get(pk=pk).done
        ReadinessItem.objects.filter(pk=pk).update(done=False, done_at=None, done_by=None)
        if _is_machine(actor):
            assert _login_redirect(response) and not done
        elif _is_monitor(actor) or not actor.may_open(region):
            assert response.status_code == 404 and not done, code
        elif _may_tick(actor, code, region):
            assert response.status_code == 302 and done, code
        else:
            assert response.status_code == 403 and not done, code


def page_seed(actor) -> None:
    from siaga.postelection.models import WatchPoint

    _watch(actor.world)
    WatchPoint.objects.filter(seed_key__startswith="rekap_ppk:64.08.04").delete()
    before = WatchPoint.objects.count()
    response = _post(actor, reverse("postelection:seed"), {})
    if _is_machine(actor):
        assert _login_redirect(response)
    elif _edits(actor, "64.08"):
        assert response.status_code == 302
        assert WatchPoint.objects.count() == before + 1
        return
    else:
        assert response.status_code == 404
    assert WatchPoint.objects.count() == before


# --- the rows -----------------------------------------------------------------------------------

API = {
    ("GET", "/api/v1/postelection/calendar"): api_calendar,
    ("GET", "/api/v1/postelection/gatherings"): api_gatherings,
    ("POST", "/api/v1/postelection/gatherings"): api_gathering_create,
    ("PATCH", "/api/v1/postelection/gatherings/{pk}"): api_gathering_update,
    ("GET", "/api/v1/postelection/revotes"): api_revotes,
    ("POST", "/api/v1/postelection/revotes"): api_revote_create,
    ("GET", "/api/v1/postelection/readiness"): api_readiness,
    ("POST", "/api/v1/postelection/readiness/{pk}/tick"): api_readiness_tick,
}

# A sample URL per parametrised operation, for the unauthenticated checks.
API_SAMPLES = {
    "/api/v1/postelection/gatherings/{pk}": "/api/v1/postelection/gatherings/1",
    "/api/v1/postelection/readiness/{pk}/tick": "/api/v1/postelection/readiness/1/tick",
}

PAGES = {
    "postelection:overview": page_overview,
    "postelection:watchpoint-create": page_watchpoint_create,
    "postelection:watchpoint-edit": page_watchpoint_edit,
    "postelection:gathering-create": page_gathering_create,
    "postelection:gathering-edit": page_gathering_edit,
    "postelection:revote-create": page_revote_create,
    "postelection:revote-edit": page_revote_edit,
    "postelection:readiness-tick": page_readiness_tick,
    "postelection:seed": page_seed,
}

PAGE_ARGS = {
    "postelection:watchpoint-edit": ["1"],
    "postelection:gathering-edit": ["1"],
    "postelection:revote-edit": ["1"],
    "postelection:readiness-tick": ["1"],
}
