"""KPU classes of a suspected pair (siaga/engines/linkage/classes.py): K1, K2, K3."""

from __future__ import annotations

import datetime as dt

from siaga.engines.linkage.classes import K1, K2, K3, kpu_class, similar_identity

BASE = {
    "nik": "6408045304850007",
    "name": "SITI AMINAH RAHMAWATI",
    "birth_date": "1985-04-13",
    "address": "JL. MELATI NO. 9",
    "rt": "003",
    "rw": "002",
    "region_code": "64.08.04.1001",
}


def rec(**changes):
    return {**BASE, **changes}


def test_same_nik_on_a_family_member_is_k2_a_data_error():
    sister = rec(name="NUR AINI", birth_date="1990-01-02")
    assert kpu_class(BASE, sister) == K2


def test_same_nik_same_birth_date_but_another_name_is_k2():
    assert kpu_class(BASE, rec(name="DEWI LESTARI")) == K2


def test_same_nik_with_a_name_typo_or_a_title_is_one_person_not_k2():
    assert kpu_class(BASE, rec(name="SITI AMINAH RAHMAWTI")) == K3
    assert kpu_class(BASE, rec(name="Hj. Siti Aminah Rahmawati, S.Pd.")) == K3
    assert kpu_class(BASE, rec(name="SITI AMINAH")) == K3  # a word dropped
    short = rec(name="ZEDA")
    assert kpu_class(short, rec(name="ZDEA")) == K3  # a transposition in a short name
    assert kpu_class(short, rec(name="RINA")) == K2


def test_same_nik_with_a_birth_date_typo_is_one_person_not_k2():
    assert kpu_class(BASE, rec(birth_date="13-04-1985")) == K3  # another format, same date
    assert kpu_class(BASE, rec(birth_date="1985-03-13")) == K3  # one digit
    assert kpu_class(BASE, rec(birth_date="1985-06-13")) == K3  # the month mistyped
    other = rec(name="SITI AMINA RAHMAWATI", birth_date="1975-08-13")
    assert kpu_class(BASE, other) == K2  # two fields of the date and the name: another person


def test_identical_identity_at_another_address_is_k1():
    moved = rec(nik="6408045304850008", address="JL. MAWAR NO. 1", region_code="64.08.05.2001")
    assert kpu_class(BASE, moved) == K1
    assert kpu_class(BASE, rec(rt="004")) == K1
    # Titles and spelling do not make another identity.
    assert kpu_class(BASE, rec(name="Hj. Siti Aminah Rahmawati", rw="009")) == K1


def test_similar_identity_elsewhere_is_k3():
    assert kpu_class(BASE, rec(nik="6408045304850070", name="SITI AMINA RAHMAWATI")) == K3


def test_similar_identity_accepts_dates_and_text():
    assert similar_identity(rec(birth_date=dt.date(1985, 4, 13)), BASE)
    assert not similar_identity(rec(name="BUDI SANTOSO"), BASE)
    assert not similar_identity(rec(name=""), BASE)
