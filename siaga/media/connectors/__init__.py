"""Connectors bring posts from outside: RSS/Atom feeds (built in) and platform crawlers.

A deployment adds one (X, TikTok, Facebook...) by writing a class with the ``Connector``
interface and naming it in SIAGA_MEDIA_CONNECTORS; a ``Source`` of kind ``connector`` (or
``rss``) then says which connector polls it and how often (``siaga media poll``).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from siaga.media.connectors.base import Connector, ConnectorError


def connector_for(name: str) -> Connector:
    path = settings.SIAGA_MEDIA_CONNECTORS.get(name)
    if not path:
        raise ConnectorError(
            _("Konektor %(name)s tidak dikenal (SIAGA_MEDIA_CONNECTORS: %(known)s).")
            % {"name": name, "known": ", ".join(sorted(settings.SIAGA_MEDIA_CONNECTORS))}
        )
    try:
        factory = import_string(path)
    except ImportError as exc:  # a mistyped dotted path in the settings
        raise ConnectorError(
            _("Konektor %(name)s tidak dapat dimuat dari %(path)s: %(error)s")
            % {"name": name, "path": path, "error": exc}
        ) from exc
    return factory()


__all__ = ["Connector", "ConnectorError", "connector_for"]
