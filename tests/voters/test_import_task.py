"""The import as a background job, run by the real database worker (``db_worker --batch``)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from siaga.core.audit import AuditContext
from siaga.voters.imports import dpt_import_create
from siaga.voters.models import DptImport, JobStatus, Voter
from tests.voters.conftest import dpt_row, write_csv

# The worker closes the connection between tasks when it is not in autocommit mode (as a test
# transaction would be), so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def _run_worker() -> None:
    call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False)


def _queue(path, analyst) -> DptImport:
    # Committed at once: the job is queued by the on-commit hook, as after a real upload.
    return dpt_import_create(
        context=AuditContext.cli(analyst),
        user=analyst,
        uploaded_path_or_file=path,
        file_name=path.name,
        scope_code="64.08",
    )


def test_the_worker_runs_a_queued_import_to_selesai(
    world, deployment, dpt_data_dir, analyst, tmp_path
):
    from django_tasks_db.models import DBTaskResult

    rows = [dpt_row(1), dpt_row(2), dpt_row(3, tps="9")]
    dpt_import = _queue(write_csv(tmp_path / "dpt.csv", rows), analyst)
    assert DBTaskResult.objects.filter(task_path__endswith="dpt_import_task").count() == 1

    _run_worker()

    dpt_import.refresh_from_db()
    assert dpt_import.status == JobStatus.DONE
    assert (dpt_import.rows_read, dpt_import.rows_accepted, dpt_import.rows_rejected) == (3, 2, 1)
    assert dpt_import.started_at <= dpt_import.finished_at
    assert Voter.objects.count() == 2
    result = DBTaskResult.objects.get(task_path__endswith="dpt_import_task")
    assert result.status == "SUCCESSFUL"
    assert result.return_value["accepted"] == 2


def test_the_worker_marks_a_broken_file_gagal_and_stores_nothing(
    world, deployment, dpt_data_dir, analyst, tmp_path
):
    path = write_csv(tmp_path / "dpt.csv", [dpt_row(n) for n in range(1, 30)])
    with path.open("ab") as handle:
        handle.write(b"\xff\xfe broken\n")
    dpt_import = _queue(path, analyst)

    _run_worker()

    dpt_import.refresh_from_db()
    assert dpt_import.status == JobStatus.FAILED
    assert "UTF-8" in dpt_import.error
    assert Voter.objects.count() == 0 and dpt_import.rejected.count() == 0


def test_a_successful_import_queues_the_double_registration_search(
    world, deployment, dpt_data_dir, analyst, tmp_path
):
    from siaga.voters.models import LinkageRun
    from siaga.voters.tasks import dpt_import_task

    dpt_import = dpt_import_create(
        context=AuditContext.cli(analyst),
        user=analyst,
        uploaded_path_or_file=write_csv(tmp_path / "dpt.csv", [dpt_row(1), dpt_row(2)]),
        file_name="dpt.csv",
        scope_code="64.08",
        enqueue=False,
    )
    dpt_import_task.call(dpt_import.pk)
    assert LinkageRun.objects.filter(created_by=analyst).count() == 1


def test_an_import_by_a_kecamatan_user_also_queues_the_search_over_the_roll(
    world, deployment, dpt_data_dir, tmp_path
):
    """The search covers the regency's roll, which the kecamatan import changed: it is queued
    although the importer could not start a search by hand."""
    from siaga.accounts.choices import Role
    from siaga.voters.linkage import may_run_linkage
    from siaga.voters.models import LinkageRun
    from siaga.voters.tasks import dpt_import_task
    from siaga.wilayah.models import Region

    importer = world.user(Role.ANALYST, scope=[Region.objects.get(code="64.08.04")])
    assert not may_run_linkage(importer)
    dpt_import = dpt_import_create(
        context=AuditContext.cli(importer),
        user=importer,
        uploaded_path_or_file=write_csv(tmp_path / "dpt.csv", [dpt_row(1), dpt_row(2)]),
        file_name="dpt.csv",
        scope_code="64.08.04",
        enqueue=False,
    )
    dpt_import_task.call(dpt_import.pk)
    assert LinkageRun.objects.filter(created_by=importer, status="antri").count() == 1
    # A second import while that search waits does not queue another one.
    again = dpt_import_create(
        context=AuditContext.cli(importer),
        user=importer,
        uploaded_path_or_file=write_csv(tmp_path / "more.csv", [dpt_row(3)]),
        file_name="more.csv",
        scope_code="64.08.04",
        enqueue=False,
    )
    dpt_import_task.call(again.pk)
    assert LinkageRun.objects.count() == 1
