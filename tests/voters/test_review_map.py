"""The map of double registrations on the review summary page (/pemilih/ganda/rekap/): the page
carries the map element, its configuration (the map-layer endpoint, the tile settings) and the
script; the layer it draws (/api/v1/voters/duplicates/map) holds, per TPS in the user's scope,
the confirmed and suspected pairs, counts only."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from siaga.core.audit import AuditContext
from siaga.voters import linkage
from siaga.voters.models import DuplicatePair, PairStatus, Voter
from siaga.voters.privacy import mask_nik
from tests.voters.review_world import RollWorld

ENDPOINT = "/api/v1/voters/duplicates/map"
TILE_URL = "https://tiles.example.test/{z}/{x}/{y}.png"
TILE_ATTRIBUTION = '&copy; <a href="https://example.test/">Peta Contoh</a>'


@pytest.fixture
def roll(db):
    """Siti (K1, two desa) confirmed by the analyst; Rudi (K3, one TPS) still suspected; a K2
    data error suspected; a pair in Paser, out of scope, confirmed."""
    world = RollWorld()
    world.p_siti = world.pair(world.siti, world.siti_copy, klass="K1", probability=0.99)
    world.p_rudi = world.pair(world.rudi, world.rudi_copy, klass="K3", probability=0.93)
    world.p_k2 = world.pair(world.ahmad, world.rizal, klass="K2", probability=1.0)
    world.p_out = world.pair(
        world.outsider, world.outsider_copy, klass="K1", probability=0.98, status="terkonfirmasi"
    )
    world.p_siti = linkage.pair_confirm(
        pair=world.p_siti, context=AuditContext.cli(world.analyst), user=world.analyst, note="ok"
    )
    return world


@pytest.fixture
def tiles(settings):
    settings.SIAGA_MAP_TILE_URL = TILE_URL
    settings.SIAGA_MAP_TILE_ATTRIBUTION = TILE_ATTRIBUTION


def _page(client, user):
    client.force_login(user)
    return client.get(reverse("voters:review_summary"))


def _map_config(html: str) -> dict:
    found = re.search(
        r'<script id="duplicates-map-config" type="application/json">(.*?)</script>', html, re.S
    )
    assert found, "the page carries the map configuration"
    return json.loads(found.group(1))


# --- the page -------------------------------------------------------------------------------


def test_analyst_page_has_the_map_with_the_endpoint_and_the_tile_settings(client, roll, tiles):
    response = _page(client, roll.analyst)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="duplicates-map"' in html and 'data-duplicates-map="duplicates-map-config"' in html
    assert f'data-endpoint="{ENDPOINT}"' in html
    config = _map_config(html)
    assert config == {
        "endpoint": ENDPOINT,
        "tileUrl": TILE_URL,
        "tileAttribution": TILE_ATTRIBUTION,
        "queueUrl": reverse("voters:review_queue"),
    }
    # Leaflet and the script come from the project's own static files, never from a CDN.
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert "/static/vendor/leaflet/leaflet.css" in html
    assert "/static/voters/duplicates_map.js" in html
    # (Only the page's resources: a CSRF token may spell "cdn" by chance.)
    resources = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert resources and not [url for url in resources if url.startswith(("http", "//"))]
    # The empty-state text is there for the script to reveal, hidden meanwhile.
    assert re.search(
        r"<p[^>]*data-map-empty hidden>Belum ada TPS dengan dugaan pemilih ganda", html
    )


def test_without_a_tile_server_the_page_says_so_to_the_script(client, roll, settings):
    settings.SIAGA_MAP_TILE_URL = ""
    config = _map_config(_page(client, roll.analyst).content.decode())
    assert config["tileUrl"] == ""
    assert config["endpoint"] == ENDPOINT


def test_leadership_sees_the_map_with_counts_only(client, roll, tiles):
    response = _page(client, roll.leader)
    assert response.status_code == 200
    html = response.content.decode()
    config = _map_config(html)
    assert config["endpoint"] == ENDPOINT and config["tileUrl"] == TILE_URL
    assert config["queueUrl"] == "", "no link into the queue for readers of counts"
    for voter in (roll.siti, roll.siti_copy, roll.rudi):
        assert voter.name not in html
        assert voter.nik not in html and mask_nik(voter.nik) not in html


def test_field_monitor_gets_404_for_the_page_and_the_layer(client, roll):
    assert _page(client, roll.monitor).status_code == 404
    assert client.get(ENDPOINT).status_code == 404


def test_anonymous_visitor_is_sent_to_log_in_and_the_layer_refuses(client, roll):
    response = client.get(reverse("voters:review_summary"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.get(ENDPOINT).status_code in (401, 403)


def test_page_query_count_stays_flat(client, roll, django_assert_max_num_queries):
    client.force_login(roll.analyst)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("voters:review_summary")).status_code == 200


# --- the layer the script draws ---------------------------------------------------------------


def _expected(user) -> dict[int, dict[str, int]]:
    """Per TPS with a position: distinct K1/K3 pairs confirmed and suspected, counted from the
    stored pairs (each side in the user's scope counts at its own TPS, once per pair)."""
    from siaga.core.permissions import user_scope

    scope = user_scope(user)
    out: dict[int, dict[str, set[int]]] = {}
    for pair in DuplicatePair.objects.filter(klass__in=["K1", "K3"]).select_related(
        "voter_l__tps", "voter_l__desa", "voter_r__tps", "voter_r__desa"
    ):
        for voter in (pair.voter_l, pair.voter_r):
            in_scope = Voter.objects.filter(scope.q("desa__code"), pk=voter.pk).exists()
            if not in_scope or voter.tps.lat is None or pair.status == PairStatus.DISMISSED:
                continue
            row = out.setdefault(voter.tps_id, {"confirmed": set(), "suspected": set()})
            key = "confirmed" if pair.status == PairStatus.CONFIRMED else "suspected"
            row[key].add(pair.pk)
    return {tps: {k: len(v) for k, v in row.items()} for tps, row in out.items()}


def _layer(client, user) -> dict[int, dict]:
    client.force_login(user)
    response = client.get(ENDPOINT)
    assert response.status_code == 200
    return {row["tps_id"]: row for row in response.json()}


def test_layer_rows_match_the_confirmed_and_suspected_pairs_per_tps(client, roll):
    rows = _layer(client, roll.analyst)
    drawn = {
        tps: {"confirmed": r["confirmed"], "suspected": r["suspected"]}
        for tps, r in rows.items()
        if r["confirmed"] or r["suspected"]
    }
    assert drawn == _expected(roll.analyst)
    # Spelled out: Siti's two registrations (two desa) each mark their TPS red, once.
    assert rows[roll.siti.tps_id]["confirmed"] == 1
    assert rows[roll.siti_copy.tps_id]["confirmed"] == 1
    # Rudi's pair is still under review: one amber TPS, the pair counted once, not twice.
    assert rows[roll.rudi.tps_id] == rows[roll.rudi_copy.tps_id]
    assert rows[roll.rudi.tps_id]["suspected"] == 1 and rows[roll.rudi.tps_id]["confirmed"] == 0
    # The K2 data error is not a double registration: its TPS has neither colour.
    k2 = rows[roll.ahmad.tps_id]
    assert k2["data_errors"] == 1 and k2["confirmed"] == 0 and k2["suspected"] == 0
    assert roll.outsider.tps_id not in rows, "Paser is outside the analyst's scope"
    for row in rows.values():
        assert set(row) == {
            "tps_id",
            "name",
            "desa",
            "lat",
            "lon",
            "confirmed",
            "suspected",
            "data_errors",
        }, "counts only: no voter data in the layer"


def test_layer_follows_the_decisions(client, roll):
    context = AuditContext.cli(roll.analyst)
    linkage.pair_confirm(pair=roll.p_rudi, context=context, user=roll.analyst, note="sama")
    siti = linkage.pair_reopen(pair=roll.p_siti, context=context, user=roll.analyst, note="cek")
    linkage.pair_dismiss(pair=siti, context=context, user=roll.analyst, note="beda orang")
    rows = _layer(client, roll.analyst)
    assert rows[roll.rudi.tps_id]["confirmed"] == 1 and rows[roll.rudi.tps_id]["suspected"] == 0
    assert roll.siti.tps_id not in rows, "a dismissed pair leaves the map"
    assert {
        tps: {"confirmed": r["confirmed"], "suspected": r["suspected"]}
        for tps, r in rows.items()
        if r["confirmed"] or r["suspected"]
    } == _expected(roll.analyst)


def test_leadership_layer_is_the_analysts_and_paser_sees_only_paser(client, roll):
    analyst_rows = _layer(client, roll.analyst)
    assert _layer(client, roll.leader) == analyst_rows
    paser = _layer(client, roll.paser_analyst)
    assert set(paser) == {roll.outsider.tps_id, roll.outsider_copy.tps_id}
    assert all(r["confirmed"] == 1 for r in paser.values())
