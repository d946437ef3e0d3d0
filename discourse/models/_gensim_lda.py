"""The gensim steps of LDA: vocabulary, training, inference (the only module that calls gensim's LdaModel).

Used by :class:`discourse.models.LDA`, :func:`discourse.models.select_k` (which
fits many models over a grid of K, so both train and infer exactly alike) and
the Dask backend (:mod:`discourse.distributed._lda`), which builds the same
model with :func:`lda_model` and replays its training with the E-step on
the workers.

References
----------
.. [1] Hoffman, M., Bach, F., & Blei, D. (2010). Online learning for latent
   Dirichlet allocation. *Advances in Neural Information Processing Systems* 23.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..errors import CorpusTooSmallError, check_param
from ._base import normalise_rows

__all__ = ["CHUNKSIZE", "build_dictionary", "check_priors", "filter_dictionary", "check_nonempty", "lda_model", "train_lda",
           "infer_doc_topics"]

#: gensim's default chunk size; fixed so that results never depend on it silently.
CHUNKSIZE = 2000
_ALPHAS = ("auto", "symmetric", "asymmetric")
_ETAS = (None, "auto", "symmetric")


def build_dictionary(tokens: Sequence[Sequence[str]], *, no_below: int, no_above: float):
    """A gensim Dictionary of ``tokens`` without rare and too-common terms.

    Terms in fewer than ``no_below`` passages or in more than ``no_above``
    (a fraction) of them are dropped; ``no_below`` is lowered to 1 when the
    corpus has fewer passages than ``no_below`` * 2, so that tiny corpora keep
    a vocabulary.

    Returns
    -------
    (gensim.corpora.Dictionary, list of bag-of-words)

    Raises
    ------
    CorpusTooSmallError
        If no term survives, or fewer than 2 passages have any term.
    """
    from gensim.corpora import Dictionary

    dictionary = filter_dictionary(Dictionary(tokens), no_below=no_below, no_above=no_above)
    bow = [dictionary.doc2bow(t) for t in tokens]
    check_nonempty(sum(1 for b in bow if b), len(tokens))
    return dictionary, bow


def filter_dictionary(dictionary, *, no_below: int, no_above: float):
    """Drop rare and too-common terms from a gensim Dictionary of ``dictionary.num_docs`` passages (in place).

    ``no_below`` is lowered to 1 when there are fewer than ``2 * no_below``
    passages.

    Raises
    ------
    CorpusTooSmallError
        If no term survives.
    """
    n = dictionary.num_docs
    below = no_below if n >= 2 * no_below else 1
    dictionary.filter_extremes(no_below=below, no_above=no_above, keep_n=None)
    if len(dictionary) == 0:
        raise CorpusTooSmallError(
            f"no term is left after dropping terms in fewer than {below} or more than {no_above:.0%} of the "
            f"{n} passages; use a larger corpus or relax no_below/no_above"
        )
    return dictionary


def check_nonempty(nonempty: int, n: int) -> None:
    """Raise :class:`CorpusTooSmallError` unless at least 2 of the ``n`` passages have a vocabulary term."""
    if nonempty < 2:
        raise CorpusTooSmallError(
            f"LDA needs at least 2 passages with vocabulary terms; this corpus has {nonempty} of {n} passages "
            "with any term left after filtering"
        )


def _pass_counter(bar):
    """A gensim metric callback that only advances a progress bar at the end of each pass."""
    from gensim.models.callbacks import Metric

    class PassCounter(Metric):
        logger = None
        viz_env = None
        title = "passes"

        def __str__(self) -> str:
            return "passes"

        def get_value(self, **kwargs) -> float:
            bar.update(1)
            return 0.0

    return PassCounter()


def lda_model(bow, dictionary, *, k: int, seed: int, passes: int, iterations: int, alpha: Any, eta: Any, callbacks=None):
    """gensim's ``LdaModel`` as discourse configures it, trained on ``bow`` (``None``: built, not trained).

    The Dask backend builds it with ``bow=None`` and replays gensim's training
    loop with the E-step on the workers.
    """
    from gensim.models import LdaModel

    return LdaModel(corpus=bow, id2word=dictionary, num_topics=int(k), chunksize=CHUNKSIZE, passes=passes,
                    iterations=iterations, alpha=alpha, eta=eta, eval_every=None, random_state=seed, callbacks=callbacks)


def train_lda(bow, dictionary, *, k: int, seed: int, passes: int, iterations: int, alpha: Any, eta: Any,
              progress: bool = False):
    """Train one gensim ``LdaModel`` (the only place discourse calls it).

    With ``progress``, a tqdm bar advances after each pass (through gensim's
    callback hook, which reads nothing the training uses).
    """
    from tqdm.auto import tqdm

    bar = tqdm(total=passes, desc=f"LDA k={k}", unit="pass") if progress else None
    try:
        model = lda_model(bow, dictionary, k=k, seed=seed, passes=passes, iterations=iterations, alpha=alpha, eta=eta,
                          callbacks=[_pass_counter(bar)] if bar is not None else None)
    finally:
        if bar is not None:
            bar.close()
    if bar is not None:  # the model saved and compared is the one trained without the bar
        model.callbacks = None
        model.metrics.pop("passes", None)
    return model


def infer_doc_topics(model, bow, seed: int) -> np.ndarray:
    """Passage-topic shares under a fitted ``LdaModel``, as a pure function of its input.

    gensim initialises each document's variational parameters from the
    model's random state; it is reset to ``seed`` first, so the same input
    always gives the same rows (gensim otherwise advances its state on each
    call).  Rows are the normalised variational Dirichlet parameters, which is
    what ``LdaModel.get_document_topics(minimum_probability=0)`` returns; an
    empty passage gets the normalised prior ``alpha``.
    """
    model.random_state = np.random.RandomState(seed)
    k = model.num_topics
    out = np.empty((len(bow), k), dtype=np.float64)
    for start in range(0, len(bow), CHUNKSIZE):
        gamma, _ = model.inference(bow[start:start + CHUNKSIZE])
        out[start:start + len(gamma)] = gamma
    return normalise_rows(out) if len(bow) else out


def check_priors(alpha: Any, eta: Any, no_above: Any) -> float:
    """Check LDA's ``alpha``, ``eta`` and ``no_above``; return ``no_above`` as a float.

    Raises
    ------
    ParameterError
        Naming the parameter, its value and what is allowed.
    """
    check_param("alpha", alpha, f"one of {_ALPHAS} or a positive float",
                alpha in _ALPHAS if isinstance(alpha, str) else isinstance(alpha, (int, float)) and not isinstance(alpha, bool) and alpha > 0)
    check_param("eta", eta, f"one of {_ETAS} or a positive float",
                eta in _ETAS if (eta is None or isinstance(eta, str)) else isinstance(eta, (int, float)) and not isinstance(eta, bool) and eta > 0)
    check_param("no_above", no_above, "a float in (0, 1]",
                isinstance(no_above, (int, float)) and not isinstance(no_above, bool) and 0 < no_above <= 1)
    return float(no_above)
