"""The deployment's text model: loaded once per process, trained on first use, retrained with
the analysts' decisions.

The model that ships is trained from Siaga's own seed corpus (``siaga/media/seed/``, written by
the Siaga developers, under the project's licence; see ``siaga.media.default_model``) the first
time it is needed. ``retrain`` adds every post an analyst has labelled, so a deployment's model
learns its own local hoaxes; the new model is written beside the old one and swapped in by a
rename, so a process never loads half a model.
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

from django.conf import settings
from django.db import transaction

from siaga.core.audit import AuditContext, audit_record
from siaga.engines.nlp import classifier
from siaga.media import default_model

_lock = threading.Lock()
_cache: dict[str, object] = {}


def model_dir() -> Path:
    return Path(settings.SIAGA_MEDIA_MODEL_DIR)


def card() -> dict:
    path = model_dir() / classifier.CARD_FILE
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def version() -> str:
    """A short name of the model in use (its training time), stored with every score."""
    trained = str(card().get("trained_at", ""))
    return trained[:19] or "?"


def current() -> classifier.TextModel:
    """The model, trained from the seed corpus if there is none yet; reloaded when replaced."""
    folder = model_dir()
    with _lock:
        default_model.ensure_default(folder)
        stamp = (folder / classifier.MODEL_FILE).stat().st_mtime_ns
        if _cache.get("stamp") != (str(folder), stamp):
            _cache["model"] = classifier.load(folder)
            _cache["stamp"] = (str(folder), stamp)
        return _cache["model"]  # type: ignore[return-value]


def analyst_rows() -> list[tuple[str, list[str]]]:
    """Every post an analyst has labelled (an empty list means: none of the labels)."""
    from siaga.media.models import Post

    rows = Post.objects.filter(analyst_labels__isnull=False).values_list("text", "analyst_labels")
    return [(text, list(labels)) for text, labels in rows.iterator(chunk_size=2000)]


def retrain(*, context: AuditContext, progress=lambda _m: None) -> dict:
    """Train a new model on the seed corpus plus the analysts' decisions and swap it in."""
    folder = model_dir()
    folder.parent.mkdir(parents=True, exist_ok=True)
    extra = analyst_rows()
    staging = folder.with_name(folder.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    before = card()
    new_card = default_model.train_default(staging, extra=extra, progress=progress)
    retired = folder.with_name(folder.name + ".old")
    shutil.rmtree(retired, ignore_errors=True)
    with _lock:
        if folder.exists():
            folder.rename(retired)
        staging.rename(folder)
        _cache.clear()
    shutil.rmtree(retired, ignore_errors=True)
    with transaction.atomic():
        audit_record(
            context=context,
            action="media.model_retrained",
            object_type="media.model",
            object_id=str(new_card.get("trained_at", ""))[:19],
            object_repr="model teks",
            before={"trained_at": before.get("trained_at")},
            after={
                "trained_at": new_card.get("trained_at"),
                "analyst_rows": len(extra),
                "scores": new_card.get("scores"),
            },
            region_code=settings.SIAGA_REGENCY_CODE,
        )
    return new_card
