"""The frame lexicon against hand-coded seed sentences, and its coverage in and out of its domain.

1. Redraws the sample of ``discourse/data/frames_validation.csv`` from the
   seeds (checks the committed sentences are the ones the stated procedure
   draws), codes each sentence with the lexicon (tokens from the seeds' fitted
   tokenizer) and reports precision and recall per frame against the hand
   codes: for the stance terms that enter the balance, and for every term
   (stance and topic words mixed, as the lexicon was used before).
2. Coverage (share of documents with a stance term, stance terms per 1,000
   tokens) and the frame balance on the seeds (in domain) and on general
   news outside it: gensim's ``lee_background.cor`` (300 Australian news
   articles shipped with gensim's tests), with and without the coverage rule.

Writes ``benchmarks/results/frames_validation.json`` (sorted keys).

Usage: ``python benchmarks/frames_validation.py``
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import discourse
from discourse.compare import frame_balance
from discourse.compare._lexicon_check import lexicon_agreement, lexicon_codes, load_validation_sample

OUT = Path(__file__).parent / "results" / "frames_validation.json"
SENTENCE = re.compile(r'(?<=[.!?])\s+(?=["“‘(A-Z])')


def seed_sentences(prepared) -> pd.DataFrame:
    """Sentences of five words or more of the seeds' cleaned passages (the sampling frame)."""
    rows = []
    for r in prepared.passages.itertuples():
        for k, sent in enumerate(SENTENCE.split(r.text.strip())):
            sent = " ".join(sent.split())
            if len(sent.split()) >= 5:
                rows.append((r.doc_id, r.passage_id, k, sent))
    return pd.DataFrame(rows, columns=["doc_id", "passage_id", "sentence", "text"])


def draw(frame: pd.DataFrame, n: int = 80, seed: int = 13) -> pd.DataFrame:
    idx = np.sort(np.random.default_rng(seed).choice(len(frame), size=n, replace=False))
    return frame.iloc[idx].reset_index(drop=True)


def agreement(sample: pd.DataFrame, tokenizer) -> dict:
    tokens = [tokenizer.tokenize(t) for t in sample["text"]]
    out = {}
    for name, kinds in (("stance", ("stance",)), ("all_terms", ("stance", "topic"))):
        pred = lexicon_codes(tokens, kinds=kinds)
        table = lexicon_agreement(sample["code"], pred)
        out[name] = {r.frame: {k: (None if pd.isna(v) else round(float(v), 4)) if isinstance(v, float) else int(v)
                               for k, v in r._asdict().items() if k not in ("Index", "frame")}
                     for r in table.itertuples()}
        out[name]["accuracy"] = round(float(np.mean(pred == sample["code"].to_numpy())), 4)
    return out


def _num(x: float) -> float | None:
    return None if pd.isna(x) else round(float(x), 3)


def coverage(prepared, by: str) -> dict:
    logging.getLogger("discourse.compare._frames").setLevel(logging.ERROR)
    res = frame_balance(prepared, by, n_resamples=2000)
    raw = frame_balance(prepared, by, n_resamples=2000, min_doc_coverage=0, min_hits_per_1k=0)
    rows = raw.to_frame()[["group", "frame_balance", "ci_low", "ci_high", "n_docs", "n_docs_total"]]
    return {
        "n_docs": res.counts["n_docs"],
        "coverage_docs": round(res.counts["coverage_docs"], 4),
        "stance_per_1k": round(res.counts["stance_per_1k"], 3),
        "balance_given": bool(res.counts["covered"]),
        "balance_without_the_rule": {r.group: {"balance": _num(r.frame_balance), "ci": [_num(r.ci_low), _num(r.ci_high)],
                                               "n_docs": int(r.n_docs), "n_docs_total": int(r.n_docs_total)}
                                     for r in rows.itertuples()},
    }


def lee_corpus(folder: Path):
    from gensim.test.utils import datapath

    lines = Path(datapath("lee_background.cor")).read_text(encoding="utf-8").splitlines()
    df = pd.DataFrame({"id": [f"lee{i:03d}" for i in range(len(lines))], "text": lines,
                       "half": ["odd" if i % 2 else "even" for i in range(len(lines))]})
    df.to_csv(folder / "lee.csv", index=False)
    return discourse.prepare(discourse.load_corpus(folder / "lee.csv"))


def main() -> None:
    seeds = discourse.prepare(discourse.load_seeds())
    sample = load_validation_sample()
    redrawn = draw(seed_sentences(seeds))
    if redrawn["text"].tolist() != sample["text"].tolist():
        raise SystemExit("the committed sample is not the one the stated procedure draws")
    result = {
        "sample": {"n": len(sample), "codes": sample["code"].value_counts().sort_index().to_dict(),
                   "frame_size": len(seed_sentences(seeds))},
        "agreement": agreement(sample, seeds.tokenizer),
        "coverage": {"seeds (in domain, by period)": coverage(seeds, "period")},
    }
    with tempfile.TemporaryDirectory() as tmp:
        result["coverage"]["lee_background (general news, two halves)"] = coverage(lee_corpus(Path(tmp)), "half")
    OUT.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
