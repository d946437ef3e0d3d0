"""The whole analysis in one call: clean, fit both models, compare, write.

:func:`analyze` runs every step on a corpus (prepare, :func:`discourse._fit.fit_models`,
:func:`discourse._tables.compare_tables`) and returns an
:class:`~discourse._result.AnalysisResult` holding the tidy tables (the same
ones ``discourse analyze`` writes), the prepared corpus and the fitted
models.  Its settings are :class:`~discourse._config.AnalysisConfig`; fitted
models and whole analyses are cached (:mod:`discourse._analysis_cache`), so
notebooks and reruns reuse them instead of refitting.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any, Mapping

from ._analysis_cache import LazyModels, _load_result, _model_key, _result_key, _save_result, default_cache_dir, fit_cached
from ._config import MODEL_NAMES, AnalysisConfig
from ._document import tokenizer_for
from ._fit import fit_models, in_process
from ._io import check_writable_dir, sha256_file
from ._result import AnalysisResult
from ._tables import TABLE_COLUMNS, check_by, compare_tables, config_pairs

__all__ = ["AnalysisConfig", "AnalysisResult", "analyze", "run_analysis", "default_cache_dir", "fit_cached"]

# Re-exported for tests and callers that use them under these names.
_ = (LazyModels, _model_key, MODEL_NAMES, TABLE_COLUMNS)

logger = logging.getLogger(__name__)


def analyze(corpus, config: AnalysisConfig | None = None, **overrides) -> AnalysisResult:
    """Run the whole analysis on a corpus.

    Parameters
    ----------
    corpus : Corpus
        From :func:`discourse.load_corpus`.
    config : AnalysisConfig, optional
        All parameters; keyword ``overrides`` replace single fields.

    Returns
    -------
    AnalysisResult

    Raises
    ------
    ParameterError
        If a ``by`` column does not exist or a parameter is out of range.
    CorpusTooSmallError
        If the corpus is too small for a requested model.

    Examples
    --------
    >>> import discourse
    >>> res = discourse.analyze(discourse.load_seeds(), by=("period",), models=("lda",), k=3,
    ...                         n_resamples=200, n_permutations=200, figures=False, progress=False)
    >>> sorted(res.tables)[:5]
    ['alignment', 'contrasts', 'documents', 'drift', 'effects']
    >>> int(res.tables["stability"]["n_runs"].iloc[0])
    5
    """
    from dataclasses import replace

    config = replace(config or AnalysisConfig(), **overrides).validate()
    check_by(corpus.metadata, config.by)
    config_pairs(corpus.metadata, config)
    if config.scheduler:
        from .distributed import analyze_distributed

        return analyze_distributed(corpus, config)
    if config.reproducible:
        from .numeric import MODE_VAR, in_effect

        if os.environ.get(MODE_VAR) == "native":
            # `discourse figures --native-numerics` (or the user) asked for this CPU's own kernels
            logger.info("%s=native: computing with this CPU's own kernels, not the reproducible mode", MODE_VAR)
            config = replace(config, reproducible=False)
        elif not in_effect():
            return _analyze_in_reproducible_process(corpus, config)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    cached_at = None
    if config.cache_dir is not None:
        cached_at = Path(config.cache_dir) / "results" / _result_key(corpus.hash, config)
        if (cached_at / "result.json").exists():
            try:
                res = _load_result(cached_at, config)
                res.timings["load_cached"] = time.perf_counter() - t0
                logger.info("loaded the whole analysis from cache %s", cached_at)
                return res
            except Exception as exc:  # noqa: BLE001 - corrupt or stale entry: recompute
                logger.warning("cached analysis at %s is unreadable (%s); recomputing", cached_at, exc)

    from ._prepare import prepare

    prepared = prepare(corpus, tokenizer=tokenizer_for(config.aliases, config.extra_stopwords), progress=config.progress)
    timings["prepare"] = time.perf_counter() - t0

    models, runs = fit_models(prepared, config, timings, in_process(prepared, config))
    tables, results = compare_tables(prepared, models, config, timings, runs=runs)
    res = AnalysisResult(tables=tables, prepared=prepared, models=models, config=config,
                         corpus_source=getattr(corpus, "source", ""), timings=timings, results=results)
    if cached_at is not None:
        paths = {n: str(getattr(m, "cache_path_", "")) for n, m in models.items()}
        if all(paths.values()):
            try:
                _save_result(res, cached_at, paths)
            except OSError as exc:
                logger.warning("could not cache the analysis in %s (%s)", cached_at, exc)
    return res


def _analyze_in_reproducible_process(corpus, config: AnalysisConfig) -> AnalysisResult:
    """Compute the analysis in a fresh process in the reproducible numeric mode; load its cached result.

    Numeric libraries choose their kernels when they load, so the mode cannot
    be switched on in a process that has loaded them: a fresh process starts
    with the mode's environment, computes (and caches) the analysis, and this
    process loads the cached result.
    """
    from dataclasses import replace

    from .numeric import call_reproducibly

    if config.cache_dir is None:
        config = replace(config, cache_dir=str(default_cache_dir()))
    t0 = time.perf_counter()
    logger.info("computing in a fresh process in the reproducible numeric mode")
    call_reproducibly(_analyze_and_cache, corpus, config)
    res = _load_result(Path(config.cache_dir) / "results" / _result_key(corpus.hash, config), config)
    res.timings["reproducible_process"] = time.perf_counter() - t0
    return res


def _analyze_and_cache(corpus, config: AnalysisConfig) -> None:
    analyze(corpus, config)


def run_analysis(path, config: AnalysisConfig, *, out, text_col: str = "text", id_col: str = "id",
                 load_options: Mapping[str, Any] | None = None, settings: Mapping[str, Any] | None = None) -> AnalysisResult:
    """What ``discourse analyze`` does: load, check the output folder, analyse, write.

    The output folder is checked for writability before any work starts.
    ``load_options`` go to :func:`~discourse.load_corpus`; ``settings`` (a
    study's resolved settings) are recorded in the manifest.  Duplicates found
    and web pages skipped are written as ``duplicates.csv`` and ``skipped_pages.csv``.
    """
    from .corpus import load_corpus

    out = Path(out)
    check_writable_dir(out.parent if out.parent != Path("") else Path("."), what="output directory")
    corpus = load_corpus(path, **({"text_col": text_col, "id_col": id_col} | dict(load_options or {})))
    config = config.validate()
    check_by(corpus.metadata, config.by)
    config_pairs(corpus.metadata, config)
    result = analyze(corpus, config)
    if corpus.duplicates is not None and len(corpus.duplicates.table):
        result.tables["duplicates"] = corpus.duplicates.to_frame()
    if corpus.ingest is not None and len(corpus.ingest.skipped):
        result.tables["skipped_pages"] = corpus.ingest.to_frame()
    t = time.perf_counter()
    p = Path(path)
    inputs = {}
    if p.is_file():
        inputs[p.name] = sha256_file(p)
    elif p.is_dir():
        for f in sorted(p.iterdir()):
            if f.is_file():
                inputs[f.name] = sha256_file(f)
    inputs["corpus_hash"] = corpus.hash
    result.write(out, inputs=inputs, settings=settings)
    result.timings["write"] = time.perf_counter() - t
    return result
