"""Frames figure: balance of cooperation against confrontation language per group."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ._style import (
    MUTED,
    PALETTE,
    SINGLE_COLUMN,
    create_mpl_ax,
    finish_axes,
    flag,
    group_order,
    interval_arrays,
    n_docs_text,
    note_side,
    paper_style,
    place_legend,
    pretty_grouping,
    require_columns,
    select_one,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["plot_frames"]

FRAME_COLUMNS = ("grouping", "group", "frame_balance", "ci_low", "ci_high", "n_docs")


def plot_frames(
    frames: pd.DataFrame,
    *,
    grouping: str | Sequence[str] | None = None,
    groups: Sequence[Any] | None = None,
    xlabel: str | None = None,
    title: str | None = None,
    ax: "Axes | None" = None,
) -> "Axes":
    """Frame balance (cooperation against confrontation) per group, with intervals.

    One row per group, named with its number of documents, the balance as a
    point with its bootstrap interval, and a dashed line at zero (as much
    cooperation as confrontation language).  With several groupings in the
    table (and ``grouping=None``) each gets its own block under a bold
    heading.  A group without an interval (one document) is drawn as a point
    marked ``"n=1: no interval"``; ``too_few`` cells are drawn hollow.

    Parameters
    ----------
    frames : DataFrame
        Columns ``grouping, group, frame_balance, ci_low, ci_high, n_docs``
        (optional ``too_few``), as in ``frames.csv``.
    grouping : str or sequence of str, optional
        Grouping(s) to draw, in this order (default: all).
    groups : sequence, optional
        Groups to draw, in this order (only with a single grouping).
    xlabel : str, optional
        Axis label (default says which side is cooperation).
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
        If a required column is missing or the table is empty.
    ParameterError
        If ``grouping`` or ``groups`` name values not in the table.

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse.plot import plot_frames
    >>> df = pd.DataFrame({"grouping": "period", "group": ["2015", "2024"], "frame_balance": [0.4, -0.3],
    ...                    "ci_low": [0.1, -0.6], "ci_high": [0.7, 0.0], "n_docs": [2, 2]})
    >>> ax = plot_frames(df)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['2015 (n=2 docs)', '2024 (n=2 docs)']
    """
    require_columns(frames, FRAME_COLUMNS, "frames")
    present = list(pd.unique(frames["grouping"].dropna()))
    if grouping is None:
        groupings = present
    elif isinstance(grouping, str):
        groupings = [select_one(frames, "grouping", grouping, "frames")[1]]
    else:
        groupings = [select_one(frames, "grouping", g, "frames")[1] for g in grouping]
    if groups is not None and len(groupings) != 1:
        raise ParameterError(f"groups={list(groups)!r} is not allowed with several groupings ({groupings}); pass grouping= as well")
    blocks = []
    for gname in groupings:
        sub = frames[frames["grouping"] == gname]
        order = group_order(sub["group"], groups)
        by = {str(g): r for g, r in zip(sub["group"].astype(str), sub.to_dict("records"))}
        blocks.append((gname, [by[str(g)] for g in order]))
    headers = len(blocks) > 1
    ylabels, ys, recs, head_y = [], [], [], []
    y = 0
    for gname, rows in blocks:
        if headers:
            head_y.append(y)
            ylabels.append(pretty_grouping(gname).capitalize())
            ys.append(y)
            y += 1
        for r in rows:
            ylabels.append(f"{r['group']} ({n_docs_text(r['n_docs'])})")
            ys.append(y)
            recs.append((y, r))
            y += 1
    df = pd.DataFrame([r for _, r in recs])
    yy = np.array([p for p, _ in recs], dtype=float)
    x, elo, ehi, ok = interval_arrays(df, "frame_balance")
    few = flag(df.get("too_few"), len(df))
    color = PALETTE[0]
    lo = np.nanmin(np.concatenate([x - elo, [0.0]]))
    hi = np.nanmax(np.concatenate([x + ehi, [0.0]]))
    pad = 0.1 * (hi - lo or 1.0)
    owned = ax is None
    with paper_style():
        fig, ax = create_mpl_ax(ax, figsize=(SINGLE_COLUMN, max(1.6, 0.9 + 0.2 * y)))
        ax.axvline(0.0, color="#555555", lw=0.8, ls="--", zorder=1)
        for hy in head_y[1:]:
            ax.axhline(hy - 0.5, color="#BBBBBB", lw=0.6)
        if ok.any():
            ax.errorbar(x[ok], yy[ok], xerr=[elo[ok], ehi[ok]], fmt="none", ecolor=color, elinewidth=1.1, zorder=2)
        for mask, hollow in ((~few, False), (few, True)):
            if mask.any():
                ax.plot(x[mask], yy[mask], linestyle="none", marker="o", markersize=4.5, markeredgewidth=0.9,
                        markeredgecolor=color, markerfacecolor="white" if hollow else color, zorder=3, gid="points")
        for i in np.flatnonzero(~ok):
            if np.isfinite(x[i]):
                n = df["n_docs"].iloc[i]
                note = "n=1: no interval" if pd.notna(n) and int(n) == 1 else "no interval"
                dx, ha = note_side(x[i], lo - pad, hi + pad)
                ax.annotate(note, (x[i], yy[i]), xytext=(dx, 0), textcoords="offset points", va="center",
                            ha=ha, fontsize=6.5, color=MUTED, gid="nan-note",
                        bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.8))
        if few.any():
            from matplotlib.lines import Line2D

            handles = [
                Line2D([], [], color=color, marker="o", markersize=4.5, label="balance with bootstrap interval"),
                Line2D([], [], linestyle="none", marker="o", markersize=4.5, markerfacecolor="white",
                       markeredgecolor=color, label="hollow: too few documents"),
            ]
            place_legend(ax, owned, handles=handles)
        ax.set_yticks(ys, ylabels)
        for lab, yv in zip(ax.get_yticklabels(), ys):
            if yv in head_y:
                lab.set_fontweight("bold")
        ax.set_ylim(y - 0.5, -0.5)
        ax.set_xlim(lo - pad, hi + pad)
        if xlabel is None:
            xlabel = "Frame balance\n← confrontation    cooperation →"
        ylabel = "" if headers else pretty_grouping(groupings[0]).capitalize()
        finish_axes(ax, xlabel=xlabel, ylabel=ylabel, title=title or "")
        if headers:
            for t in ax.yaxis.get_major_ticks():
                if t.get_loc() in head_y:
                    t.tick1line.set_visible(False)
    return ax
