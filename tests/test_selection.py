"""Choosing K for LDA: coherence (gensim CoherenceModel), stability across seeds, and the documented rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from gensim.models import CoherenceModel

import discourse
from discourse.errors import ParameterError
from discourse.models import KSelection, select_k
from discourse.models.lda import build_dictionary, train_lda
from discourse.models.selection import choose_k, stability
from test_models_lda import PLANTED, planted_records, prepare


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
    best = max(np.mean(sim[np.arange(5), list(p)]) for p in __import__("itertools").permutations(range(5)))
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


# --- the rule -----------------------------------------------------------------------------
def _summary(cv, sd, stab, n_seeds=3):
    k = list(range(2, 2 + len(cv)))
    return pd.DataFrame({"k": k, "c_v_mean": cv, "c_v_sd": sd, "npmi_mean": 0.0, "npmi_sd": 0.0,
                         "stability_mean": stab, "stability_sd": 0.0, "n_seeds": n_seeds})


def test_rule_takes_the_smallest_k_within_one_sd_of_the_best():
    s = _summary(cv=[0.40, 0.55, 0.60, 0.58], sd=[0.01, 0.01, 0.06, 0.01], stab=[0.9, 0.9, 0.9, 0.9])
    assert choose_k(s, stability_threshold=0.6)[0] == 3  # 0.55 >= 0.60 - 0.06
    s = _summary(cv=[0.40, 0.55, 0.60, 0.58], sd=[0.01, 0.01, 0.02, 0.01], stab=[0.9, 0.9, 0.9, 0.9])
    assert choose_k(s, stability_threshold=0.6)[0] == 4


def test_rule_drops_unstable_k_and_falls_back_when_none_is_stable(caplog):
    s = _summary(cv=[0.40, 0.70, 0.60], sd=[0.01, 0.01, 0.01], stab=[0.9, 0.3, 0.9])
    assert choose_k(s, stability_threshold=0.6)[0] == 4  # k=3 has the best C_V but is unstable
    s = _summary(cv=[0.40, 0.70, 0.60], sd=[0.01, 0.01, 0.01], stab=[0.2, 0.3, 0.1])
    with caplog.at_level("WARNING", logger="discourse.models.selection"):
        k, rule = choose_k(s, stability_threshold=0.6)
    assert k == 3 and "all K were eligible" in rule
    assert "stability" in caplog.text


# --- select_k on a corpus with four planted topics ----------------------------------------
def test_select_k_tables(selection):
    assert isinstance(selection, KSelection)
    assert list(selection.scores.columns) == ["k", "seed", "c_v", "npmi", "stability"]
    assert list(selection.summary.columns) == ["k", "c_v_mean", "c_v_sd", "npmi_mean", "npmi_sd", "stability_mean",
                                               "stability_sd", "n_seeds", "chosen"]
    assert len(selection.scores) == 5 * 3 and selection.summary["k"].tolist() == [2, 3, 4, 5, 6]
    assert (selection.summary["n_seeds"] == 3).all()
    assert selection.summary["chosen"].sum() == 1
    assert selection.summary.loc[selection.summary["chosen"], "k"].item() == selection.best_k
    assert "one standard deviation" in selection.rule
    means = selection.scores.groupby("k")["c_v"].mean().to_numpy()
    np.testing.assert_allclose(selection.summary["c_v_mean"], means)
    assert choose_k(selection.summary, stability_threshold=0.6)[0] == selection.best_k


def test_select_k_finds_the_planted_number_of_topics(selection):
    assert selection.best_k == len(PLANTED)
    s = selection.summary.set_index("k")
    # two topics cannot separate four planted vocabularies: far less coherent than four
    assert s.loc[4, "c_v_mean"] > s.loc[2, "c_v_mean"] + 0.3


def test_coherence_equals_gensim_on_each_fit_alone(planted_prepared, selection):
    """Scoring all fits' topics in one CoherenceModel pass gives each fit's own coherence."""
    dictionary, bow = build_dictionary(planted_prepared.tokens, no_below=2, no_above=0.5)
    model = train_lda(bow, dictionary, k=3, seed=1, passes=10, iterations=100, alpha="auto", eta=None)
    topics = [[w for w, _ in model.show_topic(t, topn=10)] for t in range(3)]
    for measure, col in (("c_v", "c_v"), ("c_npmi", "npmi")):
        alone = CoherenceModel(topics=topics, texts=planted_prepared.tokens, dictionary=dictionary,
                               coherence=measure, topn=10, processes=1).get_coherence()
        got = selection.scores.query("k == 3 and seed == 1")[col].item()
        assert got == pytest.approx(alone, abs=1e-9)


def test_select_k_is_silent_without_progress(planted_prepared, capfd):
    select_k(planted_prepared, k_range=(2, 3), seeds=(0,), passes=1, progress=False)
    assert capfd.readouterr().err == ""


def test_select_k_progress_bar_when_asked(planted_prepared, capfd):
    select_k(planted_prepared, k_range=(2, 3), seeds=(0,), passes=1, progress=True)
    assert "LDA K sweep" in capfd.readouterr().err


def test_single_seed_has_no_stability(planted_prepared):
    sel = select_k(planted_prepared, k_range=(2, 4), seeds=(0,), passes=2, progress=False)
    assert sel.scores["stability"].isna().all()
    assert sel.best_k in (2, 4)


@pytest.mark.parametrize("kw, name", [({"k_range": (1, 3)}, "k_range"), ({"k_range": ()}, "k_range"),
                                      ({"seeds": (0, 0)}, "seeds"), ({"topn": 1}, "topn"),
                                      ({"stability_threshold": 2}, "stability_threshold"),
                                      ({"alpha": "bad"}, "alpha"), ({"passes": 0}, "passes")])
def test_bad_parameters_are_named(planted_prepared, kw, name):
    with pytest.raises(ParameterError, match=rf"^{name}="):
        select_k(planted_prepared, **kw)
