"""Choosing K for LDA as stm's searchK does: held-out likelihood, semantic coherence, exclusivity,
C_V/NPMI (gensim CoherenceModel), stability across seeds, and the documented rule."""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from gensim.models import CoherenceModel

import discourse
from discourse.errors import ParameterError
from discourse.models import KSelection, select_k
from discourse.models._gensim_lda import build_dictionary, infer_doc_topics, train_lda
from discourse.models._searchk_metrics import (
    exclusivity,
    heldout_loglik,
    make_heldout,
    semantic_coherence,
    top_terms,
)
from discourse.models.selection import choose_k, stability
from test_models_lda import PLANTED, planted_records, prepare


def _bench():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "select_k_planted.py"
    spec = importlib.util.spec_from_file_location("select_k_planted", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def planted_prepared():
    return prepare(discourse.Corpus.from_records(planted_records()))


@pytest.fixture(scope="module")
def selection(planted_prepared):
    return select_k(planted_prepared, k_range=(2, 3, 4, 5, 6), seeds=(0, 1, 2), progress=False)


# --- stability ---------------------------------------------------------------------------
def test_stability_matches_topics_one_to_one():
    rng = np.random.default_rng(0)
    a = rng.dirichlet(np.full(30, 0.1), size=5)
    # the same topics in another order are perfectly stable
    np.testing.assert_allclose(stability([a, a[[3, 1, 4, 0, 2]]]), [1.0, 1.0])
    # unrelated topics are less stable; the value is the mean cosine of the Hungarian-matched pairs
    b = rng.dirichlet(np.full(30, 0.1), size=5)
    got = stability([a, b])
    an = a / np.linalg.norm(a, axis=1, keepdims=True)
    bn = b / np.linalg.norm(b, axis=1, keepdims=True)
    sim = an @ bn.T
    best = max(np.mean(sim[np.arange(5), list(p)]) for p in itertools.permutations(range(5)))
    np.testing.assert_allclose(got, [best, best])
    assert best < 0.9
    assert np.isnan(stability([a])).all()


def test_stability_of_three_fits_averages_the_other_two():
    rng = np.random.default_rng(1)
    mats = [rng.dirichlet(np.full(20, 0.2), size=3) for _ in range(3)]
    s = stability(mats)
    pair = lambda i, j: stability([mats[i], mats[j]])[0]  # noqa: E731
    np.testing.assert_allclose(s, [(pair(0, 1) + pair(0, 2)) / 2, (pair(0, 1) + pair(1, 2)) / 2,
                                   (pair(0, 2) + pair(1, 2)) / 2])


# --- the searchK measures -------------------------------------------------------------------
def _random_bow(n_docs=60, n_terms=40, seed=0):
    rng = np.random.default_rng(seed)
    bow = []
    for _ in range(n_docs):
        tokens = rng.integers(0, n_terms, size=int(rng.integers(0, 30)))
        ids, counts = np.unique(tokens, return_counts=True)
        bow.append([(int(t), int(c)) for t, c in zip(ids, counts)])
    return bow


def test_heldout_split_is_stms_document_completion():
    bow = _random_bow()
    h = make_heldout(bow, seed=3)
    assert len(h.index) == 6 and list(h.index) == sorted(h.index)  # floor(10% of 60) passages
    for d, row in enumerate(bow):
        if d not in set(h.index):
            assert h.train[d] == row
    for i, miss in zip(h.index, h.missing):
        full = dict(bow[i])
        n = sum(full.values())
        assert n >= 2
        assert sum(c for _, c in miss) == n // 2  # half the tokens, rounded down
        together = dict(h.train[i])
        for t, c in miss:
            together[t] = together.get(t, 0) + c
        assert together == full  # the two halves are the passage
    again = make_heldout(bow, seed=3)
    assert again.missing == h.missing and again.train == h.train
    assert make_heldout(bow, seed=4).missing != h.missing


def test_heldout_loglik_scores_each_held_out_token_under_theta_beta():
    rng = np.random.default_rng(2)
    beta = rng.dirichlet(np.ones(12), size=3)
    theta = rng.dirichlet(np.ones(3), size=2)
    missing = [[(0, 2), (5, 1)], [(11, 3)]]
    got = heldout_loglik(theta, beta, missing)
    tokens = [[0, 0, 5], [11, 11, 11]]
    expected = [np.mean([np.log(sum(theta[d, k] * beta[k, w] for k in range(3))) for w in toks])
                for d, toks in enumerate(tokens)]
    np.testing.assert_allclose(got, expected)


def test_semantic_coherence_counts_co_documents_as_mimno_et_al():
    bow = _random_bow(seed=5)
    docs = [{t for t, _ in row} for row in bow]
    rows = [d for d, row in enumerate(bow) for _ in row]
    cols = [t for row in bow for t, _ in row]
    vals = [c for row in bow for _, c in row]
    X = sp.csc_matrix((vals, (rows, cols)), shape=(len(bow), 40))
    top = np.array([[3, 7, 1, 20], [5, 4, 39, 0]])
    got = semantic_coherence(top, X)
    for t, words in enumerate(top):
        total = 0.0
        for m in range(1, len(words)):
            for lo in range(m):
                both = sum(1 for d in docs if words[m] in d and words[lo] in d)
                alone = sum(1 for d in docs if words[lo] in d)
                total += np.log((both + 1) / alone)
        assert got[t] == pytest.approx(total)


def test_exclusivity_is_stms_frex_sum_over_top_terms():
    rng = np.random.default_rng(4)
    beta = rng.dirichlet(np.full(25, 0.3), size=4)
    top = top_terms(beta, 6)
    assert (np.sort(beta, axis=1)[:, ::-1][:, :6] == np.take_along_axis(beta, top, axis=1)).all()
    # stm::exclusivity: ranks within each topic of phi_kw / sum_k phi_kw and of phi_kw, as ECDFs
    frame = pd.DataFrame(beta.T)
    ex = frame.div(frame.sum(axis=1), axis=0).rank() / 25
    fr = frame.rank() / 25
    frex = 1 / (0.7 / ex + 0.3 / fr)
    expected = [frex[k].to_numpy()[top[k]].sum() for k in range(4)]
    np.testing.assert_allclose(exclusivity(beta, top), expected)
    # topics with vocabularies of their own are more exclusive than identical topics
    own = np.kron(np.eye(3), np.full((1, 4), 0.2)) + 0.05 / 3
    same = np.tile(own.mean(axis=0), (3, 1))
    assert exclusivity(own, top_terms(own, 4)).min() > exclusivity(same, top_terms(same, 4)).max()


# --- the rule -----------------------------------------------------------------------------
def _summary(held, held_se, coh, exc, stab, n_seeds=3):
    k = list(range(2, 2 + len(held)))
    return pd.DataFrame({"k": k, "heldout_mean": held, "heldout_se": held_se, "coherence_mean": coh,
                         "exclusivity_mean": exc, "stability_mean": stab, "n_seeds": n_seeds})


def test_rule_keeps_k_within_one_standard_error_of_the_best_heldout():
    # k=5 has the best held-out likelihood; k=4 and 6 are within its standard error, k=2, 3 are not
    s = _summary(held=[-5.0, -4.8, -4.62, -4.6, -4.64], held_se=[0.05] * 5, coh=[-40, -38, -30, -33, -35],
                 exc=[9.0, 9.2, 9.6, 9.55, 9.5], stab=[0.9] * 5)
    k, rule, eligible = choose_k(s, stability_threshold=0.6)
    assert eligible.tolist() == [False, False, True, True, True]
    assert k == 4  # best standardised coherence + exclusivity among 4, 5, 6
    assert "one standard error" in rule and "0.6" in rule
    # a wider standard error admits k=3, which then wins on coherence
    s2 = s.assign(heldout_se=0.25, coherence_mean=[-40, -20, -30, -33, -35], exclusivity_mean=9.5)
    assert choose_k(s2, stability_threshold=0.6)[0] == 3


def test_rule_weighs_coherence_and_exclusivity_on_the_scale_of_the_whole_sweep():
    # k=2 and 3 are eligible; k=2 is slightly more coherent, k=3 far more exclusive for this sweep
    s = _summary(held=[-5.0, -5.02, -5.5, -5.6, -5.7], held_se=[0.05] * 5, coh=[-60, -61, -70, -75, -80],
                 exc=[7.0, 8.5, 8.6, 8.7, 8.8], stab=[0.9] * 5)
    k, _, eligible = choose_k(s, stability_threshold=0.6)
    assert eligible.tolist() == [True, True, False, False, False] and k == 3
    # the other way round: k=2 far more coherent, k=3 slightly more exclusive
    s = s.assign(coherence_mean=[-60, -70, -71, -72, -73], exclusivity_mean=[8.5, 8.6, 8.7, 8.8, 8.9])
    assert choose_k(s, stability_threshold=0.6)[0] == 2


def test_stability_threshold_binds_and_falls_back_when_none_is_stable(caplog):
    s = _summary(held=[-5.0, -4.8, -4.62, -4.6, -4.64], held_se=[0.05] * 5, coh=[-40, -38, -30, -33, -35],
                 exc=[9.0, 9.2, 9.6, 9.55, 9.5], stab=[0.9, 0.9, 0.5, 0.9, 0.9])
    k, _, eligible = choose_k(s, stability_threshold=0.6)
    assert not eligible[2] and k == 5
    # the best held-out K itself unstable: the best among the stable ones sets the bar
    s3 = s.assign(stability_mean=[0.9, 0.9, 0.9, 0.5, 0.9])
    k, _, eligible = choose_k(s3, stability_threshold=0.6)
    assert eligible.tolist() == [False, False, True, False, True] and k == 4
    low = s.assign(stability_mean=0.3)
    with caplog.at_level("WARNING", logger="discourse.models.selection"):
        k, rule, eligible = choose_k(low, stability_threshold=0.6)
    assert "did not restrict" in rule and "stability" in caplog.text
    assert eligible.tolist() == [False, False, True, True, True]


# --- select_k on a corpus with four planted topics ----------------------------------------
def test_select_k_tables(selection):
    assert isinstance(selection, KSelection)
    assert list(selection.scores.columns) == ["k", "seed", "heldout", "coherence", "exclusivity", "c_v", "npmi",
                                              "stability"]
    assert len(selection.scores) == 5 * 3 and selection.summary["k"].tolist() == [2, 3, 4, 5, 6]
    s = selection.summary
    assert (s["n_seeds"] == 3).all() and (s["n_heldout"] == len(selection.heldout) // 5).all()
    assert s["chosen"].sum() == 1 and s.loc[s["chosen"], "eligible"].item()
    assert s.loc[s["chosen"], "k"].item() == selection.best_k
    for m in ("coherence", "exclusivity", "c_v", "npmi", "stability"):
        by_k = selection.scores.groupby("k")[m]
        np.testing.assert_allclose(s[f"{m}_mean"], by_k.mean())
        np.testing.assert_allclose(s[f"{m}_sd"], by_k.std(ddof=1))
        if m != "stability":  # seeds' stabilities share pairs of fits: no standard error
            np.testing.assert_allclose(s[f"{m}_se"], by_k.std(ddof=1) / np.sqrt(3))  # a standard error of the mean
    assert s["stability_se"].isna().all()
    per_doc = selection.heldout.groupby("k")["loglik"]
    np.testing.assert_allclose(s["heldout_mean"], per_doc.mean())
    seeds_var = selection.scores.groupby("k")["heldout"].var(ddof=1) / 3
    np.testing.assert_allclose(s["heldout_se"], np.sqrt(per_doc.var(ddof=1) / per_doc.size() + seeds_var))
    # the per-fit held-out score is the mean over the held-out passages; averaged over seeds it is heldout_mean
    np.testing.assert_allclose(selection.scores.groupby("k")["heldout"].mean(), s["heldout_mean"])
    assert choose_k(s, stability_threshold=0.6)[0] == selection.best_k


def test_select_k_finds_the_planted_number_of_topics(selection):
    # one planted vocabulary (farming) splits consistently in two at k=5 (stability 0.99 across seeds)
    assert abs(selection.best_k - len(PLANTED)) <= 1
    s = selection.summary.set_index("k")
    # two topics cannot separate four planted vocabularies: worse held-out likelihood and coherence
    assert s.loc[4, "heldout_mean"] > s.loc[2, "heldout_mean"] + 2 * s.loc[4, "heldout_se"]
    assert s.loc[4, "c_v_mean"] > s.loc[2, "c_v_mean"] + 0.3


def test_select_k_is_deterministic(planted_prepared):
    kw = dict(k_range=(3, 4), seeds=(0, 1), passes=3, progress=False)
    a, b = select_k(planted_prepared, **kw), select_k(planted_prepared, **kw)
    assert a.scores.to_csv().encode() == b.scores.to_csv().encode()
    assert a.summary.to_csv().encode() == b.summary.to_csv().encode()


def test_scores_equal_each_fit_scored_alone(planted_prepared, selection):
    """Every measure of one fit, recomputed from a model trained as select_k trains it."""
    dictionary, bow = build_dictionary(planted_prepared.tokens, no_below=2, no_above=0.5)
    split = make_heldout(bow, seed=0)  # the first seed draws the held-out split
    model = train_lda(split.train, dictionary, k=3, seed=1, passes=10, iterations=100, alpha="auto", eta=None)
    got = selection.scores.query("k == 3 and seed == 1")
    theta = infer_doc_topics(model, [split.train[i] for i in split.index], 1)
    held = heldout_loglik(theta, model.get_topics().astype(np.float64), split.missing)
    assert got["heldout"].item() == pytest.approx(held.mean(), abs=1e-12)
    topics = [[w for w, _ in model.show_topic(t, topn=10)] for t in range(3)]
    for measure, col in (("c_v", "c_v"), ("c_npmi", "npmi")):
        alone = CoherenceModel(topics=topics, texts=planted_prepared.tokens, dictionary=dictionary,
                               coherence=measure, topn=10, processes=1).get_coherence()
        assert got[col].item() == pytest.approx(alone, abs=1e-9)


def test_select_k_is_silent_without_progress(planted_prepared, capfd):
    select_k(planted_prepared, k_range=(2, 3), seeds=(0,), passes=1, progress=False)
    assert capfd.readouterr().err == ""


def test_select_k_progress_bar_when_asked(planted_prepared, capfd):
    select_k(planted_prepared, k_range=(2, 3), seeds=(0,), passes=1, progress=True)
    assert "LDA K sweep" in capfd.readouterr().err


def test_single_seed_has_no_stability(planted_prepared):
    sel = select_k(planted_prepared, k_range=(2, 4), seeds=(0,), passes=2, progress=False)
    assert sel.scores["stability"].isna().all() and sel.summary["coherence_se"].isna().all()
    assert sel.best_k in (2, 4)


def test_lda_auto_uses_the_selection(planted_prepared, tmp_path):
    lda = discourse.LDA(k="auto", k_range=(3, 4, 5), seeds=(0, 1), passes=5, progress=False).fit(planted_prepared)
    assert lda.k_ == lda.selection_.best_k and lda.doc_topic_.shape[1] == lda.k_
    assert lda.provenance_["extra"]["selection_rule"] == lda.selection_.rule
    lda.save(tmp_path / "lda")
    back = discourse.LDA.load(tmp_path / "lda").selection_
    assert len(back.heldout) == len(lda.selection_.heldout) > 0  # every table of the sweep survives save/load
    pd.testing.assert_frame_equal(back.heldout, lda.selection_.heldout, check_dtype=False)
    pd.testing.assert_frame_equal(back.summary, lda.selection_.summary, check_dtype=False)


@pytest.mark.parametrize("kw, name", [({"k_range": (1, 3)}, "k_range"), ({"k_range": ()}, "k_range"),
                                      ({"seeds": (0, 0)}, "seeds"), ({"topn": 1}, "topn"),
                                      ({"stability_threshold": 2}, "stability_threshold"),
                                      ({"alpha": "bad"}, "alpha"), ({"passes": 0}, "passes")])
def test_bad_parameters_are_named(planted_prepared, kw, name):
    with pytest.raises(ParameterError, match=rf"^{name}="):
        select_k(planted_prepared, **kw)


# --- planted corpora of 8 and 15 topics, and the Lee corpus (benchmarks/select_k_planted.py) --------
@pytest.mark.slow
@pytest.mark.parametrize("n_topics, k_range", [(8, (4, 6, 8, 10, 12)), (15, (9, 11, 13, 15, 17, 19, 21))])
def test_planted_number_of_topics_is_found_within_two(n_topics, k_range):
    bench = _bench()
    corpus = bench.planted_corpus(n_topics, bench.PLANTED[n_topics]["n_docs"], 1, **bench.GENERATOR)
    sel = select_k(corpus, k_range=k_range, seeds=(0, 1), progress=False)
    assert abs(sel.best_k - n_topics) <= 2, sel.summary


@pytest.mark.slow
def test_lee_corpus_does_not_get_the_smallest_k():
    sel = select_k(_bench().lee_prepared(), k_range=(2, 4, 6, 8, 10), seeds=(0, 1), progress=False)
    assert sel.best_k > 2, sel.summary
