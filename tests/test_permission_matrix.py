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

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from siaga.accounts.choices import AgencyKind, Role
from siaga.accounts.tokens import token_create
from siaga.api import api
from siaga.core.audit import AuditContext
from siaga.core.models import Deployment
from siaga.wilayah.models import Region, Tps
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


API_MATRIX: dict[tuple[str, str], Callable[[Actor], None]] = {
    ("GET", "/api/v1/regions"): api_regions,
    ("GET", "/api/v1/regions/{code}"): api_region_detail,
    ("GET", "/api/v1/tps"): api_tps_list,
    ("GET", "/api/v1/tps/{tps_id}"): api_tps_detail,
    ("GET", "/api/v1/agencies"): api_agencies,
    ("GET", "/api/v1/me"): api_me,
    ("GET", "/api/v1/map"): api_map,
}

# A sample URL per operation, for the unauthenticated checks.
API_SAMPLES = {
    "/api/v1/regions/{code}": "/api/v1/regions/64.08",
    "/api/v1/tps/{tps_id}": "/api/v1/tps/{tps}",
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
ANONYMOUS_STATUS = {"dashboard:banner": 286}


def _anonymous_answer(page: str, response) -> bool:
    """How a page answers without a session: a redirect to login, or its documented status."""
    if page in ANONYMOUS_STATUS:
        return response.status_code == ANONYMOUS_STATUS[page] and not response.content
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


PAGE_MATRIX: dict[str, Callable[[Actor], None]] = {
    "dashboard:situation-room": page_situation_room,
    "dashboard:banner": page_banner,
    "wilayah:region": page_region,
    "wilayah:tps": page_tps,
}
PAGE_SAMPLE_ARGS = {"wilayah:region": ["64.08"], "wilayah:tps": ["{tps}"]}

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
    assert "Sangatta" not in response.content.decode()


def test_machine_users_have_no_session_login(matrix_world, client):
    actor = Actor(matrix_world, PRINCIPALS[-2], client)
    assert not actor.user.has_usable_password()
    response = client.post(
        reverse("login"), {"username": actor.user.username, "password": "anything-at-all"}
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session
