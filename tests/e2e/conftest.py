"""End-to-end tests share one rule: no database session may outlive its test."""

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _no_stray_database_sessions(transactional_db):
    """Chromium may keep an HTTP keep-alive socket open after its context closes, and the live
    server thread serving it then keeps its PostgreSQL session: the test database could not be
    dropped at the end of the run. End such sessions once the test is over."""
    yield
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
