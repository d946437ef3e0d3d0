"""Simulated coders with known accuracy: to test scoring and check interval coverage.

A simulated coder with accuracy ``a`` picks the intruder with probability
``a`` and otherwise one of the other options uniformly at random, so its
expected precision (and accuracy) is ``a`` on every task, and its expected
topic log odds on a task is ``(1 - a)`` times the mean of
``log θ(intruder) − log θ(j)`` over the other options ``j``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ._answers import ANSWER_COLUMNS
from ._score import topic_log_odds

__all__ = ["simulate_answers", "write_answers", "expected_log_odds"]


def simulate_answers(key: pd.DataFrame, export_id: str, accuracy: Mapping[str, float] | Sequence[float], *,
                     skip: float = 0.0, random_state: int = 0) -> list[pd.DataFrame]:
    """Answers of simulated coders, one frame per coder in the answers-file format.

    Parameters
    ----------
    key : DataFrame
        The export's answer key (``answer_key.csv``).
    export_id : str
    accuracy : mapping coder -> accuracy, or sequence (coders ``coder_01`` ...)
    skip : float
        Probability that a coder cannot tell (an empty answer).
    random_state : int
    """
    if not isinstance(accuracy, Mapping):
        accuracy = {f"coder_{i:02d}": float(a) for i, a in enumerate(accuracy, start=1)}
    rng = np.random.default_rng(random_state)
    tasks = [(t, g) for t, g in key.groupby("task_id", sort=False)]
    out = []
    for coder, acc in accuracy.items():
        rows = []
        for task_id, g in tasks:
            options = g["option"].tolist()
            intruder = options[int(np.flatnonzero(g["is_intruder"].to_numpy())[0])]
            others = [o for o in options if o != intruder]
            if rng.random() < skip:
                answer = ""
            elif rng.random() < acc:
                answer = intruder
            else:
                answer = others[int(rng.integers(len(others)))]
            text = g.set_index("option")["text"].get(answer, "") if answer else ""
            rows.append({"export_id": export_id, "coder": coder, "task_id": task_id, "task": g["task"].iat[0],
                         "answer": answer, "answer_text": text, "skipped": "true" if not answer else "false", "seconds": ""})
        out.append(pd.DataFrame(rows, columns=ANSWER_COLUMNS))
    return out


def write_answers(frames: Sequence[pd.DataFrame], folder: str | os.PathLike) -> list[Path]:
    """Write answers frames as the page does (``answers_<coder>_<export_id>.csv``)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for df in frames:
        p = folder / f"answers_{df['coder'].iat[0]}_{df['export_id'].iat[0]}.csv"
        df.to_csv(p, index=False, lineterminator="\n")
        paths.append(p)
    return paths


def expected_log_odds(key: pd.DataFrame, accuracy: float) -> pd.Series:
    """Expected topic log odds per topic-intrusion task of a coder with ``accuracy`` (index ``task_id``)."""
    ti = key[key["task"] == "topic_intrusion"]
    out = {}
    for task_id, g in ti.groupby("task_id", sort=False):
        intr = g.loc[g["is_intruder"], "value"].iat[0]
        others = g.loc[~g["is_intruder"], "value"].to_numpy(dtype=np.float64)
        out[task_id] = (1 - accuracy) * float(np.mean(topic_log_odds(others, np.full(others.shape, intr))))
    return pd.Series(out, name="expected_log_odds")
