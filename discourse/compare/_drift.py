"""Drift within a topic: keyness between periods on one topic's passages only."""

from __future__ import annotations

import logging
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from ..errors import ParameterError, check_param
from ._groups import as_groupings, label_map
from ._keyness import DEFAULT_PRIOR_SCALE, KEYNESS_COLUMNS, _check_keyness_params, keyness_from_counts, term_counts
from ._results import KeynessResult
from ._stats import check_model, check_prepared, model_name, normalize_seed

__all__ = ["topic_drift", "drift_by_topic"]

logger = logging.getLogger(__name__)


def topic_drift(
    prepared: Any,
    model: Any,
    topic: int,
    by: str = "period",
    *,
    pairs: Sequence[tuple[str, str]] | None = None,
    against_rest: bool | None = None,
    min_count: float = 3,
    assignment: str = "argmax",
    prior: str = "corpus",
    prior_scale: float = DEFAULT_PRIOR_SCALE,
    n_permutations: int = 2000,
    random_state: Any = 0,
    test: str = "auto",
) -> KeynessResult:
    """How one topic is worded differently across groups (usually periods).

    Keyness (:func:`keyness`: informative-Dirichlet log-odds z, document
    permutation p-values, BH, dispersion) computed
    only on the passages of one topic, so the words that distinguish, say, 2015
    from 2024 *within* the security-cooperation topic are shown apart from the
    shift in what is talked about.

    Which passages belong to the topic (``assignment``):

    * ``"argmax"`` (default): passages whose most probable topic is ``topic``;
      counts stay whole numbers and every passage counts in one topic only;
    * ``"share"``: every passage, its token counts multiplied by its share of
      ``topic`` (``doc_topic_[:, topic]``); uses all text but gives fractional
      counts (G² is then approximate).

    The prior is the term counts of the selected (or weighted) passages, i.e.
    the topic's own vocabulary.

    Parameters
    ----------
    prepared : Prepared
    model : fitted topic model
    topic : int
        A topic id in ``model.topic_ids_``.
    by : str, default "period"
        Metadata column(s) or crossings to compare within the topic.
    pairs, against_rest, min_count, prior, prior_scale, n_permutations, random_state, test
        As in :func:`keyness` (``min_count`` defaults to 3 here: one topic's
        passages are fewer).  With ``"share"`` documents are permuted with
        their weighted counts.
    assignment : {"argmax", "share"}, default "argmax"

    Returns
    -------
    KeynessResult
        Columns of :func:`keyness`; the model, topic and assignment are in
        ``.params`` (add them as columns when stacking several topics), the
        number of passages used in ``.counts["n_passages_in_topic"]``.

    Raises
    ------
    ParameterError
        Unknown topic, column or parameter.

    References
    ----------
    Monroe, B. L., Colaresi, M. P., & Quinn, K. M. (2008). Fightin' words.
    *Political Analysis*, 16(4), 372-403.

    Examples
    --------
    >>> import discourse
    >>> prepared = discourse.prepare(discourse.load_seeds())
    >>> lda = discourse.LDA(k=3, random_state=0).fit(prepared)
    >>> res = discourse.topic_drift(prepared, lda, 0, by="period", pairs=[("2015", "2024")])
    >>> res.params["topic"], res.counts["n_passages_in_topic"] <= len(prepared.passages)
    (0, True)
    >>> top = res.top(5, group="2015", reference="2024")  # 2015's wording of topic 0
    """
    return drift_by_topic(prepared, model, [topic], by, pairs=pairs, against_rest=against_rest, min_count=min_count,
                          assignment=assignment, prior=prior, prior_scale=prior_scale, n_permutations=n_permutations,
                          random_state=random_state, test=test)[topic]


def drift_by_topic(
    prepared: Any,
    model: Any,
    topics: Sequence[int] | None = None,
    by: str = "period",
    *,
    pairs: Sequence[tuple[str, str]] | None = None,
    against_rest: bool | None = None,
    min_count: float = 3,
    assignment: str = "argmax",
    prior: str = "corpus",
    prior_scale: float = DEFAULT_PRIOR_SCALE,
    n_permutations: int = 2000,
    random_state: Any = 0,
    test: str = "auto",
) -> dict[int, KeynessResult]:
    """:func:`topic_drift` of several topics (default: every topic but BERTopic's outliers, ``-1``).

    The same tables as one :func:`topic_drift` call per topic, with the
    corpus's term counts and the documents' group labels built once for all
    topics instead of once per topic.  Parameters as in :func:`topic_drift`.

    Returns
    -------
    dict of int to KeynessResult
        In the order of ``topics``.
    """
    check_prepared(prepared, need_tokens=True)
    groupings = as_groupings(by)
    _check_keyness_params(min_count, prior, prior_scale, n_permutations, test)
    check_param("against_rest", against_rest, "True, False or None", against_rest in (None, True, False))
    seed = normalize_seed(random_state)
    check_param("assignment", assignment, "'argmax' or 'share'", assignment in ("argmax", "share"))
    theta = check_model(model, len(prepared.passages))
    all_topics = list(model.topic_ids_)
    wanted = [t for t in all_topics if t != -1] if topics is None else list(topics)
    for topic in wanted:
        if topic not in all_topics:
            raise ParameterError(f"topic={topic!r} is not a topic of the {model_name(model)} model; topics: {all_topics}")
    counts, vocab = term_counts(prepared.tokens)
    maps = {g: label_map(prepared.metadata, g) for g in groupings}
    return {topic: _one_topic(prepared, model, theta, all_topics.index(topic), topic, counts, vocab, maps,
                              groupings, pairs, against_rest, min_count, assignment, prior, prior_scale,
                              n_permutations, seed, test)
            for topic in wanted}


def _one_topic(prepared, model, theta, col, topic, counts, vocab, maps, groupings, pairs, against_rest,
               min_count, assignment, prior, prior_scale, n_permutations, seed, test) -> KeynessResult:
    if assignment == "argmax":
        selected = theta.argmax(axis=1) == col
        weights = selected.astype(float)
    else:
        weights = theta[:, col]
        selected = weights > 0
    weighted = sparse.csr_matrix(sparse.diags(weights) @ counts)[selected]
    passage_docs = prepared.passages["doc_id"].astype(str).to_numpy()[selected]
    # drop terms that do not occur in the topic's passages
    present = np.asarray(weighted.sum(axis=0)).ravel() > 0
    weighted, vocab = weighted[:, present], vocab[present]
    if weighted.shape[0] == 0:
        logger.warning("topic_drift: no passage is assigned to topic %r", topic)
    if pairs:
        # a group with no passage in this topic has no wording of it to compare
        present_groups = set()
        for g in groupings:
            present_groups |= {v for v in map(maps[g].get, np.unique(passage_docs)) if v is not None}
        kept = [p for p in pairs if str(p[0]) in present_groups and str(p[1]) in present_groups]
        if len(kept) < len(pairs):
            logger.info("topic_drift: topic %r has no passage in a group of %s; those pairs are left out",
                        topic, [tuple(p) for p in pairs if p not in kept])
        pairs = kept
    frames, counts_out = keyness_from_counts(
        weighted, vocab, passage_docs, prepared.metadata, groupings,
        pairs=pairs, against_rest=against_rest, min_count=min_count, prior=prior, prior_scale=float(prior_scale),
        n_permutations=int(n_permutations), seed=seed, test=test, label_maps=maps,
    )
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=KEYNESS_COLUMNS)
    counts_out["n_passages_in_topic"] = int(selected.sum())
    params = {"model": model_name(model), "topic": topic, "by": groupings,
              "pairs": [tuple(p) for p in (pairs or [])], "min_count": min_count, "assignment": assignment,
              "prior": prior, "prior_scale": float(prior_scale), "n_permutations": int(n_permutations),
              "random_state": seed, "test": test}
    return KeynessResult(table=table, params=params, counts=counts_out)
