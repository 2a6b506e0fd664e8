"""GET /api/v1/media/layer: the situation-room map's points of places named by flagged posts.

Posts are stored as rows (as the pipeline leaves them: labels, label_key, region, places) so each
counting rule is tested on its own: what is flagged, where a post counts, what "confirmed" means,
the hours window on the deployment clock, the user's scope and who may read at all.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from siaga.accounts.choices import Role
from siaga.api import api
from siaga.core import clock
from siaga.core.models import Deployment
from siaga.media.choices import ReviewStatus, SourceKind
from siaga.media.models import Debunk, Post, Source
from siaga.wilayah.models import Region

pytestmark = pytest.mark.django_db

URL = "/api/v1/media/layer"
POINTS = {  # places with a map point; desa 64.08.04.1002 has none (drawn at its kecamatan)
    "64.08": (0.9, 117.3),
    "64.08.04": (0.55, 117.55),
    "64.08.04.1001": (0.52, 117.6),
    "64.08.06": (1.1, 116.2),
    "64.08.06.2001": (1.15, 116.25),
}
_numbers = itertools.count(1)


@pytest.fixture
def layer(world):
    for code, (lat, lon) in POINTS.items():
        Region.objects.filter(code=code).update(lat=lat, lon=lon)
    deployment = Deployment.objects.create(
        regency=world.regency, election_name="Pilkada Kutai Timur 2024", voting_day=clock.today()
    )
    source = Source.objects.create(
        name="Perayap uji",
        slug="perayap-uji",
        kind=SourceKind.WEBHOOK,
        platform="x",
        region=world.regency,
    )
    world.deployment, world.source = deployment, source
    return world


def post(world, region: str, labels: list[str], *, hours_ago: float = 1, places=None, **extra):
    """A post as ingestion stores it: naming ``region`` (unless ``places`` says otherwise)."""
    n = next(_numbers)
    return Post.objects.create(
        source=world.source,
        platform="x",
        external_id=f"lapisan-{n}",
        text=f"Unggahan uji nomor {n}",
        posted_at=clock.now() - dt.timedelta(hours=hours_ago),
        scores=dict.fromkeys(labels, 0.9),
        labels=labels,
        label_key="".join(f"|{label}|" for label in labels).replace("||", "|"),
        region_id=region,
        places=[region] if places is None else places,
        **extra,
    )


def layer_of(client, user, **params) -> dict[str, dict]:
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return {p["code"]: p for p in response.json()}


def test_counts_per_place_with_labels_and_confirmed_hoaxes(layer, client):
    debunk = Debunk.objects.create(
        claim="Surat suara sudah dicoblos", verdict="salah", date=dt.date(2024, 11, 20)
    )
    hoax = {"verdict": ReviewStatus.HOAX}
    post(layer, "64.08.04.1001", ["hoaks"], status=ReviewStatus.HOAX, **hoax)
    post(
        layer,
        "64.08.04.1001",
        ["hoaks", "provokasi"],
        status=ReviewStatus.ACTED,
        debunk=debunk,
        **hoax,
    )
    acted_hoax = ["hoaks", "politik"]
    post(layer, "64.08.04.1001", acted_hoax, status=ReviewStatus.DONE, **hoax)
    post(
        layer,
        "64.08.04.1001",
        ["provokasi"],
        status=ReviewStatus.ACTED,
        verdict=ReviewStatus.UNVERIFIABLE,
    )  # acted on as provocation: not a confirmed hoax
    post(
        layer,
        "64.08.04.1001",
        ["hoaks"],
        status=ReviewStatus.NOT_HOAX,
        verdict=ReviewStatus.NOT_HOAX,
    )
    post(layer, "64.08.04.1001", ["sara", "ujaran_kebencian"])
    post(layer, "64.08.04.1001", ["politik"])  # politik alone is not flagged
    post(layer, "64.08.04.1001", [])  # nothing found
    post(layer, "64.08", ["hoaks"], places=[])  # names no place: only its source's region
    post(layer, "64.08", ["hoaks"])  # names only the regency: about all of it, not a point
    post(layer, "64.08.06", ["kasar"])

    points = layer_of(client, layer.user(Role.LEADERSHIP))

    assert set(points) == {"64.08.04.1001", "64.08.06"}
    desa = points["64.08.04.1001"]
    assert desa["name"] == "Singa Gembara" and (desa["lat"], desa["lon"]) == (0.52, 117.6)
    assert desa["posts"] == 6
    assert (desa["hoaks"], desa["provokasi"], desa["sara"], desa["ujaran_kebencian"]) == (
        4,
        2,
        1,
        1,
    )
    assert desa["confirmed"] == 3  # verdict hoaks: under review, acted on, closed
    assert desa["url"] == "/medsos/?region=64.08.04.1001&status=semua"
    busang = points["64.08.06"]
    assert (busang["posts"], busang["kasar"], busang["hoaks"], busang["confirmed"]) == (1, 1, 0, 0)
    assert list(points) == ["64.08.04.1001", "64.08.06"]  # the busiest place first


def test_a_desa_without_a_point_is_drawn_at_its_kecamatan(layer, client):
    post(layer, "64.08.04.1002", ["hoaks"])  # Sangatta Utara desa: no coordinates
    post(layer, "64.08.04", ["provokasi"])
    Region.objects.filter(code="64.08.06").update(lat=None, lon=None)
    post(layer, "64.08.06", ["hoaks"])  # a kecamatan without a point is left off

    points = layer_of(client, layer.user(Role.ANALYST))

    assert set(points) == {"64.08.04"}
    kecamatan = points["64.08.04"]
    assert (kecamatan["lat"], kecamatan["lon"]) == POINTS["64.08.04"]
    assert (kecamatan["posts"], kecamatan["hoaks"], kecamatan["provokasi"]) == (2, 1, 1)


def test_a_user_sees_only_the_places_of_their_scope(layer, client):
    post(layer, "64.08.04.1001", ["hoaks"])
    post(layer, "64.08.04", ["provokasi"])
    post(layer, "64.08.06.2001", ["sara"])
    post(layer, "64.08.06", ["hoaks"])

    busang_only = layer.user(Role.LIAISON, scope=[layer.kec_b])
    assert set(layer_of(client, busang_only)) == {"64.08.06", "64.08.06.2001"}
    everyone = layer.user(Role.ANALYST)
    assert set(layer_of(client, everyone)) == {
        "64.08.04",
        "64.08.04.1001",
        "64.08.06",
        "64.08.06.2001",
    }
    # ?region= narrows to a place and its desa, never beyond the scope
    assert set(layer_of(client, everyone, region="64.08.06")) == {"64.08.06", "64.08.06.2001"}
    assert layer_of(client, busang_only, region="64.08.04") == {}


def test_the_window_counts_hours_back_from_the_deployment_clock(layer, client):
    post(layer, "64.08.04.1001", ["hoaks"], hours_ago=2)
    post(layer, "64.08.04.1001", ["hoaks"], hours_ago=30)
    analyst = layer.user(Role.ANALYST)

    assert layer_of(client, analyst)["64.08.04.1001"]["posts"] == 1  # default: 24 hours
    assert layer_of(client, analyst, hours=48)["64.08.04.1001"]["posts"] == 2
    assert layer_of(client, analyst, hours=1) == {}

    # The deployment's clock moves a day on: both posts are now older than 24 hours.
    layer.deployment.clock_offset_seconds = 24 * 3600
    layer.deployment.save(update_fields=["clock_offset_seconds"])
    clock.clear_cache()
    assert layer_of(client, analyst) == {}
    assert layer_of(client, analyst, hours=30)["64.08.04.1001"]["posts"] == 1


def test_field_monitors_and_strangers_get_nothing(layer, client):
    post(layer, "64.08.04.1001", ["hoaks"])
    monitor = layer.user(Role.FIELD_MONITOR, tps=[layer.tps["64.08.04.1001"][0]])
    client.force_login(monitor)
    assert client.get(URL).status_code == 404
    client.logout()
    assert client.get(URL).status_code == 401


def test_the_layer_router_shares_the_media_prefix_with_the_main_router():
    paths = api.get_openapi_schema()["paths"]
    assert "/api/v1/media/layer" in paths
    assert "/api/v1/media/posts" in paths and "/api/v1/media/posts/{pk}" in paths
