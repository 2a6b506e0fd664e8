"""Benchmark of the text classifiers (siaga.engines.nlp.classifier) against a plain baseline.

K-fold cross-validation on the shared *train* splits only (../shared/data/text/<dataset>/
train.csv; the held-out 20 % is never looked at): for each fold, Siaga's classifier (normalise +
TF-IDF word 1-2 + char_wb 2-5, one-vs-rest balanced logistic regression, Platt calibration,
per-label thresholds for multi-label) and the baseline (TF-IDF word 1-2 on the raw lower-cased
text + LinearSVC, one-vs-rest for multi-label) are trained on the other folds and scored on it.

Printed per dataset and method: macro-F1 (mean over folds; per label for multi-label sets, per
class for single-label sets), the F1 of the weak minority classes the issue names (non_hoax,
sara, HS_Religion, HS_Race), training time per fold and classification speed (posts/s on one
core, raw text in, labels out). Issue 6's target: Siaga >= baseline + 0.03 macro-F1.

    .venv/bin/python benchmarks/media.py [--folds 5] [--max-rows 0]
        [--datasets id_multilabel_hs,netifier_toxic,hoax_social_bdc2020,...]   (default: all five)
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # the speed figure is for one core
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from _common import _cpu_model, print_table  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.model_selection import KFold, StratifiedKFold  # noqa: E402
from sklearn.multiclass import OneVsRestClassifier  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from siaga.engines.nlp.classifier import fit  # noqa: E402

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "text"
# dataset: (label column, multi-label?)
DATASETS = {
    "id_multilabel_hs": ("labels", True),
    "netifier_toxic": ("labels", True),
    "hoax_social_bdc2020": ("label", False),
    "id_hatespeech_alfina": ("label", False),
    "id_abusive": ("label", False),
}
WEAK = ("non_hoax", "sara", "HS_Religion", "HS_Race")


def load(name: str, max_rows: int) -> tuple[list[str], list, bool]:
    column, multi = DATASETS[name]
    path = DATA / name / "train.csv"
    if not path.exists():
        raise SystemExit(f"{path} is absent (see ../shared/data/text/README.md)")
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if max_rows and len(rows) > max_rows:
        rows = random.Random(2024).sample(rows, max_rows)  # noqa: S311 - a sample, not a secret
    texts = [r["text"] for r in rows]
    if multi:
        targets = [[x for x in r[column].split("|") if x] for r in rows]
    else:
        targets = [r[column] for r in rows]
    return texts, targets, multi


def f1_per_label(truth: np.ndarray, pred: np.ndarray) -> np.ndarray:
    tp = (truth & pred).sum(axis=0)
    denom = truth.sum(axis=0) + pred.sum(axis=0)
    return np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)


def indicator(targets: list, labels: list[str], multi: bool) -> np.ndarray:
    if multi:
        return np.array([[lab in set(t) for lab in labels] for t in targets], dtype=bool)
    return np.array([[t == lab for lab in labels] for t in targets], dtype=bool)


def run_siaga(tr_x, tr_y, te_x, multi, labels):
    t0 = time.perf_counter()
    model, _ = fit(tr_x, tr_y, multi_label=multi)
    train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pred = model.predict(te_x)
    rate = len(te_x) / (time.perf_counter() - t0)
    return indicator(pred, labels, multi), train_s, rate


def run_baseline(tr_x, tr_y, te_x, multi, labels):
    t0 = time.perf_counter()
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    X = vec.fit_transform(tr_x)
    if multi:
        Y = indicator(tr_y, labels, True).astype(int)
        keep = Y.sum(axis=0) > 0
        clf = OneVsRestClassifier(LinearSVC()).fit(X, Y[:, keep])
    else:
        clf = LinearSVC().fit(X, tr_y)
    train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = clf.predict(vec.transform(te_x))
    rate = len(te_x) / (time.perf_counter() - t0)
    if multi:
        pred = np.zeros((len(te_x), len(labels)), dtype=bool)
        pred[:, keep] = out.astype(bool)
        return pred, train_s, rate
    return indicator(list(out), labels, False), train_s, rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--max-rows", type=int, default=0, help="sample per dataset (0 = all)")
    args = parser.parse_args()
    names = [n.strip() for n in args.datasets.split(",") if n.strip()]
    for n in names:
        if n not in DATASETS:
            raise SystemExit(f"unknown dataset {n!r}; choose from {', '.join(DATASETS)}")
    print(f"# media classifiers, {args.folds}-fold CV on the shared train splits")
    print(
        f"# {_cpu_model()}, Python {platform.python_version()}, max rows {args.max_rows or 'all'}"
    )
    table = []
    for name in names:
        texts, targets, multi = load(name, args.max_rows)
        if multi:
            labels = sorted({x for t in targets for x in t})
            splitter = KFold(args.folds, shuffle=True, random_state=2024)
            strat = None
        else:
            labels = sorted(set(targets))
            splitter = StratifiedKFold(args.folds, shuffle=True, random_state=2024)
            strat = targets
        truth_all = indicator(targets, labels, multi)
        results: dict[str, list] = {"siaga": [], "tfidf+linearsvc": []}
        for k, (tr, te) in enumerate(splitter.split(texts, strat), 1):
            tr_x = [texts[i] for i in tr]
            te_x = [texts[i] for i in te]
            tr_y = [targets[i] for i in tr]
            for method, runner in (("siaga", run_siaga), ("tfidf+linearsvc", run_baseline)):
                pred, train_s, rate = runner(tr_x, tr_y, te_x, multi, labels)
                f1 = f1_per_label(truth_all[te], pred)
                results[method].append((f1, train_s, rate))
            print(f"{name}: fold {k}/{args.folds} done", file=sys.stderr, flush=True)
        for method, folds in results.items():
            f1 = np.mean([f for f, _, _ in folds], axis=0)
            weak = ", ".join(f"{lab} {f1[labels.index(lab)]:.3f}" for lab in WEAK if lab in labels)
            table.append(
                [
                    name,
                    method,
                    f"{f1.mean():.3f}",
                    weak or "-",
                    f"{np.mean([t for _, t, _ in folds]):.1f}",
                    f"{np.median([r for _, _, r in folds]):.0f}",
                ]
            )
    print_table(
        ["dataset", "method", "macro-F1", "weak classes F1", "train s/fold", "posts/s"], table
    )
    print_normalise_rate(names, args.max_rows)


def print_normalise_rate(names: list[str], max_rows: int) -> None:
    """Normalisation alone, posts per second on one core (median of 5 passes over the posts)."""
    from siaga.engines.nlp.normalise import normalise

    posts = [text for name in names for text in load(name, max_rows)[0]]
    rates = []
    for _ in range(5):
        t0 = time.perf_counter()
        for text in posts:
            normalise(text)
        rates.append(len(posts) / (time.perf_counter() - t0))
    print(f"# normalise: {np.median(rates):,.0f} posts/s (median of 5 passes, {len(posts)} posts)")


if __name__ == "__main__":
    main()
