"""POST /api/v1/media/posts: the API route for crawlers, for machine accounts of Diskominfo only.

A machine account (an API token) gets ``INGEST_MEDIA`` only when its agency is a Diskominfo
(``AgencyKind.KOMINFO``); a machine of another agency, leadership and field monitors are
refused with nothing stored. The batch follows the webhook's rules (at most 1,000 posts, good
records stored and bad ones reported, idempotent on platform and external id).
"""

from __future__ import annotations

import pytest

from siaga.accounts.choices import AgencyKind, Role
from siaga.accounts.tokens import token_create
from siaga.core.audit import AuditContext
from siaga.core.models import AuditEvent
from siaga.media.models import IngestBatch, Post, Source
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/media/posts"
WHEN = "2024-11-24T08:00:00+08:00"


def record(n: int, **extra) -> dict:
    return {
        "platform": "facebook",
        "external_id": f"fb{n}",
        "text": f"Unggahan nomor {n} tentang pilkada di Busang",
        "posted_at": WHEN,
        **extra,
    }


@pytest.fixture
def bearer(db):
    """``bearer(user)``: the headers of a fresh API token of ``user`` (as tests/api do)."""

    def make(user) -> dict:
        _token, key = token_create(context=AuditContext(channel="test"), user=user, name="test")
        return {"Authorization": f"Bearer {key}"}

    return make


def machine(world, kind: str, code: str):
    agency = AgencyFactory(code=code, name=code.upper(), kind=kind)
    return UserFactory(
        username=f"mesin-{code}", role=Role.MACHINE, agency=agency, scope=[world.regency]
    )


def push(client, headers, posts):
    return client.post(URL, {"posts": posts}, content_type="application/json", headers=headers)


def nothing_stored() -> bool:
    return (
        Post.objects.count() == 0
        and IngestBatch.objects.count() == 0
        and not Source.objects.exists()
        and not AuditEvent.objects.filter(action="media.posts_ingested").exists()
    )


def test_a_kominfo_machine_pushes_a_batch(client, world, bearer):
    robot = machine(world, AgencyKind.KOMINFO, "diskominfo")
    response = push(client, bearer(robot), [record(1), record(2, likes="x"), record(3)])
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["received"], body["stored"], body["updated"], body["rejected"]) == (3, 2, 0, 1)
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(2, "likes")]
    assert set(Post.objects.values_list("external_id", flat=True)) == {"fb1", "fb3"}
    source = Source.objects.get()
    assert source.kind == "api" and source.slug == "api-mesin-diskominfo"
    batch = IngestBatch.objects.get(pk=body["batch"])
    assert batch.created_by == robot and batch.source == source


def test_the_same_batch_twice_is_stored_once_under_one_source(client, world, bearer):
    headers = bearer(machine(world, AgencyKind.KOMINFO, "diskominfo"))
    push(client, headers, [record(1, likes=1)])
    again = push(client, headers, [record(1, likes=50)]).json()
    assert (again["stored"], again["updated"]) == (0, 1)
    assert Post.objects.get().likes == 50
    assert Source.objects.count() == 1


@pytest.mark.parametrize(
    "who",
    ["machine-polri", "machine-pemda", "machine-no-agency", "leadership", "field_monitor"],
)
def test_others_are_refused_and_nothing_is_stored(client, world, bearer, who):
    if who == "machine-polri":
        user = machine(world, AgencyKind.POLRI, "polres")
    elif who == "machine-pemda":
        user = machine(world, AgencyKind.PEMDA, "pemda")
    elif who == "machine-no-agency":
        user = machine(world, AgencyKind.KOMINFO, "diskominfo")
        user.agency = None
        user.save()
    else:
        user = world.user(Role(who))
    response = push(client, bearer(user), [record(1)])
    assert response.status_code == 403
    assert nothing_stored()


def test_no_token_or_a_wrong_token_is_refused(client, world):
    assert push(client, {}, [record(1)]).status_code in (401, 403)
    assert push(client, {"Authorization": "Bearer salah"}, [record(1)]).status_code in (401, 403)
    assert nothing_stored()


def test_more_than_a_thousand_posts_is_413(client, world, bearer):
    headers = bearer(machine(world, AgencyKind.KOMINFO, "diskominfo"))
    response = push(client, headers, [record(n) for n in range(1001)])
    assert response.status_code == 413
    assert nothing_stored()
    assert push(client, headers, [record(n) for n in range(1000)]).json()["stored"] == 1000


def test_a_body_of_the_wrong_shape_is_refused(client, world, bearer):
    headers = bearer(machine(world, AgencyKind.KOMINFO, "diskominfo"))
    for body in ({"posts": "bukan daftar"}, {"data": []}):
        response = client.post(URL, body, content_type="application/json", headers=headers)
        assert response.status_code in (400, 422)
    response = client.post(URL, b"bukan json", content_type="application/json", headers=headers)
    assert response.status_code in (400, 422)
    assert nothing_stored()
