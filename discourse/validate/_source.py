"""What validation tasks are made from: passages, metadata and each model's topics.

A :class:`ValidationSource` holds, per model, the topic-term weights and the
passage-topic shares, beside the passages (with their offsets into the
cleaned texts) and the document metadata.  It comes from an
:class:`~discourse.AnalysisResult` (:func:`source_from_result`), from a
prepared corpus and fitted models (:func:`source_from_fitted`), or from a
``discourse analyze`` output folder (:func:`load_source`), whose prepared
corpus and fitted models are read back from the cache ``analyze`` filled:
the folder's tables hold only the top terms and the most representative
passages, while intrusion tasks need every term weight and every passage's
topic shares.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = ["ModelTopics", "ValidationSource", "source_from_result", "source_from_fitted", "load_source", "read_labels"]

logger = logging.getLogger(__name__)

PASSAGE_COLUMNS = ["doc_id", "passage_id", "start", "end", "text"]


@dataclass(frozen=True)
class ModelTopics:
    """One model's topics, as validation needs them.

    Attributes
    ----------
    name : str
        ``"lda"`` or ``"bertopic"``.
    topic_ids : tuple of int
        Topics that can be validated (BERTopic's outlier topic ``-1`` is left out).
    vocabulary : tuple of str
        Column order of ``term_weights``.
    term_weights : ndarray, shape (n_topics, n_terms)
        Topic-term weights (LDA probabilities, BERTopic c-TF-IDF), rows in ``topic_ids`` order.
    doc_topic : ndarray, shape (n_passages, n_topics)
        Each passage's share of each topic, rows in the passages' order.
    labels : dict of int -> str
        The label shown for each topic.
    """

    name: str
    topic_ids: tuple[int, ...]
    vocabulary: tuple[str, ...]
    term_weights: np.ndarray
    doc_topic: np.ndarray
    labels: Mapping[int, str]


@dataclass(frozen=True)
class ValidationSource:
    """Passages, metadata and topics of one analysis (see the module docstring)."""

    passages: pd.DataFrame
    metadata: pd.DataFrame
    models: Mapping[str, ModelTopics]
    groupings: tuple[str, ...] = ()
    corpus_hash: str = ""
    origin: Mapping[str, Any] = field(default_factory=dict)


def _model_topics(name: str, model: Any, labels: Mapping[int, str] | None) -> ModelTopics:
    topic_ids, vocab, weights = model._term_weights()
    topic_ids = [int(t) for t in topic_ids]
    weights = np.asarray(weights, dtype=np.float64)
    doc_topic = np.asarray(model.doc_topic_, dtype=np.float64)
    cols = [int(t) for t in model.topic_ids_]
    keep = [t for t in topic_ids if t != -1 and t in cols]
    rows = [topic_ids.index(t) for t in keep]
    shown = {int(t): str(v) for t, v in getattr(model, "labels_", {}).items()}
    shown.update({int(t): str(v) for t, v in (labels or {}).items()})
    return ModelTopics(
        name=name,
        topic_ids=tuple(keep),
        vocabulary=tuple(str(v) for v in vocab),
        term_weights=weights[rows],
        doc_topic=doc_topic[:, [cols.index(t) for t in keep]],
        labels={t: shown.get(t, f"topic {t}") for t in keep},
    )


def source_from_fitted(prepared: Any, models: Mapping[str, Any], *, groupings: Sequence[str] = (),
                       labels: Mapping[str, Mapping[int, str]] | None = None,
                       origin: Mapping[str, Any] | None = None) -> ValidationSource:
    """A :class:`ValidationSource` from a prepared corpus and models fitted on it.

    Parameters
    ----------
    prepared : discourse.Prepared
    models : mapping of str -> fitted model
        E.g. ``{"lda": lda}``; each must have been fitted on ``prepared``.
    groupings : sequence of str
        Metadata columns (or ``a:b`` crossings) the quote sheets are made for.
    labels : mapping of model name -> {topic: label}, optional
        The researcher's labels; topics without one keep the model's label.

    Raises
    ------
    InputError
        If a model was fitted on a different number of passages.
    """
    passages = prepared.passages[PASSAGE_COLUMNS].reset_index(drop=True)
    out = {}
    for name, model in models.items():
        n = np.asarray(model.doc_topic_).shape[0]
        if n != len(passages):
            raise InputError(f"model {name!r} was fitted on {n} passages but the prepared corpus has {len(passages)}; "
                             "pass the Prepared the model was fitted on")
        out[name] = _model_topics(name, model, (labels or {}).get(name))
    return ValidationSource(passages=passages, metadata=prepared.metadata, models=out, groupings=tuple(groupings),
                            corpus_hash=str(prepared.corpus_hash), origin=dict(origin or {}))


def source_from_result(result: Any, *, labels: Mapping[str, Mapping[int, str]] | None = None) -> ValidationSource:
    """A :class:`ValidationSource` from an :class:`~discourse.AnalysisResult`."""
    return source_from_fitted(result.prepared, {n: result.models[n] for n in result.models}, groupings=tuple(result.config.by),
                              labels=labels, origin={"corpus_hash": result.prepared.corpus_hash})


def read_labels(path: str | Path) -> dict[str, dict[int, str]]:
    """Read a researcher's topic labels: a CSV with columns ``model, topic, label``.

    Raises
    ------
    InputError
        Naming the file and what is wrong with it.
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype={"model": str, "label": str}, keep_default_na=False)
    except FileNotFoundError:
        raise InputError(f"labels file {str(path)!r} does not exist") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"labels file {str(path)!r} is not a readable CSV ({str(exc).splitlines()[0]})") from None
    missing = [c for c in ("model", "topic", "label") if c not in df.columns]
    if missing:
        raise InputError(f"labels file {str(path)!r} lacks column(s) {', '.join(missing)}; it needs model, topic, label")
    topics = pd.to_numeric(df["topic"], errors="coerce")
    if topics.isna().any() or (topics != topics.round()).any():
        row = int(topics.isna().idxmax() if topics.isna().any() else (topics != topics.round()).idxmax()) + 2
        raise InputError(f"labels file {str(path)!r}, line {row}: topic must be an integer")
    out: dict[str, dict[int, str]] = {}
    for model, topic, label in zip(df["model"], topics.astype(int), df["label"].fillna("")):
        out.setdefault(str(model).strip().lower(), {})[int(topic)] = str(label).strip()
    return out


def load_source(results_dir: str | Path, *, cache_dir: str | Path | None = None,
                labels: Mapping[str, Mapping[int, str]] | None = None) -> ValidationSource:
    """A :class:`ValidationSource` for a ``discourse analyze`` output folder.

    The prepared corpus and the fitted models are read from the cache that
    ``analyze`` filled, found by the corpus hash and parameters in the
    folder's ``manifest.json``; the cached topic table is checked against
    the folder's ``topics.csv``, so tasks are only ever made from the models
    behind the folder's results.

    Parameters
    ----------
    results_dir : path
        Written by ``discourse analyze --out``.
    cache_dir : path, optional
        The ``--cache`` folder that ``analyze`` used (default: its default,
        ``$DISCOURSE_CACHE`` or ``~/.cache/discourse``).

    Raises
    ------
    InputError
        If the folder is not an analyze output, or its models are not in the cache.
    """
    from ..analysis import AnalysisConfig, _load_result, _result_key, default_cache_dir

    results_dir = Path(results_dir)
    manifest_path = results_dir / "manifest.json"
    if not manifest_path.is_file():
        raise InputError(f"{str(results_dir)!r} is not a `discourse analyze` output folder: it has no manifest.json")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        params = {k: (tuple(v) if isinstance(v, list) else v) for k, v in manifest["parameters"].items()}
        config = AnalysisConfig(**params)
        corpus_hash = str(manifest["corpus_hash"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{str(manifest_path)!r} is not a manifest written by `discourse analyze` ({exc})") from None
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    entry = cache / "results" / _result_key(corpus_hash, config)
    hint = (f"rerun `discourse analyze` with --cache {cache} (and the same parameters), or pass the --cache folder "
            "that analyze used")
    if not (entry / "result.json").is_file():
        raise InputError(f"the fitted models behind {str(results_dir)!r} are not in the cache {str(cache)!r}; {hint}")
    try:
        result = _load_result(entry, config)
    except Exception as exc:  # noqa: BLE001 - any unreadable cache entry gets the same advice
        raise InputError(f"the cached analysis for {str(results_dir)!r} in {str(entry)!r} is unreadable ({exc}); {hint}") from None
    _check_topics(results_dir, result)
    return source_from_fitted(result.prepared, {n: result.models[n] for n in result.models}, groupings=tuple(config.by),
                              labels=labels, origin={"results_dir": str(results_dir), "corpus_hash": corpus_hash,
                                                     "results_manifest_sha256": _sha(manifest_path)})


def _sha(path: Path) -> str:
    from .._io import sha256_file

    return sha256_file(path)


def _check_topics(results_dir: Path, result: Any) -> None:
    path = results_dir / "topics.csv"
    if not path.is_file():
        return
    written = pd.read_csv(path, dtype={"model": str, "term": str}, keep_default_na=False)
    cached = result.tables.get("topics")
    if cached is None or written[["model", "topic", "term"]].astype(str).values.tolist() != \
            cached[["model", "topic", "term"]].astype(str).values.tolist():
        raise InputError(f"{str(path)!r} does not match the cached models it should come from; rerun `discourse analyze` "
                         "to write the folder and the cache together")
