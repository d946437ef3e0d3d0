"""Caches are content-addressed; a truncated or corrupt entry is detected, reported and rebuilt (issue 6).

* the embedding cache (:mod:`discourse.models.embed`, real MiniLM): shards
  carry checksums;
* the fitted-model cache and the whole-analysis cache
  (:func:`discourse.analysis.fit_cached`, ``DIR/results``), through
  ``discourse analyze`` as a user runs it;
* :mod:`discourse._cache`, the checksum record any cache entry can be sealed with.
"""

from __future__ import annotations

import io
import re
import logging
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from discourse._cache import CHECKSUM_FILE, is_valid, load_entry, seal, verify
from discourse.cli import main
from discourse.corpus import seeds_path
from discourse.errors import CacheError

SEEDS = seeds_path()


# --------------------------------------------------------------------------- embedding cache
@pytest.fixture(scope="module")
def texts():
    paras = [p.strip() for f in sorted(SEEDS.glob("*.txt")) for p in f.read_text(encoding="utf-8").split("\n\n")]
    return [p for p in paras if len(p) > 80][:40]


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x5A
    path.write_bytes(bytes(data))


@pytest.mark.slow
def test_corrupt_embedding_shards_are_reported_and_rebuilt(tmp_path, texts, caplog):
    from discourse.models.embed import SentenceTransformerEmbedder

    cache = tmp_path / "emb"
    emb = SentenceTransformerEmbedder(cache_dir=cache, shard_size=10, progress=False)
    clean = emb.encode(texts)
    shards = sorted(emb.cache_path.glob("*.emb"))
    assert len(shards) == 4
    flip_byte(shards[0], -3)  # a float in the data: same size, wrong content
    shards[1].write_bytes(shards[1].read_bytes()[:-100])  # truncated
    flip_byte(shards[2], 40)  # inside the header / keys
    shards[3].write_bytes(b"")  # emptied

    calls = []
    fresh = SentenceTransformerEmbedder(cache_dir=cache, shard_size=10, progress=False)
    st = fresh.sentence_transformer
    orig = st.encode
    st.encode = lambda batch, **kw: calls.append(len(batch)) or orig(batch, **kw)
    with caplog.at_level(logging.WARNING, logger="discourse.models.embed"):
        again = fresh.encode(texts)
    warned = [r.getMessage() for r in caplog.records if "corrupt" in r.getMessage()]
    assert len(warned) == 4 and all("embedding cache entry" in m for m in warned)
    assert sum(calls) == len(texts)  # every passage of a bad shard embedded again, none trusted
    # same passages, same model: the same embeddings (re-embedded in other batches: float rounding only)
    np.testing.assert_allclose(again, clean, rtol=0, atol=1e-5)

    # the rebuilt shards are valid: a third pass reads them all, embeds nothing and warns nothing
    caplog.clear()
    calls.clear()
    with caplog.at_level(logging.WARNING, logger="discourse.models.embed"):
        third = fresh.encode(texts)
    assert calls == [] and not caplog.records
    np.testing.assert_array_equal(third, again)


# --------------------------------------------------------------------------- model and analysis caches
def analyze(capsys, out: Path, cache: Path) -> tuple[int, str]:
    rc = main(["--quiet", "analyze", str(SEEDS), "--by", "period", "--models", "lda", "--k", "2", "--runs", "1", "--no-figures",
               "--out", str(out), "--cache", str(cache)])
    return rc, capsys.readouterr().err


def tables(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.csv"))}


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory):
    """One clean run: its output tables and its cache (copied by each test)."""
    root = tmp_path_factory.mktemp("clean")
    rc = main(["--quiet", "analyze", str(SEEDS), "--by", "period", "--models", "lda", "--k", "2", "--runs", "1", "--no-figures",
               "--out", str(root / "out"), "--cache", str(root / "cache")])
    assert rc == 0
    return root


def copy_cache(clean_run: Path, tmp_path: Path) -> Path:
    cache = tmp_path / "cache"
    shutil.copytree(clean_run / "cache", cache)
    return cache


def model_entry(cache: Path) -> Path:
    (entry,) = list((cache / "models").iterdir())
    return entry


def result_entry(cache: Path) -> Path:
    (entry,) = list((cache / "results").iterdir())
    return entry


def silent_parquet_flip(path: Path) -> None:
    """Flip one byte of a Parquet file so that it still reads, with different values (no checksum notices)."""
    raw = path.read_bytes()
    clean = pd.read_parquet(io.BytesIO(raw))
    for off in range(len(raw) // 4, len(raw)):
        b = bytearray(raw)
        b[off] ^= 0x01
        try:
            df = pd.read_parquet(io.BytesIO(bytes(b)))
        except Exception:  # noqa: BLE001 - this flip is caught by the reader; look for a silent one
            continue
        if not df.equals(clean):
            path.write_bytes(bytes(b))
            return
    raise AssertionError(f"no silent flip found in {path}")


def test_warm_cache_gives_identical_tables(clean_run, tmp_path, capsys):
    cache = copy_cache(clean_run, tmp_path)
    rc, err = analyze(capsys, tmp_path / "out", cache)
    assert rc == 0 and err == ""
    assert tables(tmp_path / "out") == tables(clean_run / "out")


def test_warm_result_summary_loads_no_model(clean_run, tmp_path):
    import discourse
    from discourse.analysis import LazyModels

    cache = copy_cache(clean_run, tmp_path)
    config = discourse.AnalysisConfig(by=("period",), models=("lda",), k=2, n_runs=1, figures=False)
    res = discourse.analyze(discourse.load_seeds(), config, cache_dir=str(cache))
    assert isinstance(res.models, LazyModels)
    summary = res.describe()
    assert not dict.__contains__(res.models, "lda")  # counted from the saved record, not by loading the model
    assert f"lda: {len(res.models['lda'].topic_ids_)} topics" in summary  # and the count is the model's


def test_truncated_model_file_is_reported_and_refitted(clean_run, tmp_path, capsys):
    cache = copy_cache(clean_run, tmp_path)
    shutil.rmtree(cache / "results")  # reach the fitted-model cache
    sstats = model_entry(cache) / "sstats.npy"
    sstats.write_bytes(sstats.read_bytes()[:-64])
    rc, err = analyze(capsys, tmp_path / "out", cache)
    assert rc == 0, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("discourse: warning: ") and "lda" in lines[0]
    assert str(model_entry(cache)) in lines[0]
    assert tables(tmp_path / "out") == tables(clean_run / "out")


def test_unreadable_model_json_is_reported_and_refitted(clean_run, tmp_path, capsys):
    cache = copy_cache(clean_run, tmp_path)
    shutil.rmtree(cache / "results")
    (model_entry(cache) / "model.json").write_text('{"truncated": ')
    rc, err = analyze(capsys, tmp_path / "out", cache)
    assert rc == 0 and err.startswith("discourse: warning: ") and "lda" in err
    assert tables(tmp_path / "out") == tables(clean_run / "out")


def test_truncated_analysis_cache_is_reported_and_recomputed(clean_run, tmp_path, capsys):
    cache = copy_cache(clean_run, tmp_path)
    table = result_entry(cache) / "prevalence.parquet"
    table.write_bytes(table.read_bytes()[: len(table.read_bytes()) // 2])
    rc, err = analyze(capsys, tmp_path / "out", cache)
    assert rc == 0
    assert err.startswith("discourse: warning: ") and "cached analysis" in err and str(result_entry(cache)) in err
    assert tables(tmp_path / "out") == tables(clean_run / "out")




def test_silently_corrupt_model_file_is_detected(clean_run, tmp_path, capsys):
    cache = copy_cache(clean_run, tmp_path)
    shutil.rmtree(cache / "results")
    flip_byte(model_entry(cache) / "sstats.npy", -5)  # a float changes; the file still loads
    rc, err = analyze(capsys, tmp_path / "out", cache)
    assert rc == 0
    assert "discourse: warning: " in err
    assert tables(tmp_path / "out") == tables(clean_run / "out")


def test_silently_corrupt_analysis_cache_is_detected(clean_run, tmp_path, capsys):
    cache = copy_cache(clean_run, tmp_path)
    silent_parquet_flip(result_entry(cache) / "topics.parquet")
    rc, err = analyze(capsys, tmp_path / "out", cache)
    assert rc == 0
    assert "discourse: warning: " in err
    assert tables(tmp_path / "out") == tables(clean_run / "out")


# --------------------------------------------------------------------------- discourse._cache
@pytest.fixture
def entry(tmp_path):
    e = tmp_path / "entry"
    (e / "sub").mkdir(parents=True)
    np.save(e / "a.npy", np.arange(100, dtype=np.float64), allow_pickle=False)
    (e / "model.json").write_text('{"k": 2}')
    (e / "sub" / "t.parquet").write_bytes(b"PAR1" + bytes(range(200)) + b"PAR1")
    seal(e)
    return e


@pytest.mark.parametrize("damage,needle", [
    (lambda e: flip_byte(e / "a.npy", -1), "a.npy does not match its checksum"),
    (lambda e: (e / "sub" / "t.parquet").write_bytes((e / "sub" / "t.parquet").read_bytes()[:-10]), "sub/t.parquet has 198 bytes, expected 208"),
    (lambda e: (e / "model.json").unlink(), "model.json is missing"),
    (lambda e: (e / "tokenizer.pkl").write_bytes(b"\x80\x04N."), "unexpected file tokenizer.pkl"),
    (lambda e: (e / CHECKSUM_FILE).unlink(), "has no checksums"),
    (lambda e: (e / CHECKSUM_FILE).write_text("{"), "is unreadable"),
], ids=["flipped", "truncated", "missing", "extra-pickle", "unsealed", "bad-record"])
def test_verify_names_the_damage(entry, damage, needle):
    verify(entry)
    assert is_valid(entry)
    damage(entry)
    with pytest.raises(CacheError, match=re.escape(needle)) as exc:
        verify(entry)
    assert str(entry) in str(exc.value) and "\n" not in str(exc.value)
    assert not is_valid(entry)


def test_load_entry_loads_a_valid_entry_and_drops_a_corrupt_one(entry, caplog):
    def loader(p):
        return np.load(p / "a.npy", allow_pickle=False)

    assert load_entry(entry, loader, what="test model").sum() == 4950
    flip_byte(entry / "a.npy", -1)
    loaded = []
    with caplog.at_level(logging.WARNING, logger="discourse._cache"):
        assert load_entry(entry, lambda p: loaded.append(p), what="test model") is None
    assert loaded == []  # never handed to the loader
    (msg,) = [r.getMessage() for r in caplog.records]
    assert "cached test model" in msg and str(entry) in msg and "a.npy" in msg and "rebuilt" in msg
    assert not entry.exists()  # removed, so it is rebuilt
    assert load_entry(entry, loader) is None  # absent: nothing to report


def test_load_entry_reports_a_loader_failure(entry, caplog):
    def failing(p):
        raise ValueError("cannot parse")

    with caplog.at_level(logging.WARNING, logger="discourse._cache"):
        assert load_entry(entry, failing, what="m") is None
    assert "cannot parse" in caplog.records[0].getMessage()


def test_cache_keys_change_with_the_package_code(monkeypatch):
    """A cached model or analysis computed by other code is never served (the version number alone may not change)."""
    from discourse import _analysis_cache as cache
    from discourse import analysis

    config = analysis.AnalysisConfig()
    before = cache._model_key("lda", {"k": 3}, "abc"), cache._result_key("abc", config)
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "0" * 64)
    after = cache._model_key("lda", {"k": 3}, "abc"), cache._result_key("abc", config)
    assert before[0] != after[0] and before[1] != after[1]


def test_progress_bars_do_not_change_the_model_cache_key(tmp_path, seeds):
    """The CLI (bars on) and the notebooks (bars off) share fitted models."""
    import discourse
    from discourse.analysis import fit_cached

    prepared = discourse.prepare(seeds, progress=False)
    first = fit_cached(discourse.LDA(k=3, random_state=0, progress=True), prepared, cache_dir=tmp_path)
    second = fit_cached(discourse.LDA(k=3, random_state=0, progress=False), prepared, cache_dir=tmp_path)
    assert second.cache_path_ == first.cache_path_ and len(list((tmp_path / "models").iterdir())) == 1


def test_lazy_models_get_and_copy_behave_as_a_dict(tmp_path, seeds):
    import discourse
    from discourse.analysis import LazyModels, fit_cached

    lda = fit_cached(discourse.LDA(k=3, random_state=0), discourse.prepare(seeds, progress=False), cache_dir=tmp_path)
    models = LazyModels({"lda": lda.cache_path_}, {"lda": 3})
    assert models.get("lda").topic_ids_ == lda.topic_ids_
    assert models.get("bertopic") is None and models.get("bertopic", 0) == 0
    copy = models.copy()
    assert "lda" in copy and list(copy) == ["lda"] and copy["lda"].topic_ids_ == lda.topic_ids_


def test_analyze_runs_on_the_scheduler_it_is_given(monkeypatch, seeds):
    """``discourse.analyze(..., scheduler=...)`` goes to the Dask backend, as ``run_analysis`` does."""
    import discourse.distributed as dist
    from discourse import analyze

    called = {}

    def fake(corpus, config):
        called["scheduler"] = config.scheduler
        return "distributed result"

    monkeypatch.setattr(dist, "analyze_distributed", fake)
    assert analyze(seeds, by=("period",), models=("lda",), k=3, scheduler="local") == "distributed result"
    assert called == {"scheduler": "local"}


def test_one_cache_root_and_one_progress_rule_for_every_part(monkeypatch, tmp_path):
    """Analyses, fitted models and embeddings share the cache root; every part reads progress the same way."""
    from discourse import _analysis_cache, _env
    from discourse.compare import _stats
    from discourse.distributed import _cluster
    from discourse.models import _base, embed

    monkeypatch.delenv("DISCOURSE_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _analysis_cache.default_cache_dir() == embed.default_cache_dir() == tmp_path / "discourse"
    assert _base.progress_enabled is _cluster.progress_enabled is _env.progress_enabled
    monkeypatch.setenv("DISCOURSE_PROGRESS", "0")
    assert _env.progress_enabled(None) is False and _env.progress_enabled(True) is True
    assert _stats.progress_bar([1], total=1, desc="x", progress=None).disable


def test_a_model_fitted_on_other_tokens_is_not_served_from_the_cache(tmp_path, seeds):
    """Same corpus, other tokenizer settings: the cached model was fitted on other tokens and must not be reused."""
    import discourse
    from discourse.analysis import fit_cached
    from discourse.tokenize import Tokenizer

    default = discourse.prepare(seeds, progress=False)
    fewer = discourse.prepare(seeds, tokenizer=Tokenizer(extra_stopwords=("afghanistan", "pakistan")), progress=False)
    assert default.corpus_hash == fewer.corpus_hash and default.tokens != fewer.tokens
    a = fit_cached(discourse.LDA(k=3, random_state=0), default, cache_dir=tmp_path)
    b = fit_cached(discourse.LDA(k=3, random_state=0), fewer, cache_dir=tmp_path)
    assert a.cache_path_ != b.cache_path_
    assert "pakistan" not in set(b.topic_terms(10)["term"])


def test_result_computed_now_writes_the_same_bytes_as_the_cached_result(tmp_path, capsys):
    """Cold (tables assembled now) and warm (tables loaded from the cache) write identical CSVs."""
    args = ["--quiet", "analyze", str(SEEDS), "--by", "period", "--by", "outlet_country:period", "--models", "lda",
            "--k", "2", "--runs", "1", "--no-figures", "--cache", str(tmp_path / "cache")]
    assert main(args + ["--out", str(tmp_path / "cold")]) == 0
    assert main(args + ["--out", str(tmp_path / "warm")]) == 0
    capsys.readouterr()
    cold, warm = tables(tmp_path / "cold"), tables(tmp_path / "warm")
    assert cold.keys() == warm.keys() and "contrasts.csv" in cold
    assert [n for n in cold if cold[n] != warm[n]] == []


def test_tables_computed_now_have_the_dtypes_the_cache_gives_back(tmp_path):
    """No column of numbers is left as Python objects (written at full precision when computed, %.6g when loaded)."""
    import discourse

    config = discourse.AnalysisConfig(by=("period", "outlet_country:period"), models=("lda",), k=2, n_runs=1,
                                      figures=False, cache_dir=str(tmp_path))
    res = discourse.analyze(discourse.load_seeds(), config)  # computed now: the cache is empty
    numeric_objects = [(name, c) for name, t in res.tables.items() for c in t.columns
                       if t[c].dtype == object and t[c].notna().any()
                       and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in t[c].dropna())]
    assert numeric_objects == []
