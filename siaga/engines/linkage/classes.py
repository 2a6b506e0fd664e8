"""KPU's classes of suspected duplicates, for a pair of voter records (pure Python, no Django).

KPU's own tooling sorts suspected duplicates into three coarse classes; Siaga reports them with
the same names so KPU and Bawaslu read the same words:

* **K2**: the same NIK on another identity (the names or birth dates disagree). Usually a
  family member's NIK copied onto another member: two real people and a data error for KPU to
  correct, *not* a double registration. Kept apart from the others everywhere.
* **K1**: the same identity (same normalised name and birth date) at another address (another
  desa, RT/RW or street).
* **K3**: every other pair the linkage engine scores as likely the same person: similar
  identities (a typo in the NIK, a name variant, a swapped birth date...).

A record is a mapping with at least ``nik``, ``name`` and ``birth_date`` (a ``date`` or text);
``address``, ``rt``, ``rw`` and ``region_code`` are used when present.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .names import name_key
from .nik import clean_nik

__all__ = ["K1", "K2", "K3", "kpu_class", "same_identity"]

K1, K2, K3 = "K1", "K2", "K3"


def _text(value: Any) -> str:
    return " ".join(str(value or "").upper().split())


def _place(record: Mapping[str, Any]) -> tuple[str, ...]:
    return (
        _text(record.get("region_code")).replace(".", ""),
        _text(record.get("rt")).lstrip("0"),
        _text(record.get("rw")).lstrip("0"),
        _text(record.get("address")),
    )


def same_identity(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Same written name (up to titles, spelling and spacing) and the same birth date."""
    return name_key(str(a.get("name") or "")) == name_key(str(b.get("name") or "")) and str(
        a.get("birth_date") or ""
    ) == str(b.get("birth_date") or "")


def kpu_class(a: Mapping[str, Any], b: Mapping[str, Any]) -> str:
    """K1, K2 or K3 for the pair ``a``, ``b`` (see the module docstring)."""
    nik_a, nik_b = clean_nik(a.get("nik") or ""), clean_nik(b.get("nik") or "")
    identical = same_identity(a, b)
    if nik_a and nik_a == nik_b and not identical:
        return K2
    if identical and _place(a) != _place(b):
        return K1
    return K3
