"""Reading SIAGA_* environment variables with types and safe defaults.

Every setting Siaga reads goes through ``env()``, so that ``docs/settings.md`` can be checked
against this list by a test (``tests/test_docs.py``).
"""

import os

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on", "ya"}
FALSE = {"0", "false", "no", "off", "tidak", ""}


def env(name: str, default=None, *, cast=str):
    """Return the environment variable ``name`` converted by ``cast`` (str, int, bool or list)."""
    if not name.startswith("SIAGA_"):
        raise ImproperlyConfigured(f"Siaga settings are named SIAGA_*, not {name}")
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        if cast is bool:
            value = raw.strip().lower()
            if value in TRUE:
                return True
            if value in FALSE:
                return False
            raise ValueError(f"expected one of {sorted(TRUE | FALSE)}")
        if cast is list:
            return [item.strip() for item in raw.split(",") if item.strip()]
        return cast(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not valid: {exc}") from exc
