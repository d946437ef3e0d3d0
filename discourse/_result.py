"""The result of one analysis: tables, models, the prepared corpus, and how it is written."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from ._config import AnalysisConfig
from ._io import atomic_dir, sha256_file
from .groupings import empty_reason
from .provenance import package_versions, to_json

__all__ = ["AnalysisResult"]

#: Tables that compare groups (empty when no grouping has two groups).
_COMPARISONS = {"keyness", "contrasts", "drift", "did"}


@dataclass
class AnalysisResult:
    """Tables, fitted models and the prepared corpus of one analysis.

    Attributes
    ----------
    tables : dict of str -> DataFrame
        ``keyness``, ``topics``, ``prevalence``, ``contrasts``, ``alignment``,
        ``frames`` (and ``did``, ``drift``, ``k_selection``, ``stability``,
        ``documents`` where they apply).
    prepared : Prepared
    models : dict of str -> fitted model
    config : AnalysisConfig
    timings : dict of str -> float
        Seconds per stage (not written to the manifest: they vary).  A key
        with a dot is a part of the stage before the dot (``"bertopic.embed"``:
        the seconds BERTopic spent embedding), counted in that stage, not in
        the total again.
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
        total = sum(v for k, v in self.timings.items() if "." not in k)  # dotted keys are parts of a stage
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
            "versions": package_versions(),
            "numeric": _numeric_of(self.models),
            "embedding_tier": {n: getattr(m, "provenance_", {}).get("extra", {}).get("embedding_tier")
                               for n, m in self.models.items() if n == "bertopic"},
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
                from .figures import draw_standard_figures

                draw_standard_figures(self, tmp / "figures")
            for path in sorted(tmp.rglob("*")):
                if path.is_file() and path.name != "manifest.json":
                    outputs[str(path.relative_to(tmp))] = sha256_file(path)
            (tmp / "manifest.json").write_text(to_json(self.manifest(outputs, inputs or {}, settings)), encoding="utf-8")
        return out


def _n_topics(models: Mapping[str, Any], name: str) -> int:
    known = getattr(models, "known_n_topics", {})
    return int(known[name]) if name in known else len(models[name].topic_ids_)


def _numeric_of(models: Mapping[str, Any]) -> dict[str, Any]:
    """The numeric environment the models were fitted in (this process's when there are none)."""
    for model in models.values():
        numeric = getattr(model, "provenance_", {}).get("numeric")
        if numeric:
            return numeric
    from .provenance import numeric_environment

    return numeric_environment()
