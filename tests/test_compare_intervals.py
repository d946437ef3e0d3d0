"""Intervals that agree with their tests: permutation inversion, Welch t, Rubin's rules over runs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from discourse.compare._calibration import MIN_DOCS
from discourse.compare._combine import mean_parts, rubin_combine
from discourse.compare._intervals import permutation_interval, welch_interval


def _diff(x, y, axis):
    return x.mean(axis=axis) - y.mean(axis=axis)


@pytest.mark.parametrize("n_a,n_b", [(2, 3), (3, 3), (4, 5), (6, 4)])
def test_permutation_p_is_scipys_and_the_interval_excludes_zero_exactly_when_p_is_small(n_a, n_b):
    rng = np.random.default_rng(n_a * 10 + n_b)
    for trial in range(15):
        a = rng.dirichlet([1, 2, 3], size=n_a)
        b = rng.dirichlet([3, 2, 1], size=n_b)
        res = permutation_interval(a, b, n_permutations=10_000, confidence_level=0.95, rng=np.random.default_rng(trial))
        assert res.exact
        ref = stats.permutation_test((a, b), _diff, permutation_type="independent", vectorized=True, axis=0,
                                     n_resamples=np.inf)
        np.testing.assert_allclose(res.p_value, ref.pvalue)
        bounded = np.isfinite(res.low)
        assert bounded.all() == (res.p_min < 0.05)
        excludes = bounded & ~((res.low <= 0) & (0 <= res.high))
        np.testing.assert_array_equal(excludes, bounded & (res.p_value < 0.05))


def test_interval_bounds_are_where_the_shifted_test_starts_rejecting():
    rng = np.random.default_rng(1)
    a, b = rng.dirichlet([1, 1, 4], size=6), rng.dirichlet([3, 1, 1], size=5)
    kw = dict(n_permutations=300, confidence_level=0.9)
    res = permutation_interval(a, b, rng=np.random.default_rng(2), **kw)
    assert not res.exact  # 462 splits > 300: random permutations plus the observed one
    for t in range(3):
        for bound, inside in ((res.low[t], +1), (res.high[t], -1)):
            for step, accepted in ((inside * 1e-7, True), (-inside * 1e-7, False)):
                shifted = a.copy()
                shifted[:, t] -= bound + step
                p = permutation_interval(shifted, b, rng=np.random.default_rng(2), **kw).p_value[t]
                assert (p >= 0.1) == accepted, (t, bound, step, p)


def test_two_against_two_documents_can_never_reach_p_below_one_third():
    a, b = np.array([[0.9, 0.1], [0.8, 0.2]]), np.array([[0.1, 0.9], [0.2, 0.8]])
    res = permutation_interval(a, b, n_permutations=2000, confidence_level=0.95, rng=np.random.default_rng(0))
    assert res.p_min == pytest.approx(1 / 3) and res.exact
    np.testing.assert_allclose(res.p_value, 1 / 3)  # the most extreme split there is
    assert np.isnan(res.low).all() and np.isnan(res.high).all()


def test_welch_interval_is_scipys_and_matches_its_own_p():
    rng = np.random.default_rng(5)
    a, b = rng.dirichlet([2, 2, 2], size=7), rng.dirichlet([4, 1, 1], size=9)
    est, low, high, p, df = welch_interval([a, b], [1.0, -1.0], 0.95)
    ref = stats.ttest_ind(a, b, equal_var=False)
    ci = ref.confidence_interval(0.95)
    np.testing.assert_allclose(p, ref.pvalue)
    np.testing.assert_allclose(low, ci.low)
    np.testing.assert_allclose(high, ci.high)


def test_rubin_with_identical_runs_is_the_t_interval_and_runs_widen_it():
    rng = np.random.default_rng(3)
    X = rng.dirichlet([1, 2, 3], size=12)
    q, u, df = mean_parts(X)
    ci = stats.ttest_1samp(X, 0.0).confidence_interval(0.95)
    one = rubin_combine(q[None], u[None], df, 0.95)
    np.testing.assert_allclose(one.low, ci.low)
    np.testing.assert_allclose(one.high, ci.high)
    # identical runs add no variance; Barnard-Rubin's degrees of freedom stay a little below n - 1
    same = rubin_combine(np.stack([q] * 5), np.stack([u] * 5), df, 0.95)
    np.testing.assert_allclose(same.model_share, 0.0)
    assert (same.low <= ci.low).all() and (same.high >= ci.high).all()
    np.testing.assert_allclose(same.high - same.low, ci.high - ci.low, rtol=0.05)
    jitter = np.stack([q + rng.normal(0, 0.03, size=3) for _ in range(5)])
    varied = rubin_combine(jitter, np.stack([u] * 5), df, 0.95)
    assert ((varied.high - varied.low) > (same.high - same.low)).all()
    assert ((varied.model_share > 0) & (varied.model_share < 1)).all()
    # interval and p-value from one t statistic
    excludes = ~((varied.low <= 0) & (0 <= varied.high))
    np.testing.assert_array_equal(excludes, varied.p_value < 0.05)


def test_calibrated_sizes_are_the_ones_the_committed_simulation_measured():
    results = Path(__file__).resolve().parents[1] / "benchmarks" / "results"
    measured = {}
    for name in ("coverage.json", "coverage_bertopic.json"):  # LDA; BERTopic
        measured |= json.loads((results / name).read_text(encoding="utf-8"))["min_docs"]
    assert MIN_DOCS == measured


@pytest.mark.parametrize("n_a,n_b,seed", [(3, 40, 0), (25, 25, 1), (400, 900, 2), (2, 60, 3)])
def test_random_splits_are_the_sorted_draws_sets(n_a, n_b, seed):
    # the splits are the n_a smallest of n uniform draws: the same sets as sorting the draws
    from discourse.compare._intervals import _splits

    rows, exact = _splits(n_a, n_b, 300, np.random.default_rng(seed))
    assert not exact and rows.shape == (301, n_a)
    ref = np.argsort(np.random.default_rng(seed).random((300, n_a + n_b)), axis=1)[:, :n_a]
    assert all(set(r) == set(q) for r, q in zip(rows[1:].tolist(), ref.tolist()))
    assert rows[0].tolist() == list(range(n_a))
