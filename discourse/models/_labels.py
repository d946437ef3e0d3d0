"""Ranking a topic's terms so that its label says what sets it apart.

The most probable words of a topic are often words every topic shares
("country", "security").  Two rankings weigh a term's probability in the
topic against how exclusive it is to the topic:

* **FREX** (Bischof & Airoldi 2012; Roberts, Stewart & Tingley's stm
  ``labelTopics``): the weighted harmonic mean of the term's rank in the
  topic by probability and by exclusivity, both as empirical CDFs;
* **relevance** (Sievert & Shirley 2014, LDAvis): ``lambda * log(phi_kw) +
  (1 - lambda) * log(phi_kw / p_w)`` with ``p_w`` the term's marginal
  probability.

Both take a topics x terms matrix of non-negative weights; rows are
normalised to distributions first.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["frex", "relevance", "RANKINGS", "DEFAULT_FREX_WEIGHT", "DEFAULT_LAMBDA"]

#: Term rankings of :meth:`TopicModel.topic_terms`, the default label's first.
RANKINGS = ("frex", "probability", "relevance")
#: stm's default weight on exclusivity in FREX.
DEFAULT_FREX_WEIGHT = 0.5
#: The lambda Sievert & Shirley's user study found best for interpreting topics.
DEFAULT_LAMBDA = 0.6


def _rows(weights: np.ndarray) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    sums = w.sum(axis=1, keepdims=True)
    return np.divide(w, sums, out=np.zeros_like(w), where=sums > 0)


def frex(weights: np.ndarray, *, weight: float = DEFAULT_FREX_WEIGHT) -> np.ndarray:
    """FREX score of every term in every topic.

    ``exclusivity_kw = phi_kw / sum_k phi_kw``; within each topic, terms are
    ranked by ``phi_kw`` and by exclusivity (average ranks divided by the
    number of terms, i.e. empirical CDFs); ``FREX = 1 / (w / ECDF_excl +
    (1 - w) / ECDF_freq)``.

    Parameters
    ----------
    weights : ndarray, shape (n_topics, n_terms)
        Topic-term weights (probabilities, or c-TF-IDF scores), non-negative.
    weight : float, default 0.5
        Weight on exclusivity, in [0, 1].

    Returns
    -------
    ndarray, shape (n_topics, n_terms)
        In (0, 1]; higher is more frequent *and* exclusive.

    References
    ----------
    Bischof, J. M., & Airoldi, E. M. (2012). Summarizing topical content with
    word frequency and exclusivity. *Proceedings of the 29th International
    Conference on Machine Learning (ICML)*, 201-208.

    Roberts, M. E., Stewart, B. M., & Tingley, D. (2019). stm: An R package
    for structural topic models. *Journal of Statistical Software*, 91(2)
    (``labelTopics``, ``calcfrex``).

    Examples
    --------
    >>> import numpy as np
    >>> phi = np.full((3, 8), 0.05)
    >>> phi[:, 0] = 0.35                    # a word every topic uses most
    >>> phi[[0, 1, 2], [1, 3, 5]] = 0.25    # a word of each topic's own
    >>> phi.argmax(axis=1).tolist(), frex(phi).argmax(axis=1).tolist()
    ([0, 0, 0], [1, 3, 5])
    """
    phi = _rows(weights)
    n_terms = phi.shape[1]
    col = phi.sum(axis=0, keepdims=True)
    excl = np.divide(phi, col, out=np.zeros_like(phi), where=col > 0)
    freq_cdf = stats.rankdata(phi, axis=1) / n_terms
    excl_cdf = stats.rankdata(excl, axis=1) / n_terms
    return 1.0 / (weight / excl_cdf + (1.0 - weight) / freq_cdf)


def relevance(weights: np.ndarray, marginal: np.ndarray, *, lam: float = DEFAULT_LAMBDA) -> np.ndarray:
    """Relevance of every term to every topic (Sievert & Shirley 2014).

    ``r_kw = lam * log(phi_kw) + (1 - lam) * log(phi_kw / p_w)``; ``lam = 1``
    ranks by probability, ``lam = 0`` by lift.

    Parameters
    ----------
    weights : ndarray, shape (n_topics, n_terms)
    marginal : ndarray, shape (n_terms,)
        The terms' marginal probability ``p_w`` in the corpus.
    lam : float, default 0.6

    Returns
    -------
    ndarray, shape (n_topics, n_terms)
        ``-inf`` where ``phi_kw = 0``.

    References
    ----------
    Sievert, C., & Shirley, K. (2014). LDAvis: A method for visualizing and
    interpreting topics. *Proceedings of the Workshop on Interactive Language
    Learning, Visualization, and Interfaces*, 63-70.

    Examples
    --------
    >>> import numpy as np
    >>> phi = np.array([[0.5, 0.3, 0.2], [0.5, 0.1, 0.4]])
    >>> relevance(phi, phi.mean(axis=0), lam=0.0).argmax(axis=1).tolist()
    [1, 2]
    """
    phi = _rows(weights)
    p = np.asarray(marginal, dtype=np.float64)
    p = p / p.sum() if p.sum() > 0 else p
    with np.errstate(divide="ignore", invalid="ignore"):
        log_phi = np.log(phi)
        lift = log_phi - np.log(np.where(p > 0, p, np.nan))
    return np.where(phi > 0, lam * log_phi + (1.0 - lam) * np.nan_to_num(lift, nan=0.0), -np.inf)
