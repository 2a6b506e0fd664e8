"""The file connector: ``siaga media ingest FILE`` and the upload page, on CSV, XLSX and JSON Lines.

Good rows are stored and bad ones reported with the row the user sees (CSV/XLSX: the header is
row 1; JSON Lines: the line number); a file ingested twice stores nothing new and refreshes the
engagement counts; a file that is not a table fails with a clear message and leaves nothing
behind, not even the file-import source.
"""

from __future__ import annotations

import csv
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from siaga.accounts.choices import Role
from siaga.core.models import AuditEvent
from siaga.media.models import IngestBatch, Post, Source

pytestmark = pytest.mark.django_db

HEADER = ["platform", "id", "teks", "waktu", "akun", "suka", "bagikan", "media"]
WHEN = "2024-11-24 08:00:00"


def row(n: int, text: str | None = None, **extra) -> dict:
    values = {
        "platform": "twitter",
        "id": f"f{n}",
        "teks": text or f"Kabar pilkada nomor {n} dari warga Sangatta Utara",
        "waktu": WHEN,
        "akun": f"@warga{n}",
        "suka": "3",
        "bagikan": "1",
        "media": "",
    }
    values.update(extra)
    return values


def write_csv(path, rows) -> str:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def write_xlsx(path, rows) -> str:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for values in rows:
        sheet.append([values[h] for h in HEADER])
    book.save(path)
    return str(path)


def write_jsonl(path, lines) -> str:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def ingest_file(path) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("media", "ingest", path, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


MIXED = [
    row(1),
    row(2, teks=""),  # row 3: text missing
    row(3, waktu="kemarin"),  # row 4: bad time
    row(4, suka="-5"),  # row 5: negative likes
    row(5, media="https://cdn.contoh.id/a.jpg|https://cdn.contoh.id/b.jpg"),
]


@pytest.mark.parametrize("writer", [write_csv, write_xlsx], ids=["csv", "xlsx"])
def test_a_table_stores_good_rows_and_reports_bad_ones_by_spreadsheet_row(world, tmp_path, writer):
    path = writer(tmp_path / f"posts.{'csv' if writer is write_csv else 'xlsx'}", MIXED)
    out, err = ingest_file(path)
    assert "5 received, 2 stored, 0 already stored, 3 rejected" in out
    assert "baris 3, kolom text" in err
    assert "baris 4, kolom posted_at" in err
    assert "baris 5, kolom likes" in err
    assert set(Post.objects.values_list("external_id", flat=True)) == {"f1", "f5"}
    post = Post.objects.get(external_id="f5")
    assert post.platform == "x" and post.author == "@warga5" and (post.likes, post.shares) == (3, 1)
    assert post.media_urls == ["https://cdn.contoh.id/a.jpg", "https://cdn.contoh.id/b.jpg"]
    assert post.source.kind == "file" and post.source.region_id == "64.08"
    batch = IngestBatch.objects.get()
    assert (batch.received, batch.stored, batch.rejected) == (5, 2, 3)
    assert [e["row"] for e in batch.errors] == [3, 4, 5]


def test_json_lines_rows_are_line_numbers_and_a_line_that_is_not_json_is_reported(world, tmp_path):
    good = {
        "platform": "fb",
        "external_id": "j1",
        "text": "Debat paslon malam ini",
        "posted_at": "2024-11-24T20:00:00+08:00",
        "likes": 10,
        "media_urls": [],
    }
    path = write_jsonl(
        tmp_path / "posts.jsonl",
        [
            json.dumps(good),
            "{ini bukan json",
            json.dumps({**good, "external_id": "j3", "shares": "banyak"}),
            "",
            json.dumps(["bukan", "objek"]),
            json.dumps({**good, "external_id": "j6", "author_official": "ya"}),
        ],
    )
    out, err = ingest_file(path)
    assert "5 received, 2 stored, 0 already stored, 3 rejected" in out
    assert "baris 2, kolom -" in err and "baris 3, kolom shares" in err
    assert "baris 5, kolom -" in err
    assert sorted(Post.objects.values_list("external_id", "platform")) == [
        ("j1", "facebook"),
        ("j6", "facebook"),
    ]
    assert Post.objects.get(external_id="j6").author_official is True


def test_the_same_file_twice_stores_nothing_new_and_refreshes_engagement(world, tmp_path):
    first = write_csv(tmp_path / "a.csv", [row(1), row(2)])
    ingest_file(first)
    before = Post.objects.get(external_id="f1")
    again = write_csv(tmp_path / "b.csv", [row(1, suka="250", bagikan="40"), row(2)])
    out, _err = ingest_file(again)
    assert "2 received, 0 stored, 2 already stored, 0 rejected" in out
    assert Post.objects.count() == 2
    after = Post.objects.get(external_id="f1")
    assert after.pk == before.pk
    assert (after.likes, after.shares) == (250, 40)
    assert after.risk >= before.risk
    assert IngestBatch.objects.count() == 2
    assert AuditEvent.objects.filter(action="media.posts_ingested").count() == 2


def test_a_repeat_inside_one_file_is_stored_once_last_row_wins(world, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(1, suka="1"), row(1, suka="9")])
    out, _err = ingest_file(path)
    assert Post.objects.count() == 1 and Post.objects.get().likes == 9
    assert "2 received, 1 stored" in out


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("kosong.csv", b"", "kosong"),
        ("kosong.jsonl", b"\n \n", "kosong"),
        ("gambar.csv", b"PK\x03\x04\x14\x00\x00\x00binary", "Excel"),
        ("gambar.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00", "XLSX"),
        ("gambar.jsonl", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ""),
        ("catatan.csv", b"judul,isi\nrapat,besok\n", "judul"),
        ("tanpa-teks.csv", b"platform,id,waktu\nx,1,2024-11-24\n", "text"),
        ("laporan.pdf", b"%PDF-1.4", ".pdf"),
    ],
)
def test_a_file_that_is_not_a_table_fails_clearly_and_stores_nothing(
    world, tmp_path, name, content, message
):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError) as caught:
        ingest_file(str(path))
    assert message.lower() in str(caught.value).lower()
    assert Post.objects.count() == 0
    assert IngestBatch.objects.count() == 0
    assert Source.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="media.").exists()


def test_a_missing_file_or_unknown_source_fails_clearly(world, tmp_path):
    with pytest.raises(CommandError, match="tidak ditemukan"):
        ingest_file(str(tmp_path / "tidak-ada.csv"))
    path = write_csv(tmp_path / "a.csv", [row(1)])
    with pytest.raises(CommandError, match="unknown source"):
        call_command("media", "ingest", path, "--source", "tidak-ada")
    assert Post.objects.count() == 0 and Source.objects.count() == 0


# --- the upload page and its background task ---------------------------------------------------


@pytest.fixture
def uploads(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR / "media-uploads"


def upload(client, user, name: str, content: bytes, django_capture_on_commit_callbacks):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            reverse("media:posts_upload"), {"file": SimpleUploadedFile(name, content)}
        )


def queued_imports():
    from django_tasks_db.models import DBTaskResult

    return list(DBTaskResult.objects.filter(task_path__endswith="posts_import_task"))


def _csv_bytes(rows) -> bytes:
    from io import StringIO

    handle = StringIO()
    writer = csv.DictWriter(handle, fieldnames=HEADER)
    writer.writeheader()
    writer.writerows(rows)
    return handle.getvalue().encode()


def test_the_upload_page_queues_the_import_and_the_task_stores_posts_and_deletes_the_file(
    world, client, uploads, django_capture_on_commit_callbacks
):
    from siaga.media.tasks import posts_import_task

    analyst = world.user(Role.ANALYST)
    response = upload(
        client, analyst, "posts.csv", _csv_bytes(MIXED), django_capture_on_commit_callbacks
    )
    assert response.status_code == 302 and response.url == reverse("media:sources")
    assert Post.objects.count() == 0  # nothing stored before the worker runs
    (job,) = queued_imports()
    path, source_id, user_id = job.args_kwargs["args"]
    assert user_id == analyst.pk
    saved = list(uploads.iterdir())
    assert [str(p) for p in saved] == [path]

    summary = posts_import_task.call(path, source_id, user_id)

    assert (summary["stored"], summary["rejected"]) == (2, 3)
    assert Post.objects.count() == 2
    batch = IngestBatch.objects.get(pk=summary["batch"])
    assert batch.created_by == analyst and [e["row"] for e in batch.errors] == [3, 4, 5]
    assert not list(uploads.iterdir())  # the upload is deleted


def test_a_broken_upload_is_reported_on_a_batch_and_deleted(
    world, client, uploads, django_capture_on_commit_callbacks
):
    from siaga.media.tasks import posts_import_task

    analyst = world.user(Role.ANALYST)
    content = _csv_bytes([row(1)]) + b"\xff\xfe rusak\n"
    upload(client, analyst, "posts.csv", content, django_capture_on_commit_callbacks)
    (job,) = queued_imports()
    summary = posts_import_task.call(*job.args_kwargs["args"])
    assert "UTF-8" in summary["error"]
    assert Post.objects.count() == 0
    batch = IngestBatch.objects.get(pk=summary["batch"])
    assert batch.errors and batch.errors[0]["row"] == 3
    assert not list(uploads.iterdir())


@pytest.mark.parametrize("role", [Role.LEADERSHIP, Role.FIELD_MONITOR])
def test_only_those_who_ingest_may_upload(
    world, client, uploads, role, django_capture_on_commit_callbacks
):
    response = upload(
        client,
        world.user(role),
        "posts.csv",
        _csv_bytes([row(1)]),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code in (403, 404)
    assert queued_imports() == []
    assert not uploads.exists() or not list(uploads.iterdir())


def test_an_upload_of_another_type_is_refused_without_queueing(
    world, client, uploads, django_capture_on_commit_callbacks
):
    response = upload(
        client,
        world.user(Role.ANALYST),
        "posts.pdf",
        b"%PDF-1.4",
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    assert queued_imports() == []
    assert not uploads.exists() or not list(uploads.iterdir())


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_the_queued_import(world, client, uploads):
    """The real worker (``db_worker --batch``), as in production; it needs committed rows."""
    client.force_login(world.user(Role.ANALYST))
    response = client.post(
        reverse("media:posts_upload"),
        {
            "file": SimpleUploadedFile(
                "posts.jsonl",
                b'{"platform":"x","external_id":"w1",'
                b'"text":"halo Busang","posted_at":"2024-11-24T08:00"}\n',
            )
        },
    )
    assert response.status_code == 302
    assert len(queued_imports()) == 1
    call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False)
    (job,) = queued_imports()
    assert job.status == "SUCCESSFUL" and job.return_value["stored"] == 1
    assert Post.objects.get().external_id == "w1"
    assert not list(uploads.iterdir())
