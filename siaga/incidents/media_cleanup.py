"""Attachment files no report points at, and their removal (``siaga incidents clean-media``).

``incident_submit`` saves the cleaned attachments into the storage before its transaction
commits: when the database dies in between (the fault drill of benchmarks/README.md), the file
stays under ``incidents/YYYY/MM/`` with no ``Media`` row. Nobody can see or delete it, so it is
removed here. A file is an orphan when no ``Media.file`` names it and it was last modified more
than ``older_than`` ago (24 hours by default), so a write in progress is never touched.

Everything goes through the storage of ``Media.file`` (``settings.STORAGES["default"]``):
``listdir``, ``get_modified_time``, ``size``, ``delete``. One query reads the names referenced,
the folder tree is walked once, and only the unreferenced files are asked their age.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.core.audit import AuditContext, audit_record
from siaga.incidents.models import MEDIA_FOLDER, Media

DEFAULT_OLDER_THAN = dt.timedelta(hours=24)
AUDIT_ACTION = "incident.media_orphans_deleted"
_RECHECK_CHUNK = 500


@dataclass(frozen=True)
class OrphanCleanup:
    """What ``orphans_delete`` found and did; ``deleted`` is empty on a dry run."""

    found: list[str]
    deleted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    bytes: int = 0  # of the files deleted (of the files found, on a dry run)
    dry_run: bool = False


def _storage():
    return Media._meta.get_field("file").storage


def _walk(storage, folder: str) -> Iterator[str]:
    """Every file name under ``folder``, depth first; a missing folder holds nothing."""
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            dirs, files = storage.listdir(current)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in files:
            yield posixpath.join(current, name)
        pending.extend(posixpath.join(current, d) for d in sorted(dirs, reverse=True))


def _referenced(names: list[str]) -> set[str]:
    """Those of ``names`` that a ``Media`` row names (a few queries, whatever the count)."""
    found: set[str] = set()
    for start in range(0, len(names), _RECHECK_CHUNK):
        chunk = names[start : start + _RECHECK_CHUNK]
        found.update(Media.objects.filter(file__in=chunk).values_list("file", flat=True))
    return found


def orphan_files(older_than: dt.timedelta = DEFAULT_OLDER_THAN) -> list[str]:
    """Storage names under ``incidents/`` that no report references, unmodified for ``older_than``.

    Compared with the real time (``timezone.now``), not the deployment clock: a demo that moves
    its clock days ahead must not make the photo being written look old.
    """
    storage = _storage()
    referenced = set(
        Media.objects.filter(file__startswith=f"{MEDIA_FOLDER}/").values_list("file", flat=True)
    )
    cutoff = timezone.now() - older_than
    orphans = []
    for name in _walk(storage, MEDIA_FOLDER):
        if name in referenced:
            continue
        try:
            modified = storage.get_modified_time(name)
        except FileNotFoundError:  # deleted meanwhile
            continue
        if modified < cutoff:
            orphans.append(name)
    return orphans


def orphans_delete(
    *,
    context: AuditContext,
    older_than: dt.timedelta = DEFAULT_OLDER_THAN,
    dry_run: bool = False,
) -> OrphanCleanup:
    """Delete the orphan files; one audit event (count and bytes) when any was deleted.

    Just before deleting, the candidates are looked up again, so that a row stored since the
    listing keeps its file. A file that cannot be deleted is reported in ``failed`` and the
    others are still deleted. ``dry_run`` deletes nothing and records nothing.
    """
    storage = _storage()
    found = orphan_files(older_than)
    stored_since = _referenced(found)
    candidates = [n for n in found if n not in stored_since]
    sizes: dict[str, int] = {}
    for name in candidates:
        try:
            sizes[name] = storage.size(name)
        except FileNotFoundError:
            continue
    if dry_run:
        return OrphanCleanup(found=list(sizes), bytes=sum(sizes.values()), dry_run=True)
    deleted, failed = [], []
    for name in sizes:
        try:
            storage.delete(name)
        except OSError:
            failed.append(name)
        else:
            deleted.append(name)
    total = sum(sizes[n] for n in deleted)
    if deleted:
        with transaction.atomic():
            audit_record(
                context=context,
                action=AUDIT_ACTION,
                object_type=Media._meta.label_lower,
                object_id="",
                object_repr=_("Lampiran tanpa laporan"),
                after={
                    "count": len(deleted),
                    "bytes": total,
                    "failed": len(failed),
                    "older_than_hours": round(older_than.total_seconds() / 3600, 2),
                },
            )
    return OrphanCleanup(found=list(sizes), deleted=deleted, failed=failed, bytes=total)
