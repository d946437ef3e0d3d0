"""Shared statistical machinery: seeds, document bootstrap, BH, input checks.

The resampling unit everywhere is the **document**.  To keep scipy in charge
of resampling (and of the interval methods) while staying fast on thousands of
documents and dozens of topics, the data handed to :func:`scipy.stats.bootstrap`
are *document indices*; the vectorised
statistic turns each batch of resampled indices into per-document counts and
computes all topic means at once with one matrix product.  This is exactly the
ordinary bootstrap / permutation of documents, computed for every topic from
the same resamples.  The permutation test and its interval are in
:mod:`discourse.compare._intervals`.
"""

from __future__ import annotations

import inspect
import warnings
import zlib
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ParameterError, check_param

__all__ = [
    "normalize_seed",
    "rng_for",
    "bootstrap_linear_ci",
    "bh_adjust",
    "check_prepared",
    "check_model",
    "check_common",
]

# elements of the (resamples x documents) count matrix built per batch
_BATCH_ELEMENTS = 1 << 22
_METHODS = ("percentile", "basic", "BCa")


def normalize_seed(random_state: Any) -> int:
    """Turn ``random_state`` (int, None or numpy Generator) into one int seed, once."""
    if random_state is None:
        return int(np.random.SeedSequence().entropy % (2**63))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**63 - 1))
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool) and random_state >= 0:
        return int(random_state)
    raise ParameterError(
        f"random_state={random_state!r} is not allowed: expected a non-negative int, None or a numpy Generator"
    )


def rng_for(seed: int, *key: Any) -> np.random.Generator:
    """A Generator for one cell of a table, keyed by its labels.

    Each cell (e.g. one model, grouping and group) gets its own stream derived
    from ``seed`` and a CRC32 of its labels, so a cell's interval does not
    change when other groupings or pairs are added to the call.
    """
    words = [seed] + [zlib.crc32(str(k).encode("utf-8")) for k in key]
    return np.random.default_rng(np.random.SeedSequence(words))


def _rng_kw(func) -> str:
    return "rng" if "rng" in inspect.signature(func).parameters else "random_state"


def _index_means(samples: Sequence[np.ndarray]):
    """Vectorised statistic factory: mean rows of each sample from index batches."""
    sizes = [s.shape[0] for s in samples]

    def means_of(k: int, idx: np.ndarray) -> np.ndarray:
        # idx: (..., m) integer indices into samples[k]; returns (..., T)
        idx = np.asarray(idx)
        lead, m = idx.shape[:-1], idx.shape[-1]
        flat = idx.reshape(-1, m).astype(np.intp, copy=False)
        r, n = flat.shape[0], sizes[k]
        offsets = (np.arange(r, dtype=np.intp) * n)[:, None]
        counts = np.bincount((flat + offsets).ravel(), minlength=r * n).reshape(r, n)
        mu = (counts @ samples[k]) / m
        return mu.reshape(lead + (samples[k].shape[1],))

    return means_of


def check_common(n_resamples: int, confidence_level: float, method: str, min_docs: int,
                 extra_methods: tuple[str, ...] = ()) -> None:
    check_param("n_resamples", n_resamples, "an integer >= 1", isinstance(n_resamples, (int, np.integer)) and n_resamples >= 1)
    check_param(
        "confidence_level", confidence_level, "a number strictly between 0 and 1",
        isinstance(confidence_level, (int, float)) and 0 < confidence_level < 1,
    )
    methods = extra_methods + _METHODS
    check_param("method", method, "one of " + ", ".join(map(repr, methods)), method in methods)
    check_param("min_docs", min_docs, "an integer >= 1", isinstance(min_docs, (int, np.integer)) and min_docs >= 1)


def bootstrap_linear_ci(
    samples: Sequence[np.ndarray],
    coefs: Sequence[float],
    *,
    n_resamples: int,
    confidence_level: float,
    method: str,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap CI of ``sum_k coefs[k] * mean(samples[k], axis=0)``, per column.

    Each sample (documents x topics) is resampled independently, documents with
    replacement (Efron & Tibshirani 1993), via :func:`scipy.stats.bootstrap`.

    With ``method="BCa"`` (or ``"basic"``), a topic whose interval is
    undefined (all resamples equal) gets the percentile interval of the same
    resamples instead.

    Returns
    -------
    (low, high) : ndarray, ndarray
        Shape ``(n_topics,)``; NaN where any sample has fewer than 2 documents.
    """
    samples = [np.ascontiguousarray(s, dtype=float) for s in samples]
    n_topics = samples[0].shape[1]
    if any(s.shape[0] < 2 for s in samples):
        nan = np.full(n_topics, np.nan)
        return nan, nan.copy()
    means_of = _index_means(samples)

    def statistic(*idx, axis=-1):
        total = None
        for k, (c, ix) in enumerate(zip(coefs, idx)):
            ix = np.moveaxis(np.asarray(ix), axis, -1)
            part = c * means_of(k, ix)
            total = part if total is None else total + part
        return np.moveaxis(total, -1, 0)  # topics first, resamples last

    n_max = max(s.shape[0] for s in samples)
    batch = int(max(1, min(n_resamples, _BATCH_ELEMENTS // max(1, n_max * len(samples)))))
    data = tuple(np.arange(s.shape[0]) for s in samples)
    kw = dict(batch=batch, vectorized=True, confidence_level=float(confidence_level))
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        # BCa is undefined where every resample gives the same value (e.g. a topic no document uses);
        # those topics fall back to the percentile interval of the same resamples below
        warnings.simplefilter("ignore", getattr(stats, "DegenerateDataWarning", RuntimeWarning))
        res = stats.bootstrap(data, statistic, n_resamples=int(n_resamples), method=method,
                              **kw, **{_rng_kw(stats.bootstrap): rng})
    low = np.asarray(res.confidence_interval.low, dtype=float).reshape(n_topics)
    high = np.asarray(res.confidence_interval.high, dtype=float).reshape(n_topics)
    bad = ~(np.isfinite(low) & np.isfinite(high))
    if method != "percentile" and bad.any():
        pct = stats.bootstrap(data, statistic, n_resamples=0, method="percentile", bootstrap_result=res, **kw)
        low[bad] = np.asarray(pct.confidence_interval.low, dtype=float).reshape(n_topics)[bad]
        high[bad] = np.asarray(pct.confidence_interval.high, dtype=float).reshape(n_topics)[bad]
    return low, high


def progress_bar(iterable, *, total: int, desc: str, progress: bool | None):
    """A tqdm bar over ``iterable``; silent when ``progress`` is False, or None and stderr is not a terminal."""
    from tqdm.auto import tqdm

    from .._env import progress_enabled

    return tqdm(iterable, total=total, desc=desc, disable=not progress_enabled(progress), leave=False)


def bh_adjust(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values over the finite entries of ``p``.

    Uses :func:`scipy.stats.false_discovery_control` (``method="bh"``);
    NaN entries stay NaN and are not counted as tests.
    """
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = stats.false_discovery_control(np.clip(p[ok], 0.0, 1.0), method="bh")
    return out


def check_prepared(prepared: Any, *, need_tokens: bool = False) -> None:
    """Raise ParameterError unless ``prepared`` looks like a :class:`discourse.Prepared`."""
    for attr in ("passages", "metadata") + (("tokens",) if need_tokens else ()):
        if not hasattr(prepared, attr):
            raise ParameterError(
                f"prepared={type(prepared).__name__} is not allowed: it has no .{attr}; pass the result of discourse.prepare(corpus)"
            )
    passages = prepared.passages
    if not isinstance(passages, pd.DataFrame) or "doc_id" not in passages.columns:
        raise ParameterError("prepared.passages is not allowed: expected a DataFrame with a doc_id column")
    if not isinstance(prepared.metadata, pd.DataFrame):
        raise ParameterError("prepared.metadata is not allowed: expected a DataFrame indexed by doc_id")
    if need_tokens and len(prepared.tokens) != len(passages):
        raise ParameterError(
            f"prepared.tokens has {len(prepared.tokens)} entries but prepared.passages has {len(passages)} rows; they must be aligned"
        )


def check_model(model: Any, n_passages: int) -> np.ndarray:
    """Validate a fitted topic model against the passages; return its doc_topic_ as float array."""
    for attr in ("doc_topic_", "topic_ids_"):
        if not hasattr(model, attr):
            raise ParameterError(
                f"model={type(model).__name__} is not allowed: it has no {attr}; fit it first (model.fit(prepared))"
            )
    theta = np.asarray(model.doc_topic_, dtype=float)
    if theta.ndim != 2 or theta.shape[0] != n_passages:
        raise ParameterError(
            f"model.doc_topic_ has shape {theta.shape} but prepared has {n_passages} passages; fit the model on this prepared corpus"
        )
    if theta.shape[1] != len(model.topic_ids_):
        raise ParameterError(
            f"model.doc_topic_ has {theta.shape[1]} columns but model.topic_ids_ lists {len(model.topic_ids_)} topics"
        )
    return theta


def unstable_flags(model: Any) -> np.ndarray:
    """Per topic (model order), whether the runs flag it unstable; all False for a single model."""
    topics = list(model.topic_ids_)
    stability = getattr(model, "stability", None)
    if stability is None:
        return np.zeros(len(topics), dtype=bool)
    flags = dict(zip(*stability()[["topic", "unstable"]].to_numpy().T))
    return np.array([bool(flags.get(t, False)) for t in topics])


def model_name(model: Any) -> str:
    return str(getattr(model, "name", type(model).__name__.lower()))


def topic_label(model: Any, topic: Any) -> str:
    labels = getattr(model, "labels_", None) or {}
    value = labels.get(topic, labels.get(int(topic), "")) if isinstance(labels, dict) else ""
    return str(value) if value is not None else ""
