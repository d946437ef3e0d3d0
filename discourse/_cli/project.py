"""The project commands: ``discourse init`` (an example study), ``figures`` (the notebook build), ``kernel``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._common import check_outputs, progress


def add_init(sub, common: argparse.ArgumentParser) -> None:
    pi = sub.add_parser("init", parents=[common], help="write a commented example study.toml and an empty corpus/metadata.csv",
                        description="Write DIR/study.toml (every setting, commented), DIR/corpus/metadata.csv (its columns) "
                                    "and DIR/corpus/README.md (what each column holds). Existing files are never overwritten.")
    pi.add_argument("dir", metavar="DIR", help="folder to write into (created if missing)")


def run_init(args: argparse.Namespace) -> int:
    from ..study import write_example

    written = write_example(args.dir)
    for p in written:
        sys.stdout.write(f"wrote {p}\n")
    sys.stdout.write(f"next: put documents in {Path(args.dir) / 'corpus'}, fill metadata.csv, then "
                     f"`discourse analyze --config {Path(args.dir) / 'study.toml'}`\n")
    return 0


def add_figures(sub, common: argparse.ArgumentParser) -> None:
    pf = sub.add_parser("figures", parents=[common], help="execute every notebook in order and rebuild figures/",
                        description="Execute every notebook in order (fresh kernels, no network) and replace the figure "
                                    "folder when all have run. Embeddings, fitted models, the analysis and rendered "
                                    "figures are cached in .cache/ beside the notebooks ($DISCOURSE_CACHE overrides it); "
                                    "delete it to rebuild from nothing.")
    pf.add_argument("--notebooks", default="notebooks", metavar="DIR", help="folder of notebooks (default: notebooks)")
    pf.add_argument("--out", default="figures", metavar="DIR", help="figure folder (default: figures)")
    pf.add_argument("--timeout", type=int, default=1800, help="seconds allowed per notebook cell (default 1800)")
    pf.add_argument("--native-numerics", action="store_true",
                    help="let numeric libraries use this CPU's own kernels (faster on some CPUs; the figures then "
                         "match only builds on the same kind of CPU). Default: the reproducible mode")


def run_figures(args: argparse.Namespace) -> int:
    from ..figures import build_figures

    check_outputs(args)
    written = build_figures(notebooks=args.notebooks, outdir=args.out, timeout=args.timeout, progress=progress(args),
                            reproducible=not args.native_numerics)
    figures = [p for p in written if p.suffix in (".png", ".svg", ".pdf")]
    sys.stdout.write(f"built {len(figures)} figures and {len(written) - len(figures)} other files "
                     f"(manifests, the tables behind the figures) into {args.out}\n")
    return 0


def add_kernel(sub, common: argparse.ArgumentParser) -> None:
    pk = sub.add_parser("kernel", parents=[common], help="register the Jupyter kernel 'discourse' (this environment, reproducible numerics)",
                        description="Register a Jupyter kernel named 'discourse' that runs this Python environment in the "
                                    "reproducible numeric mode, so notebooks opened in Jupyter compute what "
                                    "`discourse figures` computes.")
    pk.add_argument("--user", action="store_true", help="register for this user (default: inside this environment)")


def run_kernel(args: argparse.Namespace) -> int:
    from ..numeric import install_kernel

    where = install_kernel(user=args.user)
    sys.stdout.write(f"registered Jupyter kernel 'discourse' in {where}\n")
    return 0
