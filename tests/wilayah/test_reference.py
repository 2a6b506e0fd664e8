"""The Kemendagri code list is loaded from the installed idn-area-data package, idempotently."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from siaga.core.audit import AuditContext
from siaga.core.models import AuditEvent
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region, RegionAlias
from siaga.wilayah.names import KNOWN_ALIASES
from siaga.wilayah.reference import regions_load_reference

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reference_data_installed():
    if not (settings.SIAGA_WILAYAH_DATA_DIR / "villages.csv").exists():
        pytest.skip(f"idn-area-data is not installed in {settings.SIAGA_WILAYAH_DATA_DIR}")


def _counts() -> dict[str, int]:
    return {level: Region.objects.filter(level=level).count() for level in Level.values}


def test_load_only_kutai_timur_creates_its_tree_with_real_codes_and_aliases():
    result = regions_load_reference(context=AuditContext.cli(), only="64.08")

    assert _counts() == {"province": 1, "regency": 1, "district": 18, "village": 141}
    assert result.created == 161
    assert Region.objects.get(code="64").name == "Kalimantan Timur"
    assert Region.objects.get(code="64.08").name == "Kabupaten Kutai Timur"
    kombeng = Region.objects.get(code="64.08.08")
    assert kombeng.name == "Kombeng"
    assert kombeng.parent_id == "64.08"
    assert Region.objects.get(code="64.08.08.2006").parent_id == "64.08.08"
    assert set(kombeng.aliases.values_list("name", flat=True)) == {"Kongbeng"}
    expected_aliases = sum(len(names) for names in KNOWN_ALIASES.values())
    assert RegionAlias.objects.count() == expected_aliases == result.aliases
    assert not Region.objects.filter(code__startswith="64.01").exists()
    assert AuditEvent.objects.filter(action="regions.load_reference").count() == 1


def test_second_load_changes_nothing_and_records_no_audit_event():
    regions_load_reference(context=AuditContext.cli(), only="64.08")
    events = AuditEvent.objects.count()

    again = regions_load_reference(context=AuditContext.cli(), only="64.08")

    assert (again.created, again.updated, again.aliases) == (0, 0, 0)
    assert again.unchanged == 161
    assert _counts() == {"province": 1, "regency": 1, "district": 18, "village": 141}
    assert AuditEvent.objects.count() == events


def test_load_updates_a_renamed_region_back_to_the_reference_name():
    regions_load_reference(context=AuditContext.cli(), only="64.08")
    Region.objects.filter(code="64.08.08").update(name="Kongbeng Lama")

    result = regions_load_reference(context=AuditContext.cli(), only="64.08")

    assert result.updated == 1
    assert Region.objects.get(code="64.08.08").name == "Kombeng"


def test_wilayah_load_command_prints_counts():
    out = StringIO()
    call_command("wilayah", "load", "--only", "64.08", stdout=out)

    assert "161 created" in out.getvalue()
    out = StringIO()
    call_command("wilayah", "load", "--only", "64.08", stdout=out)
    assert "0 created, 0 updated, 161 unchanged" in out.getvalue()
