"""Fixtures for API tests: a bearer-token header for any user, and a logged-in client."""

import pytest

from siaga.accounts.tokens import token_create
from siaga.core.audit import AuditContext


@pytest.fixture
def bearer(db):
    """``bearer(user, **token_options)`` gives the headers of a fresh token for ``user``."""

    def make(user, **options) -> dict:
        _token, key = token_create(
            context=AuditContext(channel="test"), user=user, name="test", **options
        )
        return {"Authorization": f"Bearer {key}"}

    return make


@pytest.fixture
def login(client):
    """``login(user)`` logs ``user`` into the test client and returns the client."""

    def make(user):
        client.force_login(user)
        return client

    return make
