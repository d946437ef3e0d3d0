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
import math
from math import comb

import numpy as np
from scipy import sparse, stats

__all__ = ["log_odds_z", "permutation_log_odds", "permutation_normal", "n_splits", "smallest_p", "uses_normal", "NORMAL_MIN_DOCS"]

# elements of the (splits x terms) matrices built per batch
_BATCH_ELEMENTS = 1 << 22

#: With at least this many documents on *each* side, ``test="auto"`` takes the normal approximation
#: (:func:`permutation_normal`); its size and power were checked by simulation at and above it
#: (``benchmarks/keyness_scale_simulation.py``, README "Keyness at scale").
NORMAL_MIN_DOCS = 1000


def uses_normal(test: str, n_a: int, n_b: int) -> bool:
    """Whether ``test`` (``"auto"``, ``"permutation"``, ``"normal"``) takes the normal approximation for these sides."""
    return test == "normal" or (test == "auto" and min(n_a, n_b) >= NORMAL_MIN_DOCS)


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
    """Smallest two-sided p-value ``n_permutations`` permutations can give (``2 / splits`` when exact, ``2 / (B + 1)`` else)."""
    if n_a < 2 or n_b < 2:
        return float("nan")
    total = n_splits(n_a, n_b)
    return float(min(1.0, 2.0 / total if n_permutations >= total else 2.0 / (n_permutations + 1)))


def _rng_kw() -> str:
    return "rng" if "rng" in inspect.signature(stats.permutation_test).parameters else "random_state"


def _z_statistic(pooled_t: sparse.csr_matrix, sizes: np.ndarray, alpha: np.ndarray, a0: float):
    """Vectorised statistic for :func:`scipy.stats.permutation_test`: z of every term (rows of ``pooled_t``)."""
    n = pooled_t.shape[1]
    total_terms = np.asarray(pooled_t.sum(axis=1)).ravel()
    total_tokens = float(sizes.sum())

    def statistic(x, y, axis=-1):
        x = np.moveaxis(np.asarray(x), axis, -1)
        lead, m = x.shape[:-1], x.shape[-1]
        flat = x.reshape(-1, m).astype(np.intp, copy=False)
        member = np.zeros((flat.shape[0], n))
        np.put_along_axis(member, flat, 1.0, axis=1)
        y_i = np.asarray((pooled_t @ member.T).T)  # splits x terms
        n_i = (member @ sizes)[:, None]
        _, z = log_odds_z(y_i, total_terms - y_i, n_i, total_tokens - n_i, alpha, a0)
        return z.reshape(lead + (pooled_t.shape[0],))  # splits first, terms last

    return statistic


def _run(pooled_t, sizes, alpha, a0, n_a: int, n_resamples: int, rng):
    n = pooled_t.shape[1]
    batch = int(max(1, min(n_resamples, _BATCH_ELEMENTS // max(1, pooled_t.shape[0], n))))
    with np.errstate(invalid="ignore", divide="ignore"):
        return stats.permutation_test(
            (np.arange(n_a), np.arange(n_a, n)), _z_statistic(pooled_t, sizes, alpha, a0), permutation_type="independent",
            vectorized=True, n_resamples=int(n_resamples), batch=batch, alternative="two-sided", **{_rng_kw(): rng},
        )


def _tail_counts(res) -> tuple[np.ndarray, np.ndarray]:
    """Random splits at or below / at or above the observed z (scipy's relative tolerance for ties)."""
    observed = np.asarray(res.statistic, dtype=float)
    null = np.asarray(res.null_distribution, dtype=float).reshape(-1, observed.size)
    return _count_tails(null, observed)


def _count_tails(null: np.ndarray, observed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    gamma = np.abs(np.finfo(float).eps * 100 * observed)
    return (null <= observed + gamma).sum(axis=0), (null >= observed - gamma).sum(axis=0)


def _split_z(pooled_t: sparse.csr_matrix, sizes, alpha, a0, total_terms, total_tokens, group_idx: np.ndarray):
    """z of every term (columns) for each split (rows) whose group holds the documents ``group_idx[b]``.

    The membership matrix is built documents x splits, the layout the sparse
    product reads without a copy; the token totals it gives are the same sums
    as :func:`_z_statistic`'s (``pooled_t``'s non-zeros in the same order).
    """
    n, n_split = pooled_t.shape[1], group_idx.shape[0]
    member_t = np.zeros((n, n_split))
    member_t[group_idx, np.arange(n_split)[:, None]] = 1.0
    y_i = np.asarray(pooled_t @ member_t).T  # splits x terms
    n_i = (sizes @ member_t)[:, None]
    _, z = log_odds_z(y_i, total_terms - y_i, n_i, total_tokens - n_i, alpha, a0)
    return z


def _random_tails(pooled_t, sizes, alpha, a0, n_a: int, n_resamples: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Tail counts of ``n_resamples`` random splits, drawn as :func:`scipy.stats.permutation_test` draws them.

    Each split is ``rng.permutation(n)`` of the pooled documents, its first
    ``n_a`` the group (scipy's ``permutation_type="independent"``); a batch of
    them comes from one :meth:`numpy.random.Generator.permuted` call over rows
    of ``arange(n)``, which shuffles row after row with the same draws, so the
    splits and the generator's state afterwards are those of the
    one-permutation-at-a-time loop, without its per-split Python work and
    without gathering the data of every split.
    """
    n, n_terms = pooled_t.shape[1], pooled_t.shape[0]
    total_terms = np.asarray(pooled_t.sum(axis=1)).ravel()
    total_tokens = float(sizes.sum())
    batch = int(max(1, min(n_resamples, _BATCH_ELEMENTS // max(1, n_terms, n))))
    dtype = np.int32 if n < np.iinfo(np.int32).max else np.int64
    less = np.zeros(n_terms, dtype=np.int64)
    greater = np.zeros(n_terms, dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = _split_z(pooled_t, sizes, alpha, a0, total_terms, total_tokens, np.arange(n_a)[None, :])[0]
        done = 0
        while done < n_resamples:
            size = min(batch, n_resamples - done)
            perms = np.tile(np.arange(n, dtype=dtype), (size, 1))
            rng.permuted(perms, axis=1, out=perms)
            z = _split_z(pooled_t, sizes, alpha, a0, total_terms, total_tokens, perms[:, :n_a])
            lo, hi = _count_tails(z, observed)
            less += lo
            greater += hi
            done += size
    return less, greater


def _tails(pooled_t, sizes, alpha, a0, n_a: int, n_resamples: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Tail counts of ``n_resamples`` splits; all splits, enumerated by scipy, when there are no more than that."""
    if n_resamples >= n_splits(n_a, pooled_t.shape[1] - n_a):
        return _tail_counts(_run(pooled_t, sizes, alpha, a0, n_a, n_resamples, rng))
    return _random_tails(pooled_t, sizes, alpha, a0, n_a, n_resamples, rng)


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
    max_permutations: int | None = None,
    min_exceedances: int = 10,
) -> tuple[np.ndarray, bool, np.ndarray]:
    """Two-sided document-permutation p-value of the log-odds z of every term.

    When every split can be enumerated within ``n_permutations`` the test is
    exact (:func:`scipy.stats.permutation_test` enumerates them).  Otherwise
    the p-value is a sequential Monte Carlo one (Besag & Clifford 1991):
    ``n_permutations`` random splits for every term, then, for the terms with
    fewer than ``min_exceedances`` random splits as extreme as the observed
    one in the rarer tail, blocks of further random splits (doubling the
    total) until they have that many or ``max_permutations`` splits.  A term's
    p-value is ``2 * (c + 1) / (B + 1)`` over its own ``B`` splits (``c``
    exceedances in the rarer tail), capped at 1, so strongly key terms reach
    p-values small enough to survive a multiple-testing adjustment over many
    terms while the rest stop early.

    Parameters
    ----------
    docs_a, docs_b : sparse matrix, shape (n_a, n_terms) and (n_b, n_terms)
        Term counts per document of the group and of its reference.
    sizes_a, sizes_b : ndarray, shape (n_a,) and (n_b,)
        Tokens per document over the whole vocabulary (the terms may be a subset).
    alpha : ndarray, shape (n_terms,)
        Prior pseudo-counts of the terms; ``a0`` their total over the whole vocabulary.
    n_permutations : int
        Splits for every term (all of them, exactly, when there are no more).
    rng : numpy.random.Generator
    max_permutations : int, optional
        Most splits for one term; default ``max(n_permutations, 40 * n_terms)``,
        which lets ``2 / (B + 1)`` fall below ``0.05 / n_terms``.
    min_exceedances : int, default 10

    Returns
    -------
    p_value : ndarray, shape (n_terms,)
        NaN when either set has fewer than two documents.
    exact : bool
        Whether every split was enumerated.
    n_used : ndarray of int, shape (n_terms,)
        Splits behind each term's p-value.

    References
    ----------
    Monroe, B. L., Colaresi, M. P., & Quinn, K. M. (2008). Fightin' words.
    *Political Analysis*, 16(4), 372-403 (the statistic).

    Besag, J., & Clifford, P. (1991). Sequential Monte Carlo p-values.
    *Biometrika*, 78(2), 301-304.

    Good, P. I. (2005). *Permutation, Parametric, and Bootstrap Tests of
    Hypotheses* (3rd ed.). Springer (two-sample permutation tests).
    """
    n_a, n_b, n_terms = docs_a.shape[0], docs_b.shape[0], docs_a.shape[1]
    if n_a < 2 or n_b < 2:
        return np.full(n_terms, np.nan), False, np.zeros(n_terms, dtype=np.int64)
    pooled_t = sparse.csr_matrix(sparse.vstack([docs_a, docs_b]).T, dtype=float)  # terms x docs
    sizes = np.concatenate([np.asarray(sizes_a, float), np.asarray(sizes_b, float)])
    alpha = np.asarray(alpha, dtype=float)
    total = n_splits(n_a, n_b)
    if n_terms == 0 or n_permutations >= total:
        if n_terms == 0:
            return np.zeros(0), n_permutations >= total, np.zeros(0, dtype=np.int64)
        res = _run(pooled_t, sizes, alpha, a0, n_a, n_permutations, rng)
        return np.asarray(res.pvalue, dtype=float).reshape(n_terms), True, np.full(n_terms, total, dtype=np.int64)
    cap = int(max(n_permutations, max_permutations if max_permutations is not None else 40 * n_terms))
    less, greater = _tails(pooled_t, sizes, alpha, a0, n_a, n_permutations, rng)
    used = np.full(n_terms, int(n_permutations), dtype=np.int64)
    while True:
        todo = np.flatnonzero((np.minimum(less, greater) < min_exceedances) & (used < cap))
        if todo.size == 0:
            break
        block = int(min(used[todo].max(), cap - used[todo].min()))
        more_less, more_greater = _tails(pooled_t[todo], sizes, alpha[todo], a0, n_a, block, rng)
        less[todo] += more_less
        greater[todo] += more_greater
        used[todo] += block
    p = np.minimum(1.0, 2.0 * (np.minimum(less, greater) + 1.0) / (used + 1.0))
    return p, False, used


def permutation_normal(docs_a: sparse.spmatrix, docs_b: sparse.spmatrix, sizes_a: np.ndarray,
                       sizes_b: np.ndarray) -> np.ndarray:
    """Two-sided p-value of every term from the normal approximation to its document-permutation distribution.

    For a large corpus, where drawing enough random splits of the documents
    costs minutes per comparison, the permutation distribution is replaced by
    its normal limit.  The statistic of term ``t`` is the group's count minus
    what the pooled proportion ``p_t = Y_t / S`` (its count over all tokens of
    both sides) predicts for the group's tokens,
    ``L_t = y_t - p_t n = sum_{d in group} e_td`` with ``e_td = x_td - p_t s_d``
    (``x_td`` the term's count in document ``d``, ``s_d`` its tokens).  Over
    random splits of the ``N`` pooled documents into ``n_a`` and ``n_b``
    (sampling without replacement, with the ``e_td`` summing to zero) its
    mean is 0 and its variance exactly
    ``n_a n_b / (N (N - 1)) * sum_d e_td^2``: the document, not the token, is
    the unit, so a term one document repeats has a large variance.  ``L_t``
    divided by its standard deviation is referred to the standard normal
    (the combinatorial central limit theorem), ``p = 2 * Phi(-|L_t| / sd)``.
    ``L_t > 0`` exactly when the group uses the term at a higher rate than the
    reference, the direction of the log-odds ``z``, and to first order ``z``
    is a monotone function of ``L_t`` over splits, so this approximates the
    permutation test of ``z`` itself.

    Costs one pass over the non-zero counts.  Its size at
    :data:`NORMAL_MIN_DOCS` documents a side and above was checked by
    simulation on bursty simulated corpora where most terms are rare
    (``benchmarks/keyness_scale_simulation.py``).

    Parameters
    ----------
    docs_a, docs_b : sparse matrix, shape (n_a, n_terms) and (n_b, n_terms)
    sizes_a, sizes_b : ndarray, shape (n_a,) and (n_b,)
        Tokens per document over the whole vocabulary.

    Returns
    -------
    p_value : ndarray, shape (n_terms,)
        NaN when either side has fewer than two documents; 1 for a term
        whose ``e_td`` are all zero.

    References
    ----------
    Wald, A., & Wolfowitz, J. (1944). Statistical tests based on permutations
    of the observations. *Annals of Mathematical Statistics*, 15(4), 358-372.

    Hajek, J. (1961). Some extensions of the Wald-Wolfowitz-Noether theorem.
    *Annals of Mathematical Statistics*, 32(2), 506-523.

    Cochran, W. G. (1977). *Sampling Techniques* (3rd ed.). Wiley, theorem 2.2
    (the variance of a sample total without replacement).
    """
    from scipy.special import ndtr

    n_a, n_b, n_terms = docs_a.shape[0], docs_b.shape[0], docs_a.shape[1]
    if n_a < 2 or n_b < 2:
        return np.full(n_terms, np.nan)
    pooled = sparse.csr_matrix(sparse.vstack([docs_a, docs_b]), dtype=float)
    sizes = np.concatenate([np.asarray(sizes_a, float), np.asarray(sizes_b, float)])
    n = n_a + n_b
    coo = pooled.tocoo()
    rows, cols, x = coo.row, coo.col, coo.data
    total = np.bincount(cols, weights=x, minlength=n_terms)
    group = np.bincount(cols[rows < n_a], weights=x[rows < n_a], minlength=n_terms)
    rate = total / math.fsum(sizes)
    # sum_d e_td^2: the documents using the term, then every other document's (p_t s_d)^2
    s_used = sizes[rows]
    e_sq_used = np.bincount(cols, weights=(x - rate[cols] * s_used) ** 2 - (rate[cols] * s_used) ** 2,
                            minlength=n_terms)
    e_sq = e_sq_used + rate ** 2 * math.fsum(sizes * sizes)  # fsum: the same sum on every CPU
    stat = group - rate * math.fsum(sizes[:n_a])
    var = n_a * n_b / (n * (n - 1.0)) * np.maximum(e_sq, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.abs(stat) / np.sqrt(var)
    p = np.where(var > 0, 2.0 * ndtr(-z), 1.0)
    return np.minimum(p, 1.0)
