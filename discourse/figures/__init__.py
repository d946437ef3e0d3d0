"""Figures: saving, the render cache, the standard figures and the notebook build, in one place.

Drawing is :mod:`discourse.plot` (data and ``ax`` in, Axes out, nothing
saved).  This package does everything after drawing:

=====================  ==============================================================
module                 job
=====================  ==============================================================
``_save``              :func:`save_figure`: atomic, byte-identical files with
                       provenance stamped in, ``manifest.json``;
                       :func:`read_provenance`, :func:`load_manifest`
``_cache``             the render cache: a figure saved before in the same state is
                       copied instead of drawn again
``registry``           :data:`STANDARD_FIGURES`: one entry per standard figure (its
                       plot function, tables, file name, which instances an analysis
                       draws); :func:`draw_standard_figures` (``discourse analyze``)
``_notebook``          :class:`NotebookFigures`: the folders a notebook saves into,
                       read from the kernel's environment in this one place
``_build``             :func:`build_figures` (``discourse figures``: run the notebooks,
                       replace ``figures/``) and :func:`compare_builds`
=====================  ==============================================================

Importing this package loads neither matplotlib nor the notebook machinery.
"""

from __future__ import annotations

from ._build import build_figures, compare_builds, inputs_hash, list_notebooks
from ._notebook import NotebookFigures
from ._save import MANIFEST_NAME, PROVENANCE_KEY, load_manifest, read_provenance, render_figure, save_figure
from .registry import (
    STANDARD_FIGURES,
    StandardFigure,
    alignment_matrix,
    contrast_figure_name,
    draw_standard_figures,
    figure_provenance,
    keyness_figure_name,
    standard_figure,
)

__all__ = [
    "save_figure",
    "render_figure",
    "load_manifest",
    "read_provenance",
    "MANIFEST_NAME",
    "PROVENANCE_KEY",
    "STANDARD_FIGURES",
    "StandardFigure",
    "standard_figure",
    "draw_standard_figures",
    "figure_provenance",
    "alignment_matrix",
    "contrast_figure_name",
    "keyness_figure_name",
    "NotebookFigures",
    "build_figures",
    "compare_builds",
    "inputs_hash",
    "list_notebooks",
]
