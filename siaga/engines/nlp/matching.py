"""Claim matching: find, for each post, the already-debunked claims it most likely repeats.

A :class:`ClaimIndex` holds the claim texts as two TF-IDF matrices fitted on the claims:

* character n-grams (``char_wb`` 3–5), which survive informal spelling, affixes and typos
  ("dicoblos" / "coblos", "pilkada" / "pilkda");
* words and word pairs (1–2), with Indonesian function words and the boilerplate of
  fact-check retellings ("akun", "mengunggah", "tanda suka"...) dropped, which reward exact
  names and phrases ("makan bergizi gratis").

A post's score for a claim is the weighted mean of the two cosine similarities, so it lies in
[0, 1]. Fusing the two raised recall@1 on narrative → claim by about four points over the
character TF-IDF alone on both shared turnbackhoax sets (``benchmarks/media_match.py``); the
weight was tuned on the 2025–2026 set and is reported on both.

Posts are scored in batches with a sparse × sparse product, so memory stays bounded by
``batch_size × number of claims`` whatever the number of posts.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from siaga.engines.nlp.errors import TextDataError
from siaga.engines.nlp.normalise import normalise

__all__ = ["ClaimIndex", "OUT_COLUMNS", "clean_claim", "match_csv", "prepare"]

OUT_COLUMNS = ("row", "rank", "claim_row", "score")

# Weight of the character similarity in the fused score (the word similarity gets the rest);
# chosen on debunk_turnbackhoax_2025_2026 (0.5 and 0.6 were within half a point).
CHAR_WEIGHT = 0.6

DEFAULT_BATCH = 1024

# Verdict labels that fact-checkers put in front of a claim ("[SALAH] ...", "HOAKS: ...").
# They say nothing about the content and, left in, make every labelled claim look alike.
_LABEL_PREFIX = re.compile(
    r"^\s*(?:[\[\(]\s*)?(?:salah|hoaks|hoax|penipuan|parodi|satire|komedi|disinformasi|"
    r"misinformasi|fitnah|keliru|menyesatkan|konten yang dimanipulasi|konten palsu|"
    r"konteks keliru|cek fakta)\s*(?:[\]\):\-–—|]\s*)+",
    re.IGNORECASE,
)
_NON_WORD = re.compile(r"[^\w\s]|_", re.UNICODE)

# Words that carry no claim content: Indonesian function words and the stock phrases of a
# fact-check retelling of a post (platform, "uploaded", likes, shares...).
STOP_WORDS = frozenset(
    """
    yang dan di ke dari ini itu dengan untuk pada dalam tidak akan adalah sebagai oleh juga
    atau karena bahwa telah sudah ada para saat tersebut serta per hingga lebih berikut
    sebanyak mendapat mendapatkan menuai kali ia dia mereka kita kami kamu anda nya pun lah
    kah bagi agar supaya namun tetapi tapi jika kalau maka sehingga setelah sebelum ketika
    bisa dapat harus masih belum sangat semua setiap bahkan hanya lagi sedang yaitu yakni
    akun unggahan mengunggah diunggah membagikan dibagikan ulang narasi arsip takarir
    disertai tanda suka komentar pengguna lainnya facebook tiktok instagram twitter threads
    youtube whatsapp video foto konten klaim
    """.split()  # noqa: SIM905 - a word list reads better as prose
)


def clean_claim(text: str) -> str:
    """A claim without its verdict label prefix (``[SALAH]``, ``HOAKS:``...)."""
    text = str(text or "")
    # Labels can be stacked ("[HOAKS] [SALAH] ..."): strip until none is left.
    while True:
        stripped = _LABEL_PREFIX.sub("", text, count=1)
        if stripped == text:
            return text
        text = stripped


def prepare(text: str) -> str:
    """Normalised text with punctuation turned into spaces (the matcher's input form)."""
    return " ".join(_NON_WORD.sub(" ", normalise(text)).split())


def _vectoriser(kind: str) -> TfidfVectorizer:
    if kind == "char":
        return TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float32
        )
    return TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        sublinear_tf=True,
        stop_words=sorted(STOP_WORDS),
        dtype=np.float32,
    )


class ClaimIndex:
    """Debunked claims, ready to be matched against posts with :meth:`top_k`."""

    def __init__(self, claims: Sequence[str], *, char_weight: float = CHAR_WEIGHT) -> None:
        if not 0.0 <= char_weight <= 1.0:
            raise ValueError("char_weight must lie in [0, 1]")
        texts = [prepare(clean_claim(c)) for c in claims]
        if not any(texts):
            raise TextDataError("Tidak ada teks klaim yang bisa dicocokkan (semua kosong).")
        self.size = len(texts)
        # (vectoriser, fitted claim matrix transposed, weight); a part whose vocabulary is
        # empty (e.g. claims made only of stop words) is left out and its weight given away.
        parts: list[tuple[TfidfVectorizer, object, float]] = []
        for kind, weight in (("char", char_weight), ("word", 1.0 - char_weight)):
            if weight <= 0.0:
                continue
            vec = _vectoriser(kind)
            try:
                matrix = vec.fit_transform(texts)
            except ValueError:  # empty vocabulary
                continue
            parts.append((vec, matrix.T.tocsr(), weight))
        if not parts:
            raise TextDataError("Tidak ada teks klaim yang bisa dicocokkan (semua kosong).")
        total = sum(w for _, _, w in parts)
        self._parts = [(v, m, w / total) for v, m, w in parts]

    def __len__(self) -> int:
        return self.size

    def similarities(self, texts: Sequence[str]) -> np.ndarray:
        """Dense ``len(texts) × len(self)`` matrix of fused cosine scores in [0, 1]."""
        prepared = [prepare(t) for t in texts]
        scores = np.zeros((len(prepared), self.size), dtype=np.float32)
        for vec, claims_t, weight in self._parts:
            # Rows of both matrices are L2-normalised and non-negative: the product is the
            # cosine, already in [0, 1].
            scores += weight * (vec.transform(prepared) @ claims_t).toarray()
        np.clip(scores, 0.0, 1.0, out=scores)
        return scores

    def top_k(
        self, texts: Sequence[str], k: int, *, batch_size: int = DEFAULT_BATCH
    ) -> Iterator[list[tuple[int, float]]]:
        """For each text, its best ``min(k, len(self))`` claims as (claim index, score).

        Highest score first; ties go to the lower claim index, so the output is deterministic.
        """
        if k < 1:
            raise ValueError("k must be 1 or more")
        k = min(k, self.size)
        for start in range(0, len(texts), batch_size):
            for row in self.similarities(texts[start : start + batch_size]):
                yield _ranked(row, k)

    def match(self, text: str, k: int = 5) -> list[tuple[int, float]]:
        """The best ``k`` claims for one text."""
        return next(self.top_k([text], k))


def _ranked(row: np.ndarray, k: int) -> list[tuple[int, float]]:
    # Only the claims scoring at least the k-th best are sorted (argpartition-like, cheap for
    # 2k claims); ties at the cut all enter the sort, so the lower claim index wins them.
    if k < row.shape[0]:
        kth = np.partition(row, row.shape[0] - k)[row.shape[0] - k]
        candidates = np.flatnonzero(row >= kth)
    else:
        candidates = np.arange(row.shape[0])
    # Stable sort on the negated score: equal scores keep the ascending claim index.
    order = candidates[np.argsort(-row[candidates], kind="stable")][:k]
    return [(int(i), float(row[i])) for i in order]


def _open_rows(path: str | Path, column: str, what: str) -> tuple[object, Iterator[dict]]:
    handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed by caller
    try:
        reader = csv.DictReader(handle)
        header = reader.fieldnames
        if not header:
            raise TextDataError(f"Berkas {what} kosong: {path}")
        if column not in header:
            raise TextDataError(
                f"Kolom {column!r} tidak ada di berkas {what} {path} "
                f"(kolom yang ada: {', '.join(header)})"
            )
    except BaseException:
        handle.close()
        raise
    return handle, reader


def _batches(rows: Iterable[dict], column: str, size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for row in rows:
        batch.append(row.get(column) or "")
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def match_csv(
    *,
    claims: str | Path,
    claim_column: str,
    input: str | Path,  # noqa: A002 - the command's option name
    text_column: str,
    top: int,
    out: str | Path,
    progress: Callable[[str], None] | None = None,
    batch_size: int = DEFAULT_BATCH,
) -> int:
    """Match every row of ``input`` against the claims; write ``row,rank,claim_row,score``.

    Row numbers are 0-based data rows (header excluded) of the input and of the claims file.
    Each input row gets ``min(top, number of claims)`` lines, rank 1 first. Returns the number
    of input rows matched. Raises TextDataError for a missing column or an empty claims file.
    """
    if top < 1:
        raise TextDataError("--top harus 1 atau lebih.")
    say = progress or (lambda _msg: None)
    handle, reader = _open_rows(claims, claim_column, "klaim")
    with handle:
        claim_texts = [row.get(claim_column) or "" for row in reader]
    if not claim_texts:
        raise TextDataError(f"Berkas klaim tidak berisi baris data: {claims}")
    index = ClaimIndex(claim_texts)
    say(f"indeks klaim: {index.size} klaim")

    handle, reader = _open_rows(input, text_column, "masukan")
    done = 0
    with handle, open(out, "w", encoding="utf-8", newline="") as out_handle:
        writer = csv.writer(out_handle)
        writer.writerow(OUT_COLUMNS)
        for batch in _batches(reader, text_column, batch_size):
            for matches in index.top_k(batch, top, batch_size=batch_size):
                for rank, (claim_row, score) in enumerate(matches, start=1):
                    writer.writerow((done, rank, claim_row, f"{score:.4f}"))
                done += 1
            say(f"{done} baris dicocokkan")
    return done
