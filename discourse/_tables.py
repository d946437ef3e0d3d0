"""The tables of an analysis, from a prepared corpus and fitted models.

:func:`compare_tables` computes every comparison table ``discourse analyze``
writes (keyness, prevalence, contrasts, frames, drift,
difference-in-differences, alignment, effects, stability, documents,
groupings) in the column order of :data:`TABLE_COLUMNS`.  It is the one
assembly step of both backends: :func:`discourse.analyze` calls it in
process, :func:`discourse.distributed.analyze_distributed` in the driver
on the merged passages and models.
"""

from __future__ import annotations

import itertools
import logging
import time
from typing import Any, Mapping, Sequence

import pandas as pd

from ._config import AnalysisConfig
from .errors import ParameterError
from .groupings import check_groupings

__all__ = ["TABLE_COLUMNS", "TREND_FORMULA", "check_by", "compare_tables", "config_pairs", "did_designs"]

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









def did_designs(metadata: pd.DataFrame, by: str, years: Sequence[str] | None = None) -> list[tuple[str, str, str]]:
    """(treated, before, after) for a crossing ``group_col:time_col``.

    ``before``/``after`` are those of ``years`` (a study's own,
    ``AnalysisConfig.did_years``) that the crossing has, else its first and
    last time values in sorted order; every group is taken in turn as the treated group
    (against all others).
    """
    gcol, tcol = by.split(":")
    groups = sorted(metadata[gcol].dropna().unique())
    times = sorted(metadata[tcol].dropna().unique())
    if len(groups) < 2 or len(times) < 2:
        return []
    before = str(years[0]) if years is not None and str(years[0]) in times else times[0]
    after = str(years[1]) if years is not None and str(years[1]) in times else times[-1]
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


def config_pairs(metadata: pd.DataFrame, config: AnalysisConfig) -> dict[str, list[tuple[str, str]] | None]:
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


def check_by(metadata: pd.DataFrame, by: Sequence[str]) -> None:
    cols = list(map(str, metadata.columns))
    for spec in by:
        parts = spec.split(":")
        if len(parts) > 2 or any(not p for p in parts):
            raise ParameterError(f"--by {spec!r} is not allowed: give a column, or two joined by ':' (e.g. outlet_country:period)")
        for p in parts:
            if p not in cols:
                raise ParameterError(f"--by {spec!r}: no metadata column {p!r}; columns are {cols}")


def compare_tables(prepared, models, config: AnalysisConfig, timings, runs: Mapping[str, Any] | None = None,
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
    pairs_by = config_pairs(prepared.metadata, config)
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
            drift = C.drift_by_topic(prepared, model, by=period_col, pairs=pairs_by.get(period_col), against_rest=True,
                                     min_count=config.min_count, prior_scale=config.prior_scale,
                                     n_permutations=config.n_permutations, random_state=rs)
            for topic, dr in drift.items():
                df = dr.to_frame()
                df.insert(0, "topic", topic)
                df.insert(0, "model", name)
                tables["drift"].append(df)
    for by in config.by:
        if ":" in by:
            for name, model in models.items():
                for treated, before, after in did_designs(prepared.metadata, by, config.did_years):
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
    tables["effects"], tables["predicted"] = effects_tables(prepared, models, runs, config, results)
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
    return {k: as_stored(v) for k, v in out.items() if len(v.columns)}, results


def as_stored(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` as the analysis cache stores and loads it (a Parquet round trip).

    Columns assembled from rows of mixed Python values (numbers beside
    ``None``) come back with the dtypes Parquet gives them, so a result
    computed now and the same result loaded from the cache have the same
    dtypes and are written to CSV byte for byte alike.
    """
    import io

    buf = io.BytesIO()
    table.to_parquet(buf, index=False)
    buf.seek(0)
    return pd.read_parquet(buf)


def _patsy_name(column: str) -> str:
    """A metadata column as a formula term: bare when a Python name, else quoted with patsy's ``Q``."""
    return column if column.isidentifier() else f"Q({column!r})"


def effects_tables(prepared, models, runs, config: AnalysisConfig, results: dict) -> tuple[list, list]:
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
