"""Validating topics with people: intrusion tasks, quote sheets, a page per coder, and scoring.

Export (:func:`export_tasks`) writes, from a finished analysis, word
intrusion and topic intrusion tasks (Chang et al. 2009), word-set and label
intrusion tasks (Ying, Montgomery & Stewart 2022), quote sheets (the
passages with the largest share of each topic, per group; stm's
``findThoughts``), one self-contained HTML page per coder and a separate
answer key.  Scoring (:func:`score_answers`) reads the answers files the
pages save and returns model precision, topic log odds and accuracies with
intervals and counts, and Krippendorff's alpha between coders.

=======================  ===================================================
function                 job
=======================  ===================================================
load_source              an analyze output folder (models from its cache)
source_from_result       an AnalysisResult
source_from_fitted       a Prepared and fitted models
export_tasks             tasks, pages, key, quote sheets -> folder
quote_sheets             the quote-sheet table alone
score_answers            answers files -> ValidationScores
write_scores             ValidationScores -> tables, figure, manifest
simulate_answers         answers of simulated coders with known accuracy
=======================  ===================================================
"""

from ._answers import read_all_answers, read_answers, read_export
from ._export import ExportConfig, ValidationExport, build_tasks, coder_tasks, export_tasks, render_page
from ._quotes import quote_sheets
from ._score import ValidationScores, clopper_pearson, judgments, krippendorff_alpha, score_answers, score_judgments, topic_log_odds
from ._simulate import expected_log_odds, simulate_answers, write_answers
from ._source import ModelTopics, ValidationSource, load_source, read_labels, source_from_fitted, source_from_result
from ._tasks import TASK_KINDS
from ._write import draw_scores, write_scores

__all__ = [
    "TASK_KINDS",
    "ModelTopics",
    "ValidationSource",
    "load_source",
    "source_from_result",
    "source_from_fitted",
    "read_labels",
    "ExportConfig",
    "ValidationExport",
    "build_tasks",
    "coder_tasks",
    "render_page",
    "export_tasks",
    "quote_sheets",
    "read_export",
    "read_answers",
    "read_all_answers",
    "judgments",
    "ValidationScores",
    "score_answers",
    "score_judgments",
    "clopper_pearson",
    "topic_log_odds",
    "krippendorff_alpha",
    "simulate_answers",
    "write_answers",
    "expected_log_odds",
    "write_scores",
    "draw_scores",
]
