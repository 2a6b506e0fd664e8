"""Acceptance on the real demo: the 701 TPS of Kutai Timur, page by page, bounded queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from siaga.accounts.models import User
from siaga.core.audit import AuditContext
from siaga.demo.services import demo_load


@pytest.fixture
def demo(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return demo_load(context=AuditContext.cli(), national_regions=False, media=False)


def test_the_701_demo_tps_come_page_by_page_with_a_bounded_number_of_queries(demo, client):
    client.force_login(User.objects.get(username="analis"))
    seen, dpt, queries, page = [], 0, [], 1
    while True:
        with CaptureQueriesContext(connection) as captured:
            body = client.get("/api/v1/tps", {"page": page, "page_size": 100}).json()
        queries.append(len(captured))
        seen += [item["id"] for item in body["items"]]
        dpt += sum(item["dpt_total"] for item in body["items"])
        if page >= body["pages"]:
            break
        page += 1
    assert page == 8 and body["count"] == 701
    assert len(seen) == len(set(seen)) == 701
    assert dpt == 297_994
    assert max(queries) <= 6, queries


def test_a_kecamatan_liaison_pages_through_sangatta_utara_only(demo, client):
    client.force_login(User.objects.get(username="polsek.sangatta"))
    body = client.get("/api/v1/tps", {"page_size": 500}).json()
    assert body["count"] == len(body["items"]) > 0
    assert {item["kecamatan"]["code"] for item in body["items"]} == {"64.08.04"}
