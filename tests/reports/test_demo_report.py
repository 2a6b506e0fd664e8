"""Acceptance on the Kutai Timur demo: the report of the demo day renders (its first page is not
blank), its text holds the day's figures, and they are the numbers the situation room shows."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdfium2
import pytest
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from siaga.accounts.models import User
from siaga.core.audit import AuditContext
from siaga.core.models import AuditEvent
from siaga.demo.services import demo_load, demo_now
from siaga.reports.demo import reports_demo_load
from siaga.reports.models import SituationReport

CONTEXT = AuditContext.cli()
MIN_INK = 0.02  # share of the first page's pixels that are not white: text, tables, rules


@pytest.fixture
def demo(db, settings):
    if not (Path(settings.SIAGA_WILAYAH_DATA_DIR) / "villages.csv").exists():
        pytest.skip("idn-area-data is not installed; run `make install`")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_load(context=CONTEXT, national_regions=False, media=True)
    result = reports_demo_load(context=CONTEXT, now=demo_now())
    return SituationReport.objects.get(pk=result["report"])


def _number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def _panel(body: str, marker: str) -> str:
    start = body.index(marker)
    return body[start : body.index("</section>", start)]


def _room(client) -> dict:
    """The numbers of the situation room as the regency's administrator sees them."""
    client.force_login(User.objects.get(username="admin"))
    body = client.get(reverse("dashboard:situation-room")).content.decode()
    cell = r'data-n="{}"[^>]*>(?:<a [^>]*>)?([\d.,]+)'
    media = _panel(body, "data-media-overview")
    risk = _panel(body, "data-risk-overview")
    watch = _panel(body, "data-postelection-panel")
    done, total = re.search(r'data-readiness="(\d+)/(\d+)"', watch).groups()
    return {
        "tps": _number(re.search(r"data-kpi-tps>([^<]+)<", body).group(1)),
        "dpt": _number(re.search(r"data-kpi-dpt>([^<]+)<", body).group(1)),
        "media": {
            k: _number(re.search(cell.format(k), media).group(1))
            for k in ("posts", "flagged", "matched", "hoaxes", "alerts_open")
        },
        "risk": {
            k: _number(re.search(cell.format(k), risk).group(1))
            for k in ("sangat_rawan", "rawan", "aman", "alerts_open", "changed")
        },
        "checklists": [
            tuple(int(n) for n in row)
            for row in re.findall(
                r'data-submitted="(\d+)".*?data-late="(\d+)".*?data-missing="(\d+)"', body, re.S
            )
        ],
        "readiness": (int(done), int(total)),
        "gatherings": int(re.search(r'data-gatherings="(\d+)"', watch).group(1)),
        "revotes": int(re.search(r'data-revotes="(\d+)"', watch).group(1)),
    }


def _report_numbers(figures: dict) -> dict:
    risk, watch = figures["risk"], figures["postelection"]
    return {
        "tps": figures["summary"]["tps"],
        "dpt": figures["summary"]["dpt"],
        "media": {k: figures["media"][k] for k in ("posts", "flagged", "matched", "hoaxes",
                                                    "alerts_open")},
        "risk": {**{k: risk["counts"][k] for k in ("sangat_rawan", "rawan", "aman")},
                 "alerts_open": risk["alerts_open"], "changed": risk["changed"]},
        "checklists": [(p["submitted"], p["late"], p["missing"])
                       for p in figures["checklists"]["phases"]],
        "readiness": (watch["readiness_done"], watch["readiness_total"]),
        "gatherings": watch["gatherings"],
        "revotes": watch["revotes"],
    }  # fmt: skip


def test_the_demo_day_report_renders_a_first_page_that_is_not_blank(demo):
    assert demo.day.isoformat() == "2024-11-24" and demo.region_id == "64.08"
    page = pypdfium2.PdfDocument(bytes(demo.pdf))[0]
    image = page.render(scale=1).to_pil().convert("L")
    width, height = image.size
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4
    ink = sum(image.histogram()[:200])  # pixels darker than light grey
    assert ink > MIN_INK * width * height
    blank = pypdfium2.PdfDocument.new()
    blank.new_page(width, height)
    nothing = blank[0].render(scale=1).to_pil().convert("L")
    assert sum(nothing.histogram()[:200]) == 0  # the measure can fail


def test_the_report_shows_the_numbers_of_the_situation_room(demo, client):
    figures = demo.figures
    room = _room(client)
    assert _report_numbers(figures) == room
    assert room["tps"] == 701 and room["media"]["posts"] > 0  # the demo's day, not an empty one
    pages = PdfReader(io.BytesIO(bytes(demo.pdf))).pages
    # Lines set in some fonts come out of pypdf as UTF-16 code units: drop their zero bytes.
    text = "\n".join(page.extract_text() for page in pages).replace("\x00", "")
    with translation.override(settings.LANGUAGE_CODE):
        for value in (room["tps"], room["dpt"], *room["media"].values(), *room["risk"].values()):
            assert intcomma(value) in text, value
    done, total = room["readiness"]
    assert f"{done} dari {total} butir" in text
    assert "H-3" in text and "LAPORAN SITUASI HARIAN" in text.upper()
    assert demo.audit_head[:16] in text.replace("\n", "")


def test_the_demo_report_is_loaded_once(demo):
    events = AuditEvent.objects.count()
    again = reports_demo_load(context=CONTEXT, now=demo_now())
    assert again == {"day": demo.day, "created": False, "report": demo.pk}
    assert AuditEvent.objects.count() == events and SituationReport.objects.count() == 1
