"""Cross-model alignment: Hungarian matching, unmatched topics, ARI/NMI."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from discourse.compare import align_models, topic_similarity
from discourse.errors import ParameterError


def model(name, topic_ids, vocab, mat, doc_topic=None):
    mat = np.asarray(mat, dtype=float)
    return SimpleNamespace(name=name, topic_ids_=list(topic_ids), labels_={t: f"{name}-{t}" for t in topic_ids},
                           doc_topic_=doc_topic, term_matrix=lambda: (list(topic_ids), list(vocab), mat))


@pytest.fixture
def pair():
    rng = np.random.default_rng(0)
    vocab = [f"w{i}" for i in range(40)]
    phi = rng.dirichlet(np.full(40, 0.1), size=4)
    theta = rng.dirichlet(np.ones(4), size=60)
    lda = model("lda", [0, 1, 2, 3], vocab, phi, theta)
    # BERTopic: same topics in another order, ids 10..13, an extra vocabulary term, its own outlier topic -1,
    # and one extra topic of its own
    perm = [2, 0, 3, 1]
    extra = rng.dirichlet(np.full(40, 0.1))
    b_vocab = vocab + ["only_in_bertopic"]
    b_mat = np.vstack([np.append(phi[p] * 0.9, 0.1) for p in perm] + [np.append(extra, 0)] + [np.full(41, 1 / 41)])
    b_ids = [10, 11, 12, 13, 14, -1]
    b_theta = np.column_stack([theta[:, perm], np.zeros((60, 2))])
    bt = model("bertopic", b_ids, b_vocab, b_mat, b_theta)
    return lda, bt, perm


def test_hungarian_recovers_permuted_topics_on_shared_vocabulary(pair):
    lda, bt, perm = pair
    prepared = SimpleNamespace(passages=pd.DataFrame({"doc_id": [f"d{i}" for i in range(60)]}))
    res = align_models(lda, bt, prepared=prepared)
    t = res.to_frame()
    assert list(t.columns[:3]) == ["lda_topic", "bertopic_topic", "similarity"]
    matched = t[t.matched]
    got = dict(zip(matched.lda_topic.astype(int), matched.bertopic_topic.astype(int)))
    assert got == {p: 10 + i for i, p in enumerate(perm)}
    # renormalised on the shared vocabulary, the distributions are identical
    np.testing.assert_allclose(matched.similarity, 1.0)
    # BERTopic's extra topic has no counterpart; the outlier topic is not matched at all
    assert res.unmatched == {"lda": [], "bertopic": [14]}
    assert -1 not in res.similarity_matrix.columns
    assert res.similarity_matrix.shape == (4, 5)
    assert res.counts["n_shared_terms"] == 40
    assert res.agreement["ari"] == pytest.approx(1.0) and res.agreement["nmi"] == pytest.approx(1.0)
    assert res.agreement["n_passages"] == 60
    assert "lda 0" in res.summary()


def test_threshold_metric_and_agreement_values(pair):
    lda, bt, _ = pair
    js = align_models(lda, bt, metric="jensen-shannon")
    sims = js.to_frame().dropna(subset=["similarity"])
    np.testing.assert_allclose(sims.similarity, 1.0)  # identical distributions: JS distance 0
    assert np.isnan(js.agreement["ari"])  # no passages given
    rng = np.random.default_rng(1)
    a, b = rng.integers(0, 4, 200), rng.integers(0, 5, 200)
    res = align_models(lda, bt, assignments=(a, b))
    assert res.agreement["ari"] == pytest.approx(adjusted_rand_score(a, b))
    assert res.agreement["nmi"] == pytest.approx(normalized_mutual_info_score(a, b))
    dissimilar = model("x", [0, 1], ["w0", "w1", "w2", "w3"], [[1, 0, 0, 0], [0, 1, 0, 0]])
    other = model("y", [0, 1], ["w0", "w1", "w2", "w3"], [[0, 0, 1, 0], [0, 0, 0, 1]])
    res = align_models(dissimilar, other, min_similarity=0.5)
    t = res.to_frame()
    assert not t.matched.any() and len(t) == 2  # pairs kept, flagged unmatched
    assert sorted(res.unmatched["lda"]) == [0, 1]


def test_similarity_functions_and_errors():
    A = np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 0.0]])
    B = np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    cos = topic_similarity(A, B, "cosine")
    np.testing.assert_allclose(cos, [[1.0, 0.0], [0.0, 0.0]], atol=1e-12)
    js = topic_similarity(A, B, "jensen-shannon")
    np.testing.assert_allclose(js[0], [1.0, 0.0], atol=1e-12)
    x = model("x", [0], ["a"], [[1.0]])
    y = model("y", [0], ["b"], [[1.0]])
    with pytest.raises(ParameterError, match="share no vocabulary"):
        align_models(x, y)
    with pytest.raises(ParameterError, match="metric"):
        align_models(x, x, metric="euclid")
