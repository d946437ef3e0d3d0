"""Coverage of discourse's intervals for BERTopic, with BERTopic fitted, by documents per group.

BERTopic clusters sentence embeddings, so a simulation of it needs real text
with a known topic for every passage.  The pool: real paragraphs and
sentences from four unrelated sources shipped with the environment (nothing
is downloaded), one planted topic each:

* ``alt.atheism`` and ``sci.space`` - paragraphs of the Usenet posts in
  gensim's test file ``mini_newsgroup`` (a 200-post sample of the
  20 Newsgroups collection), headers, quoted lines and signatures dropped;
* ``movies`` - the review sentences of gensim's ``pang_lee_polarity.cor``
  (Pang & Lee 2005);
* ``stdlib`` - the first paragraph of the docstrings of the Python standard
  library's top-level modules.

Paragraphs of 15-120 words are kept (sentences of 8 words or more for the
reviews).  The pool is tokenised once with the package's ``Tokenizer`` and
embedded once with the real MiniLM (``SentenceTransformerEmbedder``, cached
in ``--cache``).

Each replicate builds documents in the 2 x 2 design of
``coverage_simulation.py``, ``g`` (A, B) crossed with ``t`` (before, after),
``n`` documents per cell, each document's topic shares drawn from the cell's
Dirichlet::

    A x before [2, 2, 2, 2]   A x after [4, 2, 1, 1]
    B x before [2, 2, 2, 2]   B x after [2, 2, 2, 2]

A document has 2-4 passages; each passage's topic is drawn from the
document's shares and its text drawn (with replacement) from that topic's
pool.  The package weights passages by their tokens when it forms a
document's topic shares, so the true cell share of a topic is the expected
token-weighted share, computed once per cell by Monte Carlo over 200,000
documents of the same process (standard error about 0.001).

The package's ``BERTopicModel`` (defaults; ``--runs`` seeds through
``discourse.models.runs.fit_runs``, as ``analyze`` does) is fitted on the
replicate's passages with the pool's embeddings; UMAP, HDBSCAN and c-TF-IDF
run per replicate and per run (the refit under embedding noise that
``fit_runs`` adds by default is skipped: it flags topics, it does not enter
the intervals).  The reference run's topics are matched to
the planted ones by the Hungarian algorithm on the passage contingency table
(fitted topic x planted topic).  A planted topic left without a fitted
topic counts as a miss for every interval that would have covered it;
coverage is hits over the intervals shown plus those misses (a row the
package leaves without an interval, with its ``ci_note``, is not counted).

Recorded for 95% intervals from the package's public functions
(``prevalence``, ``contrasts``, ``diff_in_diff``, ``effects``), for the runs
combined (``runs_*``, the default) and the first run alone (``one_run_*``):
coverage, the share of planted topics matched, false positives where the
truth is 0 (B's contrasts), power, and interval/test disagreements.  The
calibrated ``min_docs`` of a statistic is the smallest size from which every
larger size kept coverage at or above 0.90 (``null`` if none did); they are
the ``"bertopic"`` and ``"bertopic (one run)"`` entries of
``discourse/compare/_calibration.py``.

Writes ``benchmarks/results/coverage_bertopic.json`` (sorted keys) and prints
a table.

Usage: ``python benchmarks/coverage_bertopic.py [--reps 20] [--sizes 2,3,5,10,30,100] [--runs 5]``
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import logging
import pickle
import re
import sysconfig
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from discourse.compare import _calibration, contrasts, diff_in_diff, effects, prevalence
from discourse.models import BERTopicModel
from discourse.models.embed import SentenceTransformerEmbedder
from discourse.models.runs import fit_runs
from discourse.tokenize import Tokenizer

# the LDA study's formula, truth of the effects and rule for min_docs (this folder is on sys.path when run)
from coverage_simulation import FORMULA, calibrated_min_docs, effect_truth

CELLS = {("A", "before"): [2, 2, 2, 2], ("A", "after"): [4, 2, 1, 1],
         ("B", "before"): [2, 2, 2, 2], ("B", "after"): [2, 2, 2, 2]}
PAIRS = [("A × after", "A × before"), ("B × after", "B × before")]
SOURCES = ("alt.atheism", "sci.space", "movies", "stdlib")
PASSAGES_PER_DOC = (2, 4)
LEVEL = 0.95
N_PERM = 500
STATS = ("prevalence", "contrast", "did", "effect")
METHODS = ("runs", "one_run")
TRUTH_DOCS = 200_000


# --- the pool ----------------------------------------------------------------------------------
def _newsgroup_paragraphs() -> dict[str, list[str]]:
    from gensim.test.utils import datapath

    raw = zlib.decompress(Path(datapath("mini_newsgroup")).read_bytes())

    class _Unpickler(pickle.Unpickler):  # the file pickles an old scikit-learn Bunch: read it as a dict
        def find_class(self, module, name):
            return dict if name == "Bunch" else super().find_class(module, name)

    bunch = _Unpickler(io.BytesIO(raw), encoding="latin1").load()  # noqa: S301 - gensim's own test file
    out: dict[str, list[str]] = {}
    for post, target in zip(bunch["data"], bunch["target"]):
        body = post.split("\n\n", 1)[1] if "\n\n" in post else post
        for para in re.split(r"\n\s*\n", body):
            lines = [ln for ln in para.splitlines() if not ln.lstrip().startswith((">", "|", "In article", "--"))]
            text = " ".join(" ".join(lines).split())
            if 15 <= len(text.split()) <= 120 and "@" not in text:
                out.setdefault(bunch["target_names"][int(target)], []).append(text)
    return out


def _review_sentences() -> list[str]:
    from gensim.test.utils import datapath

    with open(datapath("pang_lee_polarity.cor"), encoding="latin-1") as fh:
        return [ln.split(" ", 1)[1].strip() for ln in fh if len(ln.split()) >= 8]


def _stdlib_paragraphs() -> list[str]:
    root = Path(sysconfig.get_paths()["stdlib"])
    found = set()
    for path in sorted(root.glob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
                doc = ast.get_docstring(node)
                text = " ".join(doc.split("\n\n")[0].split()) if doc else ""
                if 15 <= len(text.split()) <= 120:
                    found.add(text)
    return sorted(found)


@dataclass(frozen=True)
class Pool:
    texts: list
    tokens: list
    source: np.ndarray      # planted topic of each pool item
    embeddings: np.ndarray  # (n_items, dim), the real MiniLM

    def by_topic(self) -> list[np.ndarray]:
        return [np.flatnonzero(self.source == k) for k in range(len(SOURCES))]


def build_pool(cache: Path) -> Pool:
    """Texts, tokens and MiniLM embeddings of the pool (embeddings cached under ``cache``)."""
    news = _newsgroup_paragraphs()
    parts = {"alt.atheism": news["alt.atheism"], "sci.space": news["sci.space"],
             "movies": _review_sentences(), "stdlib": _stdlib_paragraphs()}
    texts, source = [], []
    for k, name in enumerate(SOURCES):
        items = list(dict.fromkeys(parts[name]))
        texts += items
        source += [k] * len(items)
    tok = Tokenizer().fit(texts)
    tokens = [tok.tokenize(t) for t in texts]
    emb = SentenceTransformerEmbedder(None, cache_dir=str(cache / "embeddings"), progress=False).encode(texts)
    return Pool(texts=texts, tokens=tokens, source=np.asarray(source), embeddings=np.asarray(emb, dtype=np.float32))


# --- one replicate -----------------------------------------------------------------------------
@dataclass
class SimPrepared:
    """Duck-typed :class:`discourse.Prepared` of a simulated replicate."""

    passages: pd.DataFrame
    tokens: list
    metadata: pd.DataFrame
    corpus_hash: str = ""


def simulate(pool: Pool, n: int, rng: np.random.Generator):
    """Documents of the design; returns the prepared corpus, its embeddings and the planted topics."""
    by_topic = pool.by_topic()
    meta, rows, items = [], [], []
    for (g, t), alpha in CELLS.items():
        for d in range(n):
            doc = f"{g}-{t}-{d:03d}"
            meta.append((doc, g, t))
            theta = rng.dirichlet(alpha)
            for i in range(int(rng.integers(PASSAGES_PER_DOC[0], PASSAGES_PER_DOC[1] + 1))):
                k = int(rng.choice(len(alpha), p=theta))
                item = int(by_topic[k][rng.integers(len(by_topic[k]))])
                items.append(item)
                rows.append((doc, f"{doc}#{i:04d}", 0, len(pool.texts[item]), pool.texts[item], len(pool.tokens[item])))
    items = np.asarray(items)
    passages = pd.DataFrame(rows, columns=["doc_id", "passage_id", "start", "end", "text", "n_tokens"])
    metadata = pd.DataFrame(meta, columns=["doc_id", "g", "t"]).set_index("doc_id")
    prepared = SimPrepared(passages=passages, tokens=[pool.tokens[i] for i in items], metadata=metadata)
    return prepared, pool.embeddings[items], pool.source[items]


def true_shares(pool: Pool, rng: np.random.Generator) -> pd.DataFrame:
    """Expected token-weighted topic share of a document in each cell (Monte Carlo, ``TRUTH_DOCS`` documents)."""
    lengths = [np.array([len(pool.tokens[i]) for i in idx], dtype=float) for idx in pool.by_topic()]
    out = {}
    for alpha in {tuple(a) for a in CELLS.values()}:
        theta = rng.dirichlet(alpha, size=TRUTH_DOCS)
        m = rng.integers(PASSAGES_PER_DOC[0], PASSAGES_PER_DOC[1] + 1, size=TRUTH_DOCS)
        weight = np.zeros((TRUTH_DOCS, len(alpha)))
        for j in range(PASSAGES_PER_DOC[1]):
            active = m > j
            z = (rng.random(TRUTH_DOCS)[:, None] > np.cumsum(theta, axis=1)).sum(axis=1)
            z = np.minimum(z, len(alpha) - 1)
            length = np.array([lengths[k][rng.integers(len(lengths[k]))] for k in z])
            weight[np.arange(TRUTH_DOCS), z] += np.where(active, length, 0.0)
        out[alpha] = (weight / weight.sum(axis=1, keepdims=True)).mean(axis=0)
    index = [" × ".join(k) for k in CELLS]
    return pd.DataFrame([out[tuple(a)] for a in CELLS.values()], index=index, columns=list(range(len(SOURCES))))


def match(model, planted: np.ndarray) -> dict[int, int]:
    """Planted topic -> fitted topic id of the reference run (Hungarian on the passage contingency table)."""
    ids = list(model.topic_ids_)
    fitted = np.asarray(model.doc_topic_).argmax(axis=1)
    table = np.array([[np.sum((planted == k) & (fitted == j)) for j in range(len(ids))] for k in range(len(SOURCES))])
    rows, cols = linear_sum_assignment(-table)
    return {int(k): ids[int(j)] for k, j in zip(rows, cols) if table[k, j] > 0 and ids[int(j)] != -1}


def _tally(acc, key, rows, truth, p=None):
    """Count hits among shown intervals; a planted topic without a fitted match counts as a miss."""
    low, high, truth = rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float), np.asarray(truth, float)
    found = rows["_found"].to_numpy(bool)
    ok = found & np.isfinite(low) & np.isfinite(high)
    cov = ok & (low <= truth + 1e-12) & (truth - 1e-12 <= high)
    a = acc.setdefault(key, {"hit": 0, "shown": 0, "unmatched": 0, "total": 0, "null_rej": 0, "null": 0,
                             "alt_rej": 0, "alt": 0, "disagree": 0, "width": 0.0})
    a["width"] += float((high - low)[ok].sum())
    a["hit"] += int(cov.sum())
    a["shown"] += int(ok.sum())
    a["unmatched"] += int((~found).sum())
    a["total"] += len(truth)
    if p is not None:
        p = np.asarray(p, float)
        null = np.abs(truth) < 1e-12
        reject = np.isfinite(p) & (p < 1 - LEVEL)
        a["null_rej"] += int(reject[null].sum())
        a["null"] += int(null.sum())
        a["alt_rej"] += int(reject[~null].sum())
        a["alt"] += int((~null).sum())
        excludes = ok & ~((low <= 0) & (0 <= high))
        a["disagree"] += int((ok & np.isfinite(p) & (excludes != reject)).sum())


def _pick(frame: pd.DataFrame, mapping: dict[int, int], cols, **where) -> pd.DataFrame:
    """Rows of ``frame`` for each planted topic (NaN where the topic has no match), planted-topic order."""
    for c, v in where.items():
        frame = frame[frame[c] == v]
    by_topic = frame.set_index("topic")
    out = []
    for k in range(len(SOURCES)):
        t = mapping.get(k)
        if t is not None and t in by_topic.index:
            out.append(pd.concat([by_topic.loc[t, cols], pd.Series({"_found": True})]))
        else:
            out.append(pd.Series({**{c: np.nan for c in cols}, "_found": False}))
    return pd.DataFrame(out).reset_index(drop=True)


def run_design(pool: Pool, truth: pd.DataFrame, n: int, reps: int, n_runs: int) -> dict:
    acc: dict = {}
    fit_seconds, n_topics, matched, unstable = [], [], [], []
    beta = effect_truth(truth)
    for rep in range(reps):
        seed = 1000 * n + rep
        prepared, emb, planted = simulate(pool, n, np.random.default_rng(seed))
        t0 = time.perf_counter()
        runs = fit_runs(BERTopicModel(random_state=seed, progress=False, cache_dir=False), prepared, n_runs=n_runs,
                        fit=lambda m: m.fit(prepared, embeddings=emb), noise=None)
        fit_seconds.append(time.perf_counter() - t0)
        one = runs.reference
        mapping = match(one, planted)
        n_topics.append(len([t for t in one.topic_ids_ if t != -1]))
        matched.append(len(mapping) / len(SOURCES))
        unstable.append(float(runs.stability()["unstable"].mean()))
        for method, model in (("runs", runs), ("one_run", one)):
            p = prevalence(prepared, model, "g:t", min_docs=2).to_frame()
            for cell in truth.index:
                rows = _pick(p, mapping, ["ci_low", "ci_high"], group=cell)
                _tally(acc, f"{method}_prevalence", rows, truth.loc[cell].to_numpy())
            c = contrasts(prepared, model, "g:t", pairs=PAIRS, n_permutations=N_PERM, min_docs=2,
                          random_state=rep).to_frame()
            for a, b in PAIRS:
                rows = _pick(c, mapping, ["ci_low", "ci_high", "p_value"], group_a=a, group_b=b)
                _tally(acc, f"{method}_contrast", rows,
                       (truth.loc[a] - truth.loc[b]).to_numpy(), rows["p_value"])
            did_truth = ((truth.loc["A × after"] - truth.loc["A × before"])
                         - (truth.loc["B × after"] - truth.loc["B × before"])).to_numpy()
            d = diff_in_diff(prepared, model, "g:t", treated="A", before="before", after="after", min_docs=2).to_frame()
            rows = _pick(d, mapping, ["ci_low", "ci_high", "p_value"])
            _tally(acc, f"{method}_did", rows, did_truth, rows["p_value"])
            e = effects(prepared, model, FORMULA, min_docs=2).to_frame()
            for term in beta.index:
                rows = _pick(e, mapping, ["ci_low", "ci_high", "p_value"], term=term)
                _tally(acc, f"{method}_effect", rows, beta.loc[term].to_numpy(),
                       rows["p_value"])
    out = {"n_docs_per_group": n, "reps": reps, "n_runs": n_runs,
           "mean_passages": round(float(np.mean(PASSAGES_PER_DOC)) * 4 * n, 1),
           "mean_fitted_topics": round(float(np.mean(n_topics)), 3),
           "share_planted_topics_matched": round(float(np.mean(matched)), 4),
           "share_topics_flagged_unstable": round(float(np.mean(unstable)), 4),
           "seconds_per_replicate_fits": round(float(np.mean(fit_seconds)), 3)}
    for key, a in sorted(acc.items()):
        # shown intervals plus planted quantities whose topic BERTopic did not find (each a miss)
        den = a["shown"] + a["unmatched"]
        cov = a["hit"] / den if den else None
        out[f"coverage_{key}"] = cov
        out[f"coverage_{key}_se"] = float(np.sqrt(cov * (1 - cov) / den)) if den else None
        out[f"share_with_interval_{key}"] = a["shown"] / a["total"]
        out[f"share_unmatched_{key}"] = a["unmatched"] / a["total"]
        out[f"mean_width_{key}"] = a["width"] / a["shown"] if a["shown"] else None
        if a["null"] or a["alt"]:
            out[f"false_positive_rate_{key}"] = a["null_rej"] / a["null"] if a["null"] else None
            out[f"power_{key}"] = a["alt_rej"] / a["alt"] if a["alt"] else None
            out[f"interval_test_disagreements_{key}"] = a["disagree"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--sizes", default="2,3,5,10,30,100")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--max-reps-large", type=int, default=8, help="replicates at 30 or more documents per group")
    ap.add_argument("--cache", default=str(Path(__file__).parent / ".cache" / "coverage_bertopic"))
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "coverage_bertopic.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    # measure every size from 2 documents: the gate in _calibration is what this script calibrates
    for fam in ("bertopic", "bertopic (one run)"):
        _calibration.MIN_DOCS[fam] = {k: 2 for k in STATS}
    t0 = time.perf_counter()
    pool = build_pool(Path(args.cache))
    truth = true_shares(pool, np.random.default_rng(12345))
    print(f"pool: {len(pool.texts)} passages {np.bincount(pool.source).tolist()} ({time.perf_counter() - t0:.0f} s)",
          flush=True)
    designs = []
    for s in args.sizes.split(","):
        n = int(s)
        designs.append(run_design(pool, truth, n, args.reps if n < 30 else min(args.reps, args.max_reps_large),
                                  args.runs))
        d = designs[-1]
        print(f"n={n:>3}: " + ", ".join(f"{k} {d.get('coverage_' + k):.3f}" for k in
                                         ("runs_prevalence", "runs_contrast", "runs_did", "runs_effect"))
              + f" topics {d['mean_fitted_topics']} matched {d['share_planted_topics_matched']}"
              + f" ({time.perf_counter() - t0:.0f} s)", flush=True)
    min_docs = {"bertopic": {k: calibrated_min_docs(designs, f"runs_{k}") for k in STATS},
                "bertopic (one run)": {k: calibrated_min_docs(designs, f"one_run_{k}") for k in STATS}}
    result = {
        "nominal_level": LEVEL,
        "coverage_target": _calibration.COVERAGE_TARGET,
        "design": {"cells": {" × ".join(k): v for k, v in CELLS.items()}, "pairs": [list(p) for p in PAIRS],
                   "sources": list(SOURCES), "pool_sizes": np.bincount(pool.source).tolist(),
                   "passages_per_doc": list(PASSAGES_PER_DOC), "truth": "expected token-weighted share, Monte Carlo "
                   f"over {TRUTH_DOCS} documents per cell", "true_shares": truth.round(4).to_dict(orient="index"),
                   "model": "discourse.BERTopicModel defaults, MiniLM embeddings of the pool",
                   "n_runs": args.runs, "effects_formula": FORMULA,
                   "matching": "Hungarian on the passage contingency table; an unmatched planted topic is a miss"},
        "settings": {"n_permutations": N_PERM},
        "methods": {"runs": "package default: runs combined by Rubin's rules (t within runs)",
                    "one_run": "the reference run alone"},
        "min_docs": min_docs,
        "designs": designs,
    }
    result["seconds_total"] = round(time.perf_counter() - t0)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"coverage (± Monte Carlo SE) of 95% intervals, BERTopic fitted; runs: {args.runs} combined / one run")
    for d in designs:
        cells = [f"{s} " + " / ".join(f"{d['coverage_' + m + '_' + s]:.2f}±{d['coverage_' + m + '_' + s + '_se']:.2f}"
                                      for m in METHODS) for s in STATS]
        print(f"{d['n_docs_per_group']:>4} docs/group, {d['reps']} reps: " + "; ".join(cells))
    print(f"calibrated min_docs: {min_docs}; wrote {out} in {result['seconds_total']} s")

if __name__ == "__main__":
    main()
