"""The summary ``discourse corpus`` prints: a few lines whatever the corpus size.

Per-document lines only up to :data:`PER_DOCUMENT_LINES` documents; beyond
that, totals, the largest removals and a histogram of removal shares.
"""

from __future__ import annotations

__all__ = ["PER_DOCUMENT_LINES", "write_ingest_summary", "write_removal_summary"]

#: Beyond this many documents ``discourse corpus`` summarises removals instead of listing each document.
PER_DOCUMENT_LINES = 30
_SHARE_BINS = [(0.0, 0.01, "under 1%"), (0.01, 0.05, "1-5%"), (0.05, 0.10, "5-10%"), (0.10, 0.25, "10-25%"),
               (0.25, 0.50, "25-50%"), (0.50, 1.01, "50% or more")]


def write_ingest_summary(out, corpus) -> None:
    """Pages read and skipped, WARC records left out, duplicates (a few lines whatever the corpus size)."""
    report = corpus.ingest
    if report is not None:
        out.write(f"web pages: {report} ({report.pages_per_second:,.0f} pages/s)\n")
        if len(report.skipped):
            reasons = report.skipped["reason"].str.replace(r"\(.*", "", regex=True).str.strip().value_counts()
            for reason, n in reasons.head(5).items():
                first = report.skipped.loc[report.skipped["reason"].str.startswith(reason), "page"].iloc[0]
                out.write(f"  skipped {n:>6,}  {reason} (e.g. {first})\n")
        extractors = corpus.metadata.get("extractor")
        if extractors is not None and extractors.notna().any():
            out.write("  text by " + ", ".join(f"{k} {v:,}" for k, v in extractors.value_counts().items()) + "\n")
    dup = corpus.duplicates
    if dup is not None and len(dup.table):
        t = dup.table
        kept = "all kept" if t["kept"].all() else "each kept once"
        out.write(f"duplicates: {len(t):,} ({int((t['kind'] == 'exact').sum()):,} exact, {int((t['kind'] == 'near').sum()):,} near), "
                  f"{kept}; e.g. {t['doc_id'].iloc[0]} copies {t['kept_id'].iloc[0]}\n")


def write_removal_summary(out, summary) -> None:
    """Chrome removed: per document for small corpora, else the largest removals and a histogram of shares."""
    share = summary["chars_removed"] / summary["chars_raw"].clip(lower=1)
    total_raw, total_removed = int(summary["chars_raw"].sum()), int(summary["chars_removed"].sum())
    out.write(f"\nchrome removed: {total_removed:,} of {total_raw:,} characters ({100.0 * total_removed / max(total_raw, 1):.1f}%), "
              f"from {int((summary['chars_removed'] > 0).sum()):,} of {len(summary):,} documents\n")
    if len(summary) <= PER_DOCUMENT_LINES:
        for doc_id, row in summary.iterrows():
            pct = 100.0 * row["chars_removed"] / max(row["chars_raw"], 1)
            out.write(f"  {doc_id:<40} {int(row['chars_removed']):>7,} of {int(row['chars_raw']):>9,} ({pct:4.1f}%)\n")
        return
    out.write("largest removals:\n")
    for doc_id, row in summary.sort_values("chars_removed", ascending=False, kind="stable").head(10).iterrows():
        if row["chars_removed"] <= 0:
            break
        pct = 100.0 * row["chars_removed"] / max(row["chars_raw"], 1)
        out.write(f"  {doc_id:<40} {int(row['chars_removed']):>7,} of {int(row['chars_raw']):>9,} ({pct:4.1f}%)\n")
    out.write("documents by share of characters removed:\n")
    counts = [int(((share >= lo) & (share < hi)).sum()) for lo, hi, _ in _SHARE_BINS]
    width = max(counts) or 1
    for (_, _, label), n in zip(_SHARE_BINS, counts):
        out.write(f"  {label:<12} {n:>8,}  {'#' * round(40 * n / width)}\n")
