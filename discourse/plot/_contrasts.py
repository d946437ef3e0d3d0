"""Forest plots: differences in topic weight between groups, and difference-in-differences."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import pandas as pd

from ..errors import ParameterError, check_param
from ._style import (
    MUTED,
    PALETTE,
    SINGLE_COLUMN,
    create_mpl_ax,
    finish_axes,
    flag,
    interval_arrays,
    labels_from,
    mark_unstable,
    n_docs_text,
    n_lines,
    note_side,
    paper_style,
    place_legend,
    require_columns,
    row_bands,
    select_one,
    topic_label,
    wrap,
)
from ._topics import _topic_order, model_name

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["plot_contrasts", "plot_diff_in_diff", "format_p"]

CONTRAST_COLUMNS = ("model", "topic", "grouping", "group_a", "group_b", "difference", "ci_low", "ci_high", "p_value", "p_adj")


def format_p(p: Any) -> str:
    """``0.0312 -> "0.03"``, ``0.0004 -> "<0.001"``, NaN -> ``"–"``."""
    try:
        p = float(p)
    except (TypeError, ValueError):
        return "–"
    if not np.isfinite(p):
        return "–"
    if p < 0.001:
        return "<0.001"
    if p < 0.01:
        return f"{p:.3f}"
    return f"{p:.2f}"


def _forest(
    ax: "Axes",
    df: pd.DataFrame,
    *,
    est: str,
    row_labels: list[str],
    p_col: str | None,
    alpha: float,
    p_header: str,
    nan_note: list[str],
    owned: bool,
    legend_title: str | None = None,
    empty_note: str = "No estimates to show",
) -> None:
    """Draw one row per ``df`` row (top to bottom): point, interval, zero line, p column.

    With a p column, markers are filled when ``p < alpha`` and the p-values
    are written in a column right of the axes.  Rows flagged ``too_few`` are
    drawn in grey (with a p column) or hollow (without one).
    """
    from matplotlib.lines import Line2D
    from matplotlib.transforms import blended_transform_factory

    n = len(df)
    y = np.arange(n, dtype=float)
    x, elo, ehi, ok = interval_arrays(df, est)
    few = flag(df.get("too_few"), n)
    has_x = np.isfinite(x)
    row_bands(ax, n)
    ax.axvline(0.0, color="#555555", lw=0.8, ls="--", zorder=1)
    color = PALETTE[0]
    if p_col is not None:
        p = pd.to_numeric(df[p_col], errors="coerce").to_numpy(dtype=float)
        filled = np.isfinite(p) & (p < alpha)
        colors = np.where(few, MUTED, color)
    else:
        p = np.full(n, np.nan)
        filled = ~few
        colors = np.full(n, color, dtype=object)
    for c in dict.fromkeys(colors):
        m = ok & (colors == c)
        if m.any():
            ax.errorbar(x[m], y[m], xerr=[elo[m], ehi[m]], fmt="none", ecolor=c, elinewidth=1.1, zorder=2)
        for mask, full in ((filled & has_x & (colors == c), True), (~filled & has_x & (colors == c), False)):
            if mask.any():
                ax.plot(
                    x[mask], y[mask], linestyle="none", marker="o", markersize=4.5, markeredgewidth=0.9,
                    markeredgecolor=c, markerfacecolor=c if full else "white", zorder=3, gid="points",
                )
    ax.set_yticks(y, row_labels)
    ax.set_ylim(n - 0.5, -0.5)
    xmin = np.nanmin(np.concatenate([x - elo, [0.0]]))
    xmax = np.nanmax(np.concatenate([x + ehi, [0.0]]))
    pad = 0.08 * (xmax - xmin or 1.0)
    ax.set_xlim(xmin - pad, xmax + pad)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    # rows without an interval: say why, next to the point, on the side with
    # room; when no row has one, say it once in the legend instead
    none_ok = int(has_x.sum()) > 1 and not ok.any()
    if not has_x.any():
        ax.text(0.5, 0.5, wrap(empty_note, 26, max_lines=5), transform=ax.transAxes, ha="center", va="center",
                fontsize=7.5, color="#444444", gid="empty-note",
                bbox=dict(boxstyle="round,pad=0.4", fc="white", ec=MUTED, lw=0.6))
    for i in np.flatnonzero(~ok) if not none_ok else []:
        if np.isfinite(x[i]):
            dx, ha = note_side(x[i], xmin - pad, xmax + pad)
            ax.annotate(nan_note[i], (x[i], y[i]), xytext=(dx, 0), textcoords="offset points",
                        va="center", ha=ha, fontsize=6.5, color=MUTED, gid="nan-note",
                        bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.8))
    handles = []
    if p_col is not None:
        tr = blended_transform_factory(ax.transAxes, ax.transData)
        for yi, pi in zip(y, p):
            ax.text(1.03, yi, format_p(pi), transform=tr, ha="left", va="center", fontsize=7, gid="p-text")
        ax.text(1.03, -0.55, p_header, transform=tr, ha="left", va="bottom", fontsize=7, fontweight="bold", gid="p-text")
        handles += [
            Line2D([], [], linestyle="none", marker="o", markersize=4.5, color=color, label=f"{p_header} < {alpha:g}"),
            Line2D([], [], linestyle="none", marker="o", markersize=4.5, markerfacecolor="white",
                   markeredgecolor=color, label=f"{p_header} ≥ {alpha:g}"),
        ]
        if few.any():
            handles.append(Line2D([], [], color=MUTED, marker="o", markersize=4.5, label="grey: too few documents"))
    elif few.any() and has_x.any():
        if (ok & ~few).any():
            handles.append(Line2D([], [], color=color, marker="o", markersize=4.5, label="estimate with interval"))
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=4.5, markerfacecolor="white",
                              markeredgecolor=color, label="hollow: too few documents"))
    if none_ok:
        handles.append(Line2D([], [], linestyle="none", marker="none", label=f"no intervals: {nan_note[0]}".replace(": no interval", "")))
    if handles:
        place_legend(ax, owned, handles=handles, title=legend_title)


def short_ci_note(note: Any) -> str:
    """A few words for the plot from a table's ``ci_note``."""
    import re

    text = "" if note is None or (isinstance(note, float) and np.isnan(note)) else str(note)
    m = re.search(r"smallest attainable p with these group sizes is ([0-9.]+)", text)
    if m:
        return f"p ≥ {m.group(1)} always: no interval"
    m = re.search(r"fewer than (\d+) documents per group", text)
    if m:
        return f"< {m.group(1)} docs per group: no interval"
    if "not been simulated" in text:
        return "coverage not simulated: no interval"
    if "at every size tried" in text:
        return "never calibrated: no interval"
    return "no interval"


def _height(ticks: list[str], xlabel: str) -> float:
    row = 0.13 * n_lines(ticks) + 0.06
    return max(1.9, 1.15 + 0.13 * xlabel.count("\n") + row * len(ticks))


def _pick_pair(df: pd.DataFrame, group_a: Any, group_b: Any) -> tuple[pd.DataFrame, Any, Any]:
    """Rows of one pair, flipped (sign and interval) when the table holds it the other way round."""
    pairs = list(dict.fromkeys(zip(df["group_a"].astype(str), df["group_b"].astype(str))))
    if group_a is None and group_b is None:
        if len(pairs) != 1:
            raise ParameterError(
                f"group_a=None is not allowed: the contrasts table holds several pairs ({', '.join(f'{a} − {b}' for a, b in pairs)}); pass group_a= and group_b="
            )
        group_a, group_b = pairs[0]
    if group_a is None or group_b is None:
        raise ParameterError(f"group_a={group_a!r}, group_b={group_b!r} is not allowed: give both groups or neither")
    a, b = str(group_a), str(group_b)
    ga, gb = df["group_a"].astype(str), df["group_b"].astype(str)
    sel = df[(ga == a) & (gb == b)]
    if not sel.empty:
        return sel.copy(), group_a, group_b
    sel = df[(ga == b) & (gb == a)].copy()
    if sel.empty:
        raise ParameterError(
            f"group_a={group_a!r}, group_b={group_b!r} is not allowed: expected a pair among {', '.join(f'{x} − {y}' for x, y in pairs)}"
        )
    sel["difference"] = -pd.to_numeric(sel["difference"], errors="coerce")
    lo = -pd.to_numeric(sel["ci_high"], errors="coerce")
    hi = -pd.to_numeric(sel["ci_low"], errors="coerce")
    sel["ci_low"], sel["ci_high"] = lo, hi
    if "n_a" in sel.columns and "n_b" in sel.columns:
        sel["n_a"], sel["n_b"] = sel["n_b"].copy(), sel["n_a"].copy()
    return sel, group_a, group_b


def plot_contrasts(
    contrasts: pd.DataFrame,
    *,
    model: str | None = None,
    grouping: str | None = None,
    group_a: Any = None,
    group_b: Any = None,
    topics: Sequence[Any] | None = None,
    alpha: float = 0.05,
    max_label_chars: int = 40,
    title: str | None = None,
    ax: "Axes | None" = None,
) -> "Axes":
    """Forest plot of the difference in topic weight between two groups.

    One row per topic: the difference ``share(group_a) − share(group_b)``
    with its bootstrap interval, a dashed line at zero, and the
    Benjamini–Hochberg adjusted permutation p-value in a column on the right
    (filled markers: ``p_adj < alpha``).  Asking for the pair the other way
    round than the table holds it flips the sign and the interval, so
    ``group_a="2024", group_b="2015"`` always reads as "change from 2015 to
    2024".

    Parameters
    ----------
    contrasts : DataFrame
        Columns ``model, topic, grouping, group_a, group_b, difference,
        ci_low, ci_high, p_value, p_adj`` (optional ``label, n_a, n_b``), as
        written to ``contrasts.csv``.
    model, grouping : str, optional
        Needed only when the table holds several.
    group_a, group_b : optional
        The pair to draw (difference = a − b); needed when the table holds
        several pairs.
    topics : sequence, optional
        Topics to draw, top to bottom (default: all, by id).
    alpha : float
        Adjusted p-values below this are drawn filled.
    max_label_chars : int
        Topic labels are cut to this length (and wrapped onto two lines).
    title : str, optional
        Axes title (default none: the axis label names the contrast).
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
        If the model, grouping or pair is ambiguous or absent, or ``alpha``
        is not in (0, 1).

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse.plot import plot_contrasts
    >>> df = pd.DataFrame({"model": "lda", "topic": [0, 1], "grouping": "period",
    ...     "group_a": "2015", "group_b": "2024", "difference": [-0.3, 0.3],
    ...     "ci_low": [-0.5, 0.1], "ci_high": [-0.1, 0.5], "p_value": [0.02, 0.03], "p_adj": [0.03, 0.03]})
    >>> ax = plot_contrasts(df, group_a="2024", group_b="2015")
    >>> ax.get_xlabel().splitlines()[0]
    'Difference in topic weight, 2024 − 2015'
    """
    require_columns(contrasts, CONTRAST_COLUMNS, "contrasts")
    check_param("alpha", alpha, "a number in (0, 1)", isinstance(alpha, (int, float)) and 0 < alpha < 1)
    df, model = select_one(contrasts, "model", model, "contrasts")
    df, grouping = select_one(df, "grouping", grouping, "contrasts")
    df, group_a, group_b = _pick_pair(df, group_a, group_b)
    ids = _topic_order(df["topic"], topics)
    labels = mark_unstable(df, labels_from(df, "topic", "label"))
    df = df.drop_duplicates(subset=["topic"]).set_index("topic").loc[ids].reset_index()
    n_a = df["n_a"].dropna() if "n_a" in df.columns else pd.Series(dtype=float)
    n_b = df["n_b"].dropna() if "n_b" in df.columns else pd.Series(dtype=float)
    notes = []
    for _, row in df.iterrows():
        na, nb = row.get("n_a"), row.get("n_b")
        ones = [str(g) for g, m in ((group_a, na), (group_b, nb)) if m is not None and not pd.isna(m) and int(m) == 1]
        notes.append(f"n=1 ({', '.join(ones)}): no interval" if ones else short_ci_note(row.get("ci_note")))
    runs = pd.to_numeric(df["n_runs"], errors="coerce").max() if "n_runs" in df.columns else 1
    test = "t test over runs, imputations combined" if runs and runs > 1 else "Permutation test"
    xlabel = f"Difference in topic weight, {group_a} − {group_b}"
    if len(n_a) and len(n_b):
        xlabel += f"\n({group_a}: {n_docs_text(n_a)}; {group_b}: {n_docs_text(n_b)})"
    ticks = [topic_label(t, labels.get(t), max_chars=max_label_chars) for t in ids]
    owned = ax is None
    with paper_style():
        fig, ax = create_mpl_ax(ax, figsize=(SINGLE_COLUMN, _height(ticks, xlabel)))
        _forest(
            ax, df, est="difference", row_labels=ticks, p_col="p_adj", alpha=alpha, p_header="adj. p", nan_note=notes,
            owned=owned, legend_title=f"{test}, Benjamini–Hochberg adjusted",
        )
        finish_axes(ax, xlabel=xlabel, ylabel=f"{model_name(model)} topic", title=title or "")
    return ax


def plot_diff_in_diff(
    did: pd.DataFrame,
    *,
    model: str | None = None,
    topics: Sequence[Any] | None = None,
    alpha: float = 0.05,
    xlabel: str | None = None,
    max_label_chars: int = 40,
    title: str | None = None,
    ax: "Axes | None" = None,
) -> "Axes":
    """Forest plot of a difference-in-differences of topic weight per topic.

    Each row shows, for one topic, how much more the treated group's weight
    changed between ``before`` and ``after`` than the other groups' did
    (did Pakistani outlets move from 2015 to 2024 more than the others?),
    with its interval.  The axis label names the contrast and the number of
    documents in each of the four cells; when any cell has too few
    documents (``too_few``) the points are drawn hollow and the legend says
    so.  A p-value column (``p_adj`` or ``p_value``), when present, is
    written on the right as in :func:`plot_contrasts`.

    Parameters
    ----------
    did : DataFrame
        ``DiDResult.to_frame()``: columns ``model, topic, did, ci_low,
        ci_high`` (``difference`` is accepted for ``did``) and optionally
        ``label, treated, control, before, after, n_treated_before,
        n_treated_after, n_control_before, n_control_after, too_few``.
    model : str, optional
        Needed only when the table holds several.
    topics : sequence, optional
        Topics to draw, top to bottom (default: all, by id).
    alpha : float
        With a p-value column: p-values below this are drawn filled.
    xlabel : str, optional
        Axis label (default built from ``treated, control, before, after``
        and the cell counts).
    max_label_chars : int
        Topic labels are cut to this length (and wrapped onto two lines).
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
        If the model is ambiguous or absent, or ``alpha`` is not in (0, 1).

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse.plot import plot_diff_in_diff
    >>> df = pd.DataFrame({"model": "lda", "topic": [0, 1], "did": [0.2, -0.1],
    ...                    "ci_low": [0.0, -0.4], "ci_high": [0.4, 0.2], "treated": "Pakistan",
    ...                    "control": "others", "before": "2015", "after": "2024"})
    >>> ax = plot_diff_in_diff(df)
    >>> ax.get_xlabel().splitlines()[0]
    'Difference in differences of topic weight'
    """
    from ..errors import InputError

    est = "did" if isinstance(did, pd.DataFrame) and "did" in did.columns else "difference"
    if isinstance(did, pd.DataFrame) and est not in did.columns:
        raise InputError("difference-in-differences table is missing column 'did'; expected columns model, topic, did, ci_low, ci_high")
    require_columns(did, ("model", "topic", est, "ci_low", "ci_high"), "difference-in-differences")
    check_param("alpha", alpha, "a number in (0, 1)", isinstance(alpha, (int, float)) and 0 < alpha < 1)
    df, model = select_one(did, "model", model, "difference-in-differences")
    ids = _topic_order(df["topic"], topics)
    labels = mark_unstable(df, labels_from(df, "topic", "label"))
    df = df.drop_duplicates(subset=["topic"]).set_index("topic").loc[ids].reset_index()
    p_col = "p_adj" if "p_adj" in df.columns else ("p_value" if "p_value" in df.columns else None)

    def one(col: str) -> Any:
        vals = df[col].dropna().unique() if col in df.columns else []
        return vals[0] if len(vals) == 1 else None

    treated, control, before, after = one("treated"), one("control") or "others", one("before"), one("after")
    if xlabel is None:
        xlabel = "Difference in differences of topic weight"
        if treated is not None and before is not None and after is not None:
            xlabel += f"\nchange {before}→{after}: {treated} minus {control}"
    cells = {k: one(f"n_{k}") for k in ("treated_before", "treated_after", "control_before", "control_after")}
    if all(v is not None for v in cells.values()):
        t_name, c_name = treated or "treated", control
        xlabel += (
            f"\ndocuments: {t_name} {int(cells['treated_before'])} → {int(cells['treated_after'])}, "
            f"{c_name} {int(cells['control_before'])} → {int(cells['control_after'])}"
        )
    small = [v for v in cells.values() if v is not None and int(v) < 2]
    cell_name = {
        "treated_before": f"{treated or 'treated'} {before or 'before'}",
        "treated_after": f"{treated or 'treated'} {after or 'after'}",
        "control_before": f"{control} {before or 'before'}",
        "control_after": f"{control} {after or 'after'}",
    }
    empty_cells = [cell_name[k] for k, v in cells.items() if v is not None and int(v) == 0]
    empty = "No estimate: " + (f"no documents in {', '.join(empty_cells)}" if empty_cells else "the table holds none")
    notes = ["a cell has < 2 docs: no interval" if small else short_ci_note(n) for n in df.get("ci_note", [None] * len(df))]
    ticks = [topic_label(t, labels.get(t), max_chars=max_label_chars) for t in ids]
    owned = ax is None
    with paper_style():
        fig, ax = create_mpl_ax(ax, figsize=(SINGLE_COLUMN, _height(ticks, xlabel)))
        _forest(
            ax, df, est=est, row_labels=ticks, p_col=p_col, alpha=alpha,
            p_header="adj. p" if p_col == "p_adj" else "p", nan_note=notes, owned=owned, empty_note=empty,
        )
        finish_axes(ax, xlabel=xlabel, ylabel=f"{model_name(model)} topic", title=title or "")
    return ax
