"""Loading a corpus: texts plus free-form metadata, re-iterable and streamed.

A :class:`Corpus` is a re-iterable sequence of :class:`Document` objects with a
metadata table (:attr:`Corpus.metadata`, one row per document, indexed by
``doc_id``).  Texts are read lazily on each pass, never held all at once, in
the manner of gensim's streamed corpora (``gensim/interfaces.py``).

Sources (see :func:`load_corpus`):

* a folder of ``.txt`` files with a ``metadata.csv`` whose ``file`` column
  names each file;
* a CSV, JSONL or Parquet file with a text column and metadata columns;
* saved web pages (``.html``) or web archives (``.warc``, ``.warc.gz``): a
  file or a folder of them, read by :func:`discourse.ingest.load_web`.

Exact and near-duplicate documents are found in every source and, by
default, kept once (:attr:`Corpus.duplicates` lists the copies).

Modules: :mod:`discourse._corpus` (the :class:`Corpus` type),
:mod:`discourse._corpus_readers` (folder and table readers, metadata checks),
:mod:`discourse._text_io` (decoding one file, stripping HTML); this module
chooses the reader.

Dates come from metadata only, never from page text.  Partial dates
(``2021``, ``2021-05``) are valid and keep their precision (column
``published_precision``).  Empty cells are unknown values, not errors.
"""

from __future__ import annotations

from pathlib import Path

from ._corpus import Corpus, Document
from ._corpus_readers import (  # noqa: F401  (the readers' helpers, used by discourse.ingest and discourse.distributed)
    DATE_RE,
    TABULAR_SUFFIXES,
    _finish_meta,
    _load_folder,
    _load_table,
    read_metadata_csv,
)
from ._text_io import CorpusWarning, _warn, decode_text, looks_like_html, read_text_file, strip_html  # noqa: F401
from .errors import InputError

__all__ = ["Document", "Corpus", "CorpusWarning", "load_corpus", "load_seeds", "seeds_path", "read_text_file"]


DUPLICATE_MODES = ("keep_once", "keep_all")


def load_corpus(path: str | Path, *, text_col: str = "text", id_col: str = "id", duplicates: str = "keep_once",
                near_threshold: float = 0.8, min_words: int = 80, progress: bool | None = None) -> Corpus:
    """Load a corpus from text files, a table, saved web pages or web archives.

    Parameters
    ----------
    path : str or Path
        A folder holding ``.txt`` files and ``metadata.csv`` (column ``file``
        names each text file, other columns are metadata); a ``.csv``,
        ``.jsonl`` or ``.parquet`` file with one document per row; saved web
        pages (a ``.html`` file or a folder of them, with an optional
        ``metadata.csv``) or web archives (a ``.warc``/``.warc.gz`` file or a
        folder of them).  The string ``"seeds"`` loads the shipped seed
        corpus when no such folder exists in the working directory.
    text_col, id_col : str
        Columns holding the text and the unique id (tabular files only).
    duplicates : {"keep_once", "keep_all"}
        Exact and near-duplicate documents are always looked for
        (:func:`discourse.ingest.find_duplicates`); ``"keep_once"`` keeps one
        copy of each (the earliest published, then the first) and lists the
        others in its ``copies`` column, ``"keep_all"`` keeps them all.
    near_threshold : float
        Estimated Jaccard similarity of word 5-grams from which two documents are near duplicates.
    min_words : int
        Web pages with fewer words of article text are skipped as not articles.
    progress : bool or None
        Progress bar while reading web pages.

    Returns
    -------
    Corpus
        ``corpus.duplicates`` holds the duplicate table; ``corpus.ingest``
        what reading web pages skipped and removed.

    Raises
    ------
    InputError
        If ``path`` does not exist or has an unsupported type.
    CorpusError
        For malformed data: names the file, row or column and what to fix.

    Examples
    --------
    >>> corpus = load_corpus(seeds_path())
    >>> sorted(corpus.metadata["period"].unique())
    ['2015', '2021', '2024']
    """
    from .errors import check_param
    from .ingest import drop_duplicates, is_web_source, load_web

    check_param("duplicates", duplicates, "'keep_once' or 'keep_all'", duplicates in DUPLICATE_MODES)
    p = Path(path)
    if not p.exists():
        if str(path) == "seeds":
            return load_seeds()
        raise InputError(f"{path}: no such file or folder; give a folder of .txt or .html files (with metadata.csv), "
                         "a .warc/.warc.gz file, or a .csv/.jsonl/.parquet file")
    if is_web_source(p):
        corpus = load_web(p, min_words=min_words, progress=progress)
    elif p.is_dir():
        corpus = _load_folder(p)
    else:
        kind = TABULAR_SUFFIXES.get(p.suffix.lower())
        if kind is None:
            if p.suffix.lower() == ".txt":
                text = read_text_file(p)
                return Corpus.from_records([{"id": p.stem, "text": text}], source=str(p))
            raise InputError(f"{p}: unsupported file type {p.suffix!r}; use a folder, .html, .warc, .warc.gz, .csv, .jsonl or .parquet")
        corpus = _load_table(p, kind, text_col=text_col, id_col=id_col)
    return drop_duplicates(corpus, keep_all=duplicates == "keep_all", threshold=near_threshold)


def seeds_path() -> Path:
    """Path of the shipped seed corpus (five articles and ``metadata.csv``)."""
    here = Path(__file__).resolve().parent
    for cand in (here / "_seeds", here.parent / "seeds"):
        if (cand / "metadata.csv").exists():
            return cand
    raise InputError("the seed corpus is not installed with this copy of discourse; reinstall the package")


def load_seeds() -> Corpus:
    """The five seed articles on Pakistan–Afghanistan security relations.

    Examples
    --------
    >>> load_seeds().metadata["outlet_country"].value_counts().to_dict()
    {'Pakistan': 3, 'Afghanistan': 1, 'United States': 1}
    """
    return _load_folder(seeds_path())
