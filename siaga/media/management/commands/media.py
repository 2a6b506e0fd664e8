"""siaga media: train and run the text classifiers, match posts to debunked claims (files only,
no database).

    siaga media train --data TRAIN.csv --text-column text --label-column label --out MODEL_DIR
        [--multi-label --separator '|']
    siaga media classify --model MODEL_DIR --input INPUT.csv --text-column text --out OUT.csv
    siaga media match --claims CLAIMS.csv --claim-column claim --input INPUT.csv
        --text-column text --top 5 --out OUT.csv

Progress and the training scores go to stderr.
"""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError


def _positive(value: str) -> int:
    import argparse

    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"harus bilangan bulat, bukan {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"harus 1 atau lebih, bukan {n}")
    return n


class Command(BaseCommand):
    help = (
        "Social-media text tools on files: `train` a classifier, `classify` a CSV with it, "
        "`match` posts against debunked claims."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        t = sub.add_parser("train", help="Train a text classifier from a labelled CSV.")
        t.add_argument("--data", required=True, help="labelled CSV (UTF-8)")
        t.add_argument("--text-column", default="text")
        t.add_argument("--label-column", default="label")
        t.add_argument("--out", required=True, help="folder to write the model to")
        t.add_argument("--multi-label", action="store_true", help="several labels per row")
        t.add_argument("--separator", default="|", help="between labels (with --multi-label)")
        c = sub.add_parser("classify", help="Classify the rows of a CSV with a trained model.")
        c.add_argument("--model", required=True, help="folder written by `train`")
        c.add_argument("--input", required=True)
        c.add_argument("--text-column", default="text")
        c.add_argument("--out", required=True)
        m = sub.add_parser("match", help="Match posts against a CSV of debunked claims.")
        m.add_argument("--claims", required=True)
        m.add_argument("--claim-column", default="claim")
        m.add_argument("--input", required=True)
        m.add_argument("--text-column", default="text")
        m.add_argument("--top", type=_positive, default=5)
        m.add_argument("--out", required=True)

    def handle(self, *args, **options):
        t0 = time.perf_counter()

        def progress(msg: str) -> None:
            print(f"[{time.perf_counter() - t0:6.1f}s] {msg}", file=sys.stderr, flush=True)

        from siaga.engines.nlp.errors import TextDataError

        try:
            if options["action"] == "train":
                from siaga.engines.nlp.classifier import train_csv

                train_csv(
                    data=options["data"],
                    text_column=options["text_column"],
                    label_column=options["label_column"],
                    out=options["out"],
                    multi_label=options["multi_label"],
                    separator=options["separator"],
                    progress=progress,
                )
            elif options["action"] == "classify":
                from siaga.engines.nlp.classifier import classify_csv

                classify_csv(
                    model=options["model"],
                    input=options["input"],
                    text_column=options["text_column"],
                    out=options["out"],
                    progress=progress,
                )
            else:
                from siaga.engines.nlp.matching import match_csv

                match_csv(
                    claims=options["claims"],
                    claim_column=options["claim_column"],
                    input=options["input"],
                    text_column=options["text_column"],
                    top=options["top"],
                    out=options["out"],
                    progress=progress,
                )
        except (FileNotFoundError, TextDataError) as exc:
            raise CommandError(str(exc)) from exc
