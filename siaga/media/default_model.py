"""The social-media classifier Siaga ships: trained on its own seed corpus, not on others' data.

The public Indonesian corpora (hate speech, abusive language, hoaxes) are non-commercial or carry
no licence, so a model trained on them may be used for development and evaluation but not shipped.
Siaga therefore ships a small labelled corpus written by its developers under the project's own
licence (``seed/labelled.csv``, described in ``seed/README.md``) and trains the default model from
it on the deployment's machine, at install or first use. A deployment improves the model by adding
its analysts' decisions (``extra``); those rows stay in the deployment and are only counted on the
card.

Plain Python (no Django): the Django side passes the analysts' decisions as (text, labels) pairs.
The files written are those of :func:`siaga.engines.nlp.classifier.train_csv` (``model.joblib``,
``card.json``, ``README.md``), so the model loads and explains like any other Siaga text model.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from siaga.engines.nlp.classifier import (
    CARD_FILE,
    CV_FOLDS,
    MODEL_DESCRIPTION,
    MODEL_FILE,
    README_FILE,
    fit,
    requires_by_name,
)
from siaga.engines.nlp.errors import TextDataError

SEED_DIR = Path(__file__).resolve().parent / "seed"
SEED_CSV = SEED_DIR / "labelled.csv"
LABELS = ("hoaks", "ujaran_kebencian", "sara", "provokasi", "kasar", "politik")
SEPARATOR = "|"
PROJECT_LICENCE = "MIT"  # pyproject.toml / LICENSE; the seed corpus is released under it

Progress = Callable[[str], None]


def _quiet(_msg: str) -> None:
    return None


def _parse_labels(value: str, where: str) -> list[str]:
    labels = [v.strip() for v in (value or "").split(SEPARATOR) if v.strip()]
    unknown = [lab for lab in labels if lab not in LABELS]
    if unknown:
        raise TextDataError(
            f"{where}, field 'labels': unknown label(s) {', '.join(map(repr, unknown))} "
            f"(known: {', '.join(LABELS)})"
        )
    return labels


def seed_rows() -> list[tuple[str, list[str]]]:
    """The seed corpus as (text, labels) pairs, in file order; bad rows raise TextDataError."""
    rows: list[tuple[str, list[str]]] = []
    with SEED_CSV.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != ["text", "labels"]:
            raise TextDataError(
                f"{SEED_CSV.name}: header must be text,labels, not {reader.fieldnames!r}"
            )
        for line, row in enumerate(reader, start=2):
            where = f"{SEED_CSV.name} row {line}"
            text = (row["text"] or "").strip()
            if not text:
                raise TextDataError(f"{where}, field 'text': empty")
            rows.append((text, _parse_labels(row["labels"], where)))
    return rows


def _check_extra(extra: Iterable[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    checked = []
    for i, item in enumerate(extra, start=1):
        try:
            text, labels = item
        except (TypeError, ValueError):
            raise TextDataError(f"extra row {i}: expected a (text, labels) pair") from None
        if not isinstance(text, str) or not text.strip():
            raise TextDataError(f"extra row {i}, field 'text': empty or not a string")
        if isinstance(labels, str):
            labels = labels.split(SEPARATOR)
        checked.append((text, _parse_labels(SEPARATOR.join(labels), f"extra row {i}")))
    return checked


def _card(n_seed: int, n_extra: int, model, scores: dict[str, float]) -> dict:
    import sklearn

    macro = round(sum(scores.values()) / len(scores), 4)
    return {
        "labels": model.labels,
        "multi_label": True,
        "separator": SEPARATOR,
        "data_file": SEED_CSV.name,
        "rows": n_seed + n_extra,
        "rows_used": n_seed + n_extra,
        "rows_skipped_without_label": 0,
        "text_column": "text",
        "label_column": "labels",
        "data": (
            f"Siaga seed corpus ({n_seed} rows, written by the Siaga developers, licence "
            f"{PROJECT_LICENCE} = the project licence; see siaga/media/seed/README.md) + "
            f"{n_extra} analyst-labelled posts of this deployment"
        ),
        "seed_rows": n_seed,
        "analyst_rows": n_extra,
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "heldout": {
            "method": f"{CV_FOLDS}-fold out-of-fold predictions on the training rows",
            "f1": scores,
            "macro_f1": macro,
        },
        "scores": scores,  # the same out-of-fold F1 per label, at the top level for audit logs
        "thresholds": dict(zip(model.labels, map(float, model.thresholds), strict=True)),
        "requires": requires_by_name(model),
        "model": MODEL_DESCRIPTION,
        "scikit_learn": sklearn.__version__,
        "licence": (
            f"{PROJECT_LICENCE} (Siaga project licence) for the seed corpus; the analyst-labelled "
            "posts belong to this deployment and are not included"
        ),
    }


def _readme(card: dict) -> str:
    lines = [
        "# Siaga default social-media classifier",
        "",
        f"- Labels (multi-label): {', '.join(card['labels'])}",
        f"- Data: {card['data']}. No data is included here.",
        f"- Licence: {card['licence']}.",
        "- No third-party corpus was used for training (the public corpora are non-commercial or "
        "unlicensed; they only serve as an external check in benchmarks/media_default_model.py).",
        f"- Trained: {card['trained_at']} with scikit-learn {card['scikit_learn']}.",
        f"- Model: {card['model']}.",
        f"- Held-out ({card['heldout']['method']}) macro-F1: {card['heldout']['macro_f1']:.3f}",
        "",
        "| label | F1 | threshold |",
        "|---|---|---|",
    ]
    lines += [
        f"| {k} | {v:.3f} | {card['thresholds'][k]:.3f} |" for k, v in card["heldout"]["f1"].items()
    ]
    lines += [
        f"- {label} is given only with {', '.join(needed)} (it never comes without it in the data)."
        for label, needed in card.get("requires", {}).items()
    ]
    lines += [
        "",
        "The seed corpus is small and synthetic: scores on real posts are lower than these "
        "out-of-fold figures. Add analysts' decisions to improve it.",
        "",
        "Intended use: triage of public posts for human analysts; never an automatic verdict.",
        "",
    ]
    return "\n".join(lines)


def train_default(
    out_dir: Path,
    extra: Iterable[tuple[str, list[str]]] = (),
    progress: Progress = _quiet,
) -> dict:
    """Train the multi-label model on the seed corpus plus ``extra`` (analysts' decisions) and
    write model.joblib, card.json and README.md into ``out_dir``; return the card.

    model.joblib is written last (through a temporary file), so a folder holding it always holds
    its card as well: :func:`ensure_default` relies on that.
    """
    import joblib

    seed = seed_rows()
    added = _check_extra(extra)
    rows = seed + added
    progress(f"{len(seed)} seed rows + {len(added)} analyst rows")
    model, scores = fit(
        [t for t, _ in rows], [labs for _, labs in rows], multi_label=True, progress=progress
    )
    missing = set(LABELS) - set(model.labels)
    if missing:
        raise TextDataError(f"no training row has the label(s) {', '.join(sorted(missing))}")
    card = _card(len(seed), len(added), model, scores)
    progress(
        f"held-out macro-F1 {card['heldout']['macro_f1']:.3f}: "
        + ", ".join(f"{k} {v:.3f}" for k, v in scores.items())
    )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / CARD_FILE).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", "utf-8")
    (out_dir / README_FILE).write_text(_readme(card), "utf-8")
    tmp = out_dir / f".{MODEL_FILE}.tmp"
    joblib.dump(model, tmp, compress=3)
    os.replace(tmp, out_dir / MODEL_FILE)
    progress(f"model written to {out_dir}")
    return card


def ensure_default(out_dir: Path) -> Path:
    """Train the default model into ``out_dir`` unless a model is already there (first use)."""
    out_dir = Path(out_dir)
    if not (out_dir / MODEL_FILE).exists():
        train_default(out_dir)
    return out_dir
