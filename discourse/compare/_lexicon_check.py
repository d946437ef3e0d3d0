"""Checking a frame lexicon against hand-coded sentences: precision and recall per frame.

A lexicon codes a text ``cooperation`` when it holds more cooperation than
confrontation terms, ``confrontation`` for the reverse, and ``neither`` on a
tie (including no term at all).  Set beside a human coding of the same texts,
precision says how often the lexicon's ``cooperation`` is the coder's, recall
how much of the coder's ``cooperation`` the lexicon finds.
"""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from ..errors import InputError, ParameterError
from ._frames import FRAMES, KINDS, _lexicon_map, load_frame_lexicon
from ._keyness import term_counts

__all__ = ["lexicon_codes", "lexicon_agreement", "load_validation_sample", "CODES"]

#: The codes of a sentence: a frame, or neither.
CODES = FRAMES + ("neither",)


def lexicon_codes(
    tokens: Sequence[Sequence[str]], lexicon: Any = None, *, kinds: Sequence[str] = ("stance",), phrase_parts: bool = True
) -> np.ndarray:
    """The lexicon's code of each text: the frame with more terms, or ``"neither"``.

    Parameters
    ----------
    tokens : list of list of str
        Tokens of each text (from the tokenizer the lexicon is written for).
    lexicon : see :func:`load_frame_lexicon`
    kinds : sequence of {"stance", "topic"}, default ("stance",)
        Which lexicon terms count (``("stance", "topic")``: every term).
    phrase_parts : bool, default True
        As in :func:`frame_balance`.

    Returns
    -------
    ndarray of str, shape (n_texts,)

    Examples
    --------
    >>> lexicon_codes([["mutual", "trust"], ["accusation"], ["terrorism"], []]).tolist()
    ['cooperation', 'confrontation', 'neither', 'neither']
    >>> lexicon_codes([["terrorism"]], kinds=("stance", "topic")).tolist()
    ['confrontation']
    """
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise ParameterError(f"kinds={list(kinds)!r} is not allowed: expected a non-empty list of stance, topic")
    lex = load_frame_lexicon(lexicon)
    counts, vocab = term_counts([list(t) for t in tokens])
    hits = sparse.csr_matrix(counts @ _lexicon_map(vocab, lex, phrase_parts))
    use = lex["kind"].isin(list(kinds)).to_numpy()
    per = [np.asarray(hits[:, np.flatnonzero(use & (lex["frame"].to_numpy() == f))].sum(axis=1)).ravel() for f in FRAMES]
    coop, conf = per
    return np.where(coop > conf, FRAMES[0], np.where(conf > coop, FRAMES[1], "neither")).astype(object)


def lexicon_agreement(gold: Sequence[str], predicted: Sequence[str]) -> pd.DataFrame:
    """Precision, recall and F1 of the lexicon's codes against hand codes, per frame.

    Uses :func:`sklearn.metrics.precision_recall_fscore_support`.

    Parameters
    ----------
    gold, predicted : sequence of {"cooperation", "confrontation", "neither"}

    Returns
    -------
    pandas.DataFrame
        ``frame, precision, recall, f1, n_coded, n_predicted, n_agree``: one
        row per frame; precision is NaN when the lexicon never codes it.

    Examples
    --------
    >>> t = lexicon_agreement(["cooperation", "neither", "confrontation", "cooperation"],
    ...                       ["cooperation", "cooperation", "neither", "neither"])
    >>> t[["frame", "precision", "recall"]].values.tolist()
    [['cooperation', 0.5, 0.5], ['confrontation', nan, 0.0]]
    """
    from sklearn.metrics import precision_recall_fscore_support

    gold = np.asarray(gold, dtype=object)
    predicted = np.asarray(predicted, dtype=object)
    if gold.shape != predicted.shape:
        raise ParameterError(f"gold has {gold.size} codes but predicted has {predicted.size}; they must be aligned")
    bad = sorted(set(gold.tolist()) - set(CODES)) + sorted(set(predicted.tolist()) - set(CODES))
    if bad:
        raise ParameterError(f"code(s) {', '.join(map(repr, bad))} not allowed; expected one of {', '.join(CODES)}")
    p, r, f, _ = precision_recall_fscore_support(gold, predicted, labels=list(FRAMES), zero_division=np.nan)
    return pd.DataFrame({
        "frame": list(FRAMES), "precision": p, "recall": r, "f1": f,
        "n_coded": [int((gold == c).sum()) for c in FRAMES],
        "n_predicted": [int((predicted == c).sum()) for c in FRAMES],
        "n_agree": [int(((gold == c) & (predicted == c)).sum()) for c in FRAMES],
    })


def load_validation_sample(path: Any = None) -> pd.DataFrame:
    """The hand-coded seed sentences (``discourse/data/frames_validation.csv``; its header states the rule).

    Returns
    -------
    pandas.DataFrame
        ``doc_id, passage_id, sentence, text, code``.
    """
    where = "discourse/data/frames_validation.csv" if path is None else str(path)
    try:
        if path is None:
            text = resources.files("discourse").joinpath("data/frames_validation.csv").read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8-sig")
        # the header's comment lines only: passage ids contain "#"
        body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
        df = pd.read_csv(io.StringIO(body), dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{where}: cannot read the coded sample ({exc})") from None
    missing = {"text", "code"} - set(df.columns)
    if missing:
        raise InputError(f"{where}: the coded sample lacks column(s) {', '.join(sorted(missing))}")
    return df
