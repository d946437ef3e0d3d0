"""BERTopic runs: alignment when runs find different numbers of topics, noise stability, analysis over runs.

The alignment tests use small hand-made term matrices; the BERTopic tests fit
the real model (MiniLM, UMAP, HDBSCAN) on the seeds, module-scoped.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import discourse
from discourse.compare import prevalence
from discourse.errors import ParameterError
from discourse.models import BERTopicModel
from discourse.models.embed import SentenceTransformerEmbedder
from discourse.models.runs import RECUR_SIMILARITY, STABLE_SHARE, aligned_doc_topic, fit_runs
from discourse.sensitivity import numeric_sensitivity

slow = pytest.mark.slow
VOCAB = ["a", "b", "c", "d", "e", "f"]


def one_hot_model(ids, W, assign):
    """A fitted-model stand-in: topic ids, term rows, one-hot passage topics (``assign`` indexes ``ids``)."""
    theta = np.zeros((len(assign), len(ids)))
    theta[np.arange(len(assign)), assign] = 1.0
    return SimpleNamespace(topic_ids_=list(ids), doc_topic_=theta,
                           term_matrix=lambda: (list(ids), VOCAB, np.asarray(W, float)))


T0, T1, T2 = [.8, .1, .1, 0, 0, 0], [0, 0, .8, .1, .1, 0], [0, 0, 0, 0, .2, .8]
T1A, T1B = [0, 0, .9, .1, 0, 0], [0, 0, .7, 0, .3, 0]  # two halves of T1
ASSIGN = np.array([0, 0, 1, 1, 1, 1, 2, 2])


def test_a_split_topic_counts_towards_its_parent():
    ref = one_hot_model([0, 1, 2], [T0, T1, T2], ASSIGN)
    # the other run splits topic 1 in two (columns in another order)
    other = one_hot_model([0, 1, 2, 3], [T2, T1A, T0, T1B], np.array([2, 2, 1, 1, 3, 3, 0, 0]))
    theta, sim = aligned_doc_topic(ref, other)
    np.testing.assert_array_equal(theta, ref.doc_topic_)  # every passage keeps its reference topic
    assert (sim > RECUR_SIMILARITY).all()


def test_a_topic_missing_from_a_run_has_zero_share_and_similarity():
    ref = one_hot_model([0, 1, 2], [T0, T1, T2], ASSIGN)
    # the other run merges topics 1 and 2 into one topic that resembles topic 2
    other = one_hot_model([0, 1], [T0, T2], np.array([0, 0, 1, 1, 1, 1, 1, 1]))
    theta, sim = aligned_doc_topic(ref, other)
    assert sim[1] == 0.0 and sim[0] == pytest.approx(1.0) and sim[2] == pytest.approx(1.0)
    np.testing.assert_array_equal(theta[:, 1], 0.0)
    np.testing.assert_array_equal(theta[:, 2], [0, 0, 1, 1, 1, 1, 1, 1])


def test_an_unmatched_topic_unlike_every_reference_topic_counts_for_none():
    ref = one_hot_model([0, 1], [T0, T2], np.array([0, 0, 1, 1]))
    other = one_hot_model([0, 1, 2], [T0, T2, [0, 1, 0, 0, 0, 0]], np.array([0, 2, 1, 1]))
    theta, _ = aligned_doc_topic(ref, other)
    np.testing.assert_array_equal(theta.sum(axis=1), [1, 0, 1, 1])


def test_the_outlier_topic_is_matched_only_to_the_outlier_topic():
    # the other run's outlier terms look like reference topic 0; -1 still pairs with -1
    ref = one_hot_model([-1, 0, 1], [T1, T0, T2], np.array([0, 1, 1, 2]))
    other = one_hot_model([-1, 0, 1], [T0, T2, T0], np.array([0, 2, 2, 1]))
    theta, sim = aligned_doc_topic(ref, other)
    np.testing.assert_array_equal(theta, ref.doc_topic_)
    assert sim[0] < RECUR_SIMILARITY  # the outliers' terms differ: the low similarity is reported, not re-paired


# --- the real model ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("embeddings")


@pytest.fixture(scope="module")
def seeds_prepared():
    return discourse.prepare(discourse.load_seeds(), progress=False)


@pytest.fixture(scope="module")
def bt_runs(seeds_prepared, cache):
    return fit_runs(BERTopicModel(cache_dir=cache, random_state=0, progress=False), seeds_prepared, n_runs=3)


@slow
def test_bertopic_runs_are_aligned_and_carry_noise_stability(bt_runs, seeds_prepared, cache):
    runs, n = bt_runs, len(seeds_prepared.passages)
    assert runs.name == "bertopic" and runs.seeds == [0, 1, 2]
    assert runs.doc_topic.shape == (3, n, len(runs.topic_ids_))
    np.testing.assert_array_equal(runs.doc_topic[0], runs.reference.doc_topic_)
    assert (runs.doc_topic.sum(axis=2) <= 1.0 + 1e-12).all()
    st = runs.stability()
    assert (st["model"] == "bertopic").all() and (st["n_runs"] == 3).all()
    assert st["noise_kept"].between(0, 1).all()
    expected = (st["recurrence"] < STABLE_SHARE) | (st["noise_kept"] < STABLE_SHARE)
    assert (st["unstable"] == expected).all()
    # the passages kept under noise are those numeric_sensitivity does not count as moved
    emb = SentenceTransformerEmbedder(cache_dir=cache, progress=False).encode(seeds_prepared.passages["text"].tolist())
    moved = numeric_sensitivity(seeds_prepared, models=("bertopic",), rel=1e-6, embeddings=emb).to_frame()
    sizes = runs.reference.doc_topic_.sum(axis=0)
    kept = float((st["noise_kept"].to_numpy() * sizes).sum() / n)
    assert kept == pytest.approx(1 - moved["passages_moved"].iloc[0])


@slow
def test_bertopic_tables_flag_the_unstable_topics(bt_runs, seeds_prepared):
    flagged = set(bt_runs.unstable_topics())
    p = prevalence(seeds_prepared, bt_runs, "period").to_frame()
    assert set(p.loc[p["unstable"], "topic"]) == flagged and (p["n_runs"] == 3).all()


def test_embedding_noise_is_validated(seeds_prepared):
    with pytest.raises(ParameterError, match="embedding_noise"):
        BERTopicModel(embedding_noise=-1.0).fit(seeds_prepared)


@slow
def test_analysis_fits_bertopic_runs_and_reuses_them(tmp_path):
    corpus = discourse.load_seeds()
    config = dict(models=("bertopic",), n_runs=2, figures=False, progress=False, n_resamples=100,
                  n_permutations=100, cache_dir=str(tmp_path))
    res = discourse.analyze(corpus, by=("period",), **config)
    st = res.tables["stability"]
    assert set(st["model"]) == {"bertopic"} and (st["n_runs"] == 2).all() and st["noise_kept"].notna().all()
    assert (res.tables["prevalence"]["n_runs"] == 2).all()
    fitted = sorted(p.name for p in (tmp_path / "models").iterdir())
    assert len(fitted) == 3  # two runs and the reference refitted under embedding noise
    # another grouping: the analysis is new, every fit comes from the cache
    again = discourse.analyze(corpus, by=("outlet_country",), **config)
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == fitted
    assert again.tables["stability"].equals(st)


@pytest.mark.parametrize("n_docs", [2, 100])
def test_bertopic_rows_get_intervals_where_and_only_where_the_simulation_backs_them(n_docs):
    from discourse.compare._calibration import MIN_DOCS
    from discourse.compare._simulate import simulate_corpus

    sim = simulate_corpus({"A": [3, 1, 1], "B": [1, 1, 3]}, n_docs, make_tokens=False, random_state=3)
    theta = sim.model.doc_topic_
    runs = SimpleNamespace(name="bertopic", doc_topic_=theta, topic_ids_=sim.model.topic_ids_, labels_=sim.model.labels_,
                           runs_doc_topic_=np.stack([theta, theta[:, [1, 0, 2]] * 0.1 + theta * 0.9]))
    table = prevalence(sim.prepared, runs, "group").to_frame()
    calibrated = MIN_DOCS["bertopic"]["prevalence"]
    backed = calibrated is not None and n_docs >= calibrated
    assert (table["ci_note"] == "").all() == backed and table["ci_low"].notna().all() == backed
    if calibrated is None:
        assert table["ci_note"].str.contains("at every size tried").all()


@slow
def test_bertopic_runs_are_deterministic(bt_runs, seeds_prepared, cache):
    again = fit_runs(BERTopicModel(cache_dir=cache, random_state=0, progress=False), seeds_prepared, n_runs=3)
    np.testing.assert_array_equal(again.doc_topic, bt_runs.doc_topic)
    assert again.stability().to_csv(index=False) == bt_runs.stability().to_csv(index=False)
