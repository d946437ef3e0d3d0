"""The measures by which :func:`~discourse.models.select_k` compares numbers of topics.

As R's ``stm::searchK`` computes them (Roberts, Stewart & Tingley 2019):

* held-out log-likelihood by document completion (:func:`make_heldout`,
  :func:`heldout_loglik`; Wallach et al. 2009; stm ``make.heldout`` /
  ``eval.heldout``): half the tokens of 10% of the passages are held out, the
  model is fitted on what is left, each such passage's topic shares are
  inferred from its observed half and the held-out tokens are scored under
  ``theta · beta``;
* semantic coherence (:func:`semantic_coherence`; Mimno et al. 2011);
* exclusivity (:func:`exclusivity`; FREX of Bischof & Airoldi 2012 summed
  over a topic's top terms, as stm's ``exclusivity`` does).

References
----------
.. [1] Wallach, H. M., Murray, I., Salakhutdinov, R., & Mimno, D. (2009).
   Evaluation methods for topic models. *Proceedings of ICML 2009*, 1105-1112.
.. [2] Mimno, D., Wallach, H. M., Talley, E., Leenders, M., & McCallum, A.
   (2011). Optimizing semantic coherence in topic models. *Proceedings of
   EMNLP 2011*, 262-272.
.. [3] Bischof, J. M., & Airoldi, E. M. (2012). Summarizing topical content
   with word frequency and exclusivity. *Proceedings of ICML 2012*, 201-208.
.. [4] Roberts, M. E., Stewart, B. M., & Tingley, D. (2019). stm: An R package
   for structural topic models. *Journal of Statistical Software*, 91(2), 1-40.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ._labels import frex

__all__ = ["Heldout", "make_heldout", "heldout_loglik", "semantic_coherence", "exclusivity", "top_terms",
           "EXCLUSIVITY_FREX_WEIGHT"]

#: stm's ``exclusivity(frexw = 0.7)``: the weight on exclusivity in FREX.
EXCLUSIVITY_FREX_WEIGHT = 0.7

Bow = Sequence[Sequence[tuple[int, int]]]


@dataclass(frozen=True)
class Heldout:
    """A document-completion split of a bag-of-words corpus.

    Attributes
    ----------
    train : list of bag-of-words
        Every passage, with the held-out tokens of the chosen passages removed.
    index : ndarray of int, shape (n_heldout,)
        Row numbers of the passages with held-out tokens (sorted).
    missing : list of bag-of-words
        The held-out tokens of each of those passages, aligned with ``index``.
    """

    train: list[list[tuple[int, int]]]
    index: np.ndarray
    missing: list[list[tuple[int, int]]]


def make_heldout(bow: Bow, *, fraction: float = 0.1, proportion: float = 0.5, seed: int = 0) -> Heldout:
    """Hold out ``proportion`` of the tokens of ``fraction`` of the passages (stm ``make.heldout``).

    Passages with at least two tokens are eligible; ``max(1, floor(fraction *
    n_passages))`` of them are drawn (all eligible ones when fewer), and from
    each, ``max(1, floor(proportion * n_tokens))`` token positions without
    replacement.  The draw is a pure function of ``bow`` and ``seed``.

    Parameters
    ----------
    bow : sequence of bag-of-words
        gensim bag-of-words rows, ``[(term_id, count), ...]``.
    fraction, proportion : float
        As stm's ``N = floor(.1 * D)`` and ``proportion = .5``.
    seed : int

    Returns
    -------
    Heldout

    Examples
    --------
    >>> h = make_heldout([[(0, 2), (1, 2)]] * 10, seed=0)
    >>> h.index.tolist(), sum(c for _, c in h.missing[0]), sum(c for _, c in h.train[h.index[0]])
    ([8], 2, 2)
    """
    rng = np.random.default_rng(seed)
    sizes = np.array([sum(c for _, c in row) for row in bow], dtype=np.int64)
    eligible = np.flatnonzero(sizes >= 2)
    n = min(len(eligible), max(1, int(np.floor(fraction * len(bow)))))
    index = np.sort(rng.choice(eligible, size=n, replace=False)) if n else np.empty(0, dtype=np.int64)
    train = [list(row) for row in bow]
    missing = []
    for i in index:
        ids = np.array([t for t, _ in bow[i]], dtype=np.int64)
        counts = np.array([c for _, c in bow[i]], dtype=np.int64)
        tokens = np.repeat(ids, counts)
        take = rng.choice(len(tokens), size=max(1, int(np.floor(proportion * len(tokens)))), replace=False)
        held = np.zeros(len(tokens), dtype=bool)
        held[take] = True
        missing.append(_to_bow(tokens[held]))
        train[i] = _to_bow(tokens[~held])
    return Heldout(train=train, index=index.astype(np.int64), missing=missing)


def _to_bow(tokens: np.ndarray) -> list[tuple[int, int]]:
    ids, counts = np.unique(tokens, return_counts=True)
    return [(int(t), int(c)) for t, c in zip(ids, counts)]


def heldout_loglik(theta: np.ndarray, topic_term: np.ndarray, missing: Bow) -> np.ndarray:
    """Per-token log-likelihood of each passage's held-out tokens (stm ``eval.heldout``).

    Parameters
    ----------
    theta : ndarray, shape (n_heldout, k)
        Topic shares of each passage, inferred from its observed tokens.
    topic_term : ndarray, shape (k, n_terms)
        Topic-term distributions (rows sum to 1).
    missing : sequence of bag-of-words, length n_heldout
        The held-out tokens.

    Returns
    -------
    ndarray, shape (n_heldout,)
        ``sum_w n_w log(theta_d · beta_w) / sum_w n_w`` for each passage.

    Examples
    --------
    >>> beta = np.array([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]])
    >>> heldout_loglik(np.array([[1.0, 0.0]]), beta, [[(0, 1), (1, 1)]]).round(4).tolist()
    [-0.6931]
    """
    out = np.empty(len(missing), dtype=np.float64)
    for d, row in enumerate(missing):
        ids = np.array([t for t, _ in row], dtype=np.int64)
        counts = np.array([c for _, c in row], dtype=np.float64)
        p = theta[d] @ topic_term[:, ids]
        out[d] = float(counts @ np.log(p) / counts.sum())
    return out


def top_terms(topic_term: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` most probable term ids of each topic, best first (ties: lower id first)."""
    k, v = topic_term.shape
    order = np.lexsort((np.broadcast_to(np.arange(v), (k, v)), -topic_term), axis=1)
    return order[:, :n]


def semantic_coherence(top: np.ndarray, doc_term) -> np.ndarray:
    """Semantic coherence of each topic (Mimno et al. 2011).

    ``C(t) = sum_{m=2..M} sum_{l<m} log((D(v_m, v_l) + 1) / D(v_l))`` over the
    topic's top terms ``v_1..v_M`` (most probable first), where ``D(v)``
    counts the passages containing ``v`` and ``D(v, v')`` those containing
    both.

    Parameters
    ----------
    top : ndarray of int, shape (k, M)
        Top term ids of each topic, best first (:func:`top_terms`).
    doc_term : scipy.sparse matrix, shape (n_passages, n_terms)
        Passage-term counts (only presence is used).

    Returns
    -------
    ndarray, shape (k,)
        Always <= 0 up to the +1 smoothing; nearer 0 is more coherent.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> X = sp.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1]]))
    >>> semantic_coherence(np.array([[0, 1], [0, 2]]), X).round(4).tolist()
    [0.4055, -0.6931]
    """
    words = np.unique(top)
    present = (doc_term[:, words] > 0).astype(np.float64)
    co = np.asarray((present.T @ present).todense())
    pos = {int(w): i for i, w in enumerate(words)}
    out = np.empty(top.shape[0], dtype=np.float64)
    m = top.shape[1]
    lower = np.tril_indices(m, k=-1)  # (m, l) with l < m
    for t, row in enumerate(top):
        idx = np.array([pos[int(w)] for w in row])
        c = co[np.ix_(idx, idx)]
        out[t] = float(np.sum(np.log((c[lower] + 1.0) / np.diag(c)[lower[1]])))
    return out


def exclusivity(topic_term: np.ndarray, top: np.ndarray, *, weight: float = EXCLUSIVITY_FREX_WEIGHT) -> np.ndarray:
    """Exclusivity of each topic: the FREX scores of its top terms, summed (stm ``exclusivity``).

    Parameters
    ----------
    topic_term : ndarray, shape (k, n_terms)
    top : ndarray of int, shape (k, M)
        Top term ids of each topic (:func:`top_terms`).
    weight : float, default 0.7
        Weight on exclusivity in FREX (stm's ``frexw``).

    Returns
    -------
    ndarray, shape (k,)
        In (0, M]; higher means the top terms belong to this topic rather than others.

    Examples
    --------
    >>> beta = np.array([[0.6, 0.3, 0.1, 0.0], [0.0, 0.1, 0.3, 0.6]])
    >>> exclusivity(beta, top_terms(beta, 2)).round(4).tolist()
    [1.75, 1.75]
    """
    scores = frex(topic_term, weight=weight)
    return np.take_along_axis(scores, top, axis=1).sum(axis=1)
