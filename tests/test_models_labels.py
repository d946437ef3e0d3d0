"""Topic labels that discriminate: FREX (Bischof & Airoldi 2012) and relevance (Sievert & Shirley 2014)."""

from __future__ import annotations

import numpy as np
import pytest

from discourse.errors import ParameterError
from discourse.models._labels import frex, relevance


def test_frex_matches_stm_calcfrex_by_hand():
    phi = np.array([[0.50, 0.30, 0.15, 0.05],
                    [0.45, 0.05, 0.10, 0.40],
                    [0.40, 0.20, 0.30, 0.10]])
    got = frex(phi, weight=0.5)
    excl = phi / phi.sum(axis=0)
    for k in range(3):
        # empirical CDF within the topic: rank / number of terms (no ties here)
        freq_cdf = np.argsort(np.argsort(phi[k])) + 1
        excl_cdf = np.argsort(np.argsort(excl[k])) + 1
        expected = 1 / (0.5 / (excl_cdf / 4) + 0.5 / (freq_cdf / 4))
        np.testing.assert_allclose(got[k], expected)
    # a word every topic shares ("country", column 0) tops every probability ranking and no FREX ranking
    shared = np.full((3, 8), 0.05)
    shared[:, 0] = 0.35
    for k in range(3):
        shared[k, 1 + 2 * k] = 0.25
    assert (shared.argmax(axis=1) == 0).all()
    assert frex(shared).argmax(axis=1).tolist() == [1, 3, 5]
    # weight 0 ranks by frequency only
    np.testing.assert_array_equal(frex(phi, weight=0.0).argmax(axis=1), phi.argmax(axis=1))


def test_relevance_is_sievert_shirley_formula():
    phi = np.array([[0.6, 0.3, 0.1, 0.0], [0.5, 0.1, 0.1, 0.3]])
    p = np.array([0.55, 0.2, 0.1, 0.15])
    got = relevance(phi, p, lam=0.6)
    with np.errstate(divide="ignore"):
        expected = 0.6 * np.log(phi) + 0.4 * np.log(phi / p)
    np.testing.assert_allclose(got[:, :3], expected[:, :3])
    assert got[0, 3] == -np.inf
    np.testing.assert_allclose(relevance(phi, p, lam=1.0)[:, :3], np.log(phi[:, :3]))


@pytest.fixture(scope="module")
def seeds_lda():
    import discourse

    prepared = discourse.prepare(discourse.load_seeds())
    return discourse.LDA(k=4, random_state=0, passes=5).fit(prepared)


def test_lda_labels_use_frex_and_share_fewer_words_than_probability_labels(seeds_lda):
    m = seeds_lda
    by_frex = m.topic_terms(3, ranking="frex")
    assert m.labels_ == by_frex.groupby("topic")["term"].apply(", ".join).to_dict()
    by_prob = m.topic_terms(3)

    def shared(table):
        counts = table["term"].value_counts()
        return int((counts > 1).sum())

    assert shared(by_frex) <= shared(by_prob)
    assert set(by_frex["ranking"]) == {"frex"} and set(by_prob["ranking"]) == {"probability"}
    np.testing.assert_array_equal(by_prob["score"], by_prob["weight"])
    rel = m.topic_terms(5, ranking="relevance", lam=1.0)
    pd_prob = m.topic_terms(5)
    assert rel["term"].tolist() == pd_prob["term"].tolist()  # lambda = 1 is the probability ranking
    with pytest.raises(ParameterError, match="ranking"):
        m.topic_terms(3, ranking="lift")
    with pytest.raises(ParameterError, match="lam"):
        m.topic_terms(3, ranking="relevance", lam=2)
