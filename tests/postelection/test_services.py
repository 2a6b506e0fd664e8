"""Writes of the watch after the vote: audited, validated with clear messages, idempotent
seeds, and readiness ticked only by the agency itself or the secretariat."""

from __future__ import annotations

import datetime as dt

import pytest

from siaga.core.errors import PermissionDenied
from siaga.core.models import AuditEvent
from siaga.postelection import services
from siaga.postelection.choices import GatheringStatus, Permit, RevoteStatus, WatchKind
from siaga.postelection.models import Gathering, ReadinessItem, Revote, WatchPoint
from siaga.postelection.readiness import DEFAULT_ITEMS
from tests.postelection.conftest import SYSTEM, VOTING_DAY, as_user, audit_count, wita


def _point(pw, user=None, **changes):
    values = dict(
        kind=WatchKind.REKAP_PPK,
        title="Rekapitulasi PPK Sangatta Utara",
        place="Aula kantor camat",
        region=pw.w.kec_a.code,
        starts_at=wita(2024, 11, 28, 8),
        ends_at=wita(2024, 12, 2, 22),
    )
    values.update(changes)
    return services.watchpoint_create(context=as_user(user or pw.analyst), **values)


def _gathering(pw, user=None, **changes):
    values = dict(
        title="Aksi damai di kantor KPU",
        place="Kantor KPU Kutai Timur",
        region=pw.w.kec_a.code,
        planned_at=wita(2024, 12, 4, 9),
        expected_size=300,
        organiser="Aliansi pemuda",
        permit=Permit.DIAJUKAN,
    )
    values.update(changes)
    return services.gathering_create(context=as_user(user or pw.analyst), **values)


def _revote(pw, user=None, **changes):
    values = dict(
        tps=pw.tps_a1.pk,
        ordered_on=dt.date(2024, 11, 30),
        vote_on=dt.date(2024, 12, 3),
        reason="Pemilih tanpa hak memilih memakai hak pilih.",
        ordered_by="Bawaslu / KPU",
    )
    values.update(changes)
    return services.revote_create(context=as_user(user or pw.analyst), **values)


# --- the default calendar -----------------------------------------------------------------------


def test_calendar_seed_puts_a_ppk_recap_in_every_kecamatan_and_the_regency_events(pw):
    created = services.calendar_seed(
        context=as_user(pw.analyst), voting_day=VOTING_DAY, regency=pw.w.regency
    )
    kinds = sorted((p.kind, p.region_id) for p in created)
    assert kinds == [
        (WatchKind.PENETAPAN, "64.08"),
        (WatchKind.REKAP_KPU, "64.08"),
        (WatchKind.REKAP_PPK, "64.08.04"),
        (WatchKind.REKAP_PPK, "64.08.06"),
        (WatchKind.SENGKETA_MK, "64.08"),
    ]
    by_kind = {p.kind: p for p in created}
    assert by_kind[WatchKind.REKAP_KPU].starts_at == wita(2024, 12, 3, 8)
    assert by_kind[WatchKind.REKAP_KPU].ends_at == wita(2024, 12, 5, 22)
    assert by_kind[WatchKind.PENETAPAN].starts_at == wita(2024, 12, 6, 8)
    assert by_kind[WatchKind.SENGKETA_MK].ends_at == wita(2024, 12, 11, 23, 59)
    assert audit_count("postelection.watchpoint.create") == 5


def test_calendar_seed_again_creates_nothing_and_keeps_the_users_edits(pw):
    services.calendar_seed(context=SYSTEM, voting_day=VOTING_DAY, regency="64.08")
    kpu = WatchPoint.objects.get(kind=WatchKind.REKAP_KPU)
    services.watchpoint_update(context=SYSTEM, watchpoint=kpu, place="Hotel Royal Victoria")
    audits = audit_count()

    again = services.calendar_seed(context=SYSTEM, voting_day=VOTING_DAY, regency="64.08")

    assert again == [] and audit_count() == audits
    assert WatchPoint.objects.count() == 5
    assert WatchPoint.objects.get(pk=kpu.pk).place == "Hotel Royal Victoria"


def test_calendar_seed_refuses_a_kecamatan_as_regency(pw):
    with pytest.raises(services.WatchError, match="bukan kabupaten/kota") as error:
        services.calendar_seed(context=SYSTEM, voting_day=VOTING_DAY, regency="64.08.04")
    assert error.value.field == "regency"


def test_calendar_seed_by_a_kecamatan_analyst_is_refused(pw):
    with pytest.raises(services.WatchError, match="di luar wilayah tugas"):
        services.calendar_seed(
            context=as_user(pw.analyst_kec), voting_day=VOTING_DAY, regency="64.08"
        )
    assert WatchPoint.objects.count() == 0


# --- readiness seed -----------------------------------------------------------------------------


def test_readiness_seed_gives_each_agency_its_kinds_items_once(pw):
    created = services.readiness_seed(context=SYSTEM)
    # pemda (Kesbangpol), polri twice (Polres Kutim, Polres Paser), kpu, tni (Koramil)
    expected = sum(len(DEFAULT_ITEMS[k]) for k in ("pemda", "polri", "polri", "kpu", "tni"))
    assert created == expected == 3 + 5 + 5 + 4 + 3
    assert audit_count("postelection.readiness.create") == expected
    texts = list(ReadinessItem.objects.filter(agency=pw.polres).values_list("text", flat=True))
    assert texts[:2] == [
        "Pengamanan rekapitulasi PPK di setiap kecamatan",
        "Pasukan cadangan siaga di Polres",
    ]

    assert services.readiness_seed(context=SYSTEM) == 0
    assert ReadinessItem.objects.count() == expected


def test_readiness_seed_adds_only_what_an_agency_lacks(pw):
    services.readiness_seed(context=SYSTEM)
    ReadinessItem.objects.filter(agency=pw.kpu, seed_key="saksi").delete()
    assert services.readiness_seed(context=SYSTEM) == 1


# --- watch points -------------------------------------------------------------------------------


def test_a_watch_point_is_created_and_audited(pw):
    point = _point(pw)
    last = AuditEvent.objects.order_by("-seq").first()
    assert last.action == "postelection.watchpoint.create"
    assert last.object_id == str(point.pk) and last.region_code == "64.08.04"
    assert last.actor_id == pw.analyst.pk and last.after["title"] == point.title


def test_a_watch_point_ending_before_it_starts_is_refused(pw):
    with pytest.raises(services.WatchError) as error:
        _point(pw, ends_at=wita(2024, 11, 27, 22))
    assert error.value.field == "ends_at"
    assert str(error.value) == "Waktu selesai tidak boleh sebelum waktu mulai."
    assert WatchPoint.objects.count() == 0 and audit_count() == 0


def test_a_ppk_recap_must_sit_in_a_kecamatan(pw):
    with pytest.raises(services.WatchError, match="harus di tingkat kecamatan") as error:
        _point(pw, region="64.08")
    assert error.value.field == "region"


def test_a_time_without_zone_is_refused(pw):
    with pytest.raises(services.WatchError, match="sertakan zona waktu") as error:
        _point(pw, starts_at=dt.datetime(2024, 11, 28, 8))
    assert error.value.field == "starts_at"


def test_an_empty_title_is_refused_by_name(pw):
    with pytest.raises(services.WatchError, match="^Judul wajib diisi.$") as error:
        _point(pw, title="   ")
    assert error.value.field == "title"


def test_a_region_outside_the_scope_reads_as_unknown(pw):
    with pytest.raises(services.WatchError) as error:
        _point(pw, user=pw.analyst_kec, region=pw.w.kec_b.code)
    assert str(error.value) == ("Wilayah “64.08.06” tidak dikenal atau di luar wilayah tugas Anda.")


def test_readers_may_not_add_watch_points(pw):
    with pytest.raises(PermissionDenied):
        _point(pw, user=pw.leadership)
    with pytest.raises(PermissionDenied):
        _point(pw, user=pw.liaison)  # Kesbangpol does not keep the watch
    assert WatchPoint.objects.count() == 0


def test_a_polres_liaison_may_add_watch_points(pw):
    assert _point(pw, user=pw.liaison_polres).pk


def test_updating_a_watch_point_records_before_and_after_and_nothing_when_unchanged(pw):
    point = _point(pw)
    audits = audit_count()
    services.watchpoint_update(context=as_user(pw.analyst), watchpoint=point, title=point.title)
    assert audit_count() == audits
    services.watchpoint_update(
        context=as_user(pw.analyst), watchpoint=point, place="Gedung Serbaguna"
    )
    last = AuditEvent.objects.order_by("-seq").first()
    assert last.action == "postelection.watchpoint.update"
    assert (last.before["place"], last.after["place"]) == ("Aula kantor camat", "Gedung Serbaguna")


def test_an_unknown_field_is_refused_on_update(pw):
    point = _point(pw)
    with pytest.raises(services.WatchError, match="Isian tidak dikenal: colour"):
        services.watchpoint_update(context=SYSTEM, watchpoint=point, colour="red")


def test_a_kecamatan_analyst_may_not_edit_the_regency_plenary(pw):
    services.calendar_seed(context=SYSTEM, voting_day=VOTING_DAY, regency="64.08")
    kpu = WatchPoint.objects.get(kind=WatchKind.REKAP_KPU)
    with pytest.raises(PermissionDenied):
        services.watchpoint_update(context=as_user(pw.analyst_kec), watchpoint=kpu, note="x")


# --- gatherings ---------------------------------------------------------------------------------


def test_a_gathering_is_recorded_with_its_author_and_audited(pw):
    gathering = _gathering(pw)
    assert gathering.created_by == pw.analyst
    assert gathering.status == GatheringStatus.RENCANA
    assert audit_count("postelection.gathering.create") == 1


def test_a_gathering_with_latitude_but_no_longitude_is_refused(pw):
    with pytest.raises(services.WatchError, match="lintang dan bujur bersama-sama") as error:
        _gathering(pw, lat=0.5)
    assert error.value.field == "lon"


def test_a_negative_crowd_is_refused(pw):
    with pytest.raises(services.WatchError, match="Perkiraan jumlah massa") as error:
        _gathering(pw, expected_size=-1)
    assert error.value.field == "expected_size"


def test_an_unknown_permit_names_the_choices(pw):
    with pytest.raises(services.WatchError) as error:
        _gathering(pw, permit="mungkin")
    assert error.value.field == "permit"
    assert "ada, diajukan, tidak_ada" in str(error.value)


def test_a_gathering_update_moves_its_status(pw):
    gathering = _gathering(pw)
    services.gathering_update(
        context=as_user(pw.analyst), gathering=gathering, status=GatheringStatus.BERLANGSUNG
    )
    assert Gathering.objects.get(pk=gathering.pk).status == GatheringStatus.BERLANGSUNG
    assert audit_count("postelection.gathering.update") == 1


# --- re-votes -----------------------------------------------------------------------------------


def test_a_revote_is_recorded_at_the_tps_desa(pw):
    revote = _revote(pw)
    assert revote.status == RevoteStatus.DIPERINTAHKAN
    assert (
        AuditEvent.objects.get(action="postelection.revote.create").region_code == "64.08.04.1001"
    )


def test_a_revote_before_its_order_is_refused(pw):
    with pytest.raises(services.WatchError, match="sebelum tanggal perintah") as error:
        _revote(pw, vote_on=dt.date(2024, 11, 29))
    assert error.value.field == "vote_on"


def test_a_revote_on_voting_day_is_refused(pw):
    with pytest.raises(services.WatchError, match=r"sesudah hari pemungutan suara \(27-11-2024\)"):
        _revote(pw, ordered_on=dt.date(2024, 11, 27), vote_on=dt.date(2024, 11, 27))


def test_a_second_open_revote_at_the_same_tps_is_refused(pw):
    first = _revote(pw)
    with pytest.raises(services.WatchError, match="sudah punya PSU") as error:
        _revote(pw, vote_on=dt.date(2024, 12, 4))
    assert error.value.field == "tps"
    services.revote_update(context=SYSTEM, revote=first, status=RevoteStatus.DILAKSANAKAN)
    assert _revote(pw, vote_on=dt.date(2024, 12, 4)).pk != first.pk
    assert Revote.objects.count() == 2


def test_a_revote_at_a_tps_outside_the_scope_reads_as_unknown(pw):
    with pytest.raises(services.WatchError, match="tidak dikenal atau di luar") as error:
        _revote(pw, user=pw.analyst_kec, tps=pw.tps_b1.pk)
    assert error.value.field == "tps"


# --- readiness ticks ----------------------------------------------------------------------------


@pytest.fixture
def items(pw):
    services.readiness_seed(context=SYSTEM)
    return {
        "polres": ReadinessItem.objects.filter(agency=pw.polres).first(),
        "kpu": ReadinessItem.objects.filter(agency=pw.kpu).first(),
        "kesbangpol": ReadinessItem.objects.filter(agency=pw.kesbangpol).first(),
        "koramil": ReadinessItem.objects.filter(agency=pw.koramil).first(),
    }


def test_a_liaison_ticks_its_own_agencys_item(pw, items):
    item = services.readiness_tick(context=as_user(pw.liaison_polres), item=items["polres"])
    assert item.done and item.done_by == pw.liaison_polres
    # Stamped by the deployment's clock (set to 28 November 10:00 WITA), not the machine's.
    assert abs(item.done_at - wita(2024, 11, 28, 10, 0)) < dt.timedelta(minutes=5)
    assert audit_count("postelection.readiness.tick") == 1


def test_a_liaison_may_not_tick_another_agencys_item_even_with_edit_watch(pw, items):
    with pytest.raises(PermissionDenied, match="KPU Kabupaten Kutai Timur"):
        services.readiness_tick(context=as_user(pw.liaison_polres), item=items["kpu"])
    assert not ReadinessItem.objects.get(pk=items["kpu"].pk).done
    assert audit_count("postelection.readiness.tick") == 0


def test_a_kesbangpol_liaison_ticks_kesbangpols_items_without_edit_watch(pw, items):
    assert services.readiness_tick(context=as_user(pw.liaison), item=items["kesbangpol"]).done
    with pytest.raises(PermissionDenied):
        services.readiness_tick(context=as_user(pw.liaison), item=items["polres"])


def test_the_secretariat_ticks_any_agency_in_its_scope(pw, items):
    assert services.readiness_tick(context=as_user(pw.analyst), item=items["kpu"]).done
    # A kecamatan analyst does not cover the regency's agencies, only those under its kecamatan.
    with pytest.raises(PermissionDenied):
        services.readiness_tick(context=as_user(pw.analyst_kec), item=items["polres"])


def test_leadership_may_not_tick(pw, items):
    with pytest.raises(PermissionDenied):
        services.readiness_tick(context=as_user(pw.leadership), item=items["polres"])


def test_ticking_twice_records_once_and_unticking_clears_who_and_when(pw, items):
    context = as_user(pw.liaison_polres)
    services.readiness_tick(context=context, item=items["polres"])
    services.readiness_tick(context=context, item=items["polres"])
    assert audit_count("postelection.readiness.tick") == 1
    item = services.readiness_untick(context=context, item=items["polres"])
    assert (item.done, item.done_at, item.done_by) == (False, None, None)
    assert audit_count("postelection.readiness.untick") == 1


def test_a_tick_may_carry_a_note(pw, items):
    item = services.readiness_tick(
        context=as_user(pw.liaison_polres), item=items["polres"], note="Dua peleton Dalmas"
    )
    assert ReadinessItem.objects.get(pk=item.pk).note == "Dua peleton Dalmas"


def test_a_readiness_item_is_added_last_and_its_text_is_required(pw, items):
    item = services.readiness_item_create(
        context=as_user(pw.analyst), agency=pw.kpu, text="Genset cadangan di gudang"
    )
    assert item.order == len(DEFAULT_ITEMS["kpu"]) + 1
    with pytest.raises(services.WatchError, match="Butir kesiapan wajib diisi"):
        services.readiness_item_create(context=as_user(pw.analyst), agency=pw.kpu, text="")
