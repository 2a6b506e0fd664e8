"""NIK and NKK on screen and in exports: masked unless the user may see personal data.

``6408011203900012`` becomes ``6408**********12``: the regency (first four digits) and the last
two stay, enough to tell two records apart on a page without revealing the number.
"""

from __future__ import annotations

from siaga.core.permissions import Action, can


def mask_nik(value: str) -> str:
    """The first four and last two digits, the rest as ``*`` (short values: all stars)."""
    value = (value or "").strip()
    if len(value) <= 6:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 6) + value[-2:]


def nik_for(user, value: str) -> str:
    """``value`` in full for users who may see personal data, masked for everybody else."""
    return value if can(user, Action.VIEW_PERSONAL) else mask_nik(value)
