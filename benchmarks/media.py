"""Benchmark of the text classifiers (siaga.engines.nlp.classifier) against a plain baseline.

K-fold cross-validation on the shared *train* splits only (../shared/data/text/<dataset>/
train.csv; the held-out 20 % is never looked at): for each fold, Siaga's classifier (see the
docstring of siaga.engines.nlp.classifier: normalise, word and character TF-IDF plus lexicon
features, per label three calibrated linear members averaged, tuned thresholds or class weights)
and the baseline (TF-IDF word 1-2 on the raw lower-cased text + LinearSVC with its defaults,
one-vs-rest for multi-label) are trained on the other folds and scored on it. Both methods see
the same folds and the same text: for hoax_social_bdc2020 that is the post's title and its text
(the CSV's ``title`` and ``text`` columns), for the other sets the ``text`` column.

Printed per dataset and method: macro-F1 (mean over folds; per label for multi-label sets, per
class for single-label sets), the F1 of the weak minority classes the issue names (non_hoax,
sara, HS_Religion, HS_Race), training time per fold and classification speed (posts/s on one
core, raw text in, labels out). Times are CPU seconds of this process (one thread), not wall
time, so that other work on a shared machine does not distort them. Issue 6's target: Siaga >=
baseline + 0.03 macro-F1.

    .venv/bin/python benchmarks/media.py [--folds 5] [--max-rows 0]
        [--datasets id_multilabel_hs,netifier_toxic,hoax_social_bdc2020,...]   (default: all five)
        [--text-only]   (the text column alone, also for hoax_social_bdc2020)
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
# dataset: (label column, multi-label?, text columns joined into the post both methods see)
DATASETS = {
    "id_multilabel_hs": ("labels", True, ("text",)),
    "netifier_toxic": ("labels", True, ("text",)),
    # the post's title is part of what was posted (one title per row, no two rows share one)
    "hoax_social_bdc2020": ("label", False, ("title", "text")),
    "id_hatespeech_alfina": ("label", False, ("text",)),
    "id_abusive": ("label", False, ("text",)),
}
WEAK = ("non_hoax", "sara", "HS_Religion", "HS_Race")


def load(name: str, max_rows: int, text_only: bool = False) -> tuple[list[str], list, bool]:
    column, multi, text_columns = DATASETS[name]
    if text_only:
        text_columns = ("text",)
    path = DATA / name / "train.csv"
    if not path.exists():
        raise SystemExit(f"{path} is absent (see ../shared/data/text/README.md)")
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if max_rows and len(rows) > max_rows:
        rows = random.Random(2024).sample(rows, max_rows)  # noqa: S311 - a sample, not a secret
    texts = [" . ".join(r[c] for c in text_columns if r[c]) for r in rows]
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
    t0 = time.process_time()
    model, _ = fit(tr_x, tr_y, multi_label=multi)
    train_s = time.process_time() - t0
    t0 = time.process_time()
    pred = model.predict(te_x)
    rate = len(te_x) / (time.process_time() - t0)
    return indicator(pred, labels, multi), train_s, rate


def run_baseline(tr_x, tr_y, te_x, multi, labels):
    t0 = time.process_time()
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    X = vec.fit_transform(tr_x)
    if multi:
        Y = indicator(tr_y, labels, True).astype(int)
        keep = Y.sum(axis=0) > 0
        clf = OneVsRestClassifier(LinearSVC()).fit(X, Y[:, keep])
    else:
        clf = LinearSVC().fit(X, tr_y)
    train_s = time.process_time() - t0
    t0 = time.process_time()
    out = clf.predict(vec.transform(te_x))
    rate = len(te_x) / (time.process_time() - t0)
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
    parser.add_argument(
        "--text-only", action="store_true", help="the text column only (no title), every set"
    )
    args = parser.parse_args()
    names = [n.strip() for n in args.datasets.split(",") if n.strip()]
    for n in names:
        if n not in DATASETS:
            raise SystemExit(f"unknown dataset {n!r}; choose from {', '.join(DATASETS)}")
    print(f"# media classifiers, {args.folds}-fold CV on the shared train splits")
    print(
        f"# {_cpu_model()}, Python {platform.python_version()}, max rows {args.max_rows or 'all'}"
        + (", text column only" if args.text_only else "")
    )
    table = []
    for name in names:
        texts, targets, multi = load(name, args.max_rows, args.text_only)
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
            # this fold's macro-F1 and weak-class F1 per method (fold-to-fold spread)
            parts = []
            for method, folds in results.items():
                last = folds[-1][0]
                weak = "".join(f", {w} {last[labels.index(w)]:.3f}" for w in WEAK if w in labels)
                parts.append(f"{method} {last.mean():.3f}{weak}")
            print(f"{name}: fold {k}/{args.folds}: {'; '.join(parts)}", file=sys.stderr, flush=True)
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
    """Normalisation alone, posts per second on one core (CPU time, median of 5 passes)."""
    from siaga.engines.nlp.normalise import normalise

    posts = [text for name in names for text in load(name, max_rows)[0]]
    rates = []
    for _ in range(5):
        t0 = time.process_time()
        for text in posts:
            normalise(text)
        rates.append(len(posts) / (time.process_time() - t0))
    print(f"# normalise: {np.median(rates):,.0f} posts/s (median of 5 passes, {len(posts)} posts)")


if __name__ == "__main__":
    main()
