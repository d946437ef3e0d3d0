"""The units of work both backends share: one document prepared, phrases from merged counts, the config's parts."""

from __future__ import annotations

import random
from dataclasses import asdict, fields, replace

import pandas as pd
import pytest

import discourse
from discourse._config import AnalysisConfig, ModelConfig, RunConfig, StatsConfig
from discourse._document import prepare_document, prepare_options
from discourse._phrases import PhraseCounts, count_phrases
from discourse._tables import did_designs
from discourse.errors import ParameterError
from discourse.study import load_study
from discourse.tokenize import Tokenizer


@pytest.fixture(scope="module")
def seeds_prepared(seeds):
    return discourse.prepare(seeds, progress=False)


def test_prepare_is_prepare_document_over_the_corpus(seeds, seeds_prepared):
    options = prepare_options(None, None, None)
    rows, words = [], []
    for doc in seeds:
        res = prepare_document(doc.id, doc.text, options)
        assert res.clean.text == seeds_prepared.clean_texts[doc.id]
        rows.extend((p.doc_id, p.passage_id, p.start, p.end, p.text) for p in res.passages)
        words.extend(res.words)
    want = seeds_prepared.passages[["doc_id", "passage_id", "start", "end", "text"]]
    assert rows == list(want.itertuples(index=False, name=None))
    assert [seeds_prepared.tokenizer.apply_phrases(w) for w in words] == seeds_prepared.tokens
    assert options.params() == seeds_prepared.params


@pytest.mark.parametrize("seed", [0, 1])
def test_phrases_from_merged_partition_counts_equal_phrases_from_all_words(seeds_prepared, seed):
    tok = Tokenizer(phrase_min_count=2).setup()
    words = [tok.words(t) for t in seeds_prepared.passages["text"]]
    whole = Tokenizer(phrase_min_count=2).setup().fit_words(words)
    assert whole.phrases_  # the seeds have phrases at this count, so the comparison below means something
    cuts = sorted(random.Random(seed).sample(range(1, len(words)), 3))
    parts = [words[a:b] for a, b in zip([0] + cuts, cuts + [len(words)])]
    random.Random(seed).shuffle(parts)  # partitions finish in any order
    counts = PhraseCounts()
    for part in parts:
        counts.add(count_phrases(part))
    merged = Tokenizer(phrase_min_count=2).setup().fit_phrase_counts(counts, n_texts=len(words))
    assert merged.state() == whole.state()


def test_analysis_config_is_its_three_parts():
    cfg = AnalysisConfig(by=("period",), k=4, n_resamples=200, cache_dir="c", did_years=("2015", "2024"))
    parts = (cfg.model, cfg.stats, cfg.run)
    assert [type(p) for p in parts] == [ModelConfig, StatsConfig, RunConfig]
    names = [f.name for p in parts for f in fields(p)]
    assert sorted(names) == sorted(asdict(cfg)) and len(set(names)) == len(names)  # each field in exactly one part
    assert (cfg.model.k, cfg.stats.n_resamples, cfg.run.cache_dir, cfg.stats.did_years) == (4, 200, "c", ("2015", "2024"))
    assert replace(cfg, k=5).model.k == 5 and replace(cfg, k=5).stats == cfg.stats
    with pytest.raises(ParameterError, match="k=1"):
        replace(cfg, k=1).validate()
    with pytest.raises(ParameterError, match="did_years"):
        replace(cfg, did_years=("2015", "2015")).validate()
    with pytest.raises(ParameterError, match="minilm-int8"):  # a rule across two parts
        replace(cfg, reproducible=True, embedder="minilm-int8").validate()


def test_did_years_come_from_the_configuration():
    meta = pd.DataFrame({"country": ["A", "B"] * 4, "year": ["2010", "2010", "2015", "2015", "2024", "2024", "2030", "2030"]})
    assert {(b, a) for _, b, a in did_designs(meta, "country:year")} == {("2010", "2030")}
    assert {(b, a) for _, b, a in did_designs(meta, "country:year", ("2015", "2024"))} == {("2015", "2024")}
    assert {(b, a) for _, b, a in did_designs(meta, "country:year", ("2015", "1999"))} == {("2015", "2030")}
    assert [t for t, _, _ in did_designs(meta, "country:year")] == ["A", "B"]


def test_study_file_sets_did_years(tmp_path):
    (tmp_path / "study.toml").write_text('[compare]\nby = ["period"]\ndid_years = ["2015", "2024"]\n')
    assert load_study(tmp_path / "study.toml").config.did_years == ("2015", "2024")
    (tmp_path / "study.toml").write_text('[compare]\nby = ["period"]\ndid_years = ["2015"]\n')
    with pytest.raises(ParameterError, match=r"\[compare\] did_years = \['2015'\] is not allowed"):
        load_study(tmp_path / "study.toml")
