"""``discourse corpus``: load, clean and tokenise a corpus; print a summary (and export it)."""

from __future__ import annotations

import argparse
import sys

from ._common import check_outputs, corpus_args, fmt_int, load_options, progress


def add_parser(sub, common: argparse.ArgumentParser) -> None:
    pc = sub.add_parser("corpus", parents=[common], help="load, clean and tokenise a corpus; print a summary")
    corpus_args(pc)
    pc.add_argument("--export", metavar="DIR", help="write DIR/clean/<id>.txt, DIR/passages.csv and DIR/removed.csv")


def run(args: argparse.Namespace) -> int:
    from .._summary import write_ingest_summary, write_removal_summary
    from ..corpus import load_corpus
    from .._prepare import prepare

    check_outputs(args)
    corpus = load_corpus(args.path, **load_options(args))
    prepared = prepare(corpus, progress=progress(args))
    summary = prepared.summary().set_index("doc_id")
    out = sys.stdout
    out.write(f"corpus: {corpus.source}\n")
    out.write(f"documents: {fmt_int(len(corpus))}  passages: {fmt_int(len(prepared.passages))}  "
              f"tokens: {fmt_int(int(prepared.passages['n_tokens'].sum()))}  corpus sha256: {corpus.hash[:16]}\n")
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
        from ..export import export_prepared

        extra = {}
        if corpus.ingest is not None:
            extra["extracted_removed"] = corpus.ingest.removals
            extra["skipped_pages"] = corpus.ingest.skipped
        if corpus.duplicates is not None:
            extra["duplicates"] = corpus.duplicates.to_frame()
        written = export_prepared(prepared, args.export, extra=extra)
        out.write(f"\nexported {len(written)} files to {args.export}\n")
    return 0
