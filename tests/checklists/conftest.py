"""A checklist world: the small region tree of ``tests.factories.World`` with a deployment
(voting day 27 November 2024), the default templates, users of every kind, a clock the tests
move, and photos made on the spot."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from siaga.accounts.choices import Role
from siaga.checklists.catalogue import checklist_templates_seed
from siaga.checklists.choices import Phase
from siaga.checklists.models import ChecklistTemplate
from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.core.models import Deployment

WITA = ZoneInfo("Asia/Makassar")
VOTING_DAY = dt.date(2024, 11, 27)
CONTEXT = AuditContext(channel="test")


def wita(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WITA)


def set_clock(target: dt.datetime) -> None:
    Deployment.objects.update(clock_offset_seconds=clock.offset_for(target))
    clock.clear_cache()


def jpeg(size=(8, 6), color="navy") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG")
    return buffer.getvalue()


OPENING_ANSWERS = {
    "jam_buka": "07.05",
    "kpps_lengkap": "ya",
    "kpps_hadir": 7,
    "sumpah_kpps": True,
    "kotak_kosong": "Ya",
    "surat_suara_dihitung": "tidak",
    "saksi_hadir": "2",
    "ptps_hadir": True,
    "linmas_hadir": 2,
}

COUNTING_ANSWERS = {
    "jam_tutup": "13:00",
    "hitung_terbuka": True,
    "saksi_menyaksikan": 2,
    "suara_sah_bupati": 250,
    "suara_tidak_sah_bupati": 3,
    "keberatan_saksi": False,
    "c_hasil_ditandatangani": True,
}


class ChecklistWorld:
    def __init__(self, world):
        self.w = world
        self.deployment = Deployment.objects.create(
            regency=world.regency,
            election_name="Pilkada Kutai Timur 2024",
            voting_day=VOTING_DAY,
        )
        checklist_templates_seed(context=CONTEXT)
        self.templates = {t.phase: t for t in ChecklistTemplate.objects.filter(active=True)}
        self.opening = self.templates[Phase.OPENING]
        self.counting = self.templates[Phase.COUNTING]
        self.tps_a1 = world.tps[world.desa_a1.code][0]
        self.tps_a1b = world.tps[world.desa_a1.code][1]
        self.tps_b1 = world.tps[world.desa_b1.code][0]
        self.tps_other = world.tps[world.desa_other.code][0]
        self.admin = world.user(Role.ADMIN, username="admin")
        self.analyst = world.user(Role.ANALYST, username="analyst")
        self.analyst_kec = world.user(Role.ANALYST, scope=[world.kec_a], username="analyst-kec")
        self.leadership = world.user(Role.LEADERSHIP, username="leader")
        self.liaison = world.user(Role.LIAISON, username="polres")
        self.monitor_tps = world.user(
            Role.FIELD_MONITOR, scope=[world.desa_a1], tps=[self.tps_a1], username="monitor-tps"
        )
        self.monitor_desa = world.user(
            Role.FIELD_MONITOR, scope=[world.desa_b1], username="monitor-desa"
        )
        set_clock(wita(2024, 11, 27, 7, 10))


@pytest.fixture
def cw(world):
    return ChecklistWorld(world)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    return tmp_path / "media"
