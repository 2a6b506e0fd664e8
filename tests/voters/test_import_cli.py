"""`siaga voters import FILE --region CODE`: the import service from the command line."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from siaga.voters.models import DptImport, JobStatus, Voter
from tests.voters.conftest import dpt_row, write_csv

pytestmark = pytest.mark.django_db


def _run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("voters", "import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_imports_a_file_and_prints_a_summary_and_the_report(
    world, deployment, dpt_data_dir, tmp_path, capsys
):
    path = write_csv(tmp_path / "dpt.csv", [dpt_row(1), dpt_row(2), dpt_row(3, tps="9")])
    report = tmp_path / "ditolak.csv"
    out, _ = _run(str(path), "--region", "64.08", "--report", str(report))

    assert "2 diterima (2 baru, 0 diperbarui, 0 tidak berubah), 1 ditolak" in out
    assert "baris terbaca" in capsys.readouterr().err  # progress on stderr
    assert Voter.objects.count() == 2
    assert DptImport.objects.get().status == JobStatus.DONE
    with report.open(encoding="utf-8-sig") as handle:
        lines = list(csv.reader(handle))
    assert lines[1][1:3] == ["4", "tps"]
    assert dpt_row(3)["nik"] not in report.read_text(encoding="utf-8-sig")


def test_the_same_file_twice_changes_nothing(world, deployment, dpt_data_dir, tmp_path):
    path = write_csv(tmp_path / "dpt.csv", [dpt_row(1)])
    _run(str(path), "--region", "6408")
    out, _ = _run(str(path), "--region", "64.08")
    assert "sudah pernah diimpor" in out
    assert DptImport.objects.count() == 1 and Voter.objects.count() == 1


def test_a_broken_file_exits_non_zero_with_the_reason(world, deployment, dpt_data_dir, tmp_path):
    path = write_csv(tmp_path / "dpt.csv", [dpt_row(1), dpt_row(2)])
    with path.open("ab") as handle:
        handle.write(b"V9,\xe9\n")
    with pytest.raises(CommandError, match="UTF-8"):
        _run(str(path), "--region", "64.08")
    assert Voter.objects.count() == 0
    assert DptImport.objects.get().status == JobStatus.FAILED


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nonexistent/dpt.csv", "--region", "64.08"], "tidak ditemukan"),
        (["{tmp}/dpt.csv", "--region", "99.99"], "tidak dikenal"),
        (["{tmp}/dpt.csv", "--region", "64.08", "--user", "nobody"], "tidak ada"),
    ],
)
def test_bad_arguments_are_refused_clearly(
    world, deployment, dpt_data_dir, tmp_path, args, message
):
    write_csv(tmp_path / "dpt.csv", [dpt_row(1)])
    with pytest.raises(CommandError, match=message):
        _run(*(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert Voter.objects.count() == 0
