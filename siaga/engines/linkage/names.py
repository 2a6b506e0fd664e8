"""Indonesian personal names, normalised for record linkage (pure Python, no Django).

The same person is written many ways on the voter roll: with or without titles and degrees
("Hj. Siti Nurhaliza, S.Pd."), with Muhammad spelt a dozen ways or abbreviated ("Moch.",
"M."), in the old spelling ("Djamaludin", "Soekarno", "Tjitra"), with compound names joined
or apart ("Nurhasanah" / "Nur Hasanah", "Abdurrahman" / "Abdul Rahman"). The functions here
bring these to one form; they run on millions of names, so every table and regex is built once
at import time and the common path (a plain modern name) does little work.

Layers, from strict to loose:

``normalise_name(raw)``
    Upper-case ASCII letters and single spaces. Drops titles and degrees, unifies Muhammad,
    Siti, ``Abd.`` and ``bin``/``binti`` abbreviations and converts the old (pre-1972) spelling.
    Idempotent. Keeps spacing and every other letter: two different names stay different.
``name_key(raw)``
    ``normalise_name`` without spaces, after undoing the Arabic article assimilation of
    ``Abdu-`` names: "ABDURRAHMAN", "ABDUR RAHMAN", "ABDURAHMAN", "ABDUL RAHMAN" and "ABD.
    RAHMAN" all give ``ABDULRAHMAN``. Equal keys mean "the same written name up to spacing".
``phonetic_key(normalised)``
    A deliberately conservative sound code for blocking (see its docstring): it merges spelling
    variants such as AHMAD/ACHMAD/AKHMAD, FITRI/PITRI, SYAMSUL/SAMSUL, FATIMAH/FATIMA, RIZKY/
    RIZKI, but never touches vowels (DEWI/DEWA, RIZKI/RIZKA, PUTRI/PUTRA stay apart).

Decisions worth knowing (each has a test):

* Old spelling is converted in every token: DJ->J, TJ->C, OE->U, SJ->SY, CH->KH. CH->KH is
  right for the old spelling (ACHMAD->AKHMAD, CHAIRUL->KHAIRUL, MOCH->MOKH) and harmlessly wrong
  for Sanskrit or foreign names (CHANDRA->KHANDRA): every record gets the same treatment, so it
  never merges two different names, it only misses CHANDRA/CANDRA (the phonetic key does not
  recover that either). Two further old-spelling rules are applied only inside a token that
  shows another old-spelling mark (OE, DJ, TJ or SJ), because modern names use the same letters:
  J->Y (SOEJONO->SUYONO, TJAHJO->CAHYO; modern SUJONO is left alone) and NJ->NY in the middle of a
  word (SOENJOTO->SUNYOTO; modern PANJI, ANJAR, SANJAYA are left alone). NJ at the start of a
  word is always old spelling (NJOMAN->NYOMAN).
* Titles (H., HJ., HAJI, HAJJAH, KH., DRS., DRA., DR., IR., PROF., DRG., NS., UST., USTADZ, ...)
  are dropped wherever they stand, as whole tokens. A name made only of titles is kept as it is.
* Degrees are dropped with or without dots and spaces ("S.Pd", "S. Pd", "SPd", "S.Pd.I"), but
  never at the very start of a name ("M.H. Thamrin" is not a Magister Hukum; it becomes
  MUHAMMAD THAMRIN, as the lone H is read as Haji and dropped). Degrees made of two
  single letters (S.H., S.E., S.T., M.M., M.H., M.A., ...) are dropped only in the run of degrees
  at the end of the name and need their dot unless the joined form is not a name ("SH", "SE",
  "MM", "MH" are dropped, "ST" and "MA" are not).
* "ST" is SITI when it opens the name or stands in the middle, and the S.T. degree written
  without dots when it closes a name of several words. SITTI (Bugis spelling) is SITI.
* "M" is MUHAMMAD unless it is the last word (a last "M" is an initial of another name).
* Apostrophes are deleted, not turned into spaces (MA'RUF -> MARUF, SYAFI'I -> SYAFII); other
  punctuation, digits and symbols become spaces.
* BT, BTE and BINTE become BINTI; BIN and BINTI stay in the name as separators and
  ``given_name`` drops what follows them.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "first_last",
    "given_name",
    "name_key",
    "name_tokens",
    "normalise_name",
    "phonetic_key",
    "place_key",
]


def _words(text: str) -> list[str]:
    return text.split()


# --- Degrees ------------------------------------------------------------------------------------
# Each degree is written with dots between its parts. Parts of two or more letters may be
# separated by a dot, by spaces or by nothing; single-letter pairs need a dot (or the joined form
# when it is listed in _JOINED_OK_PAIRS).
_DEGREES = _words(
    """
    S.PD.I S.PD S.SOS.I S.SOS S.KOM.I S.KOM S.AG S.KED S.IP S.FARM S.KEP S.SI S.KM S.HUT S.PT
    S.PI S.TP S.IKOM S.PSI S.HI S.TH.I S.TH S.SY S.KES S.GZ S.TR S.ST S.HUM S.AK S.DS S.SN S.ARS
    S.PAR S.FIL.I S.FIL S.E.I S.H.I S.KEB S.TRKEB S.TR.KEB S.SOS.I S.PD.SD S.PD.K S.MB S.IN
    S.KEL M.PD.I M.PD M.SI M.KES M.KOM M.AG M.HUM M.SC M.KN M.AP M.IP M.SN M.FARM M.KEP M.KED
    M.PSI M.E.I M.H.I M.HUT M.ENG M.ARS M.AK M.TI M.BA M.M.PD A.MD.KEP A.MD.KEB A.MD.KES
    A.MD.FARM A.MD.AK A.MD.KOM A.MD.GZ A.MD.T A.MD.PD A.MD.PAR A.MD.RO A.MD A.MA.PD A.MA A.MK
    AMD.KEP AMD.KEB AMD SP.OG SP.PD SP.B SP.THT SP.JP SP.KK SP.RAD SP.AN SP.M PH.D B.SC LC MBA
    SST SKM
    """
)
# Single-letter pairs: only in the trailing run of degrees.
_PAIR_DEGREES = _words(
    """
    S.H S.E S.T S.P S.S S.K M.M M.H M.T M.E M.A M.P
    """
)
_JOINED_OK_PAIRS = frozenset({"SH", "SE", "MM", "MH"})
# Joined forms that could be names (or Chinese-Indonesian surnames): need a dot or a space.
_NOT_JOINED = frozenset(
    {"SHI", "SEI", "MAP", "MIP", "MEI", "AMA", "MBA", "SIN", "MAK", "MTI", "MENG", "MARS"}
)

_SEP_ANY = r"(?:\s*\.\s*|\s+)"  # dot (with optional spaces) or spaces
_SEP_DOT = r"\s*\.\s*"


def _degree_pattern(spec: str, *, pair: bool) -> str:
    parts = spec.split(".")
    joined = "".join(parts)
    if pair:
        sep = f"(?:{_SEP_DOT}|)" if joined in _JOINED_OK_PAIRS else _SEP_DOT
    else:
        sep = _SEP_ANY if joined in _NOT_JOINED else f"(?:{_SEP_ANY}|)"
    return sep.join(re.escape(p) for p in parts)


def _alternation(specs: list[str], *, pair: bool) -> str:
    # Longest first so that S.PD.I wins over S.PD.
    ordered = sorted(set(specs), key=lambda s: (-len(s.replace(".", "")), s))
    return "|".join(_degree_pattern(s, pair=pair) for s in ordered)


_ANY_DEGREE = _alternation(_DEGREES, pair=False)
_ALL_DEGREES = _alternation(_DEGREES, pair=False) + "|" + _alternation(_PAIR_DEGREES, pair=True)
# The run of degrees closing a name: ", S.H., M.H." / " SPd" / " S. Pd. I".
_TRAILING_DEGREES = re.compile(rf"(?:[\s,.;/]+(?:{_ALL_DEGREES})(?![A-Z])\.?)+[\s,.;/]*$")
# Unambiguous degrees anywhere but the very start (a separator must precede them).
_INNER_DEGREE = re.compile(rf"(?<=[\s,.;/])(?:{_ANY_DEGREE})(?![A-Z])\.?")

# --- Titles, tokens ----------------------------------------------------------------------------
_TITLES = frozenset(
    _words(
        """
    H HJ HJH HAJI HAJJAH HAJAH HADJI HADJAH KH KYAI KIAI DRS DRA DR IR PROF DRG DRH NS APT UST
    USTD USTAD USTADZ USTADZAH USTADAH USTAZ USTAZAH
    """
    )
)
_MUHAMMAD_ABBREV = frozenset(
    _words(
        """
    MOH MOKH MUH MUKH MHD MOHD MUHD MHMD MUHAMMADD MUHAMMED MOHAMMED MOHAMED MUHAMED
    """
    )
)
# MUHAMMAD, MUHAMAD, MOHAMMAD, MOHAMAD, MOKHAMMAD (= MOCHAMMAD), MUHAMMAT, MUKHAMAD, MUHAMMED...
_MUHAMMAD_RE = re.compile(r"M[OU](?:KH|H)H?A?M{1,2}[AE][DT]D?")
_SEPARATORS = frozenset({"BIN", "BINTI"})
_BINTI_ABBREV = frozenset({"BT", "BTE", "BINTE"})

# --- Old spelling ------------------------------------------------------------------------------
_OLD_MARK = re.compile(r"DJ|TJ|SJ|OE")
_OLD_FULL = re.compile(r"DJ|TJ|SJ|NJ|OE|CH|J")
_OLD_FULL_MAP = {"DJ": "J", "TJ": "C", "SJ": "SY", "NJ": "NY", "OE": "U", "CH": "KH", "J": "Y"}

_APOSTROPHES = str.maketrans("", "", "'`\u2019\u2018\u02bc\u00b4")
_NON_LETTERS = re.compile(r"[^A-Z]+")
_LEADING_JUNK = re.compile(r"^[^A-Z]+")


def _ascii_upper(raw: str) -> str:
    text = raw.translate(_APOSTROPHES)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = decomposed.encode("ascii", "ignore").decode("ascii")
    return text.upper()


def _spell(token: str) -> str:
    """Old spelling to the current one (EYD), for one upper-case token."""
    if "J" not in token and "OE" not in token and "CH" not in token:
        return token
    if _OLD_MARK.search(token):
        token = _OLD_FULL.sub(lambda m: _OLD_FULL_MAP[m.group()], token)
    else:
        if token.startswith("NJ"):
            token = "NY" + token[2:]
        if "CH" in token:
            token = token.replace("CH", "KH")
    return token


def normalise_name(raw: str) -> str:
    """The name in one canonical written form: upper-case ASCII words separated by one space.

    >>> normalise_name("Drs. H. Moch. Djamaludin")
    'MUHAMMAD JAMALUDIN'
    >>> normalise_name("Hj. Siti Nurhaliza, S.Pd.")
    'SITI NURHALIZA'
    """
    if not raw:
        return ""
    text = _LEADING_JUNK.sub("", _ascii_upper(raw))
    if not text:
        return ""
    text = _TRAILING_DEGREES.sub("", text)
    text = _INNER_DEGREE.sub(" ", text)
    words = [_spell(t) for t in _NON_LETTERS.sub(" ", text).split()]
    kept = [t for t in words if t not in _TITLES] or words
    last = len(kept) - 1
    out: list[str] = []
    for i, t in enumerate(kept):
        if t in _MUHAMMAD_ABBREV or (t[0] == "M" and _MUHAMMAD_RE.fullmatch(t)):
            t = "MUHAMMAD"
        elif t == "M":
            if i < last:
                t = "MUHAMMAD"
        elif t == "ST":
            if i == last and last > 0:
                continue  # the S.T. degree written without dots
            t = "SITI"
        elif t == "SITTI":
            t = "SITI"
        elif t in _BINTI_ABBREV:
            t = "BINTI"
        elif t == "ABD":
            t = "ABDUL"
        out.append(t)
    return " ".join(out)


# "ABDURRAHMAN", "ABDUR RAHMAN", "ABDURAHMAN" -> "ABDUL RAHMAN" (sun-letter assimilation).
_ABDU_ASSIMILATED = re.compile(r"\bABDU([RSNZDT]) ?\1?(?=[AEIOU])")


def _compact(normalised: str) -> str:
    if "ABDU" in normalised:
        normalised = _ABDU_ASSIMILATED.sub(r"ABDUL \1", normalised)
    return normalised.replace(" ", "")


def name_key(raw: str) -> str:
    """``normalise_name`` with spaces removed and ``Abdu-`` assimilation undone.

    Equal for "Nurhasanah" / "Nur Hasanah" and "Abdurrahman" / "Abdul Rahman" / "Abd. Rahman".
    Accepts a raw or an already normalised name (normalisation is idempotent).
    """
    return _compact(normalise_name(raw))


def name_tokens(normalised: str) -> list[str]:
    """The words of a normalised name."""
    return normalised.split()


def given_name(normalised: str) -> str:
    """The name without the patronymic: what precedes the first BIN/BINTI (not in first place).

    >>> given_name("AHMAD FAUZI BIN ABDULLAH")
    'AHMAD FAUZI'
    """
    tokens = normalised.split()
    for i in range(1, len(tokens)):
        if tokens[i] in _SEPARATORS or tokens[i] in _BINTI_ABBREV:
            return " ".join(tokens[:i])
    return " ".join(tokens)


def first_last(normalised: str) -> tuple[str, str]:
    """First and last word of the given name (patronymic dropped); a single word is both.

    ``("", "")`` for an empty name.
    """
    tokens = given_name(normalised).split()
    if not tokens:
        return ("", "")
    return (tokens[0], tokens[-1])


# --- Phonetic key ------------------------------------------------------------------------------
_FINAL_H = re.compile(r"(?<=[AEIOU])H\b")
_H_AFTER_CONSONANT = re.compile(r"(?<=[B-DF-HJ-NP-TV-Z])H")
_Y_AFTER_CONSONANT = re.compile(r"(?<=[B-DF-HJ-NP-TV-Z])Y")
_DOUBLES = re.compile(r"(.)\1+")
_PHONETIC_REPLACEMENTS = (
    ("KH", "H"),  # AKHMAD/AHMAD, KHAIRUL/HAIRUL
    ("SY", "S"),  # SYAMSUL/SAMSUL, SYAIFUL/SAIFUL
    ("DZ", "Z"),  # DZULKIFLI/ZULKIFLI
    ("Q", "K"),  # ISHAQ/ISHAK, QOMARIAH/KOMARIAH
    ("X", "KS"),
    ("V", "P"),  # VINA/PINA? rare, but V/F/P are one sound in many regional accents
    ("F", "P"),  # FITRI/PITRI, ARIF/ARIP, SAIFUL/SAIPUL
    ("AE", "AI"),  # ZAENAL/ZAINAL, JAELANI/JAILANI, MAEMUNAH/MAIMUNAH
)


def phonetic_key(normalised: str) -> str:
    """A conservative sound code of a normalised name, for blocking candidate pairs.

    Rules, in order: an H closing a word after a vowel is dropped (FATIMAH/FATIMA); spaces are
    removed and ``Abdu-`` assimilation undone as in ``name_key``; KH->H, SY->S, DZ->Z, Q->K,
    X->KS, V->P, F->P, AE->AI; H after a consonant is dropped (DH, TH, GH, BH, SH: RIDHO/RIDO,
    BUDHI/BUDI); Y after a consonant becomes I (RIZKY/RIZKI, DEDY/DEDI, SURYA/SURIA); doubled
    letters collapse (HASANNAH/HASANAH, ABDULLAH/ABDULAH).

    Deliberately *not* done: vowels are never changed (DEWI/DEWA, PUTRI/PUTRA, RIZKI/RIZKA differ;
    O/U, E/I variation is left to the string comparison), Z and J are not merged (ZAINAL and
    JAINAL differ: merging would put every Z-name in a J-name's block), C and K are not merged.
    Apart from the word-final H rule the key does not depend on spacing.
    """
    text = _FINAL_H.sub("", normalised) if "H" in normalised else normalised
    text = _compact(text)
    for old, new in _PHONETIC_REPLACEMENTS:
        if old in text:
            text = text.replace(old, new)
    if "H" in text:
        text = _H_AFTER_CONSONANT.sub("", text)
    if "Y" in text:
        text = _Y_AFTER_CONSONANT.sub("I", text)
    return _DOUBLES.sub(r"\1", text)


_PLACE_WORDS = frozenset(("KAB", "KABUPATEN", "KOTA", "KOTAMADYA", "KODYA", "ADM", "KEC", "DESA"))


def place_key(raw: str) -> str:
    """A birth place (tempat lahir) in one form for comparison: no "Kab."/"Kota", EYD spelling,
    no spaces ("Kab. Flores Timur", "FLORESTIMUR" and "Kota Flores  Timur" are equal).

    >>> place_key("Kab. Tjilatjap")
    'CILACAP'
    """
    if not raw:
        return ""
    words = [_spell(t) for t in _NON_LETTERS.sub(" ", _ascii_upper(raw)).split()]
    kept = [t for t in words if t not in _PLACE_WORDS] or words
    return "".join(kept)
