"""The "Kerawanan TPS" panel of the situation room: the TPS in the reader's scope by category, how
many are aman only because nobody mapped them, how many changed category since yesterday's last
computation, the open early-warning alerts and the time of the last computation; with links to
the risk pages, in two queries; and the map's "Kerawanan" layer configured off by default.

The index is computed for real (yesterday, then today) from hand-entered mapping values;
catalogue weights used: riwayat_kekerasan 15, sulit_dijangkau 10, rawan_konflik 12,
intimidasi 10, penolakan 10, politik_uang.riwayat 10; rawan from 25, sangat rawan from 50.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from siaga.core import clock
from siaga.core.permissions import user_scope
from siaga.risk.choices import AlertKind
from siaga.risk.models import RiskAlert, TpsRisk
from siaga.risk.selectors import panel as risk_overview
from tests.risk.conftest import NOW

pytestmark = pytest.mark.django_db

YESTERDAY = NOW - dt.timedelta(days=1)
SEVERE = {  # 15 + 12 + 10 + 10 + 10 = 57: sangat rawan
    "keamanan__riwayat_kekerasan": 1,
    "lokasi__rawan_konflik": 1,
    "keamanan__intimidasi": 1,
    "keamanan__penolakan": 1,
    "politik_uang__riwayat": 1,
}


@pytest.fixture
def room(rw):
    """The deployment's clock at NOW (H-3), the index computed yesterday and today.

    Yesterday: a1 rawan (25), a1b rawan (47), a2 aman but mapped (10), every other TPS aman
    and unmapped (0). Today: a1 drops to aman (15), a1b rises to sangat rawan (57), a2 rises to
    rawan (32), b1 jumps to sangat rawan (57) and so does Paser's TPS, outside the regency.
    Every alert the computations raised is then acknowledged, so that the test's own alerts
    are the only open ones.
    """
    deployment = rw.deployment()
    deployment.clock_offset_seconds = clock.offset_for(NOW)
    deployment.save(update_fields=["clock_offset_seconds"])
    clock.clear_cache()

    rw.map(rw.a1, keamanan__riwayat_kekerasan=1, lokasi__sulit_dijangkau=1)
    rw.map(
        rw.a1b,
        keamanan__riwayat_kekerasan=1,
        lokasi__rawan_konflik=1,
        keamanan__intimidasi=1,
        keamanan__penolakan=1,
    )
    rw.map(rw.a2, lokasi__sulit_dijangkau=1)
    rw.recompute(now=YESTERDAY)

    rw.map(rw.a1, lokasi__sulit_dijangkau=0)
    rw.map(rw.a1b, politik_uang__riwayat=1)
    rw.map(rw.a2, lokasi__rawan_konflik=1, keamanan__penolakan=1)
    rw.map(rw.b1, **SEVERE)
    rw.map(rw.paser, **SEVERE)
    rw.recompute(now=NOW)
    RiskAlert.objects.update(acknowledged_at=NOW)
    yield rw
    clock.clear_cache()


def alert(region, key: str, *, acknowledged: bool = False) -> RiskAlert:
    return RiskAlert.objects.create(
        kind=AlertKind.TREND,
        key=key,
        region=region,
        title=f"Uji {key}",
        reason="Insiden di atas garis dasar",
        fired_at=NOW,
        acknowledged_at=NOW if acknowledged else None,
    )


def panel_numbers(html: str) -> dict[str, int]:
    section = re.search(r"<section[^>]*data-risk-overview>(.*?)</section>", html, re.S).group(1)
    cells = re.findall(r'data-n="(\w+)">(?:<a [^>]*>)?(?:[^<]*?)?([\d.]+)', section)
    return {name: int(value.replace(".", "")) for name, value in cells}


def test_the_scores_the_panel_counts_are_the_ones_the_fixture_describes(room):
    scores = {row.tps_id: (row.score, row.category, row.assessed) for row in TpsRisk.objects.all()}

    assert scores[room.a1.pk] == (15.0, "aman", True)
    assert scores[room.a1b.pk] == (57.0, "sangat_rawan", True)
    assert scores[room.a2.pk] == (32.0, "rawan", True)
    assert scores[room.b1.pk] == (57.0, "sangat_rawan", True)
    assert scores[room.b2.pk] == (0.0, "aman", False)


def test_the_panel_counts_the_regency_by_category_with_changes_alerts_and_the_last_run(
    client, room
):
    alert(room.w.kec_a, "open-in-sangatta")
    alert(room.w.desa_b1, "open-in-busang")
    alert(room.w.kec_b, "acknowledged-in-busang", acknowledged=True)
    alert(room.w.kec_other, "open-in-paser")
    client.force_login(room.analyst)

    html = client.get("/").content.decode()

    # 8 TPS: a1b and b1 sangat rawan; a2 rawan; a1 (mapped) and four unmapped ones aman.
    # Changed since yesterday: a1 (rawan -> aman), a1b, a2 and b1; Paser's TPS is not ours.
    assert panel_numbers(html) == {
        "sangat_rawan": 2,
        "rawan": 1,
        "aman_unmapped": 4,
        "aman": 5,
        "alerts_open": 2,
        "changed": 4,
    }
    assert "termasuk 4 TPS belum dipetakan" in html
    assert "Dihitung 24 Nov 2024 10:00" in html
    assert 'href="/risiko/peringatan/?terbuka=1"' in html
    assert 'href="/risiko/#changes-title"' in html
    assert 'href="/risiko/?kategori=sangat_rawan"' in html


def test_a_kecamatan_reader_counts_only_their_kecamatan(client, room):
    alert(room.w.kec_a, "open-in-sangatta")
    alert(room.w.desa_b1, "open-in-busang")
    client.force_login(room.analyst_kec)

    html = client.get("/").content.decode()

    # Sangatta Utara: a1 aman, a1b sangat rawan, a2 rawan, a2b aman unmapped; a1, a1b, a2 moved.
    assert panel_numbers(html) == {
        "sangat_rawan": 1,
        "rawan": 1,
        "aman_unmapped": 1,
        "aman": 2,
        "alerts_open": 1,
        "changed": 3,
    }


def test_the_panel_costs_two_queries_whatever_the_number_of_tps(room, django_assert_num_queries):
    user_scope(room.analyst)  # the scope is read once per request, before the panel

    with django_assert_num_queries(2):
        numbers = risk_overview(room.analyst)

    assert numbers["counts"] == {"aman": 5, "rawan": 1, "sangat_rawan": 2}
    assert numbers["scored"] == 8
    assert numbers["last_run"].started_at == NOW


def test_before_any_computation_the_panel_says_so_and_counts_nothing(client, rw):
    rw.deployment()
    client.force_login(rw.analyst)

    html = client.get("/").content.decode()

    assert panel_numbers(html) == {
        "sangat_rawan": 0,
        "rawan": 0,
        "aman": 0,
        "alerts_open": 0,
        "changed": 0,
    }
    assert "Indeks belum pernah dihitung." in html


def test_changes_of_the_day_before_yesterday_are_not_changes_since_yesterday(room):
    # Today's computation again, a day later: yesterday's history now says what today's says.
    room.recompute(now=NOW + dt.timedelta(days=1))
    deployment = room.deployment()
    deployment.clock_offset_seconds = clock.offset_for(NOW + dt.timedelta(days=1))
    deployment.save(update_fields=["clock_offset_seconds"])
    clock.clear_cache()

    assert risk_overview(room.analyst)["changed"] == 0


def test_the_map_gets_the_risk_layer_switched_off_by_default(client, room):
    client.force_login(room.analyst)

    html = client.get("/").content.decode()

    config = json.loads(
        re.search(r'<script type="application/json" id="siaga-risk-config">(.*?)</script>',
                  html, re.S).group(1)
    )  # fmt: skip
    assert config["on"] is False
    assert config["tpsUrl"] == "/risiko/tps/0/"
    assert config["refreshSeconds"] == 120
    assert config["strings"]["toggle"] == "Kerawanan"
    assert config["strings"]["changed"] == "Berubah sejak kemarin (skor naik)"
    assert config["categories"] == {
        "aman": "Aman",
        "rawan": "Rawan",
        "sangat_rawan": "Sangat rawan",
    }
    assert "risk/risk_layer.js" in html and "risk/risk.css" in html
