"""LDA (gensim) behind the common topic-model interface: real fits on the seeds and a planted corpus."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import discourse
from discourse.errors import CorpusTooSmallError, InputError, NotFittedError, ParameterError
from discourse.models import LDA

# --- shared test corpora (also imported by the other model tests) ----------------------
PLANTED = {
    "farming": ["farmer", "wheat", "harvest", "tractor", "barn", "cattle", "soil", "irrigation", "crop", "orchard"],
    "football": ["goalkeeper", "striker", "stadium", "referee", "penalty", "midfielder", "league", "tournament",
                 "coach", "goal"],
    "astronomy": ["telescope", "galaxy", "planet", "orbit", "comet", "asteroid", "nebula", "astronaut", "satellite",
                  "star"],
    "cooking": ["recipe", "oven", "saucepan", "garlic", "butter", "chef", "pastry", "onion", "kitchen", "flour"],
}
FILLER = ["report", "week", "people", "local", "new", "year"]


def planted_records(n_per_topic: int = 20, seed: int = 0) -> list[dict]:
    """Short documents, each about one planted topic (6 of its 10 words per sentence) plus filler words."""
    rng = np.random.default_rng(seed)
    recs = []
    for name, words in PLANTED.items():
        for i in range(n_per_topic):
            sents = []
            for _ in range(3):
                w = list(rng.choice(words, size=6, replace=False)) + list(rng.choice(FILLER, size=2, replace=False))
                rng.shuffle(w)
                sents.append("The " + " and the ".join([" ".join(w[:4]), " ".join(w[4:])]) + ".")
            recs.append({"id": f"{name}-{i:03d}", "text": " ".join(sents), "topic": name})
    return [recs[i] for i in rng.permutation(len(recs))]


def prepare(corpus, **kw):
    """discourse.prepare, quietly."""
    return discourse.prepare(corpus, progress=False, **kw)


def recovered(table: pd.DataFrame, n_top: int = 10) -> dict[str, int]:
    """For each planted topic, the most planted words found in one model topic's top terms.

    Learnt phrases (``a_b``) count by their parts.
    """
    out = {}
    for name, words in PLANTED.items():
        best = 0
        for _, grp in table[table["rank"] <= n_top].groupby("topic"):
            parts = {p for term in grp["term"] for p in term.split("_")}
            best = max(best, len(parts & set(words)))
        out[name] = best
    return out


@pytest.fixture(scope="module")
def seeds_prepared():
    return prepare(discourse.load_seeds())


@pytest.fixture(scope="module")
def planted_prepared():
    return prepare(discourse.Corpus.from_records(planted_records()))


@pytest.fixture(scope="module")
def seeds_lda(seeds_prepared):
    return LDA(k=4, random_state=0).fit(seeds_prepared)


# --- the common interface -----------------------------------------------------------
def test_fit_on_seeds_gives_the_common_interface(seeds_lda, seeds_prepared):
    m, n = seeds_lda, len(seeds_prepared.passages)
    assert m.name == "lda"
    assert m.doc_topic_.shape == (n, 4)
    np.testing.assert_allclose(m.doc_topic_.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert (m.doc_topic_ >= 0).all()
    assert m.topic_ids_ == [0, 1, 2, 3]
    assert set(m.labels_) == {0, 1, 2, 3} and all(isinstance(v, str) and v for v in m.labels_.values())

    terms = m.topic_terms(7)
    assert list(terms.columns) == ["model", "topic", "rank", "term", "weight", "ranking", "score"]
    assert len(terms) == 4 * 7 and set(terms["model"]) == {"lda"}
    for _, grp in terms.groupby("topic"):
        assert grp["rank"].tolist() == list(range(1, 8))
        assert grp["weight"].is_monotonic_decreasing
    vocab_in_tokens = {t for toks in seeds_prepared.tokens for t in toks}
    assert set(terms["term"]) <= vocab_in_tokens
    # the label is the three best terms by FREX
    frex3 = m.topic_terms(3, ranking="frex").groupby("topic")["term"].apply(", ".join).to_dict()
    assert m.labels_ == frex3


def test_term_matrix_rows_are_distributions_over_the_dictionary(seeds_lda):
    ids, vocab, mat = seeds_lda.term_matrix()
    assert ids == seeds_lda.topic_ids_
    assert mat.shape == (4, len(vocab)) == (4, len(seeds_lda.dictionary_))
    np.testing.assert_allclose(mat.sum(axis=1), 1.0, atol=1e-9)
    # the heaviest term of each row is that topic's rank-1 term
    first = seeds_lda.topic_terms(1).set_index("topic")["term"]
    assert [vocab[int(np.argmax(r))] for r in mat] == [first[t] for t in ids]


def test_representative_passages_are_the_heaviest_rows(seeds_lda, seeds_prepared):
    rep = seeds_lda.representative_passages(seeds_prepared, n=3)
    assert list(rep.columns) == ["model", "topic", "rank", "passage_id", "doc_id", "weight", "text"]
    passages = seeds_prepared.passages.set_index("passage_id")
    for topic, grp in rep.groupby("topic"):
        col = seeds_lda.doc_topic_[:, topic]
        assert grp["weight"].tolist() == sorted(col, reverse=True)[:3]
        for _, row in grp.iterrows():
            assert passages.loc[row["passage_id"], "text"] == row["text"]
            assert passages.loc[row["passage_id"], "doc_id"] == row["doc_id"]


def test_planted_topics_are_recovered(planted_prepared):
    m = LDA(k=4, random_state=0).fit(planted_prepared)
    found = recovered(m.topic_terms(10))
    assert all(v >= 8 for v in found.values()), found
    # each passage's dominant topic is the one of its planted topic (topics matched by majority)
    truth = planted_prepared.passages["doc_id"].str.split("-").str[0].to_numpy()
    dom = m.doc_topic_.argmax(axis=1)
    agree = sum(pd.Series(dom[truth == name]).value_counts().iloc[0] for name in PLANTED)
    assert agree / len(truth) >= 0.95


# --- transform and persistence --------------------------------------------------------
def test_transform_of_training_corpus_equals_doc_topic(seeds_lda, seeds_prepared):
    again = seeds_lda.transform(seeds_prepared)
    assert again.tobytes() == seeds_lda.doc_topic_.tobytes()
    # a pure function: gensim's random state is reset on every call
    assert seeds_lda.transform(seeds_prepared).tobytes() == again.tobytes()


def test_transform_raw_texts_uses_the_fitted_tokenizer(seeds_lda, seeds_prepared):
    texts = ["Pakistan and Afghanistan agreed to share intelligence on the border.",
             "The Taliban and the TTP attacked security posts."]
    by_text = seeds_lda.transform(texts)
    by_tokens = seeds_lda.transform([seeds_prepared.tokenizer.tokenize(t) for t in texts])
    assert by_text.shape == (2, 4)
    np.testing.assert_array_equal(by_text, by_tokens)
    np.testing.assert_allclose(by_text.sum(axis=1), 1.0, atol=1e-12)
    with pytest.raises(ParameterError, match="not one string"):
        seeds_lda.transform("one string")


def test_save_load_gives_identical_results(seeds_lda, seeds_prepared, tmp_path):
    path = seeds_lda.save(tmp_path / "lda")
    assert not list(path.glob("*.pkl"))  # no pickles with the shipped tokenizer
    loaded = LDA.load(path)
    assert loaded.doc_topic_.tobytes() == seeds_lda.doc_topic_.tobytes()
    pd.testing.assert_frame_equal(loaded.topic_terms(10), seeds_lda.topic_terms(10))
    assert loaded.labels_ == seeds_lda.labels_
    assert loaded.provenance_ == seeds_lda.provenance_
    new = ["Border clashes at Torkham closed trade between Kabul and Islamabad."]
    assert loaded.transform(new).tobytes() == seeds_lda.transform(new).tobytes()
    assert loaded.transform(seeds_prepared).tobytes() == seeds_lda.doc_topic_.tobytes()
    ids, vocab, mat = loaded.term_matrix()
    ids0, vocab0, mat0 = seeds_lda.term_matrix()
    assert (ids, vocab) == (ids0, vocab0) and mat.tobytes() == mat0.tobytes()


def test_load_rejects_other_folders(tmp_path):
    with pytest.raises(InputError, match="model.json"):
        LDA.load(tmp_path)
    (tmp_path / "model.json").write_text(json.dumps({"format": "discourse-topic-model", "model": "bertopic"}))
    with pytest.raises(InputError, match="bertopic"):
        LDA.load(tmp_path)


def test_provenance_records_params_seed_corpus_and_versions(seeds_lda, seeds_prepared):
    prov = seeds_lda.provenance_
    assert prov["random_state"] == 0
    assert prov["corpus_hash"] == seeds_prepared.corpus_hash
    assert prov["params"]["k"] == 4 and prov["params"]["passes"] == 10
    assert prov["versions"]["gensim"] != "not installed"
    assert prov["extra"]["n_passages"] == len(seeds_prepared.passages)


# --- K selection through LDA -----------------------------------------------------------
def test_k_auto_selects_and_keeps_the_selection(planted_prepared, tmp_path):
    m = LDA(k="auto", k_range=(2, 4, 6), seeds=(0, 1), passes=5, random_state=0, progress=False)
    m.fit(planted_prepared)
    sel = m.selection_
    assert m.doc_topic_.shape[1] == sel.best_k == m.k_
    assert sel.summary.loc[sel.summary["chosen"], "k"].tolist() == [sel.best_k]
    assert m.provenance_["params"]["k"] == sel.best_k and m.provenance_["params"]["k_requested"] == "auto"
    loaded = LDA.load(m.save(tmp_path / "auto"))
    assert loaded.selection_.best_k == sel.best_k
    pd.testing.assert_frame_equal(loaded.selection_.summary, sel.summary, check_dtype=False)


# --- errors ----------------------------------------------------------------------------
def test_unfitted_model_raises_not_fitted():
    m = LDA(k=3)
    for call in (lambda: m.topic_terms(), lambda: m.transform([["a"]]), m.term_matrix, lambda: m.save("x")):
        with pytest.raises(NotFittedError, match="fit"):
            call()


@pytest.mark.parametrize("params, name", [
    ({"k": 1}, "k"), ({"k": "many"}, "k"), ({"k": 2.5}, "k"), ({"alpha": "bad"}, "alpha"), ({"eta": -1.0}, "eta"),
    ({"no_above": 1.5}, "no_above"), ({"passes": 0}, "passes"), ({"random_state": -3}, "random_state"),
    ({"k": "auto", "k_range": (1, 2)}, "k_range"), ({"k": "auto", "seeds": ()}, "seeds"),
])
def test_bad_parameters_are_named(params, name, planted_prepared):
    with pytest.raises(ParameterError, match=rf"^{name}="):
        LDA(**params).fit(planted_prepared)


def test_too_small_corpus_is_a_clear_error():
    tiny = prepare(discourse.Corpus.from_records([{"id": "a", "text": "Kabul."}]))
    with pytest.raises(CorpusTooSmallError, match="passages"):
        LDA(k=2).fit(tiny)


def test_not_a_prepared_is_an_input_error():
    with pytest.raises(InputError, match="discourse.prepare"):
        LDA(k=2).fit(["a", "b"])


def test_importing_models_changes_no_global_state():
    code = (
        # third-party imports (scipy, sklearn) add their own warning filters: import them first
        "import warnings, logging, sys, numpy, pandas, scipy.sparse, sklearn.base;"
        "f = list(warnings.filters); h = list(logging.getLogger().handlers);"
        "import discourse.models;"
        "assert warnings.filters == f, 'warnings filters changed';"
        "assert logging.getLogger().handlers == h, 'root logging handlers changed';"
        "heavy = [m for m in ('torch', 'bertopic', 'umap', 'gensim') if m in sys.modules];"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_progress_bar_only_when_asked_and_without_effect(planted_prepared, capfd):
    quiet = LDA(k=4, passes=3, progress=False).fit(planted_prepared)
    assert capfd.readouterr().err == ""
    loud = LDA(k=4, passes=3, progress=True).fit(planted_prepared)
    assert "LDA k=4" in capfd.readouterr().err
    assert loud.doc_topic_.tobytes() == quiet.doc_topic_.tobytes()
