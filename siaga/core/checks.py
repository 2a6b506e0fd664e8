"""System checks: configuration mistakes stop Siaga at start with an id and a hint."""

import re

from django.conf import settings
from django.core.checks import Error, Warning, register

REGENCY_CODE = re.compile(r"^\d{2}\.\d{2}$")


@register()
def check_frontend_assets(app_configs=None, **kwargs):
    missing = [name for name, path in settings.VENDOR_ASSETS.items() if not path.is_dir()]
    if not missing:
        return []
    return [
        Error(
            f"Front-end packages not installed: {', '.join(sorted(missing))}.",
            hint="Run `make install` (npm ci) or set SIAGA_NODE_MODULES to where they are.",
            id="siaga.E001",
        )
    ]


@register()
def check_regency_code(app_configs=None, **kwargs):
    if REGENCY_CODE.match(settings.SIAGA_REGENCY_CODE):
        return []
    return [
        Error(
            f"SIAGA_REGENCY_CODE={settings.SIAGA_REGENCY_CODE!r} is not a Kemendagri regency code.",
            hint="Use the PP.KK form, for example 64.08 for Kutai Timur.",
            id="siaga.E002",
        )
    ]


@register(deploy=True)
def check_production_database(app_configs=None, **kwargs):
    engine = settings.DATABASES["default"]["ENGINE"]
    if settings.PRODUCTION and engine.endswith("sqlite3"):
        return [
            Warning(
                "SQLite is the embedded default for one laptop; production should run PostgreSQL.",
                hint="Set SIAGA_DATABASE_URL=postgres://user:password@host:5432/siaga",
                id="siaga.W001",
            )
        ]
    return []
