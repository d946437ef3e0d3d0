"""Do the validation intervals cover near nominal at the sizes the package uses?

Simulated coders with known accuracy (see ``discourse.validate.simulate_answers``)
answer a fixed task set again and again; each time the 95% interval is
computed, and the share of intervals that hold the true value is counted.
Sizes are those of a default export: 3 coders; word intrusion one task per
topic (3 judgments per topic, 12 over 4 topics); topic intrusion 5 passages
per topic, so 20 tasks over 4 topics, the smallest count
(``MIN_TASKS``) at which topic log odds gets an interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from discourse.validate import ExportConfig, build_tasks, clopper_pearson, topic_log_odds
from discourse.validate._score import MIN_TASKS, _log_odds_row

from _validate_fixtures import synthetic_source

REPEATS = 300


def _choices(n_options: np.ndarray, intruder: np.ndarray, accuracy: float, n_coders: int, rng) -> np.ndarray:
    """Chosen option index per (coder, task): the intruder w.p. accuracy, else uniform among the others."""
    n_tasks = len(n_options)
    right = rng.random((n_coders, n_tasks)) < accuracy
    other = (rng.random((n_coders, n_tasks)) * (n_options - 1)).astype(int)
    other = other + (other >= intruder)  # skip the intruder's index
    return np.where(right, intruder, other)


@pytest.mark.parametrize("accuracy", [0.5, 0.8, 0.95])
def test_clopper_pearson_covers_model_precision(accuracy):
    rng = np.random.default_rng(1)
    hits = {3: 0, 12: 0}
    for _ in range(REPEATS):
        for n in hits:
            k = int((rng.random(n) < accuracy).sum())
            lo, hi = clopper_pearson(k, n)
            hits[n] += lo <= accuracy <= hi
    for n, h in hits.items():
        print(f"clopper-pearson accuracy={accuracy} n={n}: coverage {h / REPEATS:.3f}")
        assert h / REPEATS >= 0.93, (n, h / REPEATS)  # exact intervals: at least nominal, up to MC error


@pytest.mark.parametrize("accuracy", [0.5, 0.8])
def test_bootstrap_covers_topic_log_odds_at_min_tasks(accuracy):
    src, _ = synthetic_source(k=4, n_docs=20, per_doc=10, seed=2)
    tasks, key = build_tasks(src, ExportConfig(tasks=("topic_intrusion",), per_topic=5))
    assert len(tasks) == MIN_TASKS
    values = [g["value"].to_numpy() for _, g in key.groupby("task_id", sort=False)]
    intruder = np.array([int(np.flatnonzero(g["is_intruder"].to_numpy())[0]) for _, g in key.groupby("task_id", sort=False)])
    n_options = np.array([len(v) for v in values])
    cost = [topic_log_odds(v, np.full(v.shape, v[i])) for v, i in zip(values, intruder)]
    # expected log odds of each task: (1 - a) times the mean cost of the non-intruders
    truth = np.mean([(1 - accuracy) * np.delete(c, i).mean() for c, i in zip(cost, intruder)])
    rng = np.random.default_rng(7)
    ids = [t["task_id"] for t in tasks]
    covered, widths = 0, []
    for rep in range(REPEATS):
        chosen = _choices(n_options, intruder, accuracy, 3, rng)
        lo_odds = np.array([[cost[t][chosen[c, t]] for t in range(len(ids))] for c in range(3)])
        g = pd.DataFrame({"coder": np.repeat(["c1", "c2", "c3"], len(ids)), "task_id": ids * 3,
                          "log_odds": lo_odds.ravel(), "skipped": False})
        row = _log_odds_row("lda", "all", "", g, 0.95, 999, rep, MIN_TASKS)
        if np.isfinite(row["ci_low"]):
            covered += row["ci_low"] <= truth <= row["ci_high"]
            widths.append(row["ci_high"] - row["ci_low"])
        else:  # every task had the same mean: no interval, counted as a miss unless the truth is that value
            covered += np.isclose(row["estimate"], truth)
    coverage = covered / REPEATS
    print(f"topic log odds accuracy={accuracy} tasks={MIN_TASKS}: coverage {coverage:.3f}, mean width {np.mean(widths):.3f}")
    assert coverage >= 0.90, coverage
