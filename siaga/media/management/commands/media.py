"""siaga media: the text tools on files (no database), and the deployment's monitoring.

On files only:
    siaga media train --data TRAIN.csv --text-column text --label-column label --out MODEL_DIR
        [--multi-label --separator '|']
    siaga media classify --model MODEL_DIR --input INPUT.csv --text-column text --out OUT.csv
    siaga media match --claims CLAIMS.csv --claim-column claim --input INPUT.csv
        --text-column text --top 5 --out OUT.csv

On the deployment's database:
    siaga media ingest POSTS.csv|.xlsx|.jsonl [--source SLUG]
    siaga media debunks DEBUNKS.csv
    siaga media poll [--loop SECONDS]
    siaga media retrain

Progress and the training scores go to stderr.
"""

from __future__ import annotations

import itertools
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
        i = sub.add_parser("ingest", help="Store a file of posts (CSV, XLSX or JSON Lines).")
        i.add_argument("file")
        i.add_argument("--source", default="", help="slug of the source (default: file import)")
        d = sub.add_parser("debunks", help="Import a CSV/XLSX of debunks (all or nothing).")
        d.add_argument("file")
        p = sub.add_parser("poll", help="Poll the RSS feeds and connectors that are due.")
        p.add_argument("--loop", type=_positive, metavar="SECONDS", help="poll again every N s")
        sub.add_parser("retrain", help="Retrain the model with the analysts' decisions.")

    def handle(self, *args, **options):
        action = options["action"]
        if action in ("ingest", "debunks", "poll", "retrain"):
            from siaga.core.tabular import TableError

            try:
                getattr(self, f"_{action}")(options)
            except TableError as exc:
                raise CommandError(str(exc.error)) from exc
            return
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

    # --- on the database ---------------------------------------------------------------------

    def _ingest(self, options) -> None:
        from siaga.core.audit import AuditContext
        from siaga.core.deployment import deployment_regency
        from siaga.media import sources
        from siaga.media.ingest import ingest
        from siaga.media.models import Source
        from siaga.media.records import read_file

        context = AuditContext.cli()
        if options["source"]:
            source = Source.objects.filter(slug=options["source"]).first()
            if source is None:
                raise CommandError(f"unknown source {options['source']!r}")
        else:
            source = None
        rows = read_file(options["file"])
        # Read the first record before writing anything: a file that is not a table (missing,
        # empty, binary) leaves no trace, not even the file-import source.
        first = next(rows, None)
        records = itertools.chain([first] if first is not None else [], rows)
        if source is None:
            source = sources.file_source(deployment_regency(), context=context)
        result = ingest(records, source=source, context=context)
        for error in result.errors[:50]:
            self.stderr.write(str(error))
        self.stdout.write(
            f"{result.batch.received} received, {result.stored} stored, "
            f"{result.updated} already stored, {result.rejected} rejected "
            f"in {result.batch.seconds:.1f} s."
        )

    def _debunks(self, options) -> None:
        from siaga.core.audit import AuditContext
        from siaga.core.deployment import deployment_regency
        from siaga.media.debunks import debunks_import

        report = debunks_import(
            options["file"], context=AuditContext.cli(), region_code=deployment_regency()
        )
        if report.errors:
            for error in report.errors[:50]:
                self.stderr.write(str(error))
            raise CommandError(f"{len(report.errors)} errors: nothing was imported.")
        self.stdout.write(f"{report.created} debunks created, {report.unchanged} already there.")

    def _poll(self, options) -> None:
        from siaga.core.audit import AuditContext
        from siaga.media.sources import sources_poll

        while True:
            for source, result in sources_poll(context=AuditContext.cli()):
                if result is None:
                    self.stderr.write(f"{source.slug}: failed, see the source's last error")
                else:
                    self.stdout.write(
                        f"{source.slug}: {result.stored} new, {result.updated} known, "
                        f"{result.rejected} rejected"
                    )
            if not options.get("loop"):
                return
            time.sleep(options["loop"])

    def _retrain(self, options) -> None:
        from siaga.core.audit import AuditContext
        from siaga.media import textmodel

        card = textmodel.retrain(
            context=AuditContext.cli(), progress=lambda m: self.stderr.write(m)
        )
        self.stdout.write(f"model trained at {card.get('trained_at')}: {card.get('scores')}")
