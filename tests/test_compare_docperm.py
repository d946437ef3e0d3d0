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


# --- the normal approximation (large corpora) ------------------------------------------
@pytest.mark.parametrize("fractional", [False, True])
def test_normal_uses_the_exact_permutation_moments(fractional):
    # every split of 5 + 4 documents: the statistic's mean is 0 and its variance the formula's, so
    # p = 2 * Phi(-|L| / sd) with sd taken over all 126 splits
    from itertools import combinations

    from scipy import stats

    docs = _docs(9, 12, seed=3, fractional=fractional)
    x = docs.toarray()
    sizes = x.sum(axis=1) + 2.0
    rate = x.sum(axis=0) / sizes.sum()
    stats_by_split = np.array([x[list(a)].sum(axis=0) - rate * sizes[list(a)].sum() for a in combinations(range(9), 5)])
    np.testing.assert_allclose(stats_by_split.mean(axis=0), 0, atol=1e-9)
    sd = stats_by_split.std(axis=0)  # the population of splits
    observed = x[:5].sum(axis=0) - rate * sizes[:5].sum()
    p = _docperm.permutation_normal(docs[:5], docs[5:], sizes[:5], sizes[5:])
    np.testing.assert_allclose(p, 2 * stats.norm.sf(np.abs(observed) / sd), rtol=1e-9)


def test_normal_agrees_with_random_splits_on_common_terms_and_not_for_one_document():
    rng = np.random.default_rng(5)
    n = 400
    lam = rng.gamma(0.5, 2.0, size=(2 * n, 1)) * rng.uniform(0.2, 2.0, size=(1, 60))  # bursty documents
    lam[:n, :6] *= 1.6  # six terms used more in A
    x = rng.poisson(lam).astype(float)
    x[0, 59] = 40.0  # one document of A repeats a term no other uses
    x[1:, 59] = 0.0
    docs = sparse.csr_matrix(x)
    sizes = x.sum(axis=1) + 50.0
    alpha = 0.1 * x.sum(axis=0)
    normal = _docperm.permutation_normal(docs[:n], docs[n:], sizes[:n], sizes[n:])
    perm, exact, _ = _docperm.permutation_log_odds(docs[:n], docs[n:], sizes[:n], sizes[n:], alpha, float(alpha.sum()) + 5,
                                                  n_permutations=4000, rng=np.random.default_rng(0))
    assert not exact
    common = (x > 0).sum(axis=0) >= 100
    resolved = perm > 0.01  # away from the random splits' resolution
    gap = np.abs(np.log10(normal) - np.log10(perm))[common & resolved]
    assert gap.size > 30 and np.median(gap) < 0.1 and gap.max() < 0.5, (np.median(gap), gap.max())
    assert (normal[:6] < 1e-3).all() and (perm[:6] < 1e-3).all()  # the real differences, found by both
    assert normal[59] > 0.05 and perm[59] > 0.05  # one document's repetitions are not a difference of groups


def test_auto_takes_the_normal_approximation_from_1000_documents_a_side():
    assert not _docperm.uses_normal("auto", 999, 50_000) and _docperm.uses_normal("auto", 1000, 1000)
    assert _docperm.uses_normal("normal", 3, 3) and not _docperm.uses_normal("permutation", 10**6, 10**6)


def test_keyness_says_which_test_each_row_got():
    import pandas as pd
    from types import SimpleNamespace

    from discourse.compare import keyness
    from discourse.errors import ParameterError

    rng = np.random.default_rng(2)
    words = np.array([f"w{i}" for i in range(30)], dtype=object)
    tokens = [list(words[rng.integers(0, 30, size=20)]) for _ in range(40)]
    ids = [f"d{i:02d}" for i in range(40)]
    prepared = SimpleNamespace(
        passages=pd.DataFrame({"doc_id": ids, "passage_id": [f"{d}#0" for d in ids], "n_tokens": 20}),
        tokens=tokens, metadata=pd.DataFrame({"doc_id": ids, "g": ["a"] * 20 + ["b"] * 20}).set_index("doc_id"))
    normal = keyness(prepared, "g", pairs=[("a", "b")], test="normal").to_frame()
    auto = keyness(prepared, "g", pairs=[("a", "b")]).to_frame()
    assert normal["note"].str.contains("normal approximation").all() and (normal["p_min"] == 0).all()
    assert auto["note"].str.contains("random splits").all()  # 20 documents a side: splits
    pd.testing.assert_series_equal(normal["z"], auto["z"])  # the statistic shown does not depend on the test
    with pytest.raises(ParameterError, match="test="):
        keyness(prepared, "g", test="t")
