"""External check of Siaga's default social-media model (trained on the seed corpus only).

The default model is trained on siaga/media/seed/labelled.csv, a small corpus the Siaga
developers wrote themselves, because the public corpora may not be shipped in a model. Its
out-of-fold F1 on the seed corpus is optimistic (the corpus is synthetic and its sentence
shapes recur across folds), so this script measures it on real posts it has never seen: the
shared train splits in ../shared/data/text/ (the held-out 20 % is never looked at), wherever a
dataset's label maps onto one of Siaga's:

    netifier_toxic       sara -> sara, radikalisme -> provokasi
    id_multilabel_hs     HS -> ujaran_kebencian, Abusive -> kasar, HS_Religion|HS_Race -> sara
    id_abusive           abusive|offensive -> kasar
    id_hatespeech_alfina HS -> ujaran_kebencian
    hoax_social_bdc2020  hoax -> hoaks
    id_hoax_news_pratiwi hoax -> hoaks

Printed per mapping: rows, share of positives, precision, recall and F1 of the default model,
and the F1 of the trivial "always positive" rule (2p / (1 + p)) as the floor to beat. The
mappings are approximate (the corpora's definitions differ from the TP3D's), so read these as
an order of magnitude, not as a target.

    .venv/bin/python benchmarks/media_default_model.py [--max-rows 0]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from _common import print_table  # noqa: E402

from siaga.engines.nlp.classifier import load  # noqa: E402
from siaga.media.default_model import train_default  # noqa: E402

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "text"

# (dataset, label column, multi-label?, source labels counted as positive, Siaga label)
MAPPINGS = [
    ("netifier_toxic", "labels", True, {"sara"}, "sara"),
    ("netifier_toxic", "labels", True, {"radikalisme"}, "provokasi"),
    ("id_multilabel_hs", "labels", True, {"HS"}, "ujaran_kebencian"),
    ("id_multilabel_hs", "labels", True, {"Abusive"}, "kasar"),
    ("id_multilabel_hs", "labels", True, {"HS_Religion", "HS_Race"}, "sara"),
    ("id_abusive", "label", False, {"abusive", "offensive"}, "kasar"),
    ("id_hatespeech_alfina", "label", False, {"HS"}, "ujaran_kebencian"),
    ("hoax_social_bdc2020", "label", False, {"hoax"}, "hoaks"),
    ("id_hoax_news_pratiwi", "label", False, {"hoax"}, "hoaks"),
]


def load_rows(name: str, column: str, multi: bool, max_rows: int) -> list[tuple[str, set[str]]]:
    csv.field_size_limit(sys.maxsize)
    with (DATA / name / "train.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if max_rows and len(rows) > max_rows:
        rows = random.Random(2024).sample(rows, max_rows)  # noqa: S311 - a sample, not a secret
    out = []
    for r in rows:
        value = r[column] or ""
        labels = {x for x in value.split("|") if x} if multi else {value}
        out.append((r["text"], labels))
    return out


def scores(truth: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    tp = float(np.sum(truth & pred))
    precision = tp / pred.sum() if pred.sum() else 0.0
    recall = tp / truth.sum() if truth.sum() else 0.0
    f1 = 2 * tp / (truth.sum() + pred.sum()) if truth.sum() + pred.sum() else 0.0
    return precision, recall, f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-rows", type=int, default=0, help="sample per dataset (0 = all)")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"SKIPPED: {DATA} is absent; the external check needs the shared corpora.")
        return

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        card = train_default(Path(tmp))
        train_s = time.perf_counter() - t0
        model = load(Path(tmp))
    print(f"Default model: {card['data']}")
    print(f"Trained in {train_s:.1f} s; seed out-of-fold F1 (optimistic, synthetic corpus):")
    print_table(
        ["label", "oof_F1", "threshold"],
        [[k, f"{v:.3f}", f"{card['thresholds'][k]:.3f}"] for k, v in card["heldout"]["f1"].items()]
        + [["macro", f"{card['heldout']['macro_f1']:.3f}", ""]],
    )
    print()

    cache: dict[str, tuple[list[tuple[str, set[str]]], np.ndarray]] = {}
    table = []
    for name, column, multi, positives, label in MAPPINGS:
        if not (DATA / name / "train.csv").exists():
            table.append([name, "+".join(sorted(positives)), label, "absent", "", "", "", "", ""])
            continue
        if name not in cache:
            rows = load_rows(name, column, multi, args.max_rows)
            cache[name] = (rows, model.predict_proba([t for t, _ in rows]))
        rows, proba = cache[name]
        truth = np.array([bool(labs & positives) for _, labs in rows])
        j = model.labels.index(label)
        pred = proba[:, j] >= model.thresholds[j]
        p, r, f1 = scores(truth, pred)
        share = float(truth.mean())
        table.append(
            [
                name,
                "|".join(sorted(positives)),
                label,
                len(rows),
                f"{share:.3f}",
                f"{p:.3f}",
                f"{r:.3f}",
                f"{f1:.3f}",
                f"{2 * share / (1 + share):.3f}",
            ]
        )
    print("External check on the shared corpora (never used for training):")
    print_table(["dataset", "source", "siaga", "rows", "pos", "P", "R", "F1", "F1_all_pos"], table)


if __name__ == "__main__":
    main()
