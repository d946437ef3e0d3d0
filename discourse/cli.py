"""The ``discourse`` command line: ``corpus``, ``analyze`` and ``figures``.

Every error a user can cause is reported as one line on stderr
(``discourse: error: …``) with a non-zero exit status, never a traceback
(``--debug`` shows it).  Warnings about the corpus are one line each
(``discourse: warning: …``).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import warnings
from pathlib import Path
from typing import Sequence

__all__ = ["main", "build_parser"]

EXIT_USAGE = 2
EXIT_INTERNAL = 1


def _corpus_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", help="folder of .txt files with metadata.csv, or a .csv/.jsonl/.parquet file; 'seeds' for the shipped seed corpus")
    p.add_argument("--text-col", default="text", help="column holding the text (tabular files; default: text)")
    p.add_argument("--id-col", default="id", help="column holding the unique document id (tabular files; default: id)")


def _common_args(p: argparse.ArgumentParser, *, default) -> None:
    p.add_argument("--debug", action="store_true", default=default, help="show tracebacks and debug logging")
    p.add_argument("--quiet", action="store_true", default=default, help="no progress bars or info messages")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="discourse",
        description="Comparative discourse research with topic models.",
    )
    _common_args(parser, default=False)
    common = argparse.ArgumentParser(add_help=False)
    _common_args(common, default=argparse.SUPPRESS)  # also accepted after the command
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    pc = sub.add_parser("corpus", parents=[common], help="load, clean and tokenise a corpus; print a summary")
    _corpus_args(pc)
    pc.add_argument("--export", metavar="DIR", help="write DIR/clean/<id>.txt, DIR/passages.csv and DIR/removed.csv")

    pa = sub.add_parser("analyze", parents=[common], help="clean, fit LDA and BERTopic, compare groups; write tables and figures")
    _corpus_args(pa)
    pa.add_argument("--by", action="append", required=True, metavar="COLUMN",
                    help="metadata column to compare by (repeatable); cross two with a:b, e.g. outlet_country:period")
    pa.add_argument("--out", required=True, metavar="DIR", help="output folder (replaced atomically when the run completes)")
    pa.add_argument("--models", default="lda,bertopic", help="comma-separated: lda, bertopic (default both)")
    pa.add_argument("--k", default="auto", help="number of LDA topics, or 'auto' to choose by coherence and stability (default)")
    pa.add_argument("--seed", type=int, default=0, help="random seed for every stochastic step (default 0)")
    pa.add_argument("--runs", type=int, default=5,
                    help="LDA runs (seeds SEED, SEED+1, ...) aligned and combined in every comparison (default 5)")
    pa.add_argument("--cache", metavar="DIR", default=None, help="cache folder for embeddings and fitted models (default $DISCOURSE_CACHE or ~/.cache/discourse)")
    pa.add_argument("--scheduler", default=None, metavar="ADDRESS",
                    help="run on a Dask cluster: a scheduler address, or 'local' for a local cluster (default: in-process)")
    pa.add_argument("--no-figures", action="store_true", help="write tables only")

    pf = sub.add_parser("figures", parents=[common], help="execute every notebook in order and rebuild figures/",
                        description="Execute every notebook in order (fresh kernels, no network) and replace the figure "
                                    "folder when all have run. Embeddings, fitted models, the analysis and rendered "
                                    "figures are cached in .cache/ beside the notebooks ($DISCOURSE_CACHE overrides it); "
                                    "delete it to rebuild from nothing.")
    pf.add_argument("--notebooks", default="notebooks", metavar="DIR", help="folder of notebooks (default: notebooks)")
    pf.add_argument("--out", default="figures", metavar="DIR", help="figure folder (default: figures)")
    pf.add_argument("--timeout", type=int, default=1800, help="seconds allowed per notebook cell (default 1800)")
    return parser


def _progress(args: argparse.Namespace) -> bool | None:
    """None: progress bars only when stderr is a terminal; False with --quiet."""
    return False if args.quiet else None


def _fmt_int(n: int) -> str:
    return f"{n:,}"


def _check_outputs(args: argparse.Namespace) -> None:
    """Check output and cache folders before any expensive work (one-line errors naming the option)."""
    from ._io import check_replaceable_dir, check_writable_dir

    def parent(p: Path) -> Path:
        return p.parent if str(p.parent) else Path(".")

    export = getattr(args, "export", None)
    if export:
        from .export import EXPORT_NAMES

        check_replaceable_dir(export, what="export folder", option="--export", known=EXPORT_NAMES)
        check_writable_dir(parent(Path(export)), what="export folder's parent", option="--export")
    out = getattr(args, "out", None)
    if out:
        what = "figure folder" if args.command == "figures" else "output folder"
        check_replaceable_dir(out, what=what, option="--out")
        check_writable_dir(parent(Path(out)), what=f"{what}'s parent", option="--out")
    cache = getattr(args, "cache", None)
    if cache:
        check_writable_dir(cache, what="cache folder", option="--cache")


def cmd_corpus(args: argparse.Namespace) -> int:
    from .corpus import load_corpus
    from ._prepare import prepare

    _check_outputs(args)
    corpus = load_corpus(args.path, text_col=args.text_col, id_col=args.id_col)
    prepared = prepare(corpus, progress=_progress(args))
    summary = prepared.summary().set_index("doc_id")
    out = sys.stdout
    out.write(f"corpus: {corpus.source}\n")
    out.write(f"documents: {_fmt_int(len(corpus))}  passages: {_fmt_int(len(prepared.passages))}  "
              f"tokens: {_fmt_int(int(prepared.passages['n_tokens'].sum()))}  corpus sha256: {corpus.hash[:16]}\n")
    meta = corpus.metadata
    for col in meta.columns:
        values = meta[col]
        n_unique = values.dropna().nunique()
        if col in ("title", "url", "notes", "published", "author", "file") or n_unique == 0 or n_unique > 20:
            continue
        out.write(f"\nby {col}:\n")
        table = summary.assign(_g=values.reindex(summary.index).fillna("(unknown)")).groupby("_g", sort=True)
        for g, part in table:
            out.write(f"  {g:<40} documents {len(part):>6,}  passages {int(part['passages'].sum()):>7,}  tokens {int(part['tokens'].sum()):>9,}\n")
    out.write("\nchrome removed per document (characters):\n")
    for doc_id, row in summary.iterrows():
        pct = 100.0 * row["chars_removed"] / max(row["chars_raw"], 1)
        out.write(f"  {doc_id:<40} {int(row['chars_removed']):>7,} of {int(row['chars_raw']):>9,} ({pct:4.1f}%)\n")
    if args.export:
        from .export import export_prepared

        written = export_prepared(prepared, args.export)
        out.write(f"\nexported {len(written)} files to {args.export}\n")
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from .analysis import AnalysisConfig, run_analysis

    models = tuple(m.strip().lower() for m in args.models.split(",") if m.strip())
    k = args.k if args.k == "auto" else _parse_k(args.k)
    config = AnalysisConfig(
        by=tuple(args.by), models=models, k=k, random_state=args.seed, n_runs=args.runs,
        cache_dir=args.cache, progress=_progress(args), figures=not args.no_figures,
        scheduler=args.scheduler,
    ).validate()
    _check_outputs(args)
    result = run_analysis(args.path, config, out=args.out, text_col=args.text_col, id_col=args.id_col)
    sys.stdout.write(result.describe() + "\n")
    return 0


def _parse_k(value: str) -> int:
    from .errors import ParameterError

    try:
        k = int(value)
    except ValueError:
        raise ParameterError(f"--k {value!r} is not allowed: give an integer >= 2 or 'auto'") from None
    if k < 2:
        raise ParameterError(f"--k {k} is not allowed: give an integer >= 2 or 'auto'")
    return k


def cmd_figures(args: argparse.Namespace) -> int:
    from .build import build_figures

    _check_outputs(args)
    written = build_figures(notebooks=args.notebooks, outdir=args.out, timeout=args.timeout, progress=_progress(args))
    sys.stdout.write(f"built {len(written)} figures into {args.out}\n")
    return 0


class _Printed:
    """One-line messages already shown on stderr (a warning logged and warned is shown once)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def show(self, prefix: str, text: str) -> None:
        line = " ".join(str(text).split())
        if prefix.endswith("warning: "):
            if line in self.seen:
                return
            self.seen.add(line)
        sys.stderr.write(f"{prefix}{line}\n")
        sys.stderr.flush()


class _Handler(logging.Handler):
    """Log records as ``discourse: [warning: |error: ]message`` lines on the current stderr."""

    def __init__(self, printed: _Printed) -> None:
        super().__init__()
        self.printed = printed

    def emit(self, record: logging.LogRecord) -> None:
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad log call must not end the run
            msg = str(record.msg)
        if record.levelno >= logging.ERROR:
            self.printed.show("discourse: error: ", msg)
        elif record.levelno >= logging.WARNING:
            self.printed.show("discourse: warning: ", msg)
        else:
            sys.stderr.write(f"discourse: {msg}\n")


def _install_warning_printer(printed: _Printed) -> None:
    def show(message, category, filename, lineno, file=None, line=None):  # noqa: ARG001
        text = str(message).splitlines()[0] if str(message) else category.__name__
        printed.show("discourse: warning: ", text)

    warnings.showwarning = show


_NOISY = ("gensim", "bertopic", "BERTopic", "sentence_transformers", "numba", "urllib3", "httpx", "distributed",
          "matplotlib", "PIL", "filelock", "huggingface_hub", "transformers", "jupytext", "traitlets", "asyncio")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``discourse`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    level = logging.DEBUG if args.debug else (logging.WARNING if args.quiet else logging.INFO)
    printed = _Printed()
    handler = _Handler(printed)
    root = logging.getLogger()
    saved = (root.level, {name: logging.getLogger(name).level for name in _NOISY})
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(logging.ERROR if not args.debug else logging.DEBUG)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if args.quiet:
        os.environ["DISCOURSE_PROGRESS"] = "0"
    with _interrupt_handling():
        try:
            return _run(args, printed)
        finally:
            root.removeHandler(handler)
            root.setLevel(saved[0])
            for name, lvl in saved[1].items():
                logging.getLogger(name).setLevel(lvl)


@contextlib.contextmanager
def _interrupt_handling():
    """Make Ctrl-C reliable for the duration of a command.

    * pyarrow's own SIGINT handling is switched off: during Arrow calls it
      routes the signal through a self-pipe and stop token, and a Ctrl-C
      while a warm ``analyze`` wrote its tables was lost in 2 of 12 tries
      (the run went on and published its results; 0 of 20 with this);
    * the SIGINT handler records the interrupt before raising
      ``KeyboardInterrupt``, and :func:`discourse._io.atomic_dir` checks the
      record before swapping an output folder in, so an interrupt swallowed by
      any library still leaves earlier results as they were.

    Both are put back afterwards; a SIGINT that was ignored (``nohup``, a
    background job) stays ignored.
    """
    import signal
    import threading

    from ._io import clear_interrupt, note_interrupt

    clear_interrupt()
    previous = signal.getsignal(signal.SIGINT)
    install = threading.current_thread() is threading.main_thread() and previous is signal.default_int_handler

    def on_sigint(signum, frame):
        note_interrupt()
        raise KeyboardInterrupt

    pa = None
    try:
        import pyarrow as pa

        pa.enable_signal_handlers(False)
    except (ImportError, AttributeError):
        pa = None
    if install:
        signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        if install:
            signal.signal(signal.SIGINT, previous)
        if pa is not None:
            pa.enable_signal_handlers(True)
        clear_interrupt()


def _run(args: argparse.Namespace, printed: _Printed) -> int:
    handlers = {"corpus": cmd_corpus, "analyze": cmd_analyze, "figures": cmd_figures}
    from .errors import DiscourseError

    with warnings.catch_warnings():
        _install_warning_printer(printed)
        warnings.simplefilter("default")
        for mod in ("umap", "sklearn", "numba", "bertopic", "hdbscan", "torch", "transformers", "jupyter_client", "zmq", "dask", "distributed", "gensim", "sentence_transformers"):
            warnings.filterwarnings("ignore", module=mod)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)
        try:
            return handlers[args.command](args)
        except DiscourseError as exc:
            if args.debug:
                raise
            sys.stderr.write(f"discourse: error: {_one_line(exc)}\n")
            return EXIT_USAGE
        except KeyboardInterrupt:
            sys.stderr.write("discourse: interrupted; earlier results were left as they were\n")
            return 130
        except OSError as exc:
            if args.debug:
                raise
            sys.stderr.write(f"discourse: error: {_os_error(exc)}\n")
            return EXIT_USAGE
        except MemoryError:
            sys.stderr.write("discourse: error: out of memory; use a smaller corpus, shorter documents or --scheduler to spread the work\n")
            return EXIT_INTERNAL
        except Exception as exc:  # noqa: BLE001 - last line of defence: no bare traceback
            if args.debug:
                raise
            sys.stderr.write(f"discourse: internal error: {type(exc).__name__}: {_one_line(exc)} (rerun with --debug for the traceback, and please report it)\n")
            return EXIT_INTERNAL


def _os_error(exc: OSError) -> str:
    """One line for an operating-system error: the path(s), the reason, what to check."""
    import errno

    where = ""
    if getattr(exc, "filename", None):
        where = f"{str(exc.filename)!r}: "
        if getattr(exc, "filename2", None):
            where = f"{str(exc.filename)!r} -> {str(exc.filename2)!r}: "
    reason = exc.strerror or _one_line(exc) or type(exc).__name__
    if exc.errno == errno.ENOSPC:
        return f"{where}{reason}; free some disk space (earlier results were left as they were)"
    return f"{where}{reason}; check the path and its permissions"


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
