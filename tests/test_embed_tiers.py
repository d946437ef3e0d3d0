"""Embedding tiers: minilm-int8 (OpenVINO) and static (Model2Vec), built offline and cached.

Every test runs with networking disabled in this process.  The int8 export
takes about a minute; distilling the static model takes minutes on a busy 2-core
machine, so the static tests are slow.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys

import numpy as np
import pytest

import discourse
from discourse.analysis import AnalysisConfig
from discourse.errors import InputError, ParameterError
from discourse.models import BERTopicModel, _tiers
from discourse.models.embed import SentenceTransformerEmbedder
from discourse.study import study_from_mapping
from test_models_lda import PLANTED, planted_records, prepare, recovered

slow = pytest.mark.slow

TEXTS = ["Pakistan and Afghanistan held border talks on Tuesday.", "The bushfire spread quickly towards Sydney.",
         "The central bank raised interest rates again.", "Israeli troops entered the West Bank town."]


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def deny(*a, **k):
        raise RuntimeError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", deny)
    monkeypatch.setattr(socket, "create_connection", deny)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("tiers")


def fresh(cache, tier):
    return SentenceTransformerEmbedder(cache_dir=cache, tier=tier, progress=False)


# --- minilm-int8 ---------------------------------------------------------------------
def test_int8_is_close_to_fp32_and_a_second_run_reuses_the_export(cache, monkeypatch):
    int8 = fresh(cache, "minilm-int8").encode(TEXTS)
    fp32 = SentenceTransformerEmbedder(cache_dir=False, progress=False, normalize=True).encode(TEXTS)
    assert int8.shape == fp32.shape == (4, 384) and int8.dtype == np.float32
    cos = np.einsum("ij,ij->i", int8, fp32) / np.linalg.norm(fp32, axis=1)
    assert cos.min() > 0.99, cos
    first = fresh(cache, "minilm-int8").tier_identity

    def boom(*a, **k):
        raise AssertionError("the export was built again")

    monkeypatch.setattr(_tiers, "_build_int8", boom)
    again = fresh(cache, "minilm-int8")
    assert again.tier_identity == first and first["backend"].startswith("openvino ")
    assert "8" in first["isa"] and first["isa"] != "unknown"  # the int8 kernels OpenVINO chose, e.g. brgemm_avx512_I8
    np.testing.assert_array_equal(again.encode(TEXTS), int8)


def test_int8_runs_the_linear_layers_and_attention_scores_in_int8_and_the_rest_in_fp32(cache):
    import openvino as ov

    backend = fresh(cache, "minilm-int8").backend
    # the artefact: which matrix products NNCF quantised, both inputs through a FakeQuantize
    # (activations) or int8 constants dequantised by Convert, Subtract, Multiply (weights)
    def quantised(inp):
        node = inp.get_source_output().get_node()
        while node.get_type_name() in ("Transpose", "Reshape", "Convert", "Subtract", "Multiply"):
            source = node.input(0).get_source_output().get_node()
            if node.get_type_name() == "Convert" and source.get_type_name() == "Constant":
                return node.input(0).get_element_type().get_type_name() in ("i8", "u8")
            node = source
        return node.get_type_name() == "FakeQuantize"

    kinds = {"linear": [], "scores": [], "values": []}
    for op in ov.Core().read_model(str(backend.folder / "model_int8.xml")).get_ops():
        if op.get_type_name() == "MatMul":
            name = op.get_friendly_name()
            kind = ("values" if name.endswith("/self/MatMul_1") else "scores" if name.endswith("/self/MatMul")
                    else "linear")
            kinds[kind].append(all(quantised(i) for i in op.inputs()))
    # six layers: q, k, v, attention output and two feed-forward projections (36) and QK^T (6) in int8; the
    # softmax-weighted sum of values (6) stays fp32, NNCF's transformer rule for the MatMul after a Softmax
    assert (len(kinds["linear"]), len(kinds["scores"]), len(kinds["values"])) == (36, 6, 6)
    assert all(kinds["linear"]) and all(kinds["scores"]) and not any(kinds["values"])
    # the compiled model: int8 linear kernels, one fused attention kernel per layer, nothing in bf16/f16
    layers = [(op.get_rt_info()["layerType"].astype(str), op.get_rt_info()["runtimePrecision"].astype(str))
              for op in backend.compiled.get_runtime_model().get_ops()]
    linear = [prec for kind, prec in layers if kind == "FullyConnected"]
    assert len(linear) == 36 and set(linear) <= {"u8", "i8"}, linear
    assert sum(kind == "Subgraph" for kind, _ in layers) == 6
    # the parts left in floating point run in fp32, not bf16, though this CPU may have bf16
    assert not [kind for kind, prec in layers if prec in ("bf16", "f16")]
    assert {prec for kind, prec in layers if kind == "MVN"} == {"f32"}


def test_int8_keeps_to_a_thread_budget_with_the_same_vectors(cache, monkeypatch):
    default = fresh(cache, "minilm-int8").backend
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # as a Dask worker's nanny sets it
    one = fresh(cache, "minilm-int8").backend
    assert one.compiled.get_property("INFERENCE_NUM_THREADS") == 1
    texts = TEXTS + [" ".join(TEXTS * 12)]
    np.testing.assert_array_equal(one.encode(texts, 4), default.encode(texts, 4))


def test_int8_vector_of_a_passage_is_the_same_alone_and_in_any_batch(cache):
    backend = fresh(cache, "minilm-int8").backend
    texts = TEXTS + [" ".join(TEXTS * 12), "Rain.", TEXTS[0] + " " + TEXTS[1], "A much longer sentence " * 9]
    alone = np.concatenate([backend.encode([t], 1) for t in texts])
    # the same bytes: the embedding cache keeps one vector per text, whatever it was batched with (padding
    # every passage to the batch's longest changes these vectors by ~1e-8, and 1 of 2,590 Lee sentences by 0.006)
    for batch_size in (2, 32):
        np.testing.assert_array_equal(backend.encode(texts[::-1], batch_size)[::-1], alone)


def test_int8_declines_openvino_telemetry(cache):
    import os

    folder = fresh(cache, "minilm-int8").backend.folder
    code = ("import os, json; from pathlib import Path; from discourse.models._tiers import Int8Backend; "
            f"Int8Backend(Path({str(folder)!r}), 'x'); import openvino_telemetry as tm; "
            "print(json.dumps([tm.Telemetry().consent, os.environ.get('CI'), os.environ.get('NNCF_CI')]))")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NNCF_CI")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         timeout=300)
    # telemetry declined for the process, and the variables that declined it are gone again
    assert out.stdout.strip().splitlines()[-1] == "[false, null, null]", out.stdout


def test_corrupt_export_is_reported_and_rebuilt(cache, caplog):
    emb = fresh(cache, "minilm-int8")
    before = emb.encode(TEXTS[:2])
    weights = emb.backend.folder / "model_int8.bin"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="discourse.models._tiers"):
        rebuilt = fresh(cache, "minilm-int8")
        vecs = rebuilt.backend.encode(TEXTS[:2], 8)
    assert "corrupt" in caplog.text
    assert _tiers._valid(rebuilt.backend.folder) is not None
    np.testing.assert_allclose(vecs, before, atol=1e-6)


def test_tiers_never_share_cache_entries(cache):
    keys = {tier: fresh(cache, tier).model_key for tier in ("minilm", "minilm-int8")}
    assert len(set(keys.values())) == 2
    assert keys["minilm"] == SentenceTransformerEmbedder(cache_dir=cache).model_key  # the default tier's key is unchanged


def test_int8_is_refused_in_the_reproducible_mode(cache, monkeypatch):
    from discourse import numeric

    monkeypatch.setattr(numeric, "in_effect", lambda: True)
    with pytest.raises(InputError, match="reproducible mode.*OpenVINO"):
        fresh(cache, "minilm-int8").encode(TEXTS)
    with pytest.raises(ParameterError, match="minilm-int8"):
        AnalysisConfig(by=("period",), reproducible=True, embedder="minilm-int8").validate()


def test_a_bad_tier_is_named():
    with pytest.raises(ParameterError, match="embedder"):
        SentenceTransformerEmbedder(cache_dir=False, tier="fast")
    with pytest.raises(ParameterError, match="embedder"):
        AnalysisConfig(by=("period",), embedder="fast").validate()
    with pytest.raises(ParameterError, match="embedder"):
        BERTopicModel(embedder="fast", cache_dir=False).fit(prepare(discourse.load_seeds()))


def test_the_study_file_and_cli_take_the_tier(tmp_path):
    study = study_from_mapping({"compare": {"by": ["period"]}, "models": {"embedder": "static"}})
    assert study.config.embedder == "static"
    with pytest.raises(ParameterError, match="embedder"):
        study_from_mapping({"compare": {"by": ["period"]}, "models": {"embedder": "bge"}})
    from discourse.cli import build_parser

    args = build_parser().parse_args(["analyze", "--by", "period", "--embedder", "minilm-int8"])
    assert args.embedder == "minilm-int8"


@slow
def test_planted_topics_and_alignment_with_int8(cache):
    from discourse.compare import align_models
    from discourse.models import LDA

    prepared = prepare(discourse.Corpus.from_records(planted_records()))
    bt = BERTopicModel(cache_dir=cache, random_state=0, progress=False, embedder="minilm-int8").fit(prepared)
    found = recovered(bt.topic_terms(10))
    assert all(v >= 8 for v in found.values()), found
    tier = bt.provenance_["extra"]["embedding_tier"]
    assert tier["tier"] == "minilm-int8" and len(tier["artefact_sha256"]) == 64 and tier["isa"]
    lda = LDA(k=len(PLANTED), random_state=0, progress=False).fit(prepared)
    res = align_models(lda, bt, prepared=prepared)
    assert len(res.table) >= len(PLANTED)


# --- static --------------------------------------------------------------------------
@slow
def test_static_builds_offline_and_a_second_run_reuses_it(cache, monkeypatch):
    emb = fresh(cache, "static")
    vecs = emb.encode(TEXTS)
    assert vecs.shape == (4, 384) and np.allclose(np.linalg.norm(vecs, axis=1), 1, atol=1e-5)
    # a text is its own tokens: the source tokenizer's padding to 128 is off, so no [PAD] row enters the mean
    assert [len(ids) for ids in emb.backend.model.tokenize(["border talks", TEXTS[0]])] == [2, 9]
    ident = emb.tier_identity
    monkeypatch.setattr(_tiers, "_build_static", lambda *a, **k: (_ for _ in ()).throw(AssertionError("rebuilt")))
    again = fresh(cache, "static")
    assert again.tier_identity == ident
    assert len({fresh(cache, t).model_key for t in ("minilm", "minilm-int8", "static")}) == 3


@slow
def test_static_recovers_planted_topics(cache):
    prepared = prepare(discourse.Corpus.from_records(planted_records()))
    bt = BERTopicModel(cache_dir=cache, random_state=0, progress=False, embedder="static").fit(prepared)
    found = recovered(bt.topic_terms(10))
    assert sum(v >= 8 for v in found.values()) >= 3, found
    assert bt.provenance_["extra"]["embedding_tier"]["tier"] == "static"


def test_corpus_vocabulary_keeps_words_seen_twice_and_leaves_phrases_out():
    tokens = [["border", "talks", "isi_nds"], ["border", "isi_nds", "ghani"], ["talks", "talks"]]
    assert _tiers.corpus_vocabulary(tokens) == ["border", "talks"]
    assert _tiers.corpus_vocabulary(tokens, min_count=1) == ["border", "ghani", "talks"]
    with pytest.raises(ParameterError, match=r"^vocabulary="):
        SentenceTransformerEmbedder(cache_dir=False, vocabulary=["border"])  # a minilm embedder has no vocabulary
    with pytest.raises(ParameterError, match=r"^static_vocabulary="):
        BERTopicModel(static_vocabulary="corpus").check_params()  # the default embedder is minilm


@slow
def test_static_distilled_on_the_corpus_words_embeds_them_whole_and_survives_saving(cache, tmp_path, monkeypatch):
    # the planted corpus: "saucepan", a cooking word, is one MiniLM's tokenizer cuts into pieces
    prepared = prepare(discourse.Corpus.from_records(planted_records()))
    bt = BERTopicModel(cache_dir=cache, random_state=0, progress=False, embedder="static",
                       static_vocabulary="corpus").fit(prepared)
    words = _tiers.corpus_vocabulary(prepared.tokens)
    assert "saucepan" in words and bt.static_vocabulary_ == words
    tier = bt.provenance_["extra"]["embedding_tier"]
    assert tier["vocabulary"].startswith(f"the tokenizer's, with {len(words)} corpus words")
    plain, own = fresh(cache, "static"), bt._embedder()
    assert tier["artefact_sha256"] != plain.tier_identity["artefact_sha256"] and own.model_key != plain.model_key
    # the word is one token of the distilled model, several word pieces of the plain one
    assert len(own.backend.model.tokenize(["saucepan"])[0]) == 1 < len(plain.backend.model.tokenize(["saucepan"])[0])
    assert all(v >= 8 for v in recovered(bt.topic_terms(10)).values())
    # saved and loaded, the model embeds new texts with the same artefact, without distilling again
    monkeypatch.setattr(_tiers, "_build_static", lambda *a, **k: (_ for _ in ()).throw(AssertionError("rebuilt")))
    loaded = BERTopicModel.load(bt.save(tmp_path / "bt"), cache_dir=cache)
    assert loaded.static_vocabulary_ == words
    np.testing.assert_array_equal(loaded.transform(TEXTS + ["saucepan"]), bt.transform(TEXTS + ["saucepan"]))


@slow
def test_static_vectors_are_the_same_bytes_under_emulated_cpus(cache, emulated_cpus):
    # one artefact, loaded under each emulated CPU: the lookup and mean must not depend on the kernels
    # (an artefact distilled under other kernels is another artefact, with another key)
    import os

    backend = fresh(cache, "static").backend
    code = ("import sys, hashlib; from pathlib import Path; from discourse.models._tiers import StaticBackend; "
            f"v = StaticBackend(Path({str(backend.folder)!r}), 'x').encode({TEXTS!r}, 32); "
            "sys.stdout.write(hashlib.sha256(v.tobytes()).hexdigest())")
    digests = {}
    for name, env in {"native": {}, **emulated_cpus}.items():
        out = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True,
                             check=True, timeout=300)
        digests[name] = out.stdout.strip()
    assert len(set(digests.values())) == 1, digests


@slow
def test_static_encode_is_model2vec_encode(cache, monkeypatch):
    # the sparse-product encode must give StaticModel.encode's bytes: real sentences and articles, an empty
    # text, a text past the 512-token truncation, repeated tokens, and chunk boundaries inside the list
    from gensim.test.utils import datapath

    with open(datapath("lee_background.cor"), encoding="utf-8") as fh:
        articles = [line.strip() for line in fh if line.strip()]
    sentences = [s for a in articles[:60] for s in a.split(". ")]
    backend = fresh(cache, "static").backend
    texts = sentences[:300] + articles[:20] + ["", "   ", "talks " * 40, " ".join(articles)] + TEXTS
    monkeypatch.setattr(type(backend), "_CHUNK", 7)
    ours = backend.encode(texts, 32)
    theirs = np.asarray(backend.model.encode(texts, batch_size=1024, show_progress_bar=False,
                                             use_multiprocessing=False), dtype=np.float32)
    theirs /= np.maximum(np.linalg.norm(theirs, axis=1, keepdims=True), 1e-12)
    assert ours.dtype == np.float32 and ours.shape == theirs.shape
    assert ours.tobytes() == theirs.tobytes()
