"""Figures for an :class:`~discourse.analysis.AnalysisResult` (``discourse analyze --out DIR``).

Draws, from the result's tidy tables only, the standard set of figures into
``DIR/figures`` with :func:`discourse.figures.save_figure` (provenance in
every file, ``manifest.json`` beside them).  Notebooks draw the same figures
one by one with the :mod:`discourse.plot` functions.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import DiscourseError

__all__ = ["draw_analysis_figures", "alignment_matrix", "figure_provenance", "contrast_figure_name",
           "keyness_figure_name"]

logger = logging.getLogger(__name__)


def _slug(text: Any) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", str(text)).strip("-").lower() or "x"


def contrast_figure_name(model: str, grouping: str, group_a: Any, group_b: Any) -> str:
    """File name of the standard contrast figure (the CLI and the notebooks use this one name)."""
    return f"{model}_contrast_{_slug(grouping)}_{_slug(group_a)}_vs_{_slug(group_b)}"


def keyness_figure_name(grouping: str, group: Any, reference: Any) -> str:
    """File name of the standard keyness figure (the CLI and the notebooks use this one name)."""
    return f"keyness_{_slug(grouping)}_{_slug(group)}_vs_{_slug(reference)}"


def figure_provenance(result, **extra: Any) -> dict[str, Any]:
    """Provenance record for a figure made from ``result`` (no timestamps)."""
    from dataclasses import asdict

    from .provenance import provenance

    import os

    params = asdict(result.config) | {"cache_dir": None, "progress": None}
    if os.environ.get("DISCOURSE_INPUTS_SHA256"):
        extra = {"inputs_sha256": os.environ["DISCOURSE_INPUTS_SHA256"], **extra}
    return provenance(params=params, random_state=result.config.random_state,
                      corpus_hash=result.prepared.corpus_hash, extra=extra or None)


def alignment_matrix(result) -> pd.DataFrame | None:
    """The LDA × BERTopic similarity matrix from the ``alignment_similarity`` table."""
    long = result.tables.get("alignment_similarity")
    if long is None or long.empty:
        return None
    return long.pivot(index="lda_topic", columns="bertopic_topic", values="similarity")


def draw_analysis_figures(result, outdir: str | Path) -> list[Path]:
    """Draw every standard figure of ``result`` into ``outdir``.

    Returns
    -------
    list of Path
        The files written.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from . import plot as P
    from .figures import save_figure

    outdir = Path(outdir)
    written: list[Path] = []
    t = result.tables

    def save(ax, name: str, **extra) -> None:
        fig = ax.flat[0].figure if hasattr(ax, "flat") else ax.figure
        written.extend(save_figure(fig, name, outdir=outdir, provenance=figure_provenance(result, figure=name, **extra)))
        plt.close(fig)

    def attempt(name: str, draw) -> None:
        # A figure the data cannot make (a plotting function's ParameterError: nothing to draw, a
        # single group) is skipped with a warning; any other error is a bug and is raised.
        try:
            draw()
        except DiscourseError as exc:
            logger.warning("figure %s was not drawn: %s", name, exc)
            plt.close("all")

    if len(result.prepared.removals):
        attempt("removals", lambda: save(P.plot_removals(result.prepared.removals), "corpus_removals"))
    groupings = [g for g in result.config.by]
    for model in result.models:
        attempt(f"{model}_topics", lambda m=model: save(P.plot_topic_terms(t["topics"], model=m), f"{m}_topics"))
        for by in groupings:
            prev = t.get("prevalence")
            if prev is not None and ((prev["model"] == model) & (prev["grouping"] == by)).any():
                attempt(f"{model}_prevalence_{by}", lambda m=model, b=by: save(
                    P.plot_prevalence(prev, model=m, grouping=b), f"{m}_prevalence_{_slug(b)}"))
            con = t.get("contrasts")
            if con is not None and not con.empty:
                sub = con[(con["model"] == model) & (con["grouping"] == by)]
                for (a, b2), _ in list(sub.groupby(["group_a", "group_b"], sort=True))[:6]:
                    attempt(f"{model}_contrast_{a}_{b2}", lambda m=model, g=by, a=a, b2=b2: save(
                        P.plot_contrasts(con, model=m, grouping=g, group_a=a, group_b=b2),
                        contrast_figure_name(m, g, a, b2)))
        pred = t.get("predicted")
        if pred is not None and "year" in pred.columns and (pred["model"] == model).any():
            attempt(f"{model}_trend", lambda m=model: save(P.plot_trend(pred, model=m), f"{m}_trend"))
        did = t.get("did")
        if did is not None and not did.empty and (did["model"] == model).any():
            attempt(f"{model}_did", lambda m=model: save(P.plot_diff_in_diff(did, model=m), f"{m}_diff_in_diff"))
    key = t.get("keyness")
    if key is not None and not key.empty:
        for by in groupings:
            sub = key[(key["grouping"] == by) & (key["reference"] != "rest")]
            pairs = sorted(set(zip(sub["group"], sub["reference"])))[:6]
            if not pairs:
                sub = key[key["grouping"] == by]
                pairs = sorted(set(zip(sub["group"], sub["reference"])))[:6]
            for g, r in pairs:
                attempt(f"keyness_{g}_{r}", lambda b=by, g=g, r=r: save(
                    P.plot_keyness(key, grouping=b, group=g, reference=r), keyness_figure_name(b, g, r)))
    fr = t.get("frames")
    if fr is not None and not fr.empty:
        for by in groupings:
            if (fr["grouping"] == by).any():
                attempt(f"frames_{by}", lambda b=by: save(P.plot_frames(fr, grouping=b), f"frames_{_slug(b)}"))
    if "k_selection" in t:
        attempt("lda_k_selection", lambda: save(P.plot_k_selection(t["k_selection"]), "lda_k_selection"))
    if "alignment" in t and not t["alignment"].empty:
        attempt("alignment", lambda: save(P.plot_alignment(t["alignment"], alignment_matrix(result)), "alignment"))
    return written
