"""The batched document-permutation path gives what scipy.stats.permutation_test gives, split for split."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from discourse.compare import _docperm


def _docs(n_docs: int, n_terms: int, seed: int, fractional: bool):
    rng = np.random.default_rng(seed)
    counts = rng.poisson(0.6, size=(n_docs, n_terms)).astype(float)
    counts[: n_docs // 3, : n_terms // 4] += rng.poisson(2.0, size=(n_docs // 3, n_terms // 4))
    if fractional:
        counts *= rng.uniform(0.1, 1.0, size=(n_docs, 1))
    return sparse.csr_matrix(counts)


def _scipy_tails(pooled_t, sizes, alpha, a0, n_a, n_resamples, rng):
    return _docperm._tail_counts(_docperm._run(pooled_t, sizes, alpha, a0, n_a, n_resamples, rng))


@pytest.mark.parametrize("fractional", [False, True])
@pytest.mark.parametrize("n_a,n_b,n_resamples", [(7, 23, 300), (15, 15, 1000), (4, 40, 50)])
def test_random_tails_equal_scipy_and_leave_generator_in_same_state(fractional, n_a, n_b, n_resamples):
    docs = _docs(n_a + n_b, 40, seed=n_a, fractional=fractional)
    pooled_t = sparse.csr_matrix(docs.T)
    sizes = np.asarray(docs.sum(axis=1)).ravel() + 3.0
    alpha = 0.1 * np.asarray(docs.sum(axis=0)).ravel() + 0.05
    a0 = float(alpha.sum()) + 1.0
    fast_rng, ref_rng = np.random.default_rng(11), np.random.default_rng(11)
    fast = _docperm._random_tails(pooled_t, sizes, alpha, a0, n_a, n_resamples, fast_rng)
    ref = _scipy_tails(pooled_t, sizes, alpha, a0, n_a, n_resamples, ref_rng)
    np.testing.assert_array_equal(fast[0], ref[0])
    np.testing.assert_array_equal(fast[1], ref[1])
    assert fast[0].sum() > 0 and fast[1].sum() > 0
    assert fast_rng.integers(2**62) == ref_rng.integers(2**62)


def test_batches_do_not_change_the_counts(monkeypatch):
    docs = _docs(30, 25, seed=3, fractional=False)
    pooled_t = sparse.csr_matrix(docs.T)
    sizes = np.asarray(docs.sum(axis=1)).ravel()
    alpha = 0.1 * np.asarray(docs.sum(axis=0)).ravel() + 0.01
    whole = _docperm._random_tails(pooled_t, sizes, alpha, float(alpha.sum()), 12, 500, np.random.default_rng(5))
    monkeypatch.setattr(_docperm, "_BATCH_ELEMENTS", 7 * 30)  # batches of 7 splits, the last one shorter
    batched = _docperm._random_tails(pooled_t, sizes, alpha, float(alpha.sum()), 12, 500, np.random.default_rng(5))
    np.testing.assert_array_equal(whole[0], batched[0])
    np.testing.assert_array_equal(whole[1], batched[1])


@pytest.mark.parametrize("n_a,n_b,n_permutations", [(9, 31, 200), (3, 10, 100)])
def test_sequential_p_values_equal_the_scipy_path(monkeypatch, n_a, n_b, n_permutations):
    # (3, 10): 286 splits, fewer than a later block of the sequential loop asks for, so scipy enumerates them then
    docs = _docs(n_a + n_b, 30, seed=n_b, fractional=False)
    sizes = np.asarray(docs.sum(axis=1)).ravel()
    alpha = 0.1 * np.asarray(docs.sum(axis=0)).ravel()
    args = (docs[:n_a], docs[n_a:], sizes[:n_a], sizes[n_a:], alpha, float(alpha.sum()))
    fast = _docperm.permutation_log_odds(*args, n_permutations=n_permutations, rng=np.random.default_rng(2))
    monkeypatch.setattr(_docperm, "_random_tails", _scipy_tails)
    ref = _docperm.permutation_log_odds(*args, n_permutations=n_permutations, rng=np.random.default_rng(2))
    np.testing.assert_array_equal(fast[0], ref[0])
    assert fast[1] == ref[1]
    np.testing.assert_array_equal(fast[2], ref[2])
    assert (fast[2] > n_permutations).any()  # the sequential loop ran
