"""The ``discourse`` command line: ``corpus``, ``analyze``, ``validate``, ``init``, ``figures`` and ``kernel``.

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

from ._summary import PER_DOCUMENT_LINES  # noqa: E402,F401  (standard library only; re-exported for tests)

EXIT_USAGE = 2
EXIT_INTERNAL = 1


def _corpus_args(p: argparse.ArgumentParser, *, optional: bool = False) -> None:
    p.add_argument("path", nargs="?" if optional else None, default=None,
                   help="folder of .txt or .html files (with metadata.csv), .warc/.warc.gz web archives, or a "
                        ".csv/.jsonl/.parquet file; 'seeds' for the shipped seed corpus"
                        + (" (default: [corpus] path of --config)" if optional else ""))
    p.add_argument("--text-col", default=None, help="column holding the text (tabular files; default: text)")
    p.add_argument("--id-col", default=None, help="column holding the unique document id (tabular files; default: id)")
    p.add_argument("--keep-duplicates", action="store_true",
                   help="keep every copy of duplicate documents (default: each kept once, the copies listed)")


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

    pa = sub.add_parser("analyze", parents=[common], help="clean, fit LDA and BERTopic, compare groups; write tables and figures",
                        description="Every setting can come from a study file (--config study.toml, see `discourse init`); "
                                    "each flag given here overrides the file.")
    _corpus_args(pa, optional=True)
    pa.add_argument("--config", metavar="STUDY.toml", default=None, help="study file holding the corpus, groupings, models and settings")
    pa.add_argument("--by", action="append", default=None, metavar="COLUMN",
                    help="metadata column to compare by (repeatable); cross two with a:b, e.g. outlet_country:period")
    pa.add_argument("--out", default=None, metavar="DIR", help="output folder (replaced atomically when the run completes)")
    pa.add_argument("--models", default=None, help="comma-separated: lda, bertopic (default both)")
    pa.add_argument("--k", default=None, help="number of LDA topics, or 'auto' to choose as stm's searchK: held-out likelihood, coherence, exclusivity, stability (default)")
    pa.add_argument("--k-range", default=None, metavar="K,K,...", help="K tried when --k auto, e.g. 2,3,4,5,6,8 or 2-8 (default 2,3,4,5,6,8,10)")
    pa.add_argument("--min-docs", type=int, default=None, help="groups with fewer documents are flagged too_few (default 3)")
    pa.add_argument("--resamples", type=int, default=None, help="bootstrap resamples (default 2000)")
    pa.add_argument("--permutations", type=int, default=None, help="permutations for contrast p-values (default 2000)")
    pa.add_argument("--seed", type=int, default=None, help="random seed for every stochastic step (default 0)")
    pa.add_argument("--runs", type=int, default=None,
                    help="LDA runs (seeds SEED, SEED+1, ...) aligned and combined in every comparison (default 5)")
    pa.add_argument("--embedder", default=None, choices=("minilm", "minilm-int8", "static"),
                    help="BERTopic's embedding tier: minilm (torch fp32, default), minilm-int8 (about 2x faster), "
                         "static (Model2Vec, tens of times faster, coarser); see the README")
    pa.add_argument("--cache", metavar="DIR", default=None, help="cache folder for embeddings and fitted models (default $DISCOURSE_CACHE or ~/.cache/discourse)")
    pa.add_argument("--scheduler", default=None, metavar="ADDRESS",
                    help="run on a Dask cluster: a scheduler address, or 'local' for a local cluster (default: in-process)")
    pa.add_argument("--pair", action="append", metavar="GROUP,REFERENCE", default=None,
                    help="compare exactly this pair of groups in keyness and contrasts (repeatable), e.g. 2024,2015; "
                         "default: every pair, later against earlier")
    pa.add_argument("--against-rest", action=argparse.BooleanOptionalAction, default=None,
                    help="keyness of each group against the rest of its grouping (default: only without --pair)")
    pa.add_argument("--prior-scale", type=float, default=None, metavar="S",
                    help="keyness prior's total as a share of the corpus's tokens (default 0.1)")
    pa.add_argument("--no-figures", action="store_true", help="write tables only")
    pa.add_argument("--reproducible", action="store_true",
                    help="compute in the reproducible numeric mode: the same bytes on any x86-64 CPU "
                         "(kernels pinned to AVX2; see discourse.numeric)")

    _validate_parser(sub, common)
    pi = sub.add_parser("init", parents=[common], help="write a commented example study.toml and an empty corpus/metadata.csv",
                        description="Write DIR/study.toml (every setting, commented), DIR/corpus/metadata.csv (its columns) "
                                    "and DIR/corpus/README.md (what each column holds). Existing files are never overwritten.")
    pi.add_argument("dir", metavar="DIR", help="folder to write into (created if missing)")

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

    pk = sub.add_parser("kernel", parents=[common], help="register the Jupyter kernel 'discourse' (this environment, reproducible numerics)",
                        description="Register a Jupyter kernel named 'discourse' that runs this Python environment in the "
                                    "reproducible numeric mode, so notebooks opened in Jupyter compute what "
                                    "`discourse figures` computes.")
    pk.add_argument("--user", action="store_true", help="register for this user (default: inside this environment)")
    return parser


def _validate_parser(sub, common: argparse.ArgumentParser) -> None:
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


def _load_options(args: argparse.Namespace) -> dict:
    return {"text_col": args.text_col or "text", "id_col": args.id_col or "id",
            "duplicates": "keep_all" if args.keep_duplicates else "keep_once", "progress": _progress(args)}


def cmd_corpus(args: argparse.Namespace) -> int:
    from ._summary import write_ingest_summary, write_removal_summary
    from .corpus import load_corpus
    from ._prepare import prepare

    _check_outputs(args)
    corpus = load_corpus(args.path, **_load_options(args))
    prepared = prepare(corpus, progress=_progress(args))
    summary = prepared.summary().set_index("doc_id")
    out = sys.stdout
    out.write(f"corpus: {corpus.source}\n")
    out.write(f"documents: {_fmt_int(len(corpus))}  passages: {_fmt_int(len(prepared.passages))}  "
              f"tokens: {_fmt_int(int(prepared.passages['n_tokens'].sum()))}  corpus sha256: {corpus.hash[:16]}\n")
    write_ingest_summary(out, corpus)
    meta = corpus.metadata
    for col in meta.columns:
        values = meta[col]
        n_unique = values.dropna().nunique()
        if col in ("title", "url", "notes", "published", "author", "file", "page", "copies", "captured") or col.endswith("_source") \
                or n_unique == 0 or n_unique > 20:
            continue
        out.write(f"\nby {col}:\n")
        table = summary.assign(_g=values.reindex(summary.index).fillna("(unknown)")).groupby("_g", sort=True)
        for g, part in table:
            out.write(f"  {g:<40} documents {len(part):>6,}  passages {int(part['passages'].sum()):>7,}  tokens {int(part['tokens'].sum()):>9,}\n")
    write_removal_summary(out, summary)
    if args.export:
        from .export import export_prepared

        extra = {}
        if corpus.ingest is not None:
            extra["extracted_removed"] = corpus.ingest.removals
            extra["skipped_pages"] = corpus.ingest.skipped
        if corpus.duplicates is not None:
            extra["duplicates"] = corpus.duplicates.to_frame()
        written = export_prepared(prepared, args.export, extra=extra)
        out.write(f"\nexported {len(written)} files to {args.export}\n")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from .study import write_example

    written = write_example(args.dir)
    for p in written:
        sys.stdout.write(f"wrote {p}\n")
    sys.stdout.write(f"next: put documents in {Path(args.dir) / 'corpus'}, fill metadata.csv, then "
                     f"`discourse analyze --config {Path(args.dir) / 'study.toml'}`\n")
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from .analysis import AnalysisConfig, run_analysis
    from .errors import ParameterError
    from .study import Study, load_study

    study = load_study(args.config) if args.config else Study(path=None, corpus=None, config=AnalysisConfig(by=()))
    models = tuple(m.strip().lower() for m in args.models.split(",") if m.strip()) if args.models else None
    k = None if args.k is None else (args.k if args.k == "auto" else _parse_k(args.k))
    study = study.with_overrides(
        corpus=args.path, out=args.out, by=tuple(args.by) if args.by else None, models=models, k=k,
        k_range=_parse_k_range(args.k_range) if args.k_range else None, min_docs=args.min_docs,
        n_resamples=args.resamples, n_permutations=args.permutations, random_state=args.seed, cache_dir=args.cache,
        figures=False if args.no_figures else None, reproducible=True if args.reproducible else None,
        scheduler=args.scheduler, text_col=args.text_col, id_col=args.id_col,
        duplicates="keep_all" if args.keep_duplicates else None,
        prior_scale=args.prior_scale, pairs=_parse_pairs(args.pair), against_rest=args.against_rest,
        n_runs=args.runs,
        embedder=args.embedder,
    )
    if not study.config.by:
        raise ParameterError("--by is missing: give --by COLUMN (repeatable), or [compare] by in a --config study file")
    if study.corpus is None:
        raise ParameterError("no corpus: give PATH, or [corpus] path in a --config study file")
    if study.out is None:
        raise ParameterError("--out is missing: give --out DIR, or [output] out in a --config study file")
    args.out, args.cache = study.out, study.config.cache_dir
    config = replace(study.config, progress=_progress(args)).validate()
    _check_outputs(args)
    load = study.load_options | {"progress": _progress(args)}
    result = run_analysis(study.corpus, config, out=study.out, load_options=load,
                          settings=replace(study, config=config).resolved())
    sys.stdout.write(result.describe() + "\n")
    return 0


def _parse_pairs(values: Sequence[str] | None) -> tuple[tuple[str, str], ...] | None:
    from .errors import ParameterError

    if not values:
        return None
    out = []
    for v in values:
        parts = [p.strip() for p in v.split(",")]
        if len(parts) != 2 or not all(parts):
            raise ParameterError(f"--pair {v!r} is not allowed: write two groups separated by a comma, e.g. --pair 2024,2015")
        out.append((parts[0], parts[1]))
    return tuple(out)
def _parse_k_range(value: str) -> tuple[int, ...]:
    from .errors import ParameterError

    try:
        if "-" in value and "," not in value:
            lo, hi = (int(x) for x in value.split("-"))
            ks = tuple(range(lo, hi + 1))
        else:
            ks = tuple(int(x) for x in value.split(",") if x.strip())
    except ValueError:
        raise ParameterError(f"--k-range {value!r} is not allowed: give K values like 2,3,4,5,6,8 or a range like 2-8") from None
    if len(ks) < 2 or min(ks) < 2:
        raise ParameterError(f"--k-range {value!r} is not allowed: at least two values, each >= 2")
    return ks


def _parse_k(value: str) -> int:
    from .errors import ParameterError

    try:
        k = int(value)
    except ValueError:
        raise ParameterError(f"--k {value!r} is not allowed: give an integer >= 2 or 'auto'") from None
    if k < 2:
        raise ParameterError(f"--k {k} is not allowed: give an integer >= 2 or 'auto'")
    return k


def cmd_validate(args: argparse.Namespace) -> int:
    from . import validate as V

    if args.validate_command == "export":
        from ._io import check_replaceable_dir

        if args.coders < 1:
            from .errors import ParameterError

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


def cmd_figures(args: argparse.Namespace) -> int:
    from .build import build_figures

    _check_outputs(args)
    written = build_figures(notebooks=args.notebooks, outdir=args.out, timeout=args.timeout, progress=_progress(args),
                            reproducible=not args.native_numerics)
    figures = [p for p in written if p.suffix in (".png", ".svg", ".pdf")]
    sys.stdout.write(f"built {len(figures)} figures and {len(written) - len(figures)} other files "
                     f"(manifests, the tables behind the figures) into {args.out}\n")
    return 0


def cmd_kernel(args: argparse.Namespace) -> int:
    from .numeric import install_kernel

    where = install_kernel(user=args.user)
    sys.stdout.write(f"registered Jupyter kernel 'discourse' in {where}\n")
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
    if getattr(args, "reproducible", False):
        from .numeric import pin_before_import

        pin_before_import()  # in place when no numeric library has loaded yet; else analyze starts a process
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
      arriving as that handling is torn down can be lost (the run would go
      on and publish its results);
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
    handlers = {"corpus": cmd_corpus, "analyze": cmd_analyze, "validate": cmd_validate, "init": cmd_init,
                "figures": cmd_figures, "kernel": cmd_kernel}
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
