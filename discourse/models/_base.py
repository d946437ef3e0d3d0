"""Shared machinery of the topic models: the common interface and its helpers.

Every topic model in :mod:`discourse.models` derives from :class:`TopicModel`
and follows scikit-learn's estimator contract: ``__init__`` only stores its
keyword-only parameters, :meth:`fit` does the work and returns ``self``,
learned state ends in ``_``, and using an unfitted model raises
:class:`~discourse.errors.NotFittedError`.

The base class implements what is the same for every model (topic-term
tables, labels, representative passages, the folder format of
:meth:`TopicModel.save`) on top of three things each model provides:
``doc_topic_``, ``topic_ids_`` and :meth:`TopicModel._term_weights`.
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from .._env import progress_enabled  # noqa: F401 - re-exported for the models
from .._io import atomic_write_bytes, atomic_write_text
from ..errors import CorpusError, InputError, NotFittedError, ParameterError, check_param
from ..provenance import to_json
from ._labels import DEFAULT_FREX_WEIGHT, DEFAULT_LAMBDA, RANKINGS, frex, relevance

__all__ = [
    "TopicModel",
    "check_random_state_seed",
    "progress_enabled",
    "check_prepared",
    "TOPIC_TERMS_COLUMNS",
    "REPRESENTATIVE_COLUMNS",
]

logger = logging.getLogger(__name__)

#: Columns of :meth:`TopicModel.topic_terms`.
TOPIC_TERMS_COLUMNS = ["model", "topic", "rank", "term", "weight", "ranking", "score"]
#: Columns of :meth:`TopicModel.representative_passages`.
REPRESENTATIVE_COLUMNS = ["model", "topic", "rank", "passage_id", "doc_id", "weight", "text"]
#: Marker written in ``model.json`` by :meth:`TopicModel.save`.
FORMAT_NAME = "discourse-topic-model"
FORMAT_VERSION = 1

_PASSAGE_COLUMNS = ("doc_id", "passage_id", "text")


def check_random_state_seed(random_state: Any, *, name: str = "random_state") -> int:
    """Normalise ``random_state`` once into the integer seed passed to every part.

    Parameters
    ----------
    random_state : int, numpy Generator/RandomState or None
        An ``int`` in ``[0, 2**32)`` is used as it is.  A numpy generator
        gives one integer drawn from it.  ``None`` draws a fresh seed from the
        operating system; it is recorded in ``provenance_`` so the run can be
        repeated.

    Returns
    -------
    int

    Raises
    ------
    ParameterError
        For anything else (negative, too large, float, string).

    Examples
    --------
    >>> check_random_state_seed(7)
    7
    >>> check_random_state_seed(np.random.default_rng(0)) == check_random_state_seed(np.random.default_rng(0))
    True
    """
    if random_state is None:
        return int(np.random.SeedSequence().entropy % (2**32))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**32))
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**32 - 1, dtype=np.int64))
    ok = isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool)
    ok = ok and 0 <= int(random_state) < 2**32
    check_param(name, random_state, "an integer in [0, 2**32), a numpy Generator/RandomState, or None", ok)
    return int(random_state)


def check_prepared(prepared: Any, *, what: str = "prepared") -> pd.DataFrame:
    """Check that ``prepared`` looks like :class:`discourse.Prepared`; return its passages.

    Raises
    ------
    InputError
        If it has no ``passages`` DataFrame with ``doc_id, passage_id, text``
        or its ``tokens`` are not aligned with the passages' rows.
    """
    passages = getattr(prepared, "passages", None)
    if not isinstance(passages, pd.DataFrame):
        raise InputError(
            f"{what} must be the result of discourse.prepare(corpus) (an object with a .passages DataFrame); "
            f"got {type(prepared).__name__}"
        )
    missing = [c for c in _PASSAGE_COLUMNS if c not in passages.columns]
    if missing:
        raise CorpusError(f"{what}.passages lacks column(s) {missing}; rebuild it with discourse.prepare(corpus)")
    tokens = getattr(prepared, "tokens", None)
    if tokens is not None and len(tokens) != len(passages):
        raise CorpusError(
            f"{what}.tokens has {len(tokens)} rows but {what}.passages has {len(passages)}; "
            "they must be aligned (rebuild with discourse.prepare(corpus))"
        )
    return passages


def _top_indices(row: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` largest values, ties broken by index (deterministic)."""
    n = min(n, row.shape[0])
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    if n < row.shape[0]:
        # candidates: everything >= the n-th largest value (keeps all ties)
        kth = np.partition(row, row.shape[0] - n)[row.shape[0] - n]
        cand = np.flatnonzero(row >= kth)
    else:
        cand = np.arange(row.shape[0])
    order = np.lexsort((cand, -row[cand]))
    return cand[order][:n]


def npy_bytes(array: np.ndarray) -> bytes:
    """An array as ``.npy`` bytes (no pickles)."""
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(array), allow_pickle=False)
    return buf.getvalue()


def load_npy(path: Path) -> np.ndarray:
    """Load a ``.npy`` file written by :func:`npy_bytes` (pickles refused)."""
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read saved model file {str(path)!r}: {exc}; save the model again") from None


class TopicModel(BaseEstimator):
    """Base class of :class:`~discourse.models.LDA` and :class:`~discourse.models.BERTopicModel`.

    Subclasses set ``name`` and, in ``fit``, the attributes ``doc_topic_``
    (ndarray, shape (n_passages, n_topics), rows sum to 1), ``topic_ids_``
    (list of int, the column order of ``doc_topic_``), ``labels_`` and
    ``provenance_``; and implement :meth:`_term_weights`.
    """

    name: str = "model"

    # --- fitted-state helpers --------------------------------------------------
    #: Parameters that cannot change a result (left out of ``provenance_``).
    _NON_RESULT_PARAMS = ("progress", "cache_dir")

    def _result_params(self) -> dict[str, Any]:
        """``get_params()`` without the parameters that cannot change a result."""
        return {k: v for k, v in self.get_params(deep=False).items() if k not in self._NON_RESULT_PARAMS}

    def _check_fitted(self) -> None:
        if not hasattr(self, "doc_topic_"):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call .fit(discourse.prepare(corpus)) first"
            )

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "doc_topic_")

    def _term_weights(self) -> tuple[list[int], list[str], np.ndarray]:
        """(topic ids, vocabulary, weights (n_topics, n_terms)) used for term tables."""
        raise NotImplementedError

    # --- common interface --------------------------------------------------------
    @property
    def n_topics_(self) -> int:
        """Number of columns of ``doc_topic_``."""
        self._check_fitted()
        return len(self.topic_ids_)

    def topic_terms(
        self,
        n: int = 10,
        *,
        ranking: str = "probability",
        frex_weight: float = DEFAULT_FREX_WEIGHT,
        lam: float = DEFAULT_LAMBDA,
    ) -> pd.DataFrame:
        """The top ``n`` terms of every topic by one ranking, as a tidy table.

        Parameters
        ----------
        n : int, default 10
            Terms per topic.
        ranking : {"probability", "frex", "relevance"}, default "probability"
            ``"probability"``: by ``weight``; ``"frex"``: FREX (Bischof &
            Airoldi 2012), frequent *and* exclusive to the topic, the ranking
            of the default label; ``"relevance"``: Sievert & Shirley's (2014)
            relevance with ``lam``, the terms' marginal probability being the
            topics' term distributions weighted by their mean share of passages.
            See :mod:`discourse.models._labels`.
        frex_weight : float, default 0.5
            FREX's weight on exclusivity (stm's default).
        lam : float, default 0.6
            Relevance's lambda (the value Sievert & Shirley found best).

        Returns
        -------
        pandas.DataFrame
            Columns ``model, topic, rank, term, weight, ranking, score``;
            ``rank`` starts at 1 within the ranking; ``score`` is the ranking's
            score (``weight`` itself for ``"probability"``); ties are broken
            alphabetically by vocabulary order, so the table is deterministic.
            ``weight`` is the topic-term probability for LDA and the c-TF-IDF
            score for BERTopic.

        Raises
        ------
        NotFittedError
        ParameterError
            If ``n`` is not a positive integer or ``ranking``, ``frex_weight``
            or ``lam`` is not allowed.

        References
        ----------
        Bischof, J. M., & Airoldi, E. M. (2012). Summarizing topical content
        with word frequency and exclusivity. *ICML 2012*, 201-208.

        Sievert, C., & Shirley, K. (2014). LDAvis: A method for visualizing
        and interpreting topics. *Workshop on Interactive Language Learning,
        Visualization, and Interfaces*, 63-70.
        """
        self._check_fitted()
        check_param("n", n, "a positive integer", isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1)
        check_param("ranking", ranking, "one of " + ", ".join(map(repr, RANKINGS)), ranking in RANKINGS)
        check_param("frex_weight", frex_weight, "a number in [0, 1]",
                    isinstance(frex_weight, (int, float)) and 0 <= frex_weight <= 1)
        check_param("lam", lam, "a number in [0, 1]", isinstance(lam, (int, float)) and 0 <= lam <= 1)
        topic_ids, vocab, weights = self._term_weights()
        weights = np.asarray(weights, dtype=np.float64)
        scores = self._ranking_scores(weights, ranking, frex_weight=frex_weight, lam=lam)
        rows = []
        for i, topic in enumerate(topic_ids):
            row = scores[i]
            for rank, j in enumerate(_top_indices(row, int(n)), start=1):
                rows.append((self.name, int(topic), rank, vocab[j], float(weights[i, j]), ranking, float(row[j])))
        return pd.DataFrame(rows, columns=TOPIC_TERMS_COLUMNS).astype(
            {"model": str, "topic": "int64", "rank": "int64", "term": str, "weight": "float64", "ranking": str,
             "score": "float64"}
        )

    def _ranking_scores(self, weights: np.ndarray, ranking: str, *, frex_weight: float, lam: float) -> np.ndarray:
        if ranking == "probability":
            return weights
        if ranking == "frex":
            return frex(weights, weight=frex_weight)
        sums = weights.sum(axis=1, keepdims=True)
        phi = np.divide(weights, sums, out=np.zeros_like(weights), where=sums > 0)
        shares = np.asarray(self.doc_topic_, dtype=np.float64).mean(axis=0)
        return relevance(weights, shares @ phi, lam=lam)

    def term_matrix(self) -> tuple[list[int], list[str], np.ndarray]:
        """Each topic as a distribution over the vocabulary (for cross-model alignment).

        Returns
        -------
        topic_ids : list of int
            Row order.
        vocabulary : list of str
            Column order (the model's vocabulary, built from the Prepared tokens).
        matrix : ndarray, shape (n_topics, n_terms)
            Non-negative rows summing to 1 (an all-zero row stays zero).
        """
        self._check_fitted()
        topic_ids, vocab, weights = self._term_weights()
        mat = np.asarray(weights, dtype=np.float64)
        sums = mat.sum(axis=1, keepdims=True)
        mat = np.divide(mat, sums, out=np.zeros_like(mat), where=sums > 0)
        return list(topic_ids), list(vocab), mat

    def _make_labels(self, n_terms: int = 3) -> dict[int, str]:
        """Each topic's label: its ``n_terms`` best terms by FREX (frequent and exclusive)."""
        table = self.topic_terms(n_terms, ranking="frex")
        labels = {}
        for topic in self.topic_ids_:
            terms = table.loc[table["topic"] == topic, "term"].tolist()
            label = ", ".join(terms) if terms else "(no terms)"
            labels[int(topic)] = ("outliers: " + label) if topic == -1 else label
        return labels

    def _representative_scores(self) -> np.ndarray:
        """(n_passages, n_topics) scores used to rank passages within a topic.

        Default: the passage's share of the topic (``doc_topic_``); ``nan``
        marks passages that cannot represent the topic (here: a zero share).
        """
        return np.where(self.doc_topic_ > 0, self.doc_topic_, np.nan)

    def representative_passages(self, prepared: Any, n: int = 3) -> pd.DataFrame:
        """The ``n`` passages most representative of each topic.

        Parameters
        ----------
        prepared : discourse.Prepared
            The same prepared corpus the model was fitted on (its rows must
            match ``doc_topic_``).
        n : int, default 3
            Passages per topic.

        Returns
        -------
        pandas.DataFrame
            Columns ``model, topic, rank, passage_id, doc_id, weight, text``,
            passages in decreasing ``weight`` (ties: earlier row first).  For
            LDA ``weight`` is the passage's share of the topic; for BERTopic
            the cosine similarity of the passage's embedding to the topic's
            embedding, among the passages assigned to the topic.

        Raises
        ------
        NotFittedError
        CorpusError
            If ``prepared`` has a different number of passages than the model.
        """
        self._check_fitted()
        check_param("n", n, "a positive integer", isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1)
        passages = check_prepared(prepared)
        if len(passages) != self.doc_topic_.shape[0]:
            raise CorpusError(
                f"prepared has {len(passages)} passages but the model was fitted on {self.doc_topic_.shape[0]}; "
                "pass the Prepared the model was fitted on"
            )
        scores = self._representative_scores()
        pid = passages["passage_id"].to_numpy()
        did = passages["doc_id"].to_numpy()
        text = passages["text"].to_numpy()
        rows = []
        for j, topic in enumerate(self.topic_ids_):
            col = np.asarray(scores[:, j], dtype=np.float64)
            ok = np.isfinite(col)
            ranked = np.where(ok, col, -np.inf)
            top = [i for i in _top_indices(ranked, int(n)) if ok[i]]
            for rank, i in enumerate(top, start=1):
                rows.append((self.name, int(topic), rank, str(pid[i]), str(did[i]), float(col[i]), str(text[i])))
        return pd.DataFrame(rows, columns=REPRESENTATIVE_COLUMNS).astype(
            {"model": str, "topic": "int64", "rank": "int64", "passage_id": str, "doc_id": str, "weight": "float64", "text": str}
        )

    def doc_topic_frame(self, prepared: Any) -> pd.DataFrame:
        """``doc_topic_`` as a DataFrame indexed by ``passage_id`` with one column per topic."""
        self._check_fitted()
        passages = check_prepared(prepared)
        if len(passages) != self.doc_topic_.shape[0]:
            raise CorpusError(
                f"prepared has {len(passages)} passages but the model was fitted on {self.doc_topic_.shape[0]}"
            )
        return pd.DataFrame(self.doc_topic_, index=pd.Index(passages["passage_id"].astype(str), name="passage_id"),
                            columns=list(self.topic_ids_))

    # --- save / load helpers ---------------------------------------------------
    def _header(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "model": self.name,
            "class": type(self).__name__,
            "params": _json_params(self.get_params(deep=False)),
            "topic_ids": [int(t) for t in self.topic_ids_],
            "labels": {str(k): v for k, v in self.labels_.items()},
            "provenance": self.provenance_,
        }

    @classmethod
    def _read_header(cls, path: Path) -> dict[str, Any]:
        path = Path(path)
        head = path / "model.json"
        if not head.is_file():
            raise InputError(f"{str(path)!r} is not a saved discourse model (no model.json); check the path")
        try:
            header = json.loads(head.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read {str(head)!r}: {exc}; save the model again") from None
        if header.get("format") != FORMAT_NAME or header.get("model") != cls.name:
            raise InputError(
                f"{str(head)!r} holds a {header.get('model')!r} model, not {cls.name!r}; "
                f"load it with the matching class"
            )
        if header.get("format_version") != FORMAT_VERSION:
            raise InputError(
                f"{str(head)!r} has format version {header.get('format_version')!r}; this discourse reads "
                f"version {FORMAT_VERSION}: refit and save the model again"
            )
        return header

    def _restore_common(self, header: dict[str, Any]) -> None:
        self.topic_ids_ = [int(t) for t in header["topic_ids"]]
        self.labels_ = {int(k): v for k, v in header["labels"].items()}
        self.provenance_ = header["provenance"]


def _json_params(params: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in sorted(params.items()):
        if isinstance(value, range):
            value = list(value)
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Path):
            value = str(value)
        elif isinstance(value, np.integer):
            value = int(value)
        elif not (value is None or isinstance(value, (str, int, float, bool, list, dict))):
            value = repr(value)
        out[key] = value
    return out


def write_json(path: Path, record: dict[str, Any]) -> None:
    """Write a record as deterministic JSON (sorted keys) atomically."""
    atomic_write_text(path, to_json(record))


def write_npy(path: Path, array: np.ndarray) -> None:
    """Write an array as ``.npy`` atomically."""
    atomic_write_bytes(path, npy_bytes(array))


def normalise_rows(mat: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to 1 in float64 (all-zero rows become uniform)."""
    mat = np.asarray(mat, dtype=np.float64)
    sums = mat.sum(axis=1, keepdims=True)
    out = np.empty_like(mat)
    zero = (sums[:, 0] <= 0)
    np.divide(mat, sums, out=out, where=~zero[:, None])
    if zero.any():
        out[zero] = 1.0 / mat.shape[1]
    return out


def as_texts(texts: Iterable[Any], *, name: str = "texts") -> list[str]:
    """Check a list of texts given to ``transform``."""
    if isinstance(texts, str):
        raise ParameterError(f"{name} must be a list of strings, not one string; wrap it: [text]")
    out = list(texts)
    bad = [i for i, t in enumerate(out) if not isinstance(t, str)]
    if bad:
        raise ParameterError(f"{name}[{bad[0]}] is a {type(out[bad[0]]).__name__}, expected str")
    return out


def positive_int(name: str, value: Any, *, minimum: int = 1) -> int:
    """Check an integer parameter ``>= minimum``."""
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= minimum
    check_param(name, value, f"an integer >= {minimum}", ok)
    return int(value)


def int_sequence(name: str, value: Any, *, minimum: int) -> list[int]:
    """Check a non-empty sequence of distinct integers ``>= minimum``; returned sorted."""
    try:
        items = list(value)
    except TypeError:
        items = None
    ok = bool(items) and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= minimum for v in items)
    ok = ok and len(set(int(v) for v in items)) == len(items)
    check_param(name, value, f"a non-empty sequence of distinct integers >= {minimum}", ok)
    return sorted(int(v) for v in items)


def passage_tokens(prepared: Any) -> Sequence[Sequence[str]]:
    """The token lists of a Prepared (error if absent)."""
    tokens = getattr(prepared, "tokens", None)
    if tokens is None:
        raise InputError("prepared has no .tokens; build it with discourse.prepare(corpus)")
    return tokens
