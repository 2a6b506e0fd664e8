"""Submitting a TPS checklist: who may, what is checked, idempotency, corrections, audit."""

from __future__ import annotations

import pytest

from siaga.checklists.catalogue import checklist_templates_seed
from siaga.checklists.choices import Phase
from siaga.checklists.items import ChecklistError
from siaga.checklists.models import ChecklistPhoto, ChecklistSubmission, ChecklistTemplate
from siaga.checklists.services import ChecklistNotFound, checklist_submit, template_save_versioned
from siaga.core.audit import AuditContext, audit_verify
from siaga.core.errors import PermissionDenied
from siaga.core.models import AuditEvent
from tests.checklists.conftest import (
    CONTEXT,
    COUNTING_ANSWERS,
    OPENING_ANSWERS,
    jpeg,
    set_clock,
    wita,
)


def submit(cw, *, user=None, tps=None, template=None, answers=None, key="k-1", **extra):
    user = user or cw.monitor_tps
    return checklist_submit(
        context=AuditContext(actor=user, channel="test"),
        user=user,
        tps_id=(tps or cw.tps_a1).pk,
        template_id=(template or cw.opening).pk,
        answers=OPENING_ANSWERS if answers is None else answers,
        idempotency_key=key,
        **extra,
    )


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


# --- seeding ------------------------------------------------------------------------------------


def test_seeding_creates_the_five_phases_once_and_keeps_an_edited_template(cw):
    assert set(cw.templates) == set(Phase.values)
    assert ChecklistTemplate.objects.count() == 5
    assert AuditEvent.objects.filter(action="checklists.template.seed").count() == 5
    counting_kinds = {i["key"]: i["kind"] for i in cw.counting.items}
    assert counting_kinds["foto_c_hasil"] == "photo"
    assert cw.templates[Phase.H_MINUS_1].day_offset == -1
    cw.opening.title = "Pembukaan TPS (diubah admin)"
    cw.opening.save()
    assert checklist_templates_seed(context=CONTEXT) == []
    assert ChecklistTemplate.objects.count() == 5
    assert ChecklistTemplate.objects.get(pk=cw.opening.pk).title == "Pembukaan TPS (diubah admin)"
    assert AuditEvent.objects.filter(action="checklists.template.seed").count() == 5


# --- the happy path -----------------------------------------------------------------------------


def test_a_field_monitor_submits_the_opening_checklist_of_its_tps(cw):
    submission, created = submit(cw, answered_at=wita(2024, 11, 27, 7, 6))
    assert created
    assert submission.answers == {
        "jam_buka": "07:05",
        "kpps_lengkap": True,
        "kpps_hadir": 7,
        "sumpah_kpps": True,
        "kotak_kosong": True,
        "surat_suara_dihitung": False,
        "saksi_hadir": 2,
        "ptps_hadir": True,
        "linmas_hadir": 2,
    }
    assert not submission.late and submission.channel == "api"
    assert submission.submitted_at.astimezone(wita(2024, 1, 1).tzinfo).hour == 7
    event = AuditEvent.objects.get(action="checklists.submission.create")
    assert event.object_id == str(submission.pk)
    assert event.region_code == cw.tps_a1.desa_id
    assert event.actor_id == cw.monitor_tps.pk
    assert event.after["answers"]["kpps_hadir"] == 7
    assert audit_verify().ok


def test_a_checklist_received_after_its_due_time_is_late(cw):
    set_clock(wita(2024, 11, 27, 7, 45))  # the opening checklist is due 07:30
    submission, _created = submit(cw)
    assert submission.late


def test_the_counting_checklist_keeps_its_photo_cleaned_and_hashed(cw, _media):
    photo = jpeg()
    submission, created = submit(
        cw,
        template=cw.counting,
        answers=COUNTING_ANSWERS,
        photos={"foto_c_hasil": (photo, "IMG_0001.jpg")},
    )
    assert created
    (stored,) = ChecklistPhoto.objects.filter(submission=submission)
    assert stored.item_key == "foto_c_hasil" and stored.content_type == "image/jpeg"
    assert stored.file.name.startswith("checklists/") and "IMG_0001" not in stored.file.name
    content = stored.file.read()
    import hashlib

    assert hashlib.sha256(content).hexdigest() == stored.sha256 and stored.size == len(content)
    event = AuditEvent.objects.get(action="checklists.submission.create")
    assert event.after["photos"] == [
        {"item_key": "foto_c_hasil", "sha256": stored.sha256, "size": stored.size}
    ]


def test_a_tps_may_correct_a_phase_and_every_submission_is_kept(cw):
    first, _ = submit(cw, key="k-1")
    second, created = submit(cw, key="k-2", answers={**OPENING_ANSWERS, "saksi_hadir": 3})
    assert created and first.pk != second.pk
    assert ChecklistSubmission.objects.filter(tps=cw.tps_a1).count() == 2


# --- refusals -----------------------------------------------------------------------------------


def _without(key):
    return {k: v for k, v in OPENING_ANSWERS.items() if k != key}


@pytest.mark.parametrize(
    ("answers", "field", "words"),
    [
        (_without("kpps_lengkap"), "answers.kpps_lengkap", "Anggota KPPS lengkap (7 orang)"),
        ({**OPENING_ANSWERS, "kotak_kosong": ""}, "answers.kotak_kosong", "wajib"),
        ({**OPENING_ANSWERS, "kpps_lengkap": "mungkin"}, "answers.kpps_lengkap", "ya atau tidak"),
        ({**OPENING_ANSWERS, "saksi_hadir": -1}, "answers.saksi_hadir", "negatif"),
        ({**OPENING_ANSWERS, "saksi_hadir": 2.5}, "answers.saksi_hadir", "bilangan bulat"),
        ({**OPENING_ANSWERS, "saksi_hadir": True}, "answers.saksi_hadir", "bilangan bulat"),
        ({**OPENING_ANSWERS, "jam_buka": "25:00"}, "answers.jam_buka", "JJ:MM"),
        ({**OPENING_ANSWERS, "catatan": "x" * 1001}, "answers.catatan", "1000"),
        ({**OPENING_ANSWERS, "cuaca": "cerah"}, "answers.cuaca", "cuaca"),
        (["not", "an", "object"], "answers", "objek JSON"),
    ],
)
def test_a_bad_answer_is_refused_naming_the_item_and_nothing_is_stored(
    cw, _media, answers, field, words
):
    with pytest.raises(ChecklistError) as refused:
        submit(cw, answers=answers)
    assert refused.value.field == field
    assert words in str(refused.value)
    assert not ChecklistSubmission.objects.exists()
    assert not AuditEvent.objects.filter(action="checklists.submission.create").exists()


@pytest.mark.parametrize(
    ("photos", "field", "words"),
    [
        ({}, "photo__foto_c_hasil", "Foto formulir C.Hasil"),
        (
            {"foto_c_hasil": (b"%PDF-1.4 not an image", "c.jpg")},
            "photo__foto_c_hasil",
            "bukan foto",
        ),
        ({"foto_c_hasil": (b"", "c.jpg")}, "photo__foto_c_hasil", "kosong"),
        (
            {"foto_c_hasil": (jpeg(), "c.jpg"), "jam_tutup": (jpeg(), "x.jpg")},
            "photo__jam_tutup",
            "jam_tutup",
        ),
        (
            {"foto_c_hasil": (jpeg(), "c.jpg"), "foto_lain": (jpeg(), "x.jpg")},
            "photo__foto_lain",
            "foto_lain",
        ),
    ],
)
def test_a_bad_or_missing_photo_is_refused_and_no_file_stays_behind(
    cw, _media, photos, field, words
):
    with pytest.raises(ChecklistError) as refused:
        submit(cw, template=cw.counting, answers=COUNTING_ANSWERS, photos=photos)
    assert refused.value.field == field
    assert words in str(refused.value)
    assert not ChecklistSubmission.objects.exists() and not ChecklistPhoto.objects.exists()
    assert stored_files(_media) == []


def test_a_photo_item_answered_in_the_answers_is_refused(cw):
    with pytest.raises(ChecklistError) as refused:
        submit(
            cw,
            template=cw.counting,
            answers={**COUNTING_ANSWERS, "foto_c_hasil": "ada"},
            photos={"foto_c_hasil": (jpeg(), "c.jpg")},
        )
    assert refused.value.field == "answers.foto_c_hasil"


def test_an_old_template_version_is_refused_naming_the_version_in_force(cw):
    submit(cw, key="k-before")  # version 1 answered: a change now makes version 2
    edited = ChecklistTemplate.objects.get(pk=cw.opening.pk)
    edited.title = "Pembukaan TPS (revisi)"
    new, _others = template_save_versioned(context=CONTEXT, template=edited)
    assert new.version == 2
    with pytest.raises(ChecklistError) as refused:
        submit(cw, key="k-after")
    assert refused.value.field == "template"
    assert "versi 1" in str(refused.value) and "versi 2" in str(refused.value)
    assert ChecklistSubmission.objects.count() == 1


def test_an_unknown_template_and_a_bad_key_are_refused(cw):
    with pytest.raises(ChecklistError) as refused:
        checklist_submit(
            context=CONTEXT,
            user=cw.monitor_tps,
            tps_id=cw.tps_a1.pk,
            template_id=999_999,
            answers=OPENING_ANSWERS,
            idempotency_key="k",
        )
    assert refused.value.field == "template"
    for key in ("", " ", "x" * 65):
        with pytest.raises(ChecklistError) as refused:
            submit(cw, key=key)
        assert refused.value.field == "idempotency_key"


def test_answered_at_in_the_future_is_refused(cw):
    with pytest.raises(ChecklistError) as refused:
        submit(cw, answered_at=wita(2024, 11, 27, 9, 0))
    assert refused.value.field == "answered_at"


# --- idempotency --------------------------------------------------------------------------------


def test_the_same_key_again_returns_the_stored_submission(cw):
    first, created = submit(cw)
    again, created_again = submit(cw)
    assert created and not created_again and again.pk == first.pk
    assert ChecklistSubmission.objects.count() == 1
    assert AuditEvent.objects.filter(action="checklists.submission.create").count() == 1


def test_a_replay_still_answers_after_the_template_was_replaced(cw):
    first, _ = submit(cw)
    edited = ChecklistTemplate.objects.get(pk=cw.opening.pk)
    edited.title = "Pembukaan TPS (revisi)"
    template_save_versioned(context=CONTEXT, template=edited)
    again, created = submit(cw)
    assert again.pk == first.pk and not created


def test_a_key_of_another_user_or_with_other_content_is_refused(cw):
    submit(cw, user=cw.monitor_tps, key="shared")
    with pytest.raises(ChecklistError) as refused:
        submit(cw, user=cw.analyst, key="shared")
    assert refused.value.field == "idempotency_key" and "pengguna lain" in str(refused.value)
    with pytest.raises(ChecklistError) as refused:
        submit(cw, key="shared", answers={**OPENING_ANSWERS, "saksi_hadir": 5})
    assert refused.value.field == "idempotency_key" and "isi berbeda" in str(refused.value)
    assert ChecklistSubmission.objects.count() == 1


# --- scope --------------------------------------------------------------------------------------


def test_a_field_monitor_tied_to_one_tps_cannot_submit_for_another(cw):
    for other in (cw.tps_a1b, cw.tps_b1, cw.tps_other):
        with pytest.raises(ChecklistNotFound) as refused:
            submit(cw, tps=other, key=f"k-{other.pk}")
        assert refused.value.field == "tps"
    assert not ChecklistSubmission.objects.exists()


def test_a_field_monitor_of_a_desa_submits_for_any_of_its_tps_only(cw):
    for tps in cw.w.tps[cw.w.desa_b1.code]:
        _s, created = submit(cw, user=cw.monitor_desa, tps=tps, key=f"k-{tps.pk}")
        assert created
    with pytest.raises(ChecklistNotFound):
        submit(cw, user=cw.monitor_desa, tps=cw.tps_a1, key="k-a1")


def test_readers_may_not_submit_and_the_secretariat_may(cw):
    for reader in (cw.liaison, cw.leadership):
        with pytest.raises(PermissionDenied):
            submit(cw, user=reader, key=f"k-{reader.username}")
    with pytest.raises(ChecklistNotFound):  # beyond the scope it is simply not there
        submit(cw, user=cw.liaison, tps=cw.tps_other, key="k-other")
    _s, created = submit(cw, user=cw.analyst, tps=cw.tps_b1, key="k-analyst")
    assert created
    with pytest.raises(ChecklistNotFound):
        submit(cw, user=cw.analyst_kec, tps=cw.tps_b1, key="k-analyst-kec")
