"""Synthetic corpora with planted effects, for validating the comparisons.

:func:`simulate_corpus` builds a ``Prepared``-like object and a fitted-model-
like object whose passage-topic matrix is drawn from known group-level topic
weights, plus tokens with planted group-specific words.  The truth is returned
beside them, so tests and ``benchmarks/coverage_simulation.py`` can check
that intervals cover it and that planted words come out on top.

Generative model, per group ``g`` with Dirichlet parameter ``alpha_g``:

* document shares ``theta_d ~ Dirichlet(alpha_g)``; hence the estimand, the
  expected mean document share of the group, is ``alpha_g / sum(alpha_g)``;
* passages ``theta_p ~ Dirichlet(concentration * theta_d)`` (mean ``theta_d``)
  with a token count drawn independently, so the token-weighted mean of a
  document's passages has expectation ``theta_d``;
* tokens: a topic from ``theta_p``, then a word from that topic's word list;
  with probability ``group_word_rate`` a word from the group's planted list,
  and with probability ``background_rate`` a word from a list shared by all
  topics (``bg{j}``, Zipf-like), which makes the topics harder to recover.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["SimulatedCorpus", "simulate_corpus"]


@dataclass
class SimulatedPrepared:
    """Duck-typed stand-in for :class:`discourse.Prepared`."""

    passages: pd.DataFrame
    tokens: list
    metadata: pd.DataFrame


@dataclass
class SimulatedModel:
    """Duck-typed stand-in for a fitted topic model."""

    name: str
    doc_topic_: np.ndarray
    topic_ids_: list
    labels_: dict
    vocabulary_: list = field(default_factory=list)
    topic_word_: np.ndarray | None = None

    def term_matrix(self):
        return list(self.topic_ids_), list(self.vocabulary_), np.asarray(self.topic_word_)


@dataclass(frozen=True)
class SimulatedCorpus:
    """A simulated corpus, a model of it, and the planted truth.

    Attributes
    ----------
    prepared : SimulatedPrepared
    model : SimulatedModel
    true_share : pandas.DataFrame
        Groups (index) x topics: the expected group share ``alpha_g / sum(alpha_g)``.
    doc_shares : pandas.DataFrame
        The documents' drawn ``theta_d`` (index ``doc_id``).
    topic_words, group_words : dict
    """

    prepared: SimulatedPrepared
    model: SimulatedModel
    true_share: pd.DataFrame
    doc_shares: pd.DataFrame
    topic_words: dict
    group_words: dict


def simulate_corpus(
    group_alphas: Mapping[Any, Sequence[float]],
    n_docs: int | Mapping[Any, int] = 30,
    *,
    columns: str | Sequence[str] = "group",
    passages_per_doc: tuple[int, int] = (1, 6),
    tokens_per_passage: tuple[int, int] = (20, 60),
    concentration: float = 20.0,
    words_per_topic: int = 25,
    group_words: Mapping[Any, Sequence[str]] | None = None,
    group_word_rate: float = 0.03,
    background_rate: float = 0.0,
    background_words: int = 50,
    make_tokens: bool = True,
    model_name: str = "lda",
    random_state: int = 0,
) -> SimulatedCorpus:
    """Simulate documents of several groups with planted topic weights and words.

    Parameters
    ----------
    group_alphas : mapping
        Group key -> Dirichlet parameter over topics (all of the same length).
        With several ``columns`` the key is a tuple of values, one per column.
    n_docs : int or mapping
        Documents per group.
    columns : str or sequence of str
        Metadata column name(s) the group keys are written to.
    passages_per_doc, tokens_per_passage : (int, int)
        Inclusive ranges drawn uniformly.
    concentration : float
        How closely passages follow their document's shares.
    words_per_topic : int
        Size of each topic's word list (words ``t{k}w{j}``, Zipf-like weights).
    group_words : mapping, optional
        Group key -> planted words, used with probability ``group_word_rate``.
    background_rate : float
        Probability that a token is a shared background word instead.
    background_words : int
        Size of the shared background list.
    make_tokens : bool
        If False, passages get token counts but empty token lists (fast).
    random_state : int

    Returns
    -------
    SimulatedCorpus
    """
    rng = np.random.default_rng(random_state)
    cols = [columns] if isinstance(columns, str) else list(columns)
    keys = list(group_alphas)
    n_topics = len(next(iter(group_alphas.values())))
    counts = n_docs if isinstance(n_docs, Mapping) else {k: int(n_docs) for k in keys}
    ranks = np.arange(1, words_per_topic + 1)
    zipf = (1.0 / ranks) / (1.0 / ranks).sum()
    topic_words = {k: [f"t{k}w{j}" for j in range(words_per_topic)] for k in range(n_topics)}
    group_words = {k: list(v) for k, v in (group_words or {}).items()}
    bg_ranks = np.arange(1, background_words + 1)
    bg_p = (1.0 / bg_ranks) / (1.0 / bg_ranks).sum()
    meta_rows, pass_rows, tokens, theta_rows, doc_theta = [], [], [], [], {}
    d = 0
    for key in keys:
        alpha = np.asarray(group_alphas[key], dtype=float)
        values = key if isinstance(key, tuple) else (key,)
        for _ in range(counts[key]):
            doc_id = f"doc{d:05d}"
            d += 1
            meta_rows.append((doc_id, *map(str, values)))
            theta_d = rng.dirichlet(alpha)
            doc_theta[doc_id] = theta_d
            n_p = int(rng.integers(passages_per_doc[0], passages_per_doc[1] + 1))
            for i in range(n_p):
                theta_p = rng.dirichlet(concentration * theta_d + 1e-3)
                theta_p = theta_p / theta_p.sum()
                n_tok = int(rng.integers(tokens_per_passage[0], tokens_per_passage[1] + 1))
                if make_tokens:
                    z = rng.choice(n_topics, size=n_tok, p=theta_p)
                    w = rng.choice(words_per_topic, size=n_tok, p=zipf)
                    toks = [topic_words[int(zz)][int(ww)] for zz, ww in zip(z, w)]
                    if background_rate > 0:
                        bg = np.flatnonzero(rng.random(n_tok) < background_rate)
                        for s_, j in zip(bg, rng.choice(background_words, size=len(bg), p=bg_p)):
                            toks[s_] = f"bg{j}"
                    planted = group_words.get(key)
                    if planted:
                        swap = np.flatnonzero(rng.random(n_tok) < group_word_rate)
                        for s in swap:
                            toks[s] = planted[int(rng.integers(len(planted)))]
                else:
                    toks = []
                pass_rows.append((doc_id, f"{doc_id}#{i:04d}", 0, 0, "", n_tok))
                tokens.append(toks)
                theta_rows.append(theta_p)
    metadata = pd.DataFrame(meta_rows, columns=["doc_id", *cols]).set_index("doc_id")
    passages = pd.DataFrame(pass_rows, columns=["doc_id", "passage_id", "start", "end", "text", "n_tokens"])
    vocab = [w for k in range(n_topics) for w in topic_words[k]]
    phi = np.zeros((n_topics, len(vocab)))
    for k in range(n_topics):
        phi[k, k * words_per_topic:(k + 1) * words_per_topic] = zipf
    model = SimulatedModel(
        name=model_name, doc_topic_=np.vstack(theta_rows), topic_ids_=list(range(n_topics)),
        labels_={k: f"topic {k}" for k in range(n_topics)}, vocabulary_=vocab, topic_word_=phi,
    )
    truth = pd.DataFrame(
        [np.asarray(group_alphas[k], float) / np.sum(group_alphas[k]) for k in keys],
        index=[" × ".join(map(str, k)) if isinstance(k, tuple) else str(k) for k in keys],
        columns=list(range(n_topics)),
    )
    shares = pd.DataFrame(np.vstack(list(doc_theta.values())), index=pd.Index(list(doc_theta), name="doc_id"))
    return SimulatedCorpus(
        prepared=SimulatedPrepared(passages=passages, tokens=tokens, metadata=metadata),
        model=model, true_share=truth, doc_shares=shares, topic_words=topic_words, group_words=group_words,
    )
