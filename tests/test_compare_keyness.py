"""Keyness: Monroe et al. (2008) log-odds z checked by hand, document permutation p-values, dispersion, BH, groups."""

from __future__ import annotations

import itertools
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import sparse, stats

from discourse.compare import g_squared, group_labels, keyness, log_odds_dirichlet
from discourse.compare._dispersion import gries_dp
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
    res = keyness(tiny, "period", min_count=0, prior_scale=1.0).to_frame()
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
    # one document in 2024: no permutation of documents can test it, and the row says so
    assert a["p_value"].isna().all() and a["p_adj"].isna().all()
    assert "one document" in a.loc["attack", "note"]
    # with two groups, "2024 vs rest" is the mirror image
    b = res[res.group == "2024"].set_index("term")
    assert b.loc["attack", "z"] == pytest.approx(-z_attack)


def test_g2_function_matches_scipy_log_likelihood_contingency():
    a, b, n_a, n_b = np.array([3.0, 1.0, 0.0]), np.array([1.0, 4.0, 2.0]), 6.0, 7.0
    g2 = g_squared(a, b, n_a, n_b)
    for k in range(3):
        table = [[a[k], b[k]], [n_a - a[k], n_b - b[k]]]
        expected = stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")[0]
        assert g2[k] == pytest.approx(expected, rel=1e-10, abs=1e-12)
    assert g_squared(np.array([0.0]), np.array([0.0]), 5, 5)[0] == 0.0


def test_columns_sort_and_bh():
    prep = make_prepared({f"d{i}": ({"period": "2015" if i < 3 else "2024"},
                                    [["peace"] * (3 - i % 3) + ["attack"] * (i % 2 + 1) + ["talks"] * 2])
                          for i in range(6)})
    res = keyness(prep, "period", min_count=0, n_permutations=100)
    t = res.to_frame()
    assert list(t.columns[:10]) == ["grouping", "group", "reference", "term", "count", "count_reference",
                                    "log_odds", "z", "p_adj", "p_value"]
    assert "g2" not in t.columns and "g2_p_value" not in t.columns
    for _, block in t.groupby(["grouping", "group", "reference"], sort=False):
        z = block["z"].to_numpy()
        assert np.all(np.diff(z) <= 0)
        np.testing.assert_allclose(block["p_adj"], stats.false_discovery_control(block["p_value"], method="bh"))
        assert (block["p_adj"] >= block["p_value"] - 1e-15).all()
    assert "Keyness" in repr(res) and "2015 vs rest" in res.summary()


def test_exact_permutation_p_value_matches_enumeration_by_hand():
    docs = {"a1": ["war"] * 3 + ["talk"] * 5, "a2": ["war"] * 1 + ["talk"] * 4,
            "b1": ["talk"] * 6 + ["war"] * 2, "b2": ["talk"] * 2 + ["peace"] * 3}
    prep = make_prepared({d: ({"g": d[0]}, [toks]) for d, toks in docs.items()})
    t = keyness(prep, "g", pairs=[("a", "b")], min_count=0, prior_scale=0.5).to_frame().set_index("term")
    vocab = ["peace", "talk", "war"]
    counts = {d: np.array([toks.count(w) for w in vocab], float) for d, toks in docs.items()}
    alpha = 0.5 * sum(counts.values())
    names = list(docs)
    observed = log_odds_dirichlet(counts["a1"] + counts["a2"], counts["b1"] + counts["b2"], alpha)[2]
    null = []
    for chosen in itertools.combinations(names, 2):  # all 6 splits of 4 documents into 2 + 2
        y_i = sum(counts[d] for d in chosen)
        y_j = sum(counts[d] for d in names if d not in chosen)
        null.append(log_odds_dirichlet(y_i, y_j, alpha)[2])
    null = np.array(null)
    for k, w in enumerate(vocab):
        less = np.mean(null[:, k] <= observed[k] + 1e-12)
        greater = np.mean(null[:, k] >= observed[k] - 1e-12)
        assert t.loc[w, "p_value"] == pytest.approx(min(1.0, 2 * min(less, greater)))
        assert t.loc[w, "z"] == pytest.approx(observed[k])
    assert t["exact"].all() and t["p_min"].iloc[0] == pytest.approx(2 / 6)
    assert "exact over 6 splits" in t["note"].iloc[0]


def test_one_document_repeating_a_word_is_not_significant_but_a_shared_word_is():
    rng = np.random.default_rng(3)
    filler = ["said", "report", "government", "city", "people", "week", "official", "plan"]
    docs = {}
    for i in range(16):
        group = "x" if i < 8 else "y"
        toks = list(rng.choice(filler, size=60))
        if i == 0:
            toks += ["ttp"] * 40  # one document repeats a word no other document uses
        if group == "x":
            toks += ["border"] * 3  # every document of x uses it moderately, no document of y
        docs[f"d{i:02d}"] = ({"g": group}, [toks])
    prep = make_prepared(docs)
    t = keyness(prep, "g", pairs=[("x", "y")], min_count=3).to_frame().set_index("term")
    assert t.loc["ttp", "z"] > 3  # tokens as independent draws: normal p below 0.003
    assert t.loc["ttp", "p_value"] > 0.3 and t.loc["ttp", "p_adj"] > 0.05
    assert t.loc["ttp", "one_doc"] and t.loc["ttp", "docs_using"] == 1 and t.loc["ttp", "top_doc_share"] == 1.0
    assert t.loc["border", "p_value"] < 0.001 and t.loc["border", "p_adj"] < 0.05
    assert not t.loc["border", "one_doc"] and t.loc["border", "docs_using"] == 8
    assert t.loc["border", "docs_using_reference"] == 0
    assert t.loc["border", "dp"] < t.loc["ttp", "dp"]
    assert t["exact"].iloc[0] == (2000 >= math.comb(16, 8))


def test_dispersion_columns_match_gries_by_hand():
    prep = make_prepared({
        "a1": ({"g": "a"}, [["w", "w", "w", "x"]]),
        "a2": ({"g": "a"}, [["x", "y", "y", "y"], ["x", "y"]]),
        "b1": ({"g": "b"}, [["w", "y"]]),
    })
    t = keyness(prep, "g", pairs=[("a", "b")], min_count=0).to_frame().set_index("term")
    # group a: documents of 4 and 6 tokens (s = 0.4, 0.6); w: 3 of 3 in a1 -> DP = 0.5 * (|1 - .4| + |0 - .6|) = 0.6
    assert t.loc["w", "dp"] == pytest.approx(0.6)
    # x: 1 in a1, 2 in a2 -> v = (1/3, 2/3) -> DP = 0.5 * (|1/3 - .4| + |2/3 - .6|) = 1/15
    assert t.loc["x", "dp"] == pytest.approx(1 / 15)
    assert t.loc["x", "docs_using"] == 2 and t.loc["x", "top_doc_share"] == pytest.approx(2 / 3)
    assert np.isnan(t.loc["w", "dp_reference"])  # one document: no dispersion
    assert np.isnan(gries_dp(sparse.csr_matrix([[1, 0], [1, 0]]))[1])  # an unused term


def test_pairs_min_count_phrases_and_unknown_groups():
    prep = make_prepared({
        "a": ({"period": "2015", "outlet_country": "Pakistan"}, [["peace_talks"] * 6 + ["border"] * 2]),
        "b": ({"period": "2024", "outlet_country": "Pakistan"}, [["border_closure"] * 6 + ["border"] * 2]),
        "c": ({"period": "2021", "outlet_country": None}, [["peace_talks", "rare"]]),
        "d": ({"period": None, "outlet_country": "Afghanistan"}, [["unknown_only"] * 9]),
    })
    res = keyness(prep, "period", pairs=[("2015", "2024")], min_count=3, prior_scale=1.0)
    t = res.to_frame()
    assert set(t.reference) == {"2024"}  # pairs= means those pairs only
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
    # against_rest=True adds each group against the rest; blocks: the vs-rest comparisons first, then the pair
    both = keyness(prep, "period", pairs=[("2015", "2024")], against_rest=True, min_count=3)
    assert both.params["against_rest"] and res.params["against_rest"] is False
    refs = both.to_frame()["reference"].tolist()
    assert set(refs) == {"rest", "2024"}
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
    with pytest.raises(ParameterError, match="prior_scale"):
        keyness(tiny, "period", prior_scale=0)
    with pytest.raises(ParameterError, match="n_permutations"):
        keyness(tiny, "period", n_permutations=0)
    with pytest.raises(ParameterError, match="pairs"):
        keyness(tiny, "period", pairs=[("2015", "2015")])


def test_group_labels_crossing_and_unknowns():
    meta = pd.DataFrame({"doc_id": ["x", "y", "z"], "country": ["Pakistan", None, "US"],
                         "period": ["2024", "2015", float("nan")]}).set_index("doc_id")
    lab = group_labels(meta, "country:period")
    assert lab.tolist() == ["Pakistan × 2024", None, None]
    assert lab.index.name == "doc_id" and lab.name == "country:period"
    assert group_labels(meta, "period").tolist() == ["2024", "2015", None]
    with pytest.raises(ParameterError, match="available columns: country, period"):
        group_labels(meta, "country:outlet")


def test_keyness_is_deterministic_and_seeded():
    prep = make_prepared({f"d{i}": ({"g": "a" if i % 2 else "b"}, [["w"] * (i % 4 + 1) + ["v"] * (i % 3 + 1)])
                          for i in range(24)})
    a = keyness(prep, ["g"], min_count=0, n_permutations=200, random_state=7).to_frame()
    b = keyness(prep, ["g"], min_count=0, n_permutations=200, random_state=7).to_frame()
    c = keyness(prep, ["g"], min_count=0, n_permutations=200, random_state=8).to_frame()
    assert a.to_csv() == b.to_csv()
    assert not a["exact"].any() and a["p_min"].iloc[0] == pytest.approx(2 / 201)
    assert not np.allclose(a["p_value"], c["p_value"])


def test_sequential_monte_carlo_resolves_strong_terms_only():
    rng = np.random.default_rng(11)
    filler = [f"f{j}" for j in range(30)]
    docs = {f"d{i:02d}": ({"g": "x" if i < 12 else "y"},
                          [list(rng.choice(filler, size=80)) + (["planted"] * 4 if i < 12 else [])])
            for i in range(24)}
    t = keyness(make_prepared(docs), "g", pairs=[("x", "y")], min_count=5, n_permutations=100,
                random_state=2).to_frame().set_index("term")
    assert not t["exact"].any()
    # the planted term got more random splits than the 100 every term gets, and a p-value below 2 / 101
    assert t.loc["planted", "p_min"] < 2 / 101 and t.loc["planted", "p_value"] < 2 / 101
    assert t.loc["planted", "p_adj"] < 0.05
    # terms with many splits as extreme stop at 100
    null = t.drop(index="planted")
    assert np.isclose(null["p_min"], 2 / 101).mean() > 0.5
