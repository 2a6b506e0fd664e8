"""Fixtures of the incident tests (named inc and inc_*): categories, the deployment, agencies with
their people, a report maker, a controllable clock and a throw-away media folder.

Agencies of Kutai Timur (64.08): bawaslu, polres (polri, head = ``kapolres``), kodim (tni,
Telegram group ``-100777``), kpu; of Paser (64.01): bawaslu-paser, polres-paser.
People (usernames): ``inc-analyst``, ``inc-admin``, ``inc-leader`` (scope 64.08),
``inc-analyst-paser`` (scope 64.01), ``inc-<agency>`` liaisons (scope 64.08),
``inc-mon`` field monitor of the first TPS of desa 64.08.04.1001.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from siaga.accounts.choices import AgencyKind, Role
from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.core.models import Deployment
from siaga.incidents.catalogue import categories_seed
from siaga.incidents.services import IncidentInput, incident_submit
from tests.factories import AgencyFactory, UserFactory


@pytest.fixture
def inc_media(settings, tmp_path):
    """Stored attachments go to a temporary folder, never to var/media."""
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root},
        },
    }
    return root


@pytest.fixture
def inc_categories(db):
    categories_seed(context=AuditContext.cli())


@pytest.fixture
def inc_deployment(world):
    """Kutai Timur, voting in three days (masa tenang today)."""
    return Deployment.objects.create(
        regency=world.regency,
        election_name="Pilkada Kutai Timur 2024",
        voting_day=clock.today() + dt.timedelta(days=3),
    )


@pytest.fixture
def inc_clock(inc_deployment):
    """``inc_clock(hours=..)`` moves the deployment clock forward (cumulative)."""

    def advance(**delta) -> dt.datetime:
        inc_deployment.clock_offset_seconds += int(dt.timedelta(**delta).total_seconds())
        inc_deployment.save(update_fields=["clock_offset_seconds"])
        clock.clear_cache()
        return clock.now()

    return advance


@pytest.fixture
def inc_agencies(world):
    def make(code, name, kind, region="64.08", **extra):
        return AgencyFactory(code=code, name=name, kind=kind, region_id=region, **extra)

    return SimpleNamespace(
        bawaslu=make("bawaslu", "Bawaslu Kutai Timur", AgencyKind.BAWASLU),
        polres=make("polres", "Polres Kutai Timur", AgencyKind.POLRI),
        kodim=make("kodim", "Kodim 0909", AgencyKind.TNI, telegram_chat_id="-100777"),
        kpu=make("kpu", "KPU Kutai Timur", AgencyKind.KPU),
        bawaslu_paser=make("bawaslu-paser", "Bawaslu Paser", AgencyKind.BAWASLU, "64.01"),
        polres_paser=make("polres-paser", "Polres Paser", AgencyKind.POLRI, "64.01"),
    )


@pytest.fixture
def inc(world, inc_categories, inc_deployment, inc_agencies):
    """Everything at once: ``inc.world``, ``inc.agency.<code>``, ``inc.<person>``."""

    def person(username, role, agency, scope=None, **extra):
        user = UserFactory(
            username=username,
            role=role,
            agency=agency,
            scope=scope if scope is not None else [world.regency],
            email=f"{username}@siaga.test",
            **extra,
        )
        return user

    a = inc_agencies
    people = SimpleNamespace(
        world=world,
        agency=a,
        tps=world.tps[world.desa_a1.code][0],
        analyst=person("inc-analyst", Role.ANALYST, world.agency),
        admin=person("inc-admin", Role.ADMIN, world.agency),
        leader=person("inc-leader", Role.LEADERSHIP, world.agency),
        analyst_paser=person(
            "inc-analyst-paser", Role.ANALYST, world.agency, scope=[world.other_regency]
        ),
        bawaslu=person("inc-bawaslu", Role.LIAISON, a.bawaslu),
        polres=person("inc-polres", Role.LIAISON, a.polres),
        kodim=person("inc-kodim", Role.LIAISON, a.kodim),
        kpu=person("inc-kpu", Role.LIAISON, a.kpu),
        kapolres=person("kapolres", Role.LEADERSHIP, a.polres),
        monitor=person(
            "inc-mon", Role.FIELD_MONITOR, world.agency, tps=[world.tps[world.desa_a1.code][0]]
        ),
    )
    a.polres.head = people.kapolres
    a.polres.save(update_fields=["head"])
    return people


@pytest.fixture
def inc_report(inc):
    """``inc_report(user=None, key="", channel=None, **IncidentInput fields)`` -> Incident.

    Defaults: politik-uang at ``inc.tps``, from the public form when ``user`` is None, else
    from the situation room (web).
    """

    def make(user=None, *, key="", channel=None, **fields):
        fields.setdefault("category", "politik-uang")
        fields.setdefault("description", "Ada pembagian amplop berisi uang di dekat TPS")
        if not {"tps_id", "region_code", "lat"} & fields.keys():
            fields["tps_id"] = inc.tps.pk
        return incident_submit(
            context=AuditContext(actor=user, channel="test"),
            channel=channel or ("web" if user is not None else "public"),
            data=IncidentInput(**fields),
            user=user,
            idempotency_key=key,
        ).incident

    return make
