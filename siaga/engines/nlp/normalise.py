"""Normalisation of informal Indonesian social-media text into one canonical form.

The steps, in order (each regex is compiled once, at import):

1. Twitter and forum artefacts: byte escapes such as ``\\xf0\\x9f\\x98\\x82`` (emoji mangled by
   the Ibrohim corpora) are decoded back to the character; literal ``\\n`` / ``\\u2026`` escapes,
   HTML entities, ``[QUOTE=...]`` markup, links (also ``https:\\/\\/t.co/...``), ``@handles``
   and the placeholders ``USER``, ``URL``, ``RT`` (upper case only: ``rt`` is also the
   neighbourhood unit) are removed.
2. Lower case; ``#tag`` keeps its word.
3. Reduplication written with a 2: ``kata2`` → ``kata kata``.
4. Leetspeak, only inside a word mixing letters and digits where a digit sits between letters
   (``b0d0h``, ``4nj1ng``) or a word starts with a digit followed by letters (``4pa``), so
   ``covid19`` and ``pilkada2024`` are kept.
5. Letters repeated three times or more collapse to one (``bangeeet`` → ``banget``), or to two
   when that gives a known word (``maaaaf`` → ``maaf``); ``wkwkwk`` / ``hahaha`` laughter is
   folded to ``wkwk`` / ``haha``.
6. Punctuation becomes a space; an emoji becomes a token of its own (repeats folded to one).
7. Slang and abbreviations through :data:`siaga.engines.nlp.slang.SLANG`; single spaces.

``normalise`` is idempotent: ``normalise(normalise(t)) == normalise(t)``.
"""

from __future__ import annotations

import html
import re

from .slang import DOUBLE_LETTER_WORDS, SLANG

_BYTE_ESCAPES = re.compile(r"(?:\\x[0-9a-fA-F]{2})+")
_UNICODE_ESCAPE = re.compile(r"\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8}")
_LITERAL_NEWLINE = re.compile(r"\\[nrt]")
_FORUM_MARKUP = re.compile(r"\[/?[a-zA-Z]+(?:=[^\]]*)?\]")
# a link, or what is left of one when the tweet was cut ("... https")
_URL = re.compile(r"(?:https?:(?:\\?/){2}|www\.)\S*|\bhttps?\b:?", re.IGNORECASE)
_HANDLE = re.compile(r"@\w+")
_PLACEHOLDER = re.compile(r"\b(?:USER|URL|RT)\b")
_REDUPLICATION = re.compile(r"\b([^\W\d_]{2,})2\b")
_HAS_DIGIT_WORD = re.compile(r"\b(?=\w*\d)(?=\w*[^\W\d_])\w+\b")
_LEET_INSIDE = re.compile(r"[^\W\d_]\d[^\W\d_]")
_LEET_START = re.compile(r"^[013457][^\W\d_]{2,}$")
_LEET = str.maketrans({"4": "a", "1": "i", "0": "o", "3": "e", "5": "s", "7": "t", "9": "g"})
_REPEAT = re.compile(r"([^\W\d_])\1{2,}")
_LAUGH_WK = re.compile(r"\b(?:w?k?w+k+){2,}\w*\b|\bwkwk\w*\b")
_LAUGH_HA = re.compile(r"\b(?:[bw]?ha){2,}h?\b|\b(?:he){2,}h?\b|\b(?:hi){2,}h?\b")
_EMOJI = re.compile(r"([\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF])(?:\s*\1)*")
_NON_WORD = re.compile(r"[^\w\s\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF]+|_+")


def _decode_bytes(match: re.Match[str]) -> str:
    raw = bytes.fromhex(match.group(0).replace("\\x", "").replace("\\X", ""))
    return " " + raw.decode("utf-8", errors="ignore") + " "


def _deleet(match: re.Match[str]) -> str:
    word = match.group(0)
    if _LEET_INSIDE.search(word) or _LEET_START.match(word):
        return word.translate(_LEET)
    return word


def _collapse(match: re.Match[str]) -> str:
    return match.group(1)


def _collapse_word(word: str) -> str:
    single = _REPEAT.sub(_collapse, word)
    if single in SLANG or single == word:
        return single
    double = _REPEAT.sub(r"\1\1", word)
    return double if double in DOUBLE_LETTER_WORDS else single


def normalise(text: object) -> str:
    """Informal Indonesian text in one canonical form (lower case, single spaces).

    Accepts anything: ``None`` gives ``""``, other non-strings are normalised as ``str(text)``.
    """
    if text is None:
        return ""
    s = text if isinstance(text, str) else str(text)
    if not s:
        return ""
    if "\\" in s:
        s = _BYTE_ESCAPES.sub(_decode_bytes, s)
        s = _UNICODE_ESCAPE.sub(" ", s)
        s = _LITERAL_NEWLINE.sub(" ", s)
    if "&" in s:
        s = html.unescape(s)
    if "[" in s:
        s = _FORUM_MARKUP.sub(" ", s)
    s = _URL.sub(" ", s)
    if "@" in s:
        s = _HANDLE.sub(" ", s)
    s = _PLACEHOLDER.sub(" ", s)
    s = s.lower()
    s = _NON_WORD.sub(" ", s)
    if not s.isascii():
        s = _EMOJI.sub(r" \1 ", s)
    s = _REDUPLICATION.sub(r"\1 \1", s)
    s = _HAS_DIGIT_WORD.sub(_deleet, s)
    s = _REDUPLICATION.sub(r"\1 \1", s)
    words = s.split()
    out: list[str] = []
    for w in words:
        if _REPEAT.search(w):
            w = _collapse_word(w)
        if len(w) > 3 and ("wk" in w or "ha" in w or "he" in w or "hi" in w):
            w = _LAUGH_WK.sub("wkwk", w)
            w = _LAUGH_HA.sub(_laugh, w)
        out.append(SLANG.get(w, w))
    return " ".join(out)


def _laugh(match: re.Match[str]) -> str:
    word = match.group(0)
    if word.startswith("he"):
        return "hehe"
    if word.startswith("hi"):
        return "hehe"
    return "haha"
