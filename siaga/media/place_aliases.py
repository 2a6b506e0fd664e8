"""Names people use for places of a regency that are not the official Kemendagri names.

Written by hand, and meant to be edited: add a line when monitoring shows a name the gazetteer
(``siaga.engines.nlp.places.Gazetteer``) misses. Plain data, no Django import, so both the
engine's tests and the Django side can read it. Only names we are reasonably sure of are listed;
this is not a copy of any dataset.

Shape: ``{regency code: {place code: (alias, ...)}}``. A name listed under several codes is
ambiguous over them on purpose: "Sangatta", the regency seat, is one town spread over the
kecamatan Sangatta Utara and Sangatta Selatan, so it points to both; the gazetteer resolves it
from context ("Sangatta, Swarga Bara" → Sangatta Utara) or else reports it as their common
ancestor, the regency. Official names (e.g. "Sangkulirang", "Bengalon", "Muara Wahau") need no
entry; "Kabupaten"/"Kecamatan"/"Desa" before a name are handled by the gazetteer too.
"""

from __future__ import annotations

SANGATTA_UTARA = "64.08.04"
SANGATTA_SELATAN = "64.08.12"

KUTAI_TIMUR: dict[str, tuple[str, ...]] = {
    "64.08": ("Kutim", "Kutai Timur"),
    # the town of Sangatta over both kecamatan, with the usual one-t misspelling
    SANGATTA_UTARA: ("Sangatta", "Sangata", "Sangata Utara"),
    SANGATTA_SELATAN: ("Sangatta", "Sangata", "Sangata Selatan"),
    "64.08.02": ("Wahau",),  # Muara Wahau; "Wahau Baru" (a desa) still wins as the longer name
}

ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "64.08": KUTAI_TIMUR,
}


def aliases_for(regency_code: str) -> dict[str, tuple[str, ...]]:
    """The aliases of one regency (``{place code: names}``), empty when none are written."""
    return dict(ALIASES.get(regency_code, {}))
