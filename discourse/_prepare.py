"""From a corpus to model input: clean, split into passages, tokenise.

:func:`prepare` streams the corpus once (cleaning and splitting each document
as it is read), then learns phrases over the passages' word lists and returns
a :class:`Prepared`: the passages table the topic models fit on, their
tokens, the cleaned texts, the audit of what was removed, the metadata and
the corpus hash.  :meth:`Prepared.save` / :meth:`Prepared.load` store it as
Parquet tables plus JSON, written atomically.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import pandas as pd

from ._document import DOC_COLUMNS, PASSAGE_COLUMNS, REMOVAL_COLUMNS, Rows, prepare_document, prepare_options
from ._env import progress_enabled
from ._io import atomic_dir, atomic_write_text
from .clean import Cleaner
from .corpus import Corpus
from .errors import CacheError, InputError, ParameterError
from .provenance import provenance, to_json
from .tokenize import Tokenizer

__all__ = ["Prepared", "prepare", "assemble_prepared"]

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1


def _frame(columns: Sequence[str], rows: dict[str, list], ints: Sequence[str]) -> pd.DataFrame:
    data = {}
    for c in columns:
        if c in ints:
            data[c] = pd.Series(rows[c], dtype="int64")
        else:
            data[c] = pd.Series(rows[c], dtype=object)
    return pd.DataFrame(data, columns=list(columns))


class Prepared:
    """A prepared corpus: passages, tokens, cleaned texts, removals, metadata.

    Made by :func:`prepare`; do not build one by hand.

    Attributes
    ----------
    passages : pandas.DataFrame
        One row per passage (the row order models use): ``doc_id, passage_id,
        start, end, text, n_tokens``; ``start``/``end`` index the cleaned text.
    tokens : list of list of str
        Tokens per passage, aligned with ``passages`` rows.
    clean_texts : dict
        ``{doc_id: cleaned text}`` in corpus order.
    removals : pandas.DataFrame
        ``doc_id, start, end, rule, text``: each piece of chrome removed,
        with ``start``/``end`` indexing the raw text.
    metadata : pandas.DataFrame
        The corpus metadata (index ``doc_id``).
    corpus_hash : str
        :attr:`discourse.Corpus.hash` of the input.
    documents : pandas.DataFrame
        ``doc_id, chars_raw, chars_clean, chars_removed`` per document.
    tokenizer : Tokenizer
        The fitted tokenizer (to tokenise new texts the same way).
    params : dict
        Cleaner steps, passage options and tokenizer parameters used.
    """

    def __init__(
        self,
        *,
        passages: pd.DataFrame,
        tokens: list[list[str]],
        clean_texts: dict[str, str],
        removals: pd.DataFrame,
        metadata: pd.DataFrame,
        corpus_hash: str,
        documents: pd.DataFrame,
        tokenizer: Tokenizer,
        params: dict[str, Any],
    ) -> None:
        self.passages = passages
        self.tokens = tokens
        self.clean_texts = clean_texts
        self.removals = removals
        self.metadata = metadata
        self.corpus_hash = corpus_hash
        self.documents = documents
        self.tokenizer = tokenizer
        self.params = params

    def __len__(self) -> int:
        return len(self.passages)

    def __repr__(self) -> str:
        n_tok = sum(len(t) for t in self.tokens)
        return f"<Prepared {len(self.metadata)} documents, {len(self.passages)} passages, {n_tok} tokens; corpus {self.corpus_hash[:12]}>"

    # ------------------------------------------------------------- views
    def doc_tokens(self) -> dict[str, list[str]]:
        """Tokens per document (its passages' tokens concatenated in order).

        Every document of the metadata is present; one without passages has ``[]``.

        Examples
        --------
        >>> from discourse import load_seeds
        >>> prep = prepare(load_seeds(), progress=False)
        >>> dt = prep.doc_tokens()
        >>> list(dt) == list(prep.metadata.index), sum(map(len, dt.values())) == int(prep.passages["n_tokens"].sum())
        (True, True)
        """
        out: dict[str, list[str]] = {d: [] for d in self.metadata.index}
        for doc_id, toks in zip(self.passages["doc_id"], self.tokens):
            out[doc_id].extend(toks)
        return out

    def summary(self) -> pd.DataFrame:
        """One row per document: ``doc_id``, metadata columns, ``chars_raw``, ``chars_removed``, ``passages``, ``tokens``.

        Examples
        --------
        >>> from discourse import load_seeds
        >>> s = prepare(load_seeds(), progress=False).summary()
        >>> list(s.columns[:2]), list(s.columns[-4:])
        (['doc_id', 'title'], ['chars_raw', 'chars_removed', 'passages', 'tokens'])
        """
        meta = self.metadata.copy()
        counts = self.passages.groupby("doc_id", sort=False).agg(passages=("passage_id", "size"), tokens=("n_tokens", "sum"))
        docs = self.documents.set_index("doc_id")
        out = meta.reset_index()
        out = out.rename(columns={out.columns[0]: "doc_id"})
        ids = out["doc_id"]
        out["chars_raw"] = ids.map(docs["chars_raw"]).fillna(0).astype("int64").to_numpy()
        out["chars_removed"] = ids.map(docs["chars_removed"]).fillna(0).astype("int64").to_numpy()
        out["passages"] = ids.map(counts["passages"]).fillna(0).astype("int64").to_numpy()
        out["tokens"] = ids.map(counts["tokens"]).fillna(0).astype("int64").to_numpy()
        return out

    def equals(self, other: "Prepared") -> bool:
        """True if every table, token list, text and the hash are identical."""
        if not isinstance(other, Prepared):
            return False
        return (
            self.corpus_hash == other.corpus_hash
            and self.tokens == other.tokens
            and self.clean_texts == other.clean_texts
            and list(self.clean_texts) == list(other.clean_texts)
            and self.passages.equals(other.passages)
            and self.removals.equals(other.removals)
            and self.documents.equals(other.documents)
            and self.metadata.equals(other.metadata)
            and list(self.metadata.columns) == list(other.metadata.columns)
            and self.tokenizer.state() == other.tokenizer.state()
            and self.params == other.params
        )

    # ------------------------------------------------------------- save/load
    def save(self, path: Union[str, Path]) -> Path:
        """Write to folder ``path`` (Parquet tables + JSON), atomically.

        Files: ``passages.parquet``, ``tokens.parquet``, ``clean_texts.parquet``,
        ``removals.parquet``, ``documents.parquet``, ``metadata.parquet``,
        ``prepared.json`` (tokenizer parameters and learnt state, passage
        options, cleaner steps) and ``provenance.json``.  No pickles.

        Returns
        -------
        pathlib.Path
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = Path(path)

        def write(table: pa.Table, p: Path) -> None:
            pq.write_table(table, p, compression="zstd")

        with atomic_dir(path) as tmp:
            write(pa.Table.from_pandas(self.passages, preserve_index=False), tmp / "passages.parquet")
            write(
                pa.table({"passage_id": pa.array(list(self.passages["passage_id"]), pa.string()), "tokens": pa.array(self.tokens, pa.list_(pa.string()))}),
                tmp / "tokens.parquet",
            )
            write(
                pa.table({"doc_id": pa.array(list(self.clean_texts), pa.string()), "text": pa.array(list(self.clean_texts.values()), pa.string())}),
                tmp / "clean_texts.parquet",
            )
            write(_table(self.removals, {"start": pa.int64(), "end": pa.int64()}), tmp / "removals.parquet")
            write(_table(self.documents, {c: pa.int64() for c in DOC_COLUMNS[1:]}), tmp / "documents.parquet")
            meta = self.metadata.reset_index()
            write(_table(meta, {}), tmp / "metadata.parquet")
            state = {
                "format_version": FORMAT_VERSION,
                "corpus_hash": self.corpus_hash,
                "metadata_index": self.metadata.index.name,
                "params": self.params,
                "tokenizer_state": self.tokenizer.state(),
            }
            atomic_write_text(tmp / "prepared.json", to_json(state))
            atomic_write_text(tmp / "provenance.json", to_json(self.provenance()))
        return path

    def provenance(self) -> dict[str, Any]:
        """Provenance record: parameters, corpus hash, package versions."""
        return provenance(
            params=self.params,
            corpus_hash=self.corpus_hash,
            extra={"documents": len(self.metadata), "passages": len(self.passages), "tokens": int(sum(len(t) for t in self.tokens))},
        )

    @classmethod
    def load(cls, path: Union[str, Path]) -> "Prepared":
        """Read a folder written by :meth:`save`.

        Raises
        ------
        InputError
            If the folder does not exist.
        CacheError
            If a file is missing, unreadable or inconsistent.
        """
        import pyarrow.parquet as pq

        path = Path(path)
        if not path.is_dir():
            raise InputError(f"{path}: no prepared corpus here (not a folder); run prepare(...).save({str(path)!r}) first")
        try:
            state = json.loads((path / "prepared.json").read_text(encoding="utf-8"))
            if state.get("format_version") != FORMAT_VERSION:
                raise CacheError(f"{path / 'prepared.json'}: format version {state.get('format_version')!r}, expected {FORMAT_VERSION}; prepare again")
            passages = pq.read_table(path / "passages.parquet").to_pandas()
            tok_table = pq.read_table(path / "tokens.parquet")
            tokens = tok_table.column("tokens").to_pylist()
            ct = pq.read_table(path / "clean_texts.parquet")
            clean_texts = dict(zip(ct.column("doc_id").to_pylist(), ct.column("text").to_pylist()))
            removals = _objects(pq.read_table(path / "removals.parquet").to_pandas(), ints=("start", "end"))
            documents = _objects(pq.read_table(path / "documents.parquet").to_pandas(), ints=DOC_COLUMNS[1:])
            meta = _objects(pq.read_table(path / "metadata.parquet").to_pandas(), ints=())
        except (OSError, ValueError, KeyError) as exc:
            raise CacheError(f"{path}: prepared corpus is unreadable or incomplete ({type(exc).__name__}: {exc}); prepare it again") from None
        passages = _objects(passages, ints=("start", "end", "n_tokens"))
        index_name = state.get("metadata_index") or "doc_id"
        meta = meta.set_index(meta.columns[0])
        meta.index.name = index_name
        meta.index = pd.Index(list(meta.index), name=index_name, dtype=object)
        if len(tokens) != len(passages) or tok_table.column("passage_id").to_pylist() != list(passages["passage_id"]):
            raise CacheError(f"{path}: tokens.parquet does not match passages.parquet; prepare it again")
        params = state["params"]
        tokenizer = Tokenizer.from_state(params["tokenizer"], state["tokenizer_state"])
        return cls(
            passages=passages,
            tokens=tokens,
            clean_texts=clean_texts,
            removals=removals,
            metadata=meta,
            corpus_hash=state["corpus_hash"],
            documents=documents,
            tokenizer=tokenizer,
            params=params,
        )


def _table(df: pd.DataFrame, types: Mapping[str, Any]):
    import pyarrow as pa

    cols = {}
    for c in df.columns:
        values = list(df[c])
        t = types.get(c)
        if t is None:
            t = pa.string() if all(v is None or isinstance(v, str) for v in values) else None
        cols[str(c)] = pa.array(values, type=t) if t is not None else pa.array(values)
    return pa.table(cols) if cols else pa.table({})


def _objects(df: pd.DataFrame, *, ints: Sequence[str]) -> pd.DataFrame:
    """Restore the in-memory dtypes: int64 counts, object strings with None for missing."""
    out = {}
    for c in df.columns:
        if c in ints:
            out[c] = pd.Series(df[c].to_numpy(), dtype="int64")
        else:
            vals = [None if (v is None or (isinstance(v, float) and v != v)) else v for v in df[c].tolist()]
            out[c] = pd.Series(vals, dtype=object)
    return pd.DataFrame(out, columns=list(df.columns))


def _as_corpus(corpus: Any) -> Corpus:
    if isinstance(corpus, Corpus):
        return corpus
    if isinstance(corpus, (str, Path)):
        raise ParameterError(
            f"corpus={str(corpus)!r} is not allowed: expected a Corpus; load one first with discourse.load_corpus({str(corpus)!r})"
        )
    if isinstance(corpus, Iterable):
        texts = list(corpus)
        if all(isinstance(t, str) for t in texts):
            return Corpus.from_records([{"id": f"doc{i:05d}", "text": t} for i, t in enumerate(texts)], source="<texts>")
    raise ParameterError(f"corpus={type(corpus).__name__} is not allowed: expected a Corpus or a list of strings")


def _progress_disabled(progress: Optional[bool]) -> bool:
    return not progress_enabled(progress)


def prepare(
    corpus: Union[Corpus, Sequence[str]],
    *,
    cleaner: Optional[Cleaner] = None,
    tokenizer: Optional[Tokenizer] = None,
    passage_options: Optional[Mapping[str, int]] = None,
    passages: Optional[Mapping[str, int]] = None,
    progress: Optional[bool] = None,
) -> Prepared:
    """Clean, split and tokenise a corpus for the topic models.

    Documents are streamed once: each is cleaned (:class:`~discourse.clean.Cleaner`)
    and split into passages (:func:`~discourse.passages.split_passages`) as it
    is read, and its passages' words are kept.  Then the tokenizer learns
    phrases over all word lists (in memory) and joins them.

    Parameters
    ----------
    corpus : Corpus or list of str
        The documents (a list of strings gets ids ``doc00000``, ...).
    cleaner : Cleaner, optional
        Default: ``Cleaner()`` (all default steps).
    tokenizer : Tokenizer, optional
        Default: ``Tokenizer()``.  An unfitted tokenizer is fitted on this
        corpus' passages; a fitted one is used as it is (its phrases, learnt
        elsewhere, are applied: use this to prepare new documents exactly as
        an earlier corpus).
    passage_options : mapping, optional
        Keyword options of :func:`~discourse.passages.split_passages`
        (``max_chars``, ``min_chars``).
    passages : mapping, optional
        Same as ``passage_options`` (the name used in ``docs/architecture.md``).
    progress : bool, optional
        Show a progress bar; ``None`` = only when stderr is a terminal.

    Returns
    -------
    Prepared

    Raises
    ------
    ParameterError
        If an option is not allowed (named in the message).

    Examples
    --------
    >>> from discourse import load_seeds
    >>> prep = prepare(load_seeds(), progress=False)
    >>> list(prep.passages.columns)
    ['doc_id', 'passage_id', 'start', 'end', 'text', 'n_tokens']
    >>> len(prep.tokens) == len(prep.passages), 60 <= len(prep.passages) <= 100
    (True, True)
    >>> row = prep.passages.iloc[0]
    >>> prep.clean_texts[row.doc_id][row.start:row.end] == row.text
    True
    """
    from tqdm.auto import tqdm

    if passages is not None and passage_options is not None:
        raise ParameterError("passages and passage_options are the same option; give only passage_options")
    options = prepare_options(cleaner, tokenizer, passage_options if passage_options is not None else passages)
    corpus = _as_corpus(corpus)
    rows = Rows()
    bar = tqdm(corpus.items(), total=len(corpus), desc="prepare", unit="doc", disable=_progress_disabled(progress))
    for doc_id, text in bar:
        result = prepare_document(doc_id, text, options)
        if not result.passages:
            logger.warning("document %r has no text left after cleaning; it has no passages", doc_id)
        rows.add(result)
    tokenizer = options.tokenizer
    if not options.fitted:
        tokenizer.fit_words(rows.words)
    tokens = [tokenizer.apply_phrases(w) for w in rows.words]
    rows.words = []
    return assemble_prepared(rows, tokens, metadata=corpus.metadata.copy(), corpus_hash=corpus.hash, tokenizer=tokenizer,
                             params=options.params())


def assemble_prepared(rows: Rows, tokens: list[list[str]], *, metadata: pd.DataFrame, corpus_hash: str,
                      tokenizer: Tokenizer, params: dict[str, Any]) -> Prepared:
    """The :class:`Prepared` of documents' rows (in corpus order) and their passages' tokens.

    Logs a warning for each document none of whose passages has a token.
    """
    p_rows = dict(rows.passages)
    p_rows["n_tokens"] = [len(t) for t in tokens]
    doc_tokens: dict[str, int] = {}
    for doc_id, n in zip(p_rows["doc_id"], p_rows["n_tokens"]):
        doc_tokens[doc_id] = doc_tokens.get(doc_id, 0) + n
    for doc_id, n in doc_tokens.items():
        if n == 0:
            logger.warning("document %r has no tokens: every word is a stop word, too short or not a word; "
                           "the topic models have nothing to go on for it", doc_id)
    return Prepared(
        passages=_frame(PASSAGE_COLUMNS, p_rows, ints=("start", "end", "n_tokens")),
        tokens=tokens,
        clean_texts=rows.clean_texts,
        removals=_frame(REMOVAL_COLUMNS, rows.removals, ints=("start", "end")),
        metadata=metadata,
        corpus_hash=corpus_hash,
        documents=_frame(DOC_COLUMNS, rows.documents, ints=DOC_COLUMNS[1:]),
        tokenizer=tokenizer,
        params=params,
    )
