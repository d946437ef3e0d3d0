"""The whole analysis in one call: clean, fit both models, compare, write.

:func:`analyze` runs every step on a corpus and returns an
:class:`~discourse._result.AnalysisResult` holding the tidy tables (the same
ones ``discourse analyze`` writes), the prepared corpus and the fitted
models.  Its settings are :class:`~discourse._config.AnalysisConfig`; fitted
models and whole analyses are cached (:mod:`discourse._analysis_cache`), so
notebooks and reruns reuse them instead of refitting.
"""

from __future__ import annotations

import itertools
import logging
import os
import time
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from ._analysis_cache import LazyModels, _load_result, _model_key, _result_key, _save_result, default_cache_dir, fit_cached
from ._config import MODEL_NAMES, AnalysisConfig
from ._io import check_writable_dir, sha256_file
from ._result import AnalysisResult
from .errors import ParameterError
from .groupings import check_groupings

__all__ = ["AnalysisConfig", "AnalysisResult", "analyze", "run_analysis", "default_cache_dir", "fit_cached"]

# Re-exported for the distributed backend and tests, which use them under these names.
_ = (LazyModels, _model_key, MODEL_NAMES)

logger = logging.getLogger(__name__)


#: Column order of each table ``discourse analyze`` writes (the documented leading columns).
TABLE_COLUMNS = {
    "keyness": ["grouping", "group", "reference", "term", "count", "count_reference", "log_odds", "z", "p_adj", "p_value",
                "docs_using", "docs_using_reference", "dp", "one_doc"],
    "topics": ["model", "topic", "rank", "term", "weight", "ranking", "score", "label"],
    "prevalence": ["model", "topic", "label", "grouping", "group", "share", "ci_low", "ci_high", "n_docs"],
    "contrasts": ["model", "topic", "grouping", "group_a", "group_b", "difference", "ci_low", "ci_high", "p_value", "p_adj"],
    "alignment": ["lda_topic", "bertopic_topic", "similarity"],
    "frames": ["grouping", "group", "frame_balance", "ci_low", "ci_high", "n_docs"],
    "stability": ["model", "topic", "label", "median_similarity", "recurrence", "unstable", "n_runs"],
    "effects": ["model", "topic", "label", "term", "estimate", "ci_low", "ci_high", "p_value", "p_adj", "n_docs"],
    "predicted": ["model", "topic", "label", "formula"],
}

#: Smooth trend over the publication date written to ``predicted.csv`` when dates exist.
TREND_FORMULA = "~ bs(year, df=3)"









def _did_designs(metadata: pd.DataFrame, by: str) -> list[tuple[str, str, str]]:
    """(treated, before, after) for a crossing ``group_col:time_col``.

    ``before``/``after`` are the study's 2015 and 2024 when present, else the
    first and last time values in sorted order; every group is taken in turn
    as the treated group (against all others).
    """
    gcol, tcol = by.split(":")
    groups = sorted(metadata[gcol].dropna().unique())
    times = sorted(metadata[tcol].dropna().unique())
    if len(groups) < 2 or len(times) < 2:
        return []
    before = "2015" if "2015" in times else times[0]
    after = "2024" if "2024" in times else times[-1]
    return [(g, before, after) for g in groups]


def _pairs(groups: Sequence[str]) -> list[tuple[str, str]]:
    """Every pair of groups, the later-sorting group first.

    Differences are ``group_a - group_b``; with periods this reads as change
    over time (``2024 - 2015``), and keyness of ``2024`` against ``2015``
    shows which words rose (positive z) and which fell (negative z).
    """
    return [(b, a) for a, b in itertools.combinations(sorted(groups), 2)]


def _topic_terms_table(model, n: int = 10) -> pd.DataFrame:
    """Top terms of every topic by each ranking (FREX, probability, relevance) with the topic's label."""
    from .models._labels import RANKINGS

    table = pd.concat([model.topic_terms(n=n, ranking=r) for r in RANKINGS], ignore_index=True)
    labels = getattr(model, "labels_", {}) or {}
    return table.assign(label=[str(labels.get(int(t), "")) for t in table["topic"]])


def _config_pairs(metadata: pd.DataFrame, config: AnalysisConfig) -> dict[str, list[tuple[str, str]] | None]:
    """The pairs compared in each grouping: the configured ones it has, or every pair (2-8 groups)."""
    from .compare import group_labels

    out: dict[str, list[tuple[str, str]] | None] = {}
    used: set[tuple[str, str]] = set()
    for by in config.by:
        groups = [str(g) for g in group_labels(metadata, by).dropna().unique()]
        if config.pairs is None:
            out[by] = _pairs(groups) if 2 <= len(groups) <= 8 else None
            continue
        have = [(str(a), str(b)) for a, b in config.pairs if str(a) in groups and str(b) in groups]
        used.update(have)
        out[by] = have
    missing = [tuple(map(str, p)) for p in (config.pairs or []) if tuple(map(str, p)) not in used]
    if missing:
        raise ParameterError(f"--pair {','.join(missing[0])}: these groups are not both in any --by grouping")
    return out


def _check_by(metadata: pd.DataFrame, by: Sequence[str]) -> None:
    cols = list(map(str, metadata.columns))
    for spec in by:
        parts = spec.split(":")
        if len(parts) > 2 or any(not p for p in parts):
            raise ParameterError(f"--by {spec!r} is not allowed: give a column, or two joined by ':' (e.g. outlet_country:period)")
        for p in parts:
            if p not in cols:
                raise ParameterError(f"--by {spec!r}: no metadata column {p!r}; columns are {cols}")


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
    _check_by(corpus.metadata, config.by)
    _config_pairs(corpus.metadata, config)
    if config.scheduler:
        from .distributed import analyze_distributed

        if _tokenizer(config) is not None:
            raise ParameterError("aliases= and extra_stopwords= (a study's [vocabulary] aliases and stop_words) are not "
                                 "applied on a Dask cluster yet: run without --scheduler, or leave them unset")

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

    prepared = prepare(corpus, tokenizer=_tokenizer(config), progress=config.progress)
    timings["prepare"] = time.perf_counter() - t0

    models, runs = _fit_models(prepared, config, timings)
    tables, results = _compare(prepared, models, config, timings, runs=runs)
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


def _tokenizer(config: AnalysisConfig):
    """The tokenizer the configuration asks for (``None``: the default one of :func:`discourse.prepare`)."""
    if config.aliases is None and not config.extra_stopwords:
        return None
    from .tokenize import Tokenizer

    return Tokenizer(aliases=config.aliases, extra_stopwords=tuple(config.extra_stopwords))


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


def _fit_models(prepared, config: AnalysisConfig, timings: dict[str, float]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fitted models by name, and each model's aligned runs (:class:`~discourse.models.runs.ModelRuns`)."""
    from .models import LDA, BERTopicModel
    from .models.runs import fit_runs

    models: dict[str, Any] = {}
    runs: dict[str, Any] = {}
    cache = config.cache_dir
    if "lda" in config.models:
        t = time.perf_counter()
        lda = LDA(k=config.k, k_range=config.k_range, seeds=config.k_seeds, random_state=config.random_state, progress=config.progress)
        runs["lda"] = fit_runs(lda, prepared, n_runs=config.n_runs,
                               fit=lambda m: fit_cached(m, prepared, cache_dir=cache))
        models["lda"] = runs["lda"].reference
        timings["lda"] = time.perf_counter() - t
    if "bertopic" in config.models:
        t = time.perf_counter()
        bt = BERTopicModel(random_state=config.random_state, progress=config.progress, embedder=config.embedder,
                           cache_dir=(str(Path(cache) / "embeddings") if cache else None))
        runs["bertopic"] = fit_runs(bt, prepared, n_runs=config.n_runs,
                                    fit=lambda m: fit_cached(m, prepared, cache_dir=cache))
        models["bertopic"] = runs["bertopic"].reference
        timings["bertopic"] = time.perf_counter() - t
    return models, runs


def _compare(prepared, models, config: AnalysisConfig, timings, runs: Mapping[str, Any] | None = None,
             ) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Every comparison table; a model with several runs (``runs[name]``) is compared over its runs."""
    from . import compare as C

    runs = dict(runs or {})

    t = time.perf_counter()
    rs = config.random_state
    boot = dict(n_resamples=config.n_resamples, confidence_level=config.confidence_level, random_state=rs)
    tables: dict[str, list[pd.DataFrame]] = {k: [] for k in ("keyness", "topics", "prevalence", "contrasts", "frames", "did", "drift", "alignment_similarity", "representative", "effects", "predicted")}
    results: dict[str, Any] = {}
    simple_by = [b for b in config.by if ":" not in b]
    pairs_by = _config_pairs(prepared.metadata, config)
    for by in config.by:
        pairs = pairs_by[by]
        rest = (config.pairs is None) if config.against_rest is None else config.against_rest
        kr = C.keyness(prepared, by, pairs=pairs, against_rest=rest, min_count=config.min_count,
                       prior_scale=config.prior_scale, n_permutations=config.n_permutations, random_state=rs)
        results[f"keyness:{by}"] = kr
        tables["keyness"].append(kr.to_frame())
        fr = C.frame_balance(prepared, by, min_docs=config.min_docs if config.min_docs is not None else 3,
                             lexicon=config.lexicon, **boot)
        results[f"frames:{by}"] = fr
        tables["frames"].append(fr.to_frame())
        for name, model in models.items():
            model = runs.get(name, model)
            pr = C.prevalence(prepared, model, by, min_docs=config.min_docs, **boot)
            results[f"prevalence:{name}:{by}"] = pr
            tables["prevalence"].append(pr.to_frame())
            cr = C.contrasts(prepared, model, by, pairs=pairs, n_permutations=config.n_permutations,
                             confidence_level=config.confidence_level, min_docs=config.min_docs, random_state=rs)
            results[f"contrasts:{name}:{by}"] = cr
            tables["contrasts"].append(cr.to_frame())
    timings["compare"] = time.perf_counter() - t
    t = time.perf_counter()
    for name, model in models.items():
        tables["topics"].append(_topic_terms_table(model))
        tables["representative"].append(model.representative_passages(prepared, n=2))
    if "lda" in models and "bertopic" in models:
        ar = C.align_models(models["lda"], models["bertopic"], prepared=prepared)
        results["alignment"] = ar
        alignment = ar.to_frame()
        tables["agreement"] = [pd.DataFrame([ar.agreement], columns=["ari", "nmi", "n_passages"])]
        sim = ar.similarity_matrix
        tables["alignment_similarity"] = [
            sim.rename_axis(index="lda_topic", columns="bertopic_topic").stack().rename("similarity").reset_index()]
    else:
        alignment = pd.DataFrame(columns=TABLE_COLUMNS["alignment"])
    # drift within topics and difference-in-differences where the design allows
    period_col = next((b for b in simple_by if b == "period"), simple_by[0] if simple_by else None)
    if period_col is not None:
        for name, model in models.items():
            for topic in model.topic_ids_:
                if topic == -1:
                    continue
                dr = C.topic_drift(prepared, model, topic, by=period_col, pairs=pairs_by.get(period_col),
                                   against_rest=True, min_count=config.min_count, prior_scale=config.prior_scale,
                                   n_permutations=config.n_permutations, random_state=rs)
                df = dr.to_frame()
                df.insert(0, "topic", topic)
                df.insert(0, "model", name)
                tables["drift"].append(df)
    for by in config.by:
        if ":" in by:
            for name, model in models.items():
                for treated, before, after in _did_designs(prepared.metadata, by):
                    try:
                        dd = C.diff_in_diff(prepared, runs.get(name, model), by, treated=treated, before=before, after=after,
                                            confidence_level=config.confidence_level, min_docs=config.min_docs)
                    except ParameterError as exc:
                        logger.warning("difference-in-differences for %s (%s) skipped: %s", by, treated, exc)
                        continue
                    results[f"did:{name}:{by}:{treated}"] = dd
                    tables["did"].append(dd.to_frame())
    timings["drift_alignment"] = time.perf_counter() - t
    t = time.perf_counter()
    tables["effects"], tables["predicted"] = _effects_tables(prepared, models, runs, config, results)
    timings["effects"] = time.perf_counter() - t
    out = {k: (pd.concat(v, ignore_index=True) if v else pd.DataFrame()) for k, v in tables.items()}
    out["alignment"] = alignment
    if runs:
        out["stability"] = pd.concat([r.stability() for r in runs.values()], ignore_index=True)
    if "lda" in models and getattr(models["lda"], "selection_", None) is not None:
        out["k_selection"] = models["lda"].selection_.summary
    out["documents"] = prepared.summary()
    out["groupings"] = check_groupings(prepared.metadata, config.by, min_docs=config.min_docs)
    for name, cols in TABLE_COLUMNS.items():
        if name in out and len(out[name].columns):
            rest = [c for c in out[name].columns if c not in cols]
            out[name] = out[name][[c for c in cols if c in out[name].columns] + rest]
    return {k: v for k, v in out.items() if len(v.columns)}, results


def _patsy_name(column: str) -> str:
    """A metadata column as a formula term: bare when a Python name, else quoted with patsy's ``Q``."""
    return column if column.isidentifier() else f"Q({column!r})"


def _effects_tables(prepared, models, runs, config: AnalysisConfig, results: dict) -> tuple[list, list]:
    """``effects.csv`` rows for the study's formula, ``predicted.csv`` rows for it and the date trend."""
    from . import compare as C

    formula = config.formula or "~ " + " + ".join(":".join(_patsy_name(c) for c in by.split(":")) for by in config.by)
    formulas = [formula]
    years = C._effects.decimal_year(prepared.metadata["published"]) if "published" in prepared.metadata else None
    if years is not None and years.notna().sum() >= 5:  # bs(df=3) and an intercept need more documents
        formulas.append(TREND_FORMULA)
    effects, predicted = [], []
    for name, model in models.items():
        model = runs.get(name, model)
        for f in formulas:
            try:
                res = C.effects(prepared, model, f, confidence_level=config.confidence_level,
                                min_docs=config.min_docs)
            except ParameterError as exc:
                logger.warning("effects %s for %s skipped: %s", f, name, exc)
                continue
            results[f"effects:{name}:{f}"] = res
            if f == formula:
                effects.append(res.to_frame().assign(formula=f))
            if len(res.predicted):
                predicted.append(res.predicted.assign(formula=f))
    return effects, predicted


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
    _check_by(corpus.metadata, config.by)
    _config_pairs(corpus.metadata, config)
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
