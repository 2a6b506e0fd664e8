"""KPU's classes of suspected duplicates, for a pair of voter records (pure Python, no Django).

KPU's own tooling sorts suspected duplicates into three coarse classes; Siaga reports them with
the same names so KPU and Bawaslu read the same words:

* **K2**: the same NIK on another identity: the names are not variants of one another (a typo,
  a title, a dropped patronym, another spelling) or the birth dates differ by more than a typo
  (a swapped day and month, one digit). Usually a family member's NIK copied onto another
  member: two real people and a data error for KPU to correct, *not* a double registration.
  Kept apart from the others everywhere. The same NIK on a name with a typo is one person
  registered twice (K1 or K3), not K2.
* **K1**: the same identity (same normalised name and birth date) at another address (another
  desa, RT/RW or street).
* **K3**: every other pair the linkage engine scores as likely the same person: similar
  identities (a typo in the NIK, a name variant, a swapped birth date...).

A record is a mapping with at least ``nik``, ``name`` and ``birth_date`` (a ``date`` or text);
``address``, ``rt``, ``rw`` and ``region_code`` are used when present.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from difflib import SequenceMatcher
from typing import Any

from .names import first_last, given_name, name_key, normalise_name
from .nik import clean_nik, date_similarity_level, nik_distance

__all__ = ["K1", "K2", "K3", "kpu_class", "same_identity", "similar_identity"]

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


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def similar_identity(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Names that are variants of one another and birth dates equal up to a typo.

    Names: same key, one contained in the other (a dropped or added word), same given name
    (without bin/binti), same first and last word, one edit or transposition apart, or close
    spelling (ratio >= 0.8, a typo or two in a longer name). Birth dates: equal, day and month
    swapped, one digit apart, or two of day, month and year equal; a missing date does not
    disagree. The same name key is one identity whatever the dates.
    """
    na, nb = normalise_name(str(a.get("name") or "")), normalise_name(str(b.get("name") or ""))
    ka, kb = name_key(na), name_key(nb)
    names = bool(ka and kb) and (
        ka == kb
        or ka in kb
        or kb in ka
        or given_name(na) == given_name(nb)
        or first_last(na) == first_last(nb)
        or nik_distance(ka, kb) <= 1  # one typo or transposition, even in a short name
        or SequenceMatcher(None, ka, kb).ratio() >= 0.8
    )
    if ka and ka == kb:
        return True  # one NIK and one name: one person, whatever the birth date says
    da, db = _date(a.get("birth_date")), _date(b.get("birth_date"))
    dates = (
        da is None
        or db is None
        or date_similarity_level(da, db) <= 2
        # two of day, month and year agree: a typo in the third
        or sum((da.day == db.day, da.month == db.month, da.year == db.year)) >= 2
    )
    return names and dates


def kpu_class(a: Mapping[str, Any], b: Mapping[str, Any]) -> str:
    """K1, K2 or K3 for the pair ``a``, ``b`` (see the module docstring)."""
    nik_a, nik_b = clean_nik(a.get("nik") or ""), clean_nik(b.get("nik") or "")
    identical = same_identity(a, b)
    if nik_a and nik_a == nik_b and not identical and not similar_identity(a, b):
        return K2
    if identical and _place(a) != _place(b):
        return K1
    return K3
