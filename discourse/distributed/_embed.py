"""Passage embeddings on the workers, one partition per task, cached in the Parquet store.

Each task reads its partition's passage texts from the store, embeds them
with :class:`~discourse.models.SentenceTransformerEmbedder` (the model is
loaded once per worker process, offline) and writes a Parquet file of
``passage_id, embedding`` (float32, bit-exact) under the sha256 of the
partition's content key and the embedding model's identity.  A later run
reads the file instead of embedding again.

The embedder's own on-disk cache (keyed by passage text) is used as well when
``cache_dir`` is given: the in-process :class:`~discourse.models.BERTopicModel`
and the distributed run then share embeddings, so the same passage gets the
same vector whichever path computed it first.  Computed afresh in different
batches (a partition here, the whole corpus sorted by length in process),
vectors agree to float32 round-off (max abs difference of order 1e-7), the
effect of padding inside a batch.
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


def _embedder(model: Any, batch_size: int, cache_dir: Any):
    from ..models.embed import SentenceTransformerEmbedder

    key = (str(model), batch_size, str(cache_dir))
    emb = _EMBEDDERS.get(key)
    if emb is None:
        emb = SentenceTransformerEmbedder(model, batch_size=batch_size, cache_dir=cache_dir, progress=False)
        _EMBEDDERS.clear()
        _EMBEDDERS[key] = emb
    return emb


def _embed_part(store_root: str, words_key: str, emb_key: str, n_passages: int, model: Any, batch_size: int, cache_dir: Any) -> int:
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
    texts = table.column("text").to_pylist()
    emb = _embedder(model, batch_size, cache_dir)
    vectors = emb.encode(texts) if texts else np.zeros((0, emb.dim), dtype=np.float32)
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
                      progress: bool | None = None) -> EmbeddingParts:
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
        The embedder's own text-keyed cache (shared with in-process runs);
        ``False``: only the Parquet store caches.
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

    probe = SentenceTransformerEmbedder(embedding_model, batch_size=batch_size, cache_dir=cache_dir, progress=False)
    model_key = probe.model_key  # hash of the model files: no model loading in the driver
    model = str(probe.model_path) if probe.model_path is not None else embedding_model
    keys = [content_key("embeddings", p.key, model_key) for p in prepared.parts]
    futs = [client.submit(_embed_part, str(prepared.store.root), p.key, k, p.n_passages, model, batch_size, cache_dir, pure=False)
            for p, k in zip(prepared.parts, keys)]
    dims = gather_with_progress(client, futs, desc="embed", progress=progress)
    dims = {d for d, p in zip(dims, prepared.parts) if p.n_passages}
    if len(dims) > 1:
        raise RuntimeError(f"partitions have embeddings of different sizes {sorted(dims)}; clear the store's embeddings folder")
    return EmbeddingParts(store_root=str(prepared.store.root), keys=tuple(keys), sizes=tuple(p.n_passages for p in prepared.parts),
                          dim=dims.pop() if dims else 0, model_key=model_key)
