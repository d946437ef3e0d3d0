"""Topic models behind one small interface: LDA (gensim) and BERTopic.

Both models follow scikit-learn's estimator contract and expose the same
fitted attributes and methods (see :class:`~discourse.models._base.TopicModel`):
``doc_topic_`` (passages x topics, rows sum to 1), ``topic_ids_``,
``labels_``, ``topic_terms(n)``, ``term_matrix()``,
``representative_passages(prepared, n)``, ``transform(...)``,
``save(path)`` / ``load(path)`` and ``provenance_``.

Examples
--------
>>> import discourse
>>> from discourse.models import LDA
>>> prepared = discourse.prepare(discourse.load_seeds())
>>> LDA(k=3, passes=2).fit(prepared).doc_topic_.shape[1]
3
"""

from __future__ import annotations

from .bertopic_model import BERTopicModel
from .embed import SentenceTransformerEmbedder, default_cache_dir, default_embedding_model
from .lda import LDA
from .selection import KSelection, select_k

__all__ = [
    "LDA",
    "BERTopicModel",
    "select_k",
    "KSelection",
    "SentenceTransformerEmbedder",
    "default_embedding_model",
    "default_cache_dir",
]
