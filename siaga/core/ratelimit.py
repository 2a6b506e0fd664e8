"""Fixed-window rate limits kept in the shared cache (a folder on one machine, Redis on many).

``rate_hit("public-ip", ip, limit=5, window=3600)`` counts one attempt and says whether it is
still within the limit. Keys are hashed, so the cache never holds an IP address or a NIK.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def _key(bucket: str, subject: str, window: int) -> str:
    slot = int(time.time()) // window
    digest = hashlib.sha256(f"{bucket}:{subject}".encode()).hexdigest()[:32]
    return f"siaga-rl:{bucket}:{digest}:{slot}"


def rate_hit(bucket: str, subject: str, *, limit: int, window: int) -> bool:
    """Count one attempt of ``subject`` in ``bucket``; True while at most ``limit`` per window."""
    key = _key(bucket, subject, window)
    if cache.add(key, 1, timeout=window + 5):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 5)
        count = 1
    return count <= limit


def rate_reset(bucket: str, subject: str, *, window: int) -> None:
    cache.delete(_key(bucket, subject, window))
