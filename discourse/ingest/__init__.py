"""Saved web pages and web archives as a corpus.

:func:`load_web` reads a folder of ``.html`` pages (with an optional
``metadata.csv`` whose values win over what the pages say), one page, or
``.warc``/``.warc.gz`` files (one, or a folder of them).  Each page goes
through :func:`extract_page`: article text by trafilatura (the package's own
rules where trafilatura clearly loses running prose), title, outlet, URL and
publication date with where each came from.  Pages that are not articles are
skipped and listed in :attr:`IngestReport.skipped`; the blocks of page text
the extractor dropped are listed in :attr:`IngestReport.removals`.
Duplicates are handled by :func:`discourse.load_corpus` for every source
(see :func:`find_duplicates`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pandas as pd

from ..errors import CorpusError
from ._dedup import DuplicateResult, find_duplicates
from ._html import Page, decode_html, extract_page
from ._warc import WarcPage, iter_warc_pages

__all__ = ["load_web", "drop_duplicates", "IngestReport", "extract_page", "decode_html", "find_duplicates", "DuplicateResult",
           "iter_warc_pages", "is_web_source", "Page", "WarcPage", "WEB_META_COLUMNS"]

logger = logging.getLogger(__name__)

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
WARC_SUFFIXES = (".warc", ".warc.gz")
#: Metadata columns of a corpus read from web pages, in order.
WEB_META_COLUMNS = ["title", "title_source", "outlet", "outlet_source", "url", "url_source", "published",
                    "published_source", "captured", "extractor", "page"]


@dataclass
class IngestReport:
    """What reading web pages did.

    Attributes
    ----------
    pages : int
        HTML pages read.
    skipped : DataFrame
        Pages that are not articles: ``page``, ``url``, ``reason``.
    removals : DataFrame
        Blocks of page text the extractor dropped: ``doc_id``, ``rule``, ``text``.
    left_out : dict
        WARC records that are not pages, by reason (redirects, images...).
    seconds : float
        Time spent extracting.
    """

    pages: int = 0
    skipped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["page", "url", "reason"]))
    removals: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["doc_id", "rule", "text"]))
    left_out: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else float("nan")

    def to_frame(self) -> pd.DataFrame:
        """The skipped pages (the table a user most needs to check)."""
        return self.skipped.copy()

    def __str__(self) -> str:
        left = ", ".join(f"{n} {why}" for why, n in sorted(self.left_out.items()))
        return (f"{self.pages:,} pages read, {self.pages - len(self.skipped):,} articles, {len(self.skipped):,} skipped "
                f"as not articles" + (f"; WARC records left out: {left}" if left else ""))


def _suffix(p: Path) -> str:
    name = p.name.lower()
    return ".warc.gz" if name.endswith(".warc.gz") else p.suffix.lower()


def is_web_source(path: str | Path) -> bool:
    """True for a page, a WARC file, or a folder of pages or WARC files and no ``.txt`` files."""
    p = Path(path)
    if p.is_file():
        return _suffix(p) in HTML_SUFFIXES + WARC_SUFFIXES
    if p.is_dir():
        kinds = {_suffix(f) for f in p.iterdir() if f.is_file()}
        return ".txt" not in kinds and bool(kinds & set(HTML_SUFFIXES + WARC_SUFFIXES))
    return False


def _pages(path: Path, report: IngestReport) -> Iterator[tuple[str, str, bytes, str | None, str | None, str | None]]:
    """(doc_id, page name, bytes, url, captured, charset) of every page under ``path``."""
    files = [path] if path.is_file() else sorted(f for f in path.iterdir() if f.is_file())
    for f in files:
        kind = _suffix(f)
        if kind in HTML_SUFFIXES:
            try:
                data = f.read_bytes()
            except OSError as exc:
                raise CorpusError(f"{f}: cannot be read ({exc.strerror or exc})") from None
            yield f.stem, f.name, data, None, None, None
        elif kind in WARC_SUFFIXES:
            stem = f.name[: -len(kind)]
            for page in iter_warc_pages(f, skipped=report.left_out):
                yield f"{stem}-{page.record:06d}", f"{f.name}#record{page.record}", page.body, page.url, page.captured, page.charset


def _read_meta_csv(path: Path) -> pd.DataFrame | None:
    meta_path = path / "metadata.csv"
    if not path.is_dir() or not meta_path.exists():
        return None
    from ..corpus import read_metadata_csv

    raw = read_metadata_csv(meta_path, naming="page")
    return raw.drop_duplicates("file", keep="first").set_index("file")


def load_web(path: str | Path, *, min_words: int = 80, progress: bool | None = None):
    """Read saved web pages or WARC files into a corpus (duplicates are left to :func:`load_corpus`).

    Parameters
    ----------
    path : str or Path
        A ``.html`` page, a ``.warc``/``.warc.gz`` file, or a folder of either.
    min_words : int
        Pages with fewer words of article text are skipped.
    progress : bool or None
        A progress bar over pages (``None``: only on a terminal).

    Returns
    -------
    Corpus
        Metadata columns :data:`WEB_META_COLUMNS` (plus any of ``metadata.csv``),
        with ``corpus.ingest`` the :class:`IngestReport`.

    Raises
    ------
    CorpusError
        If no page is an article, or a file cannot be read.
    """
    from tqdm.auto import tqdm

    from .._prepare import _progress_disabled
    from ..corpus import Corpus, _finish_meta

    path = Path(path)
    report = IngestReport()
    overrides = _read_meta_csv(path)
    rows, texts, skipped, removals = [], [], [], []
    t0 = time.perf_counter()
    bar = tqdm(_pages(path, report), desc="pages", unit="page", disable=_progress_disabled(progress))
    for doc_id, name, data, url, captured, charset in bar:
        report.pages += 1
        page = extract_page(data, url=url, declared_encoding=charset, min_words=min_words)
        meta = {c: page.meta.get(c) for c in WEB_META_COLUMNS}
        meta["captured"], meta["page"] = captured, name
        if overrides is not None and name in overrides.index:
            for col, value in overrides.loc[name].items():
                if str(value).strip():
                    meta[col] = str(value).strip()
                    if f"{col}_source" in meta:
                        meta[f"{col}_source"] = "metadata.csv"
        if not page.is_article:
            skipped.append({"page": name, "url": meta["url"], "reason": page.skip_reason})
            logger.info("%s: skipped, %s", name, page.skip_reason)
            continue
        rows.append({"id": doc_id, **meta})
        texts.append(page.text)
        removals.extend({"doc_id": doc_id, "rule": f"extract:{page.meta.get('extractor')}", "text": b} for b in page.removed)
    report.seconds = time.perf_counter() - t0
    report.skipped = pd.DataFrame(skipped, columns=["page", "url", "reason"])
    report.removals = pd.DataFrame(removals, columns=["doc_id", "rule", "text"])
    if report.pages == 0:
        raise CorpusError(f"{path}: no HTML pages found; give .html pages or .warc/.warc.gz files")
    if skipped:
        logger.warning("%s: %d of %d pages are not articles and were skipped (see corpus.ingest.skipped; first: %s, %s)",
                       path, len(skipped), report.pages, skipped[0]["page"], skipped[0]["reason"])
    if not rows:
        raise CorpusError(f"{path}: none of the {report.pages} pages is an article (first: {skipped[0]['page']}: "
                          f"{skipped[0]['reason']}); check that these are saved article pages")
    df = pd.DataFrame(rows)
    ids = [str(i) for i in df["id"]]
    if len(set(ids)) != len(ids):
        raise CorpusError(f"{path}: two pages would share a document id; give the files distinct names")
    meta = _finish_meta(df.drop(columns=["id"]), ids, source=str(path), where=lambda i: f"{path} page {rows[i]['page']}")
    pairs = [(i, t, f"{path}:{r['page']}") for i, t, r in zip(ids, texts, rows)]
    corpus = Corpus(meta, lambda: iter(pairs), source=str(path))
    corpus.ingest = report
    logger.info("%s: %s", path, report)
    return corpus


def drop_duplicates(corpus, *, keep_all: bool = False, threshold: float = 0.8):
    """Find duplicate documents; keep one of each unless ``keep_all`` (see :func:`discourse.load_corpus`)."""
    from ..corpus import _warn

    meta = corpus.metadata
    col = lambda name: list(meta[name]) if name in meta.columns else None  # noqa: E731
    found = find_duplicates(corpus.ids, corpus.texts(), outlets=col("outlet"), published=col("published"),
                            threshold=threshold, keep_all=keep_all)
    if not len(found.table):
        corpus.duplicates = found
        return corpus
    t = found.table
    n_exact = int((t["kind"] == "exact").sum())
    what = f"{len(t)} duplicate document(s) ({n_exact} exact, {len(t) - n_exact} near, e.g. {t['doc_id'].iloc[0]!r} copies {t['kept_id'].iloc[0]!r})"
    if keep_all:
        _warn(f"{corpus.source}: {what}; all kept as asked (each outlet's copies count separately)")
        corpus.duplicates = found
        return corpus
    _warn(f"{corpus.source}: {what}; each kept once, the copies listed in the 'copies' column "
          "(corpus.duplicates; keep them all with duplicates='keep_all' or --keep-duplicates)")
    dropped = set(found.dropped)
    kept = corpus.subset([i for i in corpus.ids if i not in dropped])
    copies = found.copies_of()
    kept.metadata = kept.metadata.assign(copies=pd.Series([";".join(copies[i]) if i in copies else None for i in kept.ids],
                                                          index=kept.metadata.index, dtype=object))
    kept.ingest, kept.duplicates = corpus.ingest, found
    return kept
