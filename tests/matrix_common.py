"""Small helpers shared by the permission-matrix rows of the modules (tests/matrix_*.py)."""

from __future__ import annotations

import json
import re

from django.urls import reverse


def role(actor):
    return actor.principal.role


def audits() -> int:
    from siaga.core.models import AuditEvent

    return AuditEvent.objects.count()


def json_request(actor, method: str, url: str, body: dict):
    response = getattr(actor.client, method)(
        url, json.dumps(body), content_type="application/json", headers=actor.headers
    )
    actor.assert_no_leak(response)
    return response


def post(actor, url: str, data: dict):
    response = actor.client.post(url, data, headers=actor.headers)
    actor.assert_no_leak(response)
    return response


def login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("login"))


def ids(pattern: str, response) -> set[int]:
    return {int(pk) for pk in re.findall(pattern, response.content.decode())}
