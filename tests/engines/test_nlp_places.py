"""Gazetteer (siaga.engines.nlp.places): real Kutai Timur names from the shared region file,
plus tiny hand-made gazetteers for the cases the real file does not contain."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from siaga.engines.nlp.places import Gazetteer, Mention, Place, is_common_name, name_tokens
from siaga.media import place_aliases
from siaga.media.place_aliases import aliases_for

KUTIM_CSV = Path(__file__).resolve().parents[3] / "shared" / "data" / "wilayah" / "kutai_timur.csv"

SANGATTA_UTARA, SANGATTA_SELATAN = "64.08.04", "64.08.12"


def load_rows() -> list[dict[str, str]]:
    if not KUTIM_CSV.exists():
        pytest.skip(f"shared region file absent ({KUTIM_CSV}); these tests need real names")
    with KUTIM_CSV.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return load_rows()


@pytest.fixture(scope="module")
def by_name(rows) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        out.setdefault(row["name"], []).append(row)
    return out


@pytest.fixture(scope="module")
def kutim(rows) -> Gazetteer:
    places = [Place(r["code"], r["name"], r["level"], r["parent_code"] or None) for r in rows]
    return Gazetteer(places, aliases_for("64.08"))


def code_of(by_name, name: str, level: str) -> str:
    (row,) = [r for r in by_name[name] if r["level"] == level]
    return row["code"]


def only(mentions: list[Mention]) -> Mention:
    assert len(mentions) == 1, mentions
    return mentions[0]


def tiny(*extra: Place, aliases=None) -> Gazetteer:
    """Regency R with kecamatan A and B, each with a desa "Sukamaju" (same name)."""
    base = [
        Place("99.01", "Kabupaten Contoh", "regency", "99"),
        Place("99.01.01", "Alpha Raya", "district", "99.01"),
        Place("99.01.02", "Beta Hulu", "district", "99.01"),
        Place("99.01.01.2001", "Sukamaju", "village", "99.01.01"),
        Place("99.01.02.2001", "Sukamaju", "village", "99.01.02"),
        Place("99.01.02.2002", "Loa Duri", "village", "99.01.02"),
    ]
    return Gazetteer([*base, *extra], aliases)


# ------------------------------------------------------------------ every real name is found


def test_every_distinctive_official_name_is_found_in_a_sentence(rows, kutim):
    checked = 0
    for row in rows:
        tokens = name_tokens(row["name"])
        if is_common_name(tokens):
            continue
        text = f"Kabar dari {row['name']} hari ini, katanya ada politik uang."
        mentions = kutim.find(text)
        hits = [m for m in mentions if row["code"] in m.candidates]
        assert hits, (row["name"], mentions)
        checked += 1
    assert checked > 120  # nearly all of the 160 rows are distinctive


def test_surface_and_offsets_agree(kutim):
    text = "Hoaks! Surat suara di #SangattaUtara & desa Sepaso, Kec. Bengalon (Kutim) 😡"
    mentions = kutim.find(text)
    assert [m.surface for m in mentions] == ["#SangattaUtara", "Sepaso", "Bengalon", "Kutim"]
    for m in mentions:
        assert text[m.start : m.end] == m.surface


# ------------------------------------------------------------------ words, case, boundaries


def test_multi_word_names_any_case(kutim, by_name):
    code = code_of(by_name, "Tepian Langsat", "village")
    for text in ("Tepian Langsat", "tepian langsat", "TEPIAN LANGSAT", "Tepian-Langsat"):
        assert only(kutim.find(f"banjir di {text} kemarin")).code == code


def test_name_inside_another_word_does_not_match(kutim):
    for text in ("Sepasonya", "disangattakan", "Bengalonese", "Kaubun2", "xsangkima"):
        assert kutim.find(f"kata {text} ini") == [], text


def test_a_name_does_not_run_over_punctuation(kutim):
    mention = only(kutim.find("Sudah sampai Sangatta. Utara masih jauh"))
    assert mention.surface == "Sangatta"  # the town alias, not Sangatta Utara
    assert not {SANGATTA_UTARA, SANGATTA_SELATAN} - set(mention.candidates)


def test_links_and_handles_are_not_read(kutim):
    assert kutim.find("cek https://kutimkab.go.id/sangatta-utara dan @kpu_kutim @bengalon") == []


# ------------------------------------------------------------------ hashtags


def test_hashtags_camel_case_joined_and_with_numbers(kutim, by_name):
    bengalon = code_of(by_name, "Bengalon", "district")
    sepaso_timur = code_of(by_name, "Sepaso Timur", "village")
    assert kutim.codes("#SangattaUtara") == [SANGATTA_UTARA]
    assert kutim.codes("#sangattautara") == [SANGATTA_UTARA]
    assert kutim.codes("#SEPASOTIMUR") == [sepaso_timur]
    assert kutim.codes("#Bengalon2024") == [bengalon]
    assert kutim.codes("#KutimBersatu") == ["64.08"]
    assert kutim.codes("#SepasoTimurMemilih") == [sepaso_timur]


def test_hashtag_stops_at_its_end(kutim):
    """A hashtag is self-contained: "#Sangatta Utara" is the town tag, then a plain word."""
    mention = only(kutim.find("#Sangatta Utara"))
    assert mention.surface == "#Sangatta"


# ------------------------------------------------------------------ longest match, overlaps


@pytest.mark.parametrize(
    ("text", "name", "level"),
    [
        ("Muara Bengalon", "Muara Bengalon", "village"),  # not kecamatan Bengalon
        ("Sepaso Timur", "Sepaso Timur", "village"),  # not desa Sepaso
        ("Benua Baru Ilir", "Benua Baru Ilir", "village"),  # not desa Benua Baru
        ("Batu Timbau Ulu", "Batu Timbau Ulu", "village"),
        ("Wahau Baru", "Wahau Baru", "village"),  # not the alias Wahau
        ("Pengadan Baru", "Pengadan Baru", "village"),  # Kaubun, not desa Pengadan (Karangan)
        ("Citra Manunggal Jaya", "Citra Manunggal Jaya", "village"),  # not Manunggal Jaya
        ("Karangan Dalam", "Karangan Dalam", "village"),
    ],
)
def test_longest_match_wins(kutim, by_name, text, name, level):
    mention = only(kutim.find(f"desa {text} ramai"))
    assert mention.code == code_of(by_name, name, level)
    assert mention.surface == text


def test_overlapping_candidates_keep_the_longer_one():
    gazetteer = tiny(
        Place("99.01.01.2002", "Loa Janan", "village", "99.01.01"),
        Place("99.01.01.2003", "Janan Ilir Baru", "village", "99.01.01"),
    )
    mentions = gazetteer.find("dari Loa Janan Ilir Baru")
    assert [m.surface for m in mentions] == ["Janan Ilir Baru"]
    assert gazetteer.codes("Loa Janan, lalu Janan Ilir Baru") == ["99.01.01.2002", "99.01.01.2003"]


# ------------------------------------------------------------------ ambiguity (real names)


def test_the_real_ambiguous_names_are_kecamatan_with_a_homonymous_desa(by_name):
    shared = {name: sorted(r["level"] for r in rs) for name, rs in by_name.items() if len(rs) > 1}
    assert shared == dict.fromkeys(
        [
            "Muara Wahau",
            "Sangatta Utara",
            "Kaliorang",
            "Sandaran",
            "Sangatta Selatan",
            "Teluk Pandan",
        ],
        ["district", "village"],
    )


@pytest.mark.parametrize(
    "name", ["Muara Wahau", "Sangatta Utara", "Kaliorang", "Sangatta Selatan", "Teluk Pandan"]
)
def test_real_ambiguous_name_alone_resolves_to_the_kecamatan(kutim, by_name, name):
    district = code_of(by_name, name, "district")
    village = code_of(by_name, name, "village")
    mention = only(kutim.find(f"Isu pembagian uang di {name} tadi malam"))
    assert mention.ambiguous
    assert set(mention.candidates) == {district, village}
    assert mention.code == district and mention.level == "district"  # the common ancestor
    assert mention.confidence < 0.6
    assert kutim.codes(f"Isu di {name}") == [district]


@pytest.mark.parametrize(
    "name", ["Muara Wahau", "Sangatta Utara", "Kaliorang", "Sandaran", "Teluk Pandan"]
)
def test_real_ambiguous_name_with_a_prefix(kutim, by_name, name):
    district = code_of(by_name, name, "district")
    village = code_of(by_name, name, "village")
    for prefix in ("desa", "Ds.", "kel."):
        mention = only(kutim.find(f"warga {prefix} {name} resah"))
        assert (mention.code, mention.ambiguous) == (village, False), prefix
    for prefix in ("kecamatan", "Kec."):
        mention = only(kutim.find(f"warga {prefix} {name} resah"))
        assert (mention.code, mention.ambiguous) == (district, False), prefix
    assert kutim.codes(f"Desa {name}, Kecamatan {name}") == [village, district]


def test_real_ambiguous_name_resolved_by_another_mention(kutim, by_name):
    swarga_bara = code_of(by_name, "Swarga Bara", "village")
    mentions = kutim.find("Banjir di Swarga Bara, Sangatta Utara")
    assert [(m.code, m.ambiguous) for m in mentions] == [
        (swarga_bara, False),
        (SANGATTA_UTARA, False),  # the kecamatan that contains Swarga Bara, not the desa
    ]


def test_sangatta_town_alias_spans_two_kecamatan(kutim, by_name):
    for spelling in ("Sangatta", "sangata", "#Sangatta"):
        mention = only(kutim.find(f"Demo di {spelling} hari ini"))
        assert mention.ambiguous
        assert set(mention.candidates) == {SANGATTA_UTARA, SANGATTA_SELATAN}
        assert (mention.code, mention.level) == ("64.08", "regency")
    sangkima = code_of(by_name, "Sangkima", "village")
    assert kutim.codes("Sangatta, tepatnya desa Sangkima") == [sangkima, SANGATTA_SELATAN]
    assert kutim.codes("Sangatta, Teluk Lingga") == [
        code_of(by_name, "Teluk Lingga", "village"),
        SANGATTA_UTARA,
    ]


# ------------------------------------------------------------------ ambiguity (hand-made)


def test_desa_name_in_two_kecamatan_is_ambiguous_without_context():
    gazetteer = tiny()
    mention = only(gazetteer.find("ada hoaks di Sukamaju"))
    assert mention.ambiguous
    assert set(mention.candidates) == {"99.01.01.2001", "99.01.02.2001"}
    assert mention.code == "99.01" and mention.name == "Kabupaten Contoh"
    assert gazetteer.codes("ada hoaks di Sukamaju") == ["99.01"]


def test_desa_name_in_two_kecamatan_resolved_by_its_kecamatan():
    gazetteer = tiny()
    assert gazetteer.codes("Desa Sukamaju, Kecamatan Beta Hulu") == ["99.01.02.2001", "99.01.02"]
    assert gazetteer.codes("Sukamaju (Alpha Raya)") == ["99.01.01.2001", "99.01.01"]
    # a sibling desa also points to the right kecamatan
    mention = gazetteer.find("Sukamaju dekat Loa Duri")[0]
    assert (mention.code, mention.ambiguous) == ("99.01.02.2001", False)


def test_context_that_fits_both_candidates_leaves_the_mention_ambiguous():
    gazetteer = tiny()
    mention = gazetteer.find("Sukamaju, Kabupaten Contoh")[0]
    assert mention.ambiguous and mention.code == "99.01"


# ------------------------------------------------------------------ common-word names


def test_common_word_names_found_in_the_real_file(rows):
    common = {r["name"] for r in rows if is_common_name(name_tokens(r["name"]))}
    assert {"Karangan", "Sandaran", "Saka", "Telaga", "Mata Air", "Suka Damai"} <= common
    assert {"Makmur Jaya", "Tanah Abang", "Bumi Etam", "Karangan Dalam"} <= common
    # a toponym head or a distinctive word keeps a name firing on its own
    assert not {"Bukit Makmur", "Teluk Baru", "Sepaso", "Rantau Sentosa", "Mukti Jaya"} & common


@pytest.mark.parametrize(
    "sentence",
    [
        "Karangan bunga untuk paslon memenuhi jalan",
        "Tulis karangan dalam bahasa Indonesia",
        "Kursi tanpa sandaran di TPS bikin pegal",
        "Pramuka Saka Bhayangkara ikut mengamankan",
        "Warga kesulitan air bersih, mata air mengering",
        "Kami suka damai, jangan terprovokasi",
        "Semoga makmur jaya negeriku",
        "Beli baju kampanye di Tanah Abang",  # "di" is not enough
        "Airnya jernih seperti telaga",
        "Bumi etam tetap aman",
    ],
)
def test_ordinary_sentences_with_common_words_tag_no_place(kutim, sentence):
    assert kutim.find(sentence) == []


def test_every_real_common_name_needs_a_prefix(rows, kutim):
    for row in rows:
        if not is_common_name(name_tokens(row["name"])):
            continue
        name = row["name"]
        assert kutim.find(f"katanya {name.lower()} itu bagus sekali") == [], name
        assert kutim.find(f"ramai di {name} sekarang") == [], name
        assert kutim.find(f"#{name.replace(' ', '')}") == [], name
        prefix = "Kecamatan" if row["level"] == "district" else "Desa"
        mention = only(kutim.find(f"ramai di {prefix} {name} sekarang"))
        assert mention.code == row["code"] and not mention.ambiguous, name


def test_common_name_qualified_by_its_kecamatan(kutim, by_name):
    mata_air = code_of(by_name, "Mata Air", "village")
    kaubun = code_of(by_name, "Kaubun", "district")
    assert kutim.codes("Mata Air, Kaubun") == [mata_air, kaubun]
    assert kutim.codes("#DesaMataAir") == [mata_air]
    # followed by a place that does not contain it: no
    assert kutim.codes("mata air, Bengalon") == [code_of(by_name, "Bengalon", "district")]


# ------------------------------------------------------------------ aliases


def test_aliases(kutim, by_name):
    assert only(kutim.find("Pilkada Kutim damai")).code == "64.08"
    assert kutim.codes("Kabupaten Kutai Timur") == ["64.08"]
    wahau = only(kutim.find("Jalan ke Wahau rusak"))
    assert (wahau.code, wahau.name, wahau.ambiguous) == ("64.08.02", "Muara Wahau", False)
    assert wahau.confidence < only(kutim.find("Bengalon")).confidence  # alias < official
    assert kutim.codes("Sangata Selatan") == [SANGATTA_SELATAN]


def test_alias_module_is_plain_data_and_points_to_real_codes(rows):
    codes = {r["code"] for r in rows}
    aliases = aliases_for("64.08")
    assert aliases and set(aliases) <= codes
    assert aliases_for("11.01") == {}
    source = Path(place_aliases.__file__).read_text(encoding="utf-8")
    assert "import django" not in source and "from django" not in source
    assert "by hand" in source


def test_alias_for_an_unknown_code_is_set_aside():
    gazetteer = tiny(aliases={"99.01.02": ["Betah"], "77.77": ["Nowhere"]})
    assert gazetteer.unknown_alias_codes == ("77.77",)
    assert gazetteer.codes("di Betah dan Nowhere") == ["99.01.02"]


# ------------------------------------------------------------------ codes() and input


def test_codes_most_specific_first_then_reading_order(kutim, by_name):
    text = "Kutim: hoaks di Kec. Bengalon, desa Sepaso dan Sekerat, juga Sangkulirang"
    assert kutim.codes(text) == [
        code_of(by_name, "Sepaso", "village"),
        code_of(by_name, "Sekerat", "village"),
        code_of(by_name, "Bengalon", "district"),
        code_of(by_name, "Sangkulirang", "district"),
        "64.08",
    ]
    assert kutim.codes("") == [] and kutim.codes("tidak ada tempat") == []


def test_levels_accept_indonesian_names():
    gazetteer = Gazetteer(
        [
            Place("99.01", "Kabupaten Contoh", "Kabupaten", None),
            Place("99.01.01", "Alpha Raya", "kecamatan", "99.01"),
            Place("99.01.01.1001", "Loa Duri", "Kelurahan", "99.01.01"),
        ]
    )
    assert [m.level for m in gazetteer.find("Loa Duri, Alpha Raya, Contoh")] == [
        "village",
        "district",
        "regency",
    ]


@pytest.mark.parametrize(
    ("place", "message"),
    [
        (Place("99.01.09", "Gamma", "dusun", "99.01"), "place 7 (99.01.09): level"),
        (Place("", "Gamma", "district", "99.01"), "place 7: empty code"),
        (Place("99.01.01", "Gamma", "district", "99.01"), "place 7: code 99.01.01 appears twice"),
        (Place("99.01.09", "  -- ", "district", "99.01"), "place 7 (99.01.09): name"),
    ],
)
def test_bad_rows_are_named(place, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        tiny(place)
