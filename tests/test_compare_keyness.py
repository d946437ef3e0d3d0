"""Keyness: Monroe et al. (2008) log-odds z checked by hand, G², BH, groups."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from discourse.compare import g_squared, group_labels, keyness
from discourse.errors import ParameterError


def make_prepared(docs):
    """docs: {doc_id: (meta dict, [token list per passage])} -> Prepared-like."""
    rows, tokens, meta = [], [], []
    for doc_id, (m, passages) in docs.items():
        meta.append({"doc_id": doc_id, **m})
        for i, toks in enumerate(passages):
            rows.append({"doc_id": doc_id, "passage_id": f"{doc_id}#{i:04d}", "start": 0, "end": 0,
                         "text": " ".join(toks), "n_tokens": len(toks)})
            tokens.append(list(toks))
    return SimpleNamespace(passages=pd.DataFrame(rows), tokens=tokens,
                           metadata=pd.DataFrame(meta).set_index("doc_id"))


@pytest.fixture
def tiny():
    # group A: peace 3, attack 1, talks 2 (6 tokens); group B: peace 1, attack 4, talks 1 (6 tokens)
    return make_prepared({
        "a1": ({"period": "2015"}, [["peace", "peace", "attack"], ["talks"]]),
        "a2": ({"period": "2015"}, [["peace", "talks"]]),
        "b1": ({"period": "2024"}, [["attack", "attack", "peace", "talks", "attack", "attack"]]),
    })


def test_z_scores_match_hand_computation_of_monroe_formulas(tiny):
    res = keyness(tiny, "period", min_count=0).to_frame()
    a = res[(res.group == "2015") & (res.reference == "rest")].set_index("term")
    # Prior = whole-corpus counts: alpha_peace = 4, alpha_attack = 5, alpha_talks = 3; alpha_0 = 12.
    # n_i = 6 (2015), n_j = 6 (2024).
    # attack: y_i = 1, y_j = 4
    #   delta = ln((1+5)/(6+12-1-5)) - ln((4+5)/(6+12-4-5)) = ln(6/12) - ln(9/9) = ln(0.5)
    #   var   = 1/(1+5) + 1/(4+5) = 1/6 + 1/9
    delta_attack = math.log(6 / 12) - math.log(9 / 9)
    z_attack = delta_attack / math.sqrt(1 / 6 + 1 / 9)
    # peace: y_i = 3, y_j = 1, alpha = 4
    #   delta = ln((3+4)/(6+12-3-4)) - ln((1+4)/(6+12-1-4)) = ln(7/11) - ln(5/13)
    delta_peace = math.log(7 / 11) - math.log(5 / 13)
    z_peace = delta_peace / math.sqrt(1 / 7 + 1 / 5)
    # talks: y_i = 2, y_j = 1, alpha = 3
    #   delta = ln((2+3)/(6+12-2-3)) - ln((1+3)/(6+12-1-3)) = ln(5/13) - ln(4/14)
    delta_talks = math.log(5 / 13) - math.log(4 / 14)
    z_talks = delta_talks / math.sqrt(1 / 5 + 1 / 4)
    assert a.loc["attack", "log_odds"] == pytest.approx(delta_attack, rel=1e-12)
    assert a.loc["attack", "z"] == pytest.approx(z_attack, rel=1e-12)
    assert a.loc["peace", "z"] == pytest.approx(z_peace, rel=1e-12)
    assert a.loc["talks", "z"] == pytest.approx(z_talks, rel=1e-12)
    assert z_attack == pytest.approx(-1.3151, abs=1e-4)  # -0.69315 / sqrt(0.27778)
    # counts, denominators and the p-values behind p_adj
    assert (a.loc["peace", "count"], a.loc["peace", "count_reference"]) == (3, 1)
    assert a.loc["peace", "n_docs"] == 2 and a.loc["peace", "n_docs_reference"] == 1
    assert a.loc["peace", "n_tokens"] == 6 and a.loc["peace", "n_tokens_reference"] == 6
    assert a.loc["attack", "p_value"] == pytest.approx(2 * stats.norm.sf(abs(z_attack)))
    # with two groups, "2024 vs rest" is the mirror image
    b = res[res.group == "2024"].set_index("term")
    assert b.loc["attack", "z"] == pytest.approx(-z_attack)


def test_g2_matches_scipy_log_likelihood_contingency(tiny):
    res = keyness(tiny, "period", min_count=0).to_frame()
    for row in res[res.group == "2015"].itertuples():
        table = [[row.count, row.count_reference],
                 [row.n_tokens - row.count, row.n_tokens_reference - row.count_reference]]
        g2, p, _, _ = stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")
        assert row.g2 == pytest.approx(g2, rel=1e-10, abs=1e-12)
        assert row.g2_p_value == pytest.approx(p, rel=1e-10)
    assert g_squared(np.array([0.0]), np.array([0.0]), 5, 5)[0] == 0.0


def test_columns_sort_and_bh(tiny):
    res = keyness(tiny, "period", min_count=0)
    t = res.to_frame()
    assert list(t.columns[:10]) == ["grouping", "group", "reference", "term", "count", "count_reference",
                                    "log_odds", "z", "g2", "p_adj"]
    for _, block in t.groupby(["grouping", "group", "reference"], sort=False):
        z = block["z"].to_numpy()
        assert np.all(np.diff(z) <= 0)
        np.testing.assert_allclose(block["p_adj"], stats.false_discovery_control(block["p_value"], method="bh"))
        assert (block["p_adj"] >= block["p_value"] - 1e-15).all()
    assert "Keyness" in repr(res) and "2015 vs rest" in res.summary()


def test_pairs_min_count_phrases_and_unknown_groups():
    prep = make_prepared({
        "a": ({"period": "2015", "outlet_country": "Pakistan"}, [["peace_talks"] * 6 + ["border"] * 2]),
        "b": ({"period": "2024", "outlet_country": "Pakistan"}, [["border_closure"] * 6 + ["border"] * 2]),
        "c": ({"period": "2021", "outlet_country": None}, [["peace_talks", "rare"]]),
        "d": ({"period": None, "outlet_country": "Afghanistan"}, [["unknown_only"] * 9]),
    })
    res = keyness(prep, "period", pairs=[("2015", "2024")], min_count=3)
    t = res.to_frame()
    pair = t[(t.group == "2015") & (t.reference == "2024")].set_index("term")
    assert pair.loc["peace_talks", "z"] > 0 and pair.loc["border_closure", "z"] < 0
    assert "rare" not in set(t.term)  # below min_count everywhere
    # the unknown-period document is left out of the groups, counted, but part of the prior
    assert res.counts["n_docs_unknown"] == {"period": 1}
    assert "unknown_only" not in set(t.term)
    alpha0 = 6 + 2 + 6 + 2 + 2 + 9
    y_i, y_j, a = 6, 0, 7  # peace_talks: 2015 vs 2024, corpus count 7
    delta = math.log((y_i + a) / (8 + alpha0 - y_i - a)) - math.log((y_j + a) / (8 + alpha0 - y_j - a))
    assert pair.loc["peace_talks", "log_odds"] == pytest.approx(delta)
    # blocks: the vs-rest comparisons first, then the pair
    refs = t["reference"].tolist()
    assert refs.index("2024") > max(i for i, r in enumerate(refs) if r == "rest")
    # crossings label groups with " × "
    cross = keyness(prep, "outlet_country:period", min_count=1).to_frame()
    assert set(cross.group) == {"Pakistan × 2015", "Pakistan × 2024"}
    with pytest.raises(ParameterError, match="available groups"):
        keyness(prep, "period", pairs=[("2015", "1999")])


def test_unknown_column_is_a_clear_error(tiny):
    with pytest.raises(ParameterError, match=r"column 'outlet' is not in the metadata; available columns: period"):
        keyness(tiny, "outlet")
    with pytest.raises(ParameterError, match="min_count"):
        keyness(tiny, "period", min_count=-1)


def test_group_labels_crossing_and_unknowns():
    meta = pd.DataFrame({"doc_id": ["x", "y", "z"], "country": ["Pakistan", None, "US"],
                         "period": ["2024", "2015", float("nan")]}).set_index("doc_id")
    lab = group_labels(meta, "country:period")
    assert lab.tolist() == ["Pakistan × 2024", None, None]
    assert lab.index.name == "doc_id" and lab.name == "country:period"
    assert group_labels(meta, "period").tolist() == ["2024", "2015", None]
    with pytest.raises(ParameterError, match="available columns: country, period"):
        group_labels(meta, "country:outlet")


def test_keyness_is_deterministic(tiny):
    a = keyness(tiny, ["period"], min_count=0).to_frame()
    b = keyness(tiny, ["period"], min_count=0).to_frame()
    assert a.to_csv() == b.to_csv()
