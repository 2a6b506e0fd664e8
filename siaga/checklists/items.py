"""The items of a checklist template and the answers to them: both checked here.

``items_problems`` checks a template's item list (the admin form refuses a bad one, naming the
item); ``answers_clean`` checks the answers a TPS sends against a template's items and returns
them normalised (``"ya"`` → ``True``, ``"7.05"`` → ``"07:05"``). Errors name the item by its
label and key, so the field officer knows which question to fix.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from siaga.checklists.choices import ItemKind
from siaga.core.errors import DomainError

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TEXT_MAX = 1000
NUMBER_MAX = 1_000_000
TIME_PATTERN = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
YES = frozenset({"ya", "y", "yes", "true", "1"})
NO = frozenset({"tidak", "t", "no", "false", "0"})
ITEM_FIELDS = frozenset({"key", "label", "kind", "required", "help"})


class ChecklistError(DomainError):
    """A submission was refused; ``field`` names the input at fault (``answers.saksi_hadir``)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def items_problems(items: Any) -> list[str]:
    """What is wrong with a template's item list, one message per problem (empty when fine)."""
    if not isinstance(items, list):
        return [_("Butir harus berupa daftar JSON ([{...}, {...}]).")]
    if not items:
        return [_("Daftar periksa harus memiliki minimal satu butir.")]
    problems: list[str] = []
    seen: set[str] = set()
    kinds = ", ".join(ItemKind.values)
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(_("Butir ke-%(n)s: harus berupa objek JSON.") % {"n": n})
            continue
        key = item.get("key")
        name = _("Butir ke-%(n)s (%(key)s)") % {"n": n, "key": key if key else "?"}
        unknown = sorted(set(item) - ITEM_FIELDS)
        if unknown:
            problems.append(
                _("%(item)s: isian tidak dikenal: %(fields)s.")
                % {"item": name, "fields": ", ".join(unknown)}
            )
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            problems.append(
                _(
                    "%(item)s: kunci wajib diisi, huruf kecil/angka/garis bawah, diawali huruf, "
                    "paling panjang 40."
                )
                % {"item": name}
            )
        elif key in seen:
            problems.append(
                _("%(item)s: kunci %(key)s dipakai dua kali.") % {"item": name, "key": key}
            )
        else:
            seen.add(key)
        label = item.get("label")
        if not isinstance(label, str) or not label.strip():
            problems.append(_("%(item)s: label wajib diisi.") % {"item": name})
        elif len(label) > 200:
            problems.append(_("%(item)s: label paling panjang 200 karakter.") % {"item": name})
        if item.get("kind") not in ItemKind.values:
            problems.append(
                _("%(item)s: jenis %(kind)s tidak dikenal; pilih salah satu dari %(kinds)s.")
                % {"item": name, "kind": item.get("kind"), "kinds": kinds}
            )
        if "required" in item and not isinstance(item["required"], bool):
            problems.append(_("%(item)s: required harus true atau false.") % {"item": name})
        if "help" in item and not isinstance(item["help"], str):
            problems.append(_("%(item)s: help harus berupa teks.") % {"item": name})
    return problems


def _item_name(item: dict) -> str:
    return f"\u201c{item.get('label') or item['key']}\u201d ({item['key']})"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean_value(item: dict, value: Any) -> Any:
    kind, name, field = item["kind"], _item_name(item), f"answers.{item['key']}"
    if kind == ItemKind.YES_NO:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower() if isinstance(value, str | int) else None
        if text in YES:
            return True
        if text in NO:
            return False
        raise ChecklistError(_("%(item)s: jawab ya atau tidak.") % {"item": name}, field=field)
    if kind == ItemKind.NUMBER:
        number: int | None = None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = value
        elif (isinstance(value, float) and value.is_integer()) or (
            isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,9}\s*", value)
        ):
            number = int(value)
        if number is None:
            raise ChecklistError(
                _("%(item)s: isi dengan bilangan bulat.") % {"item": name}, field=field
            )
        if number < 0:
            raise ChecklistError(
                _("%(item)s: angka tidak boleh negatif (%(value)s).")
                % {"item": name, "value": number},
                field=field,
            )
        if number > NUMBER_MAX:
            raise ChecklistError(
                _("%(item)s: angka terlalu besar (%(value)s).") % {"item": name, "value": number},
                field=field,
            )
        return number
    if kind == ItemKind.TIME:
        match = TIME_PATTERN.match(value.strip()) if isinstance(value, str) else None
        if match is None:
            raise ChecklistError(
                _("%(item)s: isi jam dengan format JJ:MM, misalnya 07:00.") % {"item": name},
                field=field,
            )
        return f"{int(match.group(1)):02d}:{match.group(2)}"
    if kind == ItemKind.TEXT:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ChecklistError(_("%(item)s: isi dengan teks.") % {"item": name}, field=field)
        text = str(value).strip()
        if len(text) > TEXT_MAX:
            raise ChecklistError(
                _("%(item)s: teks paling panjang %(max)s karakter (%(length)s).")
                % {"item": name, "max": TEXT_MAX, "length": len(text)},
                field=field,
            )
        return text
    raise AssertionError(kind)  # pragma: no cover - photos are not answered here


def answers_clean(items: list[dict], answers: Any, *, photo_keys: set[str]) -> dict:
    """Check ``answers`` (``{key: value}``) against ``items``; return them normalised.

    Photo items are answered by a file, not in ``answers``: ``photo_keys`` says which photo
    items came with one. Optional items left blank are left out of the result. Raises
    ``ChecklistError`` naming the first item at fault.
    """
    if not isinstance(answers, dict):
        raise ChecklistError(
            _('answers: harus berupa objek JSON, misalnya {"kpps_lengkap": "ya"}.'),
            field="answers",
        )
    by_key = {item["key"]: item for item in items}
    unknown = sorted(str(key) for key in answers if key not in by_key)
    if unknown:
        raise ChecklistError(
            _("answers: butir tidak dikenal di templat ini: %(keys)s.")
            % {"keys": ", ".join(unknown)},
            field=f"answers.{unknown[0]}",
        )
    unknown_photos = sorted(key for key in photo_keys if key not in by_key)
    unknown_photos += sorted(
        key for key in photo_keys if key in by_key and by_key[key]["kind"] != ItemKind.PHOTO
    )
    if unknown_photos:
        raise ChecklistError(
            _("Foto untuk butir yang bukan butir foto di templat ini: %(keys)s.")
            % {"keys": ", ".join(unknown_photos)},
            field=f"photo__{unknown_photos[0]}",
        )
    cleaned: dict = {}
    for item in items:
        key, value = item["key"], answers.get(item["key"])
        if item["kind"] == ItemKind.PHOTO:
            if not _blank(value):
                raise ChecklistError(
                    _("%(item)s: kirim foto sebagai berkas photo__%(key)s, bukan di answers.")
                    % {"item": _item_name(item), "key": key},
                    field=f"answers.{key}",
                )
            if item.get("required") and key not in photo_keys:
                raise ChecklistError(
                    _("%(item)s: foto wajib dilampirkan.") % {"item": _item_name(item)},
                    field=f"photo__{key}",
                )
            continue
        if _blank(value):
            if item.get("required"):
                raise ChecklistError(
                    _("%(item)s: butir wajib belum diisi.") % {"item": _item_name(item)},
                    field=f"answers.{key}",
                )
            continue
        cleaned[key] = _clean_value(item, value)
    return cleaned


def answer_display(item: dict, value: Any) -> str:
    """An answer as the pages show it."""
    if value is None:
        return "—"
    if item.get("kind") == ItemKind.YES_NO:
        return _("Ya") if value else _("Tidak")
    return str(value)
