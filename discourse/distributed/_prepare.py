"""Cleaning, passages and tokens on a Dask cluster, partition by partition.

:func:`prepare_distributed` does what :func:`discourse.prepare` does, in
three stages, and gives the same passages, tokens, cleaned texts, removals
and tokenizer:

1. **Words** (workers, one task per partition): read the partition from its
   source and put every document through
   :func:`discourse._document.prepare_document` (clean, split into passages,
   turn each passage into words), the function :func:`discourse.prepare`
   uses.  The result goes to the
   Parquet store under the sha256 of the partition's ids and texts and of
   every parameter, so a later run with the same input reuses it.  The task
   also returns the partition's unigram and bigram counts
   (:func:`discourse._phrases.count_phrases` over the partition's passages).
2. **Phrases** (driver): the partitions' counts are summed as partitions
   finish and scored once (:meth:`Tokenizer.fit_phrase_counts`, which scores
   with :func:`discourse._phrases.score_phrases`, as the in-process
   tokenizer does).  Counts are integers and counting is additive, so
   whatever the order these are the phrases :func:`discourse.prepare` learns
   (as long as the vocabulary stays under gensim's ``max_vocab_size`` of 40
   million, beyond which gensim, and so the in-process tokenizer, prunes
   while counting).
3. **Tokens**: a passage's tokens are its stored words with the learnt
   phrases joined (:meth:`Tokenizer.apply_phrases`, one dictionary lookup
   per word pair), done where the tokens are read (LDA's tasks,
   :meth:`StoredPrepared.to_prepared`) rather than written back as a second
   copy.

No process holds every raw text: workers hold one partition at a time, the
driver holds ids, metadata and the phrase counts.  The result,
:class:`StoredPrepared`, points into the store; :meth:`StoredPrepared.to_prepared`
assembles an in-memory :class:`~discourse.Prepared` when one is
needed (the comparisons run on it).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence

import pandas as pd

from .._document import DOC_COLUMNS, REMOVAL_COLUMNS, Rows, prepare_document, prepare_options
from .._phrases import MAX_VOCAB_SIZE, PhraseCounts, count_phrases
from ..errors import CorpusError
from ._cluster import progress_enabled
from ._lda import TokenPart
from ._store import ParquetStore, content_key
from ._stream import PartitionSpec, RawPartition, Source, open_source, read_partition

__all__ = ["PartRecord", "StoredPrepared", "prepare_distributed", "words_partition"]

logger = logging.getLogger(__name__)

#: Bump when the stored layout changes (part of every store key).
STORE_VERSION = 1


# ------------------------------------------------------------------------ worker-side
_TOOLS: dict[str, Any] = {}


def _process_options(settings: Mapping[str, Any], options):
    """One set of options (cleaner, set-up tokenizer) per worker process and settings.

    Tasks arrive with their own unpickled copies; reusing one per process
    keeps the tokenizer's word cache (and the cleaner's resolved steps) warm
    across partitions, as in a single-process run.
    """
    import json

    key = json.dumps(settings, sort_keys=True, default=str)
    kept = _TOOLS.get(key)
    if kept is None:
        _TOOLS.clear()
        kept = _TOOLS[key] = options
    return kept


@dataclass
class WordsResult:
    """What a words task sends back (small: no texts)."""

    index: int
    key: str
    n_docs: int
    n_passages: int
    ids: list[str]
    meta: pd.DataFrame | None
    skipped: list[str]
    no_passages: list[str]
    content_hash: str
    counts: PhraseCounts | None = None
    reused: bool = False


def _words_key(raw: RawPartition, settings: Mapping[str, Any]) -> str:
    from ..provenance import package_versions

    return content_key("words", STORE_VERSION, raw.content_hash(), dict(settings), package_versions())


def words_partition(part: PartitionSpec | RawPartition, *, store_root: str, options, settings: Mapping[str, Any],
                    with_counts: bool) -> WordsResult:
    """Stage 1 on one partition (runs on a worker); see the module notes."""
    raw = part if isinstance(part, RawPartition) else read_partition(part)
    store = ParquetStore(store_root)
    key = _words_key(raw, settings)
    passages = store.try_read("passages", key, columns=["doc_id", "words"])
    docs = store.try_read("documents", key, columns=["doc_id", "n_passages"]) if passages is not None else None
    reused = passages is not None and docs is not None and store.has("removals", key)
    if reused:
        words = [list(w) for w in passages["words"]]
        no_passages = [d for d, n in zip(docs["doc_id"], docs["n_passages"]) if n == 0]
        n_passages = len(words)
    else:
        options = _process_options(settings, options)
        rows = Rows()
        for doc_id, text in zip(raw.ids, raw.texts):
            rows.add(prepare_document(doc_id, text, options))
        _write_words(store, key, rows)
        words = rows.words
        n_passages = len(words)
        no_passages = [d for d, n in zip(rows.documents["doc_id"], rows.n_passages) if n == 0]
    return WordsResult(index=raw.index, key=key, n_docs=len(raw.ids), n_passages=n_passages, ids=list(raw.ids),
                       meta=None if isinstance(part, RawPartition) or part.kind == "folder" else raw.meta,
                       skipped=list(raw.skipped), no_passages=no_passages, content_hash=raw.content_hash(),
                       counts=count_phrases(words) if with_counts else None, reused=reused)


def _write_words(store: ParquetStore, key: str, rows: Rows) -> None:
    import pyarrow as pa

    s, i64 = pa.string(), pa.int64()
    store.write("removals", key, pa.table({c: pa.array(rows.removals[c], i64 if c in ("start", "end") else s) for c in REMOVAL_COLUMNS}))
    docs = {c: pa.array(rows.documents[c], s if c == "doc_id" else i64) for c in DOC_COLUMNS}
    docs["clean_text"] = pa.array(list(rows.clean_texts.values()), s)
    docs["n_passages"] = pa.array(rows.n_passages, i64)
    store.write("documents", key, pa.table(docs))
    cols = {c: pa.array(v, i64 if c in ("start", "end") else s) for c, v in rows.passages.items()}
    cols["words"] = pa.array(rows.words, pa.list_(s))
    store.write("passages", key, pa.table(cols))  # written last: its presence marks the entry complete


# ------------------------------------------------------------------------ driver-side result
@dataclass(frozen=True)
class PartRecord:
    """One partition in the store: its keys and sizes."""

    index: int
    key: str
    tokens_key: str
    n_docs: int
    n_passages: int
    content_hash: str


class StoredPrepared:
    """A prepared corpus whose passages and tokens live in the Parquet store.

    Attributes
    ----------
    store : ParquetStore
    parts : list of PartRecord
        In partition order (= passage order).
    metadata : DataFrame
        Corpus metadata (index ``doc_id``), kept documents only.
    corpus_hash : str
        :attr:`discourse.Corpus.hash` when the input was a Corpus; for a path,
        the sha256 of the partitions' content hashes and the metadata
        (documented in ``docs/cluster.md``).
    tokenizer : Tokenizer
        Fitted (phrases learnt from the merged counts).
    params : dict
        As :attr:`discourse.Prepared.params`.
    n_passages : int
    """

    def __init__(self, *, store: ParquetStore, parts: list[PartRecord], metadata: pd.DataFrame, corpus_hash: str,
                 tokenizer: Any, params: dict[str, Any], source: str = "") -> None:
        self.store = store
        self.parts = parts
        self.metadata = metadata
        self.corpus_hash = corpus_hash
        self.tokenizer = tokenizer
        self.params = params
        self.source = source

    @property
    def n_passages(self) -> int:
        return sum(p.n_passages for p in self.parts)

    def __len__(self) -> int:
        return self.n_passages

    def __repr__(self) -> str:
        return (f"<StoredPrepared {len(self.metadata)} documents, {self.n_passages} passages in {len(self.parts)} partitions "
                f"at {self.store.root}>")

    def token_parts(self) -> list[TokenPart]:
        """The token lists, partition by partition, for :func:`fit_lda_distributed`."""
        return [TokenPart(p.index, p.n_passages, store_root=str(self.store.root), key=p.key, tokenizer=self.tokenizer)
                for p in self.parts]

    def iter_passages(self, columns: Sequence[str] = ("doc_id", "passage_id", "text")) -> Iterator[pd.DataFrame]:
        """Passages, one partition at a time (bounded memory)."""
        for p in self.parts:
            yield self.store.read("passages", p.key, columns=list(columns))

    def to_prepared(self):
        """Assemble an in-memory :class:`~discourse.Prepared` (same tables as ``prepare``)."""
        from .._prepare import assemble_prepared

        rows = Rows()
        tokens: list[list[str]] = []
        join = self.tokenizer.apply_phrases
        for p in self.parts:
            ps = self.store.read_table("passages", p.key, columns=["doc_id", "passage_id", "start", "end", "text", "words"])
            for c in rows.passages:
                rows.passages[c].extend(ps.column(c).to_pylist())
            tokens.extend(join(w) for w in ps.column("words").to_pylist())
            rm = self.store.read_table("removals", p.key)
            for c in REMOVAL_COLUMNS:
                rows.removals[c].extend(rm.column(c).to_pylist())
            dt = self.store.read_table("documents", p.key)
            rows.clean_texts.update(zip(dt.column("doc_id").to_pylist(), dt.column("clean_text").to_pylist()))
            for c in DOC_COLUMNS:
                rows.documents[c].extend(dt.column(c).to_pylist())
        return assemble_prepared(rows, tokens, metadata=self.metadata.copy(), corpus_hash=self.corpus_hash,
                                 tokenizer=self.tokenizer, params=self.params)


# ------------------------------------------------------------------------ the driver
def _run_words(client, source: Source, kwargs: dict, counts: PhraseCounts, *, progress: bool | None) -> list[WordsResult]:
    """Run the words stage; merge each partition's counts as it finishes and release its result.

    Only a bounded number of partitions are held at any time: futures are
    dropped once consumed (workers free the result) and, for a source the
    driver streams, at most ``2 * workers + 2`` partitions are in flight.
    """
    from distributed import as_completed
    from tqdm.auto import tqdm

    results: dict[int, WordsResult] = {}
    bar = tqdm(total=len(source.partitions), desc="clean+words", unit="part", disable=not progress_enabled(progress), leave=False)

    def consume(fut) -> None:
        r: WordsResult = fut.result()
        if r.index in results:  # cannot happen: one future per partition
            raise RuntimeError(f"partition {r.index} came back twice")
        if r.counts is not None:
            counts.add(r.counts)
            r.counts = None
        results[r.index] = r
        bar.update(1)

    try:
        if source.driver_side:
            limit = 2 * max(1, len(client.nthreads())) + 2
            pending = as_completed()
            for raw in source.iter_driver_partitions():
                pending.add(client.submit(words_partition, raw, **kwargs, pure=False))
                del raw
                while pending.count() >= limit:
                    consume(next(pending))
            for fut in pending:
                consume(fut)
        else:
            for fut in as_completed([client.submit(words_partition, spec, **kwargs, pure=False) for spec in source.partitions]):
                consume(fut)
                fut.release()
    finally:
        bar.close()
    if sorted(results) != list(range(len(source.partitions))):
        raise RuntimeError("partition results are missing")  # cannot happen: as_completed yields every future
    return [results[i] for i in range(len(results))]


def prepare_distributed(
    corpus: Any,
    client,
    *,
    store: ParquetStore | str,
    cleaner=None,
    tokenizer=None,
    passage_options: Mapping[str, int] | None = None,
    text_col: str = "text",
    id_col: str = "id",
    partition_size: int = 1000,
    progress: bool | None = None,
) -> StoredPrepared:
    """Clean, split and tokenise a corpus on a Dask cluster, streaming from disk.

    Parameters
    ----------
    corpus : str, Path, Corpus or Source
        A ``.csv``/``.jsonl``/``.parquet`` file or a folder (streamed in
        partitions by the workers), or a Corpus object (streamed by the
        driver, a few partitions ahead of the workers).
    client : distributed.Client
        From :func:`discourse.distributed.connect`.
    store : ParquetStore or str
        Where partitions' results are written and found again.  Every
        worker must see it under the same path.
    cleaner, tokenizer, passage_options
        As in :func:`discourse.prepare`.  An unfitted tokenizer learns its
        phrases from all partitions' merged counts; a fitted one is applied
        as it is.
    text_col, id_col : str
        Tabular files only.
    partition_size : int, default 1000
        Documents per partition (fixed: results never depend on the number
        of workers).
    progress : bool or None
        Progress bars (``None``: only on a terminal).

    Returns
    -------
    StoredPrepared

    Raises
    ------
    ParameterError
        For an option that is not allowed.
    CorpusError
        For malformed input (names the file and rows), or duplicate ids
        across partitions.

    Examples
    --------
    >>> import tempfile, discourse
    >>> from discourse.distributed import connect
    >>> with connect("local") as client:  # doctest: +SKIP
    ...     sp = prepare_distributed(discourse.seeds_path(), client, store=tempfile.mkdtemp())
    >>> sp.to_prepared().equals(discourse.prepare(discourse.load_seeds()))  # doctest: +SKIP
    True
    """
    options = prepare_options(cleaner, tokenizer, passage_options)  # checks the options now, in the driver
    tokenizer, fitted = options.tokenizer, options.fitted
    store = store if isinstance(store, ParquetStore) else ParquetStore(store)
    source = corpus if isinstance(corpus, Source) else open_source(corpus, text_col=text_col, id_col=id_col, partition_size=partition_size)
    params = options.params()
    settings = {"cleaner": params["cleaner"], "passage_options": params["passage_options"], "tokenizer": params["tokenizer"],
                "tokenizer_state": tokenizer.state() if fitted else None}
    kwargs = dict(store_root=str(store.root), options=options, settings=settings,
                  with_counts=(not fitted and bool(tokenizer.phrases)))
    logger.info("preparing %s on the cluster, store %s", source, store.root)
    counts = PhraseCounts()
    results = _run_words(client, source, kwargs, counts, progress=progress)

    # -- metadata and corpus identity
    metadata = _metadata(source, results)
    for r in results:
        for d in r.skipped:
            logger.warning("%s: document %r is empty or whitespace only; skipped", source.path, d)
        for d in r.no_passages:
            logger.warning("document %r has no text left after cleaning; it has no passages", d)
    if source.corpus is not None and hasattr(source.corpus, "hash"):
        corpus_hash = source.corpus.hash
    else:
        h = hashlib.sha256(b"discourse-partitions\x00")
        for r in results:
            h.update(r.content_hash.encode() + b"\x00")
        h.update(metadata.to_csv(lineterminator="\n").encode("utf-8", "surrogatepass"))
        corpus_hash = h.hexdigest()

    # -- phrases from the merged counts, scored as the in-process tokenizer scores them
    if not fitted:
        if counts.vocab_size > MAX_VOCAB_SIZE:
            logger.warning("%d distinct words and word pairs: beyond gensim's max_vocab_size=%d the in-process tokenizer "
                           "prunes while counting, so its phrases can differ from these exact counts", counts.vocab_size,
                           MAX_VOCAB_SIZE)
        tokenizer.fit_phrase_counts(counts, n_texts=sum(r.n_passages for r in results))
        del counts
    phrases_key = content_key("phrases", tokenizer.state())

    # -- tokens: the stored words with the learnt phrases joined, on read (TokenPart.load, to_prepared)
    parts = [PartRecord(r.index, r.key, content_key("tokens", STORE_VERSION, r.key, phrases_key), r.n_docs, r.n_passages, r.content_hash)
             for r in results]
    reused = sum(r.reused for r in results)
    if reused:
        logger.info("reused %d of %d partitions from the store", reused, len(results))
    return StoredPrepared(store=store, parts=parts, metadata=metadata, corpus_hash=corpus_hash, tokenizer=tokenizer,
                          params=params, source=source.path)


def _metadata(source: Source, results: list[WordsResult]) -> pd.DataFrame:
    ids = [d for r in results for d in r.ids]
    seen: set[str] = set()
    dups = []
    for d in ids:
        if d in seen:
            dups.append(d)
        seen.add(d)
    if dups:
        raise CorpusError(f"{source.path}: duplicate id {dups[0]!r} in different partitions; ids must be unique")
    if source.metadata is not None:
        meta = source.metadata
        if list(meta.index) != ids:
            meta = meta.loc[ids]
        return meta
    frames = [r.meta for r in results if r.meta is not None]
    cols: list[str] = []
    for f in frames:
        for c in f.columns:
            if c not in cols:
                cols.append(c)
    if not frames:
        return pd.DataFrame(index=pd.Index([], name="doc_id", dtype=object))
    meta = pd.concat([f.reindex(columns=cols) for f in frames])
    meta = meta.astype(object).where(meta.notna(), None)
    meta.index = pd.Index(list(meta.index), name="doc_id", dtype=object)
    if not len(meta):
        raise CorpusError(f"{source.path}: every document is empty; nothing to analyse")
    return meta
