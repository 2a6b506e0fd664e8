"""Text classifiers for the TP3D's categories, trained and applied on CSV files (no Django).

Model. A post is cut to its first ``MAX_CHARS`` (1000) characters, since forum walls of text
would otherwise dominate the cost (5 % of netifier_toxic's forum posts are longer, no tweet
is), and goes through :func:`siaga.engines.nlp.normalise.normalise`. Two sparse views are built:
TF-IDF word 1–2-grams and TF-IDF character 2–5-grams inside word boundaries (robust to the
spelling variants the slang list misses); :class:`~siaga.engines.nlp.features.WordNgrams` and
:class:`~siaga.engines.nlp.features.CharNgrams` give scikit-learn's TF-IDF matrices, faster.
Each view has the 14 lexicon and style columns of
:func:`~siaga.engines.nlp.features.lexicon_features` appended (counts of insult, religion,
race/ethnicity, gender and physical words; upper-case share, ``!``, ``?``, length).

Every label gets three one-vs-rest linear members, chosen because they err differently:

1. NB-SVM on the word view: the features are scaled by their naive-Bayes log-count ratio for
   that label, then a class-balanced linear SVM (``SVM_C``) is fitted; the scaling is folded
   back into the weights, so the member stays one dot product.
2. A class-balanced linear SVM on the character view.
3. Multinomial naive Bayes on the word n-grams (its log-odds are linear too).

Each member's decision value is Platt-calibrated on 3-fold out-of-fold decision values (three
passes with different folds on sets under ``SMALL_SET_ROWS`` rows, whose word vocabulary also
keeps the n-grams seen once: small sets need both, large ones neither), and the label's
probability is the mean of the three calibrated probabilities. The same out-of-fold
probabilities give the held-out F1 per label written to the model card and the decision rule:
for multi-label models each label's threshold (the one maximising that label's F1); for
single-label models, where the probabilities are normalised to sum to one, one multiplier per
class (the label is the argmax of probability × multiplier), found by coordinate search for the
best out-of-fold macro-F1, which is what makes rare classes such as non-hoax get found.

Label hierarchy (multi-label). A label that never appears in the training rows without some
other, more frequent label (in id_multilabel_hs every ``HS_*`` label comes with ``HS``; in the
seed corpus ``sara`` with ``ujaran_kebencian``) *requires* it: the label is only given when
the labels it requires reach their own thresholds, and its threshold is tuned again under that
condition. The rule is kept per label only where it raises that label's out-of-fold F1. It
drops the sub-label false positives on posts that are no hate speech at all (HS_Race +0.03,
macro-F1 +0.01 on id_multilabel_hs); :attr:`TextModel.requires` and the card record it.

Figures (benchmarks/media.py, 5-fold CV on the shared train splits, against TF-IDF +
LinearSVC): see benchmarks/README.md, section "Social-media text".

Files written by :func:`train_csv` into MODEL_DIR: ``model.joblib`` (the :class:`TextModel`),
``card.json`` (labels, data file name and row count, training date, held-out F1 per label,
thresholds; the licence is "see data README": the data is never copied) and ``README.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC

from .errors import TextDataError
from .features import NAMES as LEXICON_NAMES
from .features import CharNgrams, WordNgrams, category_of, lexicon_features
from .normalise import normalise

Progress = Callable[[str], None]

MODEL_FILE = "model.joblib"
CARD_FILE = "card.json"
README_FILE = "README.md"
CV_FOLDS = 3
SVM_C = 0.2  # LinearSVC regularisation of the two SVM members (features are L2-normalised rows)
LR_C = 4.0  # logistic regression member (when MEMBERS has one)
SMALL_SET_ROWS = 2000  # below: word n-grams seen once kept, out-of-fold pass repeated
SMALL_SET_REPEATS = 3
NB_ALPHA = 0.1  # additive smoothing of the multinomial naive Bayes member
MAX_CHARS = 1000  # a post is classified on its first characters (speed on forum walls of text)
MODEL_DESCRIPTION = (
    f"normalise (first {MAX_CHARS} characters) + TF-IDF word 1-2 and char_wb 2-5 grams + "
    "lexicon/style features; per label the mean of three Platt-calibrated members: NB-SVM on "
    f"words and linear SVM on characters (C={SVM_C}, class-balanced), multinomial NB on words "
    f"(alpha={NB_ALPHA}); multi-label: per-label thresholds, and a label that never comes "
    "without some other label in the training data is given only with it (where that raised "
    "its out-of-fold F1)"
)
THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.025), 3)
WEIGHT_GRID = np.exp(np.linspace(-2.5, 2.5, 41))
# (view, kind): view 0 = word n-grams + lexicon, 1 = character n-grams + lexicon
MEMBERS: tuple[tuple[int, str], ...] = ((0, "nbsvm"), (1, "svm"), (0, "mnb"))


def _quiet(_msg: str) -> None:
    return None


def _vectorizers(n_rows: int) -> tuple[WordNgrams, CharNgrams]:
    # On small sets a word n-gram seen once is still worth a weight (min_df 1 gave +0.01
    # macro-F1 on id_hatespeech_alfina); on larger ones it is mostly noise and model size.
    word = WordNgrams(min_df=1 if n_rows < SMALL_SET_ROWS else 2)
    char = CharNgrams(ngram_range=(2, 5), min_df=2, max_features=300_000)
    return word, char


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = float(np.sum(y & pred))
    denom = float(np.sum(y) + np.sum(pred))
    return 2 * tp / denom if denom else 0.0


def _nb_ratio(X: sp.csr_matrix, y: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Log-count ratio of each feature's presence in positive vs negative rows (NB-SVM)."""
    present = X.copy()
    present.data[:] = 1.0
    p = alpha + np.asarray(present[y].sum(axis=0)).ravel()
    q = alpha + np.asarray(present[~y].sum(axis=0)).ravel()
    return np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)


def _fit_member(
    kind: str, X: sp.csr_matrix, y: np.ndarray, n_word: int
) -> tuple[np.ndarray, float]:
    """One binary linear model; returns (coef over the view's columns, intercept)."""
    if kind == "lr":
        lr = LogisticRegression(C=LR_C, class_weight="balanced", solver="liblinear", max_iter=1000)
        lr.fit(X, y)
        return lr.coef_[0].astype(np.float32), float(lr.intercept_[0])
    if kind == "mnb":
        # multinomial NB on the word n-grams only; its log-odds are a linear function
        nb = MultinomialNB(alpha=NB_ALPHA).fit(X[:, :n_word], y)
        coef = np.zeros(X.shape[1], dtype=np.float32)
        coef[:n_word] = nb.feature_log_prob_[1] - nb.feature_log_prob_[0]
        return coef, float(nb.class_log_prior_[1] - nb.class_log_prior_[0])
    r = _nb_ratio(X, y) if kind == "nbsvm" else None
    Xs = X @ sp.diags(r) if r is not None else X
    svm = LinearSVC(C=SVM_C, class_weight="balanced").fit(Xs, y)
    coef = svm.coef_[0].astype(np.float32)
    if r is not None:
        coef = coef * r  # scaling the features by r = scaling the weights by r
    return coef, float(svm.intercept_[0])


def _platt(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    cal = LogisticRegression(C=1e4).fit(z[:, None], y)
    return float(cal.coef_[0, 0]), float(cal.intercept_[0])


def _macro_f1(proba: np.ndarray, Y: np.ndarray, weights: np.ndarray) -> float:
    pred = (proba * weights).argmax(axis=1)
    return float(np.mean([_f1(Y[:, j], pred == j) for j in range(Y.shape[1])]))


def _tune_weights(proba: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Per-class multipliers of the probabilities maximising out-of-fold macro-F1.

    Start from the better of no weighting and 1 / class frequency, then two rounds of
    coordinate search over a log grid, each class's weight set to the middle of its best plateau
    (the first class stays at 1: only ratios matter).
    """
    k = Y.shape[1]
    start = [np.ones(k), 1.0 / np.maximum(Y.mean(axis=0), 1e-6)]
    w = max(start, key=lambda c: _macro_f1(proba, Y, c))
    w = w / w[0]
    for _ in range(2):
        for j in range(1, k):
            scores = []
            for g in WEIGHT_GRID:
                trial = w.copy()
                trial[j] = g
                scores.append(_macro_f1(proba, Y, trial))
            top = np.flatnonzero(np.asarray(scores) >= max(scores) - 1e-9)
            w[j] = WEIGHT_GRID[top[len(top) // 2]]
    return w


def _gate(on: np.ndarray, requires: dict[int, list[int]] | None) -> np.ndarray:
    """Labels over their threshold, with each label that requires others switched off in the
    rows where one of those is under its own threshold."""
    if not requires:
        return on
    out = on.copy()
    for j, parents in requires.items():
        out[:, j] &= on[:, parents].all(axis=1)
    return out


def _implied(Y: np.ndarray) -> dict[int, list[int]]:
    """Per label, the more frequent labels present in every training row that has it."""
    counts = Y.sum(axis=0)
    found: dict[int, list[int]] = {}
    for j in range(Y.shape[1]):
        if counts[j] == 0:
            continue
        rows = Y[Y[:, j]]
        parents = [h for h in range(Y.shape[1]) if counts[h] > counts[j] and rows[:, h].all()]
        if parents:
            found[j] = parents
    return found


def _tune_requires(
    proba: np.ndarray, Y: np.ndarray, thresholds: np.ndarray, f1: np.ndarray
) -> dict[int, list[int]]:
    """Keep the rule "label j requires its implied labels" where it raises j's out-of-fold F1,
    with j's threshold tuned again under it; ``thresholds`` and ``f1`` are updated in place."""
    on = proba >= thresholds
    kept: dict[int, list[int]] = {}
    for j, parents in _implied(Y).items():
        gate = on[:, parents].all(axis=1)
        f1s = [_f1(Y[:, j], (proba[:, j] >= t) & gate) for t in THRESHOLD_GRID]
        best = int(np.argmax(f1s))
        if f1s[best] > f1[j]:
            kept[j] = parents
            thresholds[j] = THRESHOLD_GRID[best]
            f1[j] = f1s[best]
    return kept


def requires_by_name(model: TextModel) -> dict[str, list[str]]:
    """The model's label rules by name, for the card: {label: [labels it requires]}."""
    return {
        model.labels[j]: [model.labels[h] for h in hs] for j, hs in (model.requires or {}).items()
    }


def _clip(text: object) -> object:
    return text[:MAX_CHARS] if isinstance(text, str) else text


@dataclass
class TextModel:
    """A trained classifier: vectorisers and, per label, three calibrated linear members."""

    labels: list[str]
    multi_label: bool
    word: WordNgrams
    char: CharNgrams
    # per member m (see MEMBERS): coef[m] (n_labels, n_view_features) float32, intercept[m]
    coef: list[np.ndarray]
    intercept: np.ndarray  # (n_members, n_labels)
    platt: np.ndarray  # (n_members, n_labels, 2): a, b of p = sigmoid(a * decision + b)
    thresholds: np.ndarray  # (n_labels,), used by multi-label models only
    # single-label: the label is the argmax of proba × weights (tuned on out-of-fold macro-F1, so
    # that rare classes such as non-hoax get found)
    weights: np.ndarray | None = None
    members: tuple[tuple[int, str], ...] = MEMBERS
    _names: list[np.ndarray] | None = field(default=None, repr=False)
    # multi-label: label index -> indices of the labels it requires (see the module docstring);
    # a label is given only when those reach their thresholds too. None (older models): no rule.
    requires: dict[int, list[int]] | None = None

    def views(self, raw: Sequence[object], normalised: Sequence[str]) -> list[sp.csr_matrix]:
        """[word n-grams | lexicon], [character n-grams | lexicon], one row per post."""
        lex = lexicon_features(raw, normalised)
        return [
            sp.hstack([self.word.transform(normalised), lex], format="csr"),
            sp.hstack([self.char.transform(normalised), lex], format="csr"),
        ]

    def member_logits(self, views: list[sp.csr_matrix]) -> np.ndarray:
        """Platt logits, (n_members, n_posts, n_labels)."""
        out = []
        for m, (v, _) in enumerate(self.members):
            d = np.asarray(views[v] @ self.coef[m].T) + self.intercept[m]
            out.append(d * self.platt[m, :, 0] + self.platt[m, :, 1])
        return np.stack(out)

    def predict_proba(self, texts: Sequence[object]) -> np.ndarray:
        """Calibrated scores in [0, 1], one column per label (rows sum to 1 if single-label)."""
        raw = [_clip(t) for t in texts]
        p = _sigmoid(self.member_logits(self.views(raw, [normalise(t) for t in raw]))).mean(axis=0)
        if not self.multi_label:
            p = p / np.maximum(p.sum(axis=1, keepdims=True), 1e-12)
        return p

    def predict(self, texts: Sequence[object]) -> list[str] | list[list[str]]:
        return self.decide(self.predict_proba(texts))

    def decide(self, proba: np.ndarray) -> list[str] | list[list[str]]:
        if self.multi_label:
            on = _gate(proba >= self.thresholds, self.requires)
            return [[lab for lab, o in zip(self.labels, row, strict=True) if o] for row in on]
        w = self.weights if self.weights is not None else 1.0
        return [self.labels[i] for i in (proba * w).argmax(axis=1)]

    def feature_names(self) -> list[np.ndarray]:
        """Column names of each view (n-grams, then the lexicon and style columns)."""
        if self._names is None:
            lex = np.asarray(LEXICON_NAMES)
            self._names = [
                np.concatenate([self.word.get_feature_names_out(), lex]),
                np.concatenate([self.char.get_feature_names_out(), lex]),
            ]
        return self._names


def _indicator(
    targets: Sequence[str] | Sequence[Sequence[str]], multi_label: bool
) -> tuple[list[str], np.ndarray]:
    if multi_label:
        labels = sorted({lab for row in targets for lab in row})
        if not labels:
            raise TextDataError(
                "no labels were found: every row's label value is empty "
                "(multi-label training needs at least one label)"
            )
        Y = np.array([[lab in set(row) for lab in labels] for row in targets], dtype=bool)
    else:
        labels = sorted(set(targets))  # type: ignore[arg-type]
        Y = np.array([[t == lab for lab in labels] for t in targets], dtype=bool)
    if len(labels) < (1 if multi_label else 2):
        raise TextDataError(f"at least two labels are needed to train, found {labels!r}")
    return labels, Y


def _constant(y: np.ndarray) -> float | None:
    """The logit to use when a label is always (or never) on in the rows, else None."""
    if y.all():
        return 10.0
    if not y.any():
        return -10.0
    return None


def _repeats(n_rows: int) -> int:
    """How many times the out-of-fold pass is run (with other folds): small sets get three, so
    that calibration and decision thresholds do not hang on one random split."""
    return SMALL_SET_REPEATS if n_rows < SMALL_SET_ROWS else 1


def _out_of_fold(
    views: list[sp.csr_matrix],
    Y: np.ndarray,
    n_word: int,
    multi_label: bool,
    seed: int,
    progress: Progress,
) -> np.ndarray:
    """Decision values of every member on every row from models that did not see the row,
    (repeats, n_members, n_rows, n_labels)."""
    n, n_labels = Y.shape
    repeats = _repeats(n)
    members = MEMBERS
    oof = np.zeros((repeats, len(members), n, n_labels))
    if multi_label:
        folds = CV_FOLDS
        strat = None
    else:
        folds = max(2, min(CV_FOLDS, int(Y.sum(axis=0).min())))
        strat = Y.argmax(axis=1)
    for r in range(repeats):
        splitter = (
            KFold(folds, shuffle=True, random_state=seed + r)
            if multi_label
            else StratifiedKFold(folds, shuffle=True, random_state=seed + r)
        )
        for k, (tr, te) in enumerate(splitter.split(np.zeros(n), strat), 1):
            for m, (v, kind) in enumerate(members):
                Xtr, Xte = views[v][tr], views[v][te]
                for j in range(n_labels):
                    const = _constant(Y[tr, j])
                    if const is not None:
                        oof[r, m, te, j] = const
                        continue
                    coef, b = _fit_member(kind, Xtr, Y[tr, j], n_word)
                    oof[r, m, te, j] = np.asarray(Xte @ coef).ravel() + b
            progress(
                f"fold {k}/{folds} done" + (f" (pass {r + 1}/{repeats})" if repeats > 1 else "")
            )
    return oof


def fit(
    texts: Sequence[object],
    targets: Sequence[str] | Sequence[Sequence[str]],
    *,
    multi_label: bool,
    progress: Progress = _quiet,
    seed: int = 0,
) -> tuple[TextModel, dict[str, float]]:
    """Train on texts and their label (single) or labels (multi); return the model and the
    out-of-fold F1 per label (the held-out score written to the card)."""
    labels, Y = _indicator(targets, multi_label)
    raw = [_clip(t) for t in texts]
    norm = [normalise(t) for t in raw]
    word, char = _vectorizers(len(norm))
    Xw, Xc = word.fit_transform(norm), char.fit_transform(norm)
    lex = lexicon_features(raw, norm)
    views = [sp.hstack([Xw, lex], format="csr"), sp.hstack([Xc, lex], format="csr")]
    n_word = Xw.shape[1]
    progress(
        f"{Y.shape[0]} rows, {n_word} word + {Xc.shape[1]} character + {lex.shape[1]} lexicon "
        f"features, {len(labels)} labels"
    )
    oof = _out_of_fold(views, Y, n_word, multi_label, seed, progress)

    n_labels = len(labels)
    members = MEMBERS
    platt = np.zeros((len(members), n_labels, 2))
    intercept = np.zeros((len(members), n_labels))
    coef = [np.zeros((n_labels, views[v].shape[1]), dtype=np.float32) for v, _ in members]
    for m, (v, kind) in enumerate(members):
        for j in range(n_labels):
            const = _constant(Y[:, j])
            if const is not None:
                platt[m, j] = (0.0, const)
                continue
            platt[m, j] = _platt(oof[:, m, :, j].ravel(), np.tile(Y[:, j], len(oof)))
            coef[m][j], intercept[m, j] = _fit_member(kind, views[v], Y[:, j], n_word)
    # mean over members of the calibrated probabilities, then mean over the repeated passes
    proba = _sigmoid(oof * platt[None, :, None, :, 0] + platt[None, :, None, :, 1])
    proba = proba.mean(axis=1).mean(axis=0)

    thresholds = np.full(n_labels, 0.5)
    weights = None
    requires = None
    if multi_label:
        best_f1 = np.zeros(n_labels)
        for j in range(n_labels):
            f1s = [_f1(Y[:, j], proba[:, j] >= t) for t in THRESHOLD_GRID]
            best = int(np.argmax(f1s))
            thresholds[j] = THRESHOLD_GRID[best]
            best_f1[j] = f1s[best]
        requires = _tune_requires(proba, Y, thresholds, best_f1)
        scores = {lab: round(float(best_f1[j]), 4) for j, lab in enumerate(labels)}
        if requires:
            progress(
                "labels given only with the labels they require: "
                + "; ".join(
                    f"{labels[j]} needs {', '.join(labels[h] for h in hs)}"
                    for j, hs in requires.items()
                )
            )
    else:
        proba = proba / np.maximum(proba.sum(axis=1, keepdims=True), 1e-12)
        weights = _tune_weights(proba, Y)
        pred = (proba * weights).argmax(axis=1)
        scores = {lab: round(_f1(Y[:, j], pred == j), 4) for j, lab in enumerate(labels)}
        progress(f"single-label decision weights: {np.round(weights, 3).tolist()}")
    model = TextModel(
        labels, multi_label, word, char, coef, intercept, platt, thresholds, weights, members
    )
    model.requires = requires
    return model, scores


# --- CSV ----------------------------------------------------------------------------------------


def _read_csv(
    path: str | Path, columns: Iterable[str], *, allow_no_rows: bool = False
) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of a UTF-8 CSV holding ``columns``; a file with a header but no rows
    is refused unless ``allow_no_rows`` (classifying nothing gives an empty result)."""
    path = Path(path)
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        try:
            reader = csv.DictReader(fh)
            header = reader.fieldnames
            if not header:
                raise TextDataError(f"{path.name}: the file is empty (no header row)")
            for col in columns:
                if col not in header:
                    raise TextDataError(
                        f"{path.name}: column {col!r} is missing "
                        f"(columns: {', '.join(map(repr, header))})"
                    )
            rows = list(reader)
        except UnicodeDecodeError as exc:
            raise TextDataError(f"{path.name}: not UTF-8 ({exc.reason})") from None
    if not rows and not allow_no_rows:
        raise TextDataError(f"{path.name}: the file has a header but no rows")
    return list(header), rows


def train_csv(
    *,
    data: str | Path,
    text_column: str,
    label_column: str,
    out: str | Path,
    multi_label: bool = False,
    separator: str = "|",
    progress: Progress = _quiet,
) -> dict:
    """Train from a labelled CSV and write MODEL_DIR/model.joblib, card.json and README.md.

    Single-label: rows whose label is empty are skipped (counted in the card). Multi-label: the
    label column holds labels joined by ``separator``; an empty value means no label.
    Returns the card (a dict).
    """
    import joblib
    import sklearn

    data = Path(data)
    _, rows = _read_csv(data, [text_column, label_column])
    texts: list[str] = []
    targets: list = []
    skipped = 0
    for row in rows:
        text = row.get(text_column) or ""
        value = (row.get(label_column) or "").strip()
        if multi_label:
            texts.append(text)
            targets.append([v.strip() for v in value.split(separator) if v.strip()])
        elif value:
            texts.append(text)
            targets.append(value)
        else:
            skipped += 1
    if not texts:
        raise TextDataError(f"{data.name}: no row has a value in column {label_column!r}")
    progress(f"read {len(rows)} rows from {data.name} ({skipped} without a label skipped)")
    model, scores = fit(texts, targets, multi_label=multi_label, progress=progress)
    macro = round(float(np.mean(list(scores.values()))), 4)
    progress(
        f"held-out macro-F1 {macro:.3f}: " + ", ".join(f"{k} {v:.3f}" for k, v in scores.items())
    )

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, out / MODEL_FILE, compress=3)
    card = {
        "labels": model.labels,
        "multi_label": multi_label,
        "separator": separator if multi_label else None,
        "data_file": data.name,
        "rows": len(rows),
        "rows_used": len(texts),
        "rows_skipped_without_label": skipped,
        "text_column": text_column,
        "label_column": label_column,
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "heldout": {
            "method": f"{CV_FOLDS}-fold out-of-fold predictions on the training file",
            "f1": scores,
            "macro_f1": macro,
        },
        "thresholds": (
            dict(zip(model.labels, map(float, model.thresholds), strict=True))
            if multi_label
            else None
        ),
        # multi-label: a label is given only when the labels it requires reach their thresholds
        "requires": requires_by_name(model),
        "model": MODEL_DESCRIPTION,
        "scikit_learn": sklearn.__version__,
        "licence": "see data README",
    }
    (out / CARD_FILE).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", "utf-8")
    (out / README_FILE).write_text(_readme(card), "utf-8")
    progress(f"model written to {out}")
    return card


def _readme(card: dict) -> str:
    lines = [
        f"# Text classifier trained on `{card['data_file']}`",
        "",
        f"- Task: {'multi-label' if card['multi_label'] else 'single-label'}; "
        f"labels: {', '.join(card['labels'])}",
        f"- Data: {card['data_file']}, {card['rows']} rows ({card['rows_used']} used); "
        "the data is not included here.",
        f"- Licence: {card['licence']} (the licence of the training data governs this model).",
        f"- Trained: {card['trained_at']} with scikit-learn {card['scikit_learn']}.",
        f"- Model: {card['model']}.",
        f"- Held-out ({card['heldout']['method']}) macro-F1: {card['heldout']['macro_f1']:.3f}",
    ]
    lines += [
        f"- {lab} is given only together with {', '.join(needs)}"
        for lab, needs in (card.get("requires") or {}).items()
    ]
    lines += [
        "",
        "| label | F1 |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v:.3f} |" for k, v in card["heldout"]["f1"].items()]
    lines += [
        "",
        "Intended use: triage of public posts for human analysts; never an automatic verdict.",
        "",
    ]
    return "\n".join(lines)


def load(model: str | Path | TextModel) -> TextModel:
    """The TextModel itself, or the one saved in a MODEL_DIR (FileNotFoundError if absent)."""
    if isinstance(model, TextModel):
        return model
    import joblib

    path = Path(model)
    if path.is_dir():
        path = path / MODEL_FILE
    if not path.exists():
        raise FileNotFoundError(f"no trained model at {path}")
    obj = joblib.load(path)
    if not isinstance(obj, TextModel):
        raise TextDataError(f"{path} is not a Siaga text model")
    return obj


def classify_csv(
    *,
    model: str | Path,
    input: str | Path,  # noqa: A002 - the command's option name
    text_column: str,
    out: str | Path,
    progress: Progress = _quiet,
    batch: int = 5000,
) -> int:
    """Classify every row of INPUT and write OUT.csv; return the number of rows.

    OUT.csv has exactly one row per input row, in the input's order, and these columns only:
    ``label`` (single-label model) or ``labels`` (multi-label: the labels joined by ``|``, empty
    for none), then one ``score_<label>`` column per label in the model's label order, each a
    calibrated probability in [0, 1] with 4 decimals. An input with a header but no rows gives
    an output with the header only.
    """
    m = load(model)
    _, rows = _read_csv(input, [text_column], allow_no_rows=True)
    texts = [row.get(text_column) or "" for row in rows]
    out = Path(out)
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["labels" if m.multi_label else "label"] + [f"score_{x}" for x in m.labels])
        for start in range(0, len(texts), batch):
            chunk = texts[start : start + batch]
            proba = m.predict_proba(chunk)
            for decided, p in zip(m.decide(proba), proba, strict=True):
                first = "|".join(decided) if m.multi_label else decided
                w.writerow([first] + [f"{v:.4f}" for v in p])
            progress(f"{min(start + batch, len(texts))}/{len(texts)} rows classified")
    return len(texts)


def explain(
    model: str | Path | TextModel, text: object, top: int = 5, *, label: str | None = None
) -> list[tuple[str, float]]:
    """The words of ``text`` (normalised) that drove ``label``'s score, strongest first.

    A feature's contribution is, summed over the model's members, its coefficient × its value in
    this text × the member's Platt slope (so that the members' logits are on one scale). A word
    bigram's contribution is shared between its two words, a character n-gram's between the
    words containing it, and a lexicon count's between the words of that category. Style
    features (upper case, ``!``, length) belong to no word and are left out. Only words pushing
    towards the label (positive weight) are returned. Without ``label`` the label with the
    highest score is explained.
    """
    m = load(model)
    raw = _clip(text)
    norm = normalise(raw)
    if not norm:
        return []
    if label is None:
        j = int(m.predict_proba([text])[0].argmax())
    else:
        if label not in m.labels:
            raise TextDataError(f"unknown label {label!r} (labels: {', '.join(m.labels)})")
        j = m.labels.index(label)
    views = m.views([raw], [norm])
    names = m.feature_names()
    n_ngrams = [len(m.word.vocabulary_), len(m.char.vocabulary_)]
    words = norm.split()
    padded = {w: f" {w} " for w in set(words)}
    categories = {w: category_of(w) for w in set(words)}
    weight: dict[str, float] = dict.fromkeys(words, 0.0)
    for mi, (v, _) in enumerate(m.members):
        x = views[v]
        slope = float(m.platt[mi, j, 0])
        for idx, val in zip(x.indices, x.data, strict=True):
            contrib = float(m.coef[mi][j, idx]) * float(val) * slope
            if contrib == 0.0:
                continue
            name = str(names[v][idx])
            if idx >= n_ngrams[v]:  # a lexicon column such as "<religion>"
                cat = name.strip("<>").split(" ")[0]
                owners = [w for w in weight if cat in categories[w]]
            elif v == 0:
                owners = [w for w in name.split(" ") if w in weight]
            else:
                owners = [w for w, p in padded.items() if name in p]
            for w in owners:
                weight[w] += contrib / len(owners)
    ranked = sorted(((w, v) for w, v in weight.items() if v > 0), key=lambda kv: -kv[1])
    return [(w, round(v, 4)) for w, v in ranked[:top]]
