"""Latent Dirichlet allocation on passages, with gensim's :class:`~gensim.models.LdaModel`.

:class:`LDA` wraps gensim's online variational Bayes LDA (Hoffman, Blei &
Bach 2010) behind the common topic-model interface of
:mod:`discourse.models`.  It uses ``LdaModel`` rather than ``LdaMulticore``:
on a two-core machine the multicore version is slower, and ``LdaModel``
with an integer seed is exactly reproducible.

References
----------
.. [1] Blei, D. M., Ng, A. Y., & Jordan, M. I. (2003). Latent Dirichlet
   allocation. *Journal of Machine Learning Research*, 3, 993-1022.
.. [2] Hoffman, M., Bach, F., & Blei, D. (2010). Online learning for latent
   Dirichlet allocation. *Advances in Neural Information Processing Systems* 23.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .._io import atomic_dir
from ..errors import InputError, ParameterError, check_param
from ..provenance import provenance
from ._base import (
    TopicModel,
    as_texts,
    check_prepared,
    check_random_state_seed,
    int_sequence,
    load_npy,
    passage_tokens,
    positive_int,
    progress_enabled,
    write_json,
    write_npy,
)
from ._gensim_lda import CHUNKSIZE, build_dictionary, check_priors, infer_doc_topics, train_lda
from ._lda_io import load_tokenizer, params_from_json, save_tokenizer
from .selection import KSelection, select_k

# The gensim steps live in _gensim_lda; select_k, tests and benchmarks reach them from here too.
__all__ = ["LDA", "set_fitted_state", "CHUNKSIZE", "build_dictionary", "train_lda", "infer_doc_topics"]

logger = logging.getLogger(__name__)


def set_fitted_state(lda: "LDA", *, model, dictionary, doc_topic: np.ndarray, seed: int, selection: Any, prepared: Any,
                     n_passages: int, corpus_hash: str | None = None) -> "LDA":
    """Set every fitted attribute of ``lda`` from a trained gensim model; returns ``lda``.

    The one place an LDA's fitted state is built, whether gensim trained in
    this process (:meth:`LDA.fit`) or on a Dask cluster
    (:func:`discourse.distributed.fit_lda_distributed`).

    Parameters
    ----------
    model : gensim.models.LdaModel
    dictionary : gensim.corpora.Dictionary
    doc_topic : ndarray, shape (n_passages, k)
    seed : int
    selection : KSelection or None
        The K sweep behind ``k="auto"``.
    prepared : Prepared or None
        Its ``tokenizer`` (kept for :meth:`LDA.transform` on raw texts) and
        ``corpus_hash``.
    n_passages : int
    corpus_hash : str, optional
        Instead of ``prepared.corpus_hash``.

    Raises
    ------
    ParameterError
        If ``lda.k`` is an integer other than the model's number of topics.
    """
    if lda.k != "auto" and not isinstance(lda.k, str) and int(lda.k) != int(model.num_topics):
        raise ParameterError(f"k={lda.k!r} but the fitted model has {model.num_topics} topics")
    lda.model_ = model
    lda.dictionary_ = dictionary
    lda.k_ = int(model.num_topics)
    lda.seed_ = int(seed)
    lda.selection_ = selection
    lda.tokenizer_ = getattr(prepared, "tokenizer", None)
    lda.doc_topic_ = doc_topic
    lda.topic_ids_ = list(range(lda.k_))
    lda.labels_ = lda._make_labels()
    lda.provenance_ = provenance(
        params=lda._result_params() | {"k": lda.k_, "k_requested": lda.k},
        random_state=lda.seed_,
        corpus_hash=corpus_hash if corpus_hash is not None else getattr(prepared, "corpus_hash", None),
        extra={
            "model": lda.name,
            "n_passages": int(n_passages),
            "n_terms": len(dictionary),
            "chunksize": CHUNKSIZE,
            "alpha_learned": [float(a) for a in np.asarray(model.alpha).ravel()],
            "selection_rule": selection.rule if selection is not None else None,
        },
    )
    return lda


class LDA(TopicModel):
    """Latent Dirichlet allocation (gensim ``LdaModel``) on passages.

    Parameters
    ----------
    k : int or "auto", default 10
        Number of topics.  ``"auto"`` chooses it with :func:`select_k` over
        ``k_range`` and ``seeds`` (kept in ``selection_``).
    k_range : sequence of int, default 2..10
        The numbers of topics tried when ``k="auto"``.
    seeds : sequence of int, default (0, 1, 2)
        Seeds fitted per K when ``k="auto"`` (for stability across seeds).
    passes : int, default 10
        Passes over the corpus (gensim ``passes``).
    iterations : int, default 100
        Maximum E-step iterations per passage (gensim ``iterations``).
    alpha : {"auto", "symmetric", "asymmetric"} or float, default "auto"
        Document-topic prior; ``"auto"`` learns an asymmetric prior.
    eta : {None, "symmetric", "auto"} or float, default None
        Topic-term prior (``None`` = symmetric ``1/k``).
    no_below : int, default 2
        Drop terms in fewer passages than this (lowered to 1 on tiny corpora).
    no_above : float, default 0.5
        Drop terms in more than this fraction of passages.
    random_state : int, numpy generator or None, default 0
        The one seed, passed to gensim for training and for inference.
    progress : bool or None, default None
        Progress bars over the passes and the K sweep (``None``: only on a
        terminal).

    Attributes
    ----------
    doc_topic_ : ndarray, shape (n_passages, k)
        Topic shares of each passage (rows sum to 1), rows aligned with
        ``prepared.passages``.
    topic_ids_ : list of int
        ``[0, ..., k-1]``.
    labels_ : dict of int -> str
        The three best terms of each topic by FREX (frequent and exclusive;
        see :meth:`topic_terms`).
    model_ : gensim.models.LdaModel
    dictionary_ : gensim.corpora.Dictionary
    selection_ : KSelection or None
        The K sweep when ``k="auto"``.
    tokenizer_ : object or None
        ``prepared.tokenizer`` when the Prepared has one (used by
        :meth:`transform` on raw texts).
    provenance_ : dict

    Examples
    --------
    >>> import discourse
    >>> prepared = discourse.prepare(discourse.load_seeds())
    >>> lda = LDA(k=4, random_state=0).fit(prepared)
    >>> lda.doc_topic_.shape == (len(prepared.passages), 4)
    True
    >>> bool(np.allclose(lda.doc_topic_.sum(axis=1), 1))
    True
    >>> list(lda.topic_terms(5).columns)
    ['model', 'topic', 'rank', 'term', 'weight', 'ranking', 'score']
    """

    name = "lda"

    def __init__(
        self,
        *,
        k: int | str = 10,
        k_range: Sequence[int] = tuple(range(2, 11)),
        seeds: Sequence[int] = (0, 1, 2),
        passes: int = 10,
        iterations: int = 100,
        alpha: str | float = "auto",
        eta: str | float | None = None,
        no_below: int = 2,
        no_above: float = 0.5,
        random_state: Any = 0,
        progress: bool | None = None,
    ) -> None:
        self.k = k
        self.k_range = k_range
        self.seeds = seeds
        self.passes = passes
        self.iterations = iterations
        self.alpha = alpha
        self.eta = eta
        self.no_below = no_below
        self.no_above = no_above
        self.random_state = random_state
        self.progress = progress

    # --- parameters --------------------------------------------------------------
    def check_params(self) -> dict[str, Any]:
        """Check every parameter as :meth:`fit` does, before any work starts.

        Returns
        -------
        dict
            The checked values: ``k`` (int or ``"auto"``), ``k_range`` and
            ``seeds`` (lists, ``None`` unless ``k="auto"``), ``passes``,
            ``iterations``, ``no_below``, ``alpha``, ``eta``, ``no_above``
            and ``seed`` (the integer seed ``random_state`` gives).

        Raises
        ------
        ParameterError
            Naming the first parameter out of range.
        """
        k = self.k
        if k != "auto":
            check_param("k", k, '"auto" or an integer >= 2', not isinstance(k, str))
            k = positive_int("k", k, minimum=2)
        out = {
            "k": k,
            "k_range": int_sequence("k_range", self.k_range, minimum=2) if k == "auto" else None,
            "seeds": int_sequence("seeds", self.seeds, minimum=0) if k == "auto" else None,
            "passes": positive_int("passes", self.passes),
            "iterations": positive_int("iterations", self.iterations),
            "no_below": positive_int("no_below", self.no_below),
        }
        no_above = check_priors(self.alpha, self.eta, self.no_above)
        out.update(alpha=self.alpha, eta=self.eta, no_above=no_above)
        out["seed"] = check_random_state_seed(self.random_state)
        return out

    # --- fitting -------------------------------------------------------------------
    def fit(self, prepared: Any, y: Any = None) -> "LDA":
        """Fit LDA on the passages of ``prepared``.

        Parameters
        ----------
        prepared : discourse.Prepared
            From :func:`discourse.prepare`; its ``tokens`` are the model input.
        y : ignored

        Returns
        -------
        self

        Raises
        ------
        ParameterError
            For a parameter out of range (named in the message).
        CorpusTooSmallError
            If fewer than 2 passages have any vocabulary term.
        """
        p = self.check_params()
        passages = check_prepared(prepared)
        tokens = passage_tokens(prepared)
        dictionary, bow = build_dictionary(tokens, no_below=p["no_below"], no_above=p["no_above"])
        k = p["k"]
        self.selection_ = None
        if k == "auto":
            self.selection_ = select_k(
                prepared, k_range=p["k_range"], seeds=p["seeds"], passes=p["passes"], iterations=p["iterations"],
                alpha=p["alpha"], eta=p["eta"], no_below=p["no_below"], no_above=p["no_above"],
                progress=self.progress, _dictionary=(dictionary, bow),
            )
            k = self.selection_.best_k
        logger.info("fitting LDA with k=%d on %d passages (%d terms)", k, len(bow), len(dictionary))
        model = train_lda(bow, dictionary, k=k, seed=p["seed"], passes=p["passes"], iterations=p["iterations"],
                          alpha=p["alpha"], eta=p["eta"], progress=progress_enabled(self.progress))
        return set_fitted_state(self, model=model, dictionary=dictionary, doc_topic=infer_doc_topics(model, bow, p["seed"]),
                                seed=p["seed"], selection=self.selection_, prepared=prepared, n_passages=len(passages))

    # --- shared interface ----------------------------------------------------------
    def _term_weights(self):
        self._check_fitted()
        vocab = [self.dictionary_[i] for i in range(len(self.dictionary_))]
        return list(self.topic_ids_), vocab, self.model_.get_topics()

    def _bow_from(self, data: Any) -> list:
        if hasattr(data, "passages"):
            check_prepared(data)
            tokens = passage_tokens(data)
        else:
            items = list(data) if not isinstance(data, str) else as_texts(data)
            if all(isinstance(t, (list, tuple)) for t in items):
                tokens = items
            else:
                texts = as_texts(items)
                if self.tokenizer_ is None or not hasattr(self.tokenizer_, "tokenize"):
                    raise InputError(
                        "this LDA has no tokenizer to apply to raw texts (its Prepared had none); pass "
                        "discourse.prepare(corpus) or lists of tokens to transform"
                    )
                tokens = [self.tokenizer_.tokenize(t) for t in texts]
        return [self.dictionary_.doc2bow(list(t)) for t in tokens]

    def transform(self, data: Any) -> np.ndarray:
        """Topic shares of new passages under the fitted model.

        Parameters
        ----------
        data : discourse.Prepared, list of str, or list of list of str
            A prepared corpus, raw texts (tokenised with the tokenizer of the
            Prepared the model was fitted on), or token lists.

        Returns
        -------
        ndarray, shape (n, k)
            Rows sum to 1.  A pure function of ``data``: the same input always
            gives the same bytes, before and after :meth:`save`/:meth:`load`.
            ``transform(prepared)`` on the training corpus equals ``doc_topic_``.
        """
        self._check_fitted()
        return infer_doc_topics(self.model_, self._bow_from(data), self.seed_)

    # --- persistence -----------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Save the fitted model to the folder ``path`` (replaced atomically).

        The folder holds ``model.json`` (parameters, labels, provenance),
        ``dictionary.json`` and ``.npy`` arrays (the variational sufficient
        statistics, priors and ``doc_topic_``) and, when the Prepared carried
        a tokenizer, ``tokenizer.json`` (its learnt state).  Nothing in it is
        a pickle, except ``tokenizer.pkl`` for a custom tokenizer without a
        ``state()`` method: only load such folders if you trust them.

        Returns
        -------
        pathlib.Path
        """
        self._check_fitted()
        path = Path(path)
        m = self.model_
        with atomic_dir(path) as tmp:
            header = self._header()
            header["lda"] = {
                "k": self.k_,
                "seed": self.seed_,
                "iterations": int(m.iterations),
                "gamma_threshold": float(m.gamma_threshold),
                "dtype": np.dtype(m.dtype).name,
            }
            if self.selection_ is not None:
                header["selection"] = {"best_k": self.selection_.best_k, "rule": self.selection_.rule}
                self.selection_.scores.to_csv(tmp / "selection_scores.csv", index=False)
                self.selection_.summary.to_csv(tmp / "selection_summary.csv", index=False)
                self.selection_.heldout.to_csv(tmp / "selection_heldout.csv", index=False)
            d = self.dictionary_
            vocab = [d[i] for i in range(len(d))]
            write_json(tmp / "dictionary.json", {
                "vocabulary": vocab,
                "dfs": [int(d.dfs.get(i, 0)) for i in range(len(d))],
                "num_docs": int(d.num_docs), "num_pos": int(d.num_pos), "num_nnz": int(d.num_nnz),
            })
            write_npy(tmp / "sstats.npy", m.state.sstats)
            write_npy(tmp / "eta.npy", np.asarray(m.eta))
            write_npy(tmp / "alpha.npy", np.asarray(m.alpha))
            write_npy(tmp / "doc_topic.npy", self.doc_topic_)
            if self.tokenizer_ is not None:
                save_tokenizer(self.tokenizer_, tmp, header)
            write_json(tmp / "model.json", header)
        return path

    @classmethod
    def load(cls, path: str | Path) -> "LDA":
        """Load a model saved with :meth:`save`.

        The reloaded model gives exactly the same ``doc_topic_``, topic tables
        and :meth:`transform` results as the model that was saved.

        Raises
        ------
        InputError
            If ``path`` is not a saved LDA, or a file is missing or damaged.
        """
        from gensim.corpora import Dictionary
        from gensim.models import LdaModel

        path = Path(path)
        header = cls._read_header(path)
        model = cls(**params_from_json(header["params"]))
        try:
            dj = json.loads((path / "dictionary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read {str(path / 'dictionary.json')!r}: {exc}; save the model again") from None
        d = Dictionary()
        d.token2id = {w: i for i, w in enumerate(dj["vocabulary"])}
        d.dfs = {i: df for i, df in enumerate(dj["dfs"])}
        d.num_docs, d.num_pos, d.num_nnz = dj["num_docs"], dj["num_pos"], dj["num_nnz"]
        info = header["lda"]
        sstats, eta, alpha = (load_npy(path / f"{n}.npy") for n in ("sstats", "eta", "alpha"))
        if sstats.shape != (info["k"], len(d)):
            raise InputError(f"{str(path / 'sstats.npy')!r} has shape {sstats.shape}, expected {(info['k'], len(d))}")
        lda = LdaModel(num_topics=info["k"], id2word=d, alpha=alpha, eta=eta, iterations=info["iterations"],
                       gamma_threshold=info["gamma_threshold"], random_state=info["seed"],
                       dtype=np.dtype(info["dtype"]).type, chunksize=CHUNKSIZE)
        lda.state.sstats[...] = sstats
        lda.sync_state()
        model.model_ = lda
        model.dictionary_ = d
        model.k_ = int(info["k"])
        model.seed_ = int(info["seed"])
        model.doc_topic_ = load_npy(path / "doc_topic.npy")
        model._restore_common(header)
        model.selection_ = None
        if "selection" in header:
            model.selection_ = KSelection(
                scores=pd.read_csv(path / "selection_scores.csv"),
                summary=pd.read_csv(path / "selection_summary.csv"),
                heldout=pd.read_csv(path / "selection_heldout.csv"),
                best_k=int(header["selection"]["best_k"]), rule=header["selection"]["rule"])
        model.tokenizer_ = load_tokenizer(path, header)
        return model
