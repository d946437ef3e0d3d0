"""Corpus readers: a folder of ``.txt`` files with ``metadata.csv``, a CSV/JSONL/Parquet table, records.

Metadata become strings with ``None`` for unknown values; ``published``
must be ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` and keeps its precision
(``published_precision``); ids must be present and unique; empty documents
are skipped with a warning.  Web pages and archives are read by
:mod:`discourse.ingest`.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, Callable, Sequence

import pandas as pd

from ._corpus import Corpus
from ._text_io import _warn, read_text_file
from .errors import CorpusError

__all__ = ["TABULAR_SUFFIXES", "check_ids", "clean_meta", "read_metadata_csv"]

TABULAR_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


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


def clean_meta(df: pd.DataFrame, *, where: Callable[[int], str]) -> pd.DataFrame:
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


def _finish_meta(meta: pd.DataFrame, ids: list[str], *, source: str, where: Callable[[int], str]) -> pd.DataFrame:
    meta = clean_meta(meta, where=where)
    meta.index = pd.Index(ids, name="doc_id", dtype=object)
    return meta


def check_ids(ids: Sequence[Any], *, source: str, col: str) -> list[str]:
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
    ids = check_ids(list(df[id_col]), source=source, col=id_col)
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
    ids = check_ids([p.stem for p in files], source=str(path), col="file name")
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
