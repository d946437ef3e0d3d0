"""Partitioned, streaming readers for CSV, JSONL, Parquet, folders and corpora.

A corpus is cut into *partitions* of ``partition_size`` consecutive documents
(rows).  The boundaries depend only on the input and ``partition_size``,
never on the number of workers, so every downstream merge (done in partition
order) gives the same result on one worker or fifty.

Each partition is read on its own, by a worker, from the file:

* **CSV** (RFC 4180, ``"`` as quote): the driver finds row boundaries with one
  vectorised pass over the bytes (a newline ends a row when the number of
  quotes before it is even), keeping only every ``partition_size``-th offset;
  a worker reads its byte range and parses it with the header prepended,
  exactly as :func:`discourse.load_corpus` does (all cells as strings).
* **JSONL**: one document per line; byte ranges found the same way.  Values
  are read with :mod:`json` and kept as their JSON text (an integer stays
  ``"2015"``), the same in every partition.
* **Parquet**: row ranges; a worker reads only the row groups it needs (write
  files with row groups of at most a few thousand rows to keep that small).
* **Folder** of ``.txt`` files with ``metadata.csv``: metadata and the file
  order come from :func:`discourse.load_corpus`; a worker reads its files.
* A :class:`~discourse.corpus.Corpus` object: streamed by the driver one
  partition at a time (the cluster never gets more than a few partitions
  ahead of the tasks).

No process ever holds all raw texts: the driver keeps ids and metadata only.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd

from .._corpus_readers import check_ids, clean_meta
from ..corpus import TABULAR_SUFFIXES, Corpus, CorpusWarning, load_corpus, read_text_file
from ..errors import CorpusError, InputError, ParameterError

__all__ = ["PartitionSpec", "RawPartition", "Source", "open_source", "scan_row_offsets"]

logger = logging.getLogger(__name__)

_BLOCK = 8 << 20  # bytes per scan block (bounded memory)


@dataclass(frozen=True)
class PartitionSpec:
    """Where one partition lies in its source (small and picklable).

    Attributes
    ----------
    index : int
        Position of the partition (0-based); merges follow this order.
    kind : str
        ``csv``, ``jsonl``, ``parquet``, ``folder`` or ``corpus``.
    path : str
        The source file or folder.
    start, stop : int
        Byte range (csv, jsonl) or row range (parquet, folder, corpus).
    """

    index: int
    kind: str
    path: str
    start: int
    stop: int
    text_col: str = "text"
    id_col: str = "id"
    header: bytes = b""
    files: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()


@dataclass
class RawPartition:
    """The documents of one partition, as read.

    Attributes
    ----------
    index : int
    ids, texts : list of str
        Kept documents, in order.
    meta : DataFrame
        Metadata of the kept documents (index ``doc_id``, values str/None).
    skipped : list of str
        Ids of empty documents left out (reported by the driver).
    """

    index: int
    ids: list[str]
    texts: list[str]
    meta: pd.DataFrame
    skipped: list[str] = field(default_factory=list)

    def content_hash(self) -> str:
        """sha256 over ids and texts (what cleaning and tokenising depend on)."""
        h = hashlib.sha256()
        for d, t in zip(self.ids, self.texts):
            h.update(d.encode("utf-8", "surrogatepass") + b"\x00")
            h.update(t.encode("utf-8", "surrogatepass") + b"\x00")
        return h.hexdigest()


def scan_row_offsets(path: str | os.PathLike, *, every: int, quoted: bool, skip_first: bool) -> tuple[int, list[int], int]:
    """Byte offsets that cut a CSV/JSONL file into groups of ``every`` rows.

    Parameters
    ----------
    every : int
        Rows per group.
    quoted : bool
        CSV: a newline inside a double-quoted field does not end a row.
    skip_first : bool
        The first row is a header: not counted, its end is the data start.

    Returns
    -------
    (data_start, cuts, size)
        ``cuts`` are the offsets where a new group starts (after the first);
        groups are ``[data_start, cuts[0]), [cuts[0], cuts[1]), ..., [cuts[-1], size)``.
        Memory is bounded by the block size, whatever the file size.
    """
    size = os.path.getsize(path)
    cuts: list[int] = []
    data_start = 0
    rows = 0
    parity = 0
    header_pending = skip_first
    pos = 0
    with open(path, "rb") as fh:
        while True:
            block = fh.read(_BLOCK)
            if not block:
                break
            arr = np.frombuffer(block, dtype=np.uint8)
            nl = np.flatnonzero(arr == 10)
            if quoted:
                # uint8 cumsum wraps mod 256, which keeps the parity
                q = np.cumsum(arr == 34, dtype=np.uint8)
                par = (q[nl] + parity) & 1 if len(nl) else nl
                ends = nl[par == 0] if len(nl) else nl
                parity = (int(q[-1]) + parity) & 1
            else:
                ends = nl
            if header_pending and len(ends):
                data_start = pos + int(ends[0]) + 1
                ends = ends[1:]
                header_pending = False
            if len(ends):
                # row number (1-based) ending at each newline
                numbers = rows + np.arange(1, len(ends) + 1)
                hit = ends[numbers % every == 0]
                cuts.extend((pos + hit + 1).tolist())
                rows += len(ends)
            pos += len(block)
    if header_pending:
        data_start = size
    cuts = [c for c in cuts if data_start < c < size]
    return data_start, cuts, size


class Source:
    """A corpus cut into fixed partitions; see :func:`open_source`.

    Attributes
    ----------
    kind : str
    path : str
    partitions : list of PartitionSpec
    metadata : DataFrame or None
        Known up front for folders and Corpus objects; for tabular files it
        is assembled from the partitions as they are read.
    """

    def __init__(self, kind: str, path: str, partitions: list[PartitionSpec], *, metadata: pd.DataFrame | None = None,
                 corpus: Corpus | None = None, partition_size: int = 0) -> None:
        self.kind = kind
        self.path = path
        self.partitions = partitions
        self.metadata = metadata
        self.corpus = corpus
        self.partition_size = partition_size

    def __len__(self) -> int:
        return len(self.partitions)

    def __repr__(self) -> str:
        return f"<Source {self.kind} {self.path!r}: {len(self.partitions)} partitions of {self.partition_size} documents>"

    def metadata_columns(self) -> list[str] | None:
        """The metadata columns, when known without reading the texts (``None`` for JSONL).

        CSV: the header; Parquet: the schema; folders and Corpus objects: the
        metadata table.  A ``published`` column brings ``published_precision``.
        """
        if self.metadata is not None:
            return [str(c) for c in self.metadata.columns]
        if not self.partitions or self.kind not in ("csv", "parquet"):
            return None
        spec = self.partitions[0]
        if self.kind == "csv":
            cols = list(pd.read_csv(io.BytesIO(spec.header), dtype=str, nrows=0, encoding="utf-8-sig").columns)
        else:
            import pyarrow.parquet as pq

            cols = list(pq.ParquetFile(self.path).schema_arrow.names)
        for col, opt in ((spec.text_col, "--text-col"), (spec.id_col, "--id-col")):
            if col not in cols:
                raise CorpusError(f"{self.path}: no column {col!r}; columns are {cols} (choose one with {opt})")
        cols = [str(c) for c in cols if c not in (spec.text_col, spec.id_col)]
        return cols + (["published_precision"] if "published" in cols else [])

    @property
    def driver_side(self) -> bool:
        """True if partitions are read by the driver and shipped (Corpus objects)."""
        return self.kind == "corpus"

    def iter_driver_partitions(self) -> Iterator[RawPartition]:
        """Stream a Corpus object's partitions in order (driver side only)."""
        if self.corpus is None:
            raise InputError(f"{self.path}: partitions of a {self.kind} source are read by the workers, not streamed by the driver")
        meta = self.corpus.metadata
        buf_ids: list[str] = []
        buf_texts: list[str] = []
        index = 0
        for doc in _reader(self.corpus):
            buf_ids.append(doc[0])
            buf_texts.append(doc[1])
            if len(buf_ids) == self.partition_size:
                yield RawPartition(index, buf_ids, buf_texts, meta.loc[buf_ids])
                index += 1
                buf_ids, buf_texts = [], []
        if buf_ids:
            yield RawPartition(index, buf_ids, buf_texts, meta.loc[buf_ids])


def _reader(corpus: Corpus) -> Iterator[tuple[str, str, str]]:
    reader = getattr(corpus, "_reader", None)
    if reader is not None:
        yield from reader()
    else:  # any re-iterable of Document
        for doc in corpus:
            yield doc.id, doc.text, doc.source


def read_partition(spec: PartitionSpec) -> RawPartition:
    """Read one partition from its file (runs on a worker).

    Raises
    ------
    CorpusError
        For malformed rows, naming the file and the partition's rows.
    """
    if spec.kind == "csv":
        with open(spec.path, "rb") as fh:
            fh.seek(spec.start)
            body = fh.read(spec.stop - spec.start)
        where = f"{spec.path} (bytes {spec.start}-{spec.stop})"
        try:
            df = pd.read_csv(io.BytesIO(spec.header + body), dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise CorpusError(f"{where}: cannot be read as CSV ({str(exc).splitlines()[0]}); check the file") from None
        return _from_frame(spec, df, where)
    if spec.kind == "jsonl":
        with open(spec.path, "rb") as fh:
            fh.seek(spec.start)
            body = fh.read(spec.stop - spec.start)
        where = f"{spec.path} (bytes {spec.start}-{spec.stop})"
        records = []
        for n, line in enumerate(body.splitlines()):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError as exc:
                raise CorpusError(f"{where}, line {n + 1} of the partition: not valid JSON ({exc}); fix the line") from None
            if not isinstance(rec, dict):
                raise CorpusError(f"{where}, line {n + 1} of the partition: not a JSON object; write one object per line")
            records.append({k: _json_cell(v) for k, v in rec.items()})
        df = pd.DataFrame.from_records(records) if records else pd.DataFrame(columns=[spec.id_col, spec.text_col])
        return _from_frame(spec, df.astype(object).where(df.notna(), None), where)
    if spec.kind == "parquet":
        df = _read_parquet_rows(spec.path, spec.start, spec.stop)
        return _from_frame(spec, df, f"{spec.path} (rows {spec.start + 1}-{spec.stop})")
    if spec.kind == "folder":
        texts = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CorpusWarning)
            for f in spec.files:
                texts.append(read_text_file(Path(spec.path) / f))
        return RawPartition(spec.index, list(spec.ids), texts, pd.DataFrame(index=pd.Index(list(spec.ids), name="doc_id")))
    raise InputError(f"partition kind {spec.kind!r} cannot be read by a worker")


def _json_cell(v: Any) -> Any:
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return json.dumps(v)
    return json.dumps(v, sort_keys=True, ensure_ascii=False)


def _read_parquet_rows(path: str, start: int, stop: int) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    groups, first = [], None
    offset = 0
    for g in range(pf.metadata.num_row_groups):
        n = pf.metadata.row_group(g).num_rows
        if offset + n > start and offset < stop:
            groups.append(g)
            if first is None:
                first = offset
        offset += n
    if not groups:
        return pf.schema_arrow.empty_table().to_pandas()
    table: pa.Table = pf.read_row_groups(groups)
    return table.slice(start - first, stop - start).to_pandas()


def _from_frame(spec: PartitionSpec, df: pd.DataFrame, where: str) -> RawPartition:
    for col, opt in ((spec.text_col, "--text-col"), (spec.id_col, "--id-col")):
        if col not in df.columns:
            raise CorpusError(f"{spec.path}: no column {col!r}; columns are {list(map(str, df.columns))} (choose one with {opt})")
    ids = check_ids(list(df[spec.id_col]), source=where, col=spec.id_col)
    texts = [("" if (t is None or (isinstance(t, float) and pd.isna(t))) else str(t)).replace("\r\n", "\n") for t in df[spec.text_col]]
    meta = clean_meta(df.drop(columns=[spec.text_col, spec.id_col]).reset_index(drop=True), where=lambda i: f"{where} row {i + 1}")
    meta.index = pd.Index(ids, name="doc_id", dtype=object)
    keep = [i for i, t in enumerate(texts) if t.strip()]
    skipped = [ids[i] for i, t in enumerate(texts) if not t.strip()]
    kept_ids = [ids[i] for i in keep]
    return RawPartition(spec.index, kept_ids, [texts[i] for i in keep], meta.loc[kept_ids], skipped)


def open_source(source: Any, *, text_col: str = "text", id_col: str = "id", partition_size: int = 1000) -> Source:
    """Cut a corpus (path or :class:`~discourse.corpus.Corpus`) into fixed partitions.

    Parameters
    ----------
    source : str, Path or Corpus
        A ``.csv``/``.jsonl``/``.parquet`` file, a folder of ``.txt`` files
        with ``metadata.csv``, or a Corpus object.
    text_col, id_col : str
        Columns holding the text and the unique id (tabular files).
    partition_size : int
        Documents per partition (the unit of work and of caching).

    Returns
    -------
    Source

    Raises
    ------
    InputError
        If the path does not exist or its type is not supported.
    ParameterError
        If ``partition_size`` < 1.

    Examples
    --------
    >>> from discourse import seeds_path
    >>> src = open_source(seeds_path(), partition_size=2)
    >>> src.kind, len(src)
    ('folder', 3)
    """
    if not isinstance(partition_size, int) or partition_size < 1:
        raise ParameterError(f"partition_size={partition_size!r} is not allowed: expected an integer >= 1")
    if isinstance(source, Corpus) or (hasattr(source, "metadata") and hasattr(source, "__iter__") and not isinstance(source, (str, os.PathLike))):
        src_path = Path(str(getattr(source, "source", "")))
        if src_path.is_dir():
            return _folder_source(src_path, source, partition_size)
        n = len(source.metadata)
        specs = [PartitionSpec(i, "corpus", str(getattr(source, "source", "")), s, min(s + partition_size, n))
                 for i, s in enumerate(range(0, n, partition_size))]
        return Source("corpus", str(getattr(source, "source", "<corpus>")), specs, metadata=source.metadata, corpus=source,
                      partition_size=partition_size)
    path = Path(source)
    if not path.exists() and str(source) == "seeds":  # as load_corpus: the shipped seed corpus
        from ..corpus import seeds_path

        path = seeds_path()
    if not path.exists():
        raise InputError(f"{path}: no such file or folder; give a folder of .txt files with metadata.csv, or a .csv/.jsonl/.parquet file")
    if path.is_dir():
        return _folder_source(path, None, partition_size)
    kind = TABULAR_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InputError(f"{path}: unsupported file type {path.suffix!r} for streaming; use a folder, .csv, .jsonl or .parquet")
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            n = pq.ParquetFile(path).metadata.num_rows
        except Exception as exc:  # noqa: BLE001
            raise CorpusError(f"{path}: cannot be read as PARQUET ({exc}); check the file") from None
        specs = [PartitionSpec(i, kind, str(path), s, min(s + partition_size, n), text_col, id_col)
                 for i, s in enumerate(range(0, n, partition_size))]
    else:
        data_start, cuts, size = scan_row_offsets(path, every=partition_size, quoted=(kind == "csv"), skip_first=(kind == "csv"))
        header = b""
        if kind == "csv":
            with open(path, "rb") as fh:
                header = fh.read(data_start)
            if not header.strip():
                raise CorpusError(f"{path}: the file is empty; nothing to analyse")
        bounds = [data_start, *cuts, size]
        specs = [PartitionSpec(i, kind, str(path), a, b, text_col, id_col, header)
                 for i, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])) if b > a]
    if not specs:
        raise CorpusError(f"{path}: the file is empty; nothing to analyse")
    return Source(kind, str(path), specs, partition_size=partition_size)


def _folder_source(path: Path, corpus: Corpus | None, partition_size: int) -> Source:
    if corpus is None:
        corpus = load_corpus(path)  # streams every file once, one at a time (bounded memory)
    by_stem = {p.stem: p.name for p in sorted(path.iterdir()) if p.is_file() and p.suffix.lower() in (".txt", ".html", ".htm")}
    ids = list(corpus.metadata.index)
    missing = [i for i in ids if i not in by_stem]
    if missing:
        raise CorpusError(f"{path}: no text file for document {missing[0]!r}; the folder changed since it was loaded")
    specs = []
    for i, s in enumerate(range(0, len(ids), partition_size)):
        part = ids[s:s + partition_size]
        specs.append(PartitionSpec(i, "folder", str(path), s, s + len(part), files=tuple(by_stem[d] for d in part), ids=tuple(part)))
    return Source("folder", str(path), specs, metadata=corpus.metadata, corpus=corpus, partition_size=partition_size)
