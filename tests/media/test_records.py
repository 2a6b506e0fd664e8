"""The incoming record schema: every field's checks, each problem naming the row and the field.

Every connector (file, feed, webhook, API) hands its records to ``parse_record``; what it lets
through is what the database receives, so a value the database would refuse (a count beyond a
32-bit integer, a NUL character on PostgreSQL) must be refused or cleaned here, by row and field,
not crash the whole batch later.
"""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from siaga.core.tabular import TableError
from siaga.media.records import (
    COUNT_MAX,
    ID_MAX,
    TEXT_MAX,
    PostRecord,
    RecordError,
    parse_record,
    read_file,
)

WITA = ZoneInfo("Asia/Makassar")


def good(**extra) -> dict:
    return {
        "platform": "x",
        "external_id": "1850000000000000001",
        "text": "Pawai kampanye damai di Sangatta Utara",
        "posted_at": "2024-11-24T08:00:00+08:00",
        **extra,
    }


def errors_of(raw, row: int = 7) -> set[tuple[int, str]]:
    parsed = parse_record(raw, row)
    assert isinstance(parsed, list), f"expected errors, got {parsed!r}"
    assert all(isinstance(e, RecordError) for e in parsed)
    return {(e.row, e.field) for e in parsed}


def parsed(raw, row: int = 7) -> PostRecord:
    result = parse_record(raw, row)
    assert isinstance(result, PostRecord), f"expected a record, got {result!r}"
    return result


# --- required fields ------------------------------------------------------------------------


def test_a_complete_record_is_parsed_with_its_defaults():
    record = parsed(good(), row=3)
    assert record.row == 3
    assert (record.platform, record.external_id) == ("x", "1850000000000000001")
    assert record.posted_at == dt.datetime(2024, 11, 24, 0, 0, tzinfo=dt.UTC)
    assert (record.likes, record.shares, record.replies) == (0, 0, 0)
    assert record.author_official is False
    assert record.language == "id" and record.media_urls == [] and record.url == ""


@pytest.mark.parametrize("name", ["platform", "external_id", "text", "posted_at"])
@pytest.mark.parametrize("missing", [None, "", "   "])
def test_each_required_field_is_reported_by_row_and_name(name, missing):
    raw = good()
    if missing is None:
        del raw[name]
    else:
        raw[name] = missing
    assert errors_of(raw, row=12) == {(12, name)}


def test_all_problems_of_a_record_are_reported_together():
    found = errors_of({"platform": "myspace", "likes": "banyak", "url": "ftp://x"}, row=4)
    assert found == {
        (4, "platform"),
        (4, "external_id"),
        (4, "text"),
        (4, "posted_at"),
        (4, "likes"),
        (4, "url"),
    }


def test_a_record_that_is_not_an_object_is_reported_for_its_row():
    for raw in (None, ["x", "1"], "teks", 5):
        assert errors_of(raw, row=9) == {(9, "-")}


def test_the_message_names_row_and_field():
    error = parse_record(good(text=""), 21)[0]
    assert str(error).startswith("baris 21, kolom text")
    assert error.as_dict() == {"row": 21, "field": "text", "message": error.message}


# --- platform ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("x", "x"),
        ("twitter", "x"),
        ("Twitter", "x"),
        (" TWEET ", "x"),
        ("fb", "facebook"),
        ("ig", "instagram"),
        ("wa", "whatsapp"),
        ("berita", "news"),
        ("rss", "news"),
        ("other", "lainnya"),
        ("TikTok", "tiktok"),
        ("youtube", "youtube"),
    ],
)
def test_platform_names_and_aliases(given, stored):
    assert parsed(good(platform=given)).platform == stored


def test_an_unknown_platform_lists_the_known_ones():
    error = parse_record(good(platform="myspace"), 2)[0]
    assert (error.row, error.field) == (2, "platform")
    assert "myspace" in error.message and "facebook" in error.message


# --- time -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "kemarin sore",
        "2024-13-01T08:00:00",
        "24/11/2024 08:00",
        "1732400000",
        0,
        "2024-11-24T25:00",
    ],
)
def test_a_time_that_is_not_iso_8601_is_refused(value):
    assert errors_of(good(posted_at=value)) == {(7, "posted_at")}


def test_a_time_without_zone_is_local_time_of_the_deployment():
    record = parsed(good(posted_at="2024-11-24 08:00:00"))
    assert record.posted_at == dt.datetime(2024, 11, 24, 8, 0, tzinfo=WITA)
    assert record.posted_at.utcoffset() is not None


def test_a_time_with_zone_keeps_its_instant():
    record = parsed(good(posted_at="2024-11-24T08:00:00Z"))
    assert record.posted_at == dt.datetime(2024, 11, 24, 16, 0, tzinfo=WITA)


def test_a_naive_datetime_from_a_spreadsheet_is_local_time():
    record = parsed(good(posted_at=dt.datetime(2024, 11, 24, 8, 0)))
    assert record.posted_at == dt.datetime(2024, 11, 24, 8, 0, tzinfo=WITA)


# --- counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["likes", "shares", "replies"])
def test_counts_accept_whole_numbers_as_text_numbers_or_spreadsheet_floats(name):
    assert getattr(parsed(good(**{name: "12"})), name) == 12
    assert getattr(parsed(good(**{name: 12})), name) == 12
    assert getattr(parsed(good(**{name: 12.0})), name) == 12
    assert getattr(parsed(good(**{name: ""})), name) == 0
    assert getattr(parsed(good(**{name: None})), name) == 0


@pytest.mark.parametrize("name", ["likes", "shares", "replies"])
@pytest.mark.parametrize("value", ["-3", -1, "banyak", "1.5", "1e3", True])
def test_counts_refuse_negative_fractional_or_non_numeric_values(name, value):
    assert errors_of(good(**{name: value})) == {(7, name)}


def test_a_count_beyond_the_database_column_is_refused_not_crashing_the_batch():
    assert parsed(good(shares=COUNT_MAX)).shares == COUNT_MAX
    assert errors_of(good(shares=COUNT_MAX + 1)) == {(7, "shares")}
    assert errors_of(good(likes="99999999999999999999")) == {(7, "likes")}


# --- booleans -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, "true", "ya", "Ya", "1", "yes", "benar", 1])
def test_official_true_values(value):
    assert parsed(good(author_official=value)).author_official is True


@pytest.mark.parametrize("value", [False, "false", "tidak", "0", "", None, "no", 0])
def test_official_false_values(value):
    assert parsed(good(author_official=value)).author_official is False


def test_official_other_values_are_refused():
    assert errors_of(good(author_official="mungkin")) == {(7, "author_official")}


# --- URLs -----------------------------------------------------------------------------------


def test_url_must_be_http():
    assert parsed(good(url="https://x.com/a/status/1")).url == "https://x.com/a/status/1"
    for bad in ("x.com/a/status/1", "javascript:alert(1)", "ftp://host/a"):
        assert errors_of(good(url=bad)) == {(7, "url")}
    assert errors_of(good(url="https://e.id/" + "a" * 1000)) == {(7, "url")}


def test_media_urls_as_list_pipe_joined_or_json_text():
    urls = ["https://cdn.contoh.id/a.jpg", "https://cdn.contoh.id/b.mp4"]
    assert parsed(good(media_urls=urls)).media_urls == urls
    assert parsed(good(media_urls=" | ".join(urls))).media_urls == urls
    assert parsed(good(media_urls=json.dumps(urls))).media_urls == urls  # a JSON list in CSV
    assert parsed(good(media_urls="")).media_urls == []
    assert parsed(good(media_urls=[])).media_urls == []


def test_media_urls_refuse_bad_links_and_other_shapes():
    assert errors_of(good(media_urls=["https://ok.id/a", "bukan tautan"])) == {(7, "media_urls")}
    assert errors_of(good(media_urls="https://ok.id/a|file:///etc/passwd")) == {(7, "media_urls")}
    assert errors_of(good(media_urls={"a": "https://ok.id/a"})) == {(7, "media_urls")}
    assert errors_of(good(media_urls=5)) == {(7, "media_urls")}


# --- lengths and text -----------------------------------------------------------------------


def test_too_long_text_and_id_are_refused_at_their_limit():
    assert len(parsed(good(text="a" * TEXT_MAX)).text) == TEXT_MAX
    assert errors_of(good(text="a" * (TEXT_MAX + 1))) == {(7, "text")}
    assert len(parsed(good(external_id="9" * ID_MAX)).external_id) == ID_MAX
    assert errors_of(good(external_id="9" * (ID_MAX + 1))) == {(7, "external_id")}


def test_optional_text_fields_are_cut_to_their_columns():
    record = parsed(good(author="a" * 500, language="id-ID-x-long", parent_external_id="p" * 500))
    assert len(record.author) == 200
    assert len(record.language) <= 8
    assert len(record.parent_external_id) == ID_MAX


def test_numeric_ids_and_text_are_read_as_text_and_trimmed():
    record = parsed(good(external_id=1850000000000000001, text="  halo warga Busang \n"))
    assert record.external_id == "1850000000000000001"
    assert record.text == "halo warga Busang"


def test_characters_the_database_cannot_store_are_removed():
    # PostgreSQL refuses NUL in text, and no database stores a lone surrogate: a crawler's
    # JSON may carry both ("\u0000", "\ud83d").
    record = parsed(good(text="halo\x00 warga\ud83d", author="akun\x00", external_id="a\x00b"))
    assert record.text == "halo warga\ufffd"
    assert record.author == "akun" and record.external_id == "ab"
    record.text.encode("utf-8")  # would raise on a surrogate


# --- read_file for JSON Lines ------------------------------------------------------------------


def test_json_lines_rows_are_line_numbers_and_bad_lines_are_reported(tmp_path):
    path = tmp_path / "posts.jsonl"
    path.write_text(
        json.dumps(good(external_id="1")) + "\n\n{bukan json\n" + json.dumps(good()) + "\n",
        encoding="utf-8",
    )
    rows = list(read_file(path))
    assert [row for row, _raw in rows] == [1, 3, 4]
    assert rows[1][1] is None
    assert parse_record(rows[1][1], rows[1][0])[0].row == 3


def test_json_lines_that_are_not_utf8_raise_a_table_error_naming_the_line(tmp_path):
    path = tmp_path / "posts.jsonl"
    path.write_bytes(json.dumps(good()).encode() + b"\n" + b"\xff\xferusak\n")
    with pytest.raises(TableError) as caught:
        list(read_file(path))
    assert caught.value.error.row == 2 and "UTF-8" in str(caught.value)


def test_binary_or_empty_json_lines_raise_a_table_error(tmp_path):
    binary = tmp_path / "gambar.jsonl"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8")
    with pytest.raises(TableError):
        list(read_file(binary))
    empty = tmp_path / "kosong.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(TableError, match="kosong"):
        list(read_file(empty))
    with pytest.raises(TableError):
        list(read_file(tmp_path / "tidak-ada.jsonl"))
