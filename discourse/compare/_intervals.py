"""Intervals and tests over documents that agree by construction.

* :func:`permutation_interval` — the two-sample permutation test of a
  difference in mean document shares and the interval obtained by inverting
  it: the set of shifts ``delta`` that the same test, on the same
  permutations, does not reject at ``1 - confidence_level``.  The interval
  therefore excludes 0 exactly when ``p_value < 1 - confidence_level``;
* :func:`welch_interval` — a linear combination of group means (e.g. a
  difference in differences) with the Welch–Satterthwaite t interval and the
  p-value of the same t statistic.

Why the permutation inversion is computed here rather than with
:func:`scipy.stats.permutation_test`: inverting the test needs, for every
permutation, how many of group a's documents it moved, which scipy does not
return.  The p-value at ``delta = 0`` equals scipy's (tested).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

__all__ = ["PermutationInterval", "n_splits", "permutation_interval", "welch_interval"]

# elements of the (permutations x documents) membership matrix built per batch
_BATCH_ELEMENTS = 1 << 22
# relative tolerance for ties between a permuted statistic and the observed one
_TIE = 1e-12


def welch_interval(samples: Sequence[np.ndarray], coefs: Sequence[float], confidence_level: float):
    """``sum_k coefs[k] * mean(samples[k])`` per column, its t interval and p-value.

    The standard error is ``sqrt(sum c_k^2 s_k^2 / n_k)`` and the degrees of
    freedom are Welch–Satterthwaite's; the interval and the two-sided p-value
    of ``estimate = 0`` come from the same t distribution, so the interval
    excludes 0 exactly when ``p < 1 - confidence_level``.

    Returns
    -------
    estimate, low, high, p_value, df : ndarray, shape (n_topics,)
        NaN (except ``estimate``) when a sample has fewer than 2 documents.

    References
    ----------
    Welch, B. L. (1947). The generalization of "Student's" problem when several
    different population variances are involved. *Biometrika*, 34(1-2), 28-35.
    Satterthwaite, F. E. (1946). An approximate distribution of estimates of
    variance components. *Biometrics Bulletin*, 2(6), 110-114.
    """
    from ._combine import linear_parts, rubin_combine

    samples = [np.asarray(s, dtype=float) for s in samples]
    k = samples[0].shape[1]
    if any(len(s) < 2 for s in samples):
        est = sum(c * (s.mean(axis=0) if len(s) else np.full(k, np.nan)) for c, s in zip(coefs, samples))
        nan = np.full(k, np.nan)
        return est, nan, nan.copy(), nan.copy(), nan.copy()
    est, var, df = linear_parts(samples, coefs)
    res = rubin_combine(est[None, :], var[None, :], df, confidence_level)
    return res.estimate, res.low, res.high, res.p_value, res.df


def n_splits(n_a: int, n_b: int) -> int:
    """Number of distinct ways to split ``n_a + n_b`` documents into groups of ``n_a`` and ``n_b``."""
    return math.comb(n_a + n_b, n_a)


@dataclass(frozen=True)
class PermutationInterval:
    """Result of :func:`permutation_interval` (arrays of shape ``(n_topics,)``)."""

    difference: np.ndarray
    p_value: np.ndarray
    low: np.ndarray
    high: np.ndarray
    p_min: float
    exact: bool
    n_permutations: int


def _splits(n_a: int, n_b: int, n_permutations: int, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """Index sets of group a under each permutation, shape (m, n_a); the observed split is row 0."""
    n = n_a + n_b
    if n_splits(n_a, n_b) <= n_permutations:
        rows = np.array(list(itertools.combinations(range(n), n_a)), dtype=np.intp).reshape(-1, n_a)
        return rows, True
    rows = np.empty((n_permutations + 1, n_a), dtype=np.intp)
    rows[0] = np.arange(n_a)
    step = max(1, _BATCH_ELEMENTS // n)
    for s in range(0, n_permutations, step):
        size = min(step, n_permutations - s)
        # the documents holding the n_a smallest of n uniform draws: a uniformly random n_a-subset.
        # Only the set matters (the rows become membership vectors); argpartition finds it in O(n)
        # and gives the set sorting would give, unless two draws tie exactly at the cut.
        rows[1 + s:1 + s + size] = np.argpartition(rng.random((size, n)), n_a - 1, axis=1)[:, :n_a]
    return rows, False


def permutation_interval(
    a: np.ndarray,
    b: np.ndarray,
    *,
    n_permutations: int,
    confidence_level: float,
    rng: np.random.Generator,
) -> PermutationInterval:
    """Permutation test of ``mean(a) - mean(b)`` per column and the interval that inverts it.

    Documents are permuted between the groups: all distinct splits when there
    are at most ``n_permutations`` of them (exact; ``p = count / n_splits``),
    otherwise ``n_permutations`` random splits plus the observed one
    (``p = (1 + count) / (1 + n_permutations)``, Phipson & Smyth 2010).  The
    two-sided p-value is twice the smaller tail, as
    :func:`scipy.stats.permutation_test` computes it.

    The interval is ``{delta : p(delta) >= alpha}`` with ``alpha = 1 -
    confidence_level``, where ``p(delta)`` is the same test applied to
    ``a - delta`` and ``b`` on the same permutations (a shift model,
    Lehmann 1975).  For a permutation that keeps ``k`` of a's documents in
    a', the permuted difference is linear in delta, ``D' - c delta`` with
    ``c = k/n_a - (n_a - k)/n_b``; it lies on the upper side of the shifted
    observed difference for ``delta >= (d0 - D') / (1 - c)`` and on the lower
    side below it, so the bounds are order statistics of these values, found
    exactly.  The interval is unbounded (NaN here) when even the most extreme
    data could not reach ``p < alpha``: that is when ``p_min >= alpha``.

    Returns
    -------
    PermutationInterval
        ``p_min`` is the smallest p-value any data could give with these group
        sizes and permutations (``2 / n_splits`` when exact).

    References
    ----------
    Lehmann, E. L. (1975). *Nonparametrics: Statistical Methods Based on
    Ranks*. Holden-Day (confidence sets by inverting permutation tests).
    Phipson, B., & Smyth, G. K. (2010). Permutation p-values should never be
    zero. *Statistical Applications in Genetics and Molecular Biology*, 9(1).
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    n_a, n_b, k = a.shape[0], b.shape[0], a.shape[1]
    alpha = 1.0 - confidence_level
    nan = np.full(k, np.nan)
    if n_a < 1 or n_b < 1 or n_a + n_b < 3:
        diff = a.mean(axis=0) - b.mean(axis=0) if n_a and n_b else nan.copy()
        return PermutationInterval(diff, nan.copy(), nan.copy(), nan.copy(), float("nan"), False, 0)
    pooled = np.vstack([a, b])
    n = n_a + n_b
    rows, exact = _splits(n_a, n_b, n_permutations, rng)
    m = rows.shape[0]
    d_perm = np.empty((m, k))
    c = np.empty(m)
    step = max(1, _BATCH_ELEMENTS // n)
    for s in range(0, m, step):
        block = rows[s:s + step]
        member = np.zeros((len(block), n))
        np.put_along_axis(member, block, 1.0, axis=1)
        weights = member * (1.0 / n_a + 1.0 / n_b) - 1.0 / n_b
        d_perm[s:s + step] = weights @ pooled
        c[s:s + step] = member[:, :n_a].sum(axis=1) / n_a - (n_a - member[:, :n_a].sum(axis=1)) / n_b
    d0 = d_perm[0]
    # two-sided p = 2 * min(P(D' >= d0), P(D' <= d0)), ties within a relative tolerance (as scipy)
    tol = _TIE * np.maximum(np.abs(d0), 1e-300)
    n_ge = (d_perm >= d0 - tol).sum(axis=0)
    n_le = (d_perm <= d0 + tol).sum(axis=0)
    p = np.minimum(1.0, 2.0 * np.minimum(n_ge, n_le) / m)
    # the observed split (and any random split equal to it) lies in both tails for every shift
    other = np.abs(c - 1.0) > 1e-12
    n_same = m - int(other.sum())
    p_min = min(1.0, 2.0 * n_same / m)
    # p(delta) >= alpha  <=>  both tail counts >= need
    need = math.ceil(alpha * m / 2 - 1e-9)
    j = need - n_same  # other permutations that must lie in each tail
    if j <= 0 or j > int(other.sum()):  # p_min >= alpha: no shift can be rejected
        return PermutationInterval(d0.copy(), p, nan.copy(), nan.copy(), p_min, exact, m)
    # a permutation is in the upper tail for delta >= t and in the lower tail for delta <= t, where
    # D' - c * delta = d0 - delta at t = (d0 - D') / (1 - c): the bounds are order statistics of t
    t = (d0[None, :] - d_perm[other]) / (1.0 - c[other])[:, None]
    low = np.clip(np.partition(t, j - 1, axis=0)[j - 1], -1.0, 1.0)
    high = np.clip(-np.partition(-t, j - 1, axis=0)[j - 1], -1.0, 1.0)
    empty = low > high
    low[empty], high[empty] = np.nan, np.nan
    return PermutationInterval(d0.copy(), p, low, high, float(p_min), exact, m)
