"""Where analyses and fitted models are cached, and how they are found again.

Fitted models and whole analyses are content-addressed: the key is the
corpus hash, every parameter, the package versions, a hash of the package's
own files (:func:`discourse.provenance.code_fingerprint`) and the numeric
mode (:func:`discourse.numeric.fingerprint`), so a cached result is only
served to the same code, inputs and kernels.  Entries are sealed with
checksums; a corrupt one is reported and recomputed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

import pandas as pd

from ._config import AnalysisConfig
from ._env import default_cache_dir
from ._io import atomic_dir, check_writable_dir
from .provenance import code_fingerprint, package_versions, to_json

if TYPE_CHECKING:
    from ._result import AnalysisResult

__all__ = ["default_cache_dir", "fit_cached", "LazyModels"]

logger = logging.getLogger(__name__)


#: Parameters that change how a fit is shown, never what it computes: not part of the cache key.
_NOT_RESULTS = ("progress",)


def _model_key(name: str, params: Mapping[str, Any], corpus_hash: str, prepared_params: Mapping[str, Any] | None = None) -> str:
    from .numeric import fingerprint

    # the corpus hash names the raw texts; how they were cleaned and tokenised (prepared_params) decides
    # what the model was fitted on
    blob = json.dumps({"name": name, "params": params, "corpus": corpus_hash, "prepared": prepared_params,
                       "versions": package_versions(),
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
    params = {k: v for k, v in params.items() if k not in _NOT_RESULTS}
    key = _model_key(model.name, params, prepared.corpus_hash, getattr(prepared, "params", None))
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

    def get(self, name, default=None):
        return self[name] if name in self._paths else default

    def copy(self) -> "LazyModels":
        """A new mapping of the same cached models (loaded again on first use)."""
        return LazyModels(self._paths, self.known_n_topics)

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
    from ._result import AnalysisResult

    verify(path)
    for p in json.loads((path / "result.json").read_text(encoding="utf-8"))["models"].values():
        if not is_valid(p):
            raise FileNotFoundError(f"cached model {p} is missing or corrupt")
    meta = json.loads((path / "result.json").read_text(encoding="utf-8"))
    tables = {name: pd.read_parquet(path / f"{name}.parquet") for name in meta["tables"]}
    prepared = Prepared.load(path / "prepared")
    return AnalysisResult(tables=tables, prepared=prepared, models=LazyModels(meta["models"], meta.get("n_topics")), config=config,
                          corpus_source=meta.get("corpus_source", ""), timings={})
