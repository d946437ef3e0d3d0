"""The whole analysis in one call: clean, fit both models, compare, write.

:func:`analyze` runs every step on a corpus and returns an
:class:`AnalysisResult` holding the tidy tables (the same ones
``discourse analyze`` writes), the prepared corpus and the fitted models.
Fitted models are cached on disk, keyed by corpus hash, parameters and
package versions, so notebooks and reruns reuse them instead of refitting.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from ._io import atomic_dir, check_writable_dir, sha256_file
from .errors import ParameterError
from .groupings import check_groupings, empty_reason
from .provenance import code_fingerprint, package_versions, to_json

__all__ = ["AnalysisConfig", "AnalysisResult", "analyze", "run_analysis", "default_cache_dir", "fit_cached"]

logger = logging.getLogger(__name__)

MODEL_NAMES = ("lda", "bertopic")

#: Column order of each table ``discourse analyze`` writes (the documented leading columns).
TABLE_COLUMNS = {
    "keyness": ["grouping", "group", "reference", "term", "count", "count_reference", "log_odds", "z", "p_adj", "p_value",
                "docs_using", "docs_using_reference", "dp", "one_doc"],
    "topics": ["model", "topic", "rank", "term", "weight", "ranking", "score", "label"],
    "prevalence": ["model", "topic", "label", "grouping", "group", "share", "ci_low", "ci_high", "n_docs"],
    "contrasts": ["model", "topic", "grouping", "group_a", "group_b", "difference", "ci_low", "ci_high", "p_value", "p_adj"],
    "alignment": ["lda_topic", "bertopic_topic", "similarity"],
    "frames": ["grouping", "group", "frame_balance", "ci_low", "ci_high", "n_docs"],
}


#: Tables that compare groups (empty when no grouping has two groups).
_COMPARISONS = {"keyness", "contrasts", "drift", "did"}


def default_cache_dir() -> Path:
    """``$DISCOURSE_CACHE`` if set, else ``~/.cache/discourse``."""
    env = os.environ.get("DISCOURSE_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "discourse"


@dataclass(frozen=True)
class AnalysisConfig:
    """Every parameter of :func:`analyze` (grouped, as they are many).

    Parameters
    ----------
    by : tuple of str
        Metadata columns to compare by; ``"a:b"`` crosses two columns.
    models : tuple of str
        Any of ``"lda"``, ``"bertopic"``.
    k : int or "auto"
        LDA topics; ``"auto"`` chooses by coherence and stability.
    k_range : tuple of int
        Range of K tried when ``k="auto"``.
    k_seeds : tuple of int
        Seeds per K when ``k="auto"`` (stability across seeds).
    random_state : int
        The one seed every stochastic step derives from.
    min_count : int
        Minimum term count for keyness.
    prior_scale : float
        Keyness prior's total relative to the corpus (``alpha_w = prior_scale * y_w``).
    pairs : tuple of (str, str) or None
        ``(group, reference)`` pairs for keyness and contrasts, each used in the
        groupings that have both groups; ``None``: every pair of groups (later
        against earlier) of groupings with 2-8 groups.
    against_rest : bool or None
        Keyness of each group against the rest; ``None``: only when ``pairs``
        is None.
    min_docs : int
        Cells with fewer documents are flagged ``too_few``.
    n_resamples : int
        Bootstrap resamples (documents are resampled).
    n_permutations : int
        Permutations for contrast p-values.
    confidence_level : float
        Of every interval.
    cache_dir : str or None
        Where embeddings and fitted models are cached.
    progress : bool or None
        Progress bars; ``None`` shows them only when attached to a terminal.
    figures : bool
        Also draw the figures (``DIR/figures``) when writing.
    scheduler : str or None
        Dask scheduler address, ``"local"``, or ``None`` for in-process.
    embedder : str
        BERTopic's embedding tier: ``"minilm"``, ``"minilm-int8"`` or
        ``"static"`` (:class:`~discourse.models.BERTopicModel`).
    reproducible : bool
        Compute in the reproducible numeric mode (:mod:`discourse.numeric`):
        the same bytes on any x86-64 CPU.  When this process does not already
        run in the mode, the analysis is computed in a fresh process that
        does, and its result comes back through the cache (``cache_dir``, or
        the default cache folder when that is ``None``).
    """

    by: tuple[str, ...] = ("period",)
    models: tuple[str, ...] = MODEL_NAMES
    k: int | str = "auto"
    k_range: tuple[int, ...] = (2, 3, 4, 5, 6, 8, 10)
    k_seeds: tuple[int, ...] = (0, 1, 2)
    random_state: int = 0
    min_count: int = 3
    prior_scale: float = 0.1
    pairs: tuple[tuple[str, str], ...] | None = None
    against_rest: bool | None = None
    min_docs: int = 3
    n_resamples: int = 2000
    n_permutations: int = 2000
    confidence_level: float = 0.95
    cache_dir: str | None = None
    progress: bool | None = None
    figures: bool = True
    scheduler: str | None = None
    reproducible: bool = False
    embedder: str = "minilm"

    def validate(self) -> "AnalysisConfig":
        """Check every field; raise :class:`ParameterError` naming the bad one."""
        if not self.by:
            raise ParameterError("by=() is not allowed: give at least one metadata column (--by COLUMN)")
        bad = [m for m in self.models if m not in MODEL_NAMES]
        if bad or not self.models:
            raise ParameterError(f"models={','.join(self.models)!r} is not allowed: choose from lda, bertopic")
        if not (self.k == "auto" or (isinstance(self.k, int) and self.k >= 2)):
            raise ParameterError(f"k={self.k!r} is not allowed: an integer >= 2 or 'auto'")
        if not 0 < self.confidence_level < 1:
            raise ParameterError(f"confidence_level={self.confidence_level!r} is not allowed: between 0 and 1")
        if self.embedder not in ("minilm", "minilm-int8", "static"):
            raise ParameterError(f"embedder={self.embedder!r} is not allowed: minilm, minilm-int8 or static (--embedder)")
        if self.reproducible and self.embedder == "minilm-int8":
            raise ParameterError("embedder='minilm-int8' is refused with reproducible=True: ONNX Runtime picks its int8 "
                                 "kernels from the CPU with no setting to pin them; use minilm or static")
        if self.n_resamples < 100 or self.n_permutations < 100:
            raise ParameterError("n_resamples and n_permutations must be >= 100")
        if not (isinstance(self.prior_scale, (int, float)) and 0 < self.prior_scale < float("inf")):
            raise ParameterError(f"prior_scale={self.prior_scale!r} is not allowed: a number > 0 (--prior-scale)")
        if self.pairs is not None and any(len(p) != 2 or str(p[0]) == str(p[1]) for p in self.pairs):
            raise ParameterError(f"pairs={self.pairs!r} is not allowed: pairs of two different groups (--pair GROUP,REFERENCE)")
        return self


def _model_key(name: str, params: Mapping[str, Any], corpus_hash: str) -> str:
    from .numeric import fingerprint

    blob = json.dumps({"name": name, "params": params, "corpus": corpus_hash, "versions": package_versions(),
                       "code": code_fingerprint(), "numeric": fingerprint()}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def fit_cached(model, prepared, *, cache_dir: str | os.PathLike | None = None):
    """Fit ``model`` on ``prepared``, or load the identical fit from the cache.

    The cache key is the model's parameters, the corpus hash and the package
    versions; a corrupt entry is reported and refitted.

    Returns
    -------
    The fitted model (a loaded copy when the cache had it).
    """
    from ._cache import load_entry, seal

    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    params = model.get_params() if hasattr(model, "get_params") else {}
    key = _model_key(model.name, params, prepared.corpus_hash)
    path = cache / "models" / f"{model.name}-{key}"
    if path.exists():
        loaded = load_entry(path, type(model).load, what=f"fitted {model.name} model")
        if loaded is not None:
            loaded.cache_path_ = str(path)
            logger.info("loaded fitted %s model from cache %s", model.name, path)
            return loaded
    model.fit(prepared)
    try:
        check_writable_dir(path.parent, what="cache directory")
        model.save(path)
        seal(path)
        model.cache_path_ = str(path)
    except OSError as exc:
        logger.warning("could not cache the fitted %s model in %s (%s)", model.name, path, exc)
    return model


@dataclass
class AnalysisResult:
    """Tables, fitted models and the prepared corpus of one analysis.

    Attributes
    ----------
    tables : dict of str -> DataFrame
        ``keyness``, ``topics``, ``prevalence``, ``contrasts``, ``alignment``,
        ``frames`` (and ``did``, ``drift``, ``k_selection``, ``documents``
        where they apply).
    prepared : Prepared
    models : dict of str -> fitted model
    config : AnalysisConfig
    timings : dict of str -> float
        Seconds per stage (not written to the manifest: they vary).
    results : dict
        The results objects behind the tables.
    """

    tables: dict[str, pd.DataFrame]
    prepared: Any
    models: dict[str, Any]
    config: AnalysisConfig
    corpus_source: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """A few lines: sizes, models, and where the time went."""
        p = self.prepared
        lines = [
            f"documents {len(p.metadata):,}, passages {len(p.passages):,}, tokens {int(p.passages['n_tokens'].sum()):,}",
        ]
        for name in self.models:  # counted without loading a lazily cached model
            lines.append(f"{name}: {_n_topics(self.models, name)} topics")
        why = empty_reason(self.tables.get("groupings"))
        for name, t in self.tables.items():
            empty = f" (empty: {why}; see groupings.csv)" if why and not len(t) and name in _COMPARISONS else ""
            lines.append(f"{name}.csv: {len(t):,} rows{empty}")
        total = sum(self.timings.values())
        lines.append("time: " + ", ".join(f"{k} {v:.1f}s" for k, v in self.timings.items()) + f" (total {total:.1f}s)")
        return "\n".join(lines)

    def manifest(self, outputs: Mapping[str, str], inputs: Mapping[str, str], settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The manifest record written beside the tables (no timestamps); ``settings``: a study's resolved settings."""
        return ({"settings": dict(settings)} if settings else {}) | {
            "inputs": dict(inputs),
            "corpus_hash": self.prepared.corpus_hash,
            "parameters": asdict(self.config) | {"cache_dir": None, "progress": None},
            "random_state": self.config.random_state,
            "models": {n: getattr(m, "provenance_", {}).get("params", {}) for n, m in self.models.items()},
            "embedding_tier": {n: getattr(m, "provenance_", {}).get("extra", {}).get("embedding_tier")
                               for n, m in self.models.items() if n == "bertopic"},
            "versions": package_versions(),
            "numeric": _numeric_of(self.models),
            "outputs": dict(outputs),
        }

    def write(self, out: str | os.PathLike, *, inputs: Mapping[str, str] | None = None,
              settings: Mapping[str, Any] | None = None) -> Path:
        """Write every table, figure and ``manifest.json`` into ``out``, atomically.

        The folder is built aside and swapped in only when complete, so an
        interrupted run leaves the previous results intact.
        """
        from ._io import check_replaceable_dir

        out = check_replaceable_dir(out, option="--out")
        with atomic_dir(out) as tmp:
            outputs: dict[str, str] = {}
            for name, table in self.tables.items():
                path = tmp / f"{name}.csv"
                table.to_csv(path, index=False, lineterminator="\n", float_format="%.6g")
            if self.config.figures:
                from .report import draw_analysis_figures

                draw_analysis_figures(self, tmp / "figures")
            for path in sorted(tmp.rglob("*")):
                if path.is_file() and path.name != "manifest.json":
                    outputs[str(path.relative_to(tmp))] = sha256_file(path)
            (tmp / "manifest.json").write_text(to_json(self.manifest(outputs, inputs or {}, settings)), encoding="utf-8")
        return out


def _n_topics(models: Mapping[str, Any], name: str) -> int:
    known = getattr(models, "known_n_topics", {})
    return int(known[name]) if name in known else len(models[name].topic_ids_)


class LazyModels(dict):
    """Fitted models loaded from the cache only when first used (keeps warm runs light).

    ``known_n_topics`` holds each model's number of topics as saved, so that
    a summary needs no model loaded (loading BERTopic imports UMAP and numba).
    """

    def __init__(self, paths: Mapping[str, str], n_topics: Mapping[str, int] | None = None):
        super().__init__()
        self._paths = dict(paths)
        self.known_n_topics = {k: int(v) for k, v in (n_topics or {}).items() if k in self._paths}

    def __getitem__(self, name):
        if not dict.__contains__(self, name):
            from . import models as M

            cls = {"lda": M.LDA, "bertopic": M.BERTopicModel}[name]
            dict.__setitem__(self, name, cls.load(self._paths[name]))
        return dict.__getitem__(self, name)

    def __contains__(self, name):
        return name in self._paths

    def __iter__(self):
        return iter(self._paths)

    def __len__(self):
        return len(self._paths)

    def keys(self):
        return self._paths.keys()

    def items(self):
        return [(k, self[k]) for k in self._paths]

    def values(self):
        return [self[k] for k in self._paths]


def _result_key(corpus_hash: str, config: AnalysisConfig) -> str:
    from .numeric import fingerprint

    params = asdict(config) | {"cache_dir": None, "progress": None, "figures": None, "scheduler": None, "reproducible": None}
    blob = json.dumps({"corpus": corpus_hash, "config": params, "versions": package_versions(),
                       "code": code_fingerprint(), "numeric": fingerprint(reproducible=config.reproducible)},
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def _save_result(result: "AnalysisResult", path: Path, model_paths: Mapping[str, str]) -> None:
    from ._cache import seal

    with atomic_dir(path) as tmp:
        for name, table in result.tables.items():
            table.to_parquet(tmp / f"{name}.parquet", index=False)
        result.prepared.save(tmp / "prepared")
        meta = {"tables": sorted(result.tables), "models": dict(model_paths), "corpus_source": result.corpus_source,
                "n_topics": {n: len(m.topic_ids_) for n, m in result.models.items()}}
        (tmp / "result.json").write_text(to_json(meta), encoding="utf-8")
        seal(tmp)


def _load_result(path: Path, config: AnalysisConfig) -> "AnalysisResult":
    from ._cache import is_valid, verify
    from ._prepare import Prepared

    verify(path)
    for p in json.loads((path / "result.json").read_text(encoding="utf-8"))["models"].values():
        if not is_valid(p):
            raise FileNotFoundError(f"cached model {p} is missing or corrupt")
    meta = json.loads((path / "result.json").read_text(encoding="utf-8"))
    tables = {name: pd.read_parquet(path / f"{name}.parquet") for name in meta["tables"]}
    prepared = Prepared.load(path / "prepared")
    return AnalysisResult(tables=tables, prepared=prepared, models=LazyModels(meta["models"], meta.get("n_topics")), config=config,
                          corpus_source=meta.get("corpus_source", ""), timings={})


def _numeric_of(models: Mapping[str, Any]) -> dict[str, Any]:
    """The numeric environment the models were fitted in (this process's when there are none)."""
    for model in models.values():
        numeric = getattr(model, "provenance_", {}).get("numeric")
        if numeric:
            return numeric
    from .provenance import numeric_environment

    return numeric_environment()


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
    >>> sorted(res.tables)[:3]
    ['contrasts', 'documents', 'drift']
    """
    from dataclasses import replace

    config = replace(config or AnalysisConfig(), **overrides).validate()
    _check_by(corpus.metadata, config.by)
    _config_pairs(corpus.metadata, config)
    if config.reproducible and not config.scheduler:
        from .numeric import in_effect

        if not in_effect():
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

    prepared = prepare(corpus, progress=config.progress)
    timings["prepare"] = time.perf_counter() - t0

    models = _fit_models(prepared, config, timings)
    tables, results = _compare(prepared, models, config, timings)
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


def _fit_models(prepared, config: AnalysisConfig, timings: dict[str, float]) -> dict[str, Any]:
    from .models import LDA, BERTopicModel

    models: dict[str, Any] = {}
    cache = config.cache_dir
    if "lda" in config.models:
        t = time.perf_counter()
        lda = LDA(k=config.k, k_range=config.k_range, seeds=config.k_seeds, random_state=config.random_state, progress=config.progress)
        models["lda"] = fit_cached(lda, prepared, cache_dir=cache)
        timings["lda"] = time.perf_counter() - t
    if "bertopic" in config.models:
        t = time.perf_counter()
        bt = BERTopicModel(random_state=config.random_state, progress=config.progress, embedder=config.embedder,
                           cache_dir=(str(Path(cache) / "embeddings") if cache else None))
        models["bertopic"] = fit_cached(bt, prepared, cache_dir=cache)
        timings["bertopic"] = time.perf_counter() - t
    return models


def _compare(prepared, models, config: AnalysisConfig, timings) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    from . import compare as C

    t = time.perf_counter()
    rs = config.random_state
    boot = dict(n_resamples=config.n_resamples, confidence_level=config.confidence_level, random_state=rs)
    tables: dict[str, list[pd.DataFrame]] = {k: [] for k in ("keyness", "topics", "prevalence", "contrasts", "frames", "did", "drift", "alignment_similarity", "representative")}
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
        fr = C.frame_balance(prepared, by, min_docs=config.min_docs, **boot)
        results[f"frames:{by}"] = fr
        tables["frames"].append(fr.to_frame())
        for name, model in models.items():
            pr = C.prevalence(prepared, model, by, min_docs=config.min_docs, **boot)
            results[f"prevalence:{name}:{by}"] = pr
            tables["prevalence"].append(pr.to_frame())
            cr = C.contrasts(prepared, model, by, pairs=pairs, n_resamples=config.n_resamples,
                             n_permutations=config.n_permutations, confidence_level=config.confidence_level,
                             min_docs=config.min_docs, random_state=rs)
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
                        dd = C.diff_in_diff(prepared, model, by, treated=treated, before=before, after=after,
                                            **boot, min_docs=config.min_docs)
                    except ParameterError as exc:
                        logger.warning("difference-in-differences for %s (%s) skipped: %s", by, treated, exc)
                        continue
                    results[f"did:{name}:{by}:{treated}"] = dd
                    tables["did"].append(dd.to_frame())
    timings["drift_alignment"] = time.perf_counter() - t
    out = {k: (pd.concat(v, ignore_index=True) if v else pd.DataFrame()) for k, v in tables.items()}
    out["alignment"] = alignment
    if "lda" in models and getattr(models["lda"], "selection_", None) is not None:
        out["k_selection"] = models["lda"].selection_.summary
    out["documents"] = prepared.summary()
    out["groupings"] = check_groupings(prepared.metadata, config.by, min_docs=config.min_docs)
    for name, cols in TABLE_COLUMNS.items():
        if name in out and len(out[name].columns):
            rest = [c for c in out[name].columns if c not in cols]
            out[name] = out[name][[c for c in cols if c in out[name].columns] + rest]
    return {k: v for k, v in out.items() if len(v.columns)}, results


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
    if config.scheduler:
        from .distributed import analyze_distributed

        result = analyze_distributed(corpus, config)
    else:
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
