"""Fixtures for deployment planning: the default patterns, a few personnel units on the shared
``world`` (Sangatta Utara and Busang, two desa of two TPS each, and Paser outside), and TPS
risk scores."""

from __future__ import annotations

import pytest

from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.security import services
from siaga.security.choices import Reach, UnitKind
from siaga.security.models import PersonnelUnit


@pytest.fixture
def system() -> AuditContext:
    return AuditContext()


@pytest.fixture
def patterns(db, system):
    services.patterns_seed_defaults(context=system)


def add_unit(region, name: str, count: int, kind=UnitKind.POLSEK, reach=Reach.KECAMATAN, **extra):
    """A unit straight into the table (services are tested on their own)."""
    return PersonnelUnit.objects.create(
        region=region, name=name, count=count, kind=kind, reach=reach, **extra
    )


def add_linmas(world, per_desa: int = 4) -> dict[str, PersonnelUnit]:
    """Linmas for every desa of the world: 4 = 2 per TPS, what the default patterns ask."""
    desa = (world.desa_a1, world.desa_a2, world.desa_b1, world.desa_b2, world.desa_other)
    return {
        d.code: add_unit(d, f"Linmas {d.name}", per_desa, UnitKind.LINMAS, Reach.DESA) for d in desa
    }


def set_risk(tps, score: float, category: str) -> None:
    from siaga.risk.models import TpsRisk

    TpsRisk.objects.update_or_create(
        tps=tps, defaults={"score": score, "category": category, "computed_at": clock.now()}
    )


@pytest.fixture
def staffed(world, patterns):
    """Each kecamatan's Polsek with 4 officers, Linmas in full, and a Polsek in Paser."""
    add_linmas(world)
    return {
        "polsek_a": add_unit(world.kec_a, "Polsek Sangatta Utara", 4),
        "polsek_b": add_unit(world.kec_b, "Polsek Busang", 4),
        "polsek_other": add_unit(world.kec_other, "Polsek Batu Sopang", 4),
    }
