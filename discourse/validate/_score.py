"""Score coders' answers: model precision, topic log odds, accuracies, agreement between coders.

Statistics (per model and topic, and per model over all topics):

* **model precision** (word intrusion; Chang et al. 2009): the share of
  judgments that found the intruding word;
* **topic log odds** (topic intrusion; Chang et al. 2009): the mean over
  judgments of ``log θ(d, intruder) − log θ(d, chosen)``, 0 when the
  intruder is found and more negative the more prominent the topic the coder
  took for the intruder (shares floored at ``1e-6``); per topic it is taken
  over the passages whose largest topic it is;
* **word-set, label and topic-intrusion accuracy** (Ying, Montgomery &
  Stewart 2022): the share of judgments that found the intruder.

Proportions get exact binomial (Clopper–Pearson) intervals
(:meth:`scipy.stats.binomtest`), which treat judgments as independent.
Topic log odds gets a BCa bootstrap interval that resamples tasks (each
passage with all its judgments; :func:`scipy.stats.bootstrap`) when there
are at least :data:`MIN_TASKS` tasks; with fewer, a simulation showed the
bootstrap to undercover badly (about 0.65–0.75 for 95% with 5 tasks of 3
coders), so none is given, and the row says why.
Each row carries its number of judgments, tasks and coders.  Agreement is
Krippendorff's alpha for nominal data over tasks (the ``krippendorff``
package), the value of a unit being the option chosen; it comes without an
interval (no coverage check was made at these sizes).

References
----------
Chang, J., Boyd-Graber, J., Gerrish, S., Wang, C. & Blei, D. M. (2009).
    Reading tea leaves: how humans interpret topic models. *NeurIPS 22*.
Ying, L., Montgomery, J. M. & Stewart, B. M. (2022). Topics, concepts, and
    measurement: a crowdsourced procedure for validating topics as measures.
    *Political Analysis* 30(4), 570–589.
Clopper, C. J. & Pearson, E. S. (1934). The use of confidence or fiducial
    limits illustrated in the case of the binomial. *Biometrika* 26(4), 404–413.
Krippendorff, K. (2004). *Content Analysis: An Introduction to Its Methodology*, 2nd ed. Sage.
"""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import check_param
from ._answers import ExportRecord, read_all_answers, read_export

__all__ = ["ValidationScores", "score_answers", "score_judgments", "judgments", "clopper_pearson", "topic_log_odds",
           "krippendorff_alpha", "SCORE_COLUMNS", "AGREEMENT_COLUMNS", "MEASURES"]

logger = logging.getLogger(__name__)

SCORE_COLUMNS = ["measure", "model", "topic", "label", "estimate", "ci_low", "ci_high", "n_judgments", "n_tasks",
                 "n_coders", "n_skipped", "interval", "chance"]
AGREEMENT_COLUMNS = ["task", "model", "alpha", "n_units", "n_coders", "n_judgments", "note"]
#: measure name -> task kind it scores
MEASURES = {
    "model_precision": "word_intrusion",
    "word_set_accuracy": "word_set_intrusion",
    "topic_log_odds": "topic_intrusion",
    "topic_accuracy": "topic_intrusion",
    "label_accuracy": "label_intrusion",
}
EPS = 1e-6
#: Fewest topic-intrusion tasks behind a topic-log-odds interval: the bootstrap's coverage was checked by
#: simulation from this size on (tests/test_validate_coverage.py); with fewer it undercovers, so none is given.
MIN_TASKS = 20


def clopper_pearson(k: int, n: int, confidence_level: float = 0.95) -> tuple[float, float]:
    """Exact binomial interval for ``k`` successes in ``n`` trials (Clopper & Pearson 1934); NaNs when ``n == 0``."""
    if n == 0:
        return float("nan"), float("nan")
    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=confidence_level, method="exact")
    return float(ci.low), float(ci.high)


def topic_log_odds(chosen_share: np.ndarray, intruder_share: np.ndarray) -> np.ndarray:
    """Per judgment ``log θ(intruder) − log θ(chosen)`` (Chang et al. 2009), shares floored at ``1e-6``."""
    return np.log(np.maximum(intruder_share, EPS)) - np.log(np.maximum(chosen_share, EPS))


def judgments(answers: pd.DataFrame, export: ExportRecord) -> pd.DataFrame:
    """One row per coder and task: ``coder, task_id, answer, skipped, task, model, topic, n_options, correct, log_odds``.

    Skipped tasks are kept with ``skipped=True`` and no score.
    """
    key = export.key
    first = key.drop_duplicates("task_id").set_index("task_id")
    intruder = key[key["is_intruder"]].set_index("task_id")["value"]
    value = key.set_index(["task_id", "option"])["value"]
    is_intruder = key.set_index(["task_id", "option"])["is_intruder"]
    df = answers[["coder", "task_id", "answer", "skipped"]].copy()
    df["task"] = df["task_id"].map(first["task"])
    df["model"] = df["task_id"].map(first["model"])
    df["topic"] = df["task_id"].map(first["topic"]).astype("int64")
    pairs = list(zip(df["task_id"], df["answer"]))
    answered = ~df["skipped"].to_numpy()
    df["n_options"] = df["task_id"].map(key.groupby("task_id").size()).astype("int64")
    df["correct"] = [bool(is_intruder[p]) if a else np.nan for p, a in zip(pairs, answered)]
    chosen = np.array([value[p] if a else np.nan for p, a in zip(pairs, answered)], dtype=np.float64)
    lo = topic_log_odds(chosen, df["task_id"].map(intruder).to_numpy(dtype=np.float64))
    df["log_odds"] = np.where(answered & (df["task"] == "topic_intrusion").to_numpy(), lo, np.nan)
    return df


def _proportion_row(measure: str, model: str, topic, label: str, g: pd.DataFrame, level: float) -> dict:
    ok = g[~g["skipped"]]
    k, n = int(ok["correct"].astype(bool).sum()), len(ok)
    lo, hi = clopper_pearson(k, n, level)
    return {"measure": measure, "model": model, "topic": topic, "label": label, "estimate": k / n if n else np.nan,
            "ci_low": lo, "ci_high": hi, "n_judgments": n, "n_tasks": ok["task_id"].nunique(), "n_coders": ok["coder"].nunique(),
            "n_skipped": int(g["skipped"].sum()), "interval": "clopper-pearson" if n else "none: no judgments",
            "chance": float((1.0 / g["n_options"]).mean())}


def _log_odds_row(model: str, topic, label: str, g: pd.DataFrame, level: float, n_resamples: int, seed: int,
                  min_tasks: int) -> dict:
    ok = g[~g["skipped"]]
    per_task = ok.groupby("task_id")["log_odds"].agg(["sum", "count"])
    n = int(per_task["count"].sum())
    est = float(per_task["sum"].sum() / n) if n else np.nan
    lo = hi = np.nan
    means = per_task["sum"] / per_task["count"]
    if len(per_task) < min_tasks:
        interval = f"none: {len(per_task)} tasks, fewer than the {min_tasks} at which the bootstrap's coverage was checked"
    elif means.nunique() < 2:
        interval = "none: every task has the same mean log odds, nothing varies to resample"
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", stats.DegenerateDataWarning)
            res = stats.bootstrap((per_task["sum"].to_numpy(), per_task["count"].to_numpy(dtype=np.float64)), _ratio,
                                  paired=True, vectorized=True, n_resamples=n_resamples, confidence_level=level,
                                  method="BCa", random_state=np.random.default_rng(seed))
        lo, hi = float(res.confidence_interval.low), float(res.confidence_interval.high)
        interval = "bootstrap over tasks (BCa)"
        if not (np.isfinite(lo) and np.isfinite(hi)):
            lo = hi = np.nan
            interval = "none: the bootstrap distribution is degenerate (almost nothing varies between tasks)"
    return {"measure": "topic_log_odds", "model": model, "topic": topic, "label": label, "estimate": est, "ci_low": lo,
            "ci_high": hi, "n_judgments": n, "n_tasks": len(per_task), "n_coders": ok["coder"].nunique(),
            "n_skipped": int(g["skipped"].sum()), "interval": interval, "chance": float("nan")}


def _ratio(sums: np.ndarray, counts: np.ndarray, axis: int = -1) -> np.ndarray:
    return sums.sum(axis=axis) / counts.sum(axis=axis)


def krippendorff_alpha(j: pd.DataFrame) -> tuple[float, int, str]:
    """Nominal Krippendorff's alpha of the options chosen, over tasks (units) and coders.

    Returns ``(alpha, n_units, note)``; alpha is NaN, with the reason in
    ``note``, when fewer than two coders answered the same task or every
    judgment chose the same option position.
    """
    import krippendorff

    ok = j[~j["skipped"]]
    table = ok.pivot_table(index="coder", columns="task_id", values="answer", aggfunc="first")
    units = int((table.notna().sum(axis=0) >= 2).sum())
    if table.shape[0] < 2 or units == 0:
        return float("nan"), units, "needs two coders answering the same task"
    codes = table.apply(lambda col: col.str.slice(1).astype(float))
    try:
        with np.errstate(invalid="ignore", divide="ignore"):
            alpha = float(krippendorff.alpha(reliability_data=codes.to_numpy(dtype=np.float64), level_of_measurement="nominal"))
    except ValueError as exc:
        return float("nan"), units, str(exc)
    return alpha, units, "" if np.isfinite(alpha) else "every judgment chose the same option position: no variation"


@dataclass(frozen=True)
class ValidationScores:
    """Scores of one validation study.

    Attributes
    ----------
    scores : DataFrame
        Columns :data:`SCORE_COLUMNS`; ``topic == "all"`` for a model's overall row;
        ``chance`` is what guessing scores (1 / number of options; NaN for log odds).
    agreement : DataFrame
        Columns :data:`AGREEMENT_COLUMNS`.
    judgments : DataFrame
        One row per coder and task (see :func:`judgments`).
    export_id : str
    confidence_level : float
    """

    scores: pd.DataFrame
    agreement: pd.DataFrame
    judgments: pd.DataFrame
    export_id: str
    confidence_level: float

    def to_frame(self) -> pd.DataFrame:
        """The scores table (a copy)."""
        return self.scores.copy()

    def summary(self) -> str:
        """Overall scores per model and measure, and agreement, one line each."""
        pct = f"{self.confidence_level:.0%}"
        lines = [f"export {self.export_id}: {self.judgments['coder'].nunique()} coders, "
                 f"{int((~self.judgments['skipped']).sum())} judgments ({int(self.judgments['skipped'].sum())} can't tell)"]
        for r in self.scores[self.scores["topic"] == "all"].itertuples():
            ci = f"[{r.ci_low:.2f}, {r.ci_high:.2f}]" if np.isfinite(r.ci_low) else f"({r.interval})"
            lines.append(f"  {r.model} {r.measure}: {r.estimate:.2f} {pct} {ci}, n={r.n_judgments} judgments of {r.n_tasks} tasks")
        for r in self.agreement.itertuples():
            a = f"{r.alpha:.2f}" if np.isfinite(r.alpha) else f"n/a ({r.note})"
            lines.append(f"  agreement {r.model} {r.task}: Krippendorff's alpha {a}, {r.n_units} tasks, {r.n_coders} coders")
        return "\n".join(lines)


def score_judgments(j: pd.DataFrame, *, export_id: str = "", labels: dict | None = None, confidence_level: float = 0.95,
                    n_resamples: int = 2000, random_state: int = 0, min_tasks: int = MIN_TASKS) -> ValidationScores:
    """Scores from a judgments table (see :func:`judgments`); the work behind :func:`score_answers`.

    ``min_tasks``: topic log odds gets an interval only from this many tasks on.
    """
    check_param("confidence_level", confidence_level, "between 0 and 1", 0 < confidence_level < 1)
    labels = labels or {}
    rows = []
    for measure, kind in MEASURES.items():
        sub = j[j["task"] == kind]
        for model, gm in sub.groupby("model", sort=True):
            groups = [(t, g) for t, g in gm.groupby("topic", sort=True)] + [("all", gm)]
            for topic, g in groups:
                label = labels.get((model, topic), "") if topic != "all" else ""
                if measure == "topic_log_odds":
                    seed = random_state + len(rows)
                    rows.append(_log_odds_row(model, topic, label, g, confidence_level, n_resamples, seed, min_tasks))
                else:
                    rows.append(_proportion_row(measure, model, topic, label, g, confidence_level))
    scores = pd.DataFrame(rows, columns=SCORE_COLUMNS)
    scores["topic"] = scores["topic"].astype(str)
    agree = []
    for (kind, model), g in j.groupby(["task", "model"], sort=True):
        alpha, units, note = krippendorff_alpha(g)
        agree.append({"task": kind, "model": model, "alpha": alpha, "n_units": units, "n_coders": g["coder"].nunique(),
                      "n_judgments": int((~g["skipped"]).sum()), "note": note})
    return ValidationScores(scores=scores, agreement=pd.DataFrame(agree, columns=AGREEMENT_COLUMNS), judgments=j,
                            export_id=export_id, confidence_level=confidence_level)


def score_answers(export_dir: str | os.PathLike, answers: Sequence[str | os.PathLike], *, confidence_level: float = 0.95,
                  n_resamples: int = 2000, random_state: int = 0) -> ValidationScores:
    """Score the coders' answers files against an export's answer key.

    Parameters
    ----------
    export_dir : path
        Written by :func:`~discourse.validate.export_tasks`.
    answers : sequence of path
        One CSV or JSON file per coder, as their pages saved them.
    confidence_level : float
        Of every interval.
    n_resamples : int
        Bootstrap resamples (topic log odds).
    random_state : int
        Seed of the bootstrap.

    Returns
    -------
    ValidationScores

    Raises
    ------
    InputError
        If a file is missing or malformed (the message names the file and task).

    Examples
    --------
    >>> from importlib import resources
    >>> from discourse.validate import score_answers
    >>> ex = resources.files("discourse.data") / "validate_example"
    >>> res = score_answers(ex / "export", sorted((ex / "answers").iterdir()))
    >>> sorted(res.to_frame()["measure"].unique())[:2]
    ['label_accuracy', 'model_precision']
    """
    export = read_export(export_dir)
    answers_df = read_all_answers(list(answers), export)
    j = judgments(answers_df, export)
    labels = _labels_of(export)
    return score_judgments(j, export_id=export.export_id, labels=labels, confidence_level=confidence_level,
                           n_resamples=n_resamples, random_state=random_state)


def _labels_of(export: ExportRecord) -> dict:
    """(model, topic) -> label, from the export's quote sheets (empty when they are absent)."""
    quotes = export.path / "quotes.csv"
    if not quotes.is_file():
        return {}
    q = pd.read_csv(quotes, usecols=["model", "topic", "label"], dtype={"model": str, "label": str},
                    keep_default_na=False).drop_duplicates()
    return {(m, int(t)): str(lab) for m, t, lab in zip(q["model"], q["topic"], q["label"])}
