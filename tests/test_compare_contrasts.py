"""Contrasts (permutation p and the interval inverting it, BH) and difference-in-differences."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from discourse.compare import contrasts, diff_in_diff, prevalence
from discourse.compare._simulate import simulate_corpus
from discourse.errors import ParameterError


def one_passage_per_doc(theta, meta_cols):
    theta = np.asarray(theta, dtype=float)
    ids = [f"d{i}" for i in range(len(theta))]
    passages = pd.DataFrame({"doc_id": ids, "passage_id": [f"{d}#0000" for d in ids], "start": 0, "end": 0,
                             "text": "", "n_tokens": 10})
    meta = pd.DataFrame({"doc_id": ids, **meta_cols}).set_index("doc_id")
    prepared = SimpleNamespace(passages=passages, tokens=[["w"]] * len(ids), metadata=meta)
    model = SimpleNamespace(name="bertopic", doc_topic_=theta, topic_ids_=list(range(theta.shape[1])),
                            labels_={k: f"t{k}" for k in range(theta.shape[1])})
    return prepared, model


def test_difference_every_pair_and_matches_prevalence():
    sim = simulate_corpus({"A": [3, 1, 1], "B": [1, 1, 3], "C": [1, 3, 1]}, 12, make_tokens=False, random_state=2)
    res = contrasts(sim.prepared, sim.model, "group", n_permutations=300, require_calibration=False)
    t = res.to_frame()
    assert list(t.columns[:10]) == ["model", "topic", "grouping", "group_a", "group_b", "difference",
                                    "ci_low", "ci_high", "p_value", "p_adj"]
    assert sorted(set(zip(t.group_a, t.group_b))) == [("A", "B"), ("A", "C"), ("B", "C")]
    prev = prevalence(sim.prepared, sim.model, "group").to_frame()
    share = prev.set_index(["group", "topic"])["share"]
    for r in t.itertuples():
        assert r.difference == pytest.approx(share[(r.group_a, r.topic)] - share[(r.group_b, r.topic)])
        assert r.n_a == 12 and r.n_b == 12
    for _, block in t.groupby(["grouping", "group_a", "group_b"]):
        np.testing.assert_allclose(block["p_adj"], stats.false_discovery_control(block["p_value"], method="bh"))
    # chosen, oriented pairs; a pair that does not exist is an error naming the groups
    only = contrasts(sim.prepared, sim.model, "group", pairs=[("C", "A")], n_permutations=200)
    assert set(zip(only.table.group_a, only.table.group_b)) == {("C", "A")}
    with pytest.raises(ParameterError, match="available groups: group: A, B, C"):
        contrasts(sim.prepared, sim.model, "group", pairs=[("A", "Z")])


def test_exact_permutation_p_value_by_enumeration():
    theta = [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.2, 0.8], [0.4, 0.6]]
    prepared, model = one_passage_per_doc(theta, {"g": ["A", "A", "B", "B", "B"]})
    res = contrasts(prepared, model, "g", n_permutations=1000).to_frame()
    x = np.array(theta)[:, 0]
    observed = x[:2].mean() - x[2:].mean()
    null = []
    for a_idx in itertools.combinations(range(5), 2):  # all 10 splits of 5 documents into 2 + 3
        b_idx = [i for i in range(5) if i not in a_idx]
        null.append(x[list(a_idx)].mean() - x[b_idx].mean())
    null = np.array(null)
    eps = 1e-12
    p = min(1.0, 2 * min(np.mean(null >= observed - eps), np.mean(null <= observed + eps)))
    row = res[res.topic == 0].iloc[0]
    assert bool(row.exact) is True
    assert row.difference == pytest.approx(observed)
    assert row.p_value == pytest.approx(p)
    assert row.p_min == pytest.approx(2 / 10)  # 2 against 3: the interval cannot be bounded at 95%
    assert np.isnan(row.ci_low) and row.ci_note.startswith("no interval")


def test_contrasts_deterministic_and_single_document_groups():
    theta = [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7]]
    prepared, model = one_passage_per_doc(theta, {"g": ["A", "A", "B"]})
    one = contrasts(prepared, model, "g", n_permutations=100, random_state=1).to_frame()
    assert one["ci_low"].isna().all() and one["too_few"].all()  # B has one document
    assert (one["ci_note"] != "").all()
    # 3 splits of 2 + 1 documents: the permutation p can be no smaller than 2/3, and is reported
    np.testing.assert_allclose(one["p_min"], 2 / 3)
    assert (one["p_value"] >= 2 / 3 - 1e-12).all()
    np.testing.assert_allclose(one["difference"], [0.85 - 0.3, 0.15 - 0.7])
    two = contrasts(prepared, model, "g", n_permutations=100, random_state=1).to_frame()
    assert one.to_csv() == two.to_csv()


def test_diff_in_diff_recovers_planted_interaction():
    # topic 0: Pakistan rises 0.2 -> 0.5 between periods, others stay at 0.3: planted DiD = +0.3
    alphas = {("Pakistan", "2015"): [4, 8, 8], ("Pakistan", "2024"): [10, 5, 5],
              ("US", "2015"): [6, 7, 7], ("US", "2024"): [6, 7, 7],
              ("Afghanistan", "2015"): [6, 7, 7], ("Afghanistan", "2024"): [6, 7, 7]}
    sim = simulate_corpus(alphas, 30, columns=("country", "period"), make_tokens=False, random_state=4)
    res = diff_in_diff(sim.prepared, sim.model, "country:period", treated="Pakistan", before="2015",
                       after="2024", require_calibration=False)
    t = res.to_frame().set_index("topic")
    assert t.loc[0, "ci_low"] > 0 and t.loc[0, "ci_low"] <= 0.3 <= t.loc[0, "ci_high"]
    assert t.loc[0, "p_value"] < 0.05  # interval and test come from one t statistic
    assert t.loc[0, "did"] == pytest.approx(t.loc[0, "change_treated"] - t.loc[0, "change_control"])
    assert t.loc[0, ["n_treated_before", "n_treated_after", "n_control_before", "n_control_after"]].tolist() == [30, 30, 60, 60]
    assert not t["too_few"].any()
    assert res.params["control_values"] == ["Afghanistan", "US"]
    with pytest.raises(ParameterError, match="values there: Afghanistan, Pakistan, US"):
        diff_in_diff(sim.prepared, sim.model, "country:period", treated="India")
    with pytest.raises(ParameterError, match="crossing of two columns"):
        diff_in_diff(sim.prepared, sim.model, "country")
