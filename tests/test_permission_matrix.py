"""The permission matrix: every role x every API endpoint and page x in- and out-of-scope objects.

The world holds two kecamatan of Kutai Timur and one kecamatan of another regency (Paser).
Each principal below is a role with a scope; for each endpoint and page the matrix checks what
the principal must see (exactly the in-scope objects: list ids are compared as sets) and what it
must not (out-of-scope objects answer 404; their names never appear in a response body).

The matrix is complete by construction: ``test_every_api_operation_is_in_the_matrix`` and
``test_every_page_is_in_the_matrix`` fail as soon as an endpoint or a page is added without a
row here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from siaga.accounts.choices import AgencyKind, Role
from siaga.accounts.tokens import token_create
from siaga.api import api
from siaga.core.audit import AuditContext
from siaga.core.models import Deployment
from siaga.wilayah.models import Region, Tps
from tests import (
    matrix_coordination,
    matrix_notifications,
    matrix_postelection,
    matrix_reports,
    matrix_risk,
    matrix_security,
)
from tests.factories import AgencyFactory, UserFactory, World

# --- principals ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    key: str
    role: Role
    scope: tuple[str, ...]
    assigned_first_tps: bool = False  # a field monitor tied to the first TPS of its desa

    def __str__(self) -> str:
        return self.key


PRINCIPALS = [
    Principal("admin-regency", Role.ADMIN, ("64.08",)),
    Principal("admin-kecamatan", Role.ADMIN, ("64.08.04",)),
    Principal("analyst-regency", Role.ANALYST, ("64.08",)),
    Principal("analyst-kecamatan", Role.ANALYST, ("64.08.04",)),
    Principal("leadership-regency", Role.LEADERSHIP, ("64.08",)),
    Principal("leadership-kecamatan", Role.LEADERSHIP, ("64.08.06",)),
    Principal("liaison-regency", Role.LIAISON, ("64.08",)),
    Principal("liaison-kecamatan", Role.LIAISON, ("64.08.04",)),
    Principal("liaison-desa", Role.LIAISON, ("64.08.06.2001",)),
    Principal("monitor-tps", Role.FIELD_MONITOR, ("64.08.04.1001",), assigned_first_tps=True),
    Principal("monitor-desa", Role.FIELD_MONITOR, ("64.08.06.2002",)),
    Principal("machine-regency", Role.MACHINE, ("64.08",)),
    Principal("machine-kecamatan", Role.MACHINE, ("64.08.06",)),
]

ROLES_COVERED = {p.role for p in PRINCIPALS}


class Actor:
    """A principal in the world: its user, how it authenticates, and what it must see."""

    def __init__(self, world: World, principal: Principal, client):
        self.world, self.principal, self.client = world, principal, client
        scope = [Region.objects.get(code=code) for code in principal.scope]
        assigned = [world.tps[principal.scope[0]][0]] if principal.assigned_first_tps else None
        self.user = UserFactory(
            username=principal.key,
            role=principal.role,
            agency=world.agency,
            scope=scope,
            tps=assigned,
        )
        self.headers: dict = {}
        if principal.role == Role.MACHINE:
            self.user.set_unusable_password()
            self.user.save()
            _token, key = token_create(context=AuditContext(), user=self.user, name="matrix")
            self.headers = {"Authorization": f"Bearer {key}"}
        else:
            client.force_login(self.user)

    # What the principal must see, computed from the world, not from the code under test.

    def covers(self, code: str) -> bool:
        return any(code == s or code.startswith(s + ".") for s in self.principal.scope)

    def may_open(self, code: str) -> bool:
        return self.covers(code) or any(s.startswith(code + ".") for s in self.principal.scope)

    @property
    def is_monitor(self) -> bool:
        return self.principal.role == Role.FIELD_MONITOR

    @property
    def is_machine(self) -> bool:
        return self.principal.role == Role.MACHINE

    def regions(self) -> set[str]:
        return {c for c in Region.objects.values_list("code", flat=True) if self.covers(c)}

    def tps(self) -> set[int]:
        if self.principal.assigned_first_tps:
            return {self.world.tps[self.principal.scope[0]][0].pk}
        return {t.pk for t in Tps.objects.all() if self.covers(t.desa_id)}

    def tps_out(self) -> set[int]:
        return set(Tps.objects.values_list("pk", flat=True)) - self.tps()

    def forbidden_names(self) -> set[str]:
        """Names of regions and agencies the principal may not see (minus visible homonyms)."""
        regions = list(Region.objects.all())
        visible = {r.name for r in regions if self.may_open(r.code)}
        hidden = {r.name for r in regions if not self.may_open(r.code)}
        from siaga.accounts.models import Agency

        agencies = list(Agency.objects.all())
        visible |= {a.name for a in agencies if self.may_open(a.region_id)}
        hidden |= {a.name for a in agencies if not self.may_open(a.region_id)}
        return hidden - visible

    def get(self, url: str, params: dict | None = None):
        response = self.client.get(url, params or {}, headers=self.headers)
        self.assert_no_leak(response)
        return response

    def assert_no_leak(self, response) -> None:
        body = response.content.decode(errors="replace")
        leaked = sorted(name for name in self.forbidden_names() if name in body)
        assert not leaked, f"{self.principal}: {response.request['PATH_INFO']} shows {leaked}"


@pytest.fixture
def matrix_world(world):
    Deployment.objects.create(
        regency=world.regency,
        election_name="Pilkada Kutai Timur 2024",
        voting_day=dt.date(2024, 11, 27),
    )
    AgencyFactory(
        code="koramil-busang", name="Koramil Busang", kind=AgencyKind.TNI, region_id="64.08.06"
    )
    AgencyFactory(
        code="polres-paser", name="Polres Paser", kind=AgencyKind.POLRI, region_id="64.01"
    )
    return world


@pytest.fixture(params=PRINCIPALS, ids=str)
def actor(request, matrix_world, client) -> Actor:
    return Actor(matrix_world, request.param, client)


# --- API rows -----------------------------------------------------------------------------------


def _page_all(actor: Actor, url: str, key: str = "id") -> list:
    response = actor.get(url, {"page_size": 500})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])
    return [item[key] for item in body["items"]]


def api_regions(actor: Actor) -> None:
    codes = _page_all(actor, "/api/v1/regions", key="code")
    assert len(codes) == len(set(codes))
    assert set(codes) == actor.regions()
    for level in ("province", "regency", "district", "village"):
        codes = {r["code"] for r in actor.get("/api/v1/regions", {"level": level}).json()["items"]}
        assert codes == {c for c in actor.regions() if Region.objects.get(code=c).level == level}


def api_region_detail(actor: Actor) -> None:
    for region in Region.objects.all():
        response = actor.get(f"/api/v1/regions/{region.code}")
        if not actor.may_open(region.code):
            assert response.status_code == 404, region.code
            continue
        assert response.status_code == 200, region.code
        body = response.json()
        children = {c["code"] for c in body["children"]}
        expected = {c for c in region.children.values_list("code", flat=True) if actor.may_open(c)}
        assert children == expected, region.code
        under = {pk for pk in actor.tps() if Tps.objects.get(pk=pk).desa_id.startswith(region.code)}
        assert body["totals"]["tps"] == len(under), region.code


def api_tps_list(actor: Actor) -> None:
    ids = _page_all(actor, "/api/v1/tps")
    assert len(ids) == len(set(ids))
    assert set(ids) == actor.tps()
    # Asking for an out-of-scope region narrows to nothing; it never widens the scope.
    for code in ("64.01", "64.08.06", "64.08.04.1002"):
        asked = set(_page_all(actor, f"/api/v1/tps?region={code}"))
        assert asked <= actor.tps()


def api_tps_detail(actor: Actor) -> None:
    for pk in actor.tps():
        assert actor.get(f"/api/v1/tps/{pk}").status_code == 200
    for pk in actor.tps_out():
        assert actor.get(f"/api/v1/tps/{pk}").status_code == 404


def api_agencies(actor: Actor) -> None:
    response = actor.get("/api/v1/agencies")
    assert response.status_code == 200
    from siaga.accounts.models import Agency

    expected = {a.code for a in Agency.objects.all() if actor.may_open(a.region_id)}
    assert {a["code"] for a in response.json()} == expected


def api_me(actor: Actor) -> None:
    response = actor.get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == actor.user.username and body["role"] == actor.principal.role
    assert [r["code"] for r in body["scope"]] == list(actor.principal.scope)


def api_map(actor: Actor) -> None:
    response = actor.get("/api/v1/map")
    if actor.is_monitor:  # field monitors have no map; they work from their TPS list
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert {row[0] for row in response.json()["tps"]} == actor.tps()
    for region in Region.objects.all():
        response = actor.get("/api/v1/map", {"region": region.code})
        assert response.status_code == (200 if actor.may_open(region.code) else 404), region.code
        if response.status_code == 200:
            assert {row[0] for row in response.json()["tps"]} <= actor.tps()


# --- logistics ----------------------------------------------------------------------------------


def _logistics(world: World) -> dict:
    """Shipments to every place of the world (and one to Paser), all in transit, one tinta each,
    with a replacement request per shipment. Returns {code: shipment}."""
    from siaga.logistics.catalogue import catalogue_seed
    from siaga.logistics.models import ItemType, ReplacementRequest, Shipment, ShipmentLine

    existing = {s.code: s for s in Shipment.objects.all()}
    if existing:
        return existing
    catalogue_seed(context=AuditContext())
    tinta = ItemType.objects.get(code="tinta")
    kpu = AgencyFactory(
        code="kpu-kutim", name="KPU Kutai Timur", kind=AgencyKind.KPU, region_id="64.08"
    )
    departure = dt.datetime(2024, 11, 24, 8, tzinfo=dt.UTC)
    legs = [
        ("PPK-" + k.code[-2:], "kpu_ppk", world.regency, k, None)
        for k in (world.kec_a, world.kec_b)
    ]
    legs += [
        ("PPS-" + d.code.replace(".", "")[-6:], "ppk_pps", d.parent, d, None)
        for d in (world.desa_a1, world.desa_a2, world.desa_b1, world.desa_b2, world.desa_other)
    ]
    legs += [
        (f"KPPS-{t.desa_id.replace('.', '')[-6:]}-{t.number}", "pps_kpps", t.desa, t.desa, t)
        for tps_list in world.tps.values()
        for t in tps_list
    ]
    shipments = {}
    for code, stage, origin, destination, tps in legs:
        shipment = Shipment.objects.create(
            code=code,
            stage=stage,
            origin_region=origin,
            destination_region=destination,
            destination_tps=tps,
            mode="road",
            planned_departure=departure,
            planned_arrival=departure + dt.timedelta(hours=4),
            status="in_transit",
        )
        ShipmentLine.objects.create(shipment=shipment, item=tinta, quantity=1)
        ReplacementRequest.objects.create(
            shipment=shipment,
            item=tinta,
            region=destination,
            quantity=1,
            reason="kekurangan",
            assigned_agency=kpu,
            deadline=departure + dt.timedelta(days=2),
        )
        shipments[code] = shipment
    return shipments


def _expected_shipments(actor: Actor, shipments: dict) -> set[str]:
    """Shipments the principal must see: destination covered; an assigned TPS narrows KPPS legs."""
    assigned = actor.tps() if actor.principal.assigned_first_tps else None
    return {
        code
        for code, s in shipments.items()
        if actor.covers(s.destination_region_id)
        and (assigned is None or s.destination_tps_id is None or s.destination_tps_id in assigned)
    }


def api_logistics_shipments(actor: Actor) -> None:
    shipments = _logistics(actor.world)
    codes = _page_all(actor, "/api/v1/logistics/shipments", key="code")
    assert len(codes) == len(set(codes))
    assert set(codes) == _expected_shipments(actor, shipments)
    # Asking for an out-of-scope region narrows to nothing; it never widens the scope.
    response = actor.get("/api/v1/logistics/shipments", {"region": "64.01", "page_size": 500})
    assert response.status_code == 200 and response.json()["items"] == []


def api_logistics_shipment_detail(actor: Actor) -> None:
    shipments = _logistics(actor.world)
    expected = _expected_shipments(actor, shipments)
    for code in shipments:
        response = actor.get(f"/api/v1/logistics/shipments/{code}")
        assert response.status_code == (200 if code in expected else 404), code


def api_logistics_handover(actor: Actor) -> None:
    """Admins receive anywhere in scope; field monitors only at their places; others read."""
    shipments = _logistics(actor.world)
    visible = _expected_shipments(actor, shipments)
    for code in shipments:
        response = actor.client.post(
            "/api/v1/logistics/handovers",
            {
                "shipment_code": code,
                "idempotency_key": f"{actor.principal.key}-{code}",
                "received_at": "2024-11-24T12:00:00+08:00",
                "handed_by": "A",
                "received_by": "B",
                "lines": '[{"item": "tinta", "received": 1}]',
            },
            headers=actor.headers,
        )
        actor.assert_no_leak(response)
        if code not in visible:
            expected = 404
        elif actor.principal.role == Role.ADMIN or actor.is_monitor:
            expected = 201
        else:
            expected = 403
        assert response.status_code == expected, (code, response.content)


def api_logistics_reconciliation(actor: Actor) -> None:
    _logistics(actor.world)
    response = actor.get("/api/v1/logistics/reconciliation")
    assert response.status_code == 200
    assert response.json()["total"]["tps"] == len(actor.tps())
    for region in Region.objects.all():
        response = actor.get("/api/v1/logistics/reconciliation", {"region": region.code})
        assert response.status_code == (200 if actor.may_open(region.code) else 404), region.code
        if response.status_code == 200:
            shown = {row["tps_id"] for row in response.json()["ballot_short"]}
            assert shown <= actor.tps()


def api_logistics_at_risk(actor: Actor) -> None:
    shipments = _logistics(actor.world)
    response = actor.get("/api/v1/logistics/at-risk")
    assert response.status_code == 200
    # Long past H-1 of 2024, every open shipment is late.
    assert {r["shipment"]["code"] for r in response.json()} == _expected_shipments(actor, shipments)


def api_logistics_replacements(actor: Actor) -> None:
    shipments = _logistics(actor.world)
    codes = _page_all(actor, "/api/v1/logistics/replacements", key="shipment")
    assert set(codes) == _expected_shipments(actor, shipments)


def api_logistics_layer(actor: Actor) -> None:
    shipments = _logistics(actor.world)
    response = actor.get("/api/v1/logistics/layer")
    assert response.status_code == 200
    body = response.json()
    assert {s["code"] for s in body["shipments"]} == _expected_shipments(actor, shipments)
    assert body["total"]["tps"] == len(actor.tps())
    for region in Region.objects.all():
        response = actor.get("/api/v1/logistics/layer", {"region": region.code})
        assert response.status_code == (200 if actor.may_open(region.code) else 404), region.code


# --- incidents ----------------------------------------------------------------------------------


def _incidents(world: World) -> dict:
    """One report at the first TPS of each desa (the other regency's made directly), every
    other one shared with the principals' agency; returns {ticket: (desa code, shared)}."""
    from siaga.core import clock
    from siaga.incidents.catalogue import categories_seed
    from siaga.incidents.models import Category, Incident
    from siaga.incidents.services import IncidentInput, incident_submit

    if hasattr(world, "_incidents"):
        return world._incidents
    categories_seed(context=AuditContext())
    made = {}
    for n, (code, tps) in enumerate(sorted(world.tps.items())):
        if code.startswith("64.08."):
            incident = incident_submit(
                context=AuditContext(),
                channel="public",
                data=IncidentInput(
                    category="lainnya",
                    description=f"Kejadian matriks nomor {n}",
                    tps_id=tps[0].pk,
                    lat=tps[0].lat,
                    lon=tps[0].lon,
                    media=[(_jpeg(), "foto.jpg")],
                ),
            ).incident
        else:
            now = clock.now()
            incident = Incident.objects.create(
                ticket=f"LK-OUT{n:03d}",
                channel="public",
                category=Category.objects.get(code="lainnya"),
                description="Kejadian di kabupaten lain",
                occurred_at=now,
                received_at=now,
                state_changed_at=now,
                region_id=code,
                tps=tps[0],
                severity="rendah",
            )
        shared = n % 2 == 0
        if shared:
            incident.shared_with.add(world.agency)
        made[incident.ticket] = (code, shared)
    world._incidents = made
    return made


def _jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="JPEG")
    return buffer.getvalue()


def _expected_incidents(actor: Actor, incidents: dict) -> set[str]:
    if actor.is_monitor:
        return set()  # field monitors see the reports they sent, and they sent none
    agency_bound = actor.principal.role in (Role.LIAISON, Role.MACHINE)
    return {
        ticket
        for ticket, (code, shared) in incidents.items()
        if actor.covers(code) and (shared or not agency_bound)
    }


def _may_triage(actor: Actor) -> bool:
    return actor.principal.role in (Role.ADMIN, Role.ANALYST)


def api_incident_categories(actor: Actor) -> None:
    _incidents(actor.world)
    response = actor.get("/api/v1/incidents/categories")
    assert response.status_code == 200
    assert "politik-uang" in {c["code"] for c in response.json()}


def api_incident_list(actor: Actor) -> None:
    incidents = _incidents(actor.world)
    tickets = _page_all(actor, "/api/v1/incidents", key="ticket")
    assert set(tickets) == _expected_incidents(actor, incidents)
    response = actor.get("/api/v1/incidents", {"region": "64.01", "page_size": 500})
    assert response.status_code == 200 and response.json()["count"] == 0 or actor.covers("64.01")


def api_incident_layer(actor: Actor) -> None:
    incidents = _incidents(actor.world)
    response = actor.get("/api/v1/incidents/layer")
    assert response.status_code == 200
    assert {p["ticket"] for p in response.json()} == _expected_incidents(actor, incidents)


def api_incident_detail(actor: Actor) -> None:
    incidents = _incidents(actor.world)
    expected = _expected_incidents(actor, incidents)
    for ticket in incidents:
        response = actor.get(f"/api/v1/incidents/{ticket}")
        assert response.status_code == (200 if ticket in expected else 404), ticket
        if response.status_code == 200:
            body = response.json()
            assert (body["allowed_transitions"] != []) == _may_triage(actor), ticket
            assert body["reporter"] in ("warga", "anonim", "-") or _may_triage(actor)


def api_incident_create(actor: Actor) -> None:
    from siaga.incidents.models import Incident

    _incidents(actor.world)
    for code, tps_list in sorted(actor.world.tps.items()):
        tps = tps_list[1]
        before = Incident.objects.count()
        response = actor.client.post(
            "/api/v1/incidents",
            {
                "idempotency_key": f"{actor.principal.key}-{tps.pk}",
                "category": "intimidasi",
                "description": "Matriks: laporan dari lapangan",
                "tps": tps.pk,
            },
            headers=actor.headers,
        )
        actor.assert_no_leak(response)
        in_scope = actor.covers(code) and (
            not actor.principal.assigned_first_tps or tps.pk in actor.tps()
        )
        assert response.status_code == (201 if in_scope else 404), (code, response.content)
        assert Incident.objects.count() == before + (1 if in_scope else 0)
        if in_scope:  # the reporter sees their own report, whatever their role
            ticket = response.json()["ticket"]
            assert actor.get(f"/api/v1/incidents/{ticket}").status_code == 200


def _incident_posts(actor: Actor, path: str, payload: dict, ok: int) -> None:
    import json

    incidents = _incidents(actor.world)
    expected = _expected_incidents(actor, incidents)
    for ticket in incidents:
        audit = _audit_count()
        response = actor.client.post(
            f"/api/v1/incidents/{ticket}/{path}",
            json.dumps(payload),
            content_type="application/json",
            headers=actor.headers,
        )
        actor.assert_no_leak(response)
        if ticket not in expected:
            assert response.status_code == 404, ticket
        elif _may_triage(actor):
            assert response.status_code == ok, (ticket, response.content)
            assert _audit_count() > audit
            continue
        else:
            assert response.status_code == 403, ticket
        assert _audit_count() == audit, ticket


def api_incident_transition(actor: Actor) -> None:
    _incident_posts(actor, "transition", {"state": "diverifikasi"}, 200)


def api_incident_note(actor: Actor) -> None:
    _incident_posts(actor, "notes", {"text": "Catatan matriks"}, 201)


def api_incident_share(actor: Actor) -> None:
    AgencyFactory(code="bawaslu-kutim", name="Bawaslu Kutai Timur", kind=AgencyKind.BAWASLU)
    _incident_posts(actor, "share", {"agencies": ["bawaslu-kutim"]}, 200)


# --- checklists ---------------------------------------------------------------------------------


def _checklists(world: World) -> dict:
    """Seeded templates; voting day long past, so every checklist of every TPS is missing."""
    from siaga.checklists.catalogue import checklist_templates_seed
    from siaga.checklists.models import ChecklistTemplate

    if not hasattr(world, "_templates"):
        checklist_templates_seed(context=AuditContext())
        world._templates = {t.phase: t for t in ChecklistTemplate.objects.filter(active=True)}
    return world._templates


def _may_submit_field(actor: Actor) -> bool:
    return actor.principal.role in (Role.ADMIN, Role.ANALYST, Role.FIELD_MONITOR)


def api_checklist_templates(actor: Actor) -> None:
    templates = _checklists(actor.world)
    response = actor.get("/api/v1/checklists/templates")
    assert response.status_code == 200
    assert {t["phase"] for t in response.json()} == set(templates)


def api_checklist_submit(actor: Actor) -> None:
    from siaga.checklists.models import ChecklistSubmission

    template = _checklists(actor.world)["after"]
    answers = {
        item["key"]: ("ya" if item["kind"] == "yes_no" else "07:00" if item["kind"] == "time"
                      else 1 if item["kind"] == "number" else "baik")
        for item in template.items
        if item["kind"] != "photo"
    }  # fmt: skip
    import json

    for tps in Tps.objects.all():
        before = ChecklistSubmission.objects.count()
        response = actor.client.post(
            "/api/v1/checklists/submissions",
            {
                "idempotency_key": f"{actor.principal.key}-{tps.pk}",
                "tps": tps.pk,
                "template": template.pk,
                "answers": json.dumps(answers),
            },
            headers=actor.headers,
        )
        actor.assert_no_leak(response)
        if tps.pk not in actor.tps():
            expected = 404
        elif _may_submit_field(actor):
            expected = 201
        else:
            expected = 403
        assert response.status_code == expected, (tps.pk, response.content)
        assert ChecklistSubmission.objects.count() == before + (expected == 201)


def api_checklist_status(actor: Actor) -> None:
    _checklists(actor.world)
    response = actor.get("/api/v1/checklists/status")
    assert response.status_code == 200
    assert {p["tps"]["id"] for p in response.json()["problems"]} == actor.tps()
    for region in Region.objects.all():
        response = actor.get("/api/v1/checklists/status", {"region": region.code})
        assert response.status_code == (200 if actor.may_open(region.code) else 404), region.code


def api_checklist_tps(actor: Actor) -> None:
    _checklists(actor.world)
    for tps in Tps.objects.all():
        response = actor.get(f"/api/v1/checklists/tps/{tps.pk}")
        assert response.status_code == (200 if tps.pk in actor.tps() else 404), tps.pk


# --- voter roll ---------------------------------------------------------------------------------
# The principals' liaisons speak for Kesbangpol (PEMDA): none holds KPU's or Bawaslu's powers on
# the roll (import, review, unmasked NIK); tests/voters covers those agencies. Here: admins and
# analysts import and review; admins, analysts and field monitors check a NIK at a TPS; the
# readers of the situation room (leadership, liaisons, machines) see the duplicate counts only.

VOTERS_API = "/api/v1/voters"


@dataclass
class Roll:
    """The world's voter roll: a voter at the first TPS of each desa (Paser's too), one more
    Paser row copying its voter, three pairs, three imports with a rejected row each, a run."""

    voters: dict  # desa code -> Voter at its first TPS
    copy: object  # the Paser copy, at the second TPS of Kasungai
    pairs: dict  # key -> DuplicatePair
    imports: dict  # key -> DptImport
    rejected: dict  # import key -> the name on its rejected row
    run: object  # the LinkageRun that found the pairs

    @property
    def all_voters(self) -> list:
        return [*self.voters.values(), self.copy]

    def voter_names(self) -> set[str]:
        return {v.name for v in self.all_voters} | set(self.rejected.values())

    def pair_names(self, keys) -> set[str]:
        return {v.name for key in keys for v in (self.pairs[key].voter_l, self.pairs[key].voter_r)}


ROLL_NAMES = ["AGUS MATRIKS", "BUDI MATRIKS", "CANDRA MATRIKS", "DEDI MATRIKS", "EKO MATRIKS"]


def _roll(world: World) -> Roll:
    """Built once per world; statuses are read back from the database by the rows that change
    them (each test runs in its own transaction)."""
    from siaga.voters.models import (
        DptImport,
        DuplicatePair,
        JobStatus,
        LinkageRun,
        PairStatus,
        RejectedRow,
        Voter,
    )

    if hasattr(world, "_roll"):
        return world._roll
    born = dt.date(1980, 5, 12)
    voters = {}
    for n, (code, tps) in enumerate(sorted(world.tps.items())):
        voters[code] = Voter.objects.create(
            voter_id=f"MTX{n:03d}",
            nik=f"{code[:8].replace('.', '')}120580{n + 1:04d}",
            nkk=f"{code[:8].replace('.', '')}0101{n + 1:06d}",
            name=ROLL_NAMES[n],
            birth_place="Sangatta",
            birth_date=born,
            sex="L",
            address=f"JL. MATRIKS NO. {n + 1}",
            desa_id=code,
            tps=tps[0],
        )
    paser = voters["64.01.01.2001"]
    copy = Voter.objects.create(
        voter_id="MTX-COPY",
        nik=paser.nik,
        nkk=paser.nkk,
        name="EKA MATRIKS",
        birth_date=born,
        sex="L",
        address="JL. PASER NO. 9",
        desa_id=paser.desa_id,
        tps=world.tps[paser.desa_id][1],
    )
    run = LinkageRun.objects.create(
        status=JobStatus.DONE, threshold=0.9, voters=6, pairs_found=3, progress="selesai"
    )
    evidence = {"source": "engine", "fields": {"name": {"level": "sama", "bf": 50.0}}, "why": "x"}

    def pair(a, b, klass: str, status: str) -> DuplicatePair:
        left, right = sorted((a, b), key=lambda v: v.pk)
        return DuplicatePair.objects.create(
            voter_l=left,
            voter_r=right,
            run=run,
            probability=0.97,
            klass=klass,
            status=status,
            evidence=evidence,
        )

    pairs = {
        # Each Kutai Timur pair lies within one kecamatan: a kecamatan's reviewer sees both sides.
        "sangatta": pair(
            voters["64.08.04.1001"], voters["64.08.04.1002"], "K1", PairStatus.SUSPECTED
        ),
        "busang": pair(
            voters["64.08.06.2001"], voters["64.08.06.2002"], "K3", PairStatus.CONFIRMED
        ),
        "paser": pair(paser, copy, "K1", PairStatus.CONFIRMED),
    }
    imports, rejected = {}, {}
    for key, scope in (("kutim", "64.08"), ("sangatta", "64.08.04"), ("paser", "64.01")):
        dpt_import = DptImport.objects.create(
            file_name=f"dpt-matriks-{key}.csv",
            sha256=f"{key:0>64}",
            scope_code=scope,
            status=JobStatus.DONE,
            rows_total=2,
            rows_read=2,
            rows_accepted=1,
            rows_rejected=1,
        )
        rejected[key] = f"DITOLAK MATRIKS {key.upper()}"
        RejectedRow.objects.create(
            dpt_import=dpt_import,
            row_number=3,
            values={"nik": f"{scope.replace('.', '')[:6]:0<6}1205809999", "name": rejected[key]},
            errors=[{"field": "tps", "code": "tps_unknown", "message": "TPS tidak dikenal"}],
        )
        imports[key] = dpt_import
    world._roll = Roll(voters, copy, pairs, imports, rejected, run)
    return world._roll


def _may_review_voters(actor: Actor) -> bool:
    return actor.principal.role in (Role.ADMIN, Role.ANALYST)


_may_import_dpt = _may_review_voters  # the same two roles here (KPU liaisons would add both)


def _may_run_search(actor: Actor) -> bool:
    """The search covers the whole roll: reviewers whose scope is the whole regency."""
    return _may_review_voters(actor) and actor.covers("64.08")


def _may_check_voter(actor: Actor) -> bool:
    return actor.principal.role in (Role.ADMIN, Role.ANALYST, Role.FIELD_MONITOR)


def _may_see_duplicate_counts(actor: Actor) -> bool:
    return not actor.is_monitor  # VIEW (readers) or REVIEW_VOTERS; field monitors have neither


def _sees_nik(actor: Actor) -> bool:
    return actor.principal.role == Role.ADMIN  # VIEW_PERSONAL: admins only among the principals


def _shown_nik(actor: Actor, nik: str) -> str:
    from siaga.voters.privacy import mask_nik

    return nik if _sees_nik(actor) else mask_nik(nik)


def _expected_pairs(actor: Actor, roll: Roll, statuses: tuple[str, ...] | None = None) -> set:
    """Pair keys a reviewer must see: either voter's desa in the scope (others: none)."""
    from siaga.voters.models import DuplicatePair

    if not _may_review_voters(actor):
        return set()
    status = dict(DuplicatePair.objects.values_list("pk", "status"))
    return {
        key
        for key, p in roll.pairs.items()
        if (actor.covers(p.voter_l.desa_id) or actor.covers(p.voter_r.desa_id))
        and (statuses is None or status[p.pk] in statuses)
    }


def _expected_imports(actor: Actor, roll: Roll) -> set[str]:
    """Import keys an importer must see: those whose region the scope covers."""
    return {key for key, i in roll.imports.items() if actor.covers(i.scope_code)}


def _expected_counts(actor: Actor, roll: Roll, level: str, statuses: tuple[str, ...]) -> dict:
    """unit -> class -> pair keys, counting only the pair sides that lie in the scope."""
    from siaga.voters.models import DuplicatePair

    status = dict(DuplicatePair.objects.values_list("pk", "status"))
    out: dict[str, dict[str, set]] = {}
    for key, p in roll.pairs.items():
        if status[p.pk] not in statuses:
            continue
        for v in (p.voter_l, p.voter_r):
            if not actor.covers(v.desa_id):
                continue
            unit = {"kecamatan": v.desa_id[:8], "desa": v.desa_id, "tps": str(v.tps_id)}[level]
            out.setdefault(unit, {}).setdefault(p.klass, set()).add(key)
    return out


def _names_in(roll: Roll, text: str) -> set[str]:
    """Voter names (and rejected rows' names) found in ``text``."""
    return {name for name in roll.voter_names() if name in text}


def _set_pair_status(roll: Roll, status: str) -> None:
    from siaga.voters.models import DuplicatePair

    DuplicatePair.objects.filter(pk__in=[p.pk for p in roll.pairs.values()]).update(status=status)


def api_voter_pairs(actor: Actor) -> None:
    roll = _roll(actor.world)
    url = f"{VOTERS_API}/pairs"
    response = actor.get(url, {"page_size": 500})
    assert response.status_code == 200  # an empty queue for those who may not review
    body = response.json()
    expected = _expected_pairs(actor, roll)
    assert {i["id"] for i in body["items"]} == {roll.pairs[k].pk for k in expected}
    assert _names_in(roll, response.content.decode()) == roll.pair_names(expected)
    voters = {v.pk: v for v in roll.all_voters}
    for item in body["items"]:
        for side in ("voter_l", "voter_r"):
            voter = voters[item[side]["id"]]
            assert item[side]["nik"] == _shown_nik(actor, voter.nik)
            assert item[side]["nkk"] == _shown_nik(actor, voter.nkk)
    # Asking for an out-of-scope region narrows to nothing; it never widens the scope.
    for code in ("64.01", "64.08.06", "64.08.04.1002"):
        asked = {i["id"] for i in actor.get(url, {"region": code}).json()["items"]}
        assert asked <= {roll.pairs[k].pk for k in expected}, code


def api_voter_pair_detail(actor: Actor) -> None:
    roll = _roll(actor.world)
    expected = _expected_pairs(actor, roll)
    for key, pair in roll.pairs.items():
        response = actor.get(f"{VOTERS_API}/pairs/{pair.pk}")
        assert response.status_code == (200 if key in expected else 404), key
        shown = _names_in(roll, response.content.decode())
        assert shown == (roll.pair_names([key]) if key in expected else set()), key
        if response.status_code == 200:
            body = response.json()
            assert body["voter_l"]["nik"] == _shown_nik(actor, pair.voter_l.nik), key
            assert body["evidence"]["name"]["level"] == "sama", key


def _pair_decisions(actor: Actor, action: str, payload: dict, before: str, after: str) -> None:
    import json

    from siaga.voters.models import DuplicatePair

    roll = _roll(actor.world)
    _set_pair_status(roll, before)
    expected = _expected_pairs(actor, roll)
    for key, pair in roll.pairs.items():
        audit = _audit_count()
        response = actor.client.post(
            f"{VOTERS_API}/pairs/{pair.pk}/{action}",
            json.dumps(payload),
            content_type="application/json",
            headers=actor.headers,
        )
        actor.assert_no_leak(response)
        status = DuplicatePair.objects.get(pk=pair.pk).status
        if key in expected:  # reviewers, in their scope
            assert response.status_code == 200, (key, response.content)
            assert response.json()["status"] == after == status, key
            assert _audit_count() == audit + 1, key
        else:  # not a reviewer, or outside the scope: the pair does not exist for them
            assert response.status_code == 404, (key, response.content)
            assert status == before and _audit_count() == audit, key
            assert not _names_in(roll, response.content.decode()), key


def api_voter_pair_confirm(actor: Actor) -> None:
    _pair_decisions(actor, "confirm", {"note": "matriks"}, "diduga", "terkonfirmasi")


def api_voter_pair_dismiss(actor: Actor) -> None:
    _pair_decisions(actor, "dismiss", {"note": "bukan ganda"}, "diduga", "ditolak")


def api_voter_pair_reopen(actor: Actor) -> None:
    _pair_decisions(actor, "reopen", {"note": "periksa lagi"}, "terkonfirmasi", "diduga")


def api_voter_duplicate_summary(actor: Actor) -> None:
    roll = _roll(actor.world)
    url = f"{VOTERS_API}/duplicates/summary"
    if not _may_see_duplicate_counts(actor):
        assert actor.get(url).status_code == 404
        return
    for level in ("kecamatan", "desa", "tps"):
        response = actor.get(url, {"level": level})
        assert response.status_code == 200, level
        expected = _expected_counts(actor, roll, level, ("terkonfirmasi",))
        rows = {r["code"]: r for r in response.json()["rows"]}
        assert set(rows) == set(expected), level
        for code, by_class in expected.items():
            counts = {k: len(by_class.get(k, ())) for k in ("K1", "K2", "K3")}
            row = rows[code]
            assert (row["k1"], row["k2"], row["k3"]) == (counts["K1"], counts["K2"], counts["K3"])
            assert row["double"] == counts["K1"] + counts["K3"], (level, code)
        assert not _names_in(roll, response.content.decode()), level  # counts, never names
    assert actor.get(url, {"level": "rt"}).status_code == 400


def api_voter_duplicate_map(actor: Actor) -> None:
    roll = _roll(actor.world)
    response = actor.get(f"{VOTERS_API}/duplicates/map")
    if not _may_see_duplicate_counts(actor):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    expected = _expected_counts(actor, roll, "tps", ("terkonfirmasi", "diduga"))
    points = {p["tps_id"]: p for p in response.json()}
    assert {str(pk) for pk in points} == set(expected)
    assert set(points) <= actor.tps()
    assert not _names_in(roll, response.content.decode())
    body = response.content.decode().lower()
    assert "nik" not in body and not any(v.nik in body for v in roll.all_voters)


def api_voter_linkage_run_create(actor: Actor) -> None:
    import json

    from siaga.voters.models import LinkageRun

    _roll(actor.world)
    before, audit = LinkageRun.objects.count(), _audit_count()
    response = actor.client.post(
        f"{VOTERS_API}/linkage-runs",
        json.dumps({"threshold": 0.9}),
        content_type="application/json",
        headers=actor.headers,
    )
    actor.assert_no_leak(response)
    if _may_run_search(actor):  # IMPORT_DPT or REVIEW_VOTERS over the regency start a search
        assert response.status_code == 202, response.content
        assert LinkageRun.objects.count() == before + 1
        run = LinkageRun.objects.get(pk=response.json()["id"])
        assert run.created_by == actor.user and run.status == "antri"
        # One search at a time over one roll.
        again = actor.client.post(
            f"{VOTERS_API}/linkage-runs",
            "{}",
            content_type="application/json",
            headers=actor.headers,
        )
        assert again.status_code == 409 and LinkageRun.objects.count() == before + 1
        assert _audit_count() == audit + 1  # the queued run, not the refused one
    else:
        assert response.status_code == 403, response.content
        assert LinkageRun.objects.count() == before and _audit_count() == audit


def api_voter_linkage_run_detail(actor: Actor) -> None:
    roll = _roll(actor.world)
    response = actor.get(f"{VOTERS_API}/linkage-runs/{roll.run.pk}")
    if _may_run_search(actor):
        assert response.status_code == 200
        assert response.json()["pairs_found"] == 3
        assert actor.get(f"{VOTERS_API}/linkage-runs/{roll.run.pk + 100}").status_code == 404
    else:
        assert response.status_code == 404


def api_voter_imports(actor: Actor) -> None:
    roll = _roll(actor.world)
    url = f"{VOTERS_API}/imports"
    if not _may_import_dpt(actor):
        response = actor.get(url)
        assert response.status_code == 403
        assert "dpt-matriks" not in response.content.decode()
        return
    ids = _page_all(actor, url)
    assert set(ids) == {roll.imports[k].pk for k in _expected_imports(actor, roll)}


def api_voter_import_detail(actor: Actor) -> None:
    roll = _roll(actor.world)
    expected = _expected_imports(actor, roll)
    for key, dpt_import in roll.imports.items():
        response = actor.get(f"{VOTERS_API}/imports/{dpt_import.pk}")
        if not _may_import_dpt(actor):  # refused before any lookup: says nothing of the import
            assert response.status_code == 403, key
        else:
            assert response.status_code == (200 if key in expected else 404), key
        body = response.content.decode()
        assert (dpt_import.file_name in body) == (response.status_code == 200), key
        if response.status_code == 200:
            assert response.json()["region"] == dpt_import.scope_code


def _dpt_csv(actor: Actor, desa: str) -> bytes:
    """A one-row DPT file, distinct per principal (its content is what identifies an import)."""
    tps = Tps.objects.filter(desa_id=desa).order_by("number").first()
    return (
        "id,nik,nkk,name,birth_place,birth_date,sex,marital_status,address,rt,rw,"
        "region_code,tps,disability\n"
        f"UP-{actor.principal.key},{desa[:8].replace('.', '')}1205800777,"
        f"{desa[:8].replace('.', '')}0101000777,PEMILIH UNGGAHAN,Sangatta,1980-05-12,L,S,"
        f"JL. UNGGAH,001,001,{desa},{tps.number},\n"
    ).encode()


def _upload(actor: Actor, desa: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("dpt-unggah.csv", _dpt_csv(actor, desa), content_type="text/csv")


@contextlib.contextmanager
def _data_dir():
    """Uploaded DPT files go to a folder of the test's own (deleted afterwards)."""
    import tempfile

    from django.test import override_settings

    with tempfile.TemporaryDirectory() as tmp, override_settings(DATA_DIR=tmp):
        yield tmp


def _import_regions(actor: Actor) -> tuple[str | None, str]:
    """(a regency or kecamatan the principal covers, if any; a neighbour it does not cover)."""
    inside = next((c for c in ("64.08", "64.08.04", "64.08.06") if actor.covers(c)), None)
    outside = next(c for c in ("64.08.06", "64.08.04", "64.01") if not actor.covers(c))
    return inside, outside


def _desa_under(region: str) -> str:
    """A desa of the world under ``region``, for an uploaded row."""
    return min(
        code
        for code in Tps.objects.values_list("desa_id", flat=True)
        if code.startswith(region + ".")
    )


def api_voter_import_create(actor: Actor) -> None:
    from siaga.voters.models import DptImport

    _roll(actor.world)
    url = f"{VOTERS_API}/imports"
    inside, outside = _import_regions(actor)
    with _data_dir():
        for region in filter(None, (outside, inside, "99.99")):
            desa = _desa_under(region) if region != "99.99" else "64.08.04.1001"
            before, audit = DptImport.objects.count(), _audit_count()
            response = actor.client.post(
                url, {"region": region, "file": _upload(actor, desa)}, headers=actor.headers
            )
            actor.assert_no_leak(response)
            if not _may_import_dpt(actor):
                assert response.status_code == 403, (region, response.content)
            elif region == inside:
                assert response.status_code == 201, (region, response.content)
                assert response.json()["region"] == region
                made = DptImport.objects.get(pk=response.json()["id"])
                assert made.created_by == actor.user and made.status == "antri"
                assert DptImport.objects.count() == before + 1
                assert actor.get(f"{url}/{made.pk}").status_code == 200
                continue
            else:  # a region outside the scope is answered like one that does not exist
                assert response.status_code == 400, (region, response.content)
                assert response.json()["field"] == "region"
            assert DptImport.objects.count() == before and _audit_count() == audit, region


def _expected_check_status(roll: Roll, voter) -> str:
    """The answer's headline for a NIK on the roll, from the pairs its rows belong to."""
    from siaga.voters.models import DuplicatePair

    rows = {v.pk for v in roll.all_voters if v.nik == voter.nik}
    statuses = {
        s
        for s, klass, left, right in DuplicatePair.objects.values_list(
            "status", "klass", "voter_l_id", "voter_r_id"
        )
        if (left in rows or right in rows) and klass != "K2"
    }
    if "terkonfirmasi" in statuses:
        return "ganda_terkonfirmasi"
    return "dugaan_ganda" if "diduga" in statuses else "terdaftar"


def _check_cases(actor: Actor, roll: Roll) -> list[tuple[str, int | None, object]]:
    """(NIK, TPS of the check, voter or None): each voter of the roll from a TPS the principal
    may check from, a NIK not on the roll, and one from a TPS outside the scope."""
    mine = sorted(actor.tps())
    here = mine[0] if mine else None
    outside = min(actor.tps_out()) if actor.tps_out() else None
    cases = [(v.nik, here, v) for v in roll.voters.values()]
    cases.append(("6408041205800555", here, None))
    if outside is not None:
        cases.append((roll.voters["64.08.04.1001"].nik, outside, "outside"))
    return cases


def api_voter_check(actor: Actor) -> None:
    import json

    from siaga.voters.models import VoterCheck

    roll = _roll(actor.world)
    for nik, tps, voter in _check_cases(actor, roll):
        before, audit = VoterCheck.objects.count(), _audit_count()
        # The check answers where a NIK is registered wherever that is (the point of the check,
        # siaga/voters/check.py): a region name outside the scope may be in the answer, so the
        # body is checked for names of people and for the NIK, not for region names.
        response = actor.client.post(
            f"{VOTERS_API}/check",
            json.dumps({"nik": nik, "tps_id": tps}),
            content_type="application/json",
            headers=actor.headers,
        )
        body = response.content.decode()
        assert not _names_in(roll, body), (nik, tps)
        assert nik not in body, (nik, tps)  # the NIK is never echoed back
        if not _may_check_voter(actor):  # refused before the TPS: says nothing of TPS ids
            assert response.status_code == 403, (nik, tps, body)
            assert VoterCheck.objects.count() == before and _audit_count() == audit
            continue
        if voter == "outside":  # a TPS the principal may not check from: as if none existed
            assert response.status_code == 404, (tps, body)
            assert response.json()["field"] == "tps"
            assert VoterCheck.objects.count() == before
            continue
        assert response.status_code == 200, (nik, tps, body)
        answer = response.json()
        assert VoterCheck.objects.count() == before + 1 and _audit_count() == audit + 1
        assert answer["check_tps"]["id"] == tps
        if voter is None:
            assert answer["status"] == "tidak_terdaftar" and answer["tps"] == []
            continue
        places = {v.tps_id for v in roll.all_voters if v.nik == nik}
        assert {p["id"] for p in answer["tps"]} == places, nik
        assert answer["status"] == _expected_check_status(roll, voter), nik
        assert answer["shared_nik"] == (len(places) > 1), nik


# --- social media -------------------------------------------------------------------------------
# The principals' liaisons and machines speak for Kesbangpol (PEMDA): they read the media module
# in their scope and act on nothing (a Diskominfo liaison, AgencyKind.KOMINFO, acts: see
# tests/media). Admins and analysts (the secretariat) act in their scope; field monitors see
# nothing (404); a post, narrative, alert or source outside the scope does not exist (404).

MEDIA_API = "/api/v1/media"
# Where the world's posts are: the regency itself (a post naming no place), a kecamatan, a desa
# of each kecamatan of Kutai Timur, and Paser's kecamatan.
MEDIA_PLACES = ("64.08", "64.08.04", "64.08.04.1001", "64.08.06.2001", "64.01.01")


@dataclass
class MediaWorld:
    """Per place: two posts (one narrative) ; per kecamatan: a place alert; sources of the regency,
    of Busang and of Paser; one debunk (debunks are national: everyone who reads sees them)."""

    posts: dict  # place code -> [Post, Post]
    narratives: dict  # place code -> Narrative (the regency's has no region)
    alerts: dict  # kecamatan code -> MediaAlert
    sources: dict  # region code -> Source
    debunk: object

    def all_posts(self) -> list:
        return [p for pair in self.posts.values() for p in pair]


def _media_signature(text: str) -> bytes:
    """A real narrative signature (ingestion loads every open narrative into its index)."""
    from siaga.engines.nlp.narratives import NarrativeIndex
    from siaga.engines.nlp.normalise import normalise

    return NarrativeIndex().signature(normalise(text))


def _media(world: World) -> MediaWorld:
    from siaga.core import clock
    from siaga.media.choices import AlertKind, SourceKind
    from siaga.media.models import Debunk, MediaAlert, Narrative, Post, Source

    if hasattr(world, "_media"):
        return world._media
    now = clock.now()
    sources = {
        code: Source.objects.create(
            name=f"Perayap matriks {n}",
            slug=f"perayap-matriks-{n}",
            kind=SourceKind.WEBHOOK,
            platform="x",
            region_id=code,
            webhook_secret="rahasia-matriks",
        )
        for n, code in enumerate(("64.08", "64.08.06", "64.01"))
    }
    debunk = Debunk.objects.create(
        claim="Klaim matriks yang sudah diklarifikasi",
        verdict="salah",
        date=dt.date(2024, 11, 20),
        source_url="https://cekfakta.contoh.id/matriks",
    )
    posts, narratives = {}, {}
    for n, code in enumerate(MEDIA_PLACES):
        narratives[code] = Narrative.objects.create(
            title=f"Narasi matriks nomor {n}",
            signature=_media_signature(f"narasi matriks nomor {n} tentang surat suara dicoblos"),
            first_seen=now - dt.timedelta(hours=1),
            last_seen=now,
            post_count=2,
            region_id=None if code == "64.08" else code,
        )
        posts[code] = [
            Post.objects.create(
                source=sources["64.08"],
                platform="x",
                external_id=f"matriks-{n}-{k}",
                author=f"akun_matriks_{n}",
                text=f"Unggahan matriks nomor {n}{k}: surat suara katanya sudah dicoblos",
                posted_at=now - dt.timedelta(hours=k),
                scores={"hoaks": 0.9, "provokasi": 0.2},
                labels=["hoaks"],
                label_key="|hoaks|",
                risk=0.9 - n / 10,
                region_id=code,
                places=[] if code == "64.08" else [code],
                narrative=narratives[code],
            )
            for k in (0, 1)
        ]
    alerts = {
        code: MediaAlert.objects.create(
            kind=AlertKind.PLACE_SURGE,
            region_id=code,
            fired_at=now,
            observed=6,
            expected=0.3,
            p_value=0.0001,
            reason="6 unggahan dalam 3 jam, biasanya 0,3",
        )
        for code in ("64.08.04", "64.08.06", "64.01.01")
    }
    world._media = MediaWorld(posts, narratives, alerts, sources, debunk)
    return world._media


def _may_triage_media(actor: Actor) -> bool:
    """TRIAGE_MEDIA and INGEST_MEDIA: admins and analysts (the liaisons are not Diskominfo's)."""
    return actor.principal.role in (Role.ADMIN, Role.ANALYST)


def _sees_media(actor: Actor) -> bool:
    return not actor.is_monitor  # Action.VIEW


def _expected_posts(actor: Actor, media: MediaWorld) -> set[int]:
    if not _sees_media(actor):
        return set()
    return {p.pk for p in media.all_posts() if actor.covers(p.region_id)}


def _expected_narratives(actor: Actor, media: MediaWorld) -> set[int]:
    """A narrative naming no place belongs to the regency."""
    if not _sees_media(actor):
        return set()
    return {n.pk for n in media.narratives.values() if actor.covers(n.region_id or "64.08")}


def _expected_alerts(actor: Actor, media: MediaWorld) -> set[int]:
    if not _sees_media(actor):
        return set()
    return {a.pk for a in media.alerts.values() if actor.covers(a.region_id)}


def _media_post_status(post) -> str:
    from siaga.media.models import Post

    return Post.objects.get(pk=post.pk).status


def _set_media_status(media: MediaWorld, status: str) -> None:
    from siaga.media.models import Post

    Post.objects.filter(pk__in=[p.pk for p in media.all_posts()]).update(status=status)


def api_media_posts(actor: Actor) -> None:
    media = _media(actor.world)
    ids = _page_all(actor, f"{MEDIA_API}/posts")
    assert len(ids) == len(set(ids))
    assert set(ids) == _expected_posts(actor, media)  # field monitors: an empty queue
    # Asking for an out-of-scope region narrows to nothing; it never widens the scope.
    for code in ("64.01.01", "64.08.06", "64.08.04.1001"):
        response = actor.get(f"{MEDIA_API}/posts", {"region": code, "page_size": 500})
        asked = {item["id"] for item in response.json()["items"]}
        assert asked <= _expected_posts(actor, media), code
        under = {p.pk for p in media.all_posts() if (p.region_id + ".").startswith(code + ".")}
        assert asked == under & _expected_posts(actor, media), code


def api_media_post_detail(actor: Actor) -> None:
    media = _media(actor.world)
    expected = _expected_posts(actor, media)
    for post in media.all_posts():
        response = actor.get(f"{MEDIA_API}/posts/{post.pk}")
        assert response.status_code == (200 if post.pk in expected else 404), post.external_id
        assert (post.text in response.content.decode()) == (post.pk in expected)


def _media_post_acts(actor: Actor, path: str, payload: dict, before: str, after: str) -> None:
    import json

    media = _media(actor.world)
    _set_media_status(media, before)
    expected = _expected_posts(actor, media)
    for post in media.all_posts():
        audit = _audit_count()
        response = actor.client.post(
            f"{MEDIA_API}/posts/{post.pk}/{path}",
            json.dumps(payload),
            content_type="application/json",
            headers=actor.headers,
        )
        actor.assert_no_leak(response)
        status = _media_post_status(post)
        if post.pk not in expected:
            assert response.status_code == 404, post.external_id
        elif _may_triage_media(actor):
            assert response.status_code == 200, (post.external_id, response.content)
            assert response.json()["status"] == after == status, post.external_id
            assert _audit_count() == audit + 1, post.external_id
            continue
        else:  # a reader sees the post and may not act on it
            assert response.status_code == 403, post.external_id
        assert status == before and _audit_count() == audit, post.external_id


def api_media_post_status(actor: Actor) -> None:
    _media_post_acts(
        actor, "status", {"to": "sedang_diperiksa"}, "belum_ditinjau", "sedang_diperiksa"
    )


def api_media_post_action(actor: Actor) -> None:
    _media_post_acts(
        actor,
        "actions",
        {"action": "lapor_platform", "note": "matriks"},
        "hoaks",
        "ditindaklanjuti",
    )


def api_media_post_batch(actor: Actor) -> None:
    """A crawler's batch: INGEST_MEDIA over the deployment's regency (here: the regency's admin
    and analyst; a Diskominfo machine account in tests/media)."""
    import json

    from siaga.media.models import Post

    _media(actor.world)
    before, audit = Post.objects.count(), _audit_count()
    record = {
        "platform": "x",
        "external_id": f"batch-{actor.principal.key}",
        "text": "Pawai kampanye damai berjalan tertib hari ini",
        "posted_at": "2024-11-24T08:00:00+08:00",
    }
    response = actor.client.post(
        f"{MEDIA_API}/posts",
        json.dumps({"posts": [record, {"platform": "x", "external_id": "tanpa-teks"}]}),
        content_type="application/json",
        headers=actor.headers,
    )
    actor.assert_no_leak(response)
    if _may_triage_media(actor) and actor.covers("64.08"):
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["stored"], body["rejected"]) == (1, 1)
        assert body["errors"][0]["row"] == 2
        assert Post.objects.count() == before + 1 and _audit_count() > audit
    else:
        assert response.status_code == 403, response.content
        assert Post.objects.count() == before and _audit_count() == audit


def api_media_narratives(actor: Actor) -> None:
    media = _media(actor.world)
    ids = _page_all(actor, f"{MEDIA_API}/narratives")
    assert set(ids) == _expected_narratives(actor, media)


def api_media_narrative_detail(actor: Actor) -> None:
    media = _media(actor.world)
    expected = _expected_narratives(actor, media)
    for code, narrative in media.narratives.items():
        response = actor.get(f"{MEDIA_API}/narratives/{narrative.pk}")
        assert response.status_code == (200 if narrative.pk in expected else 404), code
        if response.status_code == 200:
            assert sum(h["posts"] for h in response.json()["per_hour"]) == 2, code


def api_media_debunks(actor: Actor) -> None:
    media = _media(actor.world)
    ids = _page_all(actor, f"{MEDIA_API}/debunks")
    assert set(ids) == ({media.debunk.pk} if _sees_media(actor) else set())


def api_media_debunk_create(actor: Actor) -> None:
    import json

    from siaga.media.models import Debunk

    _media(actor.world)
    before, audit = Debunk.objects.count(), _audit_count()
    response = actor.client.post(
        f"{MEDIA_API}/debunks",
        json.dumps({"claim": "Klaim baru matriks", "verdict": "salah", "date": "2024-11-21"}),
        content_type="application/json",
        headers=actor.headers,
    )
    actor.assert_no_leak(response)
    if _may_triage_media(actor):
        assert response.status_code == 201, response.content
        assert Debunk.objects.count() == before + 1 and _audit_count() == audit + 1
        return
    assert response.status_code == (404 if actor.is_monitor else 403), response.content
    assert Debunk.objects.count() == before and _audit_count() == audit


def api_media_debunk_update(actor: Actor) -> None:
    import json

    from siaga.media.models import Debunk

    media = _media(actor.world)
    audit = _audit_count()
    response = actor.client.patch(
        f"{MEDIA_API}/debunks/{media.debunk.pk}",
        json.dumps({"category": "pemilu"}),
        content_type="application/json",
        headers=actor.headers,
    )
    actor.assert_no_leak(response)
    category = Debunk.objects.get(pk=media.debunk.pk).category
    if _may_triage_media(actor):
        assert response.status_code == 200 and category == "pemilu", response.content
        assert _audit_count() == audit + 1
        return
    assert response.status_code == (404 if actor.is_monitor else 403), response.content
    assert category == "" and _audit_count() == audit


def api_media_alerts(actor: Actor) -> None:
    media = _media(actor.world)
    ids = _page_all(actor, f"{MEDIA_API}/alerts")
    assert set(ids) == _expected_alerts(actor, media)


def api_media_alert_ack(actor: Actor) -> None:
    from siaga.media.models import MediaAlert

    media = _media(actor.world)
    expected = _expected_alerts(actor, media)
    for code, alert in media.alerts.items():
        audit = _audit_count()
        url = f"{MEDIA_API}/alerts/{alert.pk}/acknowledge"
        response = actor.client.post(url, headers=actor.headers)
        actor.assert_no_leak(response)
        acknowledged = MediaAlert.objects.get(pk=alert.pk).acknowledged_at is not None
        if alert.pk not in expected:
            assert response.status_code == 404, code
        elif _may_triage_media(actor):
            assert response.status_code == 200 and acknowledged, (code, response.content)
            assert _audit_count() == audit + 1, code
            again = actor.client.post(url, headers=actor.headers)
            assert again.status_code == 409 and _audit_count() == audit + 1, code
            continue
        else:
            assert response.status_code == 403, code
        assert not acknowledged and _audit_count() == audit, code


def api_media_layer(actor: Actor) -> None:
    """The map layer (siaga.media.api_layer; its counts are tested in tests/media)."""
    media = _media(actor.world)
    response = actor.get(f"{MEDIA_API}/layer", {"hours": 48})
    if not _sees_media(actor):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    places = {p.region_id for p in media.all_posts() if p.pk in _expected_posts(actor, media)}
    assert {point["code"] for point in response.json()} <= places


def api_media_summary(actor: Actor) -> None:
    media = _media(actor.world)
    response = actor.get(f"{MEDIA_API}/summary")
    if not _sees_media(actor):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    body = response.json()
    assert body["posts"] == body["flagged"] == len(_expected_posts(actor, media))
    assert body["alerts_open"] == len(_expected_alerts(actor, media))


API_MATRIX: dict[tuple[str, str], Callable[[Actor], None]] = {
    ("GET", "/api/v1/regions"): api_regions,
    ("GET", "/api/v1/regions/{code}"): api_region_detail,
    ("GET", "/api/v1/tps"): api_tps_list,
    ("GET", "/api/v1/tps/{tps_id}"): api_tps_detail,
    ("GET", "/api/v1/agencies"): api_agencies,
    ("GET", "/api/v1/me"): api_me,
    ("GET", "/api/v1/map"): api_map,
    ("GET", "/api/v1/logistics/shipments"): api_logistics_shipments,
    ("GET", "/api/v1/logistics/shipments/{code}"): api_logistics_shipment_detail,
    ("POST", "/api/v1/logistics/handovers"): api_logistics_handover,
    ("GET", "/api/v1/logistics/reconciliation"): api_logistics_reconciliation,
    ("GET", "/api/v1/logistics/at-risk"): api_logistics_at_risk,
    ("GET", "/api/v1/logistics/replacements"): api_logistics_replacements,
    ("GET", "/api/v1/logistics/layer"): api_logistics_layer,
    ("GET", "/api/v1/incidents/categories"): api_incident_categories,
    ("GET", "/api/v1/incidents"): api_incident_list,
    ("POST", "/api/v1/incidents"): api_incident_create,
    ("GET", "/api/v1/incidents/layer"): api_incident_layer,
    ("GET", "/api/v1/incidents/{ticket}"): api_incident_detail,
    ("POST", "/api/v1/incidents/{ticket}/transition"): api_incident_transition,
    ("POST", "/api/v1/incidents/{ticket}/notes"): api_incident_note,
    ("POST", "/api/v1/incidents/{ticket}/share"): api_incident_share,
    ("GET", "/api/v1/checklists/templates"): api_checklist_templates,
    ("POST", "/api/v1/checklists/submissions"): api_checklist_submit,
    ("GET", "/api/v1/checklists/status"): api_checklist_status,
    ("GET", "/api/v1/checklists/tps/{tps_id}"): api_checklist_tps,
    ("GET", "/api/v1/voters/pairs"): api_voter_pairs,
    ("GET", "/api/v1/voters/pairs/{pk}"): api_voter_pair_detail,
    ("POST", "/api/v1/voters/pairs/{pk}/confirm"): api_voter_pair_confirm,
    ("POST", "/api/v1/voters/pairs/{pk}/dismiss"): api_voter_pair_dismiss,
    ("POST", "/api/v1/voters/pairs/{pk}/reopen"): api_voter_pair_reopen,
    ("GET", "/api/v1/voters/duplicates/summary"): api_voter_duplicate_summary,
    ("GET", "/api/v1/voters/duplicates/map"): api_voter_duplicate_map,
    ("POST", "/api/v1/voters/linkage-runs"): api_voter_linkage_run_create,
    ("GET", "/api/v1/voters/linkage-runs/{pk}"): api_voter_linkage_run_detail,
    ("GET", "/api/v1/voters/imports"): api_voter_imports,
    ("POST", "/api/v1/voters/imports"): api_voter_import_create,
    ("GET", "/api/v1/voters/imports/{import_id}"): api_voter_import_detail,
    ("POST", "/api/v1/voters/check"): api_voter_check,
    ("GET", "/api/v1/media/posts"): api_media_posts,
    ("POST", "/api/v1/media/posts"): api_media_post_batch,
    ("GET", "/api/v1/media/posts/{pk}"): api_media_post_detail,
    ("POST", "/api/v1/media/posts/{pk}/status"): api_media_post_status,
    ("POST", "/api/v1/media/posts/{pk}/actions"): api_media_post_action,
    ("GET", "/api/v1/media/narratives"): api_media_narratives,
    ("GET", "/api/v1/media/narratives/{pk}"): api_media_narrative_detail,
    ("GET", "/api/v1/media/debunks"): api_media_debunks,
    ("POST", "/api/v1/media/debunks"): api_media_debunk_create,
    ("PATCH", "/api/v1/media/debunks/{pk}"): api_media_debunk_update,
    ("GET", "/api/v1/media/alerts"): api_media_alerts,
    ("POST", "/api/v1/media/alerts/{pk}/acknowledge"): api_media_alert_ack,
    ("GET", "/api/v1/media/summary"): api_media_summary,
    ("GET", "/api/v1/media/layer"): api_media_layer,
}

# A sample URL per operation, for the unauthenticated checks.
API_SAMPLES = {
    "/api/v1/regions/{code}": "/api/v1/regions/64.08",
    "/api/v1/tps/{tps_id}": "/api/v1/tps/{tps}",
    "/api/v1/logistics/shipments/{code}": "/api/v1/logistics/shipments/KT-ABCD2345",
    "/api/v1/incidents/{ticket}": "/api/v1/incidents/LK-ABCDEF",
    "/api/v1/checklists/tps/{tps_id}": "/api/v1/checklists/tps/{tps}",
    "/api/v1/incidents/{ticket}/transition": "/api/v1/incidents/LK-ABCDEF/transition",
    "/api/v1/incidents/{ticket}/notes": "/api/v1/incidents/LK-ABCDEF/notes",
    "/api/v1/incidents/{ticket}/share": "/api/v1/incidents/LK-ABCDEF/share",
    "/api/v1/voters/pairs/{pk}": "/api/v1/voters/pairs/1",
    "/api/v1/voters/pairs/{pk}/confirm": "/api/v1/voters/pairs/1/confirm",
    "/api/v1/voters/pairs/{pk}/dismiss": "/api/v1/voters/pairs/1/dismiss",
    "/api/v1/voters/pairs/{pk}/reopen": "/api/v1/voters/pairs/1/reopen",
    "/api/v1/voters/linkage-runs/{pk}": "/api/v1/voters/linkage-runs/1",
    "/api/v1/voters/imports/{import_id}": "/api/v1/voters/imports/1",
    "/api/v1/media/posts/{pk}": "/api/v1/media/posts/1",
    "/api/v1/media/posts/{pk}/status": "/api/v1/media/posts/1/status",
    "/api/v1/media/posts/{pk}/actions": "/api/v1/media/posts/1/actions",
    "/api/v1/media/narratives/{pk}": "/api/v1/media/narratives/1",
    "/api/v1/media/debunks/{pk}": "/api/v1/media/debunks/1",
    "/api/v1/media/alerts/{pk}/acknowledge": "/api/v1/media/alerts/1/acknowledge",
}


def api_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
    }


# --- page rows ----------------------------------------------------------------------------------


def _login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("login"))


# Pages polled by htmx answer 286 ("stop polling"), empty, instead of a redirect to login.
ANONYMOUS_STATUS = {"dashboard:banner": 286, "incidents:feed": 286}
# Pages served without a session (no domain data), with their content type: the handover
# service worker (see page_logistics_handover_sw).
PUBLIC_PAGES = {
    "logistics:handover-sw": "text/javascript",
    # The public report form and its ticket check need no account; the field app's manifest
    # and service worker hold no data (see page_report_public).
    "report:public": "text/html",
    "report:public-check": "text/html",
    "report:field-manifest": "application/manifest+json",
    "report:field-sw": "text/javascript",
}
# Webhooks answer everyone alike, session or not: only a secret or a signature opens them, so a
# GET gets "method not allowed", or for WhatsApp's handshake "channel off" (no verify token).
WEBHOOKS = {
    "webhooks:sms": 405,
    "webhooks:telegram": 405,
    "webhooks:whatsapp": 503,
    "webhooks:media": 405,  # the crawlers' posts: a signed POST (tests/media)
}


def _anonymous_answer(page: str, response) -> bool:
    """How a page answers without a session: a redirect to login, or its documented status."""
    if page in PUBLIC_PAGES:
        return response.status_code == 200 and response["Content-Type"].startswith(
            PUBLIC_PAGES[page]
        )
    if page in ANONYMOUS_STATUS:
        return response.status_code == ANONYMOUS_STATUS[page] and not response.content
    if page in WEBHOOKS:
        return response.status_code == WEBHOOKS[page]
    return _login_redirect(response)


def page_situation_room(actor: Actor) -> None:
    response = actor.get(reverse("dashboard:situation-room"))
    if actor.is_machine:  # no session for machine clients: a token does not open pages
        assert _login_redirect(response)
        return
    assert response.status_code == 200
    if actor.is_monitor:  # their own TPS list, nothing else
        body = response.content.decode()
        for pk in actor.tps_out():
            assert reverse("wilayah:tps", args=[pk]) not in body


def page_briefing(actor: Actor) -> None:
    """The leadership briefing: every reader of the situation room, with their scope's numbers
    (assert_no_leak checks no other region is named); field monitors have none."""
    response = actor.get(reverse("dashboard:briefing"))
    if actor.is_machine:
        assert _login_redirect(response)
    elif actor.is_monitor:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert "data-briefing-numbers" in response.content.decode()


def page_banner(actor: Actor) -> None:
    response = actor.get(reverse("dashboard:banner"))
    if actor.is_machine:
        assert _anonymous_answer("dashboard:banner", response)
    else:
        assert response.status_code == 200


def page_region(actor: Actor) -> None:
    for region in Region.objects.all():
        response = actor.get(reverse("wilayah:region", args=[region.code]))
        if actor.is_machine:
            assert _login_redirect(response)
        elif actor.is_monitor:  # no region pages for field monitors
            assert response.status_code == 404, region.code
        else:
            assert response.status_code == (200 if actor.may_open(region.code) else 404), (
                region.code
            )


def page_tps(actor: Actor) -> None:
    for tps in Tps.objects.all():
        response = actor.get(reverse("wilayah:tps", args=[tps.pk]))
        if actor.is_machine:
            assert _login_redirect(response)
        else:
            assert response.status_code == (200 if tps.pk in actor.tps() else 404), tps.pk


# --- logistics pages ----------------------------------------------------------------------------
# Every actor except the admins lacks EDIT_LOGISTICS here: the liaisons speak for Kesbangpol
# (PEMDA), not for the KPU, so the editor pages answer them as they answer any reader (404).

SHIPMENT_CODE = re.compile(r"(?<![\w-])(?:KPPS|PPS|PPK)-\d+(?:-\d+)?(?![\w-])")
NEW_SHIPMENT = "MTX-NEW1"
# Every level, in and out of every scope, for the exports (the other desa add nothing).
EXPORT_REGIONS = [
    "64",
    "64.08",
    "64.01",
    "64.08.04",
    "64.08.06",
    "64.01.01",
    "64.08.06.2001",
    "64.01.01.2001",
]


def _may_edit_logistics(actor: Actor) -> bool:
    return actor.principal.role == Role.ADMIN


def _may_hand_over(actor: Actor) -> bool:
    """Field monitors and EDIT_LOGISTICS users (here: admins), as the handover service accepts."""
    return actor.principal.role in (Role.ADMIN, Role.FIELD_MONITOR)


def _shipment_codes_in(text: str) -> set[str]:
    return set(SHIPMENT_CODE.findall(text))


def _assert_only_visible_shipments(actor: Actor, text: str, expected: set[str], where) -> None:
    shown = _shipment_codes_in(text)
    assert shown <= expected, (actor.principal.key, where, sorted(shown - expected))


def _forbidden_in(actor: Actor, text: str) -> list[str]:
    return sorted(name for name in actor.forbidden_names() if name in text)


def _audit_count() -> int:
    from siaga.core.models import AuditEvent

    return AuditEvent.objects.count()


def _form_errors(response) -> list[str]:
    """The errors an editor form shows (non-field alerts and field errors)."""
    return re.findall(
        r'(?:role="alert">(?:<p>)?|class="field-error">)(.*?)</', response.content.decode(), re.S
    )


def _post(actor: Actor, url: str, data: dict):
    response = actor.client.post(url, data, headers=actor.headers)
    actor.assert_no_leak(response)
    return response


def _shipment_form(destination: str, origin: str, **changes) -> dict:
    """A complete editor form: one KPU → PPK leg carrying one tinta (the world's only line)."""
    data = {
        "code": NEW_SHIPMENT,
        "stage": "kpu_ppk",
        "origin": origin,
        "destination": destination,
        "destination_tps": "",
        "mode": "road",
        "carrier": "Truk matriks",
        "escort": "",
        "planned_departure": "2024-11-24T16:00",
        "planned_arrival": "2024-11-24T20:00",
        "notes": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-item": "tinta",
        "lines-0-tps": "",
        "lines-0-quantity": "1",
    }
    data.update(changes)
    return data


def page_logistics_overview(actor: Actor) -> None:
    shipments = _logistics(actor.world)
    expected = _expected_shipments(actor, shipments)
    url = reverse("logistics:overview")
    response = actor.get(url)
    if actor.is_machine:
        assert _login_redirect(response)
        return
    if actor.is_monitor:  # no VIEW, but SUBMIT_FIELD: sent to the handover page, every region
        assert response.status_code == 302 and response.url == reverse("logistics:handover")
        for region in Region.objects.all():
            response = actor.get(url, {"region": region.code})
            assert response.status_code == 302, region.code
            assert response.url == reverse("logistics:handover"), region.code
        return
    assert response.status_code == 200
    _assert_only_visible_shipments(actor, response.content.decode(), expected, "home")
    for region in Region.objects.all():
        response = actor.get(url, {"region": region.code})
        # The overview stops at the kecamatan: a desa is a 404 even in scope.
        opens = actor.may_open(region.code) and region.level != "village"
        assert response.status_code == (200 if opens else 404), region.code
        _assert_only_visible_shipments(actor, response.content.decode(), expected, region.code)


def _tps_under(actor: Actor, code: str) -> int:
    desa = dict(Tps.objects.values_list("pk", "desa_id"))
    return sum(1 for pk in actor.tps() if desa[pk] == code or desa[pk].startswith(code + "."))


def _xlsx_cells(response) -> dict[str, list[list]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book}


def page_logistics_export_xlsx(actor: Actor) -> None:
    shipments = _logistics(actor.world)
    expected = _expected_shipments(actor, shipments)
    url = reverse("logistics:export-xlsx")
    response = actor.get(url)
    if actor.is_machine:
        assert _login_redirect(response)
        return
    if actor.is_monitor:  # no VIEW: no exports, for any region
        assert response.status_code == 404
        for region in Region.objects.all():
            assert actor.get(url, {"region": region.code}).status_code == 404, region.code
        return
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheets = _xlsx_cells(response)
    # Long past H-1 of 2024 every open shipment is at risk, and each has one replacement:
    # both sheets list exactly the in-scope shipments.
    assert {row[0] for row in sheets["Pengiriman berisiko"][1:]} == expected
    assert {row[0] for row in sheets["Permintaan penggantian"][1:]} == expected
    for region in Region.objects.filter(code__in=EXPORT_REGIONS):
        response = actor.get(url, {"region": region.code})
        if not actor.may_open(region.code):
            assert response.status_code == 404, region.code
            continue
        assert response.status_code == 200, region.code
        sheets = _xlsx_cells(response)
        text = "\n".join(
            str(cell) for rows in sheets.values() for row in rows for cell in row if cell
        )
        assert not _forbidden_in(actor, text), (region.code, _forbidden_in(actor, text))
        _assert_only_visible_shipments(actor, text, expected, region.code)
        for name in ("Pengiriman berisiko", "Permintaan penggantian"):
            assert {row[0] for row in sheets[name][1:]} <= expected, (region.code, name)
        # The recap counts only the actor's TPS: per row (kecamatan or desa) and in total.
        *rows, total = sheets["Rekap kecamatan"][1:]
        for _name, code, tps, *_rest in rows:
            assert actor.may_open(code), (region.code, code)
            assert tps == _tps_under(actor, code), (region.code, code)
        assert total[2] == _tps_under(actor, region.code), region.code


def page_logistics_export_pdf(actor: Actor) -> None:
    from siaga.logistics import exports

    shipments = _logistics(actor.world)
    expected = _expected_shipments(actor, shipments)
    url = reverse("logistics:export-pdf")
    rendered: list[str] = []
    real_pdf_html = exports.pdf_html

    def spy(*args, **kwargs):  # the HTML the one-pager is printed from (exports.pdf_html)
        rendered.append(real_pdf_html(*args, **kwargs))
        return rendered[-1]

    with mock.patch.object(exports, "pdf_html", spy):
        response = actor.get(url)
        if actor.is_machine:
            assert _login_redirect(response) and not rendered
            return
        if actor.is_monitor:
            assert response.status_code == 404 and not rendered
            return
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        html = rendered.pop()
        assert not _forbidden_in(actor, html), _forbidden_in(actor, html)
        _assert_only_visible_shipments(actor, html, expected, "home")
        # The other regions: the same HTML checks, without printing each PDF.
        with mock.patch.object(exports, "pdf_bytes", return_value=b"%PDF-matrix"):
            for region in Region.objects.filter(code__in=EXPORT_REGIONS):
                response = actor.get(url, {"region": region.code})
                if not actor.may_open(region.code):
                    assert response.status_code == 404 and not rendered, region.code
                    continue
                assert response.status_code == 200, region.code
                html = rendered.pop()
                assert not _forbidden_in(actor, html), (region.code, _forbidden_in(actor, html))
                _assert_only_visible_shipments(actor, html, expected, region.code)


def page_logistics_shipments(actor: Actor) -> None:
    shipments = _logistics(actor.world)
    expected = _expected_shipments(actor, shipments)
    url = reverse("logistics:shipments")
    response = actor.get(url)
    if actor.is_machine:
        assert _login_redirect(response)
        return
    assert response.status_code == 200  # readers and field monitors (their places) alike
    body = response.content.decode()
    assert set(re.findall(r'data-code="([^"]+)"', body)) == expected
    _assert_only_visible_shipments(actor, body, expected, "all")
    # Filters narrow within the scope; an out-of-scope kecamatan never widens it.
    for params in (
        {"kecamatan": "64.01.01"},
        {"kecamatan": "64.08.06"},
        {"kecamatan": "64.08.04"},
        {"at_risk": "on"},
        {"stage": "pps_kpps", "status": "in_transit"},
    ):
        response = actor.get(url, params)
        assert response.status_code == 200, params
        body = response.content.decode()
        assert set(re.findall(r'data-code="([^"]+)"', body)) <= expected, params
        _assert_only_visible_shipments(actor, body, expected, params)


def page_logistics_shipment_create(actor: Actor) -> None:
    from siaga.logistics.models import Shipment

    _logistics(actor.world)
    url = reverse("logistics:shipment-create")
    response = actor.get(url)
    in_scope = "64.08.04" if actor.covers("64.08.04") else "64.08.06"
    outside = "64.01.01" if actor.covers("64.08") else "64.08.06"
    before, audit = Shipment.objects.count(), _audit_count()
    if actor.is_machine:
        assert _login_redirect(response)
        assert _login_redirect(_post(actor, url, _shipment_form(in_scope, "64.08")))
        assert (Shipment.objects.count(), _audit_count()) == (before, audit)
        return
    if not _may_edit_logistics(actor):  # readers and field monitors: the page does not exist
        assert response.status_code == 404
        assert _post(actor, url, _shipment_form(in_scope, "64.08")).status_code == 404
        assert (Shipment.objects.count(), _audit_count()) == (before, audit)
        return
    assert response.status_code == 200
    # A destination outside the scope is refused by the service, shown on the form: nothing made.
    response = _post(actor, url, _shipment_form(outside, "64.08"))
    assert response.status_code == 200
    assert (Shipment.objects.count(), _audit_count()) == (before, audit)
    response = _post(actor, url, _shipment_form(in_scope, "64.08"))
    assert response.status_code == 302, _form_errors(response)
    assert response.url == reverse("logistics:shipment", args=[NEW_SHIPMENT])
    created = Shipment.objects.get(code=NEW_SHIPMENT)
    assert created.destination_region_id == in_scope
    assert Shipment.objects.count() == before + 1 and _audit_count() > audit


def page_logistics_shipment(actor: Actor) -> None:
    shipments = _logistics(actor.world)
    expected = _expected_shipments(actor, shipments)
    for code in shipments:
        response = actor.get(reverse("logistics:shipment", args=[code]))
        if actor.is_machine:
            assert _login_redirect(response), code
            continue
        assert response.status_code == (200 if code in expected else 404), code
        if response.status_code == 200:
            body = response.content.decode()
            _assert_only_visible_shipments(actor, body, expected, code)
            status_url = reverse("logistics:shipment-status", args=[code])
            edit_url = reverse("logistics:shipment-edit", args=[code])
            # The edit and status controls only for those who may use them.
            assert (status_url in body) == _may_edit_logistics(actor), code
            assert (edit_url in body) == _may_edit_logistics(actor), code


def page_logistics_shipment_edit(actor: Actor) -> None:
    from siaga.logistics.models import Shipment

    shipments = _logistics(actor.world)
    expected = _expected_shipments(actor, shipments)
    for code, shipment in shipments.items():
        url = reverse("logistics:shipment-edit", args=[code])
        response = actor.get(url)
        audit = _audit_count()
        form = _shipment_form(
            shipment.destination_region_id,
            shipment.origin_region_id,
            code=code,
            stage=shipment.stage,
            carrier="Diubah matriks",
        )
        posted = _post(actor, url, form)
        carrier = Shipment.objects.get(pk=shipment.pk).carrier
        if actor.is_machine:
            assert _login_redirect(response) and _login_redirect(posted), code
        elif _may_edit_logistics(actor) and code in expected:
            assert response.status_code == 200, code
            # A shipment in transit keeps its contents, but its plan fields (the carrier
            # here) may still be corrected: saved, audited once.
            assert posted.status_code == 302, (code, _form_errors(posted))
            assert carrier == "Diubah matriks" and _audit_count() == audit + 1, code
            Shipment.objects.filter(pk=shipment.pk).update(carrier="")
            continue
        else:  # readers, field monitors, and admins outside their scope
            assert response.status_code == 404 and posted.status_code == 404, code
        assert carrier == "" and _audit_count() == audit, code
    if actor.is_machine or not _may_edit_logistics(actor):
        return
    # A planned shipment in scope is saved by an editor: redirected to it, changed, audited.
    code = min(expected)
    Shipment.objects.filter(code=code).update(status="planned")
    shipment = shipments[code]
    audit = _audit_count()
    form = _shipment_form(
        shipment.destination_region_id,
        shipment.origin_region_id,
        code=code,
        stage=shipment.stage,
        carrier="Diubah matriks",
    )
    posted = _post(actor, reverse("logistics:shipment-edit", args=[code]), form)
    assert posted.status_code == 302, (code, _form_errors(posted))
    assert posted.url == reverse("logistics:shipment", args=[code])
    assert Shipment.objects.get(code=code).carrier == "Diubah matriks"
    assert _audit_count() == audit + 1


def page_logistics_shipment_status(actor: Actor) -> None:
    from siaga.logistics.models import Shipment

    shipments = _logistics(actor.world)
    expected = _expected_shipments(actor, shipments)
    got = actor.get(reverse("logistics:shipment-status", args=["PPK-04"]))
    if actor.is_machine:
        assert _login_redirect(got)
    else:  # POST only, for everyone signed in (before any scope check)
        assert got.status_code == 405
    for code, shipment in shipments.items():
        url = reverse("logistics:shipment-status", args=[code])
        audit = _audit_count()
        response = _post(actor, url, {"status": "arrived"})
        status = Shipment.objects.get(pk=shipment.pk).status
        if actor.is_machine:
            assert _login_redirect(response), code
        elif _may_edit_logistics(actor) and code in expected:
            assert response.status_code == 302, code
            assert response.url == reverse("logistics:shipment", args=[code])
            assert status == "arrived" and _audit_count() == audit + 1, code
            continue
        else:  # readers, field monitors, admins outside their scope: as if it did not exist
            assert response.status_code == 404, code
        assert status == "in_transit" and _audit_count() == audit, code


def page_logistics_handover(actor: Actor) -> None:
    _logistics(actor.world)
    response = actor.get(reverse("logistics:handover"))
    if actor.is_machine:
        assert _login_redirect(response)
    elif _may_hand_over(actor):  # admins and field monitors
        assert response.status_code == 200
        assert not _shipment_codes_in(response.content.decode())
    else:  # analysts, leadership and (non-KPU) liaisons only read
        assert response.status_code == 404


# The handover page is an installable PWA. The manifest sits behind login_required: every
# signed-in user gets it (it holds only the app's name, colours and the handover URL), a
# request without a session is sent to the login page. The page links it with
# crossorigin="use-credentials" so that browsers send the session cookie with that fetch.
def page_logistics_handover_manifest(actor: Actor) -> None:
    response = actor.get(reverse("logistics:handover-manifest"))
    if actor.is_machine:
        assert _login_redirect(response)
        return
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["start_url"] == manifest["scope"] == reverse("logistics:handover")
    assert not _shipment_codes_in(response.content.decode())


# The service worker is served to anyone, without a session: a service worker script may not
# be answered with a redirect (the browser treats it as a network error), so a login redirect
# would break its registration and its update checks once a field monitor's session lapsed
# offline. It holds no data: the page shell's static URLs and a cache version.
def page_logistics_handover_sw(actor: Actor) -> None:
    response = actor.get(reverse("logistics:handover-sw"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert not _shipment_codes_in(response.content.decode())


# --- checklist pages ----------------------------------------------------------------------------


def _checklist_photos(world: World) -> dict[int, int]:
    """One counting checklist with its tally-sheet photo per TPS of the regency: {photo: tps}."""
    from PIL import Image

    from siaga.checklists.models import ChecklistPhoto
    from siaga.checklists.services import checklist_submit

    if hasattr(world, "_photos"):
        return world._photos
    template = _checklists(world)["counting"]
    admin = world.user(Role.ADMIN, scope=[world.regency], username="matrix-admin-checklists")
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="JPEG")
    answers = {
        item["key"]: ("ya" if item["kind"] == "yes_no" else "13:00" if item["kind"] == "time"
                      else 1 if item["kind"] == "number" else "baik")
        for item in template.items
        if item["kind"] != "photo"
    }  # fmt: skip
    photo_keys = [item["key"] for item in template.items if item["kind"] == "photo"]
    for tps in Tps.objects.filter(desa__code__startswith="64.08."):
        checklist_submit(
            context=AuditContext(),
            user=admin,
            tps_id=tps.pk,
            template_id=template.pk,
            answers=answers,
            idempotency_key=f"matrix-photo-{tps.pk}",
            photos={key: (buffer.getvalue(), "c-hasil.jpg") for key in photo_keys},
        )
    world._photos = dict(ChecklistPhoto.objects.values_list("pk", "submission__tps_id"))
    return world._photos


def page_checklists_overview(actor: Actor) -> None:
    _checklists(actor.world)
    response = actor.get(reverse("checklists:overview"))
    if actor.is_machine:
        assert _login_redirect(response)
        return
    assert response.status_code == 200
    shown = {int(pk) for pk in re.findall(r'data-tps="(\d+)"', response.content.decode())}
    assert shown == actor.tps()  # voting day is long past: every checklist is missing


def page_checklists_tps(actor: Actor) -> None:
    _checklists(actor.world)
    for tps in Tps.objects.all():
        response = actor.get(reverse("checklists:tps", args=[tps.pk]))
        if actor.is_machine:
            assert _login_redirect(response)
        else:
            assert response.status_code == (200 if tps.pk in actor.tps() else 404), tps.pk


def _close_file(response) -> None:
    """Close a streamed file, not the response: closing a response outside the test client's
    request ends the test's database connection (Django's request_finished clean-up)."""
    if getattr(response, "file_to_stream", None) is not None:
        response.file_to_stream.close()


def page_checklists_photo(actor: Actor) -> None:
    photos = _checklist_photos(actor.world)
    assert photos
    for pk, tps_id in photos.items():
        # A file is streamed (no body to scan for leaks): the status says it all.
        response = actor.client.get(reverse("checklists:photo", args=[pk]), headers=actor.headers)
        _close_file(response)
        if actor.is_machine:
            assert _login_redirect(response)
        else:
            assert response.status_code == (200 if tps_id in actor.tps() else 404), pk
            if response.status_code == 200:
                assert response["Content-Type"] == "image/jpeg"


def page_webhook(name: str) -> Callable[[Actor], None]:
    def check(actor: Actor) -> None:
        response = actor.get(reverse(name, args=PAGE_SAMPLE_ARGS.get(name, [])))
        assert response.status_code == WEBHOOKS[name]

    check.__name__ = f"page_{name.replace(':', '_')}"
    return check


# --- incident and notification pages ------------------------------------------------------------


def page_incidents_list(actor: Actor) -> None:
    incidents = _incidents(actor.world)
    response = actor.get(reverse("incidents:list"))
    if actor.is_machine:
        assert _login_redirect(response)
        return
    assert response.status_code == 200
    shown = set(re.findall(r'data-ticket="([^"]+)"', response.content.decode()))
    assert shown == _expected_incidents(actor, incidents)


def page_incidents_feed(actor: Actor) -> None:
    incidents = _incidents(actor.world)
    response = actor.get(reverse("incidents:feed"))
    if actor.is_machine:  # polled by htmx: no session answers "stop polling", empty
        assert response.status_code == 286 and not response.content
        return
    assert response.status_code == 200
    shown = set(re.findall(r"LK-[A-Z0-9]{6}", response.content.decode()))
    assert shown == _expected_incidents(actor, incidents)


def page_incidents_detail(actor: Actor) -> None:
    incidents = _incidents(actor.world)
    expected = _expected_incidents(actor, incidents)
    for ticket in incidents:
        response = actor.get(reverse("incidents:detail", args=[ticket]))
        if actor.is_machine:
            assert _login_redirect(response), ticket
        else:
            assert response.status_code == (200 if ticket in expected else 404), ticket


def page_incidents_media(actor: Actor) -> None:
    from siaga.incidents.models import Media

    incidents = _incidents(actor.world)
    expected = _expected_incidents(actor, incidents)
    media = list(Media.objects.select_related("incident"))
    assert media
    for item in media:
        response = actor.client.get(reverse("incidents:media", args=[item.pk]))
        _close_file(response)
        if actor.is_machine:
            assert _login_redirect(response)
        else:
            ok = item.incident.ticket in expected
            assert response.status_code == (200 if ok else 404), item.incident.ticket


def _incident_page_posts(actor: Actor, name: str, data: dict) -> None:
    incidents = _incidents(actor.world)
    expected = _expected_incidents(actor, incidents)
    for ticket in incidents:
        audit = _audit_count()
        response = _post(actor, reverse(name, args=[ticket]), data)
        if actor.is_machine:
            assert _login_redirect(response), ticket
        elif ticket not in expected:
            assert response.status_code == 404, ticket
        elif _may_triage(actor):
            assert response.status_code == 302, ticket
            assert response.url == reverse("incidents:detail", args=[ticket])
            assert _audit_count() > audit, ticket
            continue
        else:  # may see it, may not act on it
            assert response.status_code == 403, ticket
        assert _audit_count() == audit, ticket


def page_incidents_transition(actor: Actor) -> None:
    _incident_page_posts(actor, "incidents:transition", {"state": "diverifikasi"})


def page_incidents_note(actor: Actor) -> None:
    _incident_page_posts(actor, "incidents:note", {"text": "Catatan dari matriks"})


def page_incidents_share(actor: Actor) -> None:
    AgencyFactory(code="bawaslu-kutim", name="Bawaslu Kutai Timur", kind=AgencyKind.BAWASLU)
    _incident_page_posts(actor, "incidents:share", {"agencies": ["bawaslu-kutim"]})


def page_incidents_tps_history(actor: Actor) -> None:
    incidents = _incidents(actor.world)
    expected = _expected_incidents(actor, incidents)
    for tps in Tps.objects.all():
        response = actor.get(reverse("incidents:tps-history", args=[tps.pk]))
        if actor.is_machine:
            assert _login_redirect(response)
            continue
        assert response.status_code == (200 if tps.pk in actor.tps() else 404), tps.pk
        if response.status_code == 200:
            shown = set(re.findall(r"LK-[A-Z0-9]{6}", response.content.decode()))
            assert shown <= expected, tps.pk


def _notifications(actor: Actor) -> tuple:
    from siaga.notifications.services import notify

    other = actor.world.user(Role.ANALYST, username="matrix-someone-else")
    mine = notify(recipients=[actor.user], kind="test", title="Untuk saya")
    theirs = notify(recipients=[other], kind="test", title="Rahasia orang lain")
    return mine[0], theirs[0]


def page_notifications_inbox(actor: Actor) -> None:
    _notifications(actor)
    response = actor.get(reverse("notifications:inbox"))
    if actor.is_machine:
        assert _login_redirect(response)
        return
    body = response.content.decode()
    assert response.status_code == 200
    assert "Untuk saya" in body and "Rahasia orang lain" not in body


def page_notifications_read(actor: Actor) -> None:
    mine, theirs = _notifications(actor)
    response = _post(actor, reverse("notifications:read", args=[theirs.pk]), {})
    theirs.refresh_from_db()
    assert theirs.read_at is None
    if actor.is_machine:
        assert _login_redirect(response)
        return
    assert response.status_code == 404
    response = _post(actor, reverse("notifications:read", args=[mine.pk]), {})
    mine.refresh_from_db()
    assert response.status_code == 302 and mine.read_at is not None


def page_notifications_read_all(actor: Actor) -> None:
    mine, theirs = _notifications(actor)
    response = _post(actor, reverse("notifications:read-all"), {})
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    if actor.is_machine:
        assert _login_redirect(response) and mine.read_at is None
        return
    assert response.status_code == 302 and mine.read_at is not None


# --- report forms -------------------------------------------------------------------------------


def page_report_field(actor: Actor) -> None:
    _incidents(actor.world)
    response = actor.get(reverse("report:field"))
    if actor.is_machine:
        assert _login_redirect(response)
        return
    assert response.status_code == 200
    body = response.content.decode()
    # The TPS the page embeds for offline use: the user's own, never another scope's.
    embedded = {int(pk) for pk in re.findall(r'"id": (\d+), "number"', body)}
    assert embedded and embedded <= actor.tps()


def page_report_public(name: str) -> Callable[[Actor], None]:
    def check(actor: Actor) -> None:
        tickets = _incidents(actor.world)
        # The same page for everyone, signed in or not: the public form lists every desa of
        # the regency (public facts), so the per-scope leak check does not apply.
        response = actor.client.get(reverse(name), headers=actor.headers)
        assert response.status_code == 200
        assert response["Content-Type"].startswith(PUBLIC_PAGES[name])
        body = response.content.decode()
        # No report is listed to anyone here (a random device id may hold "LK-" by chance).
        assert not [ticket for ticket in tickets if ticket in body]

    check.__name__ = f"page_{name.replace(':', '_')}"
    return check


# --- voter-roll pages ---------------------------------------------------------------------------
# Reviewers (admins, analysts) see the queue and the pairs in their scope; readers of the
# situation room (leadership, liaisons) are sent from the queue to the counts; field monitors see
# none of the review (404). The import pages answer 403 to those who may not import (before any
# lookup), 404 to an importer for an import outside the scope. The check page is for those who
# check at a TPS (admins, analysts, field monitors); the others get 403.


def _pair_rows(body: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-pair="(\d+)"', body)}


def page_voters_review_queue(actor: Actor) -> None:
    roll = _roll(actor.world)
    url = reverse("voters:review_queue")
    response = actor.get(url)
    if actor.is_machine:
        assert _login_redirect(response)
        return
    if actor.is_monitor:
        assert response.status_code == 404
        return
    if not _may_review_voters(actor):  # the counts, never the queue
        assert response.status_code == 302 and response.url == reverse("voters:review_summary")
        return
    assert response.status_code == 200
    body = response.content.decode()
    # By default the work to do: the suspected pairs.
    expected = _expected_pairs(actor, roll, statuses=("diduga",))
    assert _pair_rows(body) == {roll.pairs[k].pk for k in expected}
    assert _names_in(roll, body) == roll.pair_names(expected)
    every = _expected_pairs(actor, roll)
    response = actor.get(url, {"status": ""})
    body = response.content.decode()
    assert _pair_rows(body) == {roll.pairs[k].pk for k in every}
    assert _names_in(roll, body) == roll.pair_names(every)
    for key in every:
        for v in (roll.pairs[key].voter_l, roll.pairs[key].voter_r):
            assert _shown_nik(actor, v.nik) in body, key
            assert _sees_nik(actor) or v.nik not in body, key
    # Asking for an out-of-scope region narrows to nothing; it never widens the scope.
    for code in ("64.01.01", "64.08.06", "64.08.04.1002"):
        body = actor.get(url, {"status": "", "region": code}).content.decode()
        assert _pair_rows(body) <= {roll.pairs[k].pk for k in every}, code


def page_voters_review_pair(actor: Actor) -> None:
    roll = _roll(actor.world)
    expected = _expected_pairs(actor, roll)
    for key, pair in roll.pairs.items():
        response = actor.get(reverse("voters:review_pair", args=[pair.pk]))
        if actor.is_machine:
            assert _login_redirect(response), key
            continue
        assert response.status_code == (200 if key in expected else 404), key
        body = response.content.decode()
        assert _names_in(roll, body) == (roll.pair_names([key]) if key in expected else set())
        if response.status_code == 200:
            for v in (pair.voter_l, pair.voter_r):
                assert _shown_nik(actor, v.nik) in body, key
                assert _sees_nik(actor) or v.nik not in body, key


def page_voters_review_decide(actor: Actor) -> None:
    from siaga.voters.models import DuplicatePair

    roll = _roll(actor.world)
    _set_pair_status(roll, "diduga")
    expected = _expected_pairs(actor, roll)
    got = actor.get(reverse("voters:review_decide", args=[roll.pairs["sangatta"].pk]))
    assert _login_redirect(got) if actor.is_machine else got.status_code == 405
    for key, pair in roll.pairs.items():
        url = reverse("voters:review_decide", args=[pair.pk])
        audit = _audit_count()
        response = _post(actor, url, {"decision": "confirm", "seen_status": "diduga"})
        status = DuplicatePair.objects.get(pk=pair.pk).status
        if actor.is_machine:
            assert _login_redirect(response), key
        elif key in expected:
            assert response.status_code == 302, key
            assert response.url == reverse("voters:review_pair", args=[pair.pk])
            assert status == "terkonfirmasi" and _audit_count() == audit + 1, key
            continue
        else:  # not a reviewer, or a pair outside the scope: it does not exist for them
            assert response.status_code == 404, key
        assert status == "diduga" and _audit_count() == audit, key


def page_voters_review_summary(actor: Actor) -> None:
    roll = _roll(actor.world)
    response = actor.get(reverse("voters:review_summary"))
    if actor.is_machine:
        assert _login_redirect(response)
        return
    if actor.is_monitor:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    body = response.content.decode()
    kec = _expected_counts(actor, roll, "kecamatan", ("terkonfirmasi",))
    desa = _expected_counts(actor, roll, "desa", ("terkonfirmasi",))
    tps = _expected_counts(actor, roll, "tps", ("terkonfirmasi",))
    assert set(re.findall(r'data-code="([^"]+)"', body)) == set(kec) | set(desa)
    assert set(re.findall(r'data-tps="(\d+)"', body)) == set(tps)
    suspected = {
        key for by_class in _expected_counts(actor, roll, "desa", ("diduga",)).values()
        for keys in by_class.values() for key in keys
    }  # fmt: skip
    assert re.search(rf"data-suspected>{len(suspected)}<", body), len(suspected)
    assert not _names_in(roll, body)  # counts, never names or NIK
    assert not any(v.nik in body for v in roll.all_voters)


def _review_text(sheets: dict) -> str:
    return "\n".join(str(cell) for rows in sheets.values() for row in rows for cell in row if cell)


def page_voters_review_export_xlsx(actor: Actor) -> None:
    roll = _roll(actor.world)
    response = actor.get(reverse("voters:review_export_xlsx"))
    if actor.is_machine:
        assert _login_redirect(response)
        return
    if actor.is_monitor:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    sheets = _xlsx_cells(response)
    text = _review_text(sheets)
    assert not _forbidden_in(actor, text), _forbidden_in(actor, text)
    kec = _expected_counts(actor, roll, "kecamatan", ("terkonfirmasi",))
    desa = _expected_counts(actor, roll, "desa", ("terkonfirmasi",))
    *rows, _total = sheets["Rekap"][1:]
    assert {row[1] for row in rows} == set(kec) | set(desa)  # TPS rows name their desa
    confirmed = _expected_pairs(actor, roll, statuses=("terkonfirmasi",))
    if not _may_review_voters(actor):  # counts only: no cases, no names, no NIK
        assert list(sheets) == ["Rekap"]
        assert not _names_in(roll, text)
        assert not any(v.nik in text for v in roll.all_voters)
        return
    assert list(sheets) == ["Rekap", "Kasus"]
    assert len(sheets["Kasus"]) - 1 == len(confirmed)
    assert _names_in(roll, text) == roll.pair_names(confirmed)
    for key in confirmed:
        for v in (roll.pairs[key].voter_l, roll.pairs[key].voter_r):
            assert _shown_nik(actor, v.nik) in text, key
            assert _sees_nik(actor) or v.nik not in text, key


def page_voters_review_export_pdf(actor: Actor) -> None:
    from siaga.voters import views_review

    roll = _roll(actor.world)
    rendered: list[str] = []
    real_pdf_html = views_review.pdf_html

    def spy(*args, **kwargs):  # the HTML the PDF is printed from
        rendered.append(real_pdf_html(*args, **kwargs))
        return rendered[-1]

    with mock.patch.object(views_review, "pdf_html", spy):
        response = actor.get(reverse("voters:review_export_pdf"))
    if actor.is_machine:
        assert _login_redirect(response) and not rendered
        return
    if actor.is_monitor:
        assert response.status_code == 404 and not rendered
        return
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    html = rendered.pop()
    assert not _forbidden_in(actor, html), _forbidden_in(actor, html)
    confirmed = _expected_pairs(actor, roll, statuses=("terkonfirmasi",))
    assert _names_in(roll, html) == roll.pair_names(confirmed)
    for v in roll.all_voters:
        assert v.nik not in html or _sees_nik(actor), v.name


def page_voters_linkage_run(actor: Actor) -> None:
    from siaga.voters.models import LinkageRun

    roll = _roll(actor.world)
    url = reverse("voters:linkage_run")
    response = actor.get(url)
    before, audit = LinkageRun.objects.count(), _audit_count()
    posted = _post(actor, url, {"threshold": "0.9"})
    if actor.is_machine:
        assert _login_redirect(response) and _login_redirect(posted)
    elif _may_run_search(actor):
        assert response.status_code == 200
        assert f'data-run="{roll.run.pk}"' in response.content.decode()
        assert posted.status_code == 302 and posted.url == url
        run = LinkageRun.objects.exclude(pk=roll.run.pk).get()
        assert run.created_by == actor.user and run.threshold == 0.9
        assert _audit_count() == audit + 1  # queued, by whom, from where
        return
    else:  # readers, field monitors and kecamatan reviewers: the page does not exist for them
        assert response.status_code == 404 and posted.status_code == 404
    assert LinkageRun.objects.count() == before and _audit_count() == audit


def page_voters_import_list(actor: Actor) -> None:
    from siaga.voters.models import DptImport

    roll = _roll(actor.world)
    url = reverse("voters:import_list")
    response = actor.get(url)
    if actor.is_machine:
        assert _login_redirect(response)
        return
    if not _may_import_dpt(actor):
        assert response.status_code == 403
        assert "dpt-matriks" not in response.content.decode()
    else:
        assert response.status_code == 200
        body = response.content.decode()
        expected = _expected_imports(actor, roll)
        shown = {int(pk) for pk in re.findall(r'data-import="(\d+)"', body)}
        assert shown == {roll.imports[k].pk for k in expected}
        for key, dpt_import in roll.imports.items():
            assert (dpt_import.file_name in body) == (key in expected), key
        # The upload form offers only the regency and kecamatan of the scope.
        offered = set(re.findall(r'<option value="([\d.]+)"', body))
        assert offered == {
            r.code for r in Region.objects.filter(level__in=["regency", "district"])
            if actor.covers(r.code)
        }  # fmt: skip
    inside, outside = _import_regions(actor)
    with _data_dir():
        for region in filter(None, (outside, inside)):
            before, audit = DptImport.objects.count(), _audit_count()
            posted = _post(
                actor, url, {"region": region, "file": _upload(actor, _desa_under(region))}
            )
            if not _may_import_dpt(actor):
                assert posted.status_code == 403, region
            elif region == inside:
                made = DptImport.objects.exclude(pk__in=[i.pk for i in roll.imports.values()]).get()
                assert posted.status_code == 302, region
                assert posted.url == reverse("voters:import_detail", args=[made.pk])
                assert made.scope_code == region and made.created_by == actor.user
                continue
            else:  # not a region of the form's choices: shown again, nothing stored
                assert posted.status_code == 400, region
            assert DptImport.objects.count() == before and _audit_count() == audit, region


def page_voters_import_detail(actor: Actor) -> None:
    roll = _roll(actor.world)
    expected = _expected_imports(actor, roll)
    for key, dpt_import in roll.imports.items():
        for headers in ({}, {"HX-Request": "true"}):  # the page, and its polled progress part
            response = actor.client.get(
                reverse("voters:import_detail", args=[dpt_import.pk]),
                headers={**actor.headers, **headers},
            )
            actor.assert_no_leak(response)
            body = response.content.decode()
            if actor.is_machine:  # no session; htmx polling is told to stop (286, empty)
                if headers:
                    assert response.status_code == 286 and not response.content, key
                else:
                    assert _login_redirect(response), key
            elif not _may_import_dpt(actor):
                assert response.status_code == 403, key
            else:
                assert response.status_code == (200 if key in expected else 404), key
            ok = response.status_code == 200
            if not headers:
                assert (roll.rejected[key] in body) == ok, key
            for other, name in roll.rejected.items():
                assert other == key or name not in body, (key, other)
        if not _may_import_dpt(actor) or key not in expected:
            continue
        nik = dpt_import.rejected.get().values["nik"]
        body = actor.get(reverse("voters:import_detail", args=[dpt_import.pk])).content.decode()
        assert _shown_nik(actor, nik) in body and (_sees_nik(actor) or nik not in body), key


def page_voters_import_report(actor: Actor) -> None:
    roll = _roll(actor.world)
    expected = _expected_imports(actor, roll)
    for key, dpt_import in roll.imports.items():
        for fmt in ("csv", "xlsx", "pdf"):
            response = actor.client.get(
                reverse("voters:import_report", args=[dpt_import.pk, fmt]), headers=actor.headers
            )
            if response.streaming:
                content = b"".join(response.streaming_content)
                _close_file(response)
            else:
                content = response.content
            if actor.is_machine:
                assert _login_redirect(response), (key, fmt)
                continue
            if not _may_import_dpt(actor):
                assert response.status_code == 403, (key, fmt)
                continue
            ok = key in expected and fmt != "pdf"
            assert response.status_code == (200 if ok else 404), (key, fmt)
            if not ok:
                assert roll.rejected[key].encode() not in content, (key, fmt)
                continue
            if fmt == "csv":
                text = content.decode("utf-8-sig")
            else:
                from openpyxl import load_workbook

                book = load_workbook(io.BytesIO(content), read_only=True)
                text = "\n".join(
                    str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row
                )
            assert roll.rejected[key] in text, (key, fmt)
            assert not _forbidden_in(actor, text), (key, fmt)
            nik = dpt_import.rejected.get().values["nik"]
            assert _shown_nik(actor, nik) in text and (_sees_nik(actor) or nik not in text)


def page_voters_check(actor: Actor) -> None:
    from siaga.voters.models import VoterCheck

    roll = _roll(actor.world)
    url = reverse("voters:check")
    response = actor.get(url)
    if actor.is_machine:
        assert _login_redirect(response)
    elif not _may_check_voter(actor):  # leadership and liaisons read; they do not check
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        # The TPS offered to check from: a monitor's assigned one, never another scope's.
        offered = {
            int(pk) for pk in re.findall(r'<option value="(\d+)"', response.content.decode())
        }
        assert offered <= actor.tps()
    for nik, tps, voter in _check_cases(actor, roll):
        before, audit = VoterCheck.objects.count(), _audit_count()
        # Not actor.get's leak check: the answer names where a NIK is registered, wherever that
        # is (see api_voter_check); no person's name and no NIK is ever in it.
        response = actor.client.post(url, {"nik": nik, "tps": tps or ""}, headers=actor.headers)
        body = response.content.decode()
        assert not _names_in(roll, body) and nik not in body, (nik, tps)
        if actor.is_machine:
            assert _login_redirect(response)
        elif not _may_check_voter(actor):
            assert response.status_code == 403, (nik, tps)
        elif voter == "outside":
            assert response.status_code == 404, (nik, tps)
        else:
            assert response.status_code == 200, (nik, tps)
            status = "tidak_terdaftar" if voter is None else _expected_check_status(roll, voter)
            assert f'data-status="{status}"' in body, (nik, status)
            assert VoterCheck.objects.count() == before + 1 and _audit_count() == audit + 1
            continue
        assert VoterCheck.objects.count() == before and _audit_count() == audit, (nik, tps)


# --- social media pages -------------------------------------------------------------------------
# Readers (Action.VIEW) open every page but the sources' and see no form; admins and analysts act
# in their scope; a POST by a reader, or on an object out of scope, is a 404; field monitors get
# 404 everywhere; machines have no session (login).


def _media_denied(actor: Actor, response, where=None) -> None:
    if actor.is_machine:
        assert _login_redirect(response), where
    else:
        assert response.status_code == 404, where


def _shown(pattern: str, response) -> set[int]:
    return {int(pk) for pk in re.findall(pattern, response.content.decode())}


def page_media_queue(actor: Actor) -> None:
    media = _media(actor.world)
    response = actor.get(reverse("media:queue"))
    if not _sees_media(actor) or actor.is_machine:
        _media_denied(actor, response)
        return
    assert response.status_code == 200
    assert _shown(r'data-post="(\d+)"', response) == _expected_posts(actor, media)
    assert _shown(r'data-alert="(\d+)"', response) == _expected_alerts(actor, media)
    # A region of another scope is not a choice of the filter: it never widens the scope.
    for code in ("64.01.01", "64.08.06", "64.08.04"):
        response = actor.get(reverse("media:queue"), {"region": code})
        assert _shown(r'data-post="(\d+)"', response) <= _expected_posts(actor, media), code


def page_media_post(actor: Actor) -> None:
    media = _media(actor.world)
    expected = _expected_posts(actor, media)
    for post in media.all_posts():
        response = actor.get(reverse("media:post", args=[post.pk]))
        if post.pk not in expected or actor.is_machine:
            _media_denied(actor, response, post.external_id)
            continue
        assert response.status_code == 200, post.external_id
        body = response.content.decode()
        assert post.text in body
        assert ('data-form="status"' in body) == _may_triage_media(actor), post.external_id


def _media_page_acts(actor: Actor, name: str, data: dict, before: str, check) -> None:
    """POST ``data`` to the page ``name`` of every post; ``check(post)`` says it took effect."""
    media = _media(actor.world)
    _set_media_status(media, before)
    expected = _expected_posts(actor, media)
    for post in media.all_posts():
        audit = _audit_count()
        response = _post(actor, reverse(name, args=[post.pk]), data)
        if post.pk in expected and _may_triage_media(actor) and not actor.is_machine:
            assert response.status_code == 302, post.external_id
            assert response.url == reverse("media:post", args=[post.pk])
            assert check(post) and _audit_count() == audit + 1, post.external_id
            continue
        _media_denied(actor, response, post.external_id)
        assert not check(post) and _audit_count() == audit, post.external_id


def page_media_post_status(actor: Actor) -> None:
    _media_page_acts(
        actor,
        "media:post_status",
        {"to": "sedang_diperiksa"},
        "belum_ditinjau",
        lambda post: _media_post_status(post) == "sedang_diperiksa",
    )


def page_media_post_action(actor: Actor) -> None:
    _media_page_acts(
        actor,
        "media:post_action",
        {"action": "lapor_kominfo", "note": "matriks"},
        "hoaks",
        lambda post: _media_post_status(post) == "ditindaklanjuti",
    )


def page_media_post_debunk(actor: Actor) -> None:
    from siaga.media.models import Post

    media = _media(actor.world)
    _media_page_acts(
        actor,
        "media:post_debunk",
        {"debunk": media.debunk.pk},
        "belum_ditinjau",
        lambda post: Post.objects.get(pk=post.pk).debunk_id == media.debunk.pk,
    )


def page_media_narratives(actor: Actor) -> None:
    media = _media(actor.world)
    response = actor.get(reverse("media:narratives"))
    if not _sees_media(actor) or actor.is_machine:
        _media_denied(actor, response)
        return
    assert response.status_code == 200
    assert _shown(r'data-narrative="(\d+)"', response) == _expected_narratives(actor, media)


def page_media_narrative(actor: Actor) -> None:
    media = _media(actor.world)
    expected = _expected_narratives(actor, media)
    for code, narrative in media.narratives.items():
        response = actor.get(reverse("media:narrative", args=[narrative.pk]))
        if narrative.pk not in expected or actor.is_machine:
            _media_denied(actor, response, code)
            continue
        assert response.status_code == 200, code
        assert _shown(r'data-post="(\d+)"', response) == {p.pk for p in media.posts[code]}


def page_media_debunks(actor: Actor) -> None:
    from siaga.media.models import Debunk

    media = _media(actor.world)
    url = reverse("media:debunks")
    response = actor.get(url)
    before, audit = Debunk.objects.count(), _audit_count()
    posted = _post(actor, url, {"claim": "Klaim halaman matriks", "verdict": "salah",
                                "date": "2024-11-21", "active": "on"})  # fmt: skip
    if not _sees_media(actor) or actor.is_machine:
        _media_denied(actor, response)
        _media_denied(actor, posted)
    else:
        assert response.status_code == 200
        body = response.content.decode()
        assert _shown(r'data-debunk="(\d+)"', response) == {media.debunk.pk}
        assert ('data-form="debunk-new"' in body) == _may_triage_media(actor)
        assert ('data-form="debunk-import"' in body) == _may_triage_media(actor)
        if _may_triage_media(actor):
            assert posted.status_code == 302 and posted.url == url
            assert Debunk.objects.count() == before + 1 and _audit_count() == audit + 1
            return
        assert posted.status_code == 404  # a reader's POST
    assert Debunk.objects.count() == before and _audit_count() == audit


def page_media_debunk(actor: Actor) -> None:
    from siaga.media.models import Debunk

    media = _media(actor.world)
    url = reverse("media:debunk", args=[media.debunk.pk])
    response = actor.get(url)
    audit = _audit_count()
    posted = _post(actor, url, {"claim": "Klaim matriks diubah", "verdict": "menyesatkan",
                                "date": "2024-11-20"})  # fmt: skip
    claim = Debunk.objects.get(pk=media.debunk.pk).claim
    if not _sees_media(actor) or actor.is_machine:
        _media_denied(actor, response)
        _media_denied(actor, posted)
    else:
        assert response.status_code == 200
        body = response.content.decode()
        assert ('data-form="debunk-edit"' in body) == _may_triage_media(actor)
        # the posts matching it, of the scope only
        assert _shown(r"unggahan/(\d+)/", response) <= _expected_posts(actor, media)
        if _may_triage_media(actor):
            assert posted.status_code == 302 and claim == "Klaim matriks diubah"
            assert _audit_count() == audit + 1
            return
        assert posted.status_code == 404
    assert claim == media.debunk.claim and _audit_count() == audit


def _debunk_csv(actor: Actor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = (
        "claim,verdict,date,url\n"
        f"Klaim impor {actor.principal.key},salah,2024-11-19,"
        f"https://cekfakta.contoh.id/{actor.principal.key}\n"
    ).encode()
    return SimpleUploadedFile("klarifikasi.csv", content, content_type="text/csv")


def page_media_debunks_import(actor: Actor) -> None:
    from siaga.media.models import Debunk

    _media(actor.world)
    before, audit = Debunk.objects.count(), _audit_count()
    with _data_dir():
        response = _post(actor, reverse("media:debunks_import"), {"file": _debunk_csv(actor)})
    if _may_triage_media(actor):
        assert response.status_code == 302 and response.url == reverse("media:debunks")
        assert Debunk.objects.count() == before + 1 and _audit_count() == audit + 1
        return
    _media_denied(actor, response)
    assert Debunk.objects.count() == before and _audit_count() == audit


def page_media_alerts(actor: Actor) -> None:
    media = _media(actor.world)
    response = actor.get(reverse("media:alerts"))
    if not _sees_media(actor) or actor.is_machine:
        _media_denied(actor, response)
        return
    assert response.status_code == 200
    expected = _expected_alerts(actor, media)
    assert _shown(r'data-alert="(\d+)"', response) == expected
    buttons = _shown(r"peringatan/(\d+)/terima", response)
    assert buttons == (expected if _may_triage_media(actor) else set())


def page_media_alert_ack(actor: Actor) -> None:
    from siaga.media.models import MediaAlert

    media = _media(actor.world)
    expected = _expected_alerts(actor, media)
    for code, alert in media.alerts.items():
        audit = _audit_count()
        response = _post(actor, reverse("media:alert_ack", args=[alert.pk]), {})
        acknowledged = MediaAlert.objects.get(pk=alert.pk).acknowledged_at is not None
        if alert.pk in expected and _may_triage_media(actor):
            assert response.status_code == 302 and acknowledged, code
            assert _audit_count() == audit + 1, code
            continue
        _media_denied(actor, response, code)
        assert not acknowledged and _audit_count() == audit, code


def page_media_sources(actor: Actor) -> None:
    from siaga.media.models import Source

    media = _media(actor.world)
    url = reverse("media:sources")
    response = actor.get(url)
    before, audit = Source.objects.count(), _audit_count()
    posted = _post(actor, url, {"name": f"Umpan {actor.principal.key}", "kind": "rss",
                                "platform": "news", "url": "https://berita.contoh.id/rss",
                                "poll_minutes": "30"})  # fmt: skip
    if not _may_triage_media(actor):  # INGEST_MEDIA: the same people here
        _media_denied(actor, response)
        _media_denied(actor, posted)
        assert Source.objects.count() == before and _audit_count() == audit
        return
    assert response.status_code == 200
    shown = set(re.findall(r'data-source="([\w-]+)"', response.content.decode()))
    assert shown == {s.slug for s in media.sources.values() if actor.covers(s.region_id)}
    assert posted.status_code == 302 and Source.objects.count() == before + 1


def page_media_source(actor: Actor) -> None:
    media = _media(actor.world)
    for code, source in media.sources.items():
        response = actor.get(reverse("media:source", args=[source.pk]))
        if _may_triage_media(actor) and actor.covers(code):
            assert response.status_code == 200, code
            assert "rahasia-matriks" in response.content.decode(), code
        else:
            _media_denied(actor, response, code)
            assert "rahasia-matriks" not in response.content.decode(), code


def page_media_posts_upload(actor: Actor) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from siaga.media.models import Source

    _media(actor.world)
    content = b"platform,external_id,text,posted_at\nx,u1,Unggahan berkas,2024-11-24T08:00:00\n"
    before = Source.objects.count()
    with _data_dir() as folder:
        upload = SimpleUploadedFile("unggahan.csv", content, content_type="text/csv")
        response = _post(actor, reverse("media:posts_upload"), {"file": upload})
        saved = list((Path(folder) / "media-uploads").glob("*.csv"))
    if _may_triage_media(actor):
        assert response.status_code == 302 and response.url == reverse("media:sources")
        assert len(saved) == 1  # queued for the worker, which imports it after the commit
        return
    _media_denied(actor, response)
    assert not saved and Source.objects.count() == before


def page_media_model(actor: Actor) -> None:
    url = reverse("media:model")
    response = actor.get(url)
    audit = _audit_count()
    posted = _post(actor, url, {})
    if not _sees_media(actor) or actor.is_machine:
        _media_denied(actor, response)
        _media_denied(actor, posted)
        return
    assert response.status_code == 200
    assert ('data-form="retrain"' in response.content.decode()) == _may_triage_media(actor)
    # Retraining is queued (it runs after the commit, on the worker); readers may not queue it.
    assert posted.status_code == (302 if _may_triage_media(actor) else 404)
    assert _audit_count() == audit


PAGE_MATRIX: dict[str, Callable[[Actor], None]] = {
    "dashboard:situation-room": page_situation_room,
    "dashboard:briefing": page_briefing,
    "dashboard:banner": page_banner,
    "wilayah:region": page_region,
    "wilayah:tps": page_tps,
    "logistics:overview": page_logistics_overview,
    "logistics:export-xlsx": page_logistics_export_xlsx,
    "logistics:export-pdf": page_logistics_export_pdf,
    "logistics:shipments": page_logistics_shipments,
    "logistics:shipment-create": page_logistics_shipment_create,
    "logistics:shipment": page_logistics_shipment,
    "logistics:shipment-edit": page_logistics_shipment_edit,
    "logistics:shipment-status": page_logistics_shipment_status,
    "logistics:handover": page_logistics_handover,
    "logistics:handover-manifest": page_logistics_handover_manifest,
    "logistics:handover-sw": page_logistics_handover_sw,
    "checklists:overview": page_checklists_overview,
    "checklists:tps": page_checklists_tps,
    "checklists:photo": page_checklists_photo,
    **{name: page_webhook(name) for name in WEBHOOKS},
    "incidents:list": page_incidents_list,
    "incidents:feed": page_incidents_feed,
    "incidents:detail": page_incidents_detail,
    "incidents:media": page_incidents_media,
    "incidents:transition": page_incidents_transition,
    "incidents:note": page_incidents_note,
    "incidents:share": page_incidents_share,
    "incidents:tps-history": page_incidents_tps_history,
    "notifications:inbox": page_notifications_inbox,
    "notifications:read": page_notifications_read,
    "notifications:read-all": page_notifications_read_all,
    "report:field": page_report_field,
    "voters:review_queue": page_voters_review_queue,
    "voters:review_pair": page_voters_review_pair,
    "voters:review_decide": page_voters_review_decide,
    "voters:review_summary": page_voters_review_summary,
    "voters:review_export_xlsx": page_voters_review_export_xlsx,
    "voters:review_export_pdf": page_voters_review_export_pdf,
    "voters:linkage_run": page_voters_linkage_run,
    "voters:import_list": page_voters_import_list,
    "voters:import_detail": page_voters_import_detail,
    "voters:import_report": page_voters_import_report,
    "voters:check": page_voters_check,
    "media:queue": page_media_queue,
    "media:post": page_media_post,
    "media:post_status": page_media_post_status,
    "media:post_action": page_media_post_action,
    "media:post_debunk": page_media_post_debunk,
    "media:narratives": page_media_narratives,
    "media:narrative": page_media_narrative,
    "media:debunks": page_media_debunks,
    "media:debunks_import": page_media_debunks_import,
    "media:debunk": page_media_debunk,
    "media:alerts": page_media_alerts,
    "media:alert_ack": page_media_alert_ack,
    "media:sources": page_media_sources,
    "media:source": page_media_source,
    "media:posts_upload": page_media_posts_upload,
    "media:model": page_media_model,
    **{
        name: page_report_public(name)
        for name in (
            "report:public",
            "report:public-check",
            "report:field-manifest",
            "report:field-sw",
        )
    },
}
PAGE_SAMPLE_ARGS = {
    "wilayah:region": ["64.08"],
    "wilayah:tps": ["{tps}"],
    "logistics:shipment": ["KT-ABCD2345"],
    "logistics:shipment-edit": ["KT-ABCD2345"],
    "logistics:shipment-status": ["KT-ABCD2345"],
    "checklists:tps": ["{tps}"],
    "checklists:photo": ["1"],
    "incidents:detail": ["LK-ABCDEF"],
    "incidents:media": ["1"],
    "incidents:transition": ["LK-ABCDEF"],
    "incidents:note": ["LK-ABCDEF"],
    "incidents:share": ["LK-ABCDEF"],
    "incidents:tps-history": ["{tps}"],
    "notifications:read": ["1"],
    "voters:review_pair": ["1"],
    "voters:review_decide": ["1"],
    "voters:import_detail": ["1"],
    "voters:import_report": ["1", "csv"],
    "media:post": ["1"],
    "media:post_status": ["1"],
    "media:post_action": ["1"],
    "media:post_debunk": ["1"],
    "media:narrative": ["1"],
    "media:debunk": ["1"],
    "media:alert_ack": ["1"],
    "media:source": ["1"],
    "webhooks:media": ["perayap-matriks-0"],
}

# Modules whose rows live in their own file (tests/matrix_<module>.py): API, API_SAMPLES,
# PAGES and PAGE_ARGS, merged here so that the completeness tests see them.
for _rows in (
    matrix_risk,
    matrix_postelection,
    matrix_security,
    matrix_notifications,
    matrix_coordination,
    matrix_reports,
):
    API_MATRIX.update(_rows.API)
    API_SAMPLES.update(_rows.API_SAMPLES)
    PAGE_MATRIX.update(_rows.PAGES)
    PAGE_SAMPLE_ARGS.update(_rows.PAGE_ARGS)

# Named URLs that show no domain data and need no scope check here (tested elsewhere).
PAGES_OUTSIDE_THE_MATRIX = {"healthz", "login", "logout", "set_language"}
NAMESPACES_OUTSIDE_THE_MATRIX = {"admin", "api-v1"}  # admin: tests/accounts; API: API_MATRIX


def named_pages() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or namespace
                if ns in NAMESPACES_OUTSIDE_THE_MATRIX:
                    continue
                walk(pattern.url_patterns, f"{namespace}:{ns}" if namespace and ns else ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names - PAGES_OUTSIDE_THE_MATRIX


# --- the tests ----------------------------------------------------------------------------------


def test_every_role_is_in_the_matrix():
    assert set(Role) == ROLES_COVERED


def test_every_api_operation_is_in_the_matrix():
    operations = api_operations()
    assert operations - set(API_MATRIX) == set(), "add these API operations to API_MATRIX"
    assert set(API_MATRIX) - operations == set(), "API_MATRIX names operations that are gone"


def test_every_page_is_in_the_matrix():
    pages = named_pages()
    assert pages - set(PAGE_MATRIX) == set(), "add these pages to PAGE_MATRIX"
    assert set(PAGE_MATRIX) - pages == set(), "PAGE_MATRIX names pages that are gone"


@pytest.mark.parametrize("operation", sorted(API_MATRIX), ids=lambda op: f"{op[0]} {op[1]}")
def test_api_matrix(actor, operation):
    API_MATRIX[operation](actor)


@pytest.mark.parametrize("page", sorted(PAGE_MATRIX))
def test_page_matrix(actor, page):
    PAGE_MATRIX[page](actor)


@pytest.mark.parametrize("operation", sorted(API_MATRIX), ids=lambda op: f"{op[0]} {op[1]}")
def test_api_without_authentication_answers_401_and_no_data(matrix_world, client, operation):
    tps = matrix_world.tps["64.08.04.1001"][0].pk
    url = API_SAMPLES.get(operation[1], operation[1]).format(tps=tps)
    response = client.generic(operation[0], url)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


@pytest.mark.parametrize("page", sorted(PAGE_MATRIX))
def test_pages_without_login_redirect_to_the_login_page_never_data(matrix_world, client, page):
    tps = matrix_world.tps["64.08.04.1001"][0].pk
    args = [a.format(tps=tps) for a in PAGE_SAMPLE_ARGS.get(page, [])]
    response = client.get(reverse(page, args=args))
    assert _anonymous_answer(page, response)
    if page != "report:public":  # the public form lists the regency's desa to choose from
        assert "Sangatta" not in response.content.decode()


def test_machine_users_have_no_session_login(matrix_world, client):
    actor = Actor(matrix_world, PRINCIPALS[-2], client)
    assert not actor.user.has_usable_password()
    response = client.post(
        reverse("login"), {"username": actor.user.username, "password": "anything-at-all"}
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session
