"""The DPT import service: every validation rule, formats, idempotency, all-or-nothing."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from siaga.core.models import AuditEvent
from siaga.voters.imports import DuplicateImport, generated_voter_id, progress_get
from siaga.voters.models import DptImport, JobStatus, RejectedRow, Voter
from tests.voters.conftest import dpt_row, make_nik, write_csv

pytestmark = pytest.mark.django_db


def _only_rejected(dpt_import) -> RejectedRow:
    rows = list(dpt_import.rejected.all())
    assert len(rows) == 1, [r.errors for r in rows]
    return rows[0]


def test_valid_rows_become_voters_at_their_tps(world, run_import, tmp_path):
    rows = [dpt_row(1), dpt_row(2, tps="2", sex="P", marital_status="B"), dpt_row(3)]
    dpt_import, summary = run_import(write_csv(tmp_path / "dpt.csv", rows))

    assert dpt_import.status == JobStatus.DONE
    assert (dpt_import.rows_read, dpt_import.rows_accepted, dpt_import.rows_rejected) == (3, 3, 0)
    assert summary.created == 3
    voter = Voter.objects.get(voter_id="V000002")
    assert voter.tps == world.tps["64.08.04.1001"][1]
    assert voter.desa_id == "64.08.04.1001"
    assert voter.sex == "P" and voter.marital_status == "B"
    assert voter.birth_date == dt.date(1990, 5, 12)
    assert voter.source == dpt_import
    assert dpt_import.started_at and dpt_import.finished_at
    assert dpt_import.stored_path.endswith(f"{dpt_import.sha256}.csv")


RULES = [
    pytest.param({"nik": "64080412059000"}, "nik", "nik_length", "16 digit", id="nik-too-short"),
    pytest.param({"nik": "64080412O5900001"}, "nik", "nik_length", "16 digit", id="nik-letter"),
    pytest.param(
        {"nik": make_nik(kecamatan="640899")}, "nik", "nik_region", "64.08.99", id="nik-region"
    ),
    pytest.param(
        {"nik": "0908041205900001"}, "nik", "nik_region", "provinsi", id="nik-province-invalid"
    ),
    pytest.param(
        {"nik": "6408049905900001"}, "nik", "nik_invalid", "Tanggal lahir", id="nik-bad-day"
    ),
    pytest.param(
        {"birth_date": "1990-05-13"},
        "birth_date",
        "nik_birth_date",
        "tidak cocok dengan tanggal lahir pada NIK",
        id="nik-vs-birth-date",
    ),
    pytest.param(
        {"sex": "P", "nik": make_nik(sex="L", serial=2)},
        "sex",
        "nik_sex",
        "tidak cocok dengan NIK",
        id="nik-vs-sex",
    ),
    pytest.param(
        {"born": dt.date(2010, 1, 1), "marital_status": "B"},
        "birth_date",
        "not_eligible",
        "17 tahun",
        id="under-17-never-married",
    ),
    pytest.param(
        {"region_code": "64.08.04.1999"},
        "region_code",
        "desa_unknown",
        "64.08.04.1999",
        id="desa-unknown",
    ),
    pytest.param(
        {"region_code": "64.01.01.2001"},
        "region_code",
        "desa_out_of_scope",
        "di luar wilayah",
        id="desa-outside-scope",
    ),
    pytest.param({"tps": "7"}, "tps", "tps_unknown", "TPS 007", id="tps-unknown"),
    pytest.param({"tps": "satu"}, "tps", "bad_tps", "tidak terbaca", id="tps-not-a-number"),
    pytest.param(
        {"birth_date": "31-02-1990"}, "birth_date", "bad_date", "tidak terbaca", id="bad-date"
    ),
    pytest.param(
        {"birth_date": "12 Mei 1990"}, "birth_date", "bad_date", "DD-MM-YYYY", id="date-in-words"
    ),
    pytest.param({"sex": "X"}, "sex", "bad_sex", "L atau P", id="bad-sex"),
    pytest.param(
        {"marital_status": "Z"}, "marital_status", "bad_marital", "B, S atau P", id="bad-marital"
    ),
    pytest.param({"name": ""}, "name", "required", "wajib", id="name-missing"),
    pytest.param({"nkk": "12345"}, "nkk", "nkk_format", "NKK", id="nkk-short"),
]


@pytest.mark.parametrize(("overrides", "field", "code", "text"), RULES)
def test_each_rule_rejects_its_row_naming_row_and_field(
    world, run_import, tmp_path, overrides, field, code, text
):
    path = write_csv(tmp_path / "dpt.csv", [dpt_row(1), dpt_row(2, **overrides)])
    dpt_import, _summary = run_import(path)

    assert dpt_import.status == JobStatus.DONE
    assert (dpt_import.rows_accepted, dpt_import.rows_rejected) == (1, 1)
    rejected = _only_rejected(dpt_import)
    assert rejected.row_number == 3  # header is row 1
    assert rejected.sheet == ""
    assert rejected.values["name"] == overrides.get("name", "Pemilih Nomor 2")
    assert [e["code"] for e in rejected.errors] == [code]
    error = rejected.errors[0]
    assert error["field"] == field
    assert text in error["message"]
    assert not Voter.objects.filter(voter_id="V000002").exists()


def test_a_married_sixteen_year_old_may_vote(world, run_import, tmp_path):
    row = dpt_row(1, born=dt.date(2008, 6, 1), marital_status="S")
    dpt_import, _ = run_import(write_csv(tmp_path / "dpt.csv", [row]))
    assert dpt_import.rows_accepted == 1


def test_seventeen_on_voting_day_is_eligible_one_day_short_is_not(world, run_import, tmp_path):
    rows = [
        dpt_row(1, born=dt.date(2007, 11, 27), marital_status="B"),
        dpt_row(2, born=dt.date(2007, 11, 28), marital_status="B"),
    ]
    dpt_import, _ = run_import(write_csv(tmp_path / "dpt.csv", rows))
    assert list(Voter.objects.values_list("voter_id", flat=True)) == ["V000001"]
    assert _only_rejected(dpt_import).errors[0]["code"] == "not_eligible"


def test_nik_registered_in_another_known_regency_is_accepted(world, run_import, tmp_path):
    row = dpt_row(1, nik=make_nik(kecamatan="640101"))  # moved in from Paser
    dpt_import, _ = run_import(write_csv(tmp_path / "dpt.csv", [row]))
    assert dpt_import.rows_accepted == 1


def test_a_row_with_several_problems_lists_them_all(world, run_import, tmp_path):
    row = dpt_row(1, sex="X", tps="9", marital_status="Q")
    dpt_import, _ = run_import(write_csv(tmp_path / "dpt.csv", [row]))
    codes = {e["code"] for e in _only_rejected(dpt_import).errors}
    assert codes == {"bad_sex", "tps_unknown", "bad_marital"}


def test_exact_duplicate_in_the_file_is_rejected_but_same_nik_other_identity_is_kept(
    world, run_import, tmp_path
):
    first = dpt_row(1)
    copy = dpt_row(2, nik=first["nik"], name="  pemilih   NOMOR 1 ", tps="2")
    relative = dpt_row(3, nik=first["nik"], name="Siti Aminah")  # K2: a data error, kept
    dpt_import, _ = run_import(write_csv(tmp_path / "dpt.csv", [first, copy, relative]))

    assert sorted(Voter.objects.values_list("voter_id", flat=True)) == ["V000001", "V000003"]
    rejected = _only_rejected(dpt_import)
    assert rejected.row_number == 3
    assert rejected.errors[0]["code"] == "duplicate"
    assert rejected.errors[0]["field"] == "nik"
    assert "baris lain dalam berkas" in rejected.errors[0]["message"]


def test_exact_duplicate_across_batches_is_found(world, run_import, tmp_path):
    rows = [dpt_row(n) for n in range(1, 8)]
    rows.append(dpt_row(8, nik=rows[0]["nik"], name=rows[0]["name"]))
    dpt_import, _ = run_import(write_csv(tmp_path / "dpt.csv", rows), batch_size=3)
    assert (dpt_import.rows_accepted, dpt_import.rows_rejected) == (7, 1)
    assert _only_rejected(dpt_import).errors[0]["code"] == "duplicate"


def test_exact_duplicate_of_a_stored_voter_under_another_id_is_rejected(
    world, run_import, tmp_path
):
    run_import(write_csv(tmp_path / "a.csv", [dpt_row(1)]))
    again = dpt_row(1, id="LAIN-1", tps="2")
    dpt_import, _ = run_import(write_csv(tmp_path / "b.csv", [again, dpt_row(2)]))

    rejected = _only_rejected(dpt_import)
    assert rejected.errors[0]["code"] == "duplicate"
    assert "sudah tersimpan" in rejected.errors[0]["message"]
    assert Voter.objects.count() == 2


def test_an_id_used_twice_in_the_file_for_different_people_is_rejected(world, run_import, tmp_path):
    rows = [dpt_row(1), dpt_row(2, id="V000001")]
    dpt_import, _ = run_import(write_csv(tmp_path / "dpt.csv", rows), batch_size=1)
    rejected = _only_rejected(dpt_import)
    assert rejected.errors[0]["code"] == "duplicate_id"
    assert rejected.errors[0]["field"] == "id"
    assert Voter.objects.get(voter_id="V000001").name == "Pemilih Nomor 1"


def test_indonesian_headers_semicolons_day_first_dates_and_generated_ids(
    world, run_import, tmp_path
):
    path = tmp_path / "dpt_kpu.csv"
    nik_a = make_nik(serial=11)
    nik_b = make_nik(sex="P", born=dt.date(1985, 1, 3), serial=12)
    path.write_text(
        "NIK;No KK;Nama;Tempat Lahir;Tanggal Lahir;L/P;Status Kawin;Alamat;RT;RW;"
        "Kode Desa/Kelurahan;No TPS;Disabilitas\n"
        f"{nik_a};6408040000000001;Budi Santoso;Sangatta;12-05-1990;L;Kawin;Jl. A;1;2;"
        "6408041001;001;\n"
        f"{nik_b};6408040000000001;Siti Rahma;Sangatta;03/01/1985;Perempuan;B;Jl. A;1;2;"
        "6408041001;TPS 2;Tunadaksa\n",
        encoding="utf-8",
    )
    dpt_import, _ = run_import(path)

    assert dpt_import.rows_accepted == 2, list(dpt_import.rejected.values("errors"))
    budi = Voter.objects.get(nik=nik_a)
    assert budi.marital_status == "S" and budi.tps.number == 1
    siti = Voter.objects.get(nik=nik_b)
    assert siti.sex == "P" and siti.tps.number == 2 and siti.disability == "Tunadaksa"
    assert siti.birth_date == dt.date(1985, 1, 3)
    assert siti.voter_id == generated_voter_id(
        nik=nik_b,
        name="Siti Rahma",
        birth_date=dt.date(1985, 1, 3),
        desa="64.08.04.1001",
        tps_number=2,
    )


def test_a_rejected_row_names_the_header_as_the_file_wrote_it(world, run_import, tmp_path):
    path = tmp_path / "dpt.csv"
    path.write_text(
        "NIK,Nama,Tanggal Lahir,Jenis Kelamin,Kode Desa,No TPS\n"
        f"{make_nik()},Budi,12-05-1990,L,64.08.04.1001,5\n",
        encoding="utf-8",
    )
    dpt_import, _ = run_import(path)
    assert _only_rejected(dpt_import).errors[0]["field"] == "No TPS"


def test_csv_that_is_not_utf8_fails_clearly_and_stores_nothing(world, run_import, tmp_path):
    path = tmp_path / "latin1.csv"
    rows = [dpt_row(1), dpt_row(2, name="José Ñúñez")]
    with path.open("w", encoding="latin-1", newline="") as handle:
        handle.write(",".join(rows[0]) + "\n")
        for row in rows:
            handle.write(",".join(row.values()) + "\n")
    dpt_import, summary = run_import(path)

    assert dpt_import.status == JobStatus.FAILED
    assert not summary.ok
    assert "UTF-8" in dpt_import.error and "baris 3" in dpt_import.error
    assert Voter.objects.count() == 0
    assert RejectedRow.objects.count() == 0


def test_xlsx_with_one_sheet_per_tps_reads_every_sheet(world, run_import, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    notes = workbook.create_sheet("Keterangan")
    notes.append(["Daftar Pemilih Tetap Pilkada 2024"])
    for number, serials in ((1, (1, 2)), (2, (3, 4))):
        sheet = workbook.create_sheet(f"64.08.04.1001 TPS {number:03d}")
        sheet.append(["NIK", "Nama", "Tanggal Lahir", "Jenis Kelamin", "Status Kawin"])
        for serial in serials:
            sheet.append([make_nik(serial=serial), f"Pemilih {serial}", dt.datetime(1990, 5, 12)])
            sheet.cell(row=sheet.max_row, column=4, value="L")
            sheet.cell(row=sheet.max_row, column=5, value="S")
    bad = workbook["64.08.04.1001 TPS 002"]
    bad.append([make_nik(serial=5), "Pemilih 5", dt.datetime(1990, 5, 13), "L", "S"])
    path = tmp_path / "dpt.xlsx"
    workbook.save(path)

    dpt_import, _ = run_import(path)
    assert dpt_import.status == JobStatus.DONE, dpt_import.error
    assert (dpt_import.rows_accepted, dpt_import.rows_rejected) == (4, 1)
    by_tps = dict(Voter.objects.values_list("name", "tps__number"))
    assert by_tps == {"Pemilih 1": 1, "Pemilih 2": 1, "Pemilih 3": 2, "Pemilih 4": 2}
    rejected = _only_rejected(dpt_import)
    assert (rejected.sheet, rejected.row_number) == ("64.08.04.1001 TPS 002", 4)
    assert rejected.errors[0]["field"] == "Tanggal Lahir"
    assert rejected.values["birth_date"] == "1990-05-13"


def test_parquet_is_read_in_batches(world, run_import, tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    rows = [dpt_row(n) for n in range(1, 6)]
    table = pa.table(
        {
            "nik": [r["nik"] for r in rows],
            "nama": [r["name"] for r in rows],
            "tanggal_lahir": [dt.date(1990, 5, 12)] * 4 + [dt.date(1991, 5, 12)],
            "jenis_kelamin": ["L"] * 5,
            "kode_desa": ["6408041002"] * 5,
            "tps": pa.array([1, 2, 1, 2, 1], type=pa.int32()),
            "ignored": ["x"] * 5,
        }
    )
    path = tmp_path / "dpt.parquet"
    pq.write_table(table, path, row_group_size=2)

    dpt_import, _ = run_import(path, batch_size=2)
    assert (dpt_import.rows_read, dpt_import.rows_accepted) == (5, 4)
    assert _only_rejected(dpt_import).row_number == 6
    assert set(Voter.objects.values_list("desa_id", flat=True)) == {"64.08.04.1002"}
    assert dpt_import.rows_total == 5


def test_importing_the_same_file_again_is_refused_and_changes_nothing(world, run_import, tmp_path):
    path = write_csv(tmp_path / "dpt.csv", [dpt_row(1), dpt_row(2), dpt_row(3, tps="9")])
    first, _ = run_import(path)
    voters = list(Voter.objects.order_by("pk").values_list("pk", "voter_id", "updated_at"))

    with pytest.raises(DuplicateImport) as refused:
        run_import(path)
    assert refused.value.existing == first
    assert list(Voter.objects.order_by("pk").values_list("pk", "voter_id", "updated_at")) == voters
    assert RejectedRow.objects.count() == 1


def test_running_a_finished_import_again_is_a_no_op(world, run_import, tmp_path):
    from siaga.core.audit import AuditContext
    from siaga.voters.imports import dpt_import_run

    dpt_import, _ = run_import(write_csv(tmp_path / "dpt.csv", [dpt_row(1), dpt_row(2, tps="9")]))
    events = AuditEvent.objects.count()
    summary = dpt_import_run(dpt_import=dpt_import, context=AuditContext.cli())
    assert summary.accepted == 1 and summary.rejected == 1
    assert (Voter.objects.count(), RejectedRow.objects.count()) == (1, 1)
    assert AuditEvent.objects.count() == events


def test_an_overlapping_file_updates_by_voter_id_and_counts_unchanged(world, run_import, tmp_path):
    run_import(write_csv(tmp_path / "a.csv", [dpt_row(1), dpt_row(2), dpt_row(3)]))
    rows = [dpt_row(1), dpt_row(2, address="Jl. Baru 7", tps="2"), dpt_row(3), dpt_row(4)]
    second, summary = run_import(write_csv(tmp_path / "b.csv", rows))

    assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 2)
    assert (second.rows_accepted, second.rows_unchanged, second.rows_rejected) == (4, 2, 0)
    assert Voter.objects.count() == 4
    moved = Voter.objects.get(voter_id="V000002")
    assert moved.address == "Jl. Baru 7" and moved.tps.number == 2
    assert set(Voter.objects.values_list("source", flat=True)) == {second.pk}


def test_same_rows_without_ids_in_another_file_update_the_same_voters(world, run_import, tmp_path):
    rows = [{**dpt_row(n), "id": ""} for n in (1, 2)]
    run_import(write_csv(tmp_path / "a.csv", rows))
    ids = set(Voter.objects.values_list("voter_id", flat=True))
    _second, summary = run_import(write_csv(tmp_path / "b.csv", rows, delimiter=";"))
    assert summary.unchanged == 2 and summary.rejected == 0
    assert set(Voter.objects.values_list("voter_id", flat=True)) == ids


def test_bad_bytes_after_many_good_rows_leave_nothing_half_done(
    world, run_import, tmp_path, caplog
):
    run_import(write_csv(tmp_path / "old.csv", [dpt_row(1)]))
    rows = [dpt_row(n, address="Jl. Diperbarui") for n in range(1, 5001)]
    rows[10]["tps"] = "9"  # a rejected row early on: it must not stay either
    path = write_csv(tmp_path / "big.csv", rows)
    with path.open("ab") as handle:
        handle.write(b"V999999,6408041205909999,,Ren\xe9,,1990-05-12,L,S,,,,64.08.04.1001,1,\n")
    caplog.set_level(logging.INFO)

    dpt_import, _ = run_import(path, batch_size=1000)

    assert dpt_import.status == JobStatus.FAILED
    assert "baris 5002" in dpt_import.error
    assert dpt_import.rejected.count() == 0
    assert Voter.objects.count() == 1
    assert Voter.objects.get().address == "Jl. Yos Sudarso"  # the update was rolled back
    assert dpt_import.rows_accepted == 0


def test_a_crash_in_the_nth_batch_rolls_everything_back_without_leaking_niks(
    world, run_import, tmp_path, monkeypatch, caplog
):
    from siaga.voters import imports

    real = imports._write_batch
    calls = {"n": 0}

    def failing(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError(f"database said no to {kwargs['candidates'][0].data['nik']}")
        return real(**kwargs)

    monkeypatch.setattr(imports, "_write_batch", failing)
    rows = [dpt_row(n) for n in range(1, 11)]
    caplog.set_level(logging.DEBUG)
    dpt_import, _ = run_import(write_csv(tmp_path / "dpt.csv", rows), batch_size=2)

    assert dpt_import.status == JobStatus.FAILED
    assert "RuntimeError" in dpt_import.error
    assert Voter.objects.count() == 0 and RejectedRow.objects.count() == 0
    for row in rows:
        assert row["nik"] not in dpt_import.error
        assert row["nik"] not in caplog.text
    event = AuditEvent.objects.get(action="voters.dpt_import_failed")
    assert event.after["status"] == "gagal"


def test_one_audit_event_with_counts_and_no_nik(world, run_import, tmp_path):
    rows = [dpt_row(1), dpt_row(2), dpt_row(3, tps="9")]
    dpt_import, _ = run_import(write_csv(tmp_path / "dpt.csv", rows))

    events = AuditEvent.objects.filter(object_id=str(dpt_import.pk), action="voters.dpt_import")
    assert events.count() == 1
    event = events.get()
    assert event.after["accepted"] == 2 and event.after["rejected"] == 1
    assert event.after["sha256"] == dpt_import.sha256
    assert event.after["file_name"] == "dpt.csv"
    assert event.region_code == "64.08"
    dumped = json.dumps([event.after, event.before, event.object_repr])
    assert not any(r["nik"] in dumped for r in rows)


def test_progress_is_kept_in_the_cache_for_the_page(world, run_import, tmp_path):
    seen = []
    rows = [dpt_row(n) for n in range(1, 8)]
    dpt_import, _ = run_import(
        write_csv(tmp_path / "dpt.csv", rows),
        batch_size=3,
        progress=lambda s: seen.append((s.rows_read, s.accepted)),
    )
    assert seen == [(3, 3), (6, 6), (7, 7)]
    assert progress_get(dpt_import.pk)["status"] == JobStatus.DONE
    assert dpt_import.rows_total == 7


def test_a_scope_of_one_kecamatan_rejects_desa_of_another(world, run_import, tmp_path):
    rows = [dpt_row(1), dpt_row(2, region_code="64.08.06.2001")]
    dpt_import, _ = run_import(write_csv(tmp_path / "dpt.csv", rows), scope="64.08.04")
    assert _only_rejected(dpt_import).errors[0]["code"] == "desa_out_of_scope"


def test_unsupported_file_type_and_unknown_region_are_refused(
    world, deployment, dpt_data_dir, analyst, tmp_path
):
    from siaga.core.audit import AuditContext
    from siaga.core.errors import DomainError, PermissionDenied
    from siaga.voters.imports import dpt_import_create

    pdf = tmp_path / "dpt.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    csv_path = write_csv(tmp_path / "dpt.csv", [dpt_row(1)])
    context = AuditContext.cli(analyst)
    with pytest.raises(DomainError, match="tidak didukung"):
        dpt_import_create(
            context=context,
            user=analyst,
            uploaded_path_or_file=pdf,
            file_name="dpt.pdf",
            scope_code="64.08",
            enqueue=False,
        )
    with pytest.raises(DomainError, match="tidak dikenal"):
        dpt_import_create(
            context=context,
            user=analyst,
            uploaded_path_or_file=csv_path,
            file_name="dpt.csv",
            scope_code="64.99",
            enqueue=False,
        )
    with pytest.raises(PermissionDenied):
        dpt_import_create(
            context=context,
            user=analyst,
            uploaded_path_or_file=csv_path,
            file_name="dpt.csv",
            scope_code="64.01",  # another regency, outside the analyst's scope
            enqueue=False,
        )


def test_a_file_named_parquet_that_is_not_one_fails_clearly(world, run_import, tmp_path):
    path = tmp_path / "dpt.parquet"
    path.write_bytes(b"nik,nama\n1,2\n")
    dpt_import, _ = run_import(path)
    assert dpt_import.status == JobStatus.FAILED
    assert "Parquet" in dpt_import.error
    assert Voter.objects.count() == 0


def test_a_run_abandoned_by_a_dead_worker_does_not_block_a_new_upload(world, run_import, tmp_path):
    from siaga.core import clock

    path = write_csv(tmp_path / "dpt.csv", [dpt_row(1)])
    first, _ = run_import(path)
    DptImport.objects.filter(pk=first.pk).update(
        status=JobStatus.RUNNING, started_at=clock.now() - dt.timedelta(hours=7)
    )
    second, summary = run_import(path)
    first.refresh_from_db()
    assert first.status == JobStatus.FAILED and "terhenti" in first.error
    assert second.pk != first.pk and summary.unchanged == 1
