"""Loading the demo into the database: counts, idempotence, the clock, accounts, boundaries.

Regions are loaded for Kutai Timur only (``national_regions=False``) to keep the tests fast;
the command itself loads all of Indonesia.
"""

import datetime as dt
import json
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from shapely.geometry import Point, shape

from siaga.accounts.choices import Role
from siaga.accounts.models import Agency, User
from siaga.core import clock
from siaga.core.audit import AuditContext, audit_verify
from siaga.core.calendar import calendar_state
from siaga.core.models import AuditEvent, Deployment
from siaga.core.permissions import user_scope
from siaga.demo import kutai_timur as facts
from siaga.demo.services import DEMO_PASSWORD, demo_load
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region, Tps
from siaga.wilayah.reference import regions_load_reference

SHARED = Path(settings.BASE_DIR).parent / "shared" / "data" / "wilayah"
CONTEXT = AuditContext.cli()


@pytest.fixture(autouse=True)
def _needs_code_list():
    if not (Path(settings.SIAGA_WILAYAH_DATA_DIR) / "villages.csv").exists():
        pytest.skip("idn-area-data is not installed; run `make install`")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 costs about 0.3 s a hash here and the demo hashes six passwords per load; the
    # behaviour under test (set once, log in with it, unchanged on a second run) is the same.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _load():
    return demo_load(context=CONTEXT, national_regions=False, media=False)


def _state() -> dict:
    """Everything the demo writes, in a comparable form."""
    return {
        "regions": list(Region.objects.order_by("code").values_list("code", "name", "lat", "lon")),
        "tps": list(
            Tps.objects.order_by("desa_id", "number").values_list(
                "pk", "desa_id", "number", "address", "lat", "lon", "dpt_male", "dpt_female",
                "special_location",
            )
        ),
        "agencies": list(Agency.objects.order_by("code").values_list("pk", "code", "name", "kind")),
        "users": [
            # An unusable password is a fresh random marker whenever it is set; compare usability.
            (u.pk, u.username, u.role, u.agency_id,
             u.password if u.has_usable_password() else "unusable",
             sorted(u.scope_regions.values_list("code", flat=True)),
             sorted(u.assigned_tps.values_list("pk", flat=True)))
            for u in User.objects.order_by("username")
        ],
        "deployments": list(
            Deployment.objects.values_list("pk", "regency_id", "election_name", "voting_day")
        ),
    }  # fmt: skip


def test_the_demo_fills_kutai_timur_with_701_tps_and_297994_voters(db):
    summary = _load()
    under = Region.objects.filter(code__startswith="64.08.")
    assert under.filter(level=Level.DISTRICT).count() == 18
    assert under.filter(level=Level.VILLAGE).count() == 141
    assert Tps.objects.count() == 701
    assert sum(t.dpt_total for t in Tps.objects.all()) == 297_994
    assert (summary.kecamatan, summary.desa, summary.tps) == (18, 141, 701)
    assert (summary.dpt, summary.dpt_male, summary.dpt_female) == (297_994, 160_805, 137_189)
    assert summary.tps_created == 701 and summary.tps_updated == 0
    assert not Tps.objects.filter(dpt_male__gt=600).exists()
    assert max(t.dpt_total for t in Tps.objects.all()) <= 600
    assert not Region.objects.filter(level=Level.VILLAGE, tps_set__isnull=True).exists()
    deployment = Deployment.objects.get()
    assert deployment.regency_id == "64.08"
    assert deployment.election_name == "Pilkada Serentak 2024 — Kabupaten Kutai Timur"
    assert deployment.voting_day == dt.date(2024, 11, 27)
    kinds = set(Agency.objects.values_list("kind", flat=True))
    assert kinds >= {"pemda", "polri", "tni", "kpu", "bawaslu", "kejaksaan", "kominfo"}
    assert kinds >= {"intelijen"}
    assert Agency.objects.get(code="kodim").name.startswith("Kodim 0909")
    # Every region under the regency has a map point.
    assert not Region.objects.filter(code__startswith="64.08", lat__isnull=True).exists()
    assert audit_verify().ok


def test_a_second_run_changes_nothing_and_duplicates_nothing(db):
    _load()
    before, events = _state(), AuditEvent.objects.count()
    summary = _load()
    assert _state() == before
    assert summary.tps_created == summary.tps_updated == summary.region_points_set == 0
    assert summary.regions_created == summary.regions_updated == 0
    # One event per run, for the clock it puts back to H-3.
    new = list(AuditEvent.objects.filter(seq__gt=events))
    assert [e.action for e in new] == ["demo.load"]
    assert new[0].after["tps_created"] == new[0].after["tps_updated"] == 0
    assert audit_verify().ok


def test_the_clock_plays_10_wita_on_h_minus_3_in_the_quiet_period(db):
    summary = _load()
    clock.clear_cache()
    target = dt.datetime(2024, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Makassar"))
    assert abs((clock.now() - target).total_seconds()) < 60
    assert abs((summary.clock_now - target).total_seconds()) < 60
    assert clock.today() == dt.date(2024, 11, 24)
    state = calendar_state(today=clock.today(), voting_day=Deployment.objects.get().voting_day)
    assert state.phase.code == "masa_tenang"
    assert state.h_label == "H-3"


def test_one_demo_account_per_role_with_its_scope_logs_in_with_the_printed_password(db):
    summary = _load()
    assert {a.role for a in summary.accounts} == set(Role.values)
    request = RequestFactory().post("/akun/masuk/")
    for account in summary.accounts:
        user = User.objects.get(username=account.username)
        assert user.role == account.role
        if account.role == Role.MACHINE:
            assert account.password is None and not user.has_usable_password()
            continue
        assert account.password == DEMO_PASSWORD
        logged_in = authenticate(request, username=account.username, password=account.password)
        assert logged_in == user
    scopes = {
        u.username: sorted(u.scope_regions.values_list("code", flat=True))
        for u in User.objects.all()
    }
    assert scopes["admin"] == scopes["analis"] == scopes["pimpinan"] == ["64.08"]
    assert scopes["polres"] == ["64.08"]
    assert scopes["polsek.sangatta"] == ["64.08.04"]
    assert scopes["bhabin.sangkima"] == ["64.08.12.2003"]
    monitor = User.objects.get(username="bhabin.sangkima")
    assigned = set(monitor.assigned_tps.values_list("pk", flat=True))
    assert assigned == set(Tps.objects.filter(desa_id="64.08.12.2003").values_list("pk", flat=True))
    assert user_scope(monitor).tps_ids == assigned
    assert User.objects.get(username="admin").agency.code == "kesbangpol"
    assert User.objects.get(username="pimpinan").agency.code == "pemkab"
    assert User.objects.get(username="polres").agency.code == "polres"


def _boundaries(name: str) -> dict[str, dict]:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared boundary files are not on this machine")
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return {f["properties"]["code"]: f["geometry"] for f in features}


def test_with_desa_boundaries_every_tps_falls_inside_its_desa(db):
    geometries = _boundaries("kutai_timur_desa.geojson")
    _load()  # first without boundaries, as on a fresh machine
    for code, geometry in geometries.items():
        Region.objects.filter(code=code).update(boundary=geometry)
    summary = _load()
    assert summary.tps_updated == 701 and summary.tps_created == 0
    assert Tps.objects.count() == 701
    assert sum(t.dpt_total for t in Tps.objects.all()) == 297_994
    polygons = {code: shape(geometry) for code, geometry in geometries.items()}
    outside = [
        f"TPS {t.number:03d} {t.desa_id} at {t.lat},{t.lon}"
        for t in Tps.objects.all()
        if not polygons[t.desa_id].covers(Point(t.lon, t.lat))
    ]
    assert not outside, "TPS outside their desa:\n" + "\n".join(outside)
    for desa in Region.objects.filter(level=Level.VILLAGE, code__startswith="64.08."):
        assert polygons[desa.code].covers(Point(desa.lon, desa.lat)), desa.code
    assert _load().tps_updated == 0  # and with boundaries it is stable too


def test_the_demo_command_migrates_loads_and_prints_the_accounts(db, capsys):
    calls = []
    real = call_command

    def spy(name, *args, **kwargs):
        calls.append(name)
        if name == "serve":
            return None
        return real(name, *args, **kwargs)

    with mock.patch("siaga.demo.management.commands.demo.call_command", side_effect=spy):
        call_command("demo", "--regency-only", "--serve", "--bind", "127.0.0.1:8055")
    out = capsys.readouterr().out
    assert calls == ["migrate", "serve"]
    assert "701 TPS" in out and "297,994" in out and "18 kecamatan" in out
    assert "http://127.0.0.1:8055/" in out
    for account in ("admin", "analis", "pimpinan", "polres", "bhabin.sangkima"):
        assert account in out
    assert DEMO_PASSWORD in out
    assert "siaga users token bot.diskominfo" in out
    assert Region.objects.filter(level=Level.PROVINCE).count() == 1  # only Kalimantan Timur


def test_the_regency_facts_cover_every_kecamatan_of_the_code_list(db):
    regions_load_reference(context=CONTEXT, only="64.08")
    codes = set(Region.objects.filter(level=Level.DISTRICT).values_list("code", flat=True))
    assert codes == set(facts.KECAMATAN)
    villages = set(Region.objects.filter(level=Level.VILLAGE).values_list("code", flat=True))
    assert {k.town_desa for k in facts.KECAMATAN.values()} <= villages
    assert {s.desa_code for s in facts.SPECIAL_TPS} <= villages
