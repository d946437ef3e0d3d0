"""Comparisons across groups of documents, with uncertainty and denominators.

Every function takes a :class:`discourse.Prepared` (and fitted topic models)
plus ``by``: a metadata column (``"period"``), a crossing of two columns
(``"outlet_country:period"``, labels ``"Pakistan × 2024"``), or a list of
them.  Documents whose group is unknown are left out of that grouping and
counted.  Each returns an immutable results object with ``.to_frame()``.

* :func:`keyness` — vocabulary keyness (Monroe et al. 2008 log-odds with an
  informative Dirichlet prior, p-values from permuting documents,
  Benjamini–Hochberg, Gries's DP and a one-document flag);
* :func:`prevalence` — topic weight per group with document-bootstrap intervals;
* :func:`contrasts` — differences in topic weight between groups (bootstrap
  interval, permutation p-value, BH); :func:`diff_in_diff`;
* :func:`topic_drift` — keyness between periods within one topic (:func:`drift_by_topic`: several topics);
* :func:`align_models` — Hungarian matching of LDA and BERTopic topics, ARI/NMI;
* :func:`frame_balance` — cooperation against confrontation stance terms per
  group, with the lexicon's domain and coverage;
* :func:`effects` — document topic shares regressed on metadata (statsmodels
  formulas; stm's ``estimateEffect``), combined over runs of the model.

Statistical resampling is always over documents, never passages.
"""

from __future__ import annotations

from ._alignment import align_models, topic_similarity
from ._contrasts import contrasts, diff_in_diff
from ._drift import drift_by_topic, topic_drift
from ._effects import effects
from ._frames import FRAMES, frame_balance, load_frame_lexicon
from ._groups import CROSS_SEP, group_labels
from ._keyness import g_squared, keyness, log_odds_dirichlet, term_counts
from ._prevalence import document_topic_shares, prevalence
from ._results import (
    AlignmentResult,
    ContrastResult,
    DiDResult,
    EffectResult,
    FrameResult,
    KeynessResult,
    PrevalenceResult,
)

__all__ = [
    "AlignmentResult",
    "CROSS_SEP",
    "ContrastResult",
    "DiDResult",
    "EffectResult",
    "FRAMES",
    "FrameResult",
    "KeynessResult",
    "PrevalenceResult",
    "align_models",
    "contrasts",
    "diff_in_diff",
    "effects",
    "document_topic_shares",
    "frame_balance",
    "g_squared",
    "group_labels",
    "keyness",
    "load_frame_lexicon",
    "log_odds_dirichlet",
    "prevalence",
    "term_counts",
    "topic_drift",
    "drift_by_topic",
    "topic_similarity",
]
