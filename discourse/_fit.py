"""Fitting the models of an analysis: which estimators, with which parameters, and their runs.

:func:`estimators` builds each model's estimator from the configuration;
:func:`fit_models` fits them through a :class:`Fitter`, which says where one
fit runs.  The in-process fitter (:func:`in_process`) fits through the model
cache (:func:`~discourse._analysis_cache.fit_cached`); the Dask backend
(:mod:`discourse.distributed._analysis`) gives its own fitter, so both
backends fit the same estimators with the same parameters, the same
runs (:func:`~discourse.models.runs.fit_runs`) and record the same timings.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ._config import AnalysisConfig

__all__ = ["Fitter", "estimators", "fit_models", "in_process"]


@dataclass(frozen=True)
class Fitter:
    """Where each model is fitted: ``lda(estimator) -> fitted LDA``, ``bertopic(estimator) -> fitted BERTopicModel``.

    ``lda`` is called once per run (:func:`~discourse.models.runs.fit_runs`
    gives each run its seed and, after the first, the first run's K) and may
    record extra timings in the ``timings`` dict :func:`fit_models` passes on.
    """

    lda: Callable[[Any], Any]
    bertopic: Callable[[Any], Any]


def estimators(config: AnalysisConfig) -> dict[str, Any]:
    """The unfitted estimator of each model in ``config.models``, by name, with the configuration's parameters."""
    from .models import LDA, BERTopicModel

    out: dict[str, Any] = {}
    if "lda" in config.models:
        out["lda"] = LDA(k=config.k, k_range=config.k_range, seeds=config.k_seeds, random_state=config.random_state,
                         progress=config.progress)
    if "bertopic" in config.models:
        cache = config.cache_dir
        out["bertopic"] = BERTopicModel(random_state=config.random_state, progress=config.progress, embedder=config.embedder,
                                        umap_init=config.umap_init, cache_dir=(str(Path(cache) / "embeddings") if cache else None))
    return out


def fit_models(prepared: Any, config: AnalysisConfig, timings: dict[str, float], fitter: Fitter,
               ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fitted models by name, and each model's aligned runs (:class:`~discourse.models.runs.ModelRuns`).

    Each model is fitted ``config.n_runs`` times (seeds ``random_state + i``;
    BERTopic also once under embedding noise, for ``noise_kept``, unless
    ``config.noise_refit`` is False) and its
    first run is the model; ``timings`` gets the seconds each model took,
    and ``"<model>.embed"`` the part of them spent embedding (a part of the
    stage, not a stage of its own: keys with a dot are not added to totals).
    """
    from .models.runs import NOISE, fit_runs

    models: dict[str, Any] = {}
    runs: dict[str, Any] = {}
    for name, est in estimators(config).items():
        t = time.perf_counter()
        runs[name] = fit_runs(est, prepared, n_runs=config.n_runs, fit=getattr(fitter, name),
                              noise=NOISE if config.noise_refit else None)
        models[name] = runs[name].reference
        timings[name] = time.perf_counter() - t
        # the part of the stage a fresh fit spent embedding (a model read from the cache has no timings_)
        embed = sum(getattr(m, "timings_", {}).get("embed", 0.0) for m in runs[name].models)
        if embed:
            timings[f"{name}.embed"] = timings.get(f"{name}.embed", 0.0) + embed
    return models, runs


def in_process(prepared: Any, config: AnalysisConfig) -> Fitter:
    """Fit in this process, through the model cache (``config.cache_dir``)."""
    from ._analysis_cache import fit_cached

    def fit(model: Any) -> Any:
        return fit_cached(model, prepared, cache_dir=config.cache_dir)

    return Fitter(lda=fit, bertopic=fit)
