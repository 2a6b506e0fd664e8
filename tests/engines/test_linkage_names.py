"""Indonesian name normalisation for voter-roll linkage (pure: no database)."""

from __future__ import annotations

import random

import pytest

from siaga.engines.linkage.names import (
    first_last,
    given_name,
    name_key,
    name_tokens,
    normalise_name,
    phonetic_key,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # case, accents, punctuation, spaces
        ("  siti   aminah ", "SITI AMINAH"),
        ("José Rizal", "JOSE RIZAL"),
        ("Nur-Hasanah", "NUR HASANAH"),
        ("Budi_Santoso 2", "BUDI SANTOSO"),
        ("Ma'ruf Amin", "MARUF AMIN"),
        ("Syafi\u2019i", "SYAFII"),
        ("", ""),
        ("  ., ", ""),
        # titles, wherever they stand, with or without dots
        ("Hj. Siti Nurhaliza, S.Pd.", "SITI NURHALIZA"),
        ("H. Supardi", "SUPARDI"),
        ("HAJI SUPARDI", "SUPARDI"),
        ("Hajjah Rohani", "ROHANI"),
        ("Drs. H. Moch. Djamaludin", "MUHAMMAD JAMALUDIN"),
        ("Dra Sri Wahyuni", "SRI WAHYUNI"),
        ("Prof.Dr.Ir.H.Bambang Sutrisno", "BAMBANG SUTRISNO"),
        ("KH. Ma'ruf Amin", "MARUF AMIN"),
        ("Ustadz Abdul Somad, Lc., M.A.", "ABDUL SOMAD"),
        ("Ust. Adi Hidayat", "ADI HIDAYAT"),
        ("drg. Ratna Sari", "RATNA SARI"),
        ("Ns. Dewi Lestari, S.Kep.", "DEWI LESTARI"),
        ("Siti Hj. Aminah", "SITI AMINAH"),
        ("HADJI DJAMAL", "JAMAL"),
        # degrees with or without dots and spaces
        ("Siti Aminah, S.Pd.", "SITI AMINAH"),
        ("Siti Aminah S. Pd", "SITI AMINAH"),
        ("Siti Aminah SPd", "SITI AMINAH"),
        ("Siti Aminah, S.Pd.I", "SITI AMINAH"),
        ("Siti Aminah S.Pd.I.", "SITI AMINAH"),
        ("Siti Aminah S. Pd. I", "SITI AMINAH"),
        ("Ahmad Fauzi, S.Pd.I, M.Pd", "AHMAD FAUZI"),
        ("Susanto, S.H.", "SUSANTO"),
        ("Susanto SH", "SUSANTO"),
        ("Sri Mulyani, S.E., M.M.", "SRI MULYANI"),
        ("Rudi Hartono, S.T.", "RUDI HARTONO"),
        ("Andi Saputra, S.Kom., M.Kom.", "ANDI SAPUTRA"),
        ("Wayan Sudirta S.Sos", "WAYAN SUDIRTA"),
        ("Lukman Hakim, S.Ag.", "LUKMAN HAKIM"),
        ("dr. Rina Wati, S.Ked", "RINA WATI"),
        ("Yusuf, M.Si.", "YUSUF"),
        ("Hendra, S.H., M.H.", "HENDRA"),
        ("Fitri Handayani, S.IP.", "FITRI HANDAYANI"),
        ("Eka Putri, A.Md.", "EKA PUTRI"),
        ("Eka Putri AMD", "EKA PUTRI"),
        ("Eka Putri, A.Md.Kep.", "EKA PUTRI"),
        ("Rahmawati, S.Farm., Apt.", "RAHMAWATI"),
        ("Nurul Huda S.Kep. Ns.", "NURUL HUDA"),
        ("Agus Salim SST", "AGUS SALIM"),
        ("Siti Rahma, S.Pd. binti Ahmad", "SITI RAHMA BINTI AHMAD"),
        # Muhammad and its abbreviations
        ("Muhamad Rizki", "MUHAMMAD RIZKI"),
        ("Muhammed Rizki", "MUHAMMAD RIZKI"),
        ("Mohammad Rizki", "MUHAMMAD RIZKI"),
        ("Mohamad Rizki", "MUHAMMAD RIZKI"),
        ("Mohammed Rizki", "MUHAMMAD RIZKI"),
        ("Mochammad Rizki", "MUHAMMAD RIZKI"),
        ("Mochamad Rizki", "MUHAMMAD RIZKI"),
        ("Muhammat Rizki", "MUHAMMAD RIZKI"),
        ("Muhamat Rizki", "MUHAMMAD RIZKI"),
        ("Moh. Rizki", "MUHAMMAD RIZKI"),
        ("Moch. Rizki", "MUHAMMAD RIZKI"),
        ("Muh. Rizki", "MUHAMMAD RIZKI"),
        ("Mhd. Rizki", "MUHAMMAD RIZKI"),
        ("M. Rizki", "MUHAMMAD RIZKI"),
        ("M Rizki", "MUHAMMAD RIZKI"),
        ("Moehammad Rizki", "MUHAMMAD RIZKI"),
        ("Rizki M", "RIZKI M"),  # a closing M is another name's initial
        ("Prof. Dr. H. M. Amien Rais, M.A.", "MUHAMMAD AMIEN RAIS"),
        # Siti
        ("St. Aminah", "SITI AMINAH"),
        ("ST AMINAH", "SITI AMINAH"),
        ("Nur St Aminah", "NUR SITI AMINAH"),
        ("Sitti Rahmah", "SITI RAHMAH"),
        ("Aminah ST", "AMINAH"),  # the S.T. degree without dots
        # old spellings
        ("Tjitra", "CITRA"),
        ("Soekarno", "SUKARNO"),
        ("Achmad", "AKHMAD"),
        ("Djoko Tjahjono", "JOKO CAHYONO"),
        ("Soejono", "SUYONO"),
        ("Soedjono", "SUJONO"),
        ("Soehardjo", "SUHARJO"),
        ("Sjahrir", "SYAHRIR"),
        ("Njoman Soenjoto", "NYOMAN SUNYOTO"),
        ("Chairul Tanjung", "KHAIRUL TANJUNG"),
        ("Pandji", "PANJI"),
        # modern spellings that look old are left alone
        ("Panji Anjar Sanjaya", "PANJI ANJAR SANJAYA"),
        ("Sujono", "SUJONO"),
        ("I Nyoman Sudarsana", "I NYOMAN SUDARSANA"),
        # bin / binti
        ("Nur Aini bt Ahmad", "NUR AINI BINTI AHMAD"),
        ("Nur Aini bte. Ahmad", "NUR AINI BINTI AHMAD"),
        ("Ahmad bin Saleh", "AHMAD BIN SALEH"),
        ("Abd. Rahman", "ABDUL RAHMAN"),
        # degrees are not taken from the start of a name
        ("M.H. Thamrin", "MUHAMMAD THAMRIN"),
        ("SE Rahayu", "SE RAHAYU"),
        # a name made only of titles is kept
        ("Haji", "HAJI"),
        # names that look like degrees are not eaten
        ("Lie Shi", "LIE SHI"),
        ("Tan Meng", "TAN MENG"),
        ("Raden Mas Said", "RADEN MAS SAID"),
    ],
)
def test_normalise_name(raw, expected):
    assert normalise_name(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "Drs. H. Moch. Djamaludin",
        "Hj. Siti Nurhaliza, S.Pd.",
        "Soejono bin Tjiptoadi",
        "Aminah ST",
        "Rizki M",
        "Haji",
        "Nur Aini bt Ahmad",
        "M. Ali",
    ],
)
def test_normalise_name_is_idempotent(raw):
    once = normalise_name(raw)
    assert normalise_name(once) == once


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hj. Siti Nurhaliza, S.Pd.", "SITI NUR HALIZA"),
        ("Nurhasanah", "Nur Hasanah"),
        ("Abdurrahman", "Abdul Rahman"),
        ("Abdurrahman", "Abd. Rahman"),
        ("Abdurahman", "Abdul Rahman"),
        ("Abdur Rohman", "Abdul Rohman"),
        ("Abdussalam", "Abdul Salam"),
        ("Abdunnasir", "Abdul Nasir"),
        ("Moch. Syaifuddin", "Muhammad Syaifud Din"),
        ("Sri Rahayu Ningsih", "Sri Rahayuningsih"),
        ("Drs. H. Moch. Djamaludin", "MUHAMMAD JAMALUDIN"),
    ],
)
def test_name_key_merges_spacing_and_assimilation(a, b):
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Dewi", "Dewa"),
        ("Rizki", "Rizka"),
        ("Putri", "Putra"),
        ("Abdullah", "Abdul Lah Ahmad"),
        ("Ahmad bin Saleh", "Ahmad"),  # the patronymic counts in the key
        ("Siti Aminah", "Siti Amina"),  # the key is exact up to spacing
        ("Chandra", "Candra"),  # CH->KH is applied everywhere; it does not recover C
        ("Abdul Rahman", "Abdul Rahim"),
    ],
)
def test_name_key_keeps_different_names_apart(a, b):
    assert name_key(a) != name_key(b)


def test_name_key_accepts_normalised_input():
    assert name_key("ABDURRAHMAN") == name_key(normalise_name("Abdurrahman")) == "ABDULRAHMAN"


@pytest.mark.parametrize(
    ("normalised", "given", "first", "last"),
    [
        ("AHMAD FAUZI BIN ABDULLAH", "AHMAD FAUZI", "AHMAD", "FAUZI"),
        ("NUR AINI BINTI AHMAD", "NUR AINI", "NUR", "AINI"),
        ("SUPARDI", "SUPARDI", "SUPARDI", "SUPARDI"),
        ("MUHAMMAD RIZKI PRATAMA", "MUHAMMAD RIZKI PRATAMA", "MUHAMMAD", "PRATAMA"),
        ("BINTANG BIN SALEH", "BINTANG", "BINTANG", "BINTANG"),
        ("BIN LADEN", "BIN LADEN", "BIN", "LADEN"),  # a leading BIN is a name
        ("SITI BT AMINAH", "SITI", "SITI", "SITI"),  # tolerant of raw abbreviations
        ("", "", "", ""),
    ],
)
def test_given_name_and_first_last(normalised, given, first, last):
    assert given_name(normalised) == given
    assert first_last(normalised) == (first, last)


def test_name_tokens():
    assert name_tokens("SITI NUR HALIZA") == ["SITI", "NUR", "HALIZA"]
    assert name_tokens("") == []


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("AHMAD", "AKHMAD"),
        ("AHMAD", normalise_name("Achmad")),
        ("RAHMAT", normalise_name("Rachmat")),
        ("FITRI", "PITRI"),
        ("ARIF", "ARIP"),
        ("SYAMSUL", "SAMSUL"),
        ("FATIMAH", "FATIMA"),
        ("ZAENAL ARIFIN", "ZAINAL ARIFIN"),
        ("RIZKY", "RIZKI"),
        ("DEDY", "DEDI"),
        ("HASANNAH", "HASANAH"),
        ("ABDULLAH", "ABDULAH"),
        ("RIDHO", "RIDO"),
        ("BUDHI", "BUDI"),
        ("DZULKIFLI", "ZULKIFLI"),
        ("ISHAQ", "ISHAK"),
        ("KHAIRUL", "HAIRUL"),
        ("NUR HASANAH", "NURHASANAH"),
        ("ABDURRAHMAN", "ABDUL RAHMAN"),
    ],
)
def test_phonetic_key_merges_spelling_variants(a, b):
    assert phonetic_key(a) == phonetic_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("DEWI", "DEWA"),
        ("RIZKI", "RIZKA"),
        ("PUTRI", "PUTRA"),
        ("BUDI", "BADU"),
        ("ZAKI", "JAKI"),  # Z and J are not merged
        ("SITI", "SETI"),
        ("ANTO", "ANTON"),
        ("CANDRA", "KANDRA"),  # C and K are not merged
        ("EKO", "EKA"),
    ],
)
def test_phonetic_key_keeps_vowels_and_conservative_pairs_apart(a, b):
    assert phonetic_key(a) != phonetic_key(b)


def test_phonetic_key_examples():
    assert phonetic_key("MUHAMMAD RIZKY") == "MUHAMADRIZKI"
    assert phonetic_key("SYAIFUL") == phonetic_key("SAIPUL") == "SAIPUL"
    assert phonetic_key("") == ""


FIRST = ["Siti", "Muhammad", "Nur", "Dewi", "Agus", "Rizki", "Ahmad", "Sri", "Budi", "Putri"]
LAST = ["Aminah", "Santoso", "Hasanah", "Wahyuni", "Saputra", "Lestari", "Hidayat", "Rahman"]
PREFIX = ["", "", "", "H. ", "Hj. ", "Drs. ", "Moch. ", "St. ", "Ir. H. "]
SUFFIX = ["", "", "", ", S.Pd.", " S.H.", ", S.E., M.M.", " SPd.I", " bin Djamal", " bt Soekarno"]


def test_normalise_name_runs_on_100k_generated_names():
    rng = random.Random(3)
    names = [
        f"{rng.choice(PREFIX)}{rng.choice(FIRST)} {rng.choice(LAST)}{rng.choice(SUFFIX)}"
        for _ in range(100_000)
    ]
    out = [normalise_name(n) for n in names]
    assert len(out) == 100_000
    assert all(o and o == o.upper() and "  " not in o and "." not in o for o in out)
    keys = {phonetic_key(o) for o in out}
    assert len(keys) < len(set(names))  # variants collapse
