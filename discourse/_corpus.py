"""The :class:`Corpus` type: documents streamed from a reader, with a metadata table."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import pandas as pd

__all__ = ["Document", "Corpus"]


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
    >>> from discourse import load_seeds
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
        >>> from discourse import Corpus
        >>> c = Corpus.from_records([{"id": "a", "text": "Hello.", "period": "2015"}])
        >>> c.ids, c.text("a")
        (['a'], 'Hello.')
        """
        from ._corpus_readers import _from_frame

        df = pd.DataFrame(list(records))
        return _from_frame(df, text_col=text_col, id_col=id_col, source=source)

    @classmethod
    def from_frame(cls, df: pd.DataFrame, *, text_col: str = "text", id_col: str = "id", source: str = "<DataFrame>") -> "Corpus":
        """Build an in-memory corpus from a DataFrame with text and id columns."""
        from ._corpus_readers import _from_frame

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

    def items(self) -> Iterator[tuple[str, str]]:
        """Stream ``(id, raw text)`` pairs in corpus order (no metadata rows are built)."""
        for doc_id, text, _ in self._reader():
            yield doc_id, text

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
