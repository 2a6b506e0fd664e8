"""Checks of service inputs shared by the modules that take forms and API bodies (coordination,
the post-vote watch): each returns the clean value or raises the module's ``DomainError``
subclass (``error``) naming the field at fault, with a message in the user's language."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from siaga.core.errors import DomainError
from siaga.core.permissions import user_scope

Error = type[DomainError]


def text(
    value, *, field: str, label: str, required: bool, limit: int | None = None, error: Error
) -> str:
    cleaned = "" if value is None else str(value).strip()
    if required and not cleaned:
        raise error(_("%(label)s wajib diisi.") % {"label": label}, field=field)
    if limit is not None and len(cleaned) > limit:
        raise error(
            _("%(label)s paling panjang %(n)s karakter.") % {"label": label, "n": limit},
            field=field,
        )
    return cleaned


def choice(value, choices, *, field: str, label: str, blank: bool = False, error: Error) -> str:
    if blank and (value is None or value == ""):
        return ""
    if value not in choices.values:
        raise error(
            _("%(label)s “%(value)s” tidak dikenal; pilih salah satu dari: %(choices)s.")
            % {"label": label, "value": value, "choices": ", ".join(choices.values)},
            field=field,
        )
    return str(value)


def moment(value, *, field: str, label: str, error: Error) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise error(_("%(label)s wajib diisi (tanggal dan jam).") % {"label": label}, field=field)
    if value.tzinfo is None:
        raise error(
            _("%(label)s: sertakan zona waktu, misalnya 2024-11-26T18:00:00+08:00.")
            % {"label": label},
            field=field,
        )
    return value


def day(value, *, field: str, label: str, error: Error) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise error(_("%(label)s wajib diisi (tanggal).") % {"label": label}, field=field)
    return value


def region(context, value, *, field: str = "region", error: Error):
    """A region the acting user covers; an unknown one and one outside the scope read the same."""
    from siaga.wilayah.models import Region

    code = value.code if isinstance(value, Region) else str(value or "").strip()
    found = Region.objects.defer("boundary").filter(code=code).first() if code else None
    user = context.user
    if found is None or (user is not None and not user_scope(user).covers(found.code)):
        raise error(
            _("Wilayah “%(code)s” tidak dikenal atau di luar wilayah tugas Anda.") % {"code": code},
            field=field,
        )
    return found
