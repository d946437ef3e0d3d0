"""The standard figures: one entry per figure, used by ``discourse analyze`` and by the notebooks.

Each :class:`StandardFigure` says which :mod:`discourse.plot` function draws
it, which tables of an analysis it needs, how its file is named from its
parameters (a model, a grouping, a pair of groups) and which instances an
analysis draws.  :func:`draw_standard_figures` (``discourse analyze``) and
:meth:`discourse.figures.NotebookFigures.standard` (the notebooks) both draw
through this registry, so the command line and the notebooks write the same
figure under the same file name.

=================  ======================  =============================================
key                tables                  file name
=================  ======================  =============================================
corpus_removals    removals [, documents]  ``corpus_removals``
k_selection        k_selection             ``lda_k_selection``
topics             topics                  ``{model}_topics``
prevalence         prevalence              ``{model}_prevalence_{grouping}``
contrast           contrasts               ``{model}_contrast_{grouping}_{a}_vs_{b}``
trend              predicted               ``{model}_trend``
diff_in_diff       did                     ``{model}_diff_in_diff``
keyness            keyness                 ``keyness_{grouping}_{group}_vs_{reference}``
frames             frames                  ``frames_{grouping}``
alignment          alignment [, alignment  ``alignment``
                   _similarity]
=================  ======================  =============================================

Names are made of :func:`slug` parts (lower case; letters, digits and ``_``
kept, any other run of characters becomes ``-``).
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from ..errors import DiscourseError, ParameterError

__all__ = ["StandardFigure", "STANDARD_FIGURES", "standard_figure", "standard_tables", "draw_standard_figures",
           "figure_provenance", "alignment_matrix", "slug", "contrast_figure_name", "keyness_figure_name"]

logger = logging.getLogger(__name__)

#: At most this many pairs of groups per grouping get a contrast or keyness figure in ``analyze``.
MAX_PAIRS = 6


def slug(text: Any) -> str:
    """A file-name part: lower case, letters, digits and ``_`` kept, other runs of characters as ``-``."""
    return re.sub(r"[^A-Za-z0-9_]+", "-", str(text)).strip("-").lower() or "x"


def contrast_figure_name(model: str, grouping: str, group_a: Any, group_b: Any) -> str:
    """File name of the contrast figure of ``group_a`` against ``group_b``."""
    return f"{slug(model)}_contrast_{slug(grouping)}_{slug(group_a)}_vs_{slug(group_b)}"


def keyness_figure_name(grouping: str, group: Any, reference: Any) -> str:
    """File name of the keyness figure of ``group`` against ``reference``."""
    return f"keyness_{slug(grouping)}_{slug(group)}_vs_{slug(reference)}"


def alignment_matrix(tables: Mapping[str, Any]):
    """The LDA × BERTopic similarity matrix (a DataFrame) from the ``alignment_similarity`` table, or ``None``."""
    long = tables.get("alignment_similarity")
    if long is None or long.empty:
        return None
    return long.pivot(index="lda_topic", columns="bertopic_topic", values="similarity")


def figure_provenance(result, *, inputs_sha256: str | None = None, **extra: Any) -> dict[str, Any]:
    """Provenance record for a figure made from ``result`` (no timestamps).

    ``inputs_sha256`` (the hash of the notebooks and seeds that a figure
    build stamps instead of a git commit) is recorded in ``extra`` when given.
    """
    from dataclasses import asdict

    from ..provenance import provenance

    params = asdict(result.config) | {"cache_dir": None, "progress": None}
    if inputs_sha256:
        extra = {"inputs_sha256": inputs_sha256, **extra}
    return provenance(params=params, random_state=result.config.random_state,
                      corpus_hash=result.prepared.corpus_hash, extra=extra or None)


def standard_tables(result) -> dict[str, Any]:
    """The tables the standard figures are drawn from: ``result.tables`` and the cleaning's ``removals``."""
    return {**result.tables, "removals": result.prepared.removals}


def _present(tables: Mapping[str, Any], name: str):
    table = tables.get(name)
    return None if table is None or table.empty else table


def _has(table, **values: Any) -> bool:
    mask = True
    for col, value in values.items():
        mask = mask & (table[col] == value)
    return bool(mask.any())


def _first_table(entry: "StandardFigure", tables: Mapping[str, Any], kwargs: dict[str, Any]) -> tuple[tuple, dict]:
    return (tables[entry.tables[0]],), kwargs


def _removals_args(entry, tables, kwargs):
    # each document's bar as long as its raw text, from the documents table, unless given
    docs = _present(tables, "documents")
    if "lengths" not in kwargs and docs is not None:
        kwargs = {**kwargs, "lengths": dict(zip(docs["doc_id"], docs["chars_raw"]))}
    return (tables["removals"],), kwargs


def _did_args(entry, tables, kwargs):
    # ``treated`` (optional) keeps one treated group's designs; all are drawn otherwise
    did, treated = tables["did"], kwargs.pop("treated", None)
    return ((did[did["treated"] == treated] if treated is not None else did),), kwargs


def _alignment_args(entry, tables, kwargs):
    return (tables["alignment"], alignment_matrix(tables)), kwargs


@dataclass(frozen=True)
class StandardFigure:
    """One standard figure.

    Attributes
    ----------
    key : str
        Its key in :data:`STANDARD_FIGURES`.
    plot : str
        The :mod:`discourse.plot` function that draws it (looked up when drawing).
    tables : tuple of str
        The tables it is drawn from.
    params : tuple of str
        The parameters that select the figure and name its file.
    name : callable
        ``name(**params) -> str``: the file stem.
    instances : callable
        ``instances(tables, groupings) -> iterable of params``: the figures ``analyze`` draws.
    arguments : callable
        ``arguments(entry, tables, kwargs) -> (args, kwargs)`` for the plot function
        (default: the first table, then ``kwargs``).
    """

    key: str
    plot: str
    tables: tuple[str, ...]
    params: tuple[str, ...]
    name: Callable[..., str]
    instances: Callable[[Mapping[str, Any], tuple[str, ...]], Iterable[dict[str, Any]]]
    arguments: Callable[..., tuple[tuple, dict]] = _first_table

    def file_name(self, **kwargs: Any) -> str:
        """The file stem for these parameters (plot options among ``kwargs`` are ignored)."""
        missing = [p for p in self.params if p not in kwargs]
        if missing:
            raise ParameterError(f"figure {self.key!r} needs {', '.join(missing)}: give {missing[0]}=...")
        return self.name(**{p: kwargs[p] for p in self.params})

    def draw(self, tables: Mapping[str, Any], **kwargs: Any):
        """Draw the figure from ``tables`` (its parameters and plot options in ``kwargs``); returns the Axes."""
        from .. import plot

        missing = [t for t in self.tables if tables.get(t) is None]
        if missing:
            raise ParameterError(f"figure {self.key!r} needs the table {missing[0]!r}; run the analysis that makes it")
        args, kwargs = self.arguments(self, tables, dict(kwargs))
        return getattr(plot, self.plot)(*args, **kwargs)


def _per_model(table: str) -> Callable:
    def instances(tables: Mapping[str, Any], groupings: tuple[str, ...]) -> Iterator[dict[str, Any]]:
        t = _present(tables, table)
        if t is None:
            return
        for model in dict.fromkeys(t["model"]):
            yield {"model": model}
    return instances


def _per_model_grouping(tables: Mapping[str, Any], groupings: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    t = _present(tables, "prevalence")
    if t is None:
        return
    for model in dict.fromkeys(t["model"]):
        for by in groupings:
            if _has(t, model=model, grouping=by):
                yield {"model": model, "grouping": by}


def _contrast_pairs(tables: Mapping[str, Any], groupings: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    t = _present(tables, "contrasts")
    if t is None:
        return
    for model in dict.fromkeys(t["model"]):
        for by in groupings:
            sub = t[(t["model"] == model) & (t["grouping"] == by)]
            for a, b in sorted(set(zip(sub["group_a"], sub["group_b"])))[:MAX_PAIRS]:
                yield {"model": model, "grouping": by, "group_a": a, "group_b": b}


def _keyness_pairs(tables: Mapping[str, Any], groupings: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    # pairs of groups first; each group against the rest only when there are none
    t = _present(tables, "keyness")
    if t is None:
        return
    for by in groupings:
        sub = t[(t["grouping"] == by) & (t["reference"] != "rest")]
        if sub.empty:
            sub = t[t["grouping"] == by]
        for g, r in sorted(set(zip(sub["group"], sub["reference"])))[:MAX_PAIRS]:
            yield {"grouping": by, "group": g, "reference": r}


def _per_grouping(table: str) -> Callable:
    def instances(tables: Mapping[str, Any], groupings: tuple[str, ...]) -> Iterator[dict[str, Any]]:
        t = _present(tables, table)
        for by in groupings if t is not None else ():
            if _has(t, grouping=by):
                yield {"grouping": by}
    return instances


def _once(table: str) -> Callable:
    def instances(tables: Mapping[str, Any], groupings: tuple[str, ...]) -> Iterator[dict[str, Any]]:
        if _present(tables, table) is not None:
            yield {}
    return instances


def _trend(tables: Mapping[str, Any], groupings: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    t = _present(tables, "predicted")
    if t is not None and "year" in t.columns:
        yield from ({"model": m} for m in dict.fromkeys(t["model"]))


#: The standard figures, in the order ``discourse analyze`` draws them.
STANDARD_FIGURES: dict[str, StandardFigure] = {f.key: f for f in (
    StandardFigure("corpus_removals", "plot_removals", ("removals",), (),
                   lambda: "corpus_removals", _once("removals"), _removals_args),
    StandardFigure("topics", "plot_topic_terms", ("topics",), ("model",),
                   lambda model: f"{slug(model)}_topics", _per_model("topics")),
    StandardFigure("prevalence", "plot_prevalence", ("prevalence",), ("model", "grouping"),
                   lambda model, grouping: f"{slug(model)}_prevalence_{slug(grouping)}", _per_model_grouping),
    StandardFigure("contrast", "plot_contrasts", ("contrasts",), ("model", "grouping", "group_a", "group_b"),
                   contrast_figure_name, _contrast_pairs),
    StandardFigure("trend", "plot_trend", ("predicted",), ("model",), lambda model: f"{slug(model)}_trend", _trend),
    StandardFigure("diff_in_diff", "plot_diff_in_diff", ("did",), ("model",),
                   lambda model: f"{slug(model)}_diff_in_diff", _per_model("did"), _did_args),
    StandardFigure("keyness", "plot_keyness", ("keyness",), ("grouping", "group", "reference"),
                   keyness_figure_name, _keyness_pairs),
    StandardFigure("frames", "plot_frames", ("frames",), ("grouping",),
                   lambda grouping: f"frames_{slug(grouping)}", _per_grouping("frames")),
    StandardFigure("k_selection", "plot_k_selection", ("k_selection",), (), lambda: "lda_k_selection",
                   _once("k_selection")),
    StandardFigure("alignment", "plot_alignment", ("alignment",), (), lambda: "alignment",
                   _once("alignment"), _alignment_args),
)}


def standard_figure(key: str) -> StandardFigure:
    """The entry ``key`` of :data:`STANDARD_FIGURES` (a one-line error naming the keys otherwise)."""
    try:
        return STANDARD_FIGURES[key]
    except KeyError:
        raise ParameterError(f"figure={key!r} is not a standard figure: use one of {', '.join(STANDARD_FIGURES)}") from None


def draw_standard_figures(result, outdir: str | os.PathLike, *, cache: str | os.PathLike | None = None) -> list[Path]:
    """Draw every standard figure of ``result`` into ``outdir`` (what ``discourse analyze`` writes).

    A figure the data cannot make (the plot function's :class:`~discourse.errors.DiscourseError`:
    nothing to draw, a single group) is skipped with a warning; any other error is a bug and is raised.

    Returns
    -------
    list of Path
        The files written.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from ._save import save_figure

    tables = standard_tables(result)
    groupings = tuple(result.config.by)
    written: list[Path] = []
    for entry in STANDARD_FIGURES.values():
        for params in entry.instances(tables, groupings):
            name = entry.file_name(**params)
            try:
                ax = entry.draw(tables, **params)
            except DiscourseError as exc:
                logger.warning("figure %s was not drawn: %s", name, exc)
                plt.close("all")
                continue
            fig = ax.flat[0].figure if hasattr(ax, "flat") else ax.figure
            written.extend(save_figure(fig, name, outdir=outdir, cache=cache,
                                       provenance=figure_provenance(result, figure=name)))
            plt.close(fig)
    return written
