"""Cleaning + tokenisation throughput against NLTK's word_tokenize-style tokeniser.

What is measured, side by side in one run, on the same texts:

* **baseline** - ``nltk.tokenize.NLTKWordTokenizer().tokenize(doc)``: the
  word tokeniser that ``nltk.word_tokenize`` applies to each sentence.  The
  sentence-splitting half of ``word_tokenize`` (Punkt) needs the ``punkt``
  data package, which is not available offline, so the baseline tokenises
  each document whole, without sentence splitting (this makes the baseline
  faster, never slower).  ``TreebankWordTokenizer`` is timed as well, for
  reference.
* **discourse** - ``Cleaner().clean(doc)`` (all default steps: Unicode
  normalisation, chrome rules, e-mail removal, glued-word repair, punctuation
  and whitespace) followed by ``Tokenizer.tokenize`` (aliases, words, stop
  words, lemmas, phrases) with a tokenizer fitted beforehand on the corpus
  (fitting is timed separately and reported, not included).

Text: ``lee_background.cor`` shipped in gensim's test data (300 Australian
news stories, Lee, Pincombe & Welsh 2005), real text not written for this
project.  It has about 65,000 NLTK tokens, so the document list is repeated
until it holds at least 1,000,000 NLTK tokens (16 copies); the repeat count
is recorded.  Caches (lemmas, glue checks) are warm after the first copy,
as they would be on any large corpus with a Zipfian vocabulary.

Throughput is reported as NLTK tokens of input per second for both sides
(the same measure of text size), and the ratio is
``baseline seconds / discourse seconds`` (>= 1.0 means the full discourse
pipeline is at least as fast as bare NLTK tokenisation).  Each side is run
``--rounds`` times, interleaved, and the median is used.

Run::

    python benchmarks/bench_tokenize.py            # writes benchmarks/results/bench_tokenize.json
    python benchmarks/bench_tokenize.py --min-tokens 200000 --rounds 1   # quick look

References
----------
Lee, M. D., Pincombe, B., & Welsh, M. (2005). An empirical evaluation of
models of text document similarity. *Proceedings of the 27th Annual Conference
of the Cognitive Science Society*, 1254-1259.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import sys
import time
from pathlib import Path


def load_texts(min_tokens: int):
    from gensim.test.utils import datapath
    from nltk.tokenize import NLTKWordTokenizer

    path = Path(datapath("lee_background.cor"))
    docs = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    per_copy = sum(len(NLTKWordTokenizer().tokenize(d)) for d in docs)
    repeats = max(1, math.ceil(min_tokens / per_copy))
    return path, docs, repeats, per_copy


def run(min_tokens: int, rounds: int) -> dict:
    from importlib.metadata import version

    from nltk.tokenize import NLTKWordTokenizer, TreebankWordTokenizer

    from discourse.clean import Cleaner
    from discourse.tokenize import Tokenizer

    path, docs, repeats, per_copy = load_texts(min_tokens)
    texts = docs * repeats
    nltk_tok = NLTKWordTokenizer()
    treebank = TreebankWordTokenizer()
    cleaner = Cleaner()

    # set-up, timed apart: lexicons load lazily, the tokenizer learns phrases on one copy
    t0 = time.perf_counter()
    warm = [cleaner.clean(d).text for d in docs]
    t_warm_clean = time.perf_counter() - t0
    t0 = time.perf_counter()
    tokenizer = Tokenizer().fit(warm)
    t_fit = time.perf_counter() - t0
    for d in docs[:20]:
        nltk_tok.tokenize(d)
        treebank.tokenize(d)

    def baseline():
        n = 0
        for d in texts:
            n += len(nltk_tok.tokenize(d))
        return n

    def reference():
        n = 0
        for d in texts:
            n += len(treebank.tokenize(d))
        return n

    def ours():
        n = 0
        clean = cleaner.clean
        tokenize = tokenizer.tokenize
        for d in texts:
            n += len(tokenize(clean(d).text))
        return n

    times: dict[str, list[float]] = {"nltk": [], "treebank": [], "discourse": []}
    counts: dict[str, int] = {}
    for _ in range(rounds):
        for name, fn in (("nltk", baseline), ("discourse", ours), ("treebank", reference)):
            t0 = time.perf_counter()
            counts[name] = fn()
            times[name].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    n_input = counts["nltk"]
    result = {
        "benchmark": "bench_tokenize",
        "corpus": {
            "source": "gensim test data lee_background.cor (gensim " + version("gensim") + ")",
            "file": path.name,
            "documents": len(docs),
            "repeats": repeats,
            "documents_timed": len(texts),
            "characters_timed": sum(len(d) for d in texts),
            "nltk_tokens_per_copy": per_copy,
            "nltk_tokens_timed": n_input,
        },
        "baseline": {
            "name": "nltk.tokenize.NLTKWordTokenizer().tokenize per document (word_tokenize without Punkt sentence splitting)",
            "seconds_median": round(med["nltk"], 4),
            "seconds_all": [round(t, 4) for t in times["nltk"]],
            "tokens_out": counts["nltk"],
            "input_tokens_per_second": round(n_input / med["nltk"]),
        },
        "reference": {
            "name": "nltk.tokenize.TreebankWordTokenizer().tokenize per document",
            "seconds_median": round(med["treebank"], 4),
            "seconds_all": [round(t, 4) for t in times["treebank"]],
            "tokens_out": counts["treebank"],
            "input_tokens_per_second": round(n_input / med["treebank"]),
        },
        "discourse": {
            "name": "discourse Cleaner().clean + Tokenizer().tokenize (aliases, stop words, simplemma lemmas, phrases)",
            "seconds_median": round(med["discourse"], 4),
            "seconds_all": [round(t, 4) for t in times["discourse"]],
            "tokens_out": counts["discourse"],
            "input_tokens_per_second": round(n_input / med["discourse"]),
            "output_tokens_per_second": round(counts["discourse"] / med["discourse"]),
            "setup_seconds_first_clean_pass": round(t_warm_clean, 4),
            "setup_seconds_tokenizer_fit": round(t_fit, 4),
            "phrases_learnt": len(tokenizer.phrases_),
        },
        "ratio_vs_nltk": round(med["nltk"] / med["discourse"], 3),
        "ratio_vs_treebank": round(med["treebank"] / med["discourse"], 3),
        "rounds": rounds,
        "environment": {
            "python": platform.python_version(),
            "nltk": version("nltk"),
            "discourse": version("discourse"),
            "machine": platform.machine(),
        },
    }
    return result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--min-tokens", type=int, default=1_000_000, help="NLTK tokens of text to time (default 1,000,000)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds per side; the median is used (default 3)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "bench_tokenize.json"))
    args = ap.parse_args(argv)
    res = run(args.min_tokens, args.rounds)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    c, b, r, d = res["corpus"], res["baseline"], res["reference"], res["discourse"]
    print(f"text: {c['file']} x {c['repeats']} = {c['documents_timed']} documents, {c['nltk_tokens_timed']:,} NLTK tokens, {c['characters_timed']:,} characters")
    print(f"NLTKWordTokenizer       : {b['seconds_median']:.3f} s  {b['input_tokens_per_second']:>10,} tokens/s")
    print(f"TreebankWordTokenizer   : {r['seconds_median']:.3f} s  {r['input_tokens_per_second']:>10,} tokens/s")
    print(f"discourse clean+tokenize: {d['seconds_median']:.3f} s  {d['input_tokens_per_second']:>10,} tokens/s ({d['tokens_out']:,} tokens out)")
    print(f"ratio vs NLTKWordTokenizer: {res['ratio_vs_nltk']:.2f}x   vs Treebank: {res['ratio_vs_treebank']:.2f}x   -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
