"""Text classifiers trained and applied on CSV files (siaga.engines.nlp.classifier) and the
`siaga media train|classify` command on top of them."""

import csv
import io
import json
import random
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from siaga.engines.nlp.classifier import classify_csv, explain, load, train_csv
from siaga.engines.nlp.errors import TextDataError
from siaga.engines.nlp.normalise import normalise

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "text"


def _rows(name: str) -> list[dict[str, str]]:
    path = DATA / name / "train.csv"
    if not path.exists():
        pytest.skip(f"shared text data absent ({path}); see ../shared/data/text/README.md")
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, header, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        r = csv.DictReader(fh)
        rows = list(r)
        return list(r.fieldnames or []), rows


def _split(rows, n_train, n_test, seed=7):
    rows = rows[:]
    random.Random(seed).shuffle(rows)
    return rows[:n_train], rows[n_train : n_train + n_test]


@pytest.fixture(scope="module")
def abusive(tmp_path_factory):
    """A single-label model trained on 900 rows of id_abusive, and 300 unseen rows."""
    tmp = tmp_path_factory.mktemp("abusive")
    train, test = _split(_rows("id_abusive"), 900, 300)
    data = _write(tmp / "train.csv", ["text", "label"], train)
    inp = _write(tmp / "input.csv", ["text", "label"], test)
    card = train_csv(
        data=data, text_column="text", label_column="label", out=tmp / "model", multi_label=False
    )
    return tmp, card, test, inp


@pytest.fixture(scope="module")
def multilabel(tmp_path_factory):
    """A multi-label model trained on 1,500 rows of id_multilabel_hs, and 400 unseen rows."""
    tmp = tmp_path_factory.mktemp("multi")
    train, test = _split(_rows("id_multilabel_hs"), 1500, 400)
    data = _write(tmp / "train.csv", ["text", "labels"], train)
    inp = _write(tmp / "input.csv", ["text"], test)
    card = train_csv(
        data=data,
        text_column="text",
        label_column="labels",
        out=tmp / "model",
        multi_label=True,
        separator="|",
    )
    return tmp, card, test, inp


def test_single_label_model_files_and_card(abusive):
    tmp, card, _, _ = abusive
    assert sorted(p.name for p in (tmp / "model").iterdir()) == [
        "README.md",
        "card.json",
        "model.joblib",
    ]
    saved = json.loads((tmp / "model" / "card.json").read_text("utf-8"))
    assert saved == card
    assert saved["labels"] == ["abusive", "not_abusive", "offensive"]
    assert saved["data_file"] == "train.csv" and saved["rows"] == 900
    assert saved["licence"] == "see data README"
    assert set(saved["heldout"]["f1"]) == set(saved["labels"])
    assert all(0.0 <= f <= 1.0 for f in saved["heldout"]["f1"].values())
    assert saved["trained_at"][:2] == "20"
    readme = (tmp / "model" / "README.md").read_text("utf-8")
    assert "see data README" in readme and "offensive" in readme


def test_single_label_classify_writes_label_then_scores_in_input_order(abusive):
    tmp, _, test, inp = abusive
    out = tmp / "out.csv"
    assert classify_csv(model=tmp / "model", input=inp, text_column="text", out=out) == 300
    header, rows = _read(out)
    assert header == ["label", "score_abusive", "score_not_abusive", "score_offensive"]
    assert len(rows) == len(test)
    model = load(tmp / "model")
    for row in rows:
        scores = [float(row[h]) for h in header[1:]]
        assert all(0.0 <= s <= 1.0 for s in scores)
        assert abs(sum(scores) - 1.0) < 0.01
        # the label is the top score, once weighted by the model's class weights
        weighted = [s * w for s, w in zip(scores, model.weights, strict=True)]
        chosen = weighted[header.index(f"score_{row['label']}") - 1]
        assert chosen >= max(weighted) - 1e-3  # scores are written with 4 decimals
    # row order: classifying the input's rows directly gives the same labels in the same order
    assert model.predict([r["text"] for r in test[:20]]) == [r["label"] for r in rows[:20]]


def test_single_label_beats_majority_guess_on_unseen_rows(abusive):
    tmp, _, test, inp = abusive
    out = tmp / "out_acc.csv"
    classify_csv(model=tmp / "model", input=inp, text_column="text", out=out)
    _, rows = _read(out)
    truth = [r["label"] for r in test]
    majority = Counter(truth).most_common(1)[0][1] / len(truth)
    accuracy = sum(p["label"] == t for p, t in zip(rows, truth, strict=True)) / len(truth)
    assert accuracy > majority + 0.05, (accuracy, majority)


def test_multi_label_classify_writes_labels_then_scores(multilabel):
    tmp, card, test, inp = multilabel
    out = tmp / "out.csv"
    classify_csv(model=tmp / "model", input=inp, text_column="text", out=out)
    header, rows = _read(out)
    assert header == ["labels"] + [f"score_{lab}" for lab in card["labels"]]
    assert {"HS", "Abusive", "HS_Religion", "HS_Race"} <= set(card["labels"])
    assert set(card["thresholds"]) == set(card["labels"])
    assert len(rows) == len(test)
    thresholds = card["thresholds"]
    requires = card["requires"]  # {label: [labels it is given only with]}
    saw_empty = saw_several = False
    for row in rows:
        chosen = row["labels"].split("|") if row["labels"] else []
        saw_empty |= not chosen
        saw_several |= len(chosen) > 1
        score = {lab: float(row[f"score_{lab}"]) for lab in card["labels"]}
        for lab in card["labels"]:
            assert 0.0 <= score[lab] <= 1.0
            # a label is chosen exactly when its score and those of the labels it requires
            # (card["requires"]) reach their tuned thresholds
            needed = [lab, *requires.get(lab, [])]
            if all(abs(score[x] - thresholds[x]) > 1e-4 for x in needed):  # 4 decimals
                assert (lab in chosen) == all(score[x] > thresholds[x] for x in needed)
            if lab in chosen:
                assert set(requires.get(lab, [])) <= set(chosen)
    assert saw_empty and saw_several


def test_multi_label_beats_majority_guess_on_hate_speech(multilabel):
    tmp, _, test, inp = multilabel
    out = tmp / "out_acc.csv"
    classify_csv(model=tmp / "model", input=inp, text_column="text", out=out)
    _, rows = _read(out)
    truth = ["HS" in r["labels"].split("|") for r in test]
    pred = ["HS" in r["labels"].split("|") for r in rows]
    majority = max(sum(truth), len(truth) - sum(truth)) / len(truth)
    accuracy = sum(p == t for p, t in zip(pred, truth, strict=True)) / len(truth)
    assert accuracy > majority + 0.05, (accuracy, majority)


def test_explain_returns_words_of_the_text_that_push_the_label(multilabel):
    tmp, _, _, _ = multilabel
    model = load(tmp / "model")
    text = "Dasar kafir cina anjing, usir dari negeri ini!"
    words = explain(model, text, top=3, label="HS_Religion")
    assert 1 <= len(words) <= 3
    present = set(normalise(text).split())
    assert all(w in present for w, _ in words)
    assert all(weight > 0 for _, weight in words)
    assert [wt for _, wt in words] == sorted((wt for _, wt in words), reverse=True)
    # the religion label is driven by a religious word
    assert "kafir" in [w for w, _ in words]
    # default label: the best-scoring one; a path works as well as the model
    assert all(w in present for w, _ in explain(tmp / "model", text))
    assert explain(model, "") == []
    with pytest.raises(TextDataError, match="nope"):
        explain(model, text, label="nope")


def test_missing_columns_are_named(tmp_path):
    data = _write(tmp_path / "d.csv", ["tweet", "label"], [{"tweet": "a", "label": "x"}])
    with pytest.raises(TextDataError, match="'text'"):
        train_csv(data=data, text_column="text", label_column="label", out=tmp_path / "m")
    with pytest.raises(TextDataError, match="'kategori'"):
        train_csv(data=data, text_column="tweet", label_column="kategori", out=tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_empty_files_are_refused(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", "utf-8")
    with pytest.raises(TextDataError, match="empty"):
        train_csv(data=empty, text_column="text", label_column="label", out=tmp_path / "m")
    header_only = tmp_path / "header.csv"
    header_only.write_text("text,label\n", "utf-8")
    with pytest.raises(TextDataError, match="no rows"):
        train_csv(data=header_only, text_column="text", label_column="label", out=tmp_path / "m")


def test_a_single_label_value_cannot_be_trained(tmp_path):
    rows = [{"text": f"teks {i}", "label": "x"} for i in range(10)]
    data = _write(tmp_path / "d.csv", ["text", "label"], rows)
    with pytest.raises(TextDataError, match="two labels"):
        train_csv(data=data, text_column="text", label_column="label", out=tmp_path / "m")


def test_classify_errors(abusive, tmp_path):
    tmp, _, _, inp = abusive
    with pytest.raises(FileNotFoundError):
        classify_csv(model=tmp_path / "nomodel", input=inp, text_column="text", out=tmp_path / "o")
    with pytest.raises(TextDataError, match="'isi'"):
        classify_csv(model=tmp / "model", input=inp, text_column="isi", out=tmp_path / "o.csv")


def test_media_command_trains_then_classifies(tmp_path):
    train, test = _split(_rows("id_hatespeech_alfina"), 300, 60)
    data = _write(tmp_path / "train.csv", ["text", "label"], train)
    inp = _write(tmp_path / "in.csv", ["text"], test)
    call_command(
        "media",
        "train",
        "--data",
        str(data),
        "--text-column",
        "text",
        "--label-column",
        "label",
        "--out",
        str(tmp_path / "model"),
    )
    assert json.loads((tmp_path / "model" / "card.json").read_text())["labels"] == [
        "HS",
        "Non_HS",
    ]
    out = tmp_path / "out.csv"
    call_command(
        "media",
        "classify",
        "--model",
        str(tmp_path / "model"),
        "--input",
        str(inp),
        "--text-column",
        "text",
        "--out",
        str(out),
    )
    header, rows = _read(out)
    assert header == ["label", "score_HS", "score_Non_HS"]
    assert len(rows) == 60 and {r["label"] for r in rows} <= {"HS", "Non_HS"}
    with pytest.raises(CommandError, match="'tweet'"):
        call_command(
            "media", "classify", "--model", str(tmp_path / "model"), "--input", str(inp),
            "--text-column", "tweet", "--out", str(out),
        )  # fmt: skip


# --- the multi-label command line contract -----------------------------------------------------

HOAX_TEXTS = [
    "surat suara sudah dicoblos ditemukan di gudang {}",
    "viral kotak suara dibuka diam diam malam hari di {}",
    "beredar kabar ktp palsu dipakai mencoblos di {}",
]
POLITIK_TEXTS = [
    "paslon nomor satu kampanye akbar di {}",
    "debat kandidat bupati digelar di {} malam ini",
    "tim pemenangan paslon membagikan program di {}",
]
NEUTRAL_TEXTS = [
    "hujan deras sejak sore di {} jalan licin",
    "pasar pagi di {} ramai menjelang akhir pekan",
    "jadwal kapal ke {} mundur karena ombak tinggi",
]
TOWNS = ["sangatta", "bengalon", "busang", "wahau", "sandaran", "kaliorang", "rantau pulung"]


def _multi_rows() -> list[dict[str, str]]:
    """Posts labelled hoaks, politik, both, or nothing: an empty value, a value of spaces only,
    separators with nothing between them."""
    rows = []
    empties = ["", "   ", " | ", "|"]
    for k, town in enumerate(TOWNS):
        for i, t in enumerate(HOAX_TEXTS):
            rows.append({"text": t.format(town), "labels": ["hoaks", " hoaks ", "hoaks|"][i]})
        for i, t in enumerate(POLITIK_TEXTS):
            rows.append({"text": t.format(town), "labels": ["politik", "|politik", "politik "][i]})
        rows.append(
            {"text": f"{HOAX_TEXTS[k % 3].format(town)} kata paslon", "labels": "hoaks| politik"}
        )
        for i, t in enumerate(NEUTRAL_TEXTS):
            rows.append({"text": t.format(town), "labels": empties[(k + i) % len(empties)]})
    return rows


def _command(*args: str) -> None:
    call_command("media", *args, stdout=io.StringIO(), stderr=io.StringIO())


def test_media_command_multi_label_with_empty_and_blank_values(tmp_path):
    data = _write(tmp_path / "train.csv", ["text", "labels"], _multi_rows())
    model_dir = tmp_path / "model"
    _command(
        "train", "--data", str(data), "--text-column", "text", "--label-column", "labels",
        "--out", str(model_dir), "--multi-label", "--separator", "|",
    )  # fmt: skip
    card = json.loads((model_dir / "card.json").read_text("utf-8"))
    assert card["labels"] == ["hoaks", "politik"]  # no "" from the empty or blank values
    assert card["multi_label"] is True and card["separator"] == "|"
    assert card["rows"] == card["rows_used"] == len(_multi_rows())  # no-label rows are used
    assert load(model_dir).labels == ["hoaks", "politik"]

    unseen = [
        "surat suara sudah dicoblos ditemukan di gudang muara ancalong",
        "debat kandidat bupati digelar di muara ancalong malam ini",
        "hujan deras sejak sore di muara ancalong jalan licin",
        "",
        "jadwal kapal ke teluk pandan mundur karena ombak tinggi",
    ]
    inp = _write(tmp_path / "in.csv", ["id", "text"], [{"id": i, "text": t} for i, t in
                                                          enumerate(unseen)])  # fmt: skip
    out = tmp_path / "out.csv"
    _command(
        "classify", "--model", str(model_dir), "--input", str(inp), "--text-column", "text",
        "--out", str(out),
    )  # fmt: skip
    header, rows = _read(out)
    assert header == ["labels", "score_hoaks", "score_politik"]
    assert len(rows) == len(unseen)
    for row in rows:
        chosen = row["labels"].split("|") if row["labels"] else []
        assert "" not in chosen
        expected = [
            lab
            for lab in ("hoaks", "politik")
            if float(row[f"score_{lab}"]) >= card["thresholds"][lab]
        ]
        assert chosen == expected or any(
            abs(float(row[f"score_{lab}"]) - card["thresholds"][lab]) < 1e-4
            for lab in ("hoaks", "politik")
        )  # a score written with 4 decimals may sit on its threshold
    assert rows[0]["labels"].split("|")[0] == "hoaks"
    assert "politik" in rows[1]["labels"].split("|")
    assert rows[2]["labels"] == "" and rows[4]["labels"] == ""  # no label: an empty value
    # the raw file: empty values are written as nothing at all
    lines = out.read_text("utf-8").splitlines()
    assert lines[0] == "labels,score_hoaks,score_politik"
    assert lines[3].startswith(",0.") and lines[5].startswith(",0.")

    # a header and no rows: a header and no rows, as `match` does
    empty_in = tmp_path / "kosong.csv"
    empty_in.write_text("id,text\n", "utf-8")
    empty_out = tmp_path / "kosong-out.csv"
    _command(
        "classify", "--model", str(model_dir), "--input", str(empty_in), "--text-column", "text",
        "--out", str(empty_out),
    )  # fmt: skip
    assert empty_out.read_text("utf-8").splitlines() == ["labels,score_hoaks,score_politik"]
    # ... but its text column must still be there
    with pytest.raises(CommandError, match="'isi'"):
        _command(
            "classify", "--model", str(model_dir), "--input", str(empty_in), "--text-column",
            "isi", "--out", str(tmp_path / "x.csv"),
        )  # fmt: skip


def test_multi_label_training_without_any_label_says_so(tmp_path):
    rows = [{"text": t.format(town), "labels": ["", "  ", "|"][i]}
            for town in TOWNS for i, t in enumerate(NEUTRAL_TEXTS)]  # fmt: skip
    data = _write(tmp_path / "none.csv", ["text", "labels"], rows)
    with pytest.raises(CommandError, match="no labels were found"):
        _command(
            "train", "--data", str(data), "--text-column", "text", "--label-column", "labels",
            "--out", str(tmp_path / "model"), "--multi-label", "--separator", "|",
        )  # fmt: skip
    assert not (tmp_path / "model").exists()
    # a header and no rows is still refused for training
    header_only = tmp_path / "header.csv"
    header_only.write_text("text,labels\n", "utf-8")
    with pytest.raises(TextDataError, match="no rows"):
        train_csv(data=header_only, text_column="text", label_column="labels",
                  out=tmp_path / "m", multi_label=True)  # fmt: skip


# --- calibration --------------------------------------------------------------------------------


def _ece(proba, truth, bins: int = 10) -> float:
    """Expected calibration error: the mean over equal-width score bins of |mean score − share
    of positives|, weighted by the share of rows in the bin."""
    import numpy as np

    proba, truth = np.asarray(proba, float), np.asarray(truth, float)
    which = np.minimum((proba * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            total += inside.mean() * abs(proba[inside].mean() - truth[inside].mean())
    return float(total)


def test_scores_are_calibrated_on_unseen_rows(multilabel, abusive):
    """The scores are probabilities (the post page and the risk use them as such): on rows the
    model never saw, a score of 0.7 is right about 70 % of the time. Expected calibration error
    below 0.1 for each frequent label of the multi-label model and for the single-label model's
    chosen class."""
    import numpy as np

    tmp, card, test, _ = multilabel
    model = load(tmp / "model")
    proba = model.predict_proba([r["text"] for r in test])
    for lab in ("HS", "Abusive"):
        j = model.labels.index(lab)
        truth = [lab in r["labels"].split("|") for r in test]
        assert 0.2 < np.mean(truth) < 0.8  # a frequent label: the bins are not all empty
        ece = _ece(proba[:, j], truth)
        assert ece < 0.1, (lab, round(ece, 3))
    # a constant score (the share of positives) is calibrated but useless: ours is not that
    assert proba[:, model.labels.index("HS")].std() > 0.2

    tmp, _, test, _ = abusive
    model = load(tmp / "model")
    proba = model.predict_proba([r["text"] for r in test])
    top = proba.argmax(axis=1)
    right = [model.labels[k] == r["label"] for k, r in zip(top, test, strict=True)]
    ece = _ece(proba.max(axis=1), right)
    assert ece < 0.1, round(ece, 3)


# --- features -----------------------------------------------------------------------------------

POSTS = [
    "dasar kafir cina usir dari negeri ini",
    "ayo ke tps pagi pagi jangan lupa bawa ktp",
    "pak ahok tetap berkarya kafir kafir",
    "hujan deras di sangatta banjir lagi",
    "ayo ayo ke tps",
]


def test_char_ngrams_equal_scikit_learns_char_wb_tfidf_and_survive_pickling():
    import pickle

    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from siaga.engines.nlp.features import CharNgrams

    ours = CharNgrams(ngram_range=(2, 5), min_df=2, max_features=300_000)
    ref = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), lowercase=False, min_df=2, sublinear_tf=True
    )
    a, b = ours.fit_transform(POSTS), ref.fit_transform(POSTS)
    assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())
    assert np.allclose(a.toarray(), b.toarray(), atol=1e-6)
    unseen = ["kafir cina di tps", "", "zzz"]
    again = pickle.loads(pickle.dumps(ours))  # noqa: S301 - our own object
    assert again._words == {}  # the word cache is not saved with the model
    assert np.allclose(
        again.transform(unseen).toarray(), ref.transform(unseen).toarray(), atol=1e-6
    )
    # max_features keeps the most frequent n-grams
    small = CharNgrams(ngram_range=(2, 5), min_df=1, max_features=10).fit(POSTS)
    assert len(small.vocabulary_) == 10 and " a" in small.vocabulary_


def test_lexicon_features_count_category_words_and_shouting():
    from siaga.engines.nlp.features import NAMES, category_of, lexicon_features

    raw = ["DASAR KAFIR CINA!!!", "selamat pagi"]
    x = lexicon_features(raw, [normalise(t) for t in raw]).toarray()
    assert x.shape == (2, len(NAMES))
    col = {name: i for i, name in enumerate(NAMES)}
    assert x[0, col["<religion>"]] > 0 and x[0, col["<race>"]] > 0 and x[0, col["<insult>"]] > 0
    assert x[1, col["<religion>"]] == 0 and x[1, col["<insult>"]] == 0
    assert x[0, col["<upper case>"]] == 1.0 and x[1, col["<upper case>"]] == 0.0
    assert x[0, col["<!>"]] > x[1, col["<!>"]] == 0
    assert set(category_of("kafir")) == {"insult", "religion"}
    assert category_of("pagi") == []


def test_a_long_post_is_classified_on_its_first_characters(multilabel):
    import numpy as np

    from siaga.engines.nlp.classifier import MAX_CHARS

    tmp, _, test, _ = multilabel
    model = load(tmp / "model")
    head = (test[0]["text"] + " ") * (MAX_CHARS // max(len(test[0]["text"]), 1) + 2)
    head = head[:MAX_CHARS]
    tail = " kafir anjing cina" * 50
    a, b = model.predict_proba([head, head + tail])
    assert np.allclose(a, b)
    # ... while the same words inside the limit do move the scores
    (c,) = model.predict_proba([head[: MAX_CHARS - len(tail)] + tail])
    assert not np.allclose(a, c)
