"""Attachment files no report references (an interrupted write) and `siaga incidents clean-media`:
stored reports keep their files, old orphans go, fresh ones stay, one audit event per run.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import CommandError, call_command
from PIL import Image

from siaga.core.audit import AuditContext
from siaga.core.models import AuditEvent
from siaga.incidents.media_cleanup import AUDIT_ACTION, orphan_files, orphans_delete
from siaga.incidents.models import Incident, Media

DAY = dt.timedelta(days=1)


def jpeg(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), colour).save(out, format="JPEG")
    return out.getvalue()


def age(name: str, *, hours: float) -> None:
    """Set a stored file's modification time ``hours`` back."""
    moment = time.time() - hours * 3600
    os.utime(default_storage.path(name), (moment, moment))


def orphan(name: str, *, hours: float, content: bytes = b"x" * 1000) -> str:
    """A file saved the way an interrupted write leaves it: in the storage, with no Media row."""
    stored = default_storage.save(name, ContentFile(content))
    age(stored, hours=hours)
    return stored


def cleanup_events():
    return AuditEvent.objects.filter(action=AUDIT_ACTION)


def test_a_stored_reports_file_is_never_listed_nor_deleted(inc, inc_report, inc_media):
    incident = inc_report(media=[(jpeg(), "bukti.jpg")])
    stored = incident.media.get().file.name
    age(stored, hours=24 * 30)

    assert orphan_files(dt.timedelta(hours=1)) == []
    result = orphans_delete(context=AuditContext.cli(), older_than=dt.timedelta(hours=1))

    assert (result.found, result.deleted) == ([], [])
    assert default_storage.exists(stored)
    assert not cleanup_events().exists()  # nothing deleted, nothing to record


def test_an_old_orphan_is_deleted_a_fresh_one_is_kept_with_one_audit_event(
    inc, inc_report, inc_media
):
    kept_report = inc_report(media=[(jpeg("blue"), "bukti.jpg")]).media.get().file.name
    old_a = orphan("incidents/2024/10/aaaa.jpg", hours=48, content=b"a" * 1500)
    old_b = orphan("incidents/2024/11/bbbb.jpg", hours=25, content=b"b" * 2500)
    fresh = orphan("incidents/2024/11/cccc.jpg", hours=2)
    elsewhere = default_storage.save("other/old.jpg", ContentFile(b"z"))  # not ours
    age(elsewhere, hours=100)

    assert sorted(orphan_files()) == [old_a, old_b]
    result = orphans_delete(context=AuditContext.cli())

    assert sorted(result.deleted) == [old_a, old_b]
    assert result.bytes == 4000 and result.failed == []
    assert not default_storage.exists(old_a) and not default_storage.exists(old_b)
    for name in (fresh, elsewhere, kept_report):
        assert default_storage.exists(name)
    event = cleanup_events().get()
    assert event.channel == "cli" and event.object_type == "incidents.media"
    assert event.after == {"count": 2, "bytes": 4000, "failed": 0, "older_than_hours": 24.0}
    # a second run finds nothing and records nothing
    assert orphans_delete(context=AuditContext.cli()).deleted == []
    assert cleanup_events().count() == 1


def test_the_file_of_a_write_interrupted_before_its_commit_is_an_orphan(
    inc, inc_report, inc_media, monkeypatch
):
    """The drill's case: the photo is saved, then the transaction fails; no row points at it."""
    import siaga.incidents.services as services

    def database_gone(**kwargs):
        raise RuntimeError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "audit_record", database_gone)
    with pytest.raises(RuntimeError):
        inc_report(media=[(jpeg(), "bukti.jpg")])
    monkeypatch.undo()
    assert Incident.objects.count() == 0 and Media.objects.count() == 0
    (left,) = [str(p.relative_to(inc_media)) for p in inc_media.rglob("*") if p.is_file()]
    left = left.replace(os.sep, "/")
    assert left.startswith("incidents/")

    assert orphan_files() == []  # written a moment ago: maybe a write in progress
    age(left, hours=30)
    assert orphan_files() == [left]
    assert orphans_delete(context=AuditContext.cli()).deleted == [left]
    assert not default_storage.exists(left)


def test_a_dry_run_deletes_nothing_and_records_nothing(inc, inc_media):
    name = orphan("incidents/2024/11/dddd.jpg", hours=48, content=b"d" * 300)

    result = orphans_delete(context=AuditContext.cli(), dry_run=True)

    assert result.dry_run and result.found == [name] and result.deleted == []
    assert result.bytes == 300
    assert default_storage.exists(name)
    assert not cleanup_events().exists()


def test_a_media_row_whose_file_is_missing_is_no_orphan_and_breaks_nothing(
    inc, inc_report, inc_media
):
    media = inc_report(media=[(jpeg(), "bukti.jpg")]).media.get()
    default_storage.delete(media.file.name)  # lost from the disk, the row remains
    name = orphan("incidents/2024/11/eeee.jpg", hours=48)

    assert orphan_files() == [name]
    assert orphans_delete(context=AuditContext.cli()).deleted == [name]
    assert Media.objects.filter(pk=media.pk).exists()


def test_no_incidents_folder_at_all_is_nothing_to_clean(inc_media, db):
    assert not (inc_media / "incidents").exists()
    assert orphan_files() == []
    assert orphans_delete(context=AuditContext.cli()).found == []


def test_a_file_that_cannot_be_deleted_is_reported_and_the_others_still_go(
    inc, inc_media, monkeypatch
):
    stuck = orphan("incidents/2024/11/ffff.jpg", hours=48)
    gone = orphan("incidents/2024/11/gggg.jpg", hours=48, content=b"g" * 10)
    real_delete = FileSystemStorage.delete

    def delete(self, name):
        if name == stuck:
            raise PermissionError(name)
        real_delete(self, name)

    monkeypatch.setattr(FileSystemStorage, "delete", delete)
    result = orphans_delete(context=AuditContext.cli())

    assert (result.deleted, result.failed, result.bytes) == ([gone], [stuck], 10)
    assert cleanup_events().get().after["failed"] == 1


# --- the command ---------------------------------------------------------------------------------


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("incidents", "clean-media", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_the_count_and_megabytes(inc, inc_media):
    name = orphan("incidents/2024/11/hhhh.jpg", hours=30, content=b"h" * (3 * 1024 * 1024))
    fresh = orphan("incidents/2024/11/iiii.jpg", hours=5)

    out, _ = run("--dry-run")
    assert out.strip() == "1 orphan attachment files found (3.0 MB); nothing deleted (--dry-run)."
    assert default_storage.exists(name)

    out, _ = run()
    assert out.strip() == "1 orphan attachment files deleted (3.0 MB)."
    assert not default_storage.exists(name) and default_storage.exists(fresh)
    assert cleanup_events().get().after["count"] == 1

    out, _ = run("--older-than-hours", "4")
    assert out.strip() == "1 orphan attachment files deleted (0.0 MB)."
    assert not default_storage.exists(fresh)


def test_the_command_refuses_a_threshold_under_one_hour(inc_media, db):
    with pytest.raises(CommandError):
        run("--older-than-hours", "0.5")


def test_listing_costs_one_query_whatever_the_number_of_files(
    inc, inc_report, inc_media, django_assert_num_queries
):
    inc_report(media=[(jpeg(c), f"{c}.jpg") for c in ("red", "blue", "green")])
    names = [
        orphan(f"incidents/2024/{m:02}/{i:04}.jpg", hours=48) for m in (9, 10) for i in range(40)
    ]

    with django_assert_num_queries(1):
        assert sorted(orphan_files()) == sorted(names)
