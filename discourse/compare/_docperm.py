"""Document permutation test of the log-odds keyness statistic, for every term at once.

The unit that is exchangeable between two groups under the null hypothesis is
the **document**, not the token: a word one article repeats forty times is one
observation, not forty.  :func:`permutation_log_odds` permutes whole documents
between the two compared sets and recomputes Monroe et al.'s z for every term
from the permuted token totals.  :func:`scipy.stats.permutation_test` does the
resampling (exact enumeration of every split when there are no more of them
than ``n_permutations``); the data handed to it are document indices and the
vectorised statistic turns a batch of splits into term totals with one sparse
product.
"""

from __future__ import annotations

import inspect
from math import comb

import numpy as np
from scipy import sparse, stats

__all__ = ["log_odds_z", "permutation_log_odds", "n_splits", "smallest_p"]

# elements of the (splits x terms) matrices built per batch
_BATCH_ELEMENTS = 1 << 22


def log_odds_z(y_i, y_j, n_i, n_j, alpha, a0):
    """Monroe et al.'s log-odds ``delta`` and ``z``, broadcasting over leading axes.

    ``delta = log((y_i + a) / (n_i + a0 - y_i - a)) - log((y_j + a) / (n_j + a0 - y_j - a))``,
    ``z = delta / sqrt(1 / (y_i + a) + 1 / (y_j + a))``.  ``n_i``/``n_j`` are
    the groups' token totals over *all* terms, so the terms given may be a subset.
    """
    ya, yb = y_i + alpha, y_j + alpha
    delta = np.log(ya / (n_i + a0 - ya)) - np.log(yb / (n_j + a0 - yb))
    return delta, delta / np.sqrt(1.0 / ya + 1.0 / yb)


def n_splits(n_a: int, n_b: int) -> int:
    """Distinct ways of splitting ``n_a + n_b`` documents into sets of ``n_a`` and ``n_b``."""
    return comb(n_a + n_b, n_a)


def smallest_p(n_a: int, n_b: int, n_permutations: int) -> float:
    """Smallest two-sided p-value the test can return (``2 / splits`` exact, ``2 / (B + 1)`` Monte Carlo)."""
    if n_a < 2 or n_b < 2:
        return float("nan")
    total = n_splits(n_a, n_b)
    return float(min(1.0, 2.0 / total if n_permutations >= total else 2.0 / (n_permutations + 1)))


def _rng_kw() -> str:
    return "rng" if "rng" in inspect.signature(stats.permutation_test).parameters else "random_state"


def permutation_log_odds(
    docs_a: sparse.spmatrix,
    docs_b: sparse.spmatrix,
    sizes_a: np.ndarray,
    sizes_b: np.ndarray,
    alpha: np.ndarray,
    a0: float,
    *,
    n_permutations: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, bool]:
    """Two-sided document-permutation p-value of the log-odds z of every term.

    Parameters
    ----------
    docs_a, docs_b : sparse matrix, shape (n_a, n_terms) and (n_b, n_terms)
        Term counts per document of the group and of its reference.
    sizes_a, sizes_b : ndarray, shape (n_a,) and (n_b,)
        Tokens per document over the whole vocabulary (the terms may be a subset).
    alpha : ndarray, shape (n_terms,)
        Prior pseudo-counts of the terms; ``a0`` their total over the whole vocabulary.
    n_permutations : int
        Random splits when there are more distinct splits than this; otherwise
        every split is enumerated (exact test).
    rng : numpy.random.Generator

    Returns
    -------
    p_value : ndarray, shape (n_terms,)
        NaN when either set has fewer than two documents.
    exact : bool
        Whether every split was enumerated.

    References
    ----------
    Monroe, B. L., Colaresi, M. P., & Quinn, K. M. (2008). Fightin' words.
    *Political Analysis*, 16(4), 372-403 (the statistic).

    Good, P. I. (2005). *Permutation, Parametric, and Bootstrap Tests of
    Hypotheses* (3rd ed.). Springer (two-sample permutation tests).
    """
    n_a, n_b, n_terms = docs_a.shape[0], docs_b.shape[0], docs_a.shape[1]
    if n_a < 2 or n_b < 2:
        return np.full(n_terms, np.nan), False
    pooled_t = sparse.csr_matrix(sparse.vstack([docs_a, docs_b]).T, dtype=float)  # terms x docs
    sizes = np.concatenate([np.asarray(sizes_a, float), np.asarray(sizes_b, float)])
    total_terms = np.asarray(pooled_t.sum(axis=1)).ravel()
    total_tokens = float(sizes.sum())
    n = n_a + n_b
    alpha = np.asarray(alpha, dtype=float)

    def statistic(x, y, axis=-1):
        x = np.moveaxis(np.asarray(x), axis, -1)
        lead, m = x.shape[:-1], x.shape[-1]
        flat = x.reshape(-1, m).astype(np.intp, copy=False)
        member = np.zeros((flat.shape[0], n))
        np.put_along_axis(member, flat, 1.0, axis=1)
        y_i = np.asarray((pooled_t @ member.T).T)  # splits x terms
        n_i = (member @ sizes)[:, None]
        _, z = log_odds_z(y_i, total_terms - y_i, n_i, total_tokens - n_i, alpha, a0)
        return z.reshape(lead + (n_terms,))  # splits first, terms last

    batch = int(max(1, min(n_permutations, _BATCH_ELEMENTS // max(1, n_terms, n))))
    with np.errstate(invalid="ignore", divide="ignore"):
        res = stats.permutation_test(
            (np.arange(n_a), np.arange(n_a, n)), statistic, permutation_type="independent", vectorized=True,
            n_resamples=int(n_permutations), batch=batch, alternative="two-sided", **{_rng_kw(): rng},
        )
    return np.asarray(res.pvalue, dtype=float).reshape(n_terms), bool(n_permutations >= n_splits(n_a, n_b))
