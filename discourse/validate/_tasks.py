"""Intrusion tasks made from one model's topics: pure functions of the topics and a random generator.

Each builder returns ``(tasks, key)``: ``tasks`` are what a coder sees
(task id, kind, prompt, optional passage, options with ids and texts) and
``key`` holds one row per option with ``is_intruder`` and the number that
scoring needs (``value``: the word's weight in the topic, or the passage's
share of the option's topic).  Options are put in a random canonical order,
so an option's id says nothing about which one intrudes.

References
----------
Chang, J., Boyd-Graber, J., Gerrish, S., Wang, C. & Blei, D. M. (2009).
    Reading tea leaves: how humans interpret topic models. *NeurIPS 22*.
Ying, L., Montgomery, J. M. & Stewart, B. M. (2022). Topics, concepts, and
    measurement: a crowdsourced procedure for validating topics as measures.
    *Political Analysis* 30(4), 570–589.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from ._source import ModelTopics

__all__ = ["TASK_KINDS", "word_intrusion", "word_set_intrusion", "passage_intrusion", "display_term"]

logger = logging.getLogger(__name__)

TASK_KINDS = ("word_intrusion", "word_set_intrusion", "topic_intrusion", "label_intrusion")

PROMPTS = {
    "word_intrusion": "Which word does not belong with the others?",
    "word_set_intrusion": "All but one of these word sets come from the same topic. Which set does not belong?",
    "topic_intrusion": "Read the passage. All but one of these topics are prominent in it. Which topic is not?",
    "label_intrusion": "Read the passage. All but one of these labels describe it. Which label does not fit?",
}


def display_term(term: str) -> str:
    """A vocabulary term as a coder reads it (phrase joiners become spaces)."""
    return str(term).replace("_", " ")


def _ranking(row: np.ndarray) -> np.ndarray:
    """Term indices by decreasing weight, ties in vocabulary order."""
    return np.lexsort((np.arange(row.size), -row))


def _finish(task_id: str, kind: str, model: str, topic: int, options: list[tuple[str, bool, float]], rng: np.random.Generator,
            passage_id: str | None = None, passage: str | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    order = rng.permutation(len(options))
    task = {"task_id": task_id, "task": kind, "model": model, "topic": int(topic), "passage_id": passage_id,
            "prompt": PROMPTS[kind], "passage": passage, "options": []}
    key = []
    for i, j in enumerate(order, start=1):
        text, intruder, value = options[j]
        oid = f"o{i}"
        task["options"].append({"id": oid, "text": text})
        key.append({"task_id": task_id, "task": kind, "model": model, "topic": int(topic), "passage_id": passage_id,
                    "option": oid, "text": text, "is_intruder": bool(intruder), "value": float(value)})
    return task, key


def word_intrusion(mt: ModelTopics, *, n_words: int = 5, n_pool: int = 10, rng: np.random.Generator) -> tuple[list, list]:
    """One word-intrusion task per topic (Chang et al. 2009).

    The topic's ``n_words`` most probable words plus one intruder: a word
    among another topic's ``n_pool`` most probable that lies in the lower
    half of this topic's ranking.  ``value`` in the key is the word's weight
    in the topic being validated.
    """
    tasks, key = [], []
    n_terms = len(mt.vocabulary)
    ranks = {t: _ranking(mt.term_weights[i]) for i, t in enumerate(mt.topic_ids)}
    for i, topic in enumerate(mt.topic_ids):
        own = ranks[topic]
        position = np.empty(n_terms, dtype=np.int64)
        position[own] = np.arange(n_terms)
        shown = list(own[:n_words])
        candidates = sorted({int(j) for t in mt.topic_ids if t != topic for j in ranks[t][:n_pool]
                             if position[j] >= n_terms // 2})
        if not candidates:
            logger.warning("%s topic %s: no word of another topic lies in its lower half; no word-intrusion task", mt.name, topic)
            continue
        intruder = int(rng.choice(candidates))
        options = [(display_term(mt.vocabulary[j]), False, mt.term_weights[i, j]) for j in shown]
        options.append((display_term(mt.vocabulary[intruder]), True, mt.term_weights[i, intruder]))
        t, k = _finish(f"wi-{mt.name}-{topic}", "word_intrusion", mt.name, topic, options, rng)
        tasks.append(t)
        key += k
    return tasks, key


def word_set_intrusion(mt: ModelTopics, *, set_size: int = 4, n_sets: int = 4, n_pool: int = 20,
                       rng: np.random.Generator) -> tuple[list, list]:
    """One word-set-intrusion task per topic (Ying, Montgomery & Stewart 2022).

    ``n_sets - 1`` disjoint sets of ``set_size`` words drawn from the topic's
    ``n_pool`` most probable words, and one set drawn from another topic's
    ``n_pool`` most probable words that are not among this topic's.
    ``value`` is the mean weight of the set's words in the topic.
    """
    tasks, key = [], []
    pool = {t: [int(j) for j in _ranking(mt.term_weights[i])[:n_pool]] for i, t in enumerate(mt.topic_ids)}
    if len(mt.topic_ids) < 2:
        return tasks, key
    for i, topic in enumerate(mt.topic_ids):
        own = pool[topic]
        if len(own) < set_size * (n_sets - 1):
            logger.warning("%s topic %s: too few words for %d word sets of %d", mt.name, topic, n_sets - 1, set_size)
            continue
        others = [t for t in mt.topic_ids if t != topic]
        other = others[int(rng.integers(len(others)))]
        foreign = [j for j in pool[other] if j not in set(own)]
        if len(foreign) < set_size:
            logger.warning("%s topic %s: topic %s shares too many words with it for a word-set task", mt.name, topic, other)
            continue
        drawn = rng.permutation(own)[: set_size * (n_sets - 1)]
        sets = [sorted(drawn[s * set_size:(s + 1) * set_size], key=own.index) for s in range(n_sets - 1)]
        intruder = sorted(rng.choice(foreign, size=set_size, replace=False).tolist(), key=pool[other].index)
        options = [(", ".join(display_term(mt.vocabulary[j]) for j in s), False, float(mt.term_weights[i, s].mean()))
                   for s in sets]
        options.append((", ".join(display_term(mt.vocabulary[j]) for j in intruder), True,
                        float(mt.term_weights[i, intruder].mean())))
        t, k = _finish(f"wsi-{mt.name}-{topic}", "word_set_intrusion", mt.name, topic, options, rng)
        tasks.append(t)
        key += k
    return tasks, key


def _topic_words(mt: ModelTopics, n_words: int) -> dict[int, str]:
    return {t: ", ".join(display_term(mt.vocabulary[j]) for j in _ranking(mt.term_weights[i])[:n_words])
            for i, t in enumerate(mt.topic_ids)}


def passage_intrusion(mt: ModelTopics, passages: pd.DataFrame, *, kind: str = "topic_intrusion", per_topic: int = 5,
                      n_top: int = 3, n_words: int = 8, rng: np.random.Generator) -> tuple[list, list]:
    """Topic intrusion (Chang et al. 2009) or label intrusion (Ying et al. 2022) on sampled passages.

    For each topic, up to ``per_topic`` passages whose largest share is that
    topic are drawn; each is shown with its ``n_top`` largest topics and one
    intruder drawn from its other topics, preferring those below the uniform
    share ``1/K`` (the smallest share when none is).  Topics are shown by
    their ``n_words`` top words (``topic_intrusion``) or by their labels
    (``label_intrusion``).  ``value`` in the key is the passage's share of
    the option's topic; ``topic`` is the passage's largest topic.
    """
    if kind not in ("topic_intrusion", "label_intrusion"):
        raise ValueError(f"kind={kind!r} is not allowed: topic_intrusion or label_intrusion")
    tasks, key = [], []
    k = len(mt.topic_ids)
    n_top = min(n_top, k - 1)
    if n_top < 1:
        return tasks, key
    shown = _topic_words(mt, n_words) if kind == "topic_intrusion" else dict(mt.labels)
    theta = mt.doc_topic
    order = np.argsort(-theta, axis=1, kind="stable")
    top = order[:, 0] if len(theta) else np.array([], dtype=np.int64)
    prefix = "ti" if kind == "topic_intrusion" else "li"
    for c, topic in enumerate(mt.topic_ids):
        rows = np.flatnonzero(top == c)
        if rows.size == 0:
            continue
        for r in np.sort(rng.choice(rows, size=min(per_topic, rows.size), replace=False)):
            ranked = order[r]
            chosen = list(ranked[:n_top])
            rest = list(ranked[n_top:])
            low = [j for j in rest if theta[r, j] < 1.0 / k] or [rest[-1]]
            intruder = int(low[int(rng.integers(len(low)))])
            options = [(shown[mt.topic_ids[j]], False, theta[r, j]) for j in chosen]
            options.append((shown[mt.topic_ids[intruder]], True, theta[r, intruder]))
            pid = str(passages["passage_id"].iat[r])
            t, kk = _finish(f"{prefix}-{mt.name}-{pid}", kind, mt.name, topic, options, rng, passage_id=pid,
                            passage=str(passages["text"].iat[r]))
            tasks.append(t)
            key += kk
    return tasks, key
