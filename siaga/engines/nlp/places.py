"""Gazetteer: tag the places of a regency (kecamatan, desa, aliases) mentioned in raw posts.

Posts only reach the map and the risk index when they name a place, so the gazetteer is built
once from the region table (Kemendagri codes, names, levels, parents) plus a hand-written alias
list, and then :meth:`Gazetteer.find` runs on every incoming post.

How a post is read
    The text is cut into word tokens (letters and digits); a name matches a run of whole tokens,
    case-insensitively, so a name inside a longer word never fires ("Saka" in "Sakasaka"), and a
    name never runs over punctuation ("…di Sangatta. Utara…" is not "Sangatta Utara").
    Hashtags are read two ways: the whole body against the names with their spaces removed
    (``#sangattautara``, ``#Kutim2024``), otherwise split at CamelCase humps
    (``#SangattaUtaraBersatu`` → sangatta utara bersatu). Names are stored in a token trie, so
    the cost of a post grows with its length, not with the number of names.

Longest match wins
    Every name that matches anywhere is a candidate; candidates are then kept longest first
    and an overlapping shorter one is dropped ("Sangatta Utara", not "Sangatta"; "Muara
    Bengalon", not "Bengalon").

Place prefixes
    "desa", "ds.", "kel.", "kelurahan" (village), "kec.", "kecamatan" (district) and "kab.",
    "kabupaten" (regency) directly before a name keep only the candidates of that level.

Names that are ordinary words (the "common-word rule")
    A name is *common* when every one of its tokens is in :data:`COMMON_WORDS` (ordinary
    Indonesian words and very common name parts: "karangan", "saka", "mata air", "suka damai",
    "makmur jaya", "tanah abang"…) and none is a toponym head of :data:`TOPONYM_HEADS` ("teluk",
    "bukit", "muara"…: "Bukit Makmur" reads as a place, "Makmur Jaya" does not). A common name
    only fires

    * right after a place prefix ("Desa Mata Air", "Kec. Karangan", ``#DesaSaka``), or
    * right before a mention of one of its own ancestors ("Mata Air, Kaubun",
      "Sandaran Kutim"), which is how people qualify such names.

    "di", "ke", "dari", "warga" are not enough ("karangan bunga di Sangatta" is about flowers), and
    neither is a bare hashtag. The price is recall on bare mentions of these few places, which
    is the right side to err on for a map of hoaxes.

Ambiguity
    A name may point to several places: a kecamatan and its homonymous desa ("Muara Wahau"), desa
    of different kecamatan, or an alias spanning several places ("Sangatta", the town over
    Sangatta Utara and Sangatta Selatan). It is resolved, in order, by a place prefix, then by
    context: when exactly one candidate is an ancestor or a descendant of another, unambiguous
    mention of the same text ("Swarga Bara, Sangatta Utara" → the kecamatan; "Sangatta, Sangkima"
    → Sangatta Selatan), or, failing any such link, when exactly one candidate is a sibling of such
    a mention (a desa "Sukamaju" next to another desa of the same kecamatan). Otherwise the mention
    stays ``ambiguous`` with all its ``candidates``, and its ``code`` is their deepest common
    ancestor (what :meth:`Gazetteer.codes` reports).

Confidence is a fixed score per way of matching (see ``_CONF_*``), not a probability.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate

__all__ = [
    "COMMON_WORDS",
    "LEVELS",
    "TOPONYM_HEADS",
    "Gazetteer",
    "Mention",
    "Place",
    "is_common_name",
    "name_tokens",
    "normalise_level",
]

# Levels from the least to the most specific; the rank orders codes() output.
LEVELS = ("province", "regency", "district", "village")
_LEVEL_RANK = {level: i for i, level in enumerate(LEVELS)}
_LEVEL_SYNONYMS = {
    "provinsi": "province",
    "kabupaten": "regency",
    "kota": "regency",
    "kabupaten/kota": "regency",
    "kecamatan": "district",
    "desa": "village",
    "kelurahan": "village",
    "desa/kelurahan": "village",
}

# Words that, right before a name, say which level it is.
_PREFIXES = {
    "desa": "village",
    "ds": "village",
    "kel": "village",
    "kelurahan": "village",
    "kec": "district",
    "kecamatan": "district",
    "kab": "regency",
    "kabupaten": "regency",
    "provinsi": "province",
    "prov": "province",
}
# What may stand between a common name and the ancestor that qualifies it ("Mata Air, Kaubun").
_QUALIFIER_GAP = re.compile(r"[\s,(\-]{1,4}")

# Ordinary Indonesian words and very common name parts found in region names. A name made only
# of these (and of no toponym head) is "common" and needs a prefix or a qualifier to fire.
_COMMON_TEXT = """
    abang agung air bakti bangun baru barat bhakti bumi cipta dalam damai etam gemar graha
    harapan hilir indah jaya karangan karya kolek lestari luar maju makmur manis martadinata mata
    mekar mulia pelawan permata rahmat raya rukun saka sandaran sari sejahtera selatan sentosa
    seberang suka sumber tanah telaga telen tengah timur utama utara
"""
COMMON_WORDS = frozenset(_COMMON_TEXT.split())
# First words that make a name read as a place whatever follows ("Bukit Makmur", "Teluk Baru").
_HEADS_TEXT = """
    batu bukit danau gunung kuala long lung muara pulau rantau sungai tanjung teluk tepian ujung
"""
TOPONYM_HEADS = frozenset(_HEADS_TEXT.split())

# Fixed confidence per way of matching.
_CONF_PREFIXED = 0.95  # a place prefix confirmed the level
_CONF_OFFICIAL = 0.9  # an official name, one place
_CONF_ALIAS = 0.8  # a hand-written alias, one place
_CONF_CONTEXT = 0.75  # several places, one chosen by another mention of the text
_CONF_QUALIFIED = 0.7  # a common name qualified by its ancestor ("Mata Air, Kaubun")
_CONF_AMBIGUOUS = 0.5  # several places left open: reported as their common ancestor

_WORD = re.compile(r"[^\W_]+")
# Links and @handles are blanked before reading, so no name is read inside them.
_SKIP = re.compile(r"(?:https?://|www\.)\S+|@\w+")
_BLANK = "\x00"  # not a word character, and not a gap a name may span


class _WordChars(dict):
    """``str.translate`` table keeping letters and digits (``[^\\W_]``) and turning every other
    character into a space, so that ``.split(" ")`` cuts a post into words at C speed; filled
    lazily, one entry per character ever seen."""

    def __missing__(self, code: int) -> int:
        value = code if chr(code).isalnum() else 32
        self[code] = value
        return value


_WORD_CHARS = _WordChars()
_ASCII_WORD_BYTES = bytes(c if chr(c).isalnum() else 32 for c in range(256))


def _blank(match: re.Match) -> str:
    return _BLANK * (match.end() - match.start())


_NAME_GAP_CHARS = " \t-"  # may stand between two tokens of one name ("Sangatta-Utara")
_PREFIX_GAP_CHARS = " \t\n.:"  # may stand between a prefix and its name ("Kec. Sangatta")
_HASHTAG = re.compile(r"#([^\W_]+)")
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_STRIP_WORDS = {"kabupaten", "kota", "kecamatan", "desa", "kelurahan", "provinsi"}


@dataclass(frozen=True)
class Place:
    """One region of the table: Kemendagri code, official name, level and parent code."""

    code: str
    name: str
    level: str
    parent_code: str | None


@dataclass(frozen=True)
class Mention:
    """A place named in a text, at ``text[start:end]`` (== ``surface``).

    ``code``/``name``/``level`` are those of the resolved place, or of the candidates' common
    ancestor when ``ambiguous``; ``candidates`` lists every place the surface could mean.
    """

    code: str
    name: str
    level: str
    start: int
    end: int
    surface: str
    confidence: float
    ambiguous: bool
    candidates: tuple[str, ...]


@dataclass(frozen=True)
class _Entry:
    """What a name (as a token tuple) points to."""

    codes: tuple[str, ...]
    alias: bool  # reached only through aliases
    common: bool  # an ordinary-word name (see the module docstring)


class _Candidate:
    """A name found at ``text[start:end]``, with the level of the prefix before it, if any."""

    __slots__ = ("end", "entry", "prefix_level", "start")  # no __eq__: hashed by identity

    def __init__(self, start: int, end: int, entry: _Entry, prefix_level: str | None) -> None:
        self.start = start
        self.end = end
        self.entry = entry
        self.prefix_level = prefix_level


def normalise_level(level: str) -> str:
    """``level`` as one of :data:`LEVELS` (Indonesian names accepted), or ValueError."""
    key = level.strip().lower()
    key = _LEVEL_SYNONYMS.get(key, key)
    if key not in _LEVEL_RANK:
        raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    return key


def name_tokens(name: str) -> tuple[str, ...]:
    """The tokens a name is matched on: lower-case words, without a leading level word."""
    tokens = tuple(_WORD.findall(name.lower()))
    while len(tokens) > 1 and tokens[0] in _STRIP_WORDS:
        tokens = tokens[1:]
    return tokens


def is_common_name(tokens: Sequence[str], common_words: frozenset[str] = COMMON_WORDS) -> bool:
    """True when a name reads as ordinary words (the common-word rule of the module docstring)."""
    return (
        bool(tokens)
        and tokens[0] not in TOPONYM_HEADS
        and all(token in common_words for token in tokens)
    )


class Gazetteer:
    """Places of a region, matched in raw text. Build once, then call :meth:`find` per post."""

    def __init__(
        self,
        places: Iterable[Place],
        aliases: Mapping[str, Sequence[str]] | None = None,
        *,
        common_words: Iterable[str] | None = None,
    ) -> None:
        self._common_words = (
            COMMON_WORDS if common_words is None else frozenset(w.lower() for w in common_words)
        )
        self.places: dict[str, Place] = self._load_places(places)
        self.unknown_alias_codes: tuple[str, ...] = ()
        names: dict[tuple[str, ...], dict[str, bool]] = {}  # tokens -> code -> via alias only
        for place in self.places.values():
            self._add_name(names, name_tokens(place.name), place.code, alias=False)
        unknown = []
        for code, extra in (aliases or {}).items():
            if code not in self.places:
                unknown.append(code)  # the caller may log these; the rest still works
                continue
            for alias in extra:
                self._add_name(names, name_tokens(alias), code, alias=True)
        self.unknown_alias_codes = tuple(unknown)
        self._entries = {tokens: self._entry(tokens, codes) for tokens, codes in names.items()}
        self._trie = self._build_trie(self._entries)
        self._first_tokens = frozenset(self._trie)
        self._joined = {"".join(tokens): entry for tokens, entry in self._entries.items()}
        self._ancestors: dict[str, tuple[str, ...]] = {}

    # ----------------------------------------------------------------------------- building

    @staticmethod
    def _load_places(places: Iterable[Place]) -> dict[str, Place]:
        loaded: dict[str, Place] = {}
        for row, place in enumerate(places, start=1):
            code = (place.code or "").strip()
            name = (place.name or "").strip()
            if not code:
                raise ValueError(f"place {row}: empty code")
            if not name_tokens(name):
                raise ValueError(f"place {row} ({code}): name {place.name!r} has no word")
            if code in loaded:
                raise ValueError(f"place {row}: code {code} appears twice")
            try:
                level = normalise_level(place.level or "")
            except ValueError as exc:
                raise ValueError(f"place {row} ({code}): level: {exc}") from None
            parent = (place.parent_code or "").strip() or None
            loaded[code] = Place(code=code, name=name, level=level, parent_code=parent)
        return loaded

    @staticmethod
    def _add_name(names: dict, tokens: tuple[str, ...], code: str, *, alias: bool) -> None:
        if not tokens:
            return
        codes = names.setdefault(tokens, {})
        codes[code] = codes.get(code, True) and alias

    def _entry(self, tokens: tuple[str, ...], codes: dict[str, bool]) -> _Entry:
        ordered = tuple(sorted(codes, key=lambda c: (-_LEVEL_RANK[self.places[c].level], c)))
        return _Entry(
            codes=ordered,
            alias=all(codes.values()),
            common=is_common_name(tokens, self._common_words),
        )

    @staticmethod
    def _build_trie(entries: Mapping[tuple[str, ...], _Entry]) -> dict:
        root: dict = {}
        for tokens, entry in entries.items():
            node = root
            for token in tokens:
                node = node.setdefault(token, {})
            node[None] = entry  # None never collides with a token
        return root

    # ----------------------------------------------------------------------------- hierarchy

    def ancestors(self, code: str) -> tuple[str, ...]:
        """``code`` then its ancestors up to the root, by parent code, then by dotted code."""
        cached = self._ancestors.get(code)
        if cached is not None:
            return cached
        chain = [code]
        current = code
        while True:
            place = self.places.get(current)
            parent = place.parent_code if place else current.rpartition(".")[0] or None
            if not parent or parent in chain:
                break
            chain.append(parent)
            current = parent
        result = tuple(chain)
        self._ancestors[code] = result
        return result

    def common_ancestor(self, codes: Sequence[str]) -> str:
        """Deepest code that is (or is an ancestor of) every code, or "" when none is."""
        if not codes:
            return ""
        shared = set(self.ancestors(codes[0]))
        for code in codes[1:]:
            shared &= set(self.ancestors(code))
        for code in self.ancestors(codes[0]):
            if code in shared:
                return code
        return ""

    def _describe(self, code: str) -> tuple[str, str]:
        """Name and level of a code, also for an ancestor missing from the table."""
        place = self.places.get(code)
        if place:
            return place.name, place.level
        depth = min(code.count(".") if code else 0, len(LEVELS) - 1)
        return code, LEVELS[depth]

    def _rank(self, code: str) -> int:
        return _LEVEL_RANK[self._describe(code)[1]]

    # ----------------------------------------------------------------------------- reading

    def _plain_candidates(self, lower: str, words: list[str]) -> list[_Candidate]:
        """Names in the words of the post. ``words`` is ``lower`` cut at every non-word
        character (so word k starts at ``len(words[0..k-1]) + k``, and empty words mark runs of
        separators). Hashtags are left to :meth:`_hashtag_candidates`."""
        first = self._first_tokens
        starts = list(accumulate(map(len, words), initial=0))
        count = len(words)
        found = []
        for k, word in enumerate(words):
            if word not in first:
                continue
            start = starts[k] + k
            if start and lower[start - 1] == "#":
                continue
            prefix = self._prefix_before(lower, words, starts, k)
            node = self._trie[word]
            end = start + len(word)
            m = k
            while True:
                entry = node.get(None)
                if entry is not None:
                    found.append(_Candidate(start, end, entry, prefix))
                m += 1
                while m < count and not words[m]:
                    m += 1
                if m >= count:
                    break
                next_start = starts[m] + m
                if lower[end:next_start].strip(_NAME_GAP_CHARS):
                    break  # punctuation, a hashtag sign, a blanked link...: the name stops
                node = node.get(words[m])
                if node is None:
                    break
                end = next_start + len(words[m])
        return found

    @staticmethod
    def _prefix_before(lower: str, words: list[str], starts: list[int], k: int) -> str | None:
        """The level named by the word just before word ``k`` ("kec. Sangatta"), if any."""
        p = k - 1
        while p >= 0 and not words[p]:
            p -= 1
        if p < 0 or words[p] not in _PREFIXES:
            return None
        gap = lower[starts[p] + p + len(words[p]) : starts[k] + k]
        return None if gap.strip(_PREFIX_GAP_CHARS) else _PREFIXES[words[p]]

    def _hashtag_candidates(self, text: str, lower: str) -> list[_Candidate]:
        """Names in hashtags: the whole body (``#sangattautara``, ``#Kutim2024``), else its
        CamelCase parts (``#SangattaUtaraBersatu``, ``#DesaMataAir``)."""
        found = []
        for match in _HASHTAG.finditer(lower):
            start, end = match.span()
            body = match.group(1)
            entry = self._joined.get(body.rstrip("0123456789") or body)
            if entry is not None:
                found.append(_Candidate(start, end, entry, None))
                continue
            raw = text[start + 1 : end]
            pieces = list(_CAMEL.finditer(raw)) if raw.isascii() else []
            if len(pieces) < 2:
                continue
            norms = [piece.group().lower() for piece in pieces]
            for i in range(len(norms)):
                prefix = _PREFIXES.get(norms[i - 1]) if i else None
                begin = start if i == 0 else start + 1 + pieces[i].start()
                node = self._trie.get(norms[i])
                j = i
                while node is not None:
                    entry = node.get(None)
                    if entry is not None:
                        found.append(_Candidate(begin, start + 1 + pieces[j].end(), entry, prefix))
                    j += 1
                    node = node.get(norms[j]) if j < len(norms) else None
        return found

    @staticmethod
    def _select(candidates: list[_Candidate]) -> list[_Candidate]:
        """Non-overlapping candidates, longest (in characters) first, then leftmost."""
        taken: list[_Candidate] = []
        for cand in sorted(candidates, key=lambda c: (c.start - c.end, c.start)):
            if all(cand.end <= t.start or cand.start >= t.end for t in taken):
                taken.append(cand)
        return sorted(taken, key=lambda c: c.start)

    # ----------------------------------------------------------------------------- resolving

    def _filter_by_prefix(self, cand: _Candidate) -> tuple[str, ...]:
        codes = cand.entry.codes
        if cand.prefix_level is None:
            return codes
        kept = tuple(c for c in codes if self.places[c].level == cand.prefix_level)
        return kept or codes

    def _qualifier(self, text: str, cand: _Candidate, chosen: list[_Candidate]) -> set[str]:
        """Ancestor codes named right after a common-name candidate ("Mata Air, Kaubun")."""
        for other in chosen:
            if other.start >= cand.end and _QUALIFIER_GAP.fullmatch(text, cand.end, other.start):
                return set(other.entry.codes)
        return set()

    def find(self, text: str) -> list[Mention]:
        """Places named in ``text`` (raw post text), in reading order."""
        if not text:
            return []
        lower = text.lower()
        if len(lower) != len(text):  # a few characters ("İ") grow when lower-cased
            lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        if "@" in lower or "://" in lower or "www." in lower:
            lower = _SKIP.sub(_blank, lower)
        if lower.isascii():  # bytes.translate is several times faster than str.translate
            words = lower.encode("ascii").translate(_ASCII_WORD_BYTES).decode("ascii").split(" ")
        else:
            words = lower.translate(_WORD_CHARS).split(" ")
        hashtags = "#" in lower
        if not hashtags and self._first_tokens.isdisjoint(words):
            return []  # the common case: no word can start a name
        candidates = self._plain_candidates(lower, words)
        if hashtags:
            candidates += self._hashtag_candidates(text, lower)
        if not candidates:
            return []
        firm = [c for c in candidates if not c.entry.common or c.prefix_level is not None]
        chosen = self._select(firm) if len(firm) > 1 else firm
        qualified: dict[_Candidate, tuple[str, ...]] = {}
        if len(firm) < len(candidates) and chosen:  # common names left: any qualified?
            qualified = self._qualified(text, candidates, chosen)
            if qualified:
                chosen = self._select(chosen + list(qualified))
        return self._resolve(text, chosen, qualified)

    def _qualified(
        self, text: str, candidates: list[_Candidate], chosen: list[_Candidate]
    ) -> dict[int, tuple[str, ...]]:
        """Common-name candidates kept because an ancestor follows, with their kept codes."""
        out: dict = {}
        for cand in candidates:
            if not cand.entry.common or cand.prefix_level is not None:
                continue
            following = self._qualifier(text, cand, chosen)
            if not following:
                continue
            kept = tuple(
                c for c in cand.entry.codes if following.intersection(self.ancestors(c)[1:])
            )
            if kept:
                out[cand] = kept
        return out

    def _resolve(
        self, text: str, chosen: list[_Candidate], qualified: Mapping[_Candidate, tuple[str, ...]]
    ) -> list[Mention]:
        options = [qualified.get(c) or self._filter_by_prefix(c) for c in chosen]
        resolved: list[str | None] = [o[0] if len(o) == 1 else None for o in options]
        context = [False] * len(chosen)
        changed = None in resolved and len(chosen) > 1
        while changed:  # a mention resolved by context may in turn resolve another
            changed = False
            for i, opts in enumerate(options):
                if resolved[i] is not None:
                    continue
                others = [r for j, r in enumerate(resolved) if j != i and r is not None]
                for related in (self._related, self._siblings):
                    supported = [c for c in opts if any(related(c, r) for r in others)]
                    if supported:
                        break
                if len(supported) == 1:
                    resolved[i], context[i], changed = supported[0], True, True
        return [
            self._mention(text, cand, opts, code, context[i], cand in qualified)
            for i, (cand, opts, code) in enumerate(zip(chosen, options, resolved, strict=True))
        ]

    def _related(self, code: str, other: str) -> bool:
        """One of the two codes contains the other (or they are equal)."""
        return other in self.ancestors(code) or code in self.ancestors(other)

    def _siblings(self, code: str, other: str) -> bool:
        """The two codes are different children of one parent (two desa of one kecamatan)."""
        mine, theirs = self.ancestors(code), self.ancestors(other)
        return code != other and len(mine) > 1 and len(theirs) > 1 and mine[1] == theirs[1]

    def _mention(
        self,
        text: str,
        cand: _Candidate,
        options: tuple[str, ...],
        code: str | None,
        by_context: bool,
        qualified: bool,
    ) -> Mention:
        ambiguous = code is None
        if ambiguous:
            code = self.common_ancestor(options)
            confidence = _CONF_AMBIGUOUS
        elif qualified:
            confidence = _CONF_QUALIFIED
        elif by_context:
            confidence = _CONF_CONTEXT
        elif cand.prefix_level is not None and self.places[code].level == cand.prefix_level:
            confidence = _CONF_PREFIXED
        else:
            confidence = _CONF_ALIAS if cand.entry.alias else _CONF_OFFICIAL
        name, level = self._describe(code) if code else (text[cand.start : cand.end], "")
        return Mention(
            code=code,
            name=name,
            level=level,
            start=cand.start,
            end=cand.end,
            surface=text[cand.start : cand.end],
            confidence=confidence,
            ambiguous=ambiguous,
            candidates=cand.entry.codes,
        )

    def codes(self, text: str) -> list[str]:
        """Distinct codes named in ``text``, most specific first, then in reading order.

        An ambiguous mention counts as its candidates' common ancestor."""
        seen: dict[str, int] = {}
        for mention in self.find(text):
            if mention.code and mention.code not in seen:
                seen[mention.code] = len(seen)
        return sorted(seen, key=lambda c: (-self._rank(c), seen[c]))
