"""While the database cannot be reached, pages and the API answer 503 with Retry-After (the
field app's outbox waits and retries with the same key) instead of a 500 page. The real restart
of PostgreSQL in the middle of a burst is in benchmarks/incidents_burst.py --drill and
tests/incidents/test_fault_drill.py; here the failure is raised where the database is read."""

from unittest import mock

from django.db import OperationalError

from siaga.accounts.choices import Role


def test_api_and_pages_answer_503_with_retry_after_when_the_database_is_away(world, client):
    client.force_login(world.user(Role.ANALYST))
    down = OperationalError("connection refused")
    with mock.patch("siaga.incidents.selectors.incidents_visible", side_effect=down):
        api = client.get("/api/v1/incidents")
        page = client.get("/insiden/")
    assert api.status_code == 503 and api["Retry-After"] == "5"
    assert "Basis data" in api.json()["detail"]
    assert page.status_code == 503 and page["Retry-After"] == "5"


def test_other_errors_are_not_disguised_as_an_outage(world, client):
    client.raise_request_exception = False
    client.force_login(world.user(Role.ANALYST))
    with mock.patch("siaga.incidents.selectors.incidents_visible", side_effect=ValueError("bug")):
        response = client.get("/api/v1/incidents")
    assert response.status_code == 500
