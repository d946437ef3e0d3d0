"""BERTopic behind the common interface: real MiniLM, UMAP and HDBSCAN on the seeds and a planted corpus.

Fits are module-scoped (UMAP's numba compilation costs tens of seconds once
per process) and share one embedding cache.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import discourse
from discourse.errors import CorpusTooSmallError, InputError, NotFittedError, ParameterError
from discourse.models import BERTopicModel
from discourse.models._bertopic_state import Assigner, Assignment, one_hot, set_assignments
from discourse.models._bertopic_sizes import PCA_INIT_FROM, umap_init
from discourse.models.bertopic_model import auto_sizes
from discourse.models.embed import SentenceTransformerEmbedder
from test_models_lda import PLANTED, planted_records, prepare, recovered

slow = pytest.mark.slow


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("embeddings")


@pytest.fixture(scope="module")
def seeds_prepared():
    return prepare(discourse.load_seeds())


@pytest.fixture(scope="module")
def planted_prepared():
    return prepare(discourse.Corpus.from_records(planted_records()))


@pytest.fixture(scope="module")
def seeds_bt(seeds_prepared, cache):
    return BERTopicModel(cache_dir=cache, random_state=0, progress=False).fit(seeds_prepared)


@pytest.fixture(scope="module")
def planted_bt(planted_prepared, cache):
    return BERTopicModel(cache_dir=cache, random_state=0, progress=False).fit(planted_prepared)


def embeddings_of(prepared, cache):
    return SentenceTransformerEmbedder(cache_dir=cache, progress=False).encode(prepared.passages["text"].tolist())


# --- the common interface ------------------------------------------------------------------
@slow
def test_fit_on_seeds_gives_the_common_interface(seeds_bt, seeds_prepared):
    m, n = seeds_bt, len(seeds_prepared.passages)
    assert m.name == "bertopic"
    assert m.doc_topic_.shape == (n, len(m.topic_ids_)) and len(m.topic_ids_) >= 2
    assert m.topic_ids_ == list(range(len(m.topic_ids_)))  # outliers reduced: no -1 column
    np.testing.assert_array_equal(m.doc_topic_.sum(axis=1), 1.0)
    assert set(np.unique(m.doc_topic_)) <= {0.0, 1.0}  # one topic per passage
    cols = {t: j for j, t in enumerate(m.topic_ids_)}
    assert all(m.doc_topic_[i, cols[t]] == 1 for i, t in enumerate(m.assignments_))
    assert m.sizes_ == {k: v for k, v in auto_sizes(n).items() if k != "needed"}

    terms = m.topic_terms(8)
    assert list(terms.columns) == ["model", "topic", "rank", "term", "weight", "ranking", "score"]
    assert set(terms["topic"]) == set(m.topic_ids_)
    for _, grp in terms.groupby("topic"):
        assert grp["rank"].tolist() == list(range(1, 9)) and grp["weight"].is_monotonic_decreasing
    frex = m.topic_terms(3, ranking="frex")
    assert m.labels_ == frex.groupby("topic")["term"].apply(", ".join).to_dict()


@slow
def test_topic_terms_use_the_prepared_tokens(seeds_bt, seeds_prepared):
    """c-TF-IDF runs over our tokens (phrases, lemmas, aliases), so terms align with LDA's vocabulary."""
    tokens = {t for toks in seeds_prepared.tokens for t in toks}
    assert set(seeds_bt.vocabulary_) == tokens
    ids, vocab, mat = seeds_bt.term_matrix()
    assert ids == seeds_bt.topic_ids_ and mat.shape == (len(ids), len(tokens))
    np.testing.assert_allclose(mat.sum(axis=1), 1.0, atol=1e-9)
    assert any("_" in t for t in vocab)  # learnt phrases survive (BERTopic's own cleaning would strip "_")


@slow
def test_planted_topics_are_recovered(planted_bt, planted_prepared):
    found = recovered(planted_bt.topic_terms(10))
    assert all(v >= 8 for v in found.values()), found
    truth = planted_prepared.passages["doc_id"].str.split("-").str[0].to_numpy()
    # every model topic is pure: all its passages come from one planted topic
    for t in planted_bt.topic_ids_:
        members = truth[planted_bt.assignments_ == t]
        assert len(set(members)) == 1, (t, pd.Series(members).value_counts().to_dict())


@slow
def test_transform_assigns_new_text_to_the_matching_topic(planted_bt):
    new = ["The astronaut watched a comet through the telescope.", "The chef put the pastry in the oven."]
    out = planted_bt.transform(new)
    assert out.shape == (2, len(planted_bt.topic_ids_))
    np.testing.assert_array_equal(out.sum(axis=1), 1.0)
    terms = planted_bt.topic_terms(10)
    for row, field in zip(out, ("astronomy", "cooking")):
        topic = planted_bt.topic_ids_[int(np.argmax(row))]
        top = set(terms.loc[terms["topic"] == topic, "term"])
        assert len(top & set(PLANTED[field])) >= 8


@slow
def test_representative_passages_are_closest_to_the_topic(seeds_bt, seeds_prepared):
    rep = seeds_bt.representative_passages(seeds_prepared, n=3)
    assert list(rep.columns) == ["model", "topic", "rank", "passage_id", "doc_id", "weight", "text"]
    pid = seeds_prepared.passages["passage_id"].to_numpy()
    for topic, grp in rep.groupby("topic"):
        members = seeds_bt.assignments_ == topic
        expected = np.sort(seeds_bt.similarity_[members])[::-1][:3]
        np.testing.assert_allclose(grp["weight"], expected)
        assert set(grp["passage_id"]) <= set(pid[members])
        assert (grp["weight"] <= 1 + 1e-9).all()


# --- outliers -------------------------------------------------------------------------------
@slow
def test_reduced_outliers_match_bertopics_reduce_outliers(seeds_bt, seeds_prepared, cache):
    m = seeds_bt
    assert m.n_outliers_ == int(m.outlier_mask_.sum()) > 0
    original = np.where(m.outlier_mask_, -1, m.assignments_)
    emb = embeddings_of(seeds_prepared, cache)
    theirs = m.bertopic_.reduce_outliers([""] * len(original), original.tolist(), strategy="embeddings",
                                         embeddings=emb)
    np.testing.assert_array_equal(m.assignments_, theirs)
    assert m.provenance_["extra"]["n_outliers"] == m.n_outliers_


@slow
def test_kept_outliers_get_their_own_column(seeds_bt, seeds_prepared, cache, capfd):
    keep = BERTopicModel(cache_dir=cache, outliers="keep", random_state=0, progress=False).fit(seeds_prepared)
    assert capfd.readouterr().err == ""  # silent without progress
    assert keep.topic_ids_[0] == -1 and keep.topic_ids_[1:] == seeds_bt.topic_ids_
    np.testing.assert_array_equal(keep.outlier_mask_, seeds_bt.outlier_mask_)
    assert keep.doc_topic_[:, 0].sum() == keep.n_outliers_ == seeds_bt.n_outliers_
    np.testing.assert_array_equal(keep.doc_topic_[:, 1:][~keep.outlier_mask_],
                                  seeds_bt.doc_topic_[~keep.outlier_mask_])
    assert keep.labels_[-1].startswith("outliers: ")
    assert -1 in set(keep.topic_terms(5)["topic"])


# --- the fitted state shared with the Dask backend -----------------------------------------------
@slow
def test_fitted_state_is_what_the_assigner_gives_for_the_fit_topics(seeds_bt, seeds_prepared, cache):
    """fit builds its per-passage state with the same outlier handling and similarity the workers run."""
    m = seeds_bt
    emb = embeddings_of(seeds_prepared, cache)
    raw = np.where(m.outlier_mask_, -1, m.assignments_)
    got = Assigner.of(m).finish(raw, emb)
    assert got.topics.tobytes() == m.assignments_.tobytes() and got.outlier.tobytes() == m.outlier_mask_.tobytes()
    assert got.similarity.tobytes() == m.similarity_.tobytes()
    assert m.doc_topic_.tobytes() == one_hot(m.topic_ids_, got.topics).tobytes()


@slow
def test_a_shipped_assigner_assigns_as_the_model_does(seeds_bt, seeds_prepared, cache):
    import pickle

    m = seeds_bt
    emb = embeddings_of(seeds_prepared, cache)[:30]
    shipped = pickle.loads(pickle.dumps(Assigner.of(m)))  # what a Dask worker receives
    got = shipped(emb)
    assert got.topics.tobytes() == m.assign(emb).tobytes()
    assert set(got.topics.tolist()) <= set(m.topic_ids_) and got.similarity.shape == (30,)
    assert shipped(emb[:0]).topics.shape == (0,)


def test_merged_assignments_become_the_per_passage_state():
    """How the Dask backend merges: partitions concatenated, sampled rows replaced by the fit's."""
    class Fitted:
        topic_ids_ = [-1, 0, 1]

    parts = [Assignment(np.array([0, -2, 1]), np.array([True, False, False]), np.array([0.5, 0.0, 0.7])),
             Assignment(np.array([-2, 0]), np.array([False, False]), np.array([0.0, 0.9]))]
    sampled = Assignment(np.array([-1, 1]), np.array([True, False]), np.array([0.1, 0.8]))
    merged = Assignment.concat(parts).replace_rows(np.array([1, 3]), sampled)
    m = set_assignments(Fitted(), merged)
    assert m.assignments_.tolist() == [0, -1, 1, 1, 0]
    assert m.outlier_mask_.tolist() == [True, True, False, False, False] and m.n_outliers_ == 2
    assert m.similarity_.tolist() == [0.5, 0.1, 0.7, 0.8, 0.9]
    assert m.doc_topic_.tolist() == [[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 0, 1], [0, 1, 0]]
    assert parts[0].topics.tolist() == [0, -2, 1]  # the parts are not changed
    assert Assignment.concat([]).topics.shape == (0,)


def test_check_params_gives_the_seed_and_names_a_bad_parameter():
    from discourse.models import LDA

    assert BERTopicModel(random_state=7, cache_dir=False).check_params()["seed"] == 7
    assert LDA(k=3, random_state=5).check_params()["seed"] == 5
    with pytest.raises(ParameterError, match=r"^outliers="):
        BERTopicModel(outliers="drop", cache_dir=False).check_params()
    with pytest.raises(ParameterError, match=r"^k="):
        LDA(k=1).check_params()


# --- persistence and caching -------------------------------------------------------------------
@slow
def test_save_load_gives_identical_results(planted_bt, planted_prepared, tmp_path):
    path = planted_bt.save(tmp_path / "bt")
    loaded = BERTopicModel.load(path)
    assert loaded.bertopic_ is None
    assert loaded.doc_topic_.tobytes() == planted_bt.doc_topic_.tobytes()
    pd.testing.assert_frame_equal(loaded.topic_terms(10), planted_bt.topic_terms(10))
    pd.testing.assert_frame_equal(loaded.representative_passages(planted_prepared, 3),
                                  planted_bt.representative_passages(planted_prepared, 3))
    assert loaded.labels_ == planted_bt.labels_ and loaded.provenance_ == planted_bt.provenance_
    new = ["A striker scored a penalty in the stadium.", "Farmers plough the soil before the harvest.",
           "Completely unrelated sentence about tax law reform."]
    assert loaded.transform(new).tobytes() == planted_bt.transform(new).tobytes()
    assert loaded.transform(planted_prepared).tobytes() == planted_bt.transform(planted_prepared).tobytes()


@slow
def test_tampered_pipeline_is_refused(planted_bt, tmp_path):
    path = planted_bt.save(tmp_path / "bt")
    with open(path / "pipeline.pkl", "ab") as fh:
        fh.write(b"x")
    with pytest.raises(InputError, match="checksum"):
        BERTopicModel.load(path)


@slow
def test_refit_reads_embeddings_from_the_cache(planted_bt, planted_prepared, cache, monkeypatch):
    def boom(*a, **k):
        raise AssertionError("embedded again although cached")

    monkeypatch.setattr(SentenceTransformerEmbedder, "_embed_missing", boom)
    again = BERTopicModel(cache_dir=cache, random_state=0, progress=False).fit(planted_prepared)
    assert again.doc_topic_.tobytes() == planted_bt.doc_topic_.tobytes()
    pd.testing.assert_frame_equal(again.topic_terms(10), planted_bt.topic_terms(10))


# --- errors (fast: no fit) ----------------------------------------------------------------------
def test_too_small_corpus_says_how_many_passages_are_needed():
    recs = [{"id": f"d{i}", "text": f"Short note number {i} about border trade."} for i in range(6)]
    tiny = prepare(discourse.Corpus.from_records(recs))
    with pytest.raises(CorpusTooSmallError, match=r"at least 10 passages.*this corpus has 6"):
        BERTopicModel(cache_dir=False).fit(tiny)


def test_auto_sizes_grow_with_the_corpus():
    small, mid, big = auto_sizes(80), auto_sizes(10_000), auto_sizes(100_000)
    assert small["n_neighbors"] < 15 == mid["n_neighbors"] == big["n_neighbors"]
    assert small["min_topic_size"] < mid["min_topic_size"] < big["min_topic_size"]
    assert all(s["min_samples"] <= s["min_topic_size"] for s in (small, mid, big))
    assert auto_sizes(10_000, min_topic_size=7)["min_topic_size"] == 7


def test_umap_starts_from_pca_from_the_threshold_on():
    assert [umap_init(n) for n in (100, PCA_INIT_FROM - 1, PCA_INIT_FROM, 10 * PCA_INIT_FROM)] == \
        ["spectral", "spectral", "pca", "pca"]
    assert umap_init(100, "pca") == "pca" and umap_init(10 * PCA_INIT_FROM, "spectral") == "spectral"
    with pytest.raises(ParameterError, match=r"^umap_init='tsne'"):
        umap_init(100, "tsne")


def test_the_start_is_a_setting_of_the_analysis_the_study_file_and_the_cli():
    from discourse._config import AnalysisConfig
    from discourse._fit import estimators
    from discourse.cli import build_parser
    from discourse.study import study_from_mapping

    assert AnalysisConfig(by=("period",)).umap_init == "auto"
    config = AnalysisConfig(by=("period",), umap_init="pca").validate()
    assert estimators(config)["bertopic"].get_params()["umap_init"] == "pca"
    with pytest.raises(ParameterError, match=r"^umap_init='tsne' .*--umap-init"):
        AnalysisConfig(by=("period",), umap_init="tsne").validate()
    study = study_from_mapping({"compare": {"by": ["period"]}, "models": {"umap_init": "spectral"}})
    assert study.config.umap_init == "spectral"
    with pytest.raises(ParameterError, match="umap_init"):
        study_from_mapping({"compare": {"by": ["period"]}, "models": {"umap_init": "tsne"}})
    args = build_parser().parse_args(["analyze", "--by", "period", "--umap-init", "pca"])
    assert args.umap_init == "pca"
    assert study.with_overrides(umap_init=args.umap_init).config.umap_init == "pca"


@slow
def test_a_pca_start_recovers_the_planted_topics_and_is_recorded(planted_prepared, planted_bt, cache):
    # the start "auto" gives above the threshold, forced on the small planted corpus
    bt = BERTopicModel(cache_dir=cache, random_state=0, progress=False, umap_init="pca").fit(planted_prepared)
    again = BERTopicModel(cache_dir=cache, random_state=0, progress=False, umap_init="pca").fit(planted_prepared)
    assert bt.umap_model_.init == "pca" and planted_bt.umap_model_.init == "spectral"
    assert "init='pca'" in bt.provenance_["extra"]["reducer"]
    assert all(v >= 8 for v in recovered(bt.topic_terms(10)).values())
    np.testing.assert_array_equal(bt.assignments_, again.assignments_)
    # a different start gives a different layout (the parameter reaches UMAP)
    assert not np.array_equal(bt.umap_model_.embedding_, planted_bt.umap_model_.embedding_)


@pytest.mark.parametrize("params, name", [({"outliers": "drop"}, "outliers"), ({"min_topic_size": 1}, "min_topic_size"),
                                          ({"n_neighbors": "many"}, "n_neighbors"), ({"random_state": 1.5}, "random_state"),
                                          ({"min_samples": 0}, "min_samples"), ({"umap_init": "random"}, "umap_init")])
def test_bad_parameters_are_named(params, name):
    recs = [{"id": f"d{i}", "text": f"Note {i}."} for i in range(3)]
    with pytest.raises(ParameterError, match=rf"^{name}="):
        BERTopicModel(cache_dir=False, **params).fit(prepare(discourse.Corpus.from_records(recs)))


def test_unfitted_model_raises_not_fitted():
    m = BERTopicModel()
    with pytest.raises(NotFittedError):
        m.topic_terms()
    with pytest.raises(NotFittedError):
        m.transform(["text"])


@slow
def test_the_noise_refit_can_be_skipped_and_noise_kept_is_then_empty(planted_prepared, tmp_path):
    from discourse._config import AnalysisConfig
    from discourse._fit import fit_models, in_process
    from discourse.cli import build_parser
    from discourse.study import study_from_mapping

    fitted = []

    def counting(prepared, cfg):
        fitter = in_process(prepared, cfg)
        return fitter.__class__(lda=fitter.lda, bertopic=lambda m: fitted.append(m.embedding_noise) or fitter.bertopic(m))

    runs = {}
    for refit in (True, False):
        cfg = AnalysisConfig(models=("bertopic",), n_runs=1, cache_dir=str(tmp_path), progress=False, noise_refit=refit)
        runs[refit] = fit_models(planted_prepared, cfg, {}, counting(planted_prepared, cfg))[1]["bertopic"]
    assert fitted == [0.0, 1e-6, 0.0]  # the run and its noise refit, then the run alone
    assert runs[True].stability()["noise_kept"].notna().all() and runs[False].stability()["noise_kept"].isna().all()
    with pytest.raises(ParameterError, match=r"^noise_refit='no'"):
        AnalysisConfig(by=("period",), noise_refit="no").validate()
    study = study_from_mapping({"compare": {"by": ["period"]}, "models": {"noise_refit": False}})
    assert study.config.noise_refit is False
    assert build_parser().parse_args(["analyze", "--by", "period", "--no-noise-refit"]).no_noise_refit


@slow
def test_the_analysis_reports_embedding_time_as_part_of_bertopics_stage(planted_prepared, tmp_path):
    from discourse._config import AnalysisConfig
    from discourse._fit import fit_models, in_process
    from discourse._result import AnalysisResult

    cfg = AnalysisConfig(models=("bertopic",), n_runs=1, cache_dir=str(tmp_path), progress=False)
    timings: dict = {}
    models, _ = fit_models(planted_prepared, cfg, timings, in_process(planted_prepared, cfg))
    assert 0 < models["bertopic"].timings_["embed"] == timings["bertopic.embed"] < timings["bertopic"]
    assert models["bertopic"].timings_["fit"] > 0
    # the part is not added to the total again
    text = AnalysisResult(tables={}, prepared=planted_prepared, models=models, config=cfg, timings=timings).describe()
    assert f"(total {timings['bertopic']:.1f}s)" in text and "bertopic.embed" in text
    # a second analysis reads the fitted model from the cache: nothing was embedded
    again: dict = {}
    fit_models(planted_prepared, cfg, again, in_process(planted_prepared, cfg))
    assert "bertopic.embed" not in again
