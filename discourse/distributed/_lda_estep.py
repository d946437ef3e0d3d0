"""The worker side of distributed LDA: bag-of-words blocks and gensim's E-step on one block.

:func:`discourse.distributed.fit_lda_distributed` (the driver loop, in
:mod:`._lda`) cuts each gensim chunk of passages into blocks
(:func:`chunk_blocks`), builds them on the workers from the partitions'
tokens (:func:`part_bow`, :func:`slice_blocks_from`) and runs
:func:`estep_block` on each with a copy of the model state
(:func:`state_of`) and the driver's initial draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ._lda import TokenPart

__all__ = ["BowBlock", "chunk_blocks", "estep_block", "part_bow", "slice_blocks_from", "state_of"]


@dataclass
class BowBlock:
    """Bag-of-words of consecutive passages as CSR arrays (compact, picklable)."""

    indptr: np.ndarray
    ids: np.ndarray
    counts: np.ndarray

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def docs(self) -> list[list[tuple[int, int]]]:
        """The passages as gensim bag-of-words lists."""
        ids, cts, ptr = self.ids.tolist(), self.counts.tolist(), self.indptr.tolist()
        return [list(zip(ids[a:b], cts[a:b])) for a, b in zip(ptr[:-1], ptr[1:])]

    def nonempty(self) -> int:
        return int(np.count_nonzero(np.diff(self.indptr)))


def part_bow(part: TokenPart, token2id: dict[str, int]) -> BowBlock:
    from gensim.corpora import Dictionary

    d = Dictionary()
    d.token2id = token2id
    indptr, ids, counts = [0], [], []
    for toks in part.load():
        bow = d.doc2bow(toks)  # gensim's order of (id, count) pairs
        ids.extend(i for i, _ in bow)
        counts.extend(c for _, c in bow)
        indptr.append(len(ids))
    return BowBlock(np.asarray(indptr, np.int64), np.asarray(ids, np.int64), np.asarray(counts, np.int64))


def _slice_blocks(pieces: list[tuple[BowBlock, int, int]]) -> BowBlock:
    ptrs, ids, counts = [np.zeros(1, np.int64)], [], []
    total = 0
    for blk, lo, hi in pieces:
        a, b = blk.indptr[lo], blk.indptr[hi]
        ids.append(blk.ids[a:b])
        counts.append(blk.counts[a:b])
        ptrs.append(blk.indptr[lo + 1:hi + 1] - a + total)
        total += int(b - a)
    return BowBlock(np.concatenate(ptrs), np.concatenate(ids) if ids else np.zeros(0, np.int64),
                    np.concatenate(counts) if counts else np.zeros(0, np.int64))


def chunk_blocks(n: int, *, chunksize: int, block_size: int) -> list[list[tuple[int, int]]]:
    """Passage ranges: gensim chunks of ``chunksize``, each cut into blocks of ``block_size``.

    Examples
    --------
    >>> chunk_blocks(5, chunksize=4, block_size=3)
    [[(0, 3), (3, 4)], [(4, 5)]]
    """
    out = []
    for c0 in range(0, n, chunksize):
        c1 = min(c0 + chunksize, n)
        out.append([(b0, min(b0 + block_size, c1)) for b0 in range(c0, c1, block_size)])
    return out


class _GivenDraws:
    """Stands in for a RandomState inside ``LdaModel.inference``: returns the driver's draws."""

    def __init__(self, gamma0: np.ndarray) -> None:
        self.gamma0 = gamma0

    def gamma(self, shape, scale, size):  # noqa: ARG002 - same signature as RandomState.gamma
        if tuple(size) != self.gamma0.shape:
            raise RuntimeError(f"E-step block expected initial draws of shape {tuple(size)}, got {self.gamma0.shape}")
        return self.gamma0.copy()


def _shell(state: dict[str, Any], gamma0: np.ndarray):
    """An LdaModel carrying only what ``inference``/``do_estep`` read."""
    from gensim.models.ldamodel import LdaModel

    m = LdaModel.__new__(LdaModel)
    m.num_topics = state["num_topics"]
    m.num_terms = state["expElogbeta"].shape[1]
    m.dtype = state["dtype"]
    m.iterations = state["iterations"]
    m.gamma_threshold = state["gamma_threshold"]
    m.alpha = state["alpha"]
    m.eta = state["eta"]
    m.expElogbeta = state["expElogbeta"]
    m.random_state = _GivenDraws(gamma0)
    return m


def estep_block(block: BowBlock, state: dict[str, Any], gamma0: np.ndarray, mode: str):
    """Run gensim's E-step on one block (worker side).

    ``mode``: ``"gamma"`` (variational parameters only), ``"sstats"`` (an
    ``LdaState`` filled by ``LdaModel.do_estep``) or ``"exact"`` (gamma plus,
    per passage, the factors of its sufficient-statistics contribution).
    """
    from gensim.matutils import dirichlet_expectation
    from gensim.models.ldamodel import LdaModel, LdaState

    m = _shell(state, gamma0)
    docs = block.docs()
    if mode == "gamma":
        gamma, _ = LdaModel.inference(m, docs, collect_sstats=False)
        return gamma
    if mode == "sstats":
        part = LdaState(m.eta, m.expElogbeta.shape, m.dtype)
        gamma = LdaModel.do_estep(m, docs, part)
        return gamma, part
    gamma, _ = LdaModel.inference(m, docs, collect_sstats=False)
    # The last lines of LdaModel.inference, per passage: its contribution to the sufficient
    # statistics is outer(expElogthetad, cts / phinorm), both computed from the final gamma.
    eps = np.finfo(m.dtype).eps
    theta = np.empty_like(gamma)
    right = np.empty(len(block.ids), dtype=m.dtype)
    ptr = block.indptr.tolist()
    for d, doc in enumerate(docs):
        ids = [idx for idx, _ in doc]
        cts = np.fromiter((cnt for _, cnt in doc), dtype=m.dtype, count=len(doc))
        expElogthetad = np.exp(dirichlet_expectation(gamma[d, :]))
        phinorm = np.dot(expElogthetad, m.expElogbeta[:, ids]) + eps
        theta[d] = expElogthetad
        right[ptr[d]:ptr[d + 1]] = cts / phinorm
    return gamma, theta, right, block.ids, block.indptr


def slice_blocks_from(blocks: list[BowBlock], ranges: list[tuple[int, int]]) -> BowBlock:
    return _slice_blocks([(b, lo, hi) for b, (lo, hi) in zip(blocks, ranges)])


def state_of(model) -> dict[str, Any]:
    return {
        "num_topics": model.num_topics,
        "dtype": model.dtype,
        "iterations": model.iterations,
        "gamma_threshold": model.gamma_threshold,
        "alpha": np.array(model.alpha, copy=True),
        "eta": np.array(model.eta, copy=True),
        "expElogbeta": np.array(model.expElogbeta, copy=True),
    }
