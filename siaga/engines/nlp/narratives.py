"""Narratives: social-media posts grouped with the near-duplicates and rewrites of one message.

A copy-paste campaign, a retweet with a comment and a hoax reworded slightly are one
*narrative*. Posts arrive in batches over days; the database keeps, for each narrative, the
signature of its first post (its *leader*) as bytes. :class:`NarrativeIndex` loads those leaders
(:meth:`NarrativeIndex.add`) and assigns each new post to the narrative whose leader it is most
similar to, or starts a new narrative (:meth:`NarrativeIndex.assign`).

**Similarity.** A post is the set of its words and word pairs (unigrams ∪ bigrams of the
normalised text). Words alone let unrelated posts on the same subject ("surat suara", "tps",
"curang") look alike; pairs alone punish a single swapped word twice. Two posts are compared by
the Jaccard similarity of those sets, estimated by MinHash: :data:`NUM_PERM` hash functions, the
signature keeps each function's minimum over the set and the share of equal minima estimates
the Jaccard similarity (standard error ≤ 0.045 with 128 functions).

**Candidates.** Comparing a post with every leader would grow with the number of narratives
(mostly singletons). Locality-sensitive hashing splits the signature in :data:`BANDS` bands of
:data:`ROWS` minima; a post is compared only with the leaders sharing at least one whole band.
A pair at Jaccard 0.5 shares a band with probability 1 − (1 − 0.5⁴)³² ≈ 0.87, at 0.6 ≈ 0.98,
at 0.2 ≈ 0.05, so the threshold (0.5 by default) sits where candidates are almost always found
and few unrelated leaders are scored.

**Threshold.** 0.5. On the labelled posts of ``tests/engines/test_nlp_narratives.py``, rewrites
of one message (a word or two swapped, slang, a comment of a few words before a copy, a clause
added, a clause moved) score 0.55–1.0 with their first post, posts on the same subject and
places but another message 0.0–0.25. On the synthetic benchmark (``benchmarks/media_narratives.py``,
100,000 posts) 0.5 has the best pairwise F1 of 0.4 / 0.5 / 0.6 (0.968 / 0.985 / 0.934): 0.4
merges messages built on the same templates, 0.6 splits campaigns. A retweet whose comment is
longer than the message it quotes falls below it and starts its own narrative: the comment is
then the message.

**Leaders.** A post is compared with leaders only, never with other members, so a narrative
does not drift away from its first post. The price: when a heavy rewrite arrives before any
close copy of the original it may start a narrative of its own, which its own copies then join.
A text already assigned by the index goes where its first occurrence went.

**Short posts.** A text of fewer than :data:`MIN_TOKENS` words (after normalisation) neither
starts nor joins a narrative: "setuju", "hoax itu" or "mantap pak" would gather thousands of
unrelated replies. Its :class:`Assignment` has ``key`` and ``new_key`` ``None``, similarity 0
and an empty signature.

**Determinism.** Words are hashed with BLAKE2b and the MinHash functions are derived from
BLAKE2b of fixed labels, never from Python's ``hash()`` (randomised per process) nor from a
random generator whose stream may change between NumPy versions: the same text gives the same
bytes in every process. The signature starts with a format byte so leaders stored with other
parameters are refused rather than compared wrongly.

**Speed.** Signatures are computed for a whole batch at once with NumPy (multiply-shift hashing
of 64-bit shingle hashes, ``minimum.reduceat`` per post, in chunks to bound memory); only the
band look-ups and the comparison with the few candidate leaders run per post in Python, and an
exact copy of an earlier text costs one dictionary look-up. 100,000 posts of ~175 characters
take about 8 s of CPU (benchmark above). ``datasketch`` (MinHash + MinHashLSH, one post at a
time) took 4.2 s of CPU for 10,000 of the same posts, about five times slower, and would have
been a new dependency; the scheme is the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BANDS",
    "DEFAULT_THRESHOLD",
    "MIN_TOKENS",
    "NUM_PERM",
    "ROWS",
    "Assignment",
    "NarrativeIndex",
    "similarity",
]

NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
DEFAULT_THRESHOLD = 0.5
MIN_TOKENS = 5

# Format byte of a signature: bump it whenever NUM_PERM, the shingles or the hashing change.
SIGNATURE_VERSION = 1
SIGNATURE_BYTES = 1 + 4 * NUM_PERM

# Posts whose shingles are hashed together; bounds the (shingles × NUM_PERM) work array.
_CHUNK_SHINGLES = 60_000
# The word-hash memo is dropped past this many words (a week of posts stays far below).
_MAX_MEMO = 2_000_000
_MASK64 = (1 << 64) - 1


def _blake64(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def _hash_functions() -> tuple[np.ndarray, np.ndarray]:
    """Odd multipliers and offsets of the multiply-shift hash family, fixed for ever."""
    mult = [_blake64(f"siaga-minhash-a-{i}".encode()) | 1 for i in range(NUM_PERM)]
    add = [_blake64(f"siaga-minhash-b-{i}".encode()) for i in range(NUM_PERM)]
    return np.array(mult, dtype=np.uint64), np.array(add, dtype=np.uint64)


_MULT, _ADD = _hash_functions()
# Mixes the hash of a word pair (first word × odd constant + second word, modulo 2**64).
_PAIR_MULT = np.uint64(_blake64(b"siaga-minhash-pair") | 1)
_SHIFT = np.uint64(32)
# Mixes the ROWS minima of a band into one 64-bit bucket key.
_BAND_MULT = np.array(
    [_blake64(f"siaga-band-{r}".encode()) | 1 for r in range(ROWS)], dtype=np.uint64
)


@dataclass(frozen=True)
class Assignment:
    """Where one post goes.

    ``key``: the existing narrative it joins (a key given to :meth:`NarrativeIndex.add`, or a
    ``new_key`` handed out earlier by the same index), else ``None``. ``new_key``: a fresh
    integer when the post starts a narrative, else ``None``. Both ``None``: too short to count.
    ``similarity``: estimated Jaccard similarity with the leader (1.0 for a new leader).
    """

    key: object | None
    new_key: int | None
    similarity: float
    signature: bytes


class NarrativeIndex:
    """Leaders of the known narratives, and the assignment of new posts to them."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, min_tokens: int = MIN_TOKENS) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")
        if min_tokens < 2:
            raise ValueError(f"min_tokens must be at least 2, got {min_tokens!r}")
        self.threshold = threshold
        self.min_tokens = min_tokens
        self._keys: list[Hashable] = []
        self._positions: dict[Hashable, int] = {}
        self._leaders = np.empty((64, NUM_PERM), dtype=np.uint32)
        self._buckets: list[dict[int, list[int]]] = [{} for _ in range(BANDS)]
        self._next_key = 1
        self._memo: dict[str, int] = {}
        # text → (leader position, similarity) of every text assigned so far
        self._seen: dict[str, tuple[int, float]] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._positions

    # -- signatures ---------------------------------------------------------------------------

    def signature(self, normalised_text: str) -> bytes:
        """The signature of one text (empty bytes when it is shorter than ``min_tokens``)."""
        minima = self._minhash([normalised_text])
        return b"" if minima[0] is None else _encode(minima[0])

    def _minhash(self, texts: Sequence[str]) -> list[np.ndarray | None]:
        """MinHash values (uint32, NUM_PERM) of each text, ``None`` for a too-short text."""
        out: list[np.ndarray | None] = [None] * len(texts)
        chunk_rows: list[int] = []
        chunk_tokens: list[list[int]] = []
        size = 0
        for row, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"text {row}: expected a normalised str, got {type(text).__name__}")
            words = text.split()
            if len(words) < self.min_tokens:
                continue
            chunk_rows.append(row)
            chunk_tokens.append(self._word_hashes(words))
            size += 2 * len(words)
            if size >= _CHUNK_SHINGLES:
                self._minhash_chunk(chunk_rows, chunk_tokens, out)
                chunk_rows, chunk_tokens, size = [], [], 0
        if chunk_rows:
            self._minhash_chunk(chunk_rows, chunk_tokens, out)
        return out

    def _word_hashes(self, words: list[str]) -> list[int]:
        memo = self._memo
        if len(memo) > _MAX_MEMO:
            memo.clear()
        hashes = []
        for word in words:
            h = memo.get(word)
            if h is None:
                h = memo[word] = _blake64(word.encode())
            hashes.append(h)
        return hashes

    @staticmethod
    def _minhash_chunk(
        rows: list[int], tokens: list[list[int]], out: list[np.ndarray | None]
    ) -> None:
        lengths = np.fromiter((len(t) for t in tokens), dtype=np.int64, count=len(tokens))
        words = np.fromiter(
            (h for t in tokens for h in t), dtype=np.uint64, count=int(lengths.sum())
        )
        ends = np.cumsum(lengths)
        # word i and word i+1 make a pair unless i is the last word of its post
        inside = np.ones(len(words) - 1, dtype=bool)
        inside[ends[:-1] - 1] = False
        pairs = words[:-1][inside] * _PAIR_MULT + words[1:][inside]
        # the MinHash of a union is the minimum of the MinHashes of its parts
        word_minima = _minima(words, ends - lengths)
        pair_minima = _minima(pairs, ends - lengths - np.arange(len(lengths)))
        minima = np.ascontiguousarray(np.minimum(word_minima, pair_minima))
        for i, row in enumerate(rows):
            out[row] = minima[i]

    # -- leaders ------------------------------------------------------------------------------

    def add(self, key: object, signature: bytes) -> None:
        """Load the leader of an existing narrative (its stored signature)."""
        if key is None:
            raise ValueError("narrative key must not be None")
        if key in self._positions:
            raise ValueError(f"narrative {key!r}: already in the index")
        minima = _decode(signature, key)
        self._insert(key, minima, _band_keys(minima))

    def rename(self, old_key: object, new_key: object) -> None:
        """Give a narrative another key (e.g. its database id once a new narrative is saved)."""
        if new_key is None:
            raise ValueError("narrative key must not be None")
        if new_key in self._positions:
            raise ValueError(f"narrative {new_key!r}: already in the index")
        position = self._positions.pop(old_key)
        self._positions[new_key] = position
        self._keys[position] = new_key

    def _insert(self, key: Hashable, minima: np.ndarray, band_keys: list[int]) -> None:
        position = len(self._keys)
        if position == len(self._leaders):
            grown = np.empty((2 * position, NUM_PERM), dtype=np.uint32)
            grown[:position] = self._leaders
            self._leaders = grown
        self._leaders[position] = minima
        self._keys.append(key)
        self._positions[key] = position
        for bucket, bucket_key in zip(self._buckets, band_keys, strict=True):
            found = bucket.get(bucket_key)
            if found is None:
                bucket[bucket_key] = [position]
            else:
                found.append(position)

    def _fresh_key(self) -> int:
        while self._next_key in self._positions:
            self._next_key += 1
        key = self._next_key
        self._next_key += 1
        return key

    # -- assignment ---------------------------------------------------------------------------

    def assign(self, normalised_texts: Sequence[str]) -> list[Assignment]:
        """One :class:`Assignment` per text, in order; a post may join a narrative started by an
        earlier post of the same batch. A text seen before by this index goes where its first
        occurrence went (copy-paste campaigns cost one dictionary look-up per copy)."""
        for row, text in enumerate(normalised_texts):
            if not isinstance(text, str):
                raise TypeError(f"text {row}: expected a normalised str, got {type(text).__name__}")
        distinct = list(dict.fromkeys(normalised_texts))
        minima_of = dict(zip(distinct, self._minhash(distinct), strict=True))
        fresh = [t for t in distinct if t not in self._seen and minima_of[t] is not None]
        band_keys_of = dict(zip(fresh, _band_keys_many([minima_of[t] for t in fresh]), strict=True))
        signature_of: dict[str, bytes] = {}
        if len(self._seen) > _MAX_MEMO:
            self._seen.clear()
        result: list[Assignment] = []
        for text in normalised_texts:
            minima = minima_of[text]
            if minima is None:
                result.append(Assignment(None, None, 0.0, b""))
                continue
            signature = signature_of.get(text)
            if signature is None:
                signature = signature_of[text] = _encode(minima)
            seen = self._seen.get(text)
            if seen is None:
                position, similarity = self._best_leader(minima, band_keys_of[text])
                if position is None:
                    position, similarity = len(self._keys), 1.0
                    self._insert(self._fresh_key(), minima, band_keys_of[text])
                    result.append(Assignment(None, self._keys[position], 1.0, signature))
                    self._seen[text] = (position, 1.0)
                    continue
                seen = self._seen[text] = (position, similarity)
            result.append(Assignment(self._keys[seen[0]], None, seen[1], signature))
        return result

    def _best_leader(self, minima: np.ndarray, keys: list[int]) -> tuple[int | None, float]:
        candidates: set[int] = set()
        for bucket, bucket_key in zip(self._buckets, keys, strict=True):
            found = bucket.get(bucket_key)
            if found:
                candidates.update(found)
        if not candidates:
            return None, 0.0
        ordered = sorted(candidates)
        equal = np.count_nonzero(self._leaders[ordered] == minima, axis=1)
        best = int(np.argmax(equal))  # first maximum: the oldest leader wins a tie
        similarity = float(equal[best]) / NUM_PERM
        if similarity < self.threshold:
            return None, 0.0
        return ordered[best], similarity


def similarity(signature_a: bytes, signature_b: bytes) -> float:
    """Estimated Jaccard similarity of the texts behind two signatures (0.0 if one is empty)."""
    if not signature_a or not signature_b:
        return 0.0
    a, b = _decode(signature_a, "a"), _decode(signature_b, "b")
    return float(np.count_nonzero(a == b)) / NUM_PERM


def _minima(shingles: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Per segment (a post's shingles start at its offset), the minimum of each hash function.

    Hash functions run along the rows so that each minimum is taken over contiguous memory
    (about five times faster than the transposed layout).
    """
    hashed = _MULT[:, None] * shingles[None, :]
    hashed += _ADD[:, None]
    hashed >>= _SHIFT
    return np.minimum.reduceat(hashed.astype(np.uint32), offsets, axis=1).T


def _encode(minima: np.ndarray) -> bytes:
    return bytes([SIGNATURE_VERSION]) + minima.astype("<u4").tobytes()


def _decode(signature: bytes, key: object) -> np.ndarray:
    if not isinstance(signature, bytes | bytearray | memoryview):
        raise TypeError(f"narrative {key!r}: signature must be bytes, got {type(signature)}")
    raw = bytes(signature)
    if len(raw) != SIGNATURE_BYTES or raw[0] != SIGNATURE_VERSION:
        raise ValueError(
            f"narrative {key!r}: signature is not a version-{SIGNATURE_VERSION} signature of "
            f"{SIGNATURE_BYTES} bytes (got {len(raw)} bytes)"
        )
    return np.frombuffer(raw, dtype="<u4", offset=1).astype(np.uint32)


def _band_keys_many(minima: list[np.ndarray]) -> list[list[int]]:
    """The BANDS bucket keys of each signature, computed for all signatures at once."""
    if not minima:
        return []
    matrix = np.stack(minima).astype(np.uint64).reshape(len(minima), BANDS, ROWS)
    mixed = (matrix * _BAND_MULT).sum(axis=2, dtype=np.uint64)
    return mixed.tolist()


def _band_keys(minima: np.ndarray) -> list[int]:
    return _band_keys_many([minima])[0]
