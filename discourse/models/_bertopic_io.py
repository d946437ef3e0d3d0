"""Saving and loading a fitted :class:`~discourse.models.BERTopicModel`.

BERTopic's own safetensors format drops the fitted UMAP and HDBSCAN, which
``transform`` needs, so a model folder holds the package's own state: JSON
and ``.npy`` files for everything that can be (parameters, vocabulary,
c-TF-IDF, topic embeddings, ``doc_topic_``, assignments) and the fitted UMAP
and HDBSCAN objects as a pickle, ``pipeline.pkl``, whose sha256 is recorded
in ``model.json`` and checked before it is unpickled.  Embeddings are not
saved (they are in the embedding cache).
"""

from __future__ import annotations

import json
import logging
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from .._io import atomic_dir, atomic_write_bytes, sha256_file
from ..errors import DiscourseError, InputError
from ._base import load_npy, write_json, write_npy

__all__ = ["save_model", "load_model"]

logger = logging.getLogger(__name__)


def save_model(model: Any, path: str | Path) -> Path:
    """Write the fitted ``model`` to the folder ``path`` (replaced atomically); see ``BERTopicModel.save``."""
    model._check_fitted()
    path = Path(path)
    with atomic_dir(path) as tmp:
        header = model._header()
        if not isinstance(header["params"].get("embedding_model"), (str, type(None))):
            header["params"]["embedding_model"] = None
        embedder = model._embedder()
        header["bertopic"] = {
            "seed": model.seed_,
            "sizes": model.sizes_,
            "n_clusters": model.n_clusters_,
            "n_outliers": model.n_outliers_,
            "cluster_to_topic": {str(k): v for k, v in sorted(model.cluster_to_topic_.items())},
            "ctfidf_topics": model.ctfidf_topics_,
            "ctfidf_shape": list(model.ctfidf_.shape),
            "embedding_model_key": model.embedding_model_key_,
            "embedding_model_default": bool(embedder.is_default_model),
            "embedding_model_path": None if embedder.model_path is None else str(embedder.model_path),
            "static_vocabulary": getattr(model, "static_vocabulary_", None),
        }
        write_json(tmp / "vocabulary.json", {"vocabulary": model.vocabulary_})
        c = model.ctfidf_
        write_npy(tmp / "ctfidf_data.npy", c.data)
        write_npy(tmp / "ctfidf_indices.npy", c.indices.astype(np.int64))
        write_npy(tmp / "ctfidf_indptr.npy", c.indptr.astype(np.int64))
        write_npy(tmp / "topic_embeddings.npy", model.topic_embeddings_)
        write_npy(tmp / "doc_topic.npy", model.doc_topic_)
        write_npy(tmp / "assignments.npy", model.assignments_)
        write_npy(tmp / "outlier_mask.npy", model.outlier_mask_)
        write_npy(tmp / "similarity.npy", model.similarity_)
        atomic_write_bytes(tmp / "pipeline.pkl", pickle.dumps(
            {"umap": model.umap_model_, "hdbscan": model.hdbscan_model_}, protocol=pickle.HIGHEST_PROTOCOL))
        header["pipeline_sha256"] = sha256_file(tmp / "pipeline.pkl")
        write_json(tmp / "model.json", header)
    return path


def load_model(cls: type, path: str | Path, *, embedding_model: Any = None, cache_dir: Any = None) -> Any:
    """A ``cls`` instance read from a folder written by :func:`save_model`; see ``BERTopicModel.load``."""
    from scipy.sparse import csr_matrix

    path = Path(path)
    header = cls._read_header(path)
    params = dict(header["params"])
    info = header["bertopic"]
    if embedding_model is not None:
        params["embedding_model"] = embedding_model
    elif info.get("embedding_model_default"):
        params["embedding_model"] = None
    if cache_dir is not None:
        params["cache_dir"] = cache_dir
    model = cls(**params)
    pkl = path / "pipeline.pkl"
    if not pkl.is_file() or sha256_file(pkl) != header.get("pipeline_sha256"):
        raise InputError(f"{str(pkl)!r} is missing or does not match its checksum; fit and save the model again")
    pipeline = pickle.loads(pkl.read_bytes())  # noqa: S301 - documented: trusted folders only
    model.umap_model_ = pipeline["umap"]
    model.hdbscan_model_ = pipeline["hdbscan"]
    try:
        model.vocabulary_ = json.loads((path / "vocabulary.json").read_text(encoding="utf-8"))["vocabulary"]
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"cannot read {str(path / 'vocabulary.json')!r}: {exc}; save the model again") from None
    model.ctfidf_ = csr_matrix(
        (load_npy(path / "ctfidf_data.npy"), load_npy(path / "ctfidf_indices.npy"), load_npy(path / "ctfidf_indptr.npy")),
        shape=tuple(info["ctfidf_shape"]))
    model.ctfidf_topics_ = [int(t) for t in info["ctfidf_topics"]]
    model.topic_embeddings_ = load_npy(path / "topic_embeddings.npy")
    model.doc_topic_ = load_npy(path / "doc_topic.npy")
    model.assignments_ = load_npy(path / "assignments.npy")
    model.outlier_mask_ = load_npy(path / "outlier_mask.npy")
    model.similarity_ = load_npy(path / "similarity.npy")
    model.cluster_to_topic_ = {int(k): int(v) for k, v in info["cluster_to_topic"].items()}
    model.sizes_ = dict(info["sizes"])
    model.n_clusters_ = int(info["n_clusters"])
    model.n_outliers_ = int(info["n_outliers"])
    model.seed_ = int(info["seed"])
    model.embedding_model_key_ = info["embedding_model_key"]
    model.static_vocabulary_ = info.get("static_vocabulary")  # the words its static embedder was distilled on
    model.bertopic_ = None
    model._restore_common(header)
    if embedding_model is not None:
        try:
            key = model._embedder().model_key
        except DiscourseError:
            key = None
        if key != model.embedding_model_key_:
            logger.warning("the embedding model given to load() differs from the one the model was fitted with; "
                           "transform results will differ")
    return model
