"""Runs, not a run: several seeds aligned to a reference, stability flags, comparisons over runs."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from discourse.compare import contrasts, diff_in_diff, prevalence
from discourse.compare._simulate import simulate_corpus
from discourse.errors import ParameterError
from discourse.models import LDA
from discourse.models.runs import align_to, fit_runs


def _terms(W):
    return SimpleNamespace(term_matrix=lambda: (list(range(len(W))), ["a", "b", "c", "d"], np.asarray(W, float)))


def test_alignment_recovers_a_permutation_of_topics():
    W = np.array([[0.7, 0.1, 0.1, 0.1], [0.1, 0.7, 0.1, 0.1], [0.1, 0.1, 0.1, 0.7]])
    order, sim = align_to(_terms(W), _terms(W[[2, 0, 1]]))
    assert order.tolist() == [1, 2, 0]
    np.testing.assert_allclose(sim, 1.0)


@pytest.fixture(scope="module")
def planted():
    # topic 2 planted much higher in B than in A; "half" splits each group's documents with no effect
    sim = simulate_corpus({"A": [6, 2, 2], "B": [2, 2, 6]}, 20, words_per_topic=40, random_state=1)
    meta = sim.prepared.metadata
    meta["half"] = np.where(np.arange(len(meta)) % 2 == 0, "x", "y")
    runs = fit_runs(LDA(k=3, random_state=0, no_above=1.0, progress=False), sim.prepared, n_runs=3)
    return sim, runs


def test_runs_are_aligned_to_the_reference_and_carry_stability(planted):
    sim, runs = planted
    assert runs.doc_topic.shape == (3, len(sim.prepared.passages), 3) and runs.seeds == [0, 1, 2]
    np.testing.assert_array_equal(runs.doc_topic[0], runs.reference.doc_topic_)
    st = runs.stability()
    assert list(st.columns) == ["model", "topic", "label", "median_similarity", "recurrence", "unstable", "n_runs",
                                "noise_kept"]
    assert st["noise_kept"].isna().all()  # LDA has no embedding noise to refit under
    # the planted topic (words t2w*) is found in every run
    t2 = st[st.label.str.startswith("t2w")]
    assert len(t2) == 1 and t2["recurrence"].iloc[0] == 1.0 and not t2["unstable"].iloc[0]


def test_planted_effect_found_and_null_split_not(planted):
    sim, runs = planted
    c = contrasts(sim.prepared, runs, "group", pairs=[("B", "A")]).to_frame()
    row = c[c.label.str.startswith("t2w")].iloc[0]
    assert row.ci_low > 0 and row.p_value < 0.05 and row.ci_note == ""
    assert 0.2 < row.difference < 0.7  # planted 0.6 - 0.2; coverage is the simulation's to show
    assert (c["n_runs"] == 3).all() and c["model_share"].between(0, 1).all()
    null = contrasts(sim.prepared, runs, "half").to_frame()
    assert ((null.ci_low <= 0) & (0 <= null.ci_high)).all()
    assert (null["p_value"] >= 0.05).all()
    # interval and test agree on every row
    for t in (c, null):
        excl = ~((t.ci_low <= 0) & (0 <= t.ci_high))
        assert (excl == (t.p_value < 0.05)).all()


def test_unstable_topics_are_flagged_in_every_table():
    # six topics asked of three: the spare topics split differently in each run
    sim = simulate_corpus({"A": [6, 2, 2], "B": [2, 2, 6]}, 20, words_per_topic=40, random_state=1)
    runs = fit_runs(LDA(k=6, random_state=0, progress=False), sim.prepared, n_runs=4)
    st = runs.stability().set_index("topic")
    assert st["unstable"].any() and not st["unstable"].all()
    assert (st.loc[st["unstable"], "recurrence"] < 0.8).all()
    flagged = set(st.index[st["unstable"]])
    p = prevalence(sim.prepared, runs, "group").to_frame()
    c = contrasts(sim.prepared, runs, "group").to_frame()
    for table in (p, c):
        assert set(table.loc[table["unstable"], "topic"]) == flagged
    sim.prepared.metadata["t"] = np.where(np.arange(len(sim.prepared.metadata)) % 2 == 0, "before", "after")
    d = diff_in_diff(sim.prepared, runs, "group:t", treated="A", before="before", after="after").to_frame()
    assert set(d.loc[d["unstable"], "topic"]) == flagged


def test_fit_runs_rejects_bad_input(planted):
    sim, _ = planted
    with pytest.raises(ParameterError, match="n_runs"):
        fit_runs(LDA(k=3), sim.prepared, n_runs=0)
    with pytest.raises(ParameterError, match="random_state"):
        fit_runs(LDA(k=3, random_state=None), sim.prepared, n_runs=2)


def test_effects_find_the_planted_covariate_and_not_the_null_one(planted):
    from discourse.compare import effects

    sim, runs = planted
    # intervals shown whatever the calibration table says: this checks the regression, not the gate
    res = effects(sim.prepared, runs, "~ group + half", require_calibration=False)
    t = res.to_frame()
    assert list(t.columns[:10]) == ["model", "topic", "label", "term", "estimate", "ci_low", "ci_high", "p_value",
                                    "p_adj", "n_docs"]
    planted_row = t[(t.term == "group[T.B]") & t.label.str.startswith("t2w")].iloc[0]
    assert planted_row.ci_low > 0 and planted_row.p_value < 0.05
    null = t[t.term == "half[T.y]"]
    assert ((null.ci_low <= 0) & (0 <= null.ci_high)).all() and (null.p_value >= 0.05).all()
    excl = ~((t.ci_low <= 0) & (0 <= t.ci_high))
    assert (excl == (t.p_value < 0.05)).all()  # one t statistic for both
    # predicted shares per observed combination, summing to about one over topics
    pred = res.predicted
    assert set(zip(pred.group, pred.half)) == {("A", "x"), ("A", "y"), ("B", "x"), ("B", "y")}
    np.testing.assert_allclose(pred.groupby(["group", "half"])["share"].sum(), 1.0, atol=1e-9)
    # the gate: without a simulation behind effects of this size, no interval and a reason
    gated = effects(sim.prepared, runs, "~ group + half", min_docs=1000).to_frame()
    assert gated["ci_low"].isna().all() and gated["ci_note"].str.startswith("no interval").all()


def test_effects_reject_a_bad_formula(planted):
    from discourse.compare import effects

    sim, runs = planted
    with pytest.raises(ParameterError, match="formula"):
        effects(sim.prepared, runs, "~ outlet")
    with pytest.raises(ParameterError, match="formula"):
        effects(sim.prepared, runs, "group")
