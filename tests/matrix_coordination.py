"""Rows of the permission matrix for TP3D coordination (merged by the lead into
tests/test_permission_matrix.py through ``API``, ``PAGES`` and the sample dicts at the end).

Each function takes the matrix's ``actor`` (duck-typed: ``get``, ``client``, ``headers``,
``principal.role``, ``covers``, ``may_open``, ``world``, ``assert_no_leak``). What the actor must
see is computed from the world, not from the code under test:
- meetings: regions the actor may open (its scope and the way down to it), for readers (VIEW);
- tasks whose region and agency's region the actor may both open: the secretariat (admins,
  analysts) all of them; liaisons and leadership their agency's (every principal speaks for
  Kesbangpol); machines none; field monitors nothing here (404);
- writes: admins and analysts (COORDINATE) within ``covers``; a liaison moves its own agency's
  tasks; leadership and machines read; machines have no session for pages.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from siaga.accounts.choices import Role
from siaga.core import clock
from siaga.core.audit import AuditContext
from tests.matrix_common import audits as _audits
from tests.matrix_common import ids as _ids
from tests.matrix_common import json_request as _json
from tests.matrix_common import login_redirect as _login_redirect
from tests.matrix_common import post as _post
from tests.matrix_common import role as _role

API_ROOT = "/api/v1/coordination"
EDITORS = (Role.ADMIN, Role.ANALYST)
AGENCY_QUEUE = (Role.LIAISON,)
OVERSEERS = (
    Role.ADMIN,
    Role.ANALYST,
    Role.LEADERSHIP,
)  # every agency's queue (the leadership reads)


# --- the world ----------------------------------------------------------------------------------


class Coordination:
    """Meetings at the regency, in Busang and in Paser; tasks to Kesbangpol (the principals'
    agency) at the regency and in Busang, to Koramil Busang, and to Polres Paser."""

    def __init__(self, world):
        from siaga.accounts.models import Agency
        from siaga.coordination import services

        system = AuditContext()
        agencies = {a.code: a for a in Agency.objects.all()}
        held = clock.now() - dt.timedelta(days=1)
        self.meetings: dict[int, str] = {}
        self.tasks: dict[int, tuple[str, str]] = {}  # task -> (agency code, region)
        due = clock.now() + dt.timedelta(days=2)
        plan = {
            "64.08": [("kesbangpol", "64.08"), ("kesbangpol", "64.08.06"), ("koramil-busang", "")],
            "64.08.06": [],
            "64.01.01": [("polres-paser", "")],
        }
        for n, (region, tasks) in enumerate(plan.items(), start=1):
            meeting = services.meeting_create(
                context=system,
                title=f"Rakor matriks {n}",
                held_at=held,
                place="Ruang rapat",
                region=region,
                attendees={a.pk: "Perwakilan" for a in agencies.values()},
            )
            self.meetings[meeting.pk] = region
            rows = [
                {"title": f"Tugas matriks {code}", "agency": agencies[code], "due_at": due}
                | ({"region": task_region} if task_region else {})
                for code, task_region in tasks
            ]
            decision = services.decision_add(
                context=system, meeting=meeting, text="Keputusan matriks", tasks=rows
            )
            for task in decision.tasks.all():
                self.tasks[task.pk] = (task.agency.code, task.region_id)
        self.kesbangpol = agencies["kesbangpol"].pk


def _co(world) -> Coordination:
    if not hasattr(world, "_coordination"):
        world._coordination = Coordination(world)
    return world._coordination


def _is_monitor(actor) -> bool:
    return _role(actor) == Role.FIELD_MONITOR


def _is_machine(actor) -> bool:
    return _role(actor) == Role.MACHINE


def _edits(actor, code: str | None = None) -> bool:
    return _role(actor) in EDITORS and (code is None or actor.covers(code))


AGENCY_REGIONS = {"kesbangpol": "64.08", "koramil-busang": "64.08.06", "polres-paser": "64.01"}


def _sees_task(actor, agency_code: str, region: str) -> bool:
    if not (actor.may_open(region) and actor.may_open(AGENCY_REGIONS[agency_code])):
        return False
    if _role(actor) in OVERSEERS:
        return True
    return _role(actor) in AGENCY_QUEUE and agency_code == actor.world.agency.code


def _moves(actor, agency_code: str, region: str) -> bool:
    if _role(actor) == Role.LIAISON:
        return agency_code == actor.world.agency.code and actor.may_open(region)
    return _edits(actor, region)


def _local_input(moment: dt.datetime) -> str:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%Y-%m-%dT%H:%M")


def _reset(pk: int) -> None:
    from siaga.coordination.models import Task

    Task.objects.filter(pk=pk).update(status="baru", completed_at=None, assignee=None)


# --- API rows -----------------------------------------------------------------------------------


def api_meetings(actor) -> None:
    co = _co(actor.world)
    response = actor.get(f"{API_ROOT}/meetings")
    if _is_monitor(actor):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    expected = {pk for pk, code in co.meetings.items() if actor.may_open(code)}
    assert {m["id"] for m in response.json()} == expected


def api_meeting_create(actor) -> None:
    from siaga.coordination.models import Meeting

    _co(actor.world)
    body = {
        "title": "Rakor baru matriks",
        "held_at": clock.now().isoformat(),
        "place": "Ruang rapat",
        "region": actor.principal.scope[0],
    }
    before, audits = Meeting.objects.count(), _audits()
    outside = _json(actor, "post", f"{API_ROOT}/meetings", body | {"region": "64.01.01"})
    response = _json(actor, "post", f"{API_ROOT}/meetings", body)
    if _is_monitor(actor):
        assert (outside.status_code, response.status_code) == (404, 404)
    elif _edits(actor):
        assert outside.status_code == 400 and outside.json()["field"] == "region"
        assert response.status_code == 201, response.content
        assert Meeting.objects.count() == before + 1 and _audits() == audits + 1
        return
    else:
        assert (outside.status_code, response.status_code) == (403, 403)
    assert Meeting.objects.count() == before and _audits() == audits


def api_meeting_detail(actor) -> None:
    co = _co(actor.world)
    for pk, code in co.meetings.items():
        response = actor.get(f"{API_ROOT}/meetings/{pk}")
        if _is_monitor(actor) or not actor.may_open(code):
            assert response.status_code == 404, pk
            continue
        assert response.status_code == 200, pk
        shown = {t["id"] for d in response.json()["decision_list"] for t in d["tasks"]}
        in_meeting = {t for t in co.tasks if _meeting_of(t) == pk}
        assert shown == {t for t in in_meeting if _sees_task(actor, *co.tasks[t])}, pk


def _meeting_of(task_pk: int) -> int:
    from siaga.coordination.models import Task

    return Task.objects.values_list("decision__meeting_id", flat=True).get(pk=task_pk)


def api_decision_add(actor) -> None:
    from siaga.coordination.models import Decision

    co = _co(actor.world)
    for pk, code in co.meetings.items():
        before, audits = Decision.objects.count(), _audits()
        response = _json(actor, "post", f"{API_ROOT}/meetings/{pk}/decisions", {"text": "Baru"})
        if _is_monitor(actor) or not actor.may_open(code):
            expected = 404
        elif _edits(actor, code):
            expected = 201
        else:
            expected = 403
        assert response.status_code == expected, (pk, response.content)
        added = Decision.objects.count() - before
        assert added == (expected == 201) and _audits() == audits + added
        Decision.objects.filter(meeting_id=pk, number__gt=1).delete()


def api_tasks(actor) -> None:
    co = _co(actor.world)
    response = actor.get(f"{API_ROOT}/tasks")
    if _is_monitor(actor):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    expected = {
        pk for pk, (agency, region) in co.tasks.items() if _sees_task(actor, agency, region)
    }
    assert {t["id"] for t in response.json()} == expected


def api_task_create(actor) -> None:
    from siaga.coordination.models import Task

    co = _co(actor.world)
    body = {
        "title": "Tugas baru matriks",
        "agency": co.kesbangpol,
        "due_at": (clock.now() + dt.timedelta(days=1)).isoformat(),
        "region": actor.principal.scope[0],
    }
    before, audits = Task.objects.count(), _audits()
    outside = _json(actor, "post", f"{API_ROOT}/tasks", body | {"region": "64.01.01"})
    response = _json(actor, "post", f"{API_ROOT}/tasks", body)
    if _is_monitor(actor):
        assert (outside.status_code, response.status_code) == (404, 404)
    elif _edits(actor):
        assert outside.status_code == 400 and outside.json()["field"] == "region"
        assert response.status_code == 201, response.content
        assert Task.objects.count() == before + 1 and _audits() == audits + 1
        return
    else:
        assert (outside.status_code, response.status_code) == (403, 403)
    assert Task.objects.count() == before and _audits() == audits


def api_task_detail(actor) -> None:
    co = _co(actor.world)
    for pk, (agency, region) in co.tasks.items():
        response = actor.get(f"{API_ROOT}/tasks/{pk}")
        visible = not _is_monitor(actor) and _sees_task(actor, agency, region)
        assert response.status_code == (200 if visible else 404), pk


def api_task_status(actor) -> None:
    from siaga.coordination.models import Task

    co = _co(actor.world)
    for pk, (agency, region) in co.tasks.items():
        audits = _audits()
        response = _json(actor, "post", f"{API_ROOT}/tasks/{pk}/status", {"status": "dikerjakan"})
        if _is_monitor(actor) or not _sees_task(actor, agency, region):
            expected = 404
        elif _moves(actor, agency, region):
            expected = 200
        else:
            expected = 403
        assert response.status_code == expected, (pk, response.content)
        moved = Task.objects.get(pk=pk).status == "dikerjakan"
        assert moved == (expected == 200) and _audits() == audits + moved
        _reset(pk)


# --- page rows ----------------------------------------------------------------------------------


def _denied_page(actor, response) -> None:
    if _is_machine(actor):
        assert _login_redirect(response)
    else:
        assert response.status_code == 404


def page_meetings(actor) -> None:
    co = _co(actor.world)
    response = actor.get(reverse("coordination:meetings"))
    if _is_machine(actor) or _is_monitor(actor):
        _denied_page(actor, response)
        return
    assert response.status_code == 200
    assert _ids(r'data-meeting="(\d+)"', response) == {
        pk for pk, code in co.meetings.items() if actor.may_open(code)
    }
    body = response.content.decode()
    assert (reverse("coordination:meeting-create") in body) == _edits(actor)


def page_meeting_create(actor) -> None:
    from siaga.coordination.models import Meeting

    _co(actor.world)
    url = reverse("coordination:meeting-create")
    before, audits = Meeting.objects.count(), _audits()
    response = actor.get(url)
    posted = _post(
        actor,
        url,
        {
            "template": "",
            "title": "Rakor halaman matriks",
            "held_at": _local_input(clock.now()),
            "place": "Ruang rapat",
            "region": actor.principal.scope[0],
        },
    )
    if not _edits(actor) or _is_machine(actor):
        _denied_page(actor, response)
        _denied_page(actor, posted)
        assert (Meeting.objects.count(), _audits()) == (before, audits)
        return
    assert response.status_code == 200
    assert posted.status_code == 302, posted.content.decode()[-2000:]
    assert Meeting.objects.count() == before + 1 and _audits() == audits + 1


def page_meeting(actor) -> None:
    co = _co(actor.world)
    for pk, code in co.meetings.items():
        response = actor.get(reverse("coordination:meeting", args=[pk]))
        if _is_machine(actor):
            assert _login_redirect(response)
        elif _is_monitor(actor) or not actor.may_open(code):
            assert response.status_code == 404, pk
        else:
            assert response.status_code == 200, pk
            in_meeting = {t for t in co.tasks if _meeting_of(t) == pk}
            assert _ids(r'data-task="(\d+)"', response) == {
                t for t in in_meeting if _sees_task(actor, *co.tasks[t])
            }
            assert ('data-form="decision"' in response.content.decode()) == _edits(actor, code)


def page_decision_add(actor) -> None:
    from siaga.coordination.models import Decision

    co = _co(actor.world)
    blank = {f"t{i}-priority": "sedang" for i in range(3)}
    for pk, code in co.meetings.items():
        before = Decision.objects.count()
        url = reverse("coordination:decision-add", args=[pk])
        response = _post(actor, url, {"text": "Keputusan halaman"} | blank)
        added = Decision.objects.count() - before
        Decision.objects.filter(meeting_id=pk, number__gt=1).delete()
        if _is_machine(actor):
            assert _login_redirect(response) and not added
        elif _edits(actor, code) and actor.may_open(code):
            assert response.status_code == 302 and added == 1, pk
        else:
            assert response.status_code == 404 and not added, pk


def page_tasks(actor) -> None:
    co = _co(actor.world)
    response = actor.get(reverse("coordination:tasks"))
    if _is_machine(actor) or _is_monitor(actor):
        _denied_page(actor, response)
        return
    assert response.status_code == 200
    assert _ids(r'data-task="(\d+)"', response) == {
        pk for pk, (agency, region) in co.tasks.items() if _sees_task(actor, agency, region)
    }


def page_task_create(actor) -> None:
    from siaga.coordination.models import Task

    co = _co(actor.world)
    url = reverse("coordination:task-create")
    before, audits = Task.objects.count(), _audits()
    response = actor.get(url)
    posted = _post(
        actor,
        url,
        {
            "title": "Tugas halaman matriks",
            "agency": str(co.kesbangpol),
            "due_at": _local_input(clock.now() + dt.timedelta(days=1)),
            "priority": "sedang",
            "region": actor.principal.scope[0],
        },
    )
    if not _edits(actor) or _is_machine(actor):
        _denied_page(actor, response)
        _denied_page(actor, posted)
        assert (Task.objects.count(), _audits()) == (before, audits)
        return
    assert response.status_code == 200
    assert posted.status_code == 302, posted.content.decode()[-2000:]
    assert Task.objects.count() == before + 1 and _audits() == audits + 1


def page_task(actor) -> None:
    co = _co(actor.world)
    for pk, (agency, region) in co.tasks.items():
        response = actor.get(reverse("coordination:task", args=[pk]))
        if _is_machine(actor):
            assert _login_redirect(response)
        elif _is_monitor(actor) or not _sees_task(actor, agency, region):
            assert response.status_code == 404, pk
        else:
            assert response.status_code == 200, pk
            shown = 'data-form="status"' in response.content.decode()
            assert shown == _moves(actor, agency, region), pk


def page_task_status(actor) -> None:
    from siaga.coordination.models import Task

    co = _co(actor.world)
    for pk, (agency, region) in co.tasks.items():
        url = reverse("coordination:task-status", args=[pk])
        response = _post(actor, url, {"status": "dikerjakan", "note": ""})
        moved = Task.objects.get(pk=pk).status == "dikerjakan"
        _reset(pk)
        if _is_machine(actor):
            assert _login_redirect(response) and not moved
        elif _is_monitor(actor) or not _sees_task(actor, agency, region):
            assert response.status_code == 404 and not moved, pk
        elif _moves(actor, agency, region):
            assert response.status_code == 302 and moved, pk
        else:
            assert response.status_code == 403 and not moved, pk


def page_task_assign(actor) -> None:
    from siaga.coordination.models import Task

    co = _co(actor.world)
    for pk, (agency, region) in co.tasks.items():
        person = actor.user.pk if agency == actor.world.agency.code else ""
        url = reverse("coordination:task-assign", args=[pk])
        response = _post(actor, url, {"assignee": str(person)})
        assigned = Task.objects.get(pk=pk).assignee_id
        _reset(pk)
        if _is_machine(actor):
            assert _login_redirect(response) and not assigned
        elif _is_monitor(actor) or not _sees_task(actor, agency, region):
            assert response.status_code == 404 and not assigned, pk
        elif _edits(actor, region):
            assert response.status_code == 302, pk
            assert assigned == (person or None), pk
        else:
            assert response.status_code == 403 and not assigned, pk


# --- the rows -----------------------------------------------------------------------------------

API = {
    ("GET", "/api/v1/coordination/meetings"): api_meetings,
    ("POST", "/api/v1/coordination/meetings"): api_meeting_create,
    ("GET", "/api/v1/coordination/meetings/{pk}"): api_meeting_detail,
    ("POST", "/api/v1/coordination/meetings/{pk}/decisions"): api_decision_add,
    ("GET", "/api/v1/coordination/tasks"): api_tasks,
    ("POST", "/api/v1/coordination/tasks"): api_task_create,
    ("GET", "/api/v1/coordination/tasks/{pk}"): api_task_detail,
    ("POST", "/api/v1/coordination/tasks/{pk}/status"): api_task_status,
}

# A sample URL per parametrised operation, for the unauthenticated checks.
API_SAMPLES = {
    "/api/v1/coordination/meetings/{pk}": "/api/v1/coordination/meetings/1",
    "/api/v1/coordination/meetings/{pk}/decisions": "/api/v1/coordination/meetings/1/decisions",
    "/api/v1/coordination/tasks/{pk}": "/api/v1/coordination/tasks/1",
    "/api/v1/coordination/tasks/{pk}/status": "/api/v1/coordination/tasks/1/status",
}

PAGES = {
    "coordination:meetings": page_meetings,
    "coordination:meeting-create": page_meeting_create,
    "coordination:meeting": page_meeting,
    "coordination:decision-add": page_decision_add,
    "coordination:tasks": page_tasks,
    "coordination:task-create": page_task_create,
    "coordination:task": page_task,
    "coordination:task-status": page_task_status,
    "coordination:task-assign": page_task_assign,
}

PAGE_ARGS = {
    "coordination:meeting": ["1"],
    "coordination:decision-add": ["1"],
    "coordination:task": ["1"],
    "coordination:task-status": ["1"],
    "coordination:task-assign": ["1"],
}
