"""The method of composition: runs x posterior draws combined as nested imputations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from discourse.compare import contrasts, prevalence
from discourse.compare._calibration import family
from discourse.compare._combine import linear_parts, rubin_combine
from discourse.compare._composition import combine, imputed_doc_shares
from discourse.compare._simulate import simulate_corpus
from discourse.models import LDA
from discourse.models.runs import ModelRuns, fit_runs, lda_posterior


@pytest.fixture(scope="module")
def planted():
    # topic 2 planted much higher in B than in A; "half" splits each group's documents with no effect
    sim = simulate_corpus({"A": [6, 2, 2], "B": [2, 2, 6]}, 20, words_per_topic=40, random_state=1)
    meta = sim.prepared.metadata
    meta["half"] = np.where(np.arange(len(meta)) % 2 == 0, "x", "y")
    runs = fit_runs(LDA(k=3, random_state=0, no_above=1.0, progress=False), sim.prepared, n_runs=3, n_draws=4)
    return sim, runs


def _without_posterior(runs):
    return ModelRuns(models=runs.models, seeds=runs.seeds, doc_topic=runs.doc_topic, similarity=runs.similarity,
                     params=runs.params)


def test_posterior_is_the_variational_dirichlet_whose_mean_is_doc_topic(planted):
    sim, runs = planted
    assert runs.posterior.shape == runs.doc_topic.shape and runs.n_draws == 4
    # rows of gamma normalised are each run's shares, in the reference's topic order
    np.testing.assert_allclose(runs.posterior / runs.posterior.sum(axis=2, keepdims=True), runs.doc_topic,
                               atol=1e-12)
    # gamma = alpha + expected word counts: its row sums exceed the passage's token count in the vocabulary
    gamma = lda_posterior(runs.reference, sim.prepared)
    assert (gamma.sum(axis=1) > 1).all()
    assert lda_posterior(object(), sim.prepared) is None
    for n_runs, n_draws in ((2, 0), (1, 4)):  # posterior left out on request, and for a single run
        bare = fit_runs(LDA(k=3, random_state=0, no_above=1.0, progress=False), sim.prepared, n_runs=n_runs,
                        n_draws=n_draws)
        assert bare.posterior is None and bare.n_draws == 0


def test_draws_are_deterministic_dirichlet_around_the_posterior_mean(planted):
    sim, runs = planted
    n = len(sim.prepared.passages)
    W = sparse.identity(n, format="csr")
    shares, m = imputed_doc_shares(runs, W)
    assert m == 4 and shares.shape == (3 * 4, n, 3)
    np.testing.assert_allclose(shares.sum(axis=2), 1.0)
    again, _ = imputed_doc_shares(runs, W)
    np.testing.assert_array_equal(shares, again)
    # the draws scatter around each run's posterior mean (Dirichlet mean = normalised gamma)
    assert not np.allclose(shares[0], shares[1])
    mean = shares.reshape(3, 4, n, 3).mean(axis=1)
    assert np.abs(mean - runs.doc_topic).mean() < np.abs(shares[0] - runs.doc_topic[0]).mean()


def test_models_without_a_posterior_keep_rubins_rules_unchanged(planted):
    sim, runs = planted
    bare = _without_posterior(runs)
    n = len(sim.prepared.passages)
    shares, m = imputed_doc_shares(bare, sparse.identity(n, format="csr"))
    assert m == 1
    np.testing.assert_array_equal(shares, runs.doc_topic)
    # the contrast of a runs-only model is Rubin's rules on each run's Welch parts, as computed directly
    c = contrasts(sim.prepared, bare, "group", pairs=[("B", "A")], require_calibration=False).to_frame()
    from discourse.compare._prevalence import doc_passage_matrix

    doc_ids, Wd, _ = doc_passage_matrix(sim.prepared)
    lab = sim.prepared.metadata.loc[doc_ids, "group"].to_numpy()
    parts = [linear_parts([np.asarray(Wd @ t)[lab == "B"], np.asarray(Wd @ t)[lab == "A"]], [1.0, -1.0])
             for t in runs.doc_topic]
    ref = rubin_combine(np.stack([e for e, _, _ in parts]), np.stack([v for _, v, _ in parts]),
                        np.mean([d for _, _, d in parts], axis=0), 0.95)
    np.testing.assert_allclose(c["ci_low"], np.clip(ref.low, -1, 1))
    np.testing.assert_allclose(c["p_value"], ref.p_value)
    assert c["n_runs"].eq(3).all()
    assert family(bare) == family(runs) == "lda"


def test_nested_rules_reduce_to_rubin_and_add_the_draws_variance():
    rng = np.random.default_rng(4)
    R, M, K = 5, 4, 3
    run_q = rng.normal(0.3, 0.02, size=(R, K))
    u = np.full((R * M, K), 0.01 ** 2)
    # identical draws within each run: the nested rules are Rubin's rules on the runs
    flat = np.repeat(run_q, M, axis=0)
    nested = combine(flat, u, 30.0, 0.95, n_draws=M)
    rubin = rubin_combine(run_q, u[:R], 30.0, 0.95)
    np.testing.assert_allclose(nested.low, rubin.low)
    np.testing.assert_allclose(nested.p_value, rubin.p_value)
    # one draw per run is exactly Rubin's rules (the path of models without a posterior)
    one = combine(run_q, u[:R], 30.0, 0.95, n_draws=1)
    np.testing.assert_array_equal(one.low, rubin.low)
    # variation between draws widens the interval and raises the model's share of it
    noisy = flat + rng.normal(0, 0.02, size=flat.shape)
    wide = combine(noisy, u, 30.0, 0.95, n_draws=M)
    assert ((wide.high - wide.low) > (nested.high - nested.low)).all()
    assert (wide.model_share > nested.model_share).all() and (wide.model_share < 1).all()
    excl = ~((wide.low <= 0) & (0 <= wide.high))
    np.testing.assert_array_equal(excl, wide.p_value < 0.05)


def test_posterior_draws_widen_the_runs_intervals_and_keep_interval_and_test_in_agreement(planted):
    sim, runs = planted
    bare = _without_posterior(runs)
    c = contrasts(sim.prepared, runs, "group", pairs=[("B", "A")], require_calibration=False).to_frame()
    b = contrasts(sim.prepared, bare, "group", pairs=[("B", "A")], require_calibration=False).to_frame()
    assert ((c.ci_high - c.ci_low).mean() > (b.ci_high - b.ci_low).mean())
    assert c.model_share.between(0, 1).all()
    row = c[c.label.str.startswith("t2w")].iloc[0]
    assert row.ci_low > 0 and row.p_value < 0.05  # the planted difference is still found
    null = contrasts(sim.prepared, runs, "half", require_calibration=False).to_frame()
    assert (null.p_value >= 0.05).all() and ((null.ci_low <= 0) & (0 <= null.ci_high)).all()
    for t in (c, null):
        excl = ~((t.ci_low <= 0) & (0 <= t.ci_high))
        assert (excl == (t.p_value < 0.05)).all()
    p = prevalence(sim.prepared, runs, "group", require_calibration=False)
    assert p.params["n_draws"] == 4 and p.params["n_runs"] == 3
    t = p.to_frame()
    assert (t.ci_low <= t.share).all() and (t.share <= t.ci_high).all() and t.model_share.between(0, 1).all()


@pytest.mark.slow
def test_null_covariate_rarely_rejected_over_seeds():
    # no effect of "half" is planted: over six corpora x three topics, the default (runs x posterior)
    # rejects at 5% about as often as the nominal rate allows (P(5+ of 18 | 0.05) < 0.003)
    from discourse.compare import effects

    rejected = total = found = 0
    for seed in range(6):
        sim = simulate_corpus({"A": [6, 2, 2], "B": [2, 2, 6]}, 15, words_per_topic=40, random_state=100 + seed)
        meta = sim.prepared.metadata
        meta["half"] = np.where(np.random.default_rng(seed).permutation(np.arange(len(meta)) % 2 == 0), "x", "y")
        runs = fit_runs(LDA(k=3, random_state=seed, no_above=1.0, progress=False), sim.prepared, n_runs=3)
        t = effects(sim.prepared, runs, "~ group + half", require_calibration=False).to_frame()
        null = t[t.term == "half[T.y]"]
        rejected += int((null.p_value < 0.05).sum())
        total += len(null)
        planted_row = t[(t.term == "group[T.B]") & t.label.str.startswith("t2w")]
        found += int((planted_row.ci_low > 0).any())
    assert total == 18 and rejected <= 4
    # the planted effect (+0.4) is found in most corpora; where runs disagree, the interval widens instead
    assert found >= 3
