"""What every ``discourse`` command shares: the corpus and logging options, progress, output checks."""

from __future__ import annotations

import argparse
from pathlib import Path


def corpus_args(p: argparse.ArgumentParser, *, optional: bool = False) -> None:
    p.add_argument("path", nargs="?" if optional else None, default=None,
                   help="folder of .txt or .html files (with metadata.csv), .warc/.warc.gz web archives, or a "
                        ".csv/.jsonl/.parquet file; 'seeds' for the shipped seed corpus"
                        + (" (default: [corpus] path of --config)" if optional else ""))
    p.add_argument("--text-col", default=None, help="column holding the text (tabular files; default: text)")
    p.add_argument("--id-col", default=None, help="column holding the unique document id (tabular files; default: id)")
    p.add_argument("--keep-duplicates", action="store_true",
                   help="keep every copy of duplicate documents (default: each kept once, the copies listed)")


def common_args(p: argparse.ArgumentParser, *, default) -> None:
    p.add_argument("--debug", action="store_true", default=default, help="show tracebacks and debug logging")
    p.add_argument("--quiet", action="store_true", default=default, help="no progress bars or info messages")


def progress(args: argparse.Namespace) -> bool | None:
    """None: progress bars only when stderr is a terminal; False with --quiet."""
    return False if args.quiet else None


def fmt_int(n: int) -> str:
    return f"{n:,}"


def check_outputs(args: argparse.Namespace) -> None:
    """Check output and cache folders before any expensive work (one-line errors naming the option)."""
    from .._io import check_replaceable_dir, check_writable_dir

    def parent(p: Path) -> Path:
        return p.parent if str(p.parent) else Path(".")

    export = getattr(args, "export", None)
    if export:
        from ..export import EXPORT_NAMES

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


def load_options(args: argparse.Namespace) -> dict:
    return {"text_col": args.text_col or "text", "id_col": args.id_col or "id",
            "duplicates": "keep_all" if args.keep_duplicates else "keep_once", "progress": progress(args)}
