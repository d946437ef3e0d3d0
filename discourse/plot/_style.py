"""Shared style and helpers for :mod:`discourse.plot`.

Figures are drawn for print: single-column width (3.5 in), 8 pt text, the
Okabe–Ito colour-blind-safe palette, and a distinct marker per group so that
groups stay apart in greyscale too.  The style is applied only inside
:func:`paper_style` (a :func:`matplotlib.rc_context`); nothing here touches
the global ``rcParams``.

References
----------
Okabe, M. & Ito, K. (2008). *Color Universal Design (CUD): how to make
figures and presentations that are friendly to colorblind people.*
https://jfly.uni-koeln.de/color/
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import InputError, ParameterError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "OKABE_ITO",
    "PALETTE",
    "MARKERS",
    "SINGLE_COLUMN",
    "DOUBLE_COLUMN",
    "paper_style",
    "create_mpl_ax",
    "create_mpl_axes",
]

#: The eight Okabe–Ito colours by name.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Colour order for groups: the Okabe–Ito colours, strongest contrast first
#: (yellow last: it is hard to see on white).
PALETTE: tuple[str, ...] = (
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["orange"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["black"],
    OKABE_ITO["yellow"],
)

#: Marker order for groups (paired with :data:`PALETTE`).
MARKERS: tuple[str, ...] = ("o", "s", "D", "^", "v", "P", "X", "*")

#: Figure widths in inches.
SINGLE_COLUMN = 3.5
DOUBLE_COLUMN = 7.0

#: Colour for things that are present but not interpretable (too few documents).
MUTED = "#8C8C8C"
#: Light band colour for alternate rows.
BAND = "#F2F2F2"

_RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 8.0,
    "axes.titlesize": 8.5,
    "axes.labelsize": 8.0,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "legend.fontsize": 7.5,
    "legend.title_fontsize": 7.5,
    "figure.titlesize": 9.0,
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#333333",
    "axes.titlelocation": "left",
    "axes.titlepad": 4.0,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.major.size": 2.5,
    "ytick.major.size": 2.5,
    "lines.linewidth": 1.2,
    "lines.markersize": 4.5,
    "errorbar.capsize": 0.0,
    "legend.frameon": False,
    "legend.handlelength": 1.2,
    "legend.borderaxespad": 0.2,
    "legend.columnspacing": 1.0,
    "figure.figsize": (SINGLE_COLUMN, 2.6),
    "figure.dpi": 150.0,
    "savefig.dpi": 200.0,
    "figure.constrained_layout.use": True,
    "figure.facecolor": "white",
    "image.cmap": "cividis",
    "pdf.fonttype": 42,
    "svg.fonttype": "path",
    "svg.hashsalt": "discourse",
}


def paper_style(**overrides: Any):
    """A :func:`matplotlib.rc_context` with the package's print style.

    Single-column width (3.5 in), 8 pt text, the Okabe–Ito palette,
    constrained layout, no top/right spines.  The global ``rcParams`` are
    restored when the block ends.

    Parameters
    ----------
    **overrides
        rcParams to change on top of the style (for example
        ``**{"font.size": 9}``).

    Returns
    -------
    contextmanager
        Use as ``with paper_style(): ...``.

    Examples
    --------
    >>> import matplotlib
    >>> from discourse.plot import paper_style
    >>> before = matplotlib.rcParams["font.size"]
    >>> with paper_style():
    ...     matplotlib.rcParams["font.size"]
    8.0
    >>> matplotlib.rcParams["font.size"] == before
    True
    """
    import matplotlib
    from cycler import cycler

    rc = dict(_RC)
    rc["axes.prop_cycle"] = cycler(color=list(PALETTE))
    rc.update(overrides)
    return matplotlib.rc_context(rc)


def create_mpl_ax(ax: "Axes | None" = None, *, figsize: tuple[float, float] | None = None) -> tuple["Figure", "Axes"]:
    """The figure and axes to draw on (statsmodels' ``create_mpl_ax``).

    A new figure of size ``figsize`` is made when ``ax`` is ``None``;
    otherwise ``ax`` and its figure are returned unchanged.  Call inside
    :func:`paper_style` so that a new figure gets the package's style.

    Raises
    ------
    ParameterError
        If ``ax`` is not a matplotlib Axes.
    """
    from matplotlib.axes import Axes

    if ax is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=figsize)
        ax = fig.add_subplot()
        return fig, ax
    if not isinstance(ax, Axes):
        raise ParameterError(f"ax={type(ax).__name__} is not allowed: expected a matplotlib Axes or None")
    return ax.figure, ax


def create_mpl_axes(
    ax: Any,
    n: int,
    *,
    ncols: int = 1,
    figsize: tuple[float, float] | None = None,
    sharex: bool = False,
    sharey: bool = False,
) -> tuple["Figure", np.ndarray]:
    """``n`` axes to draw small multiples on.

    ``ax`` may be ``None`` (a new figure with ``ceil(n / ncols)`` rows and
    ``ncols`` columns; panels beyond ``n`` are hidden), a
    :class:`~matplotlib.figure.Figure` (its existing axes are used when
    there are at least ``n``, otherwise a grid is added to it), or a
    sequence/array of at least ``n`` Axes.

    Returns
    -------
    (Figure, ndarray of Axes, shape (n,))

    Raises
    ------
    ParameterError
        If ``ax`` holds fewer than ``n`` Axes or is of another type.
    """
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    nrows = max(1, math.ceil(n / ncols))
    if ax is None:
        import matplotlib.pyplot as plt

        fig, grid = plt.subplots(nrows, ncols, figsize=figsize, sharex=sharex, sharey=sharey, squeeze=False)
        flat = grid.ravel()
        for extra in flat[n:]:
            extra.set_visible(False)
        return fig, flat[:n]
    if isinstance(ax, Figure):
        fig = ax
        if len(fig.axes) >= n:
            return fig, np.asarray(fig.axes[:n], dtype=object)
        grid = fig.subplots(nrows, ncols, sharex=sharex, sharey=sharey, squeeze=False)
        flat = grid.ravel()
        for extra in flat[n:]:
            extra.set_visible(False)
        return fig, flat[:n]
    if isinstance(ax, Axes):
        ax = [ax]
    flat = np.asarray(ax, dtype=object).ravel()
    if len(flat) < n or not all(isinstance(a, Axes) for a in flat):
        raise ParameterError(
            f"ax={type(ax).__name__} of {len(flat)} is not allowed: expected None, a Figure, or at least {n} Axes"
        )
    return flat[0].figure, flat[:n]


# --------------------------------------------------------------------------- helpers


def finish_axes(ax: "Axes", *, xlabel: str | None = None, ylabel: str | None = None, title: str | None = None) -> None:
    """Set labels and tick sizes explicitly from the current (style) rcParams.

    Ticks are created lazily by matplotlib, possibly outside the style's
    ``rc_context``; setting their parameters here pins them to the style.
    """
    import matplotlib

    rc = matplotlib.rcParams
    ax.tick_params(
        axis="both",
        labelsize=rc["xtick.labelsize"],
        width=rc["xtick.major.width"],
        length=rc["xtick.major.size"],
        color=rc["axes.edgecolor"],
    )
    if xlabel is not None:
        # keep the label within the figure (about 0.52 em per character); the
        # label is centred on the axes, which sit right of the tick labels, and
        # constrained layout does not fully make room for an overhanging label
        chars = int(0.68 * ax.figure.get_figwidth() * 72 / (0.52 * float(rc["axes.labelsize"])))
        xlabel = "\n".join(wrap(line, chars, max_lines=3) if len(line) > chars else line for line in xlabel.split("\n"))
        ax.set_xlabel(xlabel, fontsize=rc["axes.labelsize"])
    if ylabel is not None:
        ax.set_ylabel(ylabel, fontsize=rc["axes.labelsize"])
    if title:
        ax.set_title(title, fontsize=rc["axes.titlesize"], loc="left")


def require_columns(df: Any, columns: Iterable[str], what: str) -> pd.DataFrame:
    """Check that ``df`` is a DataFrame with ``columns``; raise InputError naming what is missing."""
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"{what} table must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(
            f"{what} table is missing columns {missing}; expected columns {', '.join(columns)}"
        )
    if df.empty:
        raise InputError(f"{what} table is empty: nothing to plot")
    return df


def select_one(df: pd.DataFrame, column: str, value: Any, what: str) -> tuple[pd.DataFrame, Any]:
    """Rows of ``df`` whose ``column`` equals ``value``.

    With ``value=None`` the column must hold a single value, which is used.
    Raises :class:`ParameterError` listing the available values otherwise.
    """
    if column not in df.columns:
        return df, value
    values = list(pd.unique(df[column].dropna()))
    if value is None:
        if len(values) == 1:
            return df[df[column] == values[0]], values[0]
        raise ParameterError(
            f"{column}=None is not allowed: the {what} table holds several ({_fmt_values(values)}); pass {column}=one of them"
        )
    sel = df[df[column].astype(str) == str(value)]
    if sel.empty:
        raise ParameterError(f"{column}={value!r} is not allowed: expected one of {_fmt_values(values)}")
    return sel, sel[column].iloc[0]


def _fmt_values(values: Sequence[Any], limit: int = 12) -> str:
    shown = ", ".join(repr(v) for v in list(values)[:limit])
    return shown + (f", … ({len(values)} in all)" if len(values) > limit else "")


def pretty_grouping(grouping: Any) -> str:
    """``"outlet_country:period"`` -> ``"outlet country × period"``."""
    if grouping is None or (isinstance(grouping, float) and math.isnan(grouping)):
        return ""
    return " × ".join(part.strip().replace("_", " ") for part in str(grouping).split(":"))


def n_docs_text(n: Any) -> str:
    """``2 -> "n=2 docs"``, ``1 -> "n=1 doc"``; a range for several values."""
    vals = sorted({int(v) for v in np.atleast_1d(n) if v is not None and not pd.isna(v)})
    if not vals:
        return "n=?"
    if len(vals) == 1:
        return f"n={vals[0]:,} doc" + ("" if vals[0] == 1 else "s")
    return f"n={vals[0]:,}–{vals[-1]:,} docs"


def shorten(text: Any, max_chars: int) -> str:
    """Cut ``text`` to ``max_chars`` characters, ending in an ellipsis when cut."""
    s = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    s = " ".join(s.split())
    if max_chars and len(s) > max_chars:
        return s[: max(1, max_chars - 1)].rstrip(" ,;_-") + "…"
    return s


def wrap(text: str, width: int = 22, max_lines: int = 2) -> str:
    """Wrap ``text`` onto at most ``max_lines`` lines of about ``width`` characters."""
    import textwrap

    lines = textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=False)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = shorten(lines[-1] + " …", width)
        if not lines[-1].endswith("…"):
            lines[-1] = lines[-1].rstrip() + "…"
    return "\n".join(lines)


def topic_label(topic: Any, label: Any = None, *, max_chars: int = 40, width: int = 22) -> str:
    """Tick label for a topic: ``"3: border, ttp, kabul"``; ``-1`` is the outlier topic.

    The label is cut to ``max_chars`` characters and wrapped onto lines of
    about ``width`` characters (``width=0``: no wrapping).
    """
    try:
        tid = int(topic)
    except (TypeError, ValueError):
        tid = topic
    head = "outliers" if tid == -1 else f"{tid}"
    text = shorten(label, max_chars) if label is not None else ""
    text = text.replace("_", " ")
    if not text or text == str(tid):
        return f"Topic {head}"
    full = f"{head}: {text}"
    return wrap(full, width) if width else full


def n_lines(labels: Iterable[str]) -> int:
    """The largest number of lines among ``labels``."""
    return max((str(s).count("\n") + 1 for s in labels), default=1)


def place_legend(ax: "Axes", owned: bool, *, handles: list | None = None, title: str | None = None, **kw: Any):
    """A legend above the plot, in as many columns as fit the figure's width.

    On a figure this function's caller made (``owned``) the legend goes
    above all axes (constrained layout makes room); on an Axes the caller
    passed in, it sits just above that Axes.
    """
    import matplotlib

    if handles is None:
        handles, _ = ax.get_legend_handles_labels()
    if not handles:
        return None
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    fs = matplotlib.rcParams["legend.fontsize"]
    fs = float(fs) if isinstance(fs, (int, float)) else 7.5
    prop = FontProperties(size=fs)
    ttp = TextToPath()
    # handle + pad + column spacing, in points; legend text measured exactly
    extra = (kw.get("handlelength", matplotlib.rcParams["legend.handlelength"]) + 0.8 + 1.0) * fs
    widths = [ttp.get_text_width_height_descent(h.get_label(), prop, ismath=False)[0] + extra for h in handles]
    avail = (ax.figure.get_figwidth() if owned else ax.get_position().width * ax.figure.get_figwidth()) * 72 - fs
    ncol = 1
    for c in range(len(handles), 0, -1):
        rows = -(-len(handles) // c)
        cols = [max(widths[j * rows:(j + 1) * rows], default=0.0) for j in range(c)]
        if sum(cols) <= avail:
            ncol = c
            break
    kw.setdefault("ncol", ncol)
    if owned:
        return ax.figure.legend(handles=handles, loc="outside upper left", title=title, alignment="left", **kw)
    return ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), title=title, alignment="left", **kw)


def note_side(x: float, lo: float, hi: float) -> tuple[float, str]:
    """Offset (points) and alignment for a note beside a point: away from the nearer edge."""
    if hi > lo and (x - lo) / (hi - lo) > 0.55:
        return -5.0, "right"
    return 5.0, "left"


def flag(series: pd.Series | None, n: int) -> np.ndarray:
    """A boolean array from an optional column (missing -> all False)."""
    if series is None:
        return np.zeros(n, dtype=bool)
    return series.fillna(False).astype(bool).to_numpy()


def group_order(values: Iterable[Any], order: Sequence[Any] | None) -> list[Any]:
    """Groups in the given order, else sorted naturally (numbers as numbers)."""
    present = list(pd.unique(pd.Series(list(values)).dropna()))
    if order is not None:
        wanted = [g for g in order if str(g) in {str(p) for p in present}]
        missing = [g for g in order if str(g) not in {str(p) for p in present}]
        if missing:
            raise ParameterError(f"groups={list(order)!r} is not allowed: {missing} not in the table (has {_fmt_values(present)})")
        by_str = {str(p): p for p in present}
        return [by_str[str(g)] for g in wanted]

    def key(v: Any) -> tuple:
        try:
            return (0, float(v), "")
        except (TypeError, ValueError):
            return (1, 0.0, str(v))

    return sorted(present, key=key)


def style_for(i: int) -> dict[str, Any]:
    """Colour and marker of the ``i``-th group."""
    return {"color": PALETTE[i % len(PALETTE)], "marker": MARKERS[i % len(MARKERS)]}


def row_bands(ax: "Axes", n_rows: int) -> None:
    """Light bands behind every other row of a dot plot (rows at y = 0..n-1)."""
    for i in range(0, n_rows, 2):
        ax.axhspan(i - 0.5, i + 0.5, color=BAND, zorder=0, lw=0)


def interval_arrays(df: pd.DataFrame, est: str = "share") -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Estimates, lower/upper error lengths (NaN -> 0) and a mask of finite intervals."""
    x = pd.to_numeric(df[est], errors="coerce").to_numpy(dtype=float)
    lo = pd.to_numeric(df["ci_low"], errors="coerce").to_numpy(dtype=float)
    hi = pd.to_numeric(df["ci_high"], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(lo) & np.isfinite(hi) & np.isfinite(x)
    err_lo = np.where(ok, np.clip(x - lo, 0, None), 0.0)
    err_hi = np.where(ok, np.clip(hi - x, 0, None), 0.0)
    return x, err_lo, err_hi, ok


def labels_from(df: pd.DataFrame, key: str, label_col: str) -> Mapping[Any, Any]:
    """``{key value: first label}`` when ``label_col`` exists, else empty."""
    if label_col not in df.columns:
        return {}
    sub = df[[key, label_col]].dropna().drop_duplicates(subset=[key])
    return dict(zip(sub[key], sub[label_col]))


def mark_unstable(df: pd.DataFrame, labels: Mapping[Any, Any], key: str = "topic") -> dict[Any, Any]:
    """``labels`` with ``"[unstable] "`` before topics the table flags ``unstable`` (runs disagree on them)."""
    out = dict(labels)
    if "unstable" not in df.columns:
        return out
    flagged = df.loc[df["unstable"].fillna(False).astype(bool), key].unique()
    for t in flagged:
        out[t] = f"[unstable] {out.get(t) or t}"
    return out
