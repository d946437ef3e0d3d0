"""``discourse validate export|score``: human validation of topics."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub, common: argparse.ArgumentParser) -> None:
    pv = sub.add_parser("validate", parents=[common], help="validate topics with people: intrusion tasks, quote sheets, scoring",
                        description="Export word, word-set, topic and label intrusion tasks, quote sheets and one HTML page "
                                    "per coder from a finished analysis; score the answers files the pages save.")
    vsub = pv.add_subparsers(dest="validate_command", metavar="STEP", required=True)
    pe = vsub.add_parser("export", parents=[common], help="write tasks, coder pages, answer key and quote sheets")
    pe.add_argument("results", metavar="RESULTS_DIR", help="a `discourse analyze --out` folder")
    pe.add_argument("--out", required=True, metavar="DIR", help="output folder (replaced atomically)")
    pe.add_argument("--coders", type=int, default=3, metavar="N", help="number of coders, one page each (default 3)")
    pe.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the task draw and of each coder's order (default 0)")
    pe.add_argument("--cache", metavar="DIR", default=None,
                    help="the cache folder analyze used (default $DISCOURSE_CACHE or ~/.cache/discourse)")
    pe.add_argument("--labels", metavar="CSV", default=None, help="your topic labels: a CSV with columns model, topic, label")
    pe.add_argument("--models", default=None, help="comma-separated models to validate (default: all in the analysis)")
    ps = vsub.add_parser("score", parents=[common], help="score answers files: precision, log odds, accuracy, agreement")
    ps.add_argument("export", metavar="DIR", help="the folder `discourse validate export` wrote")
    ps.add_argument("answers", nargs="+", metavar="ANSWERS", help="the CSV or JSON answers files coders sent back")
    ps.add_argument("--out", default=None, metavar="OUT", help="where to write scores (default DIR/scores)")
    ps.add_argument("--no-figure", action="store_true", help="write tables only")


def run(args: argparse.Namespace) -> int:
    from .. import validate as V

    if args.validate_command == "export":
        from .._io import check_replaceable_dir

        if args.coders < 1:
            from ..errors import ParameterError

            raise ParameterError(f"--coders {args.coders} is not allowed: give a positive number of coders")
        check_replaceable_dir(args.out, what="output folder", option="--out")
        labels = V.read_labels(args.labels) if args.labels else None
        models = tuple(m.strip().lower() for m in args.models.split(",") if m.strip()) if args.models else None
        source = V.load_source(args.results, cache_dir=args.cache, labels=labels)
        ex = V.export_tasks(source, args.out, n_coders=args.coders, random_state=args.seed, models=models)
        sys.stdout.write(ex.summary() + "\n")
        return 0
    out = Path(args.out) if args.out else Path(args.export) / "scores"
    res = V.score_answers(args.export, args.answers)
    V.write_scores(res, out, figure=not args.no_figure)
    sys.stdout.write(res.summary() + f"\nwrote {out}\n")
    return 0
