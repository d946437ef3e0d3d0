"""Passage embeddings on the workers, one partition per task, cached in the Parquet store.

Each task reads its partition's passage texts from the store, embeds them
with :class:`~discourse.models.SentenceTransformerEmbedder` (the model is
loaded once per worker process, offline) and writes a Parquet file of
``passage_id, embedding`` (float32, bit-exact) under the sha256 of the
partition's content key and the embedding model's identity.  A later run
reads the file instead of embedding again.

A vector depends on the batch it was computed in (padding changes float32
round-off: max abs difference of order 1e-7 between batchings).  So that a
partition's vectors never depend on scheduling, workers embed each partition
on its own and only *read* the embedder's text-keyed cache
(``cache_dir``), never write it: vectors an in-process run cached are reused
as they are (the distributed BERTopic then sees exactly the in-process
embeddings), and everything else is embedded partition by partition.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ._cluster import gather_with_progress
from ._store import ParquetStore, content_key, embeddings_to_table, table_to_embeddings

__all__ = ["EmbeddingParts", "embed_distributed", "read_embeddings"]

logger = logging.getLogger(__name__)

_EMBEDDERS: dict[tuple, Any] = {}


def _embedder(model: Any, batch_size: int, tier: str, tiers_dir: str | None):
    """One uncached embedder per worker process (the model, or the tier's artefact, is loaded once)."""
    from ..models.embed import SentenceTransformerEmbedder

    key = (str(model), batch_size, tier, tiers_dir)
    emb = _EMBEDDERS.get(key)
    if emb is None:
        emb = SentenceTransformerEmbedder(model, batch_size=batch_size, cache_dir=False, progress=False, tier=tier,
                                          tiers_dir=tiers_dir)
        _EMBEDDERS.clear()
        _EMBEDDERS[key] = emb
    return emb


def _encode(texts: list[str], model: Any, batch_size: int, cache_folder: str | None, tier: str,
            tiers_dir: str | None) -> np.ndarray:
    """Embed ``texts``: vectors already in the embedder's text-keyed cache are read, the rest embedded.

    The cache is only read here, never written: a vector never depends on
    which worker embedded which partition first.  Missing texts are embedded
    as :meth:`SentenceTransformerEmbedder.encode` embeds its cache misses
    (unique texts, longest first, in chunks), partition by partition.
    """
    from ..models.embed import read_cache, text_key

    emb = _embedder(model, batch_size, tier, tiers_dir)
    if not texts:
        return np.zeros((0, emb.dim), dtype=np.float32)
    found: dict[bytes, np.ndarray] = {}
    keys = [text_key(t) for t in texts]
    if cache_folder is not None:
        found = read_cache(cache_folder, set(keys))
    missing: dict[bytes, str] = {}
    for k, t in zip(keys, texts):
        if k not in found and k not in missing:
            missing[k] = t
    if missing:
        vecs = emb.encode(list(missing.values()))
        found.update(zip(missing.keys(), vecs))
    return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)


def _embed_part(store_root: str, words_key: str, emb_key: str, n_passages: int, model: Any, batch_size: int,
                cache_folder: str | None, tier: str, tiers_dir: str | None) -> int:
    """Embed one partition's passages into the store (runs on a worker); returns the dimension."""
    store = ParquetStore(store_root)
    if store.has("embeddings", emb_key):
        try:
            t = store.read_table("embeddings", emb_key)
            if t.num_rows == n_passages:
                return int(t.column("embedding").type.list_size)
        except Exception as exc:  # noqa: BLE001 - corrupt entry: embed again
            logger.warning("%s", exc)
    table = store.read_table("passages", words_key, columns=["passage_id", "text"])
    vectors = _encode(table.column("text").to_pylist(), model, batch_size, cache_folder, tier, tiers_dir)
    store.write("embeddings", emb_key, embeddings_to_table(table.column("passage_id").to_pylist(), vectors))
    return int(vectors.shape[1])


@dataclass(frozen=True)
class EmbeddingParts:
    """Where each partition's embeddings are in the store.

    Attributes
    ----------
    store_root : str
    keys : list of str
        Store key of each partition's ``embeddings`` file, in partition order.
    sizes : list of int
        Passages per partition.
    dim : int
    model_key : str
        The embedding model's identity (hash of its files and settings).
    """

    store_root: str
    keys: tuple[str, ...]
    sizes: tuple[int, ...]
    dim: int
    model_key: str

    @property
    def n_passages(self) -> int:
        return sum(self.sizes)


def read_embeddings(parts: EmbeddingParts, index: int, rows: Sequence[int] | None = None) -> np.ndarray:
    """The embeddings of one partition (optionally only ``rows``), float32 (n, dim)."""
    _, vectors = table_to_embeddings(ParquetStore(parts.store_root).read_table("embeddings", parts.keys[index]))
    return vectors if rows is None else vectors[np.asarray(rows, dtype=np.int64)]


def embed_distributed(client, prepared, *, embedding_model: Any = None, batch_size: int = 32, cache_dir: Any = False,
                      tier: str = "minilm", progress: bool | None = None) -> EmbeddingParts:
    """Embed every passage of a :class:`StoredPrepared` on the workers.

    Parameters
    ----------
    client : distributed.Client
    prepared : StoredPrepared
        From :func:`prepare_distributed`.
    embedding_model : str, path or None
        A local sentence-transformers model folder; ``None`` is the shipped
        all-MiniLM-L6-v2 (never downloaded).
    batch_size : int, default 32
    cache_dir : str, path, None or False, default False
        The embedder's text-keyed cache (as for :class:`BERTopicModel`),
        read but never written; ``False``: not used.
    tier : {"minilm", "minilm-int8", "static"}, default "minilm"
        The embedding tier (:class:`~discourse.models.SentenceTransformerEmbedder`).
        Its artefact is built (or found) once, in the driver, beside
        ``cache_dir``, and the workers load it from there: the folder must be
        one the workers can read, as the embedding cache must.  Vectors of
        these tiers do not depend on what they are batched with, so each
        partition's are the bytes the in-process embedder gives.
    progress : bool or None

    Returns
    -------
    EmbeddingParts

    Examples
    --------
    >>> parts = embed_distributed(client, sp)  # doctest: +SKIP
    >>> read_embeddings(parts, 0).shape[1]      # doctest: +SKIP
    384
    """
    from ..models.embed import SentenceTransformerEmbedder

    probe = SentenceTransformerEmbedder(embedding_model, batch_size=batch_size, cache_dir=cache_dir, progress=False, tier=tier)
    model_key = probe.model_key  # hash of the model files (and the tier's artefact, built here once)
    tiers_dir = str(probe.artefact_root) if tier != "minilm" else None
    cache_folder = str(probe.cache_path) if probe.cache_path is not None else None
    keys = [content_key("embeddings", p.key, model_key, cache_folder) for p in prepared.parts]
    futs = [client.submit(_embed_part, str(prepared.store.root), p.key, k, p.n_passages, embedding_model, batch_size, cache_folder,
                          tier, tiers_dir, pure=False)
            for p, k in zip(prepared.parts, keys)]
    dims = gather_with_progress(client, futs, desc="embed", progress=progress)
    dims = {d for d, p in zip(dims, prepared.parts) if p.n_passages}
    if len(dims) > 1:
        raise RuntimeError(f"partitions have embeddings of different sizes {sorted(dims)}; clear the store's embeddings folder")
    return EmbeddingParts(store_root=str(prepared.store.root), keys=tuple(keys), sizes=tuple(p.n_passages for p in prepared.parts),
                          dim=dims.pop() if dims else 0, model_key=model_key)
