"""Topic figures: topic weight per group (prevalence) and top terms per topic."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import ParameterError, check_param
from ._style import (
    DOUBLE_COLUMN,
    MUTED,
    PALETTE,
    SINGLE_COLUMN,
    create_mpl_ax,
    create_mpl_axes,
    finish_axes,
    flag,
    group_order,
    interval_arrays,
    labels_from,
    mark_unstable,
    n_docs_text,
    n_lines,
    paper_style,
    place_legend,
    pretty_grouping,
    require_columns,
    row_bands,
    select_one,
    style_for,
    topic_label,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["plot_prevalence", "plot_topic_terms", "model_name"]

PREVALENCE_COLUMNS = ("model", "topic", "label", "grouping", "group", "share", "ci_low", "ci_high", "n_docs")
TOPIC_COLUMNS = ("model", "topic", "rank", "term", "weight")

_MODEL_NAMES = {"lda": "LDA", "bertopic": "BERTopic"}


def model_name(model: Any) -> str:
    """Display name of a model: ``"lda"`` -> ``"LDA"``."""
    return _MODEL_NAMES.get(str(model).lower(), str(model))


def _topic_order(values: Sequence[Any], topics: Sequence[Any] | None) -> list[Any]:
    present = list(pd.unique(pd.Series(list(values))))
    if topics is None:
        return sorted(present, key=lambda t: (int(t) if str(t).lstrip("-").isdigit() else 1 << 30, str(t)))
    missing = [t for t in topics if t not in present]
    if missing:
        raise ParameterError(f"topics={list(topics)!r} is not allowed: {missing} not in the table (has {present})")
    return list(topics)


def plot_prevalence(
    prevalence: pd.DataFrame,
    *,
    model: str | None = None,
    grouping: str | None = None,
    groups: Sequence[Any] | None = None,
    topics: Sequence[Any] | None = None,
    max_label_chars: int = 40,
    title: str | None = None,
    ax: "Axes | None" = None,
) -> "Axes":
    """Topic weight per group, with bootstrap intervals and documents per group.

    A dot plot: one row per topic, one marker per group (colour and shape),
    horizontal bars for the confidence interval.  The legend names each group
    with its number of documents, e.g. ``"2015 (n=2 docs)"``.  A group whose
    interval is missing (a single document) is drawn as a point without a
    bar and marked ``"no interval"``; cells flagged ``too_few`` are drawn
    hollow and explained in the legend.

    Parameters
    ----------
    prevalence : DataFrame
        Columns ``model, topic, label, grouping, group, share, ci_low,
        ci_high, n_docs`` (optional ``too_few``), as written to
        ``prevalence.csv``.
    model, grouping : str, optional
        Which model and grouping to draw; needed only when the table holds
        several.
    groups : sequence, optional
        Groups to draw, in this order (default: all, sorted).
    topics : sequence, optional
        Topics to draw, top to bottom (default: all, by topic id).
    max_label_chars : int
        Topic labels are cut to this length (and wrapped onto two lines).
    title : str, optional
        Axes title (default none: the legend names the grouping and the
        y label the model).
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
        If ``model``/``grouping`` are needed to choose, or name values not in
        the table.

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse.plot import plot_prevalence
    >>> df = pd.DataFrame({
    ...     "model": "lda", "topic": [0, 0, 1, 1], "label": ["border", "border", "trade", "trade"],
    ...     "grouping": "period", "group": ["2015", "2024"] * 2,
    ...     "share": [0.2, 0.5, 0.8, 0.5], "ci_low": [0.1, 0.3, 0.7, 0.3],
    ...     "ci_high": [0.3, 0.7, 0.9, 0.7], "n_docs": [2, 2, 2, 2]})
    >>> ax = plot_prevalence(df)
    >>> ax.get_xlabel()
    'Topic weight (mean document share)'
    """
    require_columns(prevalence, PREVALENCE_COLUMNS, "prevalence")
    check_param("max_label_chars", max_label_chars, "an integer >= 4", isinstance(max_label_chars, int) and max_label_chars >= 4)
    df, model = select_one(prevalence, "model", model, "prevalence")
    df, grouping = select_one(df, "grouping", grouping, "prevalence")
    order = group_order(df["group"], groups)
    df = df[df["group"].astype(str).isin({str(g) for g in order})]
    topic_ids = _topic_order(df["topic"], topics)
    labels = mark_unstable(df, labels_from(df, "topic", "label"))
    n_topics, n_groups = len(topic_ids), len(order)
    pos = {t: i for i, t in enumerate(topic_ids)}
    step = min(0.8 / max(n_groups, 1), 0.3)
    offsets = (np.arange(n_groups) - (n_groups - 1) / 2) * step

    ticks = [topic_label(t, labels.get(t), max_chars=max_label_chars) for t in topic_ids]
    owned = ax is None
    with paper_style():
        row = max(0.13 * n_lines(ticks) + 0.04, 0.1 * n_groups)
        height = max(1.9, 1.0 + 0.2 * (n_groups + 1) + n_topics * row)
        fig, ax = create_mpl_ax(ax, figsize=(SINGLE_COLUMN, height))
        row_bands(ax, n_topics)
        from matplotlib.lines import Line2D

        handles, any_too_few = [], False
        for i, g in enumerate(order):
            sub = df[df["group"].astype(str) == str(g)]
            sub = sub[sub["topic"].isin(pos)]
            st = style_for(i)
            y = sub["topic"].map(pos).to_numpy(dtype=float) + offsets[i]
            x, elo, ehi, ok = interval_arrays(sub, "share")
            few = flag(sub.get("too_few"), len(sub))
            any_too_few |= bool(few.any())
            if ok.any():
                ax.errorbar(x[ok], y[ok], xerr=[elo[ok], ehi[ok]], fmt="none", ecolor=st["color"], elinewidth=1.0, zorder=2)
            for mask, hollow in ((~few, False), (few, True)):
                if mask.any():
                    ax.plot(
                        x[mask], y[mask], linestyle="none", marker=st["marker"], markersize=4.5,
                        markeredgecolor=st["color"], markerfacecolor="white" if hollow else st["color"],
                        markeredgewidth=0.9, zorder=3, gid="points",
                    )
            text = f"{g} ({n_docs_text(sub['n_docs'])}"
            text += ", no interval)" if (~ok).any() else ")"
            handles.append(Line2D([], [], color=st["color"], marker=st["marker"], markersize=4.5, label=text))
        if any_too_few:
            handles.append(
                Line2D([], [], linestyle="none", marker="o", markersize=4.5, markerfacecolor="white",
                       markeredgecolor=MUTED, label="hollow: too few documents")
            )
        ax.set_yticks(range(n_topics), ticks)
        ax.set_ylim(n_topics - 0.5, -0.5)
        vals = np.concatenate([pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float) for c in ("share", "ci_low", "ci_high")])
        vals = vals[np.isfinite(vals)]
        lo, hi = min(0.0, float(vals.min(initial=0.0))), float(vals.max(initial=1.0 if not vals.size else 0.0))
        pad = 0.03 * ((hi - lo) or 1.0)  # markers at 0 or 1 stay whole
        ax.set_xlim(lo - pad, hi + pad)
        place_legend(ax, owned, handles=handles, title=pretty_grouping(grouping).capitalize() or None)
        finish_axes(ax, xlabel="Topic weight (mean document share)", ylabel=f"{model_name(model)} topic", title=title or "")
    return ax


def plot_topic_terms(
    topics: pd.DataFrame,
    *,
    model: str | None = None,
    topic_ids: Sequence[Any] | None = None,
    n_terms: int = 8,
    ncols: int = 2,
    labels: Mapping[Any, str] | None = None,
    ranking: str = "probability",
    xlabel: str | None = None,
    ax: Any = None,
) -> np.ndarray:
    """Top terms of each topic as horizontal bars, one small panel per topic.

    Parameters
    ----------
    topics : DataFrame
        Columns ``model, topic, rank, term, weight`` (``topics.csv``); with a
        ``ranking`` column, the rows of ``ranking`` are drawn; with a
        ``label`` column, each panel is titled with the topic's label.
    model : str, optional
        Which model to draw; needed only when the table holds several.
    topic_ids : sequence, optional
        Topics to draw, in this order (default: all, by id).
    n_terms : int
        Terms per topic (the ``n_terms`` best ranked).
    ncols : int
        Panels per row when a new figure is made (7 in wide for 2 or more).
    labels : mapping, optional
        ``{topic: label}`` added to each panel's title (default: the table's
        ``label`` column, i.e. the model's FREX label, when present).
    ranking : str, default "probability"
        Which ranking's terms to draw when the table has a ``ranking`` column
        (bars always show ``weight``).
    xlabel : str, optional
        Axis label; default names the weight for LDA (word probability) and
        BERTopic (c-TF-IDF).
    ax : None, Figure or sequence of Axes
        Where to draw: a new figure when ``None``; else a Figure or at least
        one Axes per topic.

    Returns
    -------
    ndarray of Axes, shape (n_topics,)

    Raises
    ------
    InputError
        If a required column is missing or the table is empty.
    ParameterError
        For a bad ``n_terms``/``ncols``, or when ``ax`` holds too few Axes.

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse.plot import plot_topic_terms
    >>> df = pd.DataFrame({"model": "lda", "topic": [0, 0, 1, 1], "rank": [1, 2, 1, 2],
    ...                    "term": ["border", "ttp", "trade", "transit"], "weight": [.3, .2, .4, .1]})
    >>> axes = plot_topic_terms(df)
    >>> len(axes)
    2
    """
    require_columns(topics, TOPIC_COLUMNS, "topics")
    check_param("n_terms", n_terms, "an integer >= 1", isinstance(n_terms, (int, np.integer)) and n_terms >= 1)
    check_param("ncols", ncols, "an integer >= 1", isinstance(ncols, (int, np.integer)) and ncols >= 1)
    df, model = select_one(topics, "model", model, "topics")
    if "ranking" in df.columns:
        have = sorted(set(df["ranking"].astype(str)))
        check_param("ranking", ranking, "one of " + ", ".join(map(repr, have)), ranking in have)
        df = df[df["ranking"].astype(str) == ranking]
    ids = _topic_order(df["topic"], topic_ids)
    n = len(ids)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    if xlabel is None:
        xlabel = {"lda": "Word probability in topic", "bertopic": "Term weight (c-TF-IDF)"}.get(str(model).lower(), "Term weight")
    labels = dict(labels or {}) or (dict(labels_from(df, "topic", "label")) if "label" in df.columns else {})
    with paper_style():
        width = DOUBLE_COLUMN if ncols >= 2 else SINGLE_COLUMN
        figsize = (width, nrows * (0.35 + 0.13 * n_terms) + 0.3)
        fig, axes = create_mpl_axes(ax, n, ncols=ncols, figsize=figsize, sharex=True)
        for i, (t, a) in enumerate(zip(ids, axes)):
            sub = df[df["topic"] == t].sort_values("rank", kind="stable").head(n_terms)
            terms = [str(s).replace("_", " ") for s in sub["term"]]
            a.barh(np.arange(len(sub)), sub["weight"].to_numpy(dtype=float), color=PALETTE[0], height=0.7)
            a.set_yticks(np.arange(len(sub)), terms)
            a.set_ylim(n_terms - 0.5, -0.5)
            head = topic_label(t, labels.get(t), max_chars=40)
            if head.startswith("Topic "):
                head = f"{model_name(model)} topic {head[6:]}"
            else:
                head = f"{model_name(model)} topic {head}"
            bottom = i + ncols >= n
            finish_axes(a, xlabel=xlabel if bottom else None, title=head)
            a.tick_params(axis="x", labelbottom=bottom)
    return axes
