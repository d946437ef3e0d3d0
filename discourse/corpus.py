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

Dates come from metadata only, never from page text.  Partial dates
(``2021``, ``2021-05``) are valid and keep their precision (column
``published_precision``).  Empty cells are unknown values, not errors.
"""

from __future__ import annotations

import hashlib
import html
import io
import logging
import re
import warnings
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import pandas as pd

from .errors import CorpusError, InputError

__all__ = ["Document", "Corpus", "CorpusWarning", "load_corpus", "load_seeds", "seeds_path", "read_text_file"]

logger = logging.getLogger(__name__)

TABULAR_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class CorpusWarning(UserWarning):
    """Something in the corpus was handled for you (named file, what was done)."""


@dataclass(frozen=True)
class Document:
    """One document: its id, text and metadata.

    Attributes
    ----------
    id : str
        Unique document id (a file's stem, or the value of the id column).
    text : str
        The raw text as read (decoded, line ends normalised to ``\\n``).
    meta : mapping
        Metadata values by column; unknown values are ``None``.
    source : str
        Where the text came from (path, or ``file:row``), for messages.
    """

    id: str
    text: str
    meta: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""


def _warn(msg: str) -> None:
    logger.warning(msg)
    warnings.warn(msg, CorpusWarning, stacklevel=3)


class _TextExtractor(HTMLParser):
    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "header", "footer", "blockquote"}
    _SKIP = {"script", "style", "noscript", "template", "svg"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


_HTML_HINT = re.compile(r"<\s*(html|body|head|p|div|br|span|a\s|script|!doctype)\b", re.I)


def looks_like_html(text: str) -> bool:
    """True if ``text`` is an HTML page rather than plain text."""
    head = text[:20000]
    return len(_HTML_HINT.findall(head)) >= 3 or head.lstrip().lower().startswith(("<!doctype html", "<html"))


_SCRIPT_BLOCK = re.compile(r"<\s*(script|style|noscript|template)\b.*?(<\s*/\s*\1\s*>|$)", re.I | re.S)


def strip_html(text: str) -> str:
    """Plain text of an HTML page (scripts and styles dropped, blocks become paragraphs)."""
    # drop script/style blocks first: html.parser can miss them after malformed markup such as "<?<script>"
    text = _SCRIPT_BLOCK.sub(" ", text)
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    out = html.unescape("".join(parser.parts))
    out = re.sub(r"[ \t]+", " ", out)
    out = re.sub(r" *\n *", "\n", out)
    return re.sub(r"\n{3,}", "\n\n", out).strip()


def decode_text(data: bytes, *, source: str, warn: bool = True) -> str:
    """Decode bytes as UTF-8 (BOM allowed), else cp1252/latin-1 with a warning.

    ``warn=False`` decodes the same way without the warning (for re-reads).

    Raises
    ------
    CorpusError
        If the bytes are binary (NUL bytes or mostly control characters).
    """
    for bom, enc in ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                raise CorpusError(f"{source}: starts with a {enc.upper()} byte-order mark but is not valid {enc.upper()}; save it as UTF-8") from None
            if warn:
                _warn(f"{source}: encoded as {enc.upper()}; decoded (save it as UTF-8 to silence this)")
            return text.replace("\r\n", "\n").replace("\r", "\n")
    sample = data[:65536]
    if b"\x00" in sample:
        raise CorpusError(f"{source}: looks like a binary file (contains NUL bytes), not text; remove it or convert it to plain text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
            enc = "cp1252"
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            enc = "latin-1"
        if warn:
            _warn(f"{source}: not valid UTF-8; decoded as {enc} (save it as UTF-8 to silence this)")
    ctrl = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if text and ctrl > 0.05 * min(len(text), 65536):
        raise CorpusError(f"{source}: looks like a binary file (many control characters), not text; remove it or convert it to plain text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text_file(path: str | Path, *, warn: bool = True, strip_markup: bool = True) -> str:
    """Read one text file: decoding, line ends and HTML handled as documented.

    * UTF-8 with or without a byte-order mark, LF or CRLF line ends: read as is.
    * cp1252 / latin-1: decoded, with a :class:`CorpusWarning` naming the file.
    * HTML: markup stripped, with a warning naming the file.

    ``warn=False`` reads the same way silently (the corpus re-reads files on
    every pass and warns only on the first); ``strip_markup=False`` leaves markup as
    it is (for CSV files).

    Raises
    ------
    CorpusError
        If the file is binary or cannot be read.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    text = decode_text(data, source=str(path), warn=warn)
    if strip_markup and looks_like_html(text):
        if warn:
            _warn(f"{path}: looks like HTML; markup was stripped (save plain text to silence this)")
        text = strip_html(text)
    return text


def _parse_date(value: Any, *, where: str) -> tuple[str | None, str | None]:
    if value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == "":
        return None, None
    s = str(value).strip()
    m = DATE_RE.match(s)
    ok = m is not None
    if ok:
        y, mo, d = m.group(1), m.group(2), m.group(3)
        try:
            pd.Timestamp(year=int(y), month=int(mo or 1), day=int(d or 1))
        except ValueError:
            ok = False
    if not ok:
        raise CorpusError(f"{where}: published {s!r} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD, or leave the cell empty")
    return s, "day" if m.group(3) else "month" if m.group(2) else "year"


def _clean_meta(df: pd.DataFrame, *, where: Callable[[int], str]) -> pd.DataFrame:
    """Metadata as strings with None for unknown; validate ``published``."""
    cols: dict[str, list] = {}
    for col in df.columns:
        cols[str(col)] = [None if _is_missing(v) else str(v).strip() for v in df[col]]
    if "published" in cols:
        parsed = [_parse_date(v, where=where(i)) for i, v in enumerate(cols["published"])]
        cols["published"] = [p[0] for p in parsed]
        cols["published_precision"] = [p[1] for p in parsed]
    out = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in cols.items()}, index=range(len(df)))
    return out


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip() == ""
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


class Corpus:
    """A re-iterable corpus of documents with a metadata table.

    Build one with :func:`load_corpus`, :func:`load_seeds` or
    :meth:`Corpus.from_records`.  Iterating yields :class:`Document` objects in
    a fixed order; texts are read lazily on each pass.

    Attributes
    ----------
    metadata : pandas.DataFrame
        One row per document, index ``doc_id`` (str), free-form columns whose
        values are ``str`` or ``None`` (unknown).
    source : str
        Where the corpus was loaded from.

    Examples
    --------
    >>> corpus = load_seeds()
    >>> len(corpus), corpus.metadata.loc["000_99d5bfdb740dc271", "period"]
    (5, '2015')
    """

    def __init__(self, metadata: pd.DataFrame, text_reader: Callable[[], Iterator[tuple[str, str, str]]], *, source: str = "") -> None:
        self.metadata = metadata
        self._reader = text_reader
        self.source = source
        self._hash: str | None = None
        #: :class:`discourse.ingest.IngestReport` for web pages and archives, else None.
        self.ingest = None
        #: :class:`discourse.ingest.DuplicateResult` once duplicates were looked for, else None.
        self.duplicates = None

    # --- construction -------------------------------------------------------
    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]], *, text_col: str = "text", id_col: str = "id", source: str = "<records>") -> "Corpus":
        """Build an in-memory corpus from dicts (or a DataFrame's records).

        Examples
        --------
        >>> c = Corpus.from_records([{"id": "a", "text": "Hello.", "period": "2015"}])
        >>> c.ids, c.text("a")
        (['a'], 'Hello.')
        """
        df = pd.DataFrame(list(records))
        return _from_frame(df, text_col=text_col, id_col=id_col, source=source)

    @classmethod
    def from_frame(cls, df: pd.DataFrame, *, text_col: str = "text", id_col: str = "id", source: str = "<DataFrame>") -> "Corpus":
        """Build an in-memory corpus from a DataFrame with text and id columns."""
        return _from_frame(df, text_col=text_col, id_col=id_col, source=source)

    # --- access -------------------------------------------------------------
    @property
    def ids(self) -> list[str]:
        """Document ids in corpus order."""
        return list(self.metadata.index)

    def __len__(self) -> int:
        return len(self.metadata)

    def __iter__(self) -> Iterator[Document]:
        meta = self.metadata
        for doc_id, text, src in self._reader():
            row = meta.loc[doc_id]
            yield Document(id=doc_id, text=text, meta={k: row[k] for k in meta.columns}, source=src)

    def texts(self) -> Iterator[str]:
        """Stream the raw texts in corpus order."""
        for _, text, _ in self._reader():
            yield text

    def text(self, doc_id: str) -> str:
        """The raw text of one document (reads the corpus until found)."""
        for did, text, _ in self._reader():
            if did == doc_id:
                return text
        raise KeyError(doc_id)

    def __repr__(self) -> str:
        cols = ", ".join(map(str, self.metadata.columns[:6]))
        return f"<Corpus {len(self)} documents from {self.source!r}; metadata: {cols}>"

    @property
    def hash(self) -> str:
        """sha256 over ids, texts and metadata, in order (computed once, streamed)."""
        if self._hash is None:
            h = hashlib.sha256()
            for doc_id, text, _ in self._reader():
                h.update(doc_id.encode("utf-8", "surrogatepass") + b"\x00")
                h.update(text.encode("utf-8", "surrogatepass") + b"\x00")
            h.update(self.metadata.to_csv(lineterminator="\n").encode("utf-8", "surrogatepass"))
            self._hash = h.hexdigest()
        return self._hash

    def subset(self, ids: Sequence[str]) -> "Corpus":
        """A corpus of the given documents only (order of ``ids``)."""
        wanted = list(ids)
        missing = [i for i in wanted if i not in self.metadata.index]
        if missing:
            raise KeyError(f"unknown document ids: {missing[:5]}")
        keep = set(wanted)
        reader = self._reader

        def sub_reader():
            got = {d: (t, s) for d, t, s in reader() if d in keep}
            for d in wanted:
                yield d, got[d][0], got[d][1]

        return Corpus(self.metadata.loc[wanted], sub_reader, source=self.source)

    def __reduce__(self):
        # Pickled as its documents (read once) and metadata, so that a corpus
        # read lazily from files can be handed to another process.
        return (_materialized, (self.metadata, list(self._reader()), self.source))

    def summary(self) -> pd.DataFrame:
        """Documents and characters per document as a tidy table."""
        rows = [{"doc_id": d, "chars": len(t)} for d, t, _ in self._reader()]
        return pd.DataFrame(rows).set_index("doc_id").join(self.metadata)


def _materialized(metadata: pd.DataFrame, rows: list[tuple[str, str, str]], source: str) -> Corpus:
    """A corpus over documents held in memory (what an unpickled corpus is)."""
    return Corpus(metadata, lambda: iter(rows), source=source)


def _finish_meta(meta: pd.DataFrame, ids: list[str], *, source: str, where: Callable[[int], str]) -> pd.DataFrame:
    meta = _clean_meta(meta, where=where)
    meta.index = pd.Index(ids, name="doc_id", dtype=object)
    return meta


def _check_ids(ids: Sequence[Any], *, source: str, col: str) -> list[str]:
    out = []
    for i, v in enumerate(ids):
        if v is None or (isinstance(v, float) and pd.isna(v)) or str(v).strip() == "":
            raise CorpusError(f"{source}: row {i + 1} has an empty {col!r}; every document needs an id")
        out.append(str(v).strip())
    seen: dict[str, int] = {}
    for i, v in enumerate(out):
        if v in seen:
            raise CorpusError(f"{source}: duplicate id {v!r} in column {col!r} (rows {seen[v] + 1} and {i + 1}); ids must be unique")
        seen[v] = i
    return out


def _from_frame(df: pd.DataFrame, *, text_col: str, id_col: str, source: str) -> Corpus:
    for col, opt in ((text_col, "--text-col"), (id_col, "--id-col")):
        if col not in df.columns:
            raise CorpusError(f"{source}: no column {col!r}; columns are {list(map(str, df.columns))} (choose one with {opt})")
    ids = _check_ids(list(df[id_col]), source=source, col=id_col)
    texts = [("" if (t is None or (isinstance(t, float) and pd.isna(t))) else str(t)).replace("\r\n", "\n") for t in df[text_col]]
    meta = _finish_meta(df.drop(columns=[text_col, id_col]), ids, source=source, where=lambda i: f"{source} row {i + 1}")
    keep = _drop_empty(ids, texts, source)
    meta = meta.loc[[ids[i] for i in keep]]
    pairs = [(ids[i], texts[i], f"{source}:{i + 1}") for i in keep]
    return Corpus(meta, lambda: iter(pairs), source=source)


def _drop_empty(ids: list[str], texts: list[str], source: str) -> list[int]:
    keep = []
    for i, t in enumerate(texts):
        if not t.strip():
            _warn(f"{source}: document {ids[i]!r} is empty or whitespace only; skipped")
        else:
            keep.append(i)
    return keep


def read_metadata_csv(meta_path: Path, *, naming: str = "text file") -> pd.DataFrame:
    """A folder's ``metadata.csv`` as strings, with its ``file`` column checked (one-line errors naming the file)."""
    try:
        raw = pd.read_csv(io.StringIO(read_text_file(meta_path, strip_markup=False)), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CorpusError(f"{meta_path}: cannot be read as CSV ({str(exc).splitlines()[0]}); fix the file") from None
    if "file" not in raw.columns:
        raise CorpusError(f"{meta_path}: no 'file' column naming each {naming}; columns are {list(raw.columns)}")
    return raw


def _load_folder(path: Path) -> Corpus:
    meta_path = path / "metadata.csv"
    txt_files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (".txt", ".html", ".htm"))
    if meta_path.exists():
        raw = read_metadata_csv(meta_path)
        dup_rows = raw.duplicated(keep="first")
        if dup_rows.any():
            _warn(f"{meta_path}: {int(dup_rows.sum())} exact duplicate row(s) dropped")
            raw = raw[~dup_rows].reset_index(drop=True)
        names = [str(v).strip() for v in raw["file"]]
        for i, n in enumerate(names):
            if not n:
                raise CorpusError(f"{meta_path} row {i + 2}: empty 'file' cell; name the text file or delete the row")
        seen: dict[str, int] = {}
        for i, n in enumerate(names):
            if n in seen:
                raise CorpusError(f"{meta_path}: file {n!r} has two different metadata rows ({seen[n] + 2} and {i + 2}); keep one")
            seen[n] = i
        on_disk = {p.name: p for p in txt_files}
        rows, files = [], []
        for i, n in enumerate(names):
            p = path / n
            if Path(n).name != n or not p.is_file():
                _warn(f"{meta_path} row {i + 2}: file {n!r} not found in {path}; row skipped")
                continue
            rows.append(i)
            files.append(p)
        listed = set(names)
        extra = [p for name, p in on_disk.items() if name not in listed]
        for p in extra:
            _warn(f"{p}: has no row in {meta_path.name}; loaded with unknown metadata")
        meta_raw = raw.iloc[rows].drop(columns=["file"]).reset_index(drop=True)
        if extra:
            meta_raw = pd.concat([meta_raw, pd.DataFrame(index=range(len(extra)), columns=meta_raw.columns)], ignore_index=True)
        files = files + extra
        where = lambda i: f"{meta_path} row {rows[i] + 2 if i < len(rows) else '?'}"  # noqa: E731
    else:
        if not txt_files:
            raise CorpusError(f"{path}: no .txt files and no metadata.csv; point to a folder of .txt files or a CSV/JSONL/Parquet file")
        _warn(f"{path}: no metadata.csv; loading {len(txt_files)} text files with no metadata columns")
        files = txt_files
        meta_raw = pd.DataFrame(index=range(len(files)))
        where = lambda i: str(path)  # noqa: E731
    ids = _check_ids([p.stem for p in files], source=str(path), col="file name")
    meta = _finish_meta(meta_raw, ids, source=str(path), where=where)
    # read once to drop empty documents (and surface decoding warnings once)
    keep_files, keep_ids = [], []
    for doc_id, p in zip(ids, files):
        text = read_text_file(p)
        if not text.strip():
            _warn(f"{p}: empty or whitespace only; skipped")
            continue
        keep_files.append(p)
        keep_ids.append(doc_id)
    if not keep_ids:
        raise CorpusError(f"{path}: every text file is empty; nothing to analyse")
    meta = meta.loc[keep_ids]

    def reader():
        for doc_id, p in zip(keep_ids, keep_files):
            yield doc_id, read_text_file(p, warn=False), str(p)

    return Corpus(meta, reader, source=str(path))


def _load_table(path: Path, kind: str, *, text_col: str, id_col: str) -> Corpus:
    text = read_text_file(path, strip_markup=False) if kind == "csv" else None
    if text is not None and not text.strip():
        raise CorpusError(f"{path}: the file is empty; nothing to analyse")
    try:
        if kind == "csv":
            df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
            del text
        elif kind == "jsonl":
            df = pd.read_json(path, lines=True, dtype=False)
        else:
            df = pd.read_parquet(path)
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise CorpusError(f"{path}: cannot be read as {kind.upper()} ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}); check the file") from None
    if df.empty and not len(df.columns):
        raise CorpusError(f"{path}: the file is empty; nothing to analyse")
    corpus = _from_frame(df, text_col=text_col, id_col=id_col, source=str(path))
    if not len(corpus):
        raise CorpusError(f"{path}: every document is empty; nothing to analyse")
    return corpus


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
