"""Matching region names as users write them: case, spacing and known alternative spellings."""

import re

_NON_ALNUM = re.compile(r"[^0-9a-z]+")

# Spellings that users (and BPS, and the postal code list) write for Kemendagri names.
# Facts about names, not data rows: the loader stores them as RegionAlias rows.
KNOWN_ALIASES: dict[str, tuple[str, ...]] = {
    "64.08.08": ("Kongbeng",),
    "64.08.08.2006": ("Kongbeng Indah",),
    "64.08.05.2006": ("Benua Baru",),
    "64.08.02.2009": ("Karya Bakti",),
    "64.08.06.2001": ("Long Bentuk",),
    "64.08.07.2003": ("Juk Ayak",),
    "64.08.08.2002": ("Marga Mulia",),
    "64.08.11.2007": ("Tanjung Mangkalihat",),
    "64.08.18": ("Long Mesengat",),
}

_PREFIXES = ("kabupaten ", "kab ", "kota ", "kecamatan ", "kec ", "desa ", "kelurahan ", "kel ")


def name_key(name: str) -> str:
    """A key equal for spellings that differ only in case, spaces, punctuation or a prefix.

    >>> name_key("Kec. Sangatta  Utara") == name_key("SANGATTA UTARA")
    True
    >>> name_key("Suka Maju") == name_key("Sukamaju")
    True
    """
    lowered = " ".join(name.lower().replace(".", " ").split())
    for prefix in _PREFIXES:
        if lowered.startswith(prefix):
            lowered = lowered[len(prefix) :]
            break
    return _NON_ALNUM.sub("", lowered)


def normalise_code(raw: str) -> str:
    """Accept a region code with or without dots: 6408012001 -> 64.08.01.2001."""
    text = str(raw).strip()
    digits = text.replace(".", "")
    if not digits.isdigit() or len(digits) not in (2, 4, 6, 10):
        return text
    parts = [digits[:2], digits[2:4], digits[4:6], digits[6:]]
    return ".".join(p for p in parts if p)
