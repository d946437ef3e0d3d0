"""LDA on a Dask cluster: gensim's E-step distributed, sufficient statistics merged.

The driver holds one gensim :class:`~gensim.models.LdaModel`, built with the
same arguments as :func:`discourse.models.lda.train_lda`, and replays
gensim's own training loop (``LdaModel.update``: online variational Bayes,
``chunksize=2000``, ``update_every=1``) step by step.  Only the expensive part
of each step, the E-step over a chunk of passages, is cut into fixed *blocks*
of ``block_size`` passages and run on the workers; every other step (drawing
the initial variational parameters from the model's random state, updating
``alpha``, the M-step ``LdaModel.do_mstep`` and gensim's ``LdaState.blend``)
runs on the driver with gensim's code, in gensim's order.  Nothing is
re-implemented as a sampler: workers call ``LdaModel.inference`` /
``LdaModel.do_estep`` on a copy of the model state.

Two ways to merge a chunk's E-step (``merge=``):

``"exact"`` (default)
    Workers return, per passage, the variational parameters gensim computes
    (``gamma`` and the two vectors whose outer product is the passage's
    contribution to the sufficient statistics); the driver adds the
    contributions in passage order exactly as ``LdaModel.inference`` does.
    The fitted model is **bit-identical** to the in-process
    :class:`discourse.models.LDA`, whatever the number of workers.  The
    driver does one outer product per passage per pass (about a twentieth of
    the E-step's work).
``"sstats"``
    Each block returns its ``LdaState`` after ``LdaModel.do_estep`` and the
    driver merges them with ``LdaState.merge`` in block order, as gensim's
    own distributed LDA does.  The driver's work no longer grows with the
    passages; the result is identical for any number of workers and equals
    the in-process fit up to floating-point summation order (relative
    differences of order 1e-6 in float32 state; checked by the tests to
    stay below 1e-5 in every topic-term weight and 1e-3 in every passage-topic
    share; measured: 4e-8 and 1e-4 on 4,500 passages, k=7, 3 passes).

The random initialisation of each passage's variational parameters is drawn
on the driver from the model's ``random_state`` exactly where gensim draws it
(a whole chunk at a time) and handed to the blocks, so the blocks' results
do not depend on which worker ran them or in which order.

The vocabulary is built the same way: each partition counts its terms (in
gensim ``Dictionary`` order of first appearance), the driver merges the
counts in partition order and applies ``Dictionary.filter_extremes``, which
gives the same term ids as ``Dictionary(all_tokens)`` (below gensim's
``prune_at`` of 2,000,000 distinct terms, beyond which gensim itself prunes
in an order-dependent way).

References
----------
.. [1] Hoffman, M., Bach, F., & Blei, D. (2010). Online learning for latent
   Dirichlet allocation. *Advances in Neural Information Processing Systems* 23.
.. [2] Řehůřek, R., & Sojka, P. (2010). Software framework for topic modelling
   with large corpora. *LREC 2010 Workshop on New Challenges for NLP
   Frameworks* (gensim; its distributed LDA merges ``LdaState`` objects).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from ..errors import CorpusTooSmallError, ParameterError, check_param
from ..models._gensim_lda import CHUNKSIZE, check_nonempty, filter_dictionary, lda_model
from ._cluster import gather_with_progress, progress_enabled, put
from ._lda_estep import BowBlock, chunk_blocks, estep_block, part_bow, slice_blocks_from, state_of

__all__ = ["TokenPart", "LdaFit", "build_dictionary_distributed", "fit_lda_distributed", "lda_estimator"]

logger = logging.getLogger(__name__)

#: gensim's ``Dictionary`` prunes beyond this many distinct terms (``prune_at``).
PRUNE_AT = 2_000_000
MERGES = ("exact", "sstats")
#: The LDA parameters :func:`fit_lda_distributed` takes by keyword (defaults and checks: :class:`discourse.models.LDA`).
LDA_PARAMS = ("passes", "iterations", "alpha", "eta", "no_below", "no_above")


# --------------------------------------------------------------------------- token sources
@dataclass(frozen=True)
class TokenPart:
    """Where a worker finds one partition's token lists.

    Either ``tokens`` (in memory, shipped with the task) or a store entry
    (``store_root``, ``key``) whose ``passages`` table holds the passages'
    words; ``tokenizer`` (fitted) then joins its learnt phrases
    (:meth:`Tokenizer.apply_phrases`), which gives the tokens
    :func:`discourse.prepare` gives.
    """

    index: int
    n_rows: int
    store_root: str | None = None
    key: str | None = None
    tokenizer: Any = None
    tokens: tuple | None = None

    def load(self) -> list[list[str]]:
        """The token lists of this partition (runs on a worker)."""
        if self.tokens is not None:
            return [list(t) for t in self.tokens]
        from ._store import ParquetStore

        table = ParquetStore(self.store_root).read_table("passages", self.key, columns=["words"])
        words = table.column("words").to_pylist()
        if len(words) != self.n_rows:
            from ..errors import CacheError

            raise CacheError(f"store entry passages/{self.key}: {len(words)} passages, expected {self.n_rows}; delete it to rebuild")
        if self.tokenizer is None:
            return words
        join = self.tokenizer.apply_phrases
        return [join(w) for w in words]


def _part_counts(part: TokenPart) -> tuple[list[str], np.ndarray, np.ndarray, int, int, int]:
    """One partition's term statistics in gensim ``Dictionary`` order (worker side)."""
    from gensim.corpora import Dictionary

    d = Dictionary()
    d.add_documents(part.load(), prune_at=None)
    order = sorted(d.token2id, key=d.token2id.__getitem__)
    ids = [d.token2id[w] for w in order]
    dfs = np.array([d.dfs.get(i, 0) for i in ids], dtype=np.int64)
    cfs = np.array([d.cfs.get(i, 0) for i in ids], dtype=np.int64)
    return order, dfs, cfs, int(d.num_docs), int(d.num_pos), int(d.num_nnz)


def build_dictionary_distributed(client, parts: Sequence[TokenPart], *, no_below: int, no_above: float, progress: bool | None = None):
    """The gensim Dictionary of all parts' tokens, filtered as :func:`discourse.models.lda.build_dictionary` does.

    Parameters
    ----------
    client : distributed.Client
    parts : sequence of TokenPart
        In partition order.
    no_below, no_above
        As in :class:`discourse.models.LDA` (``no_below`` is lowered to 1
        when there are fewer than ``2 * no_below`` passages).

    Returns
    -------
    (gensim.corpora.Dictionary, n_passages)

    Raises
    ------
    CorpusTooSmallError
        If no term survives filtering.
    """
    from gensim.corpora import Dictionary

    futs = [client.submit(_part_counts, p, pure=False) for p in parts]
    counts = gather_with_progress(client, futs, desc="LDA vocabulary", progress=progress)
    d = Dictionary()
    token2id, dfs, cfs = d.token2id, d.dfs, d.cfs
    for order, p_dfs, p_cfs, n_docs, n_pos, n_nnz in counts:
        for w, df, cf in zip(order, p_dfs.tolist(), p_cfs.tolist()):
            i = token2id.get(w)
            if i is None:
                i = token2id[w] = len(token2id)
            dfs[i] = dfs.get(i, 0) + df
            cfs[i] = cfs.get(i, 0) + cf
        d.num_docs += n_docs
        d.num_pos += n_pos
        d.num_nnz += n_nnz
    if len(token2id) > PRUNE_AT:
        logger.warning("%d distinct terms: beyond gensim's prune_at=%d the in-process Dictionary prunes while counting, "
                       "so its vocabulary can differ from this exact count", len(token2id), PRUNE_AT)
    n = d.num_docs
    return filter_dictionary(d, no_below=no_below, no_above=no_above), n


# --------------------------------------------------------------------------- the driver loop
@dataclass
class LdaFit:
    """A distributed LDA fit: gensim model, dictionary and passage-topic rows.

    Attributes
    ----------
    model : gensim.models.LdaModel
    dictionary : gensim.corpora.Dictionary
    doc_topic : ndarray, shape (n_passages, k), float64, rows sum to 1
    n_passages : int
    """

    model: Any
    dictionary: Any
    doc_topic: np.ndarray
    n_passages: int


def fit_lda_distributed(
    client,
    parts: Sequence[TokenPart],
    *,
    k: int,
    random_state: int = 0,
    block_size: int = 500,
    merge: str = "exact",
    progress: bool | None = None,
    _on_chunk: Callable[[int, int], None] | None = None,
    **lda_params: Any,
) -> LdaFit:
    """Fit gensim LDA with the E-step on the cluster.

    Parameters
    ----------
    client : distributed.Client
    parts : sequence of TokenPart
        The passages' token lists, partition by partition, in passage order.
    k : int
        Number of topics (>= 2).
    random_state : int
        The seed given to gensim, as in :class:`discourse.models.LDA`.
    **lda_params
        ``passes``, ``iterations``, ``alpha``, ``eta``, ``no_below``,
        ``no_above``: as in :class:`discourse.models.LDA`, with its defaults,
        and checked by it.
    block_size : int, default 500
        Passages per E-step task (fixed: results never depend on the
        number of workers).
    merge : {"exact", "sstats"}
        How a chunk's E-step is merged (see the module notes).
    progress : bool or None
        Progress bar over passes.

    Returns
    -------
    LdaFit

    Raises
    ------
    ParameterError
        For a parameter out of range.
    CorpusTooSmallError
        If fewer than 2 passages have any vocabulary term.

    Examples
    --------
    >>> from discourse.distributed import connect  # doctest: +SKIP
    >>> parts = [TokenPart(0, 2, tokens=(("a", "b"), ("b", "c"))), TokenPart(1, 1, tokens=(("a", "c"),))]
    >>> with connect("local") as client:  # doctest: +SKIP
    ...     fit = fit_lda_distributed(client, parts, k=2, no_below=1, no_above=1.0)
    >>> fit.doc_topic.shape  # doctest: +SKIP
    (3, 2)
    """
    from gensim.models.ldamodel import LdaState
    from tqdm.auto import tqdm

    from ..models._base import normalise_rows

    check_param("k", k, "an integer >= 2", isinstance(k, (int, np.integer)) and not isinstance(k, bool) and k >= 2)
    check_param("merge", merge, f"one of {MERGES}", merge in MERGES)
    check_param("block_size", block_size, "an integer >= 1", isinstance(block_size, int) and block_size >= 1)
    unknown = sorted(set(lda_params) - set(LDA_PARAMS))
    if unknown:
        raise ParameterError(f"{unknown[0]}= is not allowed here: fit_lda_distributed takes {', '.join(LDA_PARAMS)} besides its own")
    from ..models import LDA

    p = LDA(k=int(k), random_state=random_state, **lda_params).check_params()
    passes, iterations, alpha, eta = p["passes"], p["iterations"], p["alpha"], p["eta"]
    no_below, no_above, random_state = p["no_below"], p["no_above"], p["seed"]
    if not parts:
        raise CorpusTooSmallError("LDA needs at least 2 passages; the corpus has none")

    dictionary, n = build_dictionary_distributed(client, parts, no_below=no_below, no_above=no_above, progress=progress)
    token2id = put(client, dict(dictionary.token2id))
    part_bows = [client.submit(part_bow, p, token2id, pure=False) for p in parts]
    offsets = np.cumsum([0] + [p.n_rows for p in parts])
    if offsets[-1] != n:
        raise RuntimeError(f"partitions hold {offsets[-1]} passages but the dictionary counted {n}")

    def pieces(lo: int, hi: int) -> list[tuple[Any, int, int]]:
        out = []
        first = int(np.searchsorted(offsets, lo, side="right") - 1)
        for j in range(first, len(parts)):
            a, b = max(lo, offsets[j]), min(hi, offsets[j + 1])
            if a >= hi:
                break
            if b > a:
                out.append((j, int(a - offsets[j]), int(b - offsets[j])))
        return out

    def make_blocks(ranges: list[tuple[int, int]]) -> list[Any]:
        futs = []
        for lo, hi in ranges:
            spec = pieces(lo, hi)
            futs.append(client.submit(slice_blocks_from, [part_bows[j] for j, _, _ in spec],
                                      [(a, b) for _, a, b in spec], pure=False))
        return futs

    chunksize = min(n, CHUNKSIZE)
    train_chunks = chunk_blocks(n, chunksize=chunksize, block_size=block_size)
    train_blocks = [make_blocks(ch) for ch in train_chunks]
    nonempty = sum(gather_with_progress(client, [client.submit(BowBlock.nonempty, b, pure=False) for ch in train_blocks for b in ch],
                                        desc="LDA corpus", progress=progress))
    check_nonempty(nonempty, n)
    del part_bows  # blocks now hold the data; the partition copies can go

    model = lda_model(None, dictionary, k=int(k), seed=random_state, passes=passes, iterations=iterations, alpha=alpha, eta=eta)
    logger.info("fitting LDA on the cluster: k=%d, %d passages, %d terms, %d chunks of %d passages, blocks of %d, merge=%s",
                k, n, len(dictionary), len(train_chunks), chunksize, block_size, merge)

    # -- gensim LdaModel.update(corpus), online mode (update_every=1), replayed step by step
    model.state.numdocs += n
    decay, offset = model.decay, model.offset

    def rho() -> float:
        return pow(offset + pass_ + (model.num_updates / chunksize), -decay)

    bar = tqdm(total=passes * len(train_chunks), desc="LDA E-steps", unit="chunk", disable=not progress_enabled(progress), leave=False)
    try:
        for pass_ in range(passes):
            for chunk_no, (ranges, blocks) in enumerate(zip(train_chunks, train_blocks)):
                n_chunk = ranges[-1][1] - ranges[0][0]
                # LdaModel.inference draws the chunk's initial gamma first thing
                gamma0 = model.random_state.gamma(100.0, 1.0 / 100.0, (n_chunk, model.num_topics)).astype(model.dtype, copy=False)
                state = put(client, state_of(model))
                base = ranges[0][0]
                futs = [client.submit(estep_block, blk, state, gamma0[lo - base:hi - base], merge, pure=False)
                        for blk, (lo, hi) in zip(blocks, ranges)]
                results = client.gather(futs)
                other = LdaState(model.eta, model.state.sstats.shape, model.dtype)
                if merge == "sstats":
                    gammat = np.concatenate([g for g, _ in results])
                    for _, part_state in results:
                        other.merge(part_state)
                else:
                    gammat = np.concatenate([r[0] for r in results])
                    # LdaModel.inference's accumulation, passage by passage in passage order
                    sstats = np.zeros_like(model.expElogbeta, dtype=model.dtype)
                    for _, theta, right, ids, ptr in results:
                        ids, ptr = ids.tolist(), ptr.tolist()
                        for d in range(len(ptr) - 1):
                            a, b = ptr[d], ptr[d + 1]
                            sstats[:, ids[a:b]] += np.outer(theta[d].T, right[a:b])
                    sstats *= model.expElogbeta
                    other.sstats += sstats
                    other.numdocs += gammat.shape[0]
                if model.optimize_alpha:
                    model.update_alpha(gammat, rho())
                model.do_mstep(rho(), other, pass_ > 0)
                del other, results, futs
                bar.update(1)
                if _on_chunk is not None:
                    _on_chunk(pass_, chunk_no)
    finally:
        bar.close()

    # -- discourse.models.lda.infer_doc_topics(model, bow, seed), with the E-step on the cluster
    doc_topic = infer_doc_topics_distributed(client, model, train_blocks, n, random_state, block_size=block_size, progress=progress)
    return LdaFit(model=model, dictionary=dictionary, doc_topic=normalise_rows(doc_topic) if n else doc_topic, n_passages=n)


def infer_doc_topics_distributed(client, model, blocks, n: int, seed: int, *, block_size: int,
                                 progress: bool | None = None) -> np.ndarray:
    """Unnormalised passage-topic gammas, as :func:`discourse.models.lda.infer_doc_topics` computes them.

    ``blocks`` are the bag-of-words block futures of :func:`chunk_blocks`
    ``(n, chunksize=CHUNKSIZE, block_size=block_size)``.  The random state is
    reset to ``seed`` and the initial draws are taken chunk by chunk on the
    driver, exactly as in process.
    """
    rs = np.random.RandomState(seed)
    k = model.num_topics
    chunks = chunk_blocks(n, chunksize=CHUNKSIZE, block_size=block_size)
    state = put(client, state_of(model))
    futs = []
    for ranges, blks in zip(chunks, blocks):
        base, top = ranges[0][0], ranges[-1][1]
        gamma0 = rs.gamma(100.0, 1.0 / 100.0, (top - base, k)).astype(model.dtype, copy=False)
        for blk, (lo, hi) in zip(blks, ranges):
            futs.append(client.submit(estep_block, blk, state, gamma0[lo - base:hi - base], "gamma", pure=False))
    gammas = gather_with_progress(client, futs, desc="LDA passage topics", progress=progress)
    out = np.empty((n, k), dtype=np.float64)
    row = 0
    for g in gammas:
        out[row:row + len(g)] = g
        row += len(g)
    return out


def lda_estimator(fit: LdaFit, *, params: dict[str, Any], seed: int, prepared: Any = None, corpus_hash: str | None = None,
                  selection: Any = None):
    """A fitted :class:`discourse.models.LDA` from a distributed fit (:func:`discourse.models.lda.set_fitted_state`).

    Parameters
    ----------
    fit : LdaFit
    params : dict
        The estimator's parameters (``LDA(**params)``); ``k`` may be ``"auto"``
        when ``selection`` is given.
    seed : int
    prepared : optional
        Its ``tokenizer`` is kept for ``transform`` on raw texts.
    corpus_hash : str, optional
    selection : KSelection, optional
        The K sweep behind ``k="auto"``.
    """
    from ..models import LDA
    from ..models.lda import set_fitted_state

    return set_fitted_state(LDA(**params), model=fit.model, dictionary=fit.dictionary, doc_topic=fit.doc_topic, seed=seed,
                            selection=selection, prepared=prepared, n_passages=fit.n_passages, corpus_hash=corpus_hash)
