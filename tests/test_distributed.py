"""The pipeline on a real dask.distributed cluster: two worker processes on 127.0.0.1.

Every comparison is against the in-process code path on the same input and
seed: the distributed run must give the same tables (identical, or within the
tolerance documented in docs/cluster.md), whatever the number of workers, and
must count every document exactly once when a worker dies mid-run.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import warnings

import numpy as np
import pandas as pd
import pytest

import discourse
from discourse.errors import CacheError, DiscourseError, ParameterError

distributed = pytest.importorskip("distributed")

from discourse.distributed import _stream  # noqa: E402
from discourse.distributed._cluster import connect  # noqa: E402
from discourse.distributed._lda import TokenPart, fit_lda_distributed  # noqa: E402
from discourse.distributed._prepare import prepare_distributed  # noqa: E402
from discourse.distributed._store import ParquetStore, content_key, embeddings_to_table, table_to_embeddings  # noqa: E402
from discourse.distributed._stream import open_source, read_partition  # noqa: E402

PERIODS = ("2015", "2024")
COUNTRIES = ("Pakistan", "Afghanistan", "United States")


# --------------------------------------------------------------------------- data
def _lee_lines() -> list[str]:
    from gensim.test.utils import datapath

    with open(datapath("lee_background.cor"), encoding="utf-8", errors="replace") as fh:
        return [line.strip() for line in fh if line.strip()]


@pytest.fixture(scope="module")
def lee_csv(tmp_path_factory):
    """300 real news paragraphs (gensim's Lee corpus) as a CSV with metadata."""
    lines = _lee_lines()
    rows = [{"id": f"d{i:04d}", "text": t, "period": PERIODS[i % 2], "outlet_country": COUNTRIES[i % 3]}
            for i, t in enumerate(lines)]
    path = tmp_path_factory.mktemp("lee") / "lee.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def lee_prepared(lee_csv):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # every copy kept: the streamed partitions are not searched for duplicates (README)
        return discourse.prepare(discourse.load_corpus(lee_csv, duplicates="keep_all"), progress=False)


@pytest.fixture(scope="module")
def client():
    """A LocalCluster: two worker processes, one thread each, on 127.0.0.1; always closed."""
    with connect("local", n_workers=2, threads_per_worker=1, memory_limit="3GiB") as c:
        yield c


def _worker_pids(client) -> dict[str, int]:
    return client.run(os.getpid)


# --------------------------------------------------------------------------- readers and store (no cluster)
def _tricky_frame(n: int = 137) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    words = ["kabul", "border, talks", 'said "no"', "line\nbreak", "islamabad", "ñandú", "x"]
    rows = []
    for i in range(n):
        text = " ".join(rng.choice(words, size=int(rng.integers(0, 7))).tolist())
        rows.append({"id": f"doc{i}", "text": text, "period": PERIODS[i % 2] if i % 5 else "", "n": str(i)})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_partitions_read_back_the_corpus_load_corpus_reads(tmp_path, suffix, monkeypatch):
    df = _tricky_frame()
    path = tmp_path / f"c{suffix}"
    if suffix == ".csv":
        df.to_csv(path, index=False)
    elif suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in df.to_dict("records")), encoding="utf-8")
    else:
        df.to_parquet(path, row_group_size=20)
    monkeypatch.setattr(_stream, "_BLOCK", 97)  # many scan blocks: quote parity must carry across them
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = discourse.load_corpus(path)
        src = open_source(path, partition_size=25)
        parts = [read_partition(s) for s in src.partitions]
    assert [p.index for p in parts] == list(range(len(src)))
    assert [d for p in parts for d in p.ids] == ref.ids
    assert [t for p in parts for t in p.texts] == list(ref.texts())
    meta = pd.concat([p.meta for p in parts])
    pd.testing.assert_frame_equal(meta, ref.metadata, check_index_type=False)
    skipped = [d for p in parts for d in p.skipped]
    assert len(skipped) + len(ref) == len(df)
    # boundaries depend on the input and partition_size only
    monkeypatch.setattr(_stream, "_BLOCK", 8 << 20)
    assert [(s.start, s.stop) for s in open_source(path, partition_size=25).partitions] == [(s.start, s.stop) for s in src.partitions]


def test_folder_source_partitions_follow_load_corpus_order():
    src = open_source(discourse.seeds_path(), partition_size=2)
    parts = [read_partition(s) for s in src.partitions]
    corpus = discourse.load_seeds()
    assert [d for p in parts for d in p.ids] == corpus.ids
    assert [t for p in parts for t in p.texts] == list(corpus.texts())


def test_open_source_rejects_bad_input(tmp_path):
    with pytest.raises(ParameterError, match="partition_size"):
        open_source(discourse.seeds_path(), partition_size=0)
    with pytest.raises(DiscourseError, match="no such file"):
        open_source(tmp_path / "missing.csv")
    (tmp_path / "x.docx").write_bytes(b"PK")
    with pytest.raises(DiscourseError, match="unsupported file type"):
        open_source(tmp_path / "x.docx")


def test_store_round_trip_and_corrupt_entry(tmp_path, caplog):
    store = ParquetStore(tmp_path)
    key = content_key("t", 1)
    vec = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)
    store.write("embeddings", key, embeddings_to_table(["a", "b", "c", "d"], vec))
    ids, back = table_to_embeddings(store.read_table("embeddings", key))
    assert ids == ["a", "b", "c", "d"] and np.array_equal(back, vec)
    assert not list(store.path("embeddings", key).parent.glob("*.tmp"))  # no temporary left behind
    store.path("embeddings", key).write_bytes(b"not parquet")
    with pytest.raises(CacheError, match="unreadable store entry"):
        store.read_table("embeddings", key)
    with caplog.at_level("WARNING"):
        assert store.try_read("embeddings", key) is None
    assert "unreadable" in caplog.text and not store.has("embeddings", key)


# --------------------------------------------------------------------------- cluster basics
def test_local_cluster_is_loopback_with_two_worker_processes(client):
    info = client.scheduler_info()
    assert info["address"].startswith("tcp://127.0.0.1:")
    assert len(info["workers"]) == 2 and all(a.startswith("tcp://127.0.0.1:") for a in info["workers"])
    pids = set(_worker_pids(client).values())
    assert len(pids) == 2 and os.getpid() not in pids


def test_local_cluster_leaves_the_driver_environment_as_it_was(monkeypatch):
    # Dask's nanny writes OMP_NUM_THREADS=1 etc. into the parent's os.environ before spawning
    # a worker; torch imported later in the driver would then run on one thread
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    with connect("local", n_workers=1, memory_limit="1GiB") as c:
        assert os.environ["OMP_NUM_THREADS"] == "2" and "MKL_NUM_THREADS" not in os.environ
        workers = c.run(lambda: os.environ.get("MKL_NUM_THREADS"))
        assert set(workers.values()) == {"1"}  # the workers keep Dask's single-thread settings
    assert os.environ["OMP_NUM_THREADS"] == "2" and "MKL_NUM_THREADS" not in os.environ


def test_connect_rejects_bad_scheduler():
    with pytest.raises(ParameterError, match="scheduler"):
        with connect(""):
            pass
    with pytest.raises(ParameterError, match="n_workers"):
        with connect("local", n_workers=0):
            pass
    with pytest.raises(DiscourseError, match="cannot be reached"):
        with connect("tcp://127.0.0.1:9", timeout=2):
            pass


# --------------------------------------------------------------------------- prepare
def test_prepare_distributed_equals_prepare(client, lee_csv, lee_prepared, tmp_path, caplog):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = discourse.load_corpus(lee_csv, duplicates="keep_all")
    # a Corpus object: identical in every respect, corpus hash included
    sp = prepare_distributed(corpus, client, store=tmp_path / "s", partition_size=40, progress=False)
    assert sp.to_prepared().equals(lee_prepared)
    # a path, read by the workers: identical apart from the hash (documented: hash of partition hashes)
    sp2 = prepare_distributed(lee_csv, client, store=tmp_path / "s", partition_size=40, progress=False)
    p2 = sp2.to_prepared()
    p2.corpus_hash = lee_prepared.corpus_hash
    assert p2.equals(lee_prepared)
    # a third run reuses every partition from the store
    with caplog.at_level("INFO", logger="discourse.distributed._prepare"):
        sp3 = prepare_distributed(lee_csv, client, store=tmp_path / "s", partition_size=40, progress=False)
    assert f"reused {len(sp3.parts)} of {len(sp3.parts)} partitions" in caplog.text
    assert [p.tokens_key for p in sp3.parts] == [p.tokens_key for p in sp2.parts]


def test_a_study_vocabulary_prepares_the_same_on_the_cluster(client, lee_csv, tmp_path):
    from discourse._document import tokenizer_for

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = discourse.load_corpus(lee_csv, duplicates="keep_all")
    stop = ("said", "government")
    ref = discourse.prepare(corpus, tokenizer=tokenizer_for(None, stop), progress=False)
    assert not any(w in stop for toks in ref.tokens for w in toks)
    assert ref.tokens != discourse.prepare(corpus, progress=False).tokens  # the stop words were there to drop
    sp = prepare_distributed(corpus, client, store=tmp_path / "s", tokenizer=tokenizer_for(None, stop), partition_size=40,
                             progress=False)
    assert sp.to_prepared().equals(ref)


def test_worker_killed_mid_prepare_counts_every_document_once(client, lee_csv, lee_prepared, tmp_path):
    """SIGKILL a worker process while it runs tasks: dask reruns them; nothing lost or doubled."""
    box: dict = {}

    def run():
        try:
            box["sp"] = prepare_distributed(lee_csv, client, store=tmp_path / "k", partition_size=10, progress=False)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            box["error"] = exc

    before = _worker_pids(client)
    th = threading.Thread(target=run)
    th.start()
    victim = None
    deadline = time.monotonic() + 120
    while victim is None and time.monotonic() < deadline and th.is_alive():
        busy = {w: ts for w, ts in client.processing().items() if ts}
        done = list((tmp_path / "k" / "passages").rglob("*.parquet")) if (tmp_path / "k" / "passages").exists() else []
        if busy and done:  # some partitions finished, others in flight
            victim = next(iter(busy))
            os.kill(before[victim], signal.SIGKILL)
        else:
            time.sleep(0.05)
    th.join(timeout=300)
    assert victim is not None, "no task was in flight to interrupt"
    assert not th.is_alive() and "error" not in box, box.get("error")
    deadline = time.monotonic() + 60
    while len(client.scheduler_info()["workers"]) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert before[victim] not in _worker_pids(client).values()  # the nanny started a new process
    p = box["sp"].to_prepared()
    assert list(p.metadata.index) == list(lee_prepared.metadata.index)
    assert p.passages["passage_id"].is_unique
    p.corpus_hash = lee_prepared.corpus_hash
    assert p.equals(lee_prepared)


# --------------------------------------------------------------------------- LDA
@pytest.fixture(scope="module")
def lee_parts(lee_prepared):
    tokens = lee_prepared.tokens
    sizes = [97, 150, 61]  # uneven partitions, not aligned with gensim's chunks or our blocks
    parts, i, j = [], 0, 0
    while i < len(tokens):
        s = sizes[j % 3]
        chunk = tuple(tuple(t) for t in tokens[i:i + s])
        parts.append(TokenPart(j, len(chunk), tokens=chunk))
        i, j = i + s, j + 1
    return parts


def test_lda_exact_merge_is_bit_identical_to_in_process_lda(client, lee_prepared, lee_parts):
    from discourse.models import LDA

    ref = LDA(k=4, random_state=3, passes=4).fit(lee_prepared)
    fit = fit_lda_distributed(client, lee_parts, k=4, random_state=3, passes=4, block_size=128, merge="exact", progress=False)
    assert fit.dictionary.token2id == ref.dictionary_.token2id
    assert np.array_equal(fit.model.state.sstats, ref.model_.state.sstats)
    assert np.array_equal(fit.model.alpha, ref.model_.alpha)
    assert np.array_equal(fit.doc_topic, ref.doc_topic_)
    # the fitted estimator is built by the same function on both sides: same attributes, labels and provenance
    from discourse.distributed._lda import lda_estimator

    got = lda_estimator(fit, params=ref.get_params(deep=False), seed=3, prepared=lee_prepared)
    assert got.labels_ == ref.labels_ and got.topic_ids_ == ref.topic_ids_ and got.k_ == ref.k_
    pd.testing.assert_frame_equal(got.topic_terms(10, ranking="frex"), ref.topic_terms(10, ranking="frex"), check_exact=True)
    for key in ("params", "random_state", "corpus_hash", "extra"):
        assert got.provenance_[key] == ref.provenance_[key], key


def test_lda_sstats_merge_within_tolerance_and_independent_of_workers(client, lee_prepared, lee_parts):
    from discourse.models import LDA

    ref = LDA(k=4, random_state=3, passes=4).fit(lee_prepared)
    two = fit_lda_distributed(client, lee_parts, k=4, random_state=3, passes=4, block_size=128, merge="sstats", progress=False)
    assert np.abs(two.model.get_topics() - ref.model_.get_topics()).max() < 1e-5
    assert np.abs(two.doc_topic - ref.doc_topic_).max() < 1e-3
    with connect("local", n_workers=1, memory_limit="3GiB") as one_client:
        one = fit_lda_distributed(one_client, lee_parts, k=4, random_state=3, passes=4, block_size=128, merge="sstats", progress=False)
    assert np.array_equal(one.model.state.sstats, two.model.state.sstats)
    assert np.array_equal(one.doc_topic, two.doc_topic)


def test_worker_killed_mid_lda_gives_the_same_model(client, lee_prepared, lee_parts):
    from discourse.models import LDA

    ref = LDA(k=3, random_state=0, passes=3).fit(lee_prepared)
    pids = _worker_pids(client)
    killed = []

    def kill_once(pass_, chunk):
        if not killed:
            victim = sorted(pids)[0]
            os.kill(pids[victim], signal.SIGKILL)  # loses the bag-of-words blocks it held
            killed.append(victim)

    fit = fit_lda_distributed(client, lee_parts, k=3, random_state=0, passes=3, block_size=100, merge="exact", progress=False,
                              _on_chunk=kill_once)
    assert killed
    assert fit.n_passages == len(lee_prepared.passages)
    assert np.array_equal(fit.doc_topic, ref.doc_topic_)


def test_lda_rejects_bad_parameters(client, lee_parts):
    with pytest.raises(ParameterError, match="merge"):
        fit_lda_distributed(client, lee_parts, k=3, merge="mean")
    with pytest.raises(ParameterError, match="k="):
        fit_lda_distributed(client, lee_parts, k=1)


# --------------------------------------------------------------------------- the whole analysis
def test_analyze_distributed_gives_the_in_process_tables(client, lee_csv, tmp_path):
    from discourse.distributed import analyze_distributed

    kw = dict(by=("period", "outlet_country"), models=("lda",), k=4, n_resamples=200, n_permutations=200,
              figures=False, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = discourse.analyze(discourse.load_corpus(lee_csv, duplicates="keep_all"), cache_dir=str(tmp_path / "a"), **kw)
    res = analyze_distributed(lee_csv, client=client, cache_dir=str(tmp_path / "b"), partition_size=40, **kw)
    assert sorted(res.tables) == sorted(ref.tables)
    for name, table in ref.tables.items():
        pd.testing.assert_frame_equal(res.tables[name], table, check_exact=True, obj=name)


@pytest.mark.slow
def test_bertopic_fits_a_reproducible_sample_and_assigns_every_passage(client, lee_csv, tmp_path):
    from discourse.distributed._bertopic import draw_sample, fit_bertopic_distributed
    from discourse.distributed._embed import embed_distributed, read_embeddings
    from discourse.models import SentenceTransformerEmbedder

    sp = prepare_distributed(lee_csv, client, store=tmp_path / "s", partition_size=60, progress=False)
    emb = embed_distributed(client, sp, progress=False)
    texts = [t for df in sp.iter_passages(("text",)) for t in df["text"]]
    ref = SentenceTransformerEmbedder(cache_dir=False).encode(texts)
    got = np.concatenate([read_embeddings(emb, j) for j in range(len(sp.parts))])
    assert got.shape == ref.shape and np.abs(got - ref).max() < 1e-5  # batch padding round-off only
    n = sp.n_passages
    params = dict(random_state=0, min_topic_size=5)
    m = fit_bertopic_distributed(client, sp, emb, sample_size=150, params=params, progress=False)
    assert np.array_equal(m.sample_, draw_sample(n, 150, 0)) and len(m.sample_) == 150
    assert m.doc_topic_.shape[0] == n and np.allclose(m.doc_topic_.sum(axis=1), 1)
    assert set(np.unique(m.assignments_)) <= set(m.topic_ids_)
    extra = m.provenance_["extra"]
    assert extra["sample_size"] == 150 and extra["n_passages"] == n
    # the provenance's counts share the corpus as denominator; the fit's count on the sample is kept apart
    assert extra["n_outliers"] == m.n_outliers_ == int(m.outlier_mask_.sum())
    assert extra["n_outliers_sample"] == int(m.outlier_mask_[m.sample_].sum())
    again = fit_bertopic_distributed(client, sp, emb, sample_size=150, params=params, progress=False)
    assert np.array_equal(again.assignments_, m.assignments_)
    # a seed drawn from a Generator serves both the sample and the fit
    drawn = fit_bertopic_distributed(client, sp, emb, sample_size=150, progress=False,
                                     params=dict(params, random_state=np.random.default_rng(3)))
    assert drawn.provenance_["extra"]["sample_seed"] == drawn.seed_


def test_k_sweep_on_the_cluster_chooses_the_in_process_k(client, lee_prepared):
    from discourse.distributed._analysis import select_k_distributed
    from discourse.models import select_k

    kw = dict(k_range=(3, 4), seeds=(0, 1), passes=2, iterations=50)
    ref = select_k(lee_prepared, progress=False, **kw)
    got = select_k_distributed(client, lee_prepared, progress=False, **kw)
    assert got.best_k == ref.best_k and got.rule == ref.rule
    pd.testing.assert_frame_equal(got.scores, ref.scores, check_exact=False, rtol=0, atol=1e-12)
    pd.testing.assert_frame_equal(got.summary, ref.summary, check_exact=False, rtol=0, atol=1e-12)


@pytest.mark.slow
def test_bertopic_on_the_whole_corpus_is_the_in_process_fit(client, lee_csv, lee_prepared, tmp_path):
    from discourse.distributed._bertopic import fit_bertopic_distributed
    from discourse.distributed._embed import embed_distributed, read_embeddings
    from discourse.models import BERTopicModel

    sp = prepare_distributed(lee_csv, client, store=tmp_path / "s", partition_size=60, progress=False)
    emb = embed_distributed(client, sp, progress=False)
    x = np.concatenate([read_embeddings(emb, j) for j in range(len(sp.parts))])
    got = fit_bertopic_distributed(client, sp, emb, sample_size=10_000, params={"random_state": 0}, progress=False)
    ref = BERTopicModel(random_state=0).fit(lee_prepared, embeddings=x)
    assert np.array_equal(got.doc_topic_, ref.doc_topic_)
    pd.testing.assert_frame_equal(got.topic_terms(10), ref.topic_terms(10))


@pytest.mark.slow
def test_an_embedding_tier_on_the_cluster_gives_the_in_process_vectors(client, lee_csv, lee_prepared, tmp_path):
    from discourse.distributed import analyze_distributed
    from discourse.distributed._embed import embed_distributed, read_embeddings
    from discourse.models import SentenceTransformerEmbedder

    cache = tmp_path / "cache"
    sp = prepare_distributed(lee_csv, client, store=tmp_path / "s", partition_size=60, progress=False)
    # the driver builds the int8 artefact once; the workers load it from there and embed partition by partition
    emb = embed_distributed(client, sp, cache_dir=cache / "embeddings", tier="minilm-int8", progress=False)
    got = np.concatenate([read_embeddings(emb, j) for j in range(len(sp.parts))])
    here = SentenceTransformerEmbedder(cache_dir=cache / "embeddings", tier="minilm-int8", progress=False)
    assert len(list((cache / "embeddings" / "tiers").glob("minilm-int8-*"))) == 1
    np.testing.assert_array_equal(got, here.encode(list(lee_prepared.passages["text"])))
    assert emb.model_key == here.model_key  # the tier and its artefact are in the key: tiers never mix in the store
    result = analyze_distributed(lee_csv, client=client, store=tmp_path / "s", partition_size=60, by=("period",),
                                 models=("bertopic",), embedder="minilm-int8", n_runs=1, cache_dir=str(cache),
                                 figures=False, progress=False)
    assert result.models["bertopic"].provenance_["extra"]["embedding_tier"] == here.tier_identity


def test_analyze_distributed_checks_by_before_reading_the_corpus(lee_csv):
    from discourse.distributed import analyze_distributed

    with pytest.raises(ParameterError, match="no metadata column 'outlet'"):
        analyze_distributed(lee_csv, by=("outlet",), scheduler="tcp://127.0.0.1:9")  # fails before connecting


def test_cli_analyze_with_a_local_scheduler_writes_the_in_process_tables(tmp_path):
    from discourse.cli import main

    args = ["analyze", "seeds", "--by", "period", "--models", "lda", "--k", "3", "--no-figures", "--quiet"]
    assert main(args + ["--out", str(tmp_path / "local"), "--cache", str(tmp_path / "c1")]) == 0
    assert main(args + ["--out", str(tmp_path / "dask"), "--cache", str(tmp_path / "c2"), "--scheduler", "local"]) == 0
    names = sorted(p.name for p in (tmp_path / "local").glob("*.csv"))
    assert names and names == sorted(p.name for p in (tmp_path / "dask").glob("*.csv"))
    for name in names:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
