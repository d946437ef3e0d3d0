"""Cooperation against confrontation: a lexicon-based frame balance per document.

The default lexicon ships as ``discourse/data/frames.csv`` (columns ``term,
frame, kind``; ``frame`` is ``cooperation`` or ``confrontation``; ``kind`` is
``stance``, a word for how a relation is portrayed, or ``topic``, a word for
what is discussed; lines starting with ``#`` are comments, and a
``# domain: ...`` line declares the texts the lexicon was written for).  Only
stance terms enter the balance.  Terms are matched exactly against the tokens
of :func:`discourse.prepare` (lower-case lemmas, learnt phrases joined by
``_``); a phrase token not in the lexicon counts its parts that are.

A lexicon says little about texts outside its domain: every balance comes
with the lexicon's coverage of the texts (share of documents with a stance
term, stance terms per 1,000 tokens), and when the corpus's coverage is low
the balance is withheld with a one-line warning.
"""

from __future__ import annotations

import io
import logging
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from ..errors import InputError, ParameterError, check_param
from ._groups import as_groupings, doc_groups, sorted_groups
from ._keyness import term_counts
from ._results import FrameResult
from ._stats import bootstrap_linear_ci, check_common, check_prepared, normalize_seed, rng_for

__all__ = ["frame_balance", "load_frame_lexicon", "FRAMES", "KINDS", "MIN_DOC_COVERAGE", "MIN_HITS_PER_1K",
           "MIN_DOCS_INTERVAL"]

logger = logging.getLogger(__name__)

#: The two frames, in the order used in tables.
FRAMES = ("cooperation", "confrontation")
#: Kinds of lexicon term; only ``stance`` terms enter the balance.
KINDS = ("stance", "topic")
FRAME_COLUMNS = ["grouping", "group", "frame_balance", "ci_low", "ci_high", "n_docs", "coverage_docs",
                 "stance_per_1k", "cooperation_per_1k", "confrontation_per_1k", "too_few", "n_docs_total", "domain",
                 "note"]
#: A corpus is covered when at least this share of its documents has a stance term ...
MIN_DOC_COVERAGE = 0.5
#: ... and it has at least this many stance terms per 1,000 tokens; otherwise no balance is given.
MIN_HITS_PER_1K = 2.0
#: Fewest documents behind a group's balance for an interval: benchmarks/frames_coverage.py found the
#: 95% percentile bootstrap covering 76% with 3 documents, 84% with 5, 93% with 10 and 30.
MIN_DOCS_INTERVAL = 10
_NOT_DECLARED = "(not declared)"


def _normalise_term(term: Any) -> str:
    return "_".join(str(term).strip().lower().split())


def _read_domain(text: str) -> str:
    for line in text.splitlines():
        head = line.strip()
        if head.startswith("#") and head.lstrip("# ").lower().startswith("domain:"):
            return head.lstrip("# ")[len("domain:"):].strip() or _NOT_DECLARED
    return _NOT_DECLARED


def load_frame_lexicon(lexicon: Any = None, *, domain: str | None = None) -> pd.DataFrame:
    """Read a frame lexicon into a ``term, frame, kind`` table.

    Parameters
    ----------
    lexicon : None, str, Path, DataFrame or mapping
        ``None``: the shipped ``discourse/data/frames.csv``; a path to a CSV
        with columns ``term, frame`` and optionally ``kind`` (``#`` comment
        lines allowed, ``# domain: ...`` declares the domain); a DataFrame
        with those columns; or a mapping ``{"cooperation": [...],
        "confrontation": [...]}`` (all stance terms).  Terms are lower-cased
        and inner spaces become ``_`` (so ``"peace talks"`` matches the phrase
        token ``peace_talks``).  Without a ``kind`` column every term is a
        stance term.
    domain : str, optional
        The texts the lexicon was written for; overrides the file's
        ``# domain:`` line (needed for a DataFrame or mapping).

    Returns
    -------
    pandas.DataFrame
        Columns ``term, frame, kind``, one row per distinct term, cooperation
        first; ``.attrs["domain"]`` holds the declared domain (or
        ``"(not declared)"``).

    Raises
    ------
    InputError
        The file cannot be read or lacks the columns.
    ParameterError
        A frame other than cooperation/confrontation, a kind other than
        stance/topic, or a term listed under both frames.

    Examples
    --------
    >>> from discourse.compare import load_frame_lexicon
    >>> lex = load_frame_lexicon()
    >>> sorted(lex["frame"].unique()), sorted(lex["kind"].unique())
    (['confrontation', 'cooperation'], ['stance', 'topic'])
    >>> lex.attrs["domain"].startswith("English-language news")
    True
    >>> load_frame_lexicon({"cooperation": ["peace talks"], "confrontation": ["attack"]})["term"].tolist()
    ['peace_talks', 'attack']
    """
    where = "lexicon"
    declared = _NOT_DECLARED
    if lexicon is None or isinstance(lexicon, (str, Path)):
        where = "discourse/data/frames.csv" if lexicon is None else str(lexicon)
        try:
            if lexicon is None:
                text = resources.files("discourse").joinpath("data/frames.csv").read_text(encoding="utf-8")
            else:
                text = Path(lexicon).read_text(encoding="utf-8-sig")
            df = pd.read_csv(io.StringIO(text), comment="#", dtype=str, keep_default_na=False)
        except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise InputError(f"{where}: cannot read the frame lexicon ({exc}); expected a CSV with columns term,frame") from None
        declared = _read_domain(text)
    elif isinstance(lexicon, pd.DataFrame):
        df = lexicon.astype(str)
    elif isinstance(lexicon, Mapping):
        rows = []
        for frame, terms in lexicon.items():
            if isinstance(terms, str):
                terms = [terms]
            rows += [(t, frame) for t in terms]
        df = pd.DataFrame(rows, columns=["term", "frame"], dtype=str)
    else:
        raise ParameterError(f"lexicon={type(lexicon).__name__} is not allowed: expected None, a CSV path, a DataFrame "
                             "or a mapping frame -> terms")
    missing = {"term", "frame"} - set(df.columns)
    if missing:
        raise InputError(f"{where}: the frame lexicon lacks column(s) {', '.join(sorted(missing))}; expected term,frame")
    kinds = df["kind"] if "kind" in df.columns else ["stance"] * len(df)
    df = pd.DataFrame({"term": [_normalise_term(t) for t in df["term"]],
                       "frame": [str(f).strip().lower() for f in df["frame"]],
                       "kind": [str(k).strip().lower() or "stance" for k in kinds]})
    df = df[df["term"] != ""]
    bad = sorted(set(df["frame"]) - set(FRAMES))
    if bad:
        raise ParameterError(f"{where}: frame(s) {', '.join(map(repr, bad))} not allowed; expected cooperation or confrontation")
    bad = sorted(set(df["kind"]) - set(KINDS))
    if bad:
        raise ParameterError(f"{where}: kind(s) {', '.join(map(repr, bad))} not allowed; expected stance or topic")
    df = df.drop_duplicates(subset=["term", "frame"])
    both = sorted(df["term"][df["term"].duplicated()])
    if both:
        raise ParameterError(f"{where}: term(s) {', '.join(both)} listed as both cooperation and confrontation")
    order = {f: i for i, f in enumerate(FRAMES)}
    df = df.assign(_o=df["frame"].map(order)).sort_values(["_o"], kind="mergesort").drop(columns="_o")
    df = df.reset_index(drop=True)
    df.attrs["domain"] = str(domain) if domain else declared
    return df


def _lexicon_map(vocab: np.ndarray, lex: pd.DataFrame, phrase_parts: bool) -> sparse.csr_matrix:
    """Vocabulary x lexicon matrix: which lexicon term each token type counts as.

    A token in the lexicon counts as itself.  A phrase token not in the lexicon
    counts, per frame and kind, as the first of its parts of that frame and
    kind (so ``terror_attack`` is one confrontation topic term, not two, and
    ``mutual_trust`` one cooperation stance term and one topic term).
    """
    terms = lex["term"].tolist()
    frame_of = dict(zip(terms, zip(lex["frame"], lex["kind"])))
    pos = {t: j for j, t in enumerate(terms)}
    rows, cols = [], []
    for i, v in enumerate(vocab):
        j = pos.get(v)
        if j is not None:
            rows.append(i)
            cols.append(j)
        elif phrase_parts and "_" in v:
            seen = set()
            for part in v.split("_"):
                j = pos.get(part)
                if j is not None and frame_of[part] not in seen:
                    seen.add(frame_of[part])
                    rows.append(i)
                    cols.append(j)
    data = np.ones(len(rows))
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(vocab), len(terms)))


def _coverage(stance_hits: np.ndarray, n_tokens: np.ndarray) -> tuple[float, float]:
    """(share of documents with tokens that have a stance term, stance terms per 1,000 tokens)."""
    with_tokens = n_tokens > 0
    if not with_tokens.any():
        return float("nan"), float("nan")
    return float((stance_hits[with_tokens] > 0).mean()), float(1000.0 * stance_hits.sum() / n_tokens.sum())


def _coverage_note(docs: float, per_1k: float, min_doc_coverage: float, min_hits_per_1k: float) -> str:
    if not (docs >= min_doc_coverage and per_1k >= min_hits_per_1k):
        return (f"no balance: the lexicon covers this corpus too little ({docs:.0%} of documents with a stance term, "
                f"{per_1k:.2f} per 1,000 tokens; needs {min_doc_coverage:.0%} and {min_hits_per_1k:g})")
    return ""


def frame_balance(
    prepared: Any,
    by: str | Sequence[str],
    *,
    lexicon: Any = None,
    phrase_parts: bool = True,
    min_doc_coverage: float = MIN_DOC_COVERAGE,
    min_hits_per_1k: float = MIN_HITS_PER_1K,
    min_docs_interval: int = MIN_DOCS_INTERVAL,
    n_resamples: int = 2000,
    confidence_level: float = 0.95,
    method: str = "percentile",
    min_docs: int = 3,
    random_state: Any = 0,
) -> FrameResult:
    """Balance of cooperation against confrontation stance terms, per document and per group.

    Per document: ``cooperation`` and ``confrontation`` = number of its tokens
    (over all its passages) that are **stance** terms of each frame (topic
    terms such as "terrorism" or "agreement" say what is discussed, not how,
    and are left out; their hits are in ``.terms``).  A token matches a
    lexicon term when it is that term; with ``phrase_parts`` (default) a
    learnt phrase that is not itself in the lexicon counts each of its
    ``_``-joined parts that is, once per frame and kind.  Then
    ``frame_balance = (cooperation - confrontation) / (cooperation + confrontation)``,
    from -1 (only confrontation terms) to +1 (only cooperation terms), and NaN
    when the document has no stance term (it then says nothing about the
    balance and is left out of the group mean); rates per 1,000 tokens.

    Coverage: ``coverage_docs`` is the share of the group's documents with
    any stance term and ``stance_per_1k`` its stance terms per 1,000 tokens.
    When the whole corpus has fewer than ``min_doc_coverage`` of its
    documents with a stance term or fewer than ``min_hits_per_1k`` stance
    terms per 1,000 tokens, the lexicon is taken not to fit the corpus: one
    warning is logged and every ``frame_balance`` and interval is NaN, with
    the reason in ``note``.  The thresholds are set between the seeds
    (in domain) and general news (gensim's Lee corpus), see the README.

    Per group: ``frame_balance`` = mean of its documents' balances (documents
    with a defined balance, each counting once; their number is ``n_docs``,
    all documents of the group ``n_docs_total``), with a bootstrap interval
    resampling those documents (:func:`scipy.stats.bootstrap`) when there
    are at least ``min_docs_interval`` of them: in simulation
    (``benchmarks/frames_coverage.py``) the 95% percentile interval covered
    the true mean balance 76% of the time with 3 documents, 84% with 5 and
    93% with 10 or 30, so with fewer documents no interval is given and
    ``note`` says why; ``cooperation_per_1k``/``confrontation_per_1k`` = mean
    of the documents' rates over all documents of the group with tokens;
    ``too_few`` when ``n_docs < min_docs``; ``domain`` the lexicon's declared
    domain.

    Parameters
    ----------
    prepared : Prepared
    by : str or list of str
        Metadata column(s) or crossings ``"a:b"``.
    lexicon : None, path, DataFrame or mapping
        See :func:`load_frame_lexicon`; default the shipped ``frames.csv``.
    phrase_parts : bool, default True
        Count lexicon terms inside phrase tokens not in the lexicon themselves.
    min_doc_coverage : float, default 0.5
        Least share of the corpus's documents with a stance term.
    min_hits_per_1k : float, default 2.0
        Fewest stance terms per 1,000 tokens of the corpus.
    min_docs_interval : int, default 10
        Fewest documents with a balance for a group's interval.
    n_resamples, confidence_level, method, min_docs, random_state
        As in :func:`prevalence`.

    Returns
    -------
    FrameResult
        ``.to_frame()`` columns ``grouping, group, frame_balance, ci_low,
        ci_high, n_docs, coverage_docs, stance_per_1k, cooperation_per_1k,
        confrontation_per_1k, too_few, n_docs_total, domain, note``;
        ``.documents`` (per document); ``.terms`` (lexicon hits, stance and
        topic); ``.counts["coverage_docs"]``, ``.counts["stance_per_1k"]``
        for the corpus.

    Raises
    ------
    ParameterError, InputError
        Unknown column, bad lexicon, bad parameter.

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*.
    Chapman & Hall.

    Examples
    --------
    >>> import discourse
    >>> prepared = discourse.prepare(discourse.load_seeds())
    >>> res = discourse.frame_balance(prepared, "period")
    >>> res.to_frame()[["group", "n_docs", "n_docs_total"]].values.tolist()
    [['2015', 2, 2], ['2021', 1, 1], ['2024', 2, 2]]
    >>> bool(res.documents["frame_balance"].dropna().between(-1, 1).all())
    True
    """
    check_prepared(prepared, need_tokens=True)
    groupings = as_groupings(by)
    check_common(n_resamples, confidence_level, method, min_docs)
    for name, value in (("min_doc_coverage", min_doc_coverage), ("min_hits_per_1k", min_hits_per_1k)):
        check_param(name, value, "a number >= 0", isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0)
    check_param("min_docs_interval", min_docs_interval, "an integer >= 2",
                isinstance(min_docs_interval, (int, np.integer)) and not isinstance(min_docs_interval, bool)
                and min_docs_interval >= 2)
    seed = normalize_seed(random_state)
    lex = load_frame_lexicon(lexicon)
    domain = lex.attrs.get("domain", _NOT_DECLARED)
    counts, vocab = term_counts(prepared.tokens)
    docs = prepared.passages["doc_id"].astype(str).to_numpy()
    codes, doc_ids = pd.factorize(docs, sort=False)
    D = sparse.csr_matrix((np.ones(len(docs)), (codes, np.arange(len(docs)))), shape=(len(doc_ids), len(docs)))
    doc_counts = sparse.csr_matrix(D @ counts)
    n_tokens = np.asarray(doc_counts.sum(axis=1)).ravel()
    hits = sparse.csr_matrix(doc_counts @ _lexicon_map(vocab, lex, phrase_parts))
    stance = lex["kind"].to_numpy() == "stance"
    per_frame = {}
    for frame in FRAMES:
        cols = np.flatnonzero((lex["frame"].to_numpy() == frame) & stance)
        per_frame[frame] = np.asarray(hits[:, cols].sum(axis=1)).ravel().astype(float)
    terms = pd.DataFrame({"term": lex["term"].to_numpy(), "frame": lex["frame"].to_numpy(), "kind": lex["kind"].to_numpy(),
                          "count": np.asarray(hits.sum(axis=0)).ravel().astype(np.int64),
                          "n_docs": np.asarray((hits > 0).sum(axis=0)).ravel().astype(np.int64)})
    coop, conf = per_frame["cooperation"], per_frame["confrontation"]
    with np.errstate(invalid="ignore", divide="ignore"):
        balance = np.where(coop + conf > 0, (coop - conf) / (coop + conf), np.nan)
        coop_1k = np.where(n_tokens > 0, 1000.0 * coop / n_tokens, np.nan)
        conf_1k = np.where(n_tokens > 0, 1000.0 * conf / n_tokens, np.nan)
    documents = pd.DataFrame({"doc_id": np.asarray(doc_ids, dtype=object), "n_tokens": n_tokens.astype(np.int64),
                              "cooperation": coop.astype(np.int64), "confrontation": conf.astype(np.int64),
                              "frame_balance": balance, "cooperation_per_1k": coop_1k,
                              "confrontation_per_1k": conf_1k})
    cov_docs, cov_1k = _coverage(coop + conf, n_tokens)
    note = _coverage_note(cov_docs, cov_1k, min_doc_coverage, min_hits_per_1k)
    if note:
        logger.warning("frame_balance: %s; the lexicon's domain is: %s", note, domain)
    rows = []
    n_unknown: dict[str, int] = {}
    for grouping in groupings:
        lab = doc_groups(prepared.metadata, grouping, doc_ids)
        documents[grouping] = lab
        n_unknown[grouping] = int(Counter(lab.tolist()).get(None, 0))
        for g in sorted_groups(lab):
            in_g = lab == g
            ok = in_g & np.isfinite(balance)
            x = balance[ok][:, None]
            low, high = bootstrap_linear_ci([x], [1.0], n_resamples=n_resamples, confidence_level=confidence_level,
                                            method=method, rng=rng_for(seed, "frames", grouping, g))
            has_tokens = in_g & (n_tokens > 0)
            g_docs, g_1k = _coverage((coop + conf)[in_g], n_tokens[in_g])
            shown = x.size and not note
            interval = shown and x.size >= min_docs_interval
            row_note = note or ("" if interval or not x.size else
                                f"no interval: {x.size} document(s) with a balance, fewer than {min_docs_interval}, "
                                "where the bootstrap interval was not shown to cover (benchmarks/frames_coverage.py)")
            rows.append({
                "grouping": grouping, "group": g,
                "frame_balance": float(x.mean()) if shown else np.nan,
                "ci_low": float(low[0]) if interval else np.nan, "ci_high": float(high[0]) if interval else np.nan,
                "n_docs": int(ok.sum()), "coverage_docs": g_docs, "stance_per_1k": g_1k,
                "cooperation_per_1k": float(coop_1k[has_tokens].mean()) if has_tokens.any() else np.nan,
                "confrontation_per_1k": float(conf_1k[has_tokens].mean()) if has_tokens.any() else np.nan,
                "too_few": bool(ok.sum() < min_docs), "n_docs_total": int(in_g.sum()), "domain": domain,
                "note": row_note,
            })
    table = pd.DataFrame(rows, columns=FRAME_COLUMNS)
    params = {"by": groupings, "lexicon": "discourse/data/frames.csv" if lexicon is None else
              (str(lexicon) if isinstance(lexicon, (str, Path)) else type(lexicon).__name__),
              "domain": domain, "phrase_parts": phrase_parts, "min_doc_coverage": min_doc_coverage,
              "min_hits_per_1k": min_hits_per_1k, "min_docs_interval": int(min_docs_interval), "n_resamples": n_resamples, "confidence_level": confidence_level,
              "method": method, "min_docs": min_docs, "random_state": seed}
    counts_out = {"n_docs": int(len(doc_ids)), "n_lexicon_terms": int(len(lex)),
                  "n_stance_terms": int(stance.sum()),
                  "n_lexicon_terms_found": int((terms["count"] > 0).sum()),
                  "n_docs_no_frame_terms": int((~np.isfinite(balance)).sum()), "n_docs_unknown": n_unknown,
                  "coverage_docs": cov_docs, "stance_per_1k": cov_1k, "covered": not note}
    return FrameResult(table=table, params=params, counts=counts_out, documents=documents, terms=terms)
