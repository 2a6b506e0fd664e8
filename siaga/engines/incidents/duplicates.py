"""Which reports are probably the same event told twice (or by two reporters)?

A pair scores on four kinds of evidence, each between 0 and 1: the place (same TPS, same desa,
or a short distance between map points), the time between the two events, the category, and
the text (word and character-trigram overlap after light normalisation of informal Indonesian).
The score is a weighted sum; a pair is suggested when the category matches, the events are
close in place and time, and the score reaches ``threshold``. Suggestions are for an analyst to
confirm: nothing is merged automatically.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

MAX_HOURS = 6.0  # events further apart are not the same event
MAX_KM = 3.0  # nor are points further apart
WEIGHTS = {"place": 0.35, "time": 0.2, "text": 0.45}
DEFAULT_THRESHOLD = 0.55

_STOP = frozenset(
    [
        "di",
        "ke",
        "dari",
        "yang",
        "dan",
        "atau",
        "ini",
        "itu",
        "ada",
        "tps",
        "dengan",
        "untuk",
        "pada",
        "oleh",
        "akan",
        "telah",
        "sudah",
        "juga",
        "saya",
        "kami",
        "kita",
        "mereka",
        "dia",
        "ia",
        "nya",
        "pak",
        "bu",
        "ya",
        "tidak",
        "tak",
    ]
)
_SLANG = {
    "gak": "tidak", "ga": "tidak", "nggak": "tidak", "tdk": "tidak", "yg": "yang",
    "dgn": "dengan", "utk": "untuk", "sdh": "sudah", "blm": "belum", "org": "orang",
    "duit": "uang", "bgt": "sekali", "krn": "karena", "dr": "dari",
}  # fmt: skip


@dataclass(frozen=True)
class Report:
    id: int
    category: str
    occurred_at: dt.datetime
    region_code: str
    tps_id: int | None
    lat: float | None
    lon: float | None
    text: str


@dataclass(frozen=True)
class Suggestion:
    id: int
    other_id: int
    score: float
    place: float
    time: float
    text: float
    reasons: tuple[str, ...]


def normalise(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    out = []
    for word in words:
        word = re.sub(r"(.)\1{2,}", r"\1", word)  # "amplooop" -> "amplop"
        word = _SLANG.get(word, word)
        if len(word) > 1 and word not in _STOP:
            out.append(word)
    return out


def _trigrams(words: list[str]) -> set[str]:
    grams: set[str] = set()
    for word in words:
        padded = f" {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def text_similarity(a: str, b: str) -> float:
    wa, wb = normalise(a), normalise(b)
    return 0.5 * _jaccard(set(wa), set(wb)) + 0.5 * _jaccard(_trigrams(wa), _trigrams(wb))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    rlat1, rlat2 = math.radians(lat1), math.radians(lat2)
    dlat, dlon = rlat2 - rlat1, math.radians(lon2 - lon1)
    h = math.sin(dlat / 2) ** 2 + math.cos(rlat1) * math.cos(rlat2) * math.sin(dlon / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def place_similarity(a: Report, b: Report) -> tuple[float, str | None]:
    if a.tps_id is not None and a.tps_id == b.tps_id:
        return 1.0, "same_tps"
    if None not in (a.lat, a.lon, b.lat, b.lon):
        km = distance_km(a.lat, a.lon, b.lat, b.lon)
        if km <= MAX_KM:
            return max(0.0, 1.0 - km / MAX_KM) * 0.9 + 0.1, "nearby"
    if a.region_code == b.region_code:
        return 0.6, "same_desa"
    return 0.0, None


def pair_score(a: Report, b: Report) -> Suggestion | None:
    """The evidence that ``a`` and ``b`` are one event; None when they cannot be."""
    if a.category != b.category:
        return None
    hours = abs((a.occurred_at - b.occurred_at).total_seconds()) / 3600
    if hours > MAX_HOURS:
        return None
    place, place_reason = place_similarity(a, b)
    if place_reason is None:
        return None
    time = 1.0 - hours / MAX_HOURS
    text = text_similarity(a.text, b.text)
    score = WEIGHTS["place"] * place + WEIGHTS["time"] * time + WEIGHTS["text"] * text
    reasons = ["same_category", place_reason]
    if hours <= 1:
        reasons.append("close_in_time")
    if text >= 0.4:
        reasons.append("similar_text")
    return Suggestion(
        a.id, b.id, round(score, 3), round(place, 3), round(time, 3), round(text, 3), tuple(reasons)
    )


def suggest(
    report: Report, candidates: Iterable[Report], *, threshold: float = DEFAULT_THRESHOLD
) -> list[Suggestion]:
    """The candidates that are probably the same event as ``report``, best first."""
    found = []
    for other in candidates:
        if other.id == report.id:
            continue
        suggestion = pair_score(report, other)
        if suggestion is not None and suggestion.score >= threshold:
            found.append(suggestion)
    return sorted(found, key=lambda s: (-s.score, s.other_id))
