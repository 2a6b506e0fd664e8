"""Text classifiers for the TP3D's categories, trained and applied on CSV files (no Django).

Model: the text goes through :func:`siaga.engines.nlp.normalise.normalise`, then two TF-IDF
views are stacked, word 1–2-grams and character 2–5-grams inside word boundaries (``char_wb``:
robust to the spelling variants the slang list misses), both with sublinear term frequency.
Every label has its own logistic regression (one-vs-rest, ``class_weight="balanced"`` so that
rare labels such as SARA are not drowned). Probabilities are calibrated by Platt scaling fitted
on 3-fold out-of-fold decision values; the same out-of-fold probabilities give the held-out
F1 per label written to the model card and, for multi-label models, each label's threshold
(the one maximising that label's F1). Single-label models normalise the probabilities to sum
to one and predict the label of highest probability, or of highest probability divided by the
class frequency when that gave the better out-of-fold macro-F1 (it finds rare classes such as
non-hoax far more often: 0.41 F1 against 0.22 on hoax_social_bdc2020).

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
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold

from .errors import TextDataError
from .normalise import normalise

Progress = Callable[[str], None]

MODEL_FILE = "model.joblib"
CARD_FILE = "card.json"
README_FILE = "README.md"
CV_FOLDS = 3
C = 4.0
THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.025), 3)


def _quiet(_msg: str) -> None:
    return None


def _vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    word = TfidfVectorizer(
        ngram_range=(1, 2),
        token_pattern=r"\S+",  # noqa: S106 - a regex, not a password
        lowercase=False,
        min_df=2,
        sublinear_tf=True,
        dtype=np.float32,
    )
    char = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 5),
        lowercase=False,
        min_df=2,
        max_features=300_000,
        sublinear_tf=True,
        dtype=np.float32,
    )
    return word, char


def _logreg() -> LogisticRegression:
    return LogisticRegression(C=C, class_weight="balanced", solver="liblinear", max_iter=1000)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = float(np.sum(y & pred))
    denom = float(np.sum(y) + np.sum(pred))
    return 2 * tp / denom if denom else 0.0


@dataclass
class TextModel:
    """A trained classifier: vectorisers, one linear model and one Platt scaler per label."""

    labels: list[str]
    multi_label: bool
    word: TfidfVectorizer
    char: TfidfVectorizer
    coef: np.ndarray  # (n_labels, n_features), float32
    intercept: np.ndarray  # (n_labels,)
    platt: np.ndarray  # (n_labels, 2): a, b of p = sigmoid(a * decision + b)
    thresholds: np.ndarray  # (n_labels,), used by multi-label models only
    # single-label: the label is the argmax of proba × weights (ones, or 1 / class frequency when
    # that gave the better out-of-fold macro-F1: rare classes such as non-hoax then get found)
    weights: np.ndarray | None = None
    _names: np.ndarray | None = field(default=None, repr=False)

    def features(self, normalised: Sequence[str]) -> sp.csr_matrix:
        return sp.hstack(
            [self.word.transform(normalised), self.char.transform(normalised)], format="csr"
        )

    def decision(self, normalised: Sequence[str]) -> np.ndarray:
        return np.asarray(self.features(normalised) @ self.coef.T) + self.intercept

    def predict_proba(self, texts: Sequence[object]) -> np.ndarray:
        """Calibrated scores in [0, 1], one column per label (rows sum to 1 if single-label)."""
        d = self.decision([normalise(t) for t in texts])
        p = _sigmoid(d * self.platt[:, 0] + self.platt[:, 1])
        if not self.multi_label:
            p = p / np.maximum(p.sum(axis=1, keepdims=True), 1e-12)
        return p

    def predict(self, texts: Sequence[object]) -> list[str] | list[list[str]]:
        return self.decide(self.predict_proba(texts))

    def decide(self, proba: np.ndarray) -> list[str] | list[list[str]]:
        if self.multi_label:
            on = proba >= self.thresholds
            return [[lab for lab, o in zip(self.labels, row, strict=True) if o] for row in on]
        w = self.weights if self.weights is not None else 1.0
        return [self.labels[i] for i in (proba * w).argmax(axis=1)]

    def feature_names(self) -> np.ndarray:
        if self._names is None:
            self._names = np.concatenate(
                [self.word.get_feature_names_out(), self.char.get_feature_names_out()]
            )
        return self._names


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
    if multi_label:
        labels = sorted({lab for row in targets for lab in row})
        Y = np.array([[lab in set(row) for lab in labels] for row in targets], dtype=bool)
    else:
        labels = sorted(set(targets))  # type: ignore[arg-type]
        Y = np.array([[t == lab for lab in labels] for t in targets], dtype=bool)
    if len(labels) < (1 if multi_label else 2):
        raise TextDataError(f"at least two labels are needed to train, found {labels!r}")
    norm = [normalise(t) for t in texts]
    word, char = _vectorizers()
    X = sp.hstack([word.fit_transform(norm), char.fit_transform(norm)], format="csr")
    for vec in (word, char):
        # The pruned-term list is only for introspection and would double the model's size.
        if hasattr(vec, "stop_words_"):
            del vec.stop_words_
    progress(f"{X.shape[0]} rows, {X.shape[1]} features, {len(labels)} labels")

    n = X.shape[0]
    oof = np.zeros((n, len(labels)))
    strat = None if multi_label else np.array([labels.index(t) for t in targets])  # type: ignore[arg-type]
    folds = min(CV_FOLDS, int(Y.sum(axis=0).min()) if not multi_label else CV_FOLDS)
    folds = max(folds, 2)
    splitter = (
        StratifiedKFold(folds, shuffle=True, random_state=seed)
        if strat is not None
        else KFold(folds, shuffle=True, random_state=seed)
    )
    for k, (tr, te) in enumerate(splitter.split(X, strat), 1):
        for j in range(len(labels)):
            y = Y[tr, j]
            if y.all() or not y.any():
                oof[te, j] = 10.0 if y.all() else -10.0
                continue
            oof[te, j] = _logreg().fit(X[tr], y).decision_function(X[te])
        progress(f"fold {k}/{folds} done")

    platt = np.zeros((len(labels), 2))
    coef = np.zeros((len(labels), X.shape[1]), dtype=np.float32)
    intercept = np.zeros(len(labels))
    for j in range(len(labels)):
        y = Y[:, j]
        if y.all() or not y.any():
            platt[j] = (0.0, 10.0 if y.all() else -10.0)
            continue
        cal = LogisticRegression(C=1e4).fit(oof[:, [j]], y)
        platt[j] = (cal.coef_[0, 0], cal.intercept_[0])
        lr = _logreg().fit(X, y)
        coef[j] = lr.coef_[0]
        intercept[j] = lr.intercept_[0]
    proba = _sigmoid(oof * platt[:, 0] + platt[:, 1])

    thresholds = np.full(len(labels), 0.5)
    scores: dict[str, float] = {}
    if multi_label:
        for j, lab in enumerate(labels):
            f1s = [_f1(Y[:, j], proba[:, j] >= t) for t in THRESHOLD_GRID]
            best = int(np.argmax(f1s))
            thresholds[j] = THRESHOLD_GRID[best]
            scores[lab] = round(f1s[best], 4)
        weights = None
    else:
        proba = proba / np.maximum(proba.sum(axis=1, keepdims=True), 1e-12)
        best_macro = -1.0
        for candidate in (np.ones(len(labels)), 1.0 / np.maximum(Y.mean(axis=0), 1e-6)):
            pred = (proba * candidate).argmax(axis=1)
            f1s = {lab: round(_f1(Y[:, j], pred == j), 4) for j, lab in enumerate(labels)}
            macro = float(np.mean(list(f1s.values())))
            if macro > best_macro:
                best_macro, scores, weights = macro, f1s, candidate
        progress(f"single-label decision weights: {np.round(weights, 3).tolist()}")
    model = TextModel(labels, multi_label, word, char, coef, intercept, platt, thresholds, weights)
    return model, scores


# --- CSV ----------------------------------------------------------------------------------------


def _read_csv(path: str | Path, columns: Iterable[str]) -> tuple[list[str], list[dict[str, str]]]:
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
    if not rows:
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
        "model": (
            "normalise + TF-IDF word 1-2 + char_wb 2-5 grams, one-vs-rest logistic regression "
            f"(C={C}, balanced), Platt-calibrated"
        ),
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
    calibrated probability in [0, 1] with 4 decimals.
    """
    m = load(model)
    _, rows = _read_csv(input, [text_column])
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

    A feature's contribution is its coefficient × its tf-idf value in this text; a word bigram's
    is shared between its two words and a character n-gram's between the words containing it.
    Only words pushing towards the label (positive weight) are returned. Without ``label`` the
    label with the highest score is explained.
    """
    m = load(model)
    norm = normalise(text)
    if not norm:
        return []
    if label is None:
        j = int(m.predict_proba([text])[0].argmax())
    else:
        if label not in m.labels:
            raise TextDataError(f"unknown label {label!r} (labels: {', '.join(m.labels)})")
        j = m.labels.index(label)
    x = m.features([norm])
    names = m.feature_names()
    n_word = len(m.word.vocabulary_)
    words = norm.split()
    padded = {w: f" {w} " for w in set(words)}
    weight: dict[str, float] = dict.fromkeys(words, 0.0)
    for idx, val in zip(x.indices, x.data, strict=True):
        contrib = float(m.coef[j, idx]) * float(val)
        if contrib == 0.0:
            continue
        name = str(names[idx])
        if idx < n_word:
            owners = [w for w in name.split(" ") if w in weight]
        else:
            owners = [w for w, p in padded.items() if name in p]
        for w in owners:
            weight[w] += contrib / len(owners)
    ranked = sorted(((w, v) for w, v in weight.items() if v > 0), key=lambda kv: -kv[1])
    return [(w, round(v, 4)) for w, v in ranked[:top]]
