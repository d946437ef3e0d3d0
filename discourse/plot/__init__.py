"""Figures for papers, drawn from the tidy tables of :mod:`discourse.compare`.

One function per figure.  Each takes a tidy table (the columns of the CSV
files that ``discourse analyze`` writes) and keyword-only options, draws on
``ax`` (a new single-column figure when ``None``) and returns the Axes (an
array of Axes for multi-panel figures).  Nothing here saves or shows a
figure (use :func:`discourse.figures.save_figure`) or changes the global
matplotlib ``rcParams``: the style is applied inside
:func:`paper_style` only.

Every figure labels its axes with what they measure, names groups in words
with their number of documents, draws intervals where the table has them,
and uses the Okabe–Ito colour-blind-safe :data:`PALETTE`.

=====================  ==========================================================
function               table (columns)
=====================  ==========================================================
plot_prevalence        prevalence.csv: model, topic, label, grouping, group,
                       share, ci_low, ci_high, n_docs [, too_few]
plot_topic_terms       topics.csv: model, topic, rank, term, weight [, ranking, label]
plot_contrasts         contrasts.csv: model, topic, grouping, group_a, group_b,
                       difference, ci_low, ci_high, p_value, p_adj [, label,
                       n_a, n_b]
plot_diff_in_diff      model, topic, difference, ci_low, ci_high [, label,
                       p_adj, description, n_*]
plot_keyness           keyness.csv: grouping, group, reference, term, count,
                       count_reference, log_odds, z, p_adj
plot_k_selection       KSelection.summary: k, heldout_mean, heldout_se,
                       coherence_mean, coherence_se, exclusivity_mean,
                       exclusivity_se, stability_mean, stability_sd, n_seeds, chosen
plot_alignment         alignment.csv: lda_topic, bertopic_topic, similarity
                       [, lda_label, bertopic_label, matched] + similarity matrix
plot_frames            frames.csv: grouping, group, frame_balance, ci_low,
                       ci_high, n_docs [, too_few]
plot_removals          Prepared.removals: doc_id, start, end, rule, text
plot_validation        validation scores.csv: measure, model, topic, estimate,
                       ci_low, ci_high, n_judgments [, label, chance]
plot_trend             predicted.csv (a date-trend formula): model, topic,
                       year, share, ci_low, ci_high [, label, ci_note]
=====================  ==========================================================
"""

from __future__ import annotations

from ._contrasts import plot_contrasts, plot_diff_in_diff
from ._corpus import plot_removals
from ._effects import plot_trend
from ._frames import plot_frames
from ._keyness import plot_keyness
from ._models import plot_alignment, plot_k_selection
from ._style import MARKERS, OKABE_ITO, PALETTE, create_mpl_ax, paper_style
from ._topics import plot_prevalence, plot_topic_terms
from ._validate import plot_validation

__all__ = [
    "PALETTE",
    "OKABE_ITO",
    "MARKERS",
    "paper_style",
    "create_mpl_ax",
    "plot_prevalence",
    "plot_topic_terms",
    "plot_contrasts",
    "plot_diff_in_diff",
    "plot_keyness",
    "plot_k_selection",
    "plot_alignment",
    "plot_frames",
    "plot_removals",
    "plot_validation",
    "plot_trend",
]
