"""Prevalence: document shares by token weight, group means, document bootstrap."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from discourse.compare import document_topic_shares, prevalence
from discourse.compare._stats import bootstrap_linear_ci
from discourse.errors import ParameterError


def fake(doc_ids, n_tokens, theta, meta, name="lda"):
    passages = pd.DataFrame({"doc_id": doc_ids, "passage_id": [f"{d}#{i:04d}" for i, d in enumerate(doc_ids)],
                             "start": 0, "end": 0, "text": "", "n_tokens": n_tokens})
    prepared = SimpleNamespace(passages=passages, tokens=[["w"] * n for n in n_tokens],
                               metadata=pd.DataFrame(meta).set_index("doc_id"))
    theta = np.asarray(theta, dtype=float)
    model = SimpleNamespace(name=name, doc_topic_=theta, topic_ids_=list(range(theta.shape[1])),
                            labels_={k: f"label {k}" for k in range(theta.shape[1])})
    return prepared, model


@pytest.fixture
def small():
    # d1: passages [1,0] (30 tokens) and [0,1] (10 tokens) -> share [0.75, 0.25]
    # d2: one passage [0,1] -> [0, 1];  d3 (group B): [0.5, 0.5]; d4: unknown group
    return fake(["d1", "d1", "d2", "d3", "d4"], [30, 10, 5, 8, 8],
                [[1, 0], [0, 1], [0, 1], [0.5, 0.5], [1, 0]],
                {"doc_id": ["d1", "d2", "d3", "d4"], "g": ["A", "A", "B", None]})


def test_document_shares_weight_passages_by_tokens(small):
    prepared, model = small
    shares = document_topic_shares(prepared, model)
    assert shares.index.tolist() == ["d1", "d2", "d3", "d4"]
    np.testing.assert_allclose(shares.loc["d1"], [0.75, 0.25])
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)


def test_group_share_is_mean_over_documents_and_flags(small):
    prepared, model = small
    res = prevalence(prepared, model, "g", n_resamples=500, min_docs=2, require_calibration=False)
    t = res.to_frame()
    assert list(t.columns[:9]) == ["model", "topic", "label", "grouping", "group", "share", "ci_low",
                                   "ci_high", "n_docs"]
    a = t[(t.group == "A")].set_index("topic")
    # each document counts once: mean of [0.75, 0.25] and [0, 1]
    np.testing.assert_allclose(a["share"], [0.375, 0.625])
    assert a["n_docs"].tolist() == [2, 2] and a["n_passages"].tolist() == [3, 3]
    assert not a["too_few"].any()
    b = t[t.group == "B"]
    assert b["ci_low"].isna().all() and b["ci_high"].isna().all()  # one document: no interval
    assert b["too_few"].all() and b["n_docs"].tolist() == [1, 1]
    assert res.counts["n_docs_unknown"] == {"g": 1}
    assert ((a["ci_low"] <= a["share"]) & (a["share"] <= a["ci_high"])).all()
    assert "label 0" in set(t.label)
    # a single fitted LDA: the coverage simulation backs no interval at any size, and says so
    gated = prevalence(prepared, model, "g", min_docs=2).to_frame()
    assert gated["ci_low"].isna().all() and gated["ci_note"].str.contains("under 90%").all()


def test_index_bootstrap_equals_plain_scipy_bootstrap_of_documents():
    rng = np.random.default_rng(3)
    X = rng.dirichlet([1, 2, 3], size=25)
    low, high = bootstrap_linear_ci([X], [1.0], n_resamples=999, confidence_level=0.9, method="percentile",
                                    rng=np.random.default_rng(7))
    ref = stats.bootstrap((X,), lambda x, axis: x.mean(axis=axis), axis=0, vectorized=True, n_resamples=999,
                          confidence_level=0.9, method="percentile", rng=np.random.default_rng(7))
    np.testing.assert_allclose(low, ref.confidence_interval.low)
    np.testing.assert_allclose(high, ref.confidence_interval.high)
    bca = bootstrap_linear_ci([X], [1.0], n_resamples=999, confidence_level=0.9, method="BCa",
                              rng=np.random.default_rng(7))
    ref = stats.bootstrap((X,), lambda x, axis: x.mean(axis=axis), axis=0, vectorized=True, n_resamples=999,
                          confidence_level=0.9, method="BCa", rng=np.random.default_rng(7))
    np.testing.assert_allclose(bca[0], ref.confidence_interval.low)


def test_deterministic_and_seed_dependent():
    rng = np.random.default_rng(0)
    theta = rng.dirichlet([1, 1, 1], size=40)
    docs = [f"d{i // 2}" for i in range(40)]
    meta = {"doc_id": [f"d{i}" for i in range(20)], "g": ["A", "B"] * 10, "h": ["x"] * 10 + ["y"] * 10}
    prepared, model = fake(docs, list(rng.integers(1, 50, size=40)), theta, meta)
    kw = dict(method="percentile", n_resamples=300)
    one = prevalence(prepared, model, ["g", "h"], random_state=5, **kw).to_frame()
    two = prevalence(prepared, model, ["g", "h"], random_state=5, **kw).to_frame()
    assert one.to_csv() == two.to_csv()
    other = prevalence(prepared, model, ["g", "h"], random_state=6, **kw).to_frame()
    assert not np.allclose(one["ci_low"], other["ci_low"])
    # a cell's interval does not depend on which other groupings were requested
    alone = prevalence(prepared, model, "h", random_state=5, **kw).to_frame()
    pd.testing.assert_frame_equal(alone.reset_index(drop=True),
                                  one[one.grouping == "h"].reset_index(drop=True))


def test_results_are_immutable_copies(small):
    prepared, model = small
    res = prevalence(prepared, model, "g", n_resamples=200)
    frame = res.to_frame()
    frame.loc[:, "share"] = -1
    assert (res.to_frame()["share"] >= 0).all()
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.table = frame
    assert "n_docs=2" in res.summary() and res.document_shares.shape == (4, 2)


def test_bad_inputs(small):
    prepared, model = small
    bad = SimpleNamespace(name="lda", doc_topic_=np.ones((3, 2)) / 2, topic_ids_=[0, 1], labels_={})
    with pytest.raises(ParameterError, match="4 passages|5 passages"):
        prevalence(prepared, bad, "g")
    with pytest.raises(ParameterError, match="confidence_level"):
        prevalence(prepared, model, "g", confidence_level=95)
    with pytest.raises(ParameterError, match="available columns: g"):
        prevalence(prepared, model, "period")
    with pytest.raises(ParameterError, match="random_state"):
        prevalence(prepared, model, "g", random_state=-3)


def test_bca_falls_back_to_percentile_for_a_topic_no_document_uses():
    rng = np.random.default_rng(4)
    theta = np.column_stack([rng.dirichlet([1, 1], size=12), np.zeros(12)])
    theta = theta / theta.sum(axis=1, keepdims=True)
    meta = {"doc_id": [f"d{i}" for i in range(12)], "g": ["A"] * 12}
    prepared, model = fake([f"d{i}" for i in range(12)], [10] * 12, theta, meta)
    t = prevalence(prepared, model, "g", n_resamples=400, method="BCa",
                   require_calibration=False).to_frame().set_index("topic")
    assert t.loc[2, "ci_low"] == 0.0 and t.loc[2, "ci_high"] == 0.0  # defined, not NaN
    assert (t.loc[[0, 1], "ci_low"] < t.loc[[0, 1], "share"]).all()
