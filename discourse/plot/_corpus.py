"""Corpus figures: what cleaning removed from each document."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import check_param
from ._style import (
    MUTED,
    PALETTE,
    SINGLE_COLUMN,
    create_mpl_ax,
    finish_axes,
    n_lines,
    paper_style,
    place_legend,
    shorten,
    wrap,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["plot_removals"]

REMOVAL_COLUMNS = ("doc_id", "start", "end", "rule", "text")


def plot_removals(
    removals: pd.DataFrame,
    *,
    doc_ids: Sequence[Any] | None = None,
    doc_labels: Mapping[Any, str] | None = None,
    lengths: Mapping[Any, int] | None = None,
    max_docs: int = 30,
    max_rules: int = 7,
    max_label_chars: int = 44,
    title: str | None = None,
    ax: "Axes | None" = None,
) -> "Axes":
    """Characters removed from each document by cleaning, stacked by rule.

    One horizontal bar per document, split by the cleaning rule that removed
    the characters (``end - start`` summed per document and rule).  Rules
    beyond the ``max_rules - 1`` largest are pooled as "other rules", and
    with more than ``max_docs`` documents only those with most removed are
    shown (the axis label says how many of how many).

    Parameters
    ----------
    removals : DataFrame
        Columns ``doc_id, start, end, rule, text`` (``Prepared.removals``).
    doc_ids : sequence, optional
        All documents, in order (e.g. ``corpus.ids``): documents with nothing
        removed are drawn as empty rows.  Default: the documents in
        ``removals``, in order of appearance.
    doc_labels : mapping, optional
        ``{doc_id: readable label}`` (e.g. outlet and year) for the rows.
    lengths : mapping, optional
        ``{doc_id: raw length in characters}``; when given each bar ends in
        the share of the document removed.
    max_docs, max_rules : int
        Limits that keep the figure legible for large corpora.
    max_label_chars : int
        Row labels are cut to this length (and wrapped onto two lines).
    title : str, optional
        Axes title (default none).
    ax : Axes, optional
        Draw here; a new single-column figure is made when ``None``.

    Returns
    -------
    Axes

    Raises
    ------
    InputError
        If a required column is missing.
    ParameterError
        For limits below 1 (``max_rules`` below 2).

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse.plot import plot_removals
    >>> rem = pd.DataFrame({"doc_id": ["a", "a", "b"], "start": [0, 50, 0], "end": [20, 60, 5],
    ...                     "rule": ["chrome", "credit", "chrome"], "text": ["x" * 20, "y" * 10, "z" * 5]})
    >>> ax = plot_removals(rem, doc_ids=["a", "b", "c"])
    >>> len(ax.get_yticks())
    3
    """
    from ..errors import InputError

    if not isinstance(removals, pd.DataFrame):
        raise InputError(f"removals table must be a pandas DataFrame, got {type(removals).__name__}")
    missing = [c for c in REMOVAL_COLUMNS if c not in removals.columns]
    if missing:
        raise InputError(f"removals table is missing columns {missing}; expected columns {', '.join(REMOVAL_COLUMNS)}")
    check_param("max_docs", max_docs, "an integer >= 1", isinstance(max_docs, (int, np.integer)) and max_docs >= 1)
    check_param("max_rules", max_rules, "an integer >= 2", isinstance(max_rules, (int, np.integer)) and max_rules >= 2)
    df = removals.copy()
    df["chars"] = (pd.to_numeric(df["end"], errors="coerce") - pd.to_numeric(df["start"], errors="coerce")).clip(lower=0)
    df["doc_id"] = df["doc_id"].astype(str)
    ids = [str(d) for d in doc_ids] if doc_ids is not None else list(dict.fromkeys(df["doc_id"]))
    if not ids:
        raise InputError("removals table is empty and no doc_ids were given: nothing to plot")
    totals_rule = df.groupby("rule", sort=True)["chars"].sum().sort_values(ascending=False, kind="stable")
    rules = list(totals_rule.index)
    if len(rules) > max_rules:
        keep = set(rules[: max_rules - 1])
        df["rule"] = df["rule"].where(df["rule"].isin(keep), "other rules")
        rules = rules[: max_rules - 1] + ["other rules"]
    table = df.pivot_table(index="doc_id", columns="rule", values="chars", aggfunc="sum", fill_value=0)
    table = table.reindex(index=ids, columns=rules, fill_value=0).fillna(0)
    n_all = len(table)
    if n_all > max_docs:
        top = table.sum(axis=1).sort_values(ascending=False, kind="stable").index[:max_docs]
        table = table.loc[[i for i in ids if i in set(top)]]
    labels = {str(k): v for k, v in (doc_labels or {}).items()}
    lens = {str(k): v for k, v in (lengths or {}).items()}
    rows = [wrap(shorten(labels.get(d, d), max_label_chars), 24) for d in table.index]
    n = len(table)
    owned = ax is None
    with paper_style():
        row = 0.13 * n_lines(rows) + 0.07
        fig, ax = create_mpl_ax(ax, figsize=(SINGLE_COLUMN, max(1.8, 1.3 + row * n + 0.08 * len(rules))))
        left = np.zeros(n)
        y = np.arange(n)
        for j, rule in enumerate(rules):
            w = table[rule].to_numpy(dtype=float)
            col = MUTED if rule == "other rules" else PALETTE[j % len(PALETTE)]
            ax.barh(y, w, left=left, height=0.7, color=col, label=str(rule).replace("_", " "),
                    edgecolor="white", linewidth=0.4, gid="removal-bar")
            left += w
        if lens:
            for yi, d, total in zip(y, table.index, left):
                L = lens.get(d)
                if L:
                    ax.annotate(f"{100 * total / L:.1f}%", (total, yi), xytext=(2, 0), textcoords="offset points",
                                ha="left", va="center", fontsize=6.5, color="#444444", gid="share-text")
        ax.set_yticks(y, rows)
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlim(0, max(1.0, float(left.max())) * (1.2 if lens else 1.03))
        place_legend(ax, owned, title="Cleaning rule", handlelength=0.9)
        xlabel = "Characters removed by cleaning"
        if lens:
            xlabel += "\n(bar ends: % of raw text)"
        if n_all > n:
            xlabel += f"\n({n} of {n_all:,} documents with most removed)"
        finish_axes(ax, xlabel=xlabel, ylabel="Document", title=title or "")
    return ax
