"""Write a validation study: tasks, one HTML page per coder, the answer key and quote sheets.

:func:`build_tasks` makes the task set from a :class:`ValidationSource`
(the same for every coder, so that coders can be compared);
:func:`coder_tasks` shuffles the order of tasks and of options for one
coder, reproducibly from the seed and the coder's number; :func:`export_tasks`
writes the folder::

    DIR/coders/coder_01.html ...   one self-contained page per coder (send each its own)
    DIR/answer_key.csv             one row per option, with is_intruder (keep it from the coders)
    DIR/tasks.json                 the task set as coders see it, without the key
    DIR/quotes.csv                 quote sheets (per topic and group)
    DIR/manifest.json              parameters, export id, source, versions, sha256 of every file
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import ParameterError, check_param
from ._quotes import quote_sheets
from ._source import ValidationSource
from ._tasks import TASK_KINDS, passage_intrusion, word_intrusion, word_set_intrusion

__all__ = ["ExportConfig", "ValidationExport", "build_tasks", "coder_tasks", "coder_names", "export_tasks", "render_page",
           "KEY_COLUMNS", "EXPORT_FORMAT"]

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "discourse-validate-export"
KEY_COLUMNS = ["task_id", "task", "model", "topic", "passage_id", "option", "text", "is_intruder", "value"]


@dataclass(frozen=True)
class ExportConfig:
    """Every parameter of a validation export.

    Parameters
    ----------
    n_coders : int
        Coders, each getting the same tasks in their own order.
    random_state : int
        Seed of the task draw and of every coder's order.
    tasks : tuple of str
        Kinds of task, from :data:`~discourse.validate.TASK_KINDS`.
    models : tuple of str or None
        Models to validate (default: all in the source).
    n_words : int
        Top words shown in a word-intrusion task (plus the intruder).
    set_size, n_sets : int
        Words per set and sets per word-set-intrusion task (one intrudes).
    per_topic : int
        Passages per topic (by largest share) for topic and label intrusion.
    n_top : int
        Top topics shown with a passage (plus the intruder).
    topic_words : int
        Words that stand for a topic in topic intrusion.
    n_quotes : int
        Passages per topic and group on the quote sheets.
    outlet_col, date_col : str
        Metadata columns shown as outlet and date on the quote sheets.
    title : str
        Heading of the coders' pages.
    """

    n_coders: int = 3
    random_state: int = 0
    tasks: tuple[str, ...] = TASK_KINDS
    models: tuple[str, ...] | None = None
    n_words: int = 5
    set_size: int = 4
    n_sets: int = 4
    per_topic: int = 5
    n_top: int = 3
    topic_words: int = 8
    n_quotes: int = 3
    outlet_col: str = "outlet"
    date_col: str = "published"
    title: str = "Topic validation"

    def validate(self) -> "ExportConfig":
        """Check every field; raise :class:`ParameterError` naming the bad one."""
        for name in ("n_coders", "n_words", "set_size", "per_topic", "n_top", "topic_words", "n_quotes"):
            v = getattr(self, name)
            check_param(name, v, "a positive integer", isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1)
        check_param("n_sets", self.n_sets, "an integer >= 2", isinstance(self.n_sets, int) and self.n_sets >= 2)
        check_param("n_coders", self.n_coders, "at most 999", self.n_coders <= 999)
        bad = [t for t in self.tasks if t not in TASK_KINDS]
        if bad or not self.tasks:
            raise ParameterError(f"tasks={','.join(self.tasks)!r} is not allowed: choose from {', '.join(TASK_KINDS)}")
        check_param("random_state", self.random_state, "a non-negative integer",
                    isinstance(self.random_state, (int, np.integer)) and self.random_state >= 0)
        return self


@dataclass(frozen=True)
class ValidationExport:
    """What :func:`export_tasks` made.

    Attributes
    ----------
    export_id : str
        Hash of the task set; every answers file carries it.
    tasks : list of dict
        The task set (no key).
    key : DataFrame
        Columns :data:`KEY_COLUMNS`.
    quotes : DataFrame
        The quote sheets (see :func:`~discourse.validate.quote_sheets`).
    coders : tuple of str
    config : ExportConfig
    path : Path or None
        Where it was written.
    """

    export_id: str
    tasks: list
    key: pd.DataFrame
    quotes: pd.DataFrame
    coders: tuple[str, ...]
    config: ExportConfig
    path: Path | None = None
    source: dict = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row per task: ``task_id, task, model, topic, passage_id, n_options``."""
        return pd.DataFrame([{"task_id": t["task_id"], "task": t["task"], "model": t["model"], "topic": t["topic"],
                              "passage_id": t["passage_id"], "n_options": len(t["options"])} for t in self.tasks])

    def summary(self) -> str:
        """Tasks by kind and model, coders, and where the files are."""
        counts = self.to_frame().groupby(["model", "task"]).size()
        lines = [f"export {self.export_id}: {len(self.tasks)} tasks for each of {len(self.coders)} coders"]
        lines += [f"  {m} {t}: {n}" for (m, t), n in counts.items()]
        lines.append(f"  quote sheets: {len(self.quotes)} passages")
        if self.path is not None:
            lines.append(f"  pages in {self.path / 'coders'}; answer key {self.path / 'answer_key.csv'} (keep it from the coders)")
        return "\n".join(lines)


def build_tasks(source: ValidationSource, config: ExportConfig) -> tuple[list[dict[str, Any]], pd.DataFrame]:
    """The task set and its answer key (the same for every coder).

    Returns
    -------
    tasks : list of dict
        Each with ``task_id, task, model, topic, passage_id, prompt, passage, options``.
    key : DataFrame
        Columns :data:`KEY_COLUMNS`, one row per option.

    Raises
    ------
    ParameterError
        If ``config.models`` names a model the source lacks.
    """
    config = config.validate()
    names = list(config.models) if config.models else sorted(source.models)
    missing = [m for m in names if m not in source.models]
    if missing:
        raise ParameterError(f"models={','.join(names)!r}: the analysis has no {', '.join(missing)}; it has "
                             f"{', '.join(sorted(source.models))}")
    tasks: list[dict[str, Any]] = []
    key: list[dict[str, Any]] = []
    for m_index, name in enumerate(names):
        mt = source.models[name]
        for kind in config.tasks:
            rng = np.random.default_rng([config.random_state, m_index, TASK_KINDS.index(kind)])
            if kind == "word_intrusion":
                t, k = word_intrusion(mt, n_words=config.n_words, rng=rng)
            elif kind == "word_set_intrusion":
                t, k = word_set_intrusion(mt, set_size=config.set_size, n_sets=config.n_sets, rng=rng)
            else:
                t, k = passage_intrusion(mt, source.passages, kind=kind, per_topic=config.per_topic, n_top=config.n_top,
                                         n_words=config.topic_words, rng=rng)
            tasks += t
            key += k
    return tasks, pd.DataFrame(key, columns=KEY_COLUMNS)


def export_id_of(tasks: Sequence[dict[str, Any]]) -> str:
    """A 16-hex-digit hash of the task set."""
    blob = json.dumps(list(tasks), sort_keys=True, ensure_ascii=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def coder_names(n: int) -> tuple[str, ...]:
    """``coder_01``, ``coder_02``, ...: the coders' names in files and answers."""
    return tuple(f"coder_{i:02d}" for i in range(1, n + 1))


def coder_tasks(tasks: Sequence[dict[str, Any]], coder_index: int, random_state: int) -> list[dict[str, Any]]:
    """The tasks in coder ``coder_index``'s order, each with its options shuffled (reproducible)."""
    rng = np.random.default_rng([random_state, 1_000_003, coder_index])
    out = []
    for i in rng.permutation(len(tasks)):
        t = dict(tasks[i])
        t["options"] = [t["options"][j] for j in rng.permutation(len(t["options"]))]
        out.append(t)
    return out


def _script_json(obj: Any) -> str:
    """JSON safe inside a ``<script>`` element."""
    text = json.dumps(obj, ensure_ascii=True, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_page(tasks: Sequence[dict[str, Any]], *, coder: str, export_id: str, title: str = "Topic validation") -> str:
    """One coder's self-contained HTML page (inline script and style; loads nothing)."""
    template = resources.files("discourse.validate").joinpath("page.html").read_text(encoding="utf-8")
    study = {"export_id": export_id, "coder": coder, "tasks": list(tasks)}
    return (template.replace("__TITLE__", html.escape(f"{title} \u00b7 {coder}"))
            .replace("__STUDY_JSON__", _script_json(study)))


def export_tasks(source: ValidationSource, out: str | os.PathLike | None = None, config: ExportConfig | None = None,
                 **overrides: Any) -> ValidationExport:
    """Make the validation tasks and quote sheets, and write them (when ``out`` is given).

    Parameters
    ----------
    source : ValidationSource
        From :func:`~discourse.validate.load_source`, :func:`~discourse.validate.source_from_result`
        or :func:`~discourse.validate.source_from_fitted`.
    out : path, optional
        Folder to write (replaced atomically; see the module docstring).
    config : ExportConfig, optional
        Keyword ``overrides`` replace single fields.

    Returns
    -------
    ValidationExport

    Examples
    --------
    >>> import discourse
    >>> from discourse.validate import export_tasks, source_from_result
    >>> res = discourse.analyze(discourse.load_seeds(), by=("period",), models=("lda",), k=3, n_resamples=200,
    ...                         n_permutations=200, figures=False, progress=False)
    >>> ex = export_tasks(source_from_result(res), n_coders=2)
    >>> sorted(ex.to_frame()["task"].unique())
    ['label_intrusion', 'topic_intrusion', 'word_intrusion', 'word_set_intrusion']
    """
    from dataclasses import replace

    config = replace(config or ExportConfig(), **overrides).validate()
    tasks, key = build_tasks(source, config)
    if not tasks:
        raise ParameterError("no task could be made: the models need at least two topics")
    quotes = quote_sheets(source, n=config.n_quotes, outlet_col=config.outlet_col, date_col=config.date_col)
    eid = export_id_of(tasks)
    coders = coder_names(config.n_coders)
    ex = ValidationExport(export_id=eid, tasks=tasks, key=key, quotes=quotes, coders=coders, config=config,
                          source=dict(source.origin) | {"corpus_hash": source.corpus_hash})
    if out is None:
        return ex
    return _write(ex, Path(out))


def _write(ex: ValidationExport, out: Path) -> ValidationExport:
    from dataclasses import replace

    from .._io import atomic_dir, check_replaceable_dir, sha256_file
    from ..provenance import package_versions, to_json

    out = check_replaceable_dir(out, option="--out")
    with atomic_dir(out) as tmp:
        (tmp / "coders").mkdir()
        for i, coder in enumerate(ex.coders, start=1):
            page = render_page(coder_tasks(ex.tasks, i, ex.config.random_state), coder=coder, export_id=ex.export_id,
                               title=ex.config.title)
            (tmp / "coders" / f"{coder}.html").write_text(page, encoding="utf-8")
        ex.key.to_csv(tmp / "answer_key.csv", index=False, lineterminator="\n", float_format="%.6g")
        ex.quotes.to_csv(tmp / "quotes.csv", index=False, lineterminator="\n", float_format="%.6g")
        (tmp / "tasks.json").write_text(json.dumps(ex.tasks, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        outputs = {str(p.relative_to(tmp)): sha256_file(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
        manifest = {"format": EXPORT_FORMAT, "version": 1, "export_id": ex.export_id, "coders": list(ex.coders),
                    "parameters": asdict(ex.config), "source": ex.source, "versions": package_versions(),
                    "outputs": outputs}
        (tmp / "manifest.json").write_text(to_json(manifest), encoding="utf-8")
    logger.info("wrote %d tasks for %d coders into %s", len(ex.tasks), len(ex.coders), out)
    return replace(ex, path=out)
