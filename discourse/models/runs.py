"""Runs, not a run: one topic model fitted over several seeds and aligned.

A topic model's solution depends on its seed.  :func:`fit_runs` fits the same
model with ``n_runs`` seeds (the model's own ``random_state`` first, then the
next integers), aligns every run's topics to the first run's (the reference)
by the Hungarian algorithm on the cosine of their term distributions (as R
stm's ``multiSTM`` aligns runs), and returns a :class:`ModelRuns`.  The
comparisons in :mod:`discourse.compare` accept it wherever they take a
fitted model and then combine the runs (Rubin's rules; see
:mod:`discourse.compare._combine`), so their intervals include the variation
between runs.

Topic stability (``ModelRuns.stability()``): per reference topic, the median
cosine similarity of its matched topics in the other runs and the share of
those runs in which it *recurs* (matched similarity at least
``RECUR_SIMILARITY``); a topic recurring in fewer than ``STABLE_SHARE`` of
the runs is flagged ``unstable``.

BERTopic's clustering can hinge on last-bit float noise (refitting on
embeddings ``x * (1 + 1e-6 z)`` moved 37% of the seeds' passages to another
topic; ``benchmarks/noise_sensitivity.py``).  For a model with an
``embedding_noise`` parameter, :func:`fit_runs` therefore also refits the
reference run on embeddings perturbed by ``noise`` (default ``1e-6``, not
counted among the runs) and ``stability()`` gives per topic ``noise_kept``,
the share of its passages that keep their topic (topics matched by the
Hungarian algorithm on the passage contingency table); a topic keeping fewer
than ``STABLE_SHARE`` of its passages is flagged ``unstable`` too.  For LDA
``noise_kept`` is NaN.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from ..errors import ParameterError, check_param

__all__ = ["ModelRuns", "fit_runs", "lda_posterior", "RECUR_SIMILARITY", "STABLE_SHARE", "STABILITY_COLUMNS",
           "POSTERIOR_DRAWS", "NOISE"]

logger = logging.getLogger(__name__)

#: A reference topic recurs in a run when its matched topic there has at least this cosine similarity.
RECUR_SIMILARITY = 0.5
#: A topic is stable when it recurs in at least this share of the other runs.
STABLE_SHARE = 0.8

#: Draws from each run's topic posterior that the comparisons combine (5 runs x 5 draws = 25
#: imputations, the number of simulations R stm's ``estimateEffect`` uses by default).
POSTERIOR_DRAWS = 5
#: Relative embedding noise of BERTopic's extra refit, for ``noise_kept``.
NOISE = 1e-6

STABILITY_COLUMNS = ["model", "topic", "label", "median_similarity", "recurrence", "unstable", "n_runs", "noise_kept"]


def _cosine(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    na = np.linalg.norm(A, axis=1)[:, None]
    nb = np.linalg.norm(B, axis=1)[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (A @ B.T) / (na * nb)
    return np.nan_to_num(out, nan=0.0)


def _term_similarity(reference: Any, other: Any) -> tuple[list, list, np.ndarray]:
    """Topic ids of both models and the cosine of their term distributions, shape (n_reference, n_other)."""
    ids_r, vocab_r, W_r = reference.term_matrix()
    ids_o, vocab_o, W_o = other.term_matrix()
    if vocab_r != vocab_o:
        col = {w: i for i, w in enumerate(vocab_o)}
        shared = [j for j, w in enumerate(vocab_r) if w in col]
        W_r = W_r[:, shared]
        W_o = W_o[:, [col[vocab_r[j]] for j in shared]]
    return list(ids_r), list(ids_o), _cosine(W_r, W_o)


def _match(ids_r: list, ids_o: list, sim: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.full(len(ids_r), -1, dtype=int)
    matched = np.zeros(len(ids_r))
    if -1 in ids_r and -1 in ids_o:
        i, j = ids_r.index(-1), ids_o.index(-1)
        order[i], matched[i] = j, sim[i, j]
    real_r = [i for i, t in enumerate(ids_r) if t != -1]
    real_o = [j for j, t in enumerate(ids_o) if t != -1]
    if real_r and real_o:
        rows, cols = linear_sum_assignment(-sim[np.ix_(real_r, real_o)])
        for r, c in zip(rows, cols):
            order[real_r[r]], matched[real_r[r]] = real_o[c], sim[real_r[r], real_o[c]]
    return order, matched


def align_to(reference: Any, other: Any) -> tuple[np.ndarray, np.ndarray]:
    """Column order of ``other``'s topics matching ``reference``'s, and the matched similarities.

    Both models must share their vocabulary (the same Prepared and
    vocabulary settings).  Returns ``order`` with ``other.doc_topic_[:, order]``
    aligned to the reference's topics, and the cosine similarity of each
    reference topic to its match.  When the runs have different numbers of
    topics (BERTopic), a reference topic left without a partner gets
    ``order = -1`` and similarity 0; an outlier topic ``-1`` is matched to the
    other run's ``-1`` and never to a real topic.
    """
    return _match(*_term_similarity(reference, other))


def aligned_doc_topic(reference: Any, other: Any) -> tuple[np.ndarray, np.ndarray]:
    """``other``'s passage-topic shares in the reference's columns, and the matched similarities.

    Matched topics take their partner's column.  A topic of ``other`` left
    unmatched (it has more topics than the reference, e.g. a reference topic
    split in two) is added to the reference topic it is most similar to when
    that similarity reaches ``RECUR_SIMILARITY``, so a split topic still
    counts towards its parent; otherwise its passages count for no reference
    topic.  A reference topic without a partner has zero shares in this run.
    """
    ids_r, ids_o, sim = _term_similarity(reference, other)
    order, matched = _match(ids_r, ids_o, sim)
    theta = np.asarray(other.doc_topic_, dtype=float)
    if len(order) == theta.shape[1] and (order >= 0).all():
        return theta[:, order], matched
    out = np.zeros((theta.shape[0], len(order)))
    has = order >= 0
    out[:, has] = theta[:, order[has]]
    real_r = np.array([t != -1 for t in ids_r])
    for j in sorted(set(range(theta.shape[1])) - set(order[has].tolist())):
        if ids_o[j] == -1 or not real_r.any():
            continue
        best = int(np.argmax(np.where(real_r, sim[:, j], -np.inf)))
        if sim[best, j] >= RECUR_SIMILARITY:
            out[:, best] += theta[:, j]
    return out, matched


@dataclass(frozen=True, eq=False)
class ModelRuns:
    """One topic model fitted over several seeds, runs aligned to the first.

    Attributes
    ----------
    models : list of fitted models
        ``models[0]`` is the reference run.
    seeds : list of int
    doc_topic : ndarray, shape (n_runs, n_passages, n_topics)
        Each run's passage-topic shares, columns in the reference's topic order.
    similarity : ndarray, shape (n_runs, n_topics)
        Cosine similarity of each reference topic to its match in each run
        (1 for the reference itself).
    noise_kept : ndarray, shape (n_topics,), optional
        Share of each reference topic's passages that keep their topic when
        the reference run is refitted on slightly perturbed embeddings.
    posterior : ndarray, shape (n_runs, n_passages, n_topics), or None
        Each run's variational Dirichlet parameters per passage (LDA), columns
        in the reference's topic order; ``None`` for models without one.
    n_draws : int
        Draws per run from ``Dirichlet(posterior)`` that the comparisons
        combine; 0 without a posterior.
    """

    models: list
    seeds: list
    doc_topic: np.ndarray
    similarity: np.ndarray
    params: dict = field(default_factory=dict)
    noise_kept: np.ndarray | None = None
    posterior: np.ndarray | None = None
    n_draws: int = 0

    # the duck-typed model interface the comparisons use
    @property
    def reference(self) -> Any:
        return self.models[0]

    @property
    def name(self) -> str:
        return str(getattr(self.reference, "name", "model"))

    @property
    def doc_topic_(self) -> np.ndarray:
        return self.reference.doc_topic_

    @property
    def runs_doc_topic_(self) -> np.ndarray:
        return self.doc_topic

    @property
    def runs_posterior_(self) -> np.ndarray | None:
        return self.posterior

    @property
    def topic_ids_(self) -> list:
        return list(self.reference.topic_ids_)

    @property
    def labels_(self) -> dict:
        return dict(getattr(self.reference, "labels_", {}) or {})

    @property
    def n_runs(self) -> int:
        return len(self.models)

    def term_matrix(self):
        return self.reference.term_matrix()

    def unstable_topics(self) -> list:
        """Reference topics flagged unstable."""
        t = self.stability()
        return t.loc[t["unstable"], "topic"].tolist()

    def stability(self) -> pd.DataFrame:
        """Per reference topic: median matched similarity, recurrence share, ``unstable``.

        Returns
        -------
        pandas.DataFrame
            Columns ``model, topic, label, median_similarity, recurrence,
            unstable, n_runs, noise_kept`` (``stability.csv``).  With one run,
            similarity and recurrence are NaN and only ``noise_kept`` can flag
            a topic.
        """
        others = self.similarity[1:]
        labels = self.labels_
        if len(others):
            med = np.median(others, axis=0)
            rec = (others >= RECUR_SIMILARITY).mean(axis=0)
            unstable = rec < STABLE_SHARE
        else:
            med = rec = np.full(len(self.topic_ids_), np.nan)
            unstable = np.zeros(len(self.topic_ids_), dtype=bool)
        kept = np.full(len(self.topic_ids_), np.nan) if self.noise_kept is None else np.asarray(self.noise_kept, float)
        unstable = unstable | (np.nan_to_num(kept, nan=1.0) < STABLE_SHARE)
        return pd.DataFrame({
            "model": self.name, "topic": self.topic_ids_, "label": [str(labels.get(t, "")) for t in self.topic_ids_],
            "median_similarity": med, "recurrence": rec, "unstable": unstable, "n_runs": self.n_runs,
            "noise_kept": kept,
        }, columns=STABILITY_COLUMNS)


def _kept_share(reference: Any, refit: Any) -> np.ndarray:
    """Per reference topic, the share of its passages that ``refit`` puts in the matching topic.

    Topics are matched by the Hungarian algorithm on the passage contingency
    table (each passage's largest share decides its topic).
    """
    from ..sensitivity import _matched

    ids_a, ids_b = np.asarray(reference.topic_ids_), np.asarray(refit.topic_ids_)
    a = ids_a[np.asarray(reference.doc_topic_).argmax(axis=1)]
    renamed, _ = _matched(a, ids_b[np.asarray(refit.doc_topic_).argmax(axis=1)])
    return np.array([float(np.mean(renamed[a == t] == t)) if np.any(a == t) else np.nan for t in ids_a])


def lda_posterior(model: Any, prepared: Any) -> np.ndarray | None:
    """Each passage's variational Dirichlet parameters under a fitted LDA, shape (n_passages, n_topics).

    ``gamma`` from gensim's ``LdaModel.inference`` (the E-step at the fitted
    topics), with gensim's random state reset to the model's seed first, as
    :func:`discourse.models.lda.infer_doc_topics` does, so its normalised rows
    are the model's ``doc_topic_``.  ``None`` for a model without a gensim
    ``LdaModel`` (no variational posterior).

    References
    ----------
    Blei, D. M., Ng, A. Y., & Jordan, M. I. (2003). Latent Dirichlet
    allocation. *Journal of Machine Learning Research*, 3, 993-1022.
    """
    from gensim.models import LdaModel

    from .lda import CHUNKSIZE

    lda = getattr(model, "model_", None)
    if not isinstance(lda, LdaModel) or not hasattr(model, "_bow_from"):
        return None
    bow = model._bow_from(prepared)
    lda.random_state = np.random.RandomState(int(model.seed_))
    out = np.empty((len(bow), lda.num_topics), dtype=np.float64)
    for start in range(0, len(bow), CHUNKSIZE):
        gamma, _ = lda.inference(bow[start:start + CHUNKSIZE])
        out[start:start + len(gamma)] = gamma
    return out


def fit_runs(
    model: Any,
    prepared: Any,
    *,
    n_runs: int = 5,
    fit: Callable[[Any], Any] | None = None,
    noise: float | None = NOISE,
    n_draws: int = POSTERIOR_DRAWS,
) -> ModelRuns:
    """Fit ``model`` with ``n_runs`` seeds and align the runs to the first.

    Parameters
    ----------
    model : LDA or BERTopicModel
        Unfitted or fitted; its parameters are copied.  Run ``i`` uses
        ``random_state + i``; runs after the first use the first run's number
        of topics (so ``k="auto"`` is chosen once).
    prepared : Prepared
    n_runs : int, default 5
    fit : callable, optional
        ``fit(model) -> fitted model``; default ``model.fit(prepared)``.
        :func:`discourse.analysis.fit_cached` makes reruns cheap.
    noise : float or None, default 1e-6
        For a model with an ``embedding_noise`` parameter (BERTopic), the
        reference run is also fitted with this embedding noise (through
        ``fit``, so it is cached too) and ``noise_kept`` recorded; ``None``
        or 0 skips it.
    n_draws : int, default POSTERIOR_DRAWS
        Draws per run from each passage's variational Dirichlet (LDA) that the
        comparisons combine with the runs; 0 leaves the posterior out (runs
        only).  Ignored for models without a posterior and for one run (a
        single model, compared as one).

    Returns
    -------
    ModelRuns

    Raises
    ------
    ParameterError
        If ``n_runs`` is not a positive integer or the model has no integer
        ``random_state``.

    References
    ----------
    Roberts, M. E., Stewart, B. M., & Tingley, D. (2016). Navigating the local
    modes of big data: the case of topic models. In *Computational Social
    Science*, Cambridge University Press (stm's ``selectModel``/``multiSTM``).

    Kuhn, H. W. (1955). The Hungarian method for the assignment problem.
    *Naval Research Logistics Quarterly*, 2(1-2), 83-97.

    Examples
    --------
    >>> import discourse
    >>> from discourse.models.runs import fit_runs
    >>> prepared = discourse.prepare(discourse.load_seeds())
    >>> runs = fit_runs(discourse.LDA(k=3, random_state=0), prepared, n_runs=2)
    >>> runs.doc_topic.shape[0], list(runs.stability().columns)[:5]
    (2, ['model', 'topic', 'label', 'median_similarity', 'recurrence'])
    """
    check_param("n_runs", n_runs, "an integer >= 1",
                isinstance(n_runs, (int, np.integer)) and not isinstance(n_runs, bool) and n_runs >= 1)
    check_param("n_draws", n_draws, "an integer >= 0",
                isinstance(n_draws, (int, np.integer)) and not isinstance(n_draws, bool) and n_draws >= 0)
    seed = model.get_params().get("random_state")
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise ParameterError(f"random_state={seed!r} is not allowed for several runs: give the model an integer seed")
    fit = fit or (lambda m: m.fit(prepared))
    first = fit(type(model)(**model.get_params()))
    models, seeds = [first], [int(seed)]
    k = getattr(first, "k_", None)
    for i in range(1, int(n_runs)):
        params = model.get_params() | {"random_state": int(seed) + i}
        if k is not None and "k" in params:
            params["k"] = int(k)
        models.append(fit(type(model)(**params)))
        seeds.append(int(seed) + i)
    mats = [np.asarray(first.doc_topic_, dtype=float)]
    sims = [np.ones(len(first.topic_ids_))]
    for m in models[1:]:
        mat, sim = aligned_doc_topic(first, m)
        mats.append(mat)
        sims.append(sim)
    kept = None
    if noise and "embedding_noise" in first.get_params():
        kept = _kept_share(first, fit(type(model)(**(first.get_params() | {"embedding_noise": float(noise)}))))
    # one run is a single model: its contrasts keep the permutation test (and p_min) it was calibrated with
    gammas = [lda_posterior(m, prepared) for m in models] if n_draws > 0 and len(models) > 1 else [None]
    posterior = None
    if all(g is not None for g in gammas):  # LDA: every run has the reference's number of topics
        orders = [np.arange(len(first.topic_ids_))] + [align_to(first, m)[0] for m in models[1:]]
        posterior = np.stack([g[:, o] for g, o in zip(gammas, orders)])
    runs = ModelRuns(models=models, seeds=seeds, doc_topic=np.stack(mats), similarity=np.vstack(sims),
                     params={"n_runs": int(n_runs), "seeds": seeds, "recur_similarity": RECUR_SIMILARITY,
                             "stable_share": STABLE_SHARE, "alignment": "Hungarian on cosine of term distributions",
                             "embedding_noise": float(noise) if kept is not None else None,
                             "n_draws": int(n_draws) if posterior is not None else 0,
                             "posterior": "variational Dirichlet per passage" if posterior is not None else None},
                     noise_kept=kept, posterior=posterior, n_draws=int(n_draws) if posterior is not None else 0)
    logger.info("%s: %d runs aligned; unstable topics: %s", runs.name, runs.n_runs, runs.unstable_topics())
    return runs
