"""Clean + tokenise throughput against NLTK's word tokeniser, cold, on distinct real text.

What is measured, side by side in one run, on the same raw texts:

* **nltk** - ``nltk.tokenize.NLTKWordTokenizer().tokenize(text)`` on each
  document: the word tokeniser ``nltk.word_tokenize`` applies to each
  sentence (Punkt sentence splitting needs a data package that is not
  installed, so each document is tokenised whole; that only makes the
  baseline faster).  It splits text into words and punctuation and does
  nothing else: no cleaning, no glued-word repair, no passages, no stop
  words, no lemmas, no phrases.
* **discourse** - ``discourse.prepare(corpus)`` with default settings: the
  full pipeline a study runs.  Cleaning (Unicode, glued-word repair,
  punctuation and spacing, chrome rules with every removal recorded),
  passages, aliases, words, names, stop words, simplemma lemmas, learning
  phrases over the corpus with gensim's ``Phrases`` and joining them, and
  the result's tables.

Text: ``distinct_texts.py`` - over a million NLTK tokens of distinct real
English text that ships with the environment (Wikipedia articles from
gensim's test data, the standard library's docstrings, pydoc topics, Lee's
news stories once, scikit-learn's dataset descriptions).  Nothing repeats.

Each repeat starts a **fresh process per side** (imports are not timed - the
nltk side imports its tokenizer, the discourse side the modules ``prepare``
uses, discourse's own and simplemma's and wordsegment's, which it otherwise
imports on first use; each pass records any module it still imported - and the
texts are read from one file both sides share).  In that process the side
first runs **cold** - discourse's caches (words, lemmas, dictionary checks,
segmentations) empty and its lexicons (wordsegment's counts, simplemma's
dictionary) not yet loaded, so their loading is part of the cold time and
is also reported on its own - then runs the same work again **warm** (the
module-level caches filled by the cold pass; ``prepare`` builds a new
tokenizer, so its own word cache starts empty again).  Sides alternate
which goes first, repeat by repeat.  CPU time of the child process and wall
time are both recorded; the ratio is ``nltk seconds / discourse seconds``
of the same repeat (>= 1.0: the full pipeline is at least as fast as bare
NLTK tokenisation), and the median over repeats is reported.  The machine
is shared: the load average is recorded before and after every child.

Run::

    nice python benchmarks/bench_tokenize.py                 # writes benchmarks/results/bench_tokenize.json
    nice python benchmarks/bench_tokenize.py --repeats 1     # quick look

References
----------
Lee, M. D., Pincombe, B., & Welsh, M. (2005). An empirical evaluation of
models of text document similarity. *Proceedings of the 27th Annual Conference
of the Cognitive Science Society*, 1254-1259.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIDES = ("nltk", "discourse")
CHILDREN = SIDES + ("stages",)


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> dict:
    wall, cpu = _clock()
    return {"wall_s": round(wall - start[0], 4), "cpu_s": round(cpu - start[1], 4)}


def _import_modules() -> None:
    """Import (without loading any lexicon) the modules ``prepare`` uses, as the nltk side imports its tokenizer untimed.

    discourse's modules are imported lazily on first use, as are simplemma's
    and wordsegment's; importing a module is not lexicon loading (wordsegment's
    counts and simplemma's dictionary are read on first use, in the timed pass).
    """
    import importlib

    for name in ("discourse._prepare", "discourse._document", "discourse.clean", "discourse.passages",
                 "discourse.tokenize", "discourse._lexicon", "discourse._phrases", "discourse._names", "discourse._aliases",
                 "simplemma", "simplemma.strategies.dictionaries.dictionary_factory", "wordsegment", "tqdm.auto"):
        importlib.import_module(name)


def child(side: str, texts_path: str) -> dict:
    """One side, in this (fresh) process: a cold pass, then a warm pass."""
    docs = json.loads(Path(texts_path).read_text(encoding="utf-8"))
    texts = [t for _i, t in docs]
    out: dict = {"side": side}
    if side == "nltk":
        from nltk.tokenize import NLTKWordTokenizer

        tok = NLTKWordTokenizer()
        for name in ("cold", "warm"):
            start = _clock()
            n = sum(len(tok.tokenize(t)) for t in texts)
            out[name] = _since(start)
        out["tokens_out"] = n
        return out

    import discourse
    from discourse.clean import _repair

    out["discourse_file"] = discourse.__file__
    corpus = discourse.Corpus.from_records([{"id": i, "text": t} for i, t in docs], source="distinct_texts")
    _ = corpus.hash  # reading the input, not cleaning it
    _import_modules()
    for name in ("cold", "warm"):
        before = set(sys.modules)
        start = _clock()
        prep = discourse.prepare(corpus, progress=False)
        out[name] = _since(start)
        out[f"{name}_imported"] = sorted(set(sys.modules) - before)  # modules the timed pass still imported
        if name == "cold":
            out["tokens_out"] = sum(len(t) for t in prep.tokens)
            out["passages"] = len(prep.passages)
            out["phrases"] = len(prep.tokenizer.phrases_)
    # wordsegment's counts loaded again on their own (simplemma's dictionary stays cached)
    _repair._STATE.clear()
    start = _clock()
    _repair._load()
    out["lexicon_load"] = _since(start)
    return out


def stages_child(texts_path: str) -> dict:
    """Where a cold pass of the discourse side spends its CPU time, stage by stage, in a fresh process."""
    docs = json.loads(Path(texts_path).read_text(encoding="utf-8"))
    import discourse
    from discourse.clean import Cleaner, _repair
    from discourse.clean._normalize import apply_edits
    from discourse.passages import split_passages
    from discourse.tokenize import Tokenizer, default_stopwords

    _import_modules()
    out: dict = {"discourse_file": discourse.__file__}
    cpu = time.process_time
    t = cpu()
    default_stopwords()
    out["stop_words_import_scikit_learn"] = cpu() - t
    t = cpu()
    _repair._load()
    out["lexicons_wordsegment_simplemma"] = cpu() - t
    texts = []
    for _i, text in docs:
        for name, _func, find in Cleaner()._pipeline():
            t = cpu()
            edits = find(text)
            if edits:
                text = apply_edits(text, edits)
            out[f"clean_{name}"] = out.get(f"clean_{name}", 0.0) + cpu() - t
        texts.append(text)
    t = cpu()
    passages = [p.text for text in texts for p in split_passages(text, "d")]
    out["passages"] = cpu() - t
    tok = Tokenizer().setup()
    t = cpu()
    words = [tok.words(p) for p in passages]
    out["words_aliases_names_stopwords_lemmas"] = cpu() - t
    t = cpu()
    tok.fit_words(words)
    out["learn_phrases"] = cpu() - t
    t = cpu()
    for w in words:
        tok.apply_phrases(w)
    out["join_phrases"] = cpu() - t
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}


def run_child(side: str, texts_path: str, root: Path) -> dict:
    load_before = os.getloadavg()
    # the discourse of this checkout (or of --discourse-root), not whichever one is installed
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONPATH=os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])))
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", side, "--texts", texts_path],
        capture_output=True, text=True, env=env, check=True,
    )
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["loadavg_before"] = [round(x, 2) for x in load_before]
    res["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    return res


def run(repeats: int, root: Path = ROOT) -> dict:
    from importlib.metadata import version

    from nltk.tokenize import NLTKWordTokenizer

    sys.path.insert(0, str(HERE))
    from distinct_texts import distinct_texts

    docs = distinct_texts()
    tok = NLTKWordTokenizer()
    n_input = sum(len(tok.tokenize(t)) for _i, t in docs)
    by_source: dict[str, dict] = {}
    for doc_id, t in docs:
        s = by_source.setdefault(doc_id.split(":")[0], {"documents": 0, "characters": 0})
        s["documents"] += 1
        s["characters"] += len(t)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        texts_path = str(Path(tmp) / "texts.json")
        Path(texts_path).write_text(json.dumps(docs, ensure_ascii=False), encoding="utf-8")
        for r in range(repeats):
            order = SIDES if r % 2 == 0 else SIDES[::-1]
            pair = {}
            for side in order:
                pair[side] = run_child(side, texts_path, root)
                print(f"repeat {r + 1}/{repeats} {side:9s} cold {pair[side]['cold']['cpu_s']:.2f} s cpu, "
                      f"warm {pair[side]['warm']['cpu_s']:.2f} s cpu, load {pair[side]['loadavg_after'][0]}", file=sys.stderr)
            runs.append({"repeat": r + 1, "order": list(order), **pair})
        stages = run_child("stages", texts_path, root)

    def ratios(phase: str, clock: str) -> list[float]:
        return [round(p["nltk"][phase][clock] / p["discourse"][phase][clock], 3) for p in runs]

    def median(side: str, phase: str, clock: str) -> float:
        return statistics.median(p[side][phase][clock] for p in runs)

    summary = {}
    for phase in ("cold", "warm"):
        for clock in ("cpu_s", "wall_s"):
            key = f"{phase}_{clock[:-2]}"
            rs = ratios(phase, clock)
            summary[key] = {
                "ratio_median": statistics.median(rs),
                "ratios": rs,
                "nltk_seconds_median": median("nltk", phase, clock),
                "discourse_seconds_median": median("discourse", phase, clock),
                "nltk_input_tokens_per_s": round(n_input / median("nltk", phase, clock)),
                "discourse_input_tokens_per_s": round(n_input / median("discourse", phase, clock)),
            }
    loads = [x for p in runs for s in SIDES for x in (p[s]["loadavg_before"][0], p[s]["loadavg_after"][0])]
    return {
        "benchmark": "bench_tokenize",
        "corpus": {
            "what": "distinct_texts.py: distinct real English text shipped with installed packages; nothing repeats",
            "documents": len(docs),
            "characters": sum(len(t) for _i, t in docs),
            "nltk_tokens": n_input,
            "by_source": by_source,
        },
        "sides": {
            "nltk": "NLTKWordTokenizer().tokenize(document): words and punctuation only (no sentence splitting, cleaning, stop words, lemmas, phrases)",
            "discourse": "discourse.prepare(corpus) with defaults: clean (removals recorded, glued-word repair), passages, aliases, words, names, stop words, lemmas, phrases learnt and joined, tables",
        },
        "method": {
            "processes": "a fresh Python process per side per repeat; imports and reading the texts are not timed",
            "cold": "first pass in the process: discourse's caches empty and lexicons not loaded (their loading is included; lexicon_load times wordsegment's part alone)",
            "warm": "second pass in the same process over the same texts: module caches filled by the cold pass, a new tokenizer",
            "ratio": "nltk seconds / discourse seconds within a repeat; median over repeats; throughput in NLTK tokens of input per second",
            "order": "sides alternate which runs first, repeat by repeat",
            "stages": "after the repeats, one more fresh process times a cold discourse pass stage by stage (CPU s; the cleaning steps' edits only, without the removal records)",
        },
        "summary": summary,
        "discourse_cold_stages_cpu_s": stages,
        "loadavg_1min": {"min": min(loads), "max": max(loads), "median": statistics.median(loads)},
        "runs": runs,
        "repeats": repeats,
        "discourse_root": str(root),
        "environment": {
            "python": platform.python_version(),
            "nltk": version("nltk"),
            "simplemma": version("simplemma"),
            "wordsegment": version("wordsegment"),
            "gensim": version("gensim"),
            "cpus": os.cpu_count(),
            "machine": platform.machine(),
        },
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5, help="fresh-process pairs, interleaved; the median is reported (default 5)")
    ap.add_argument("--out", default=str(HERE / "results" / "bench_tokenize.json"))
    ap.add_argument("--discourse-root", default=str(ROOT), help="folder whose discourse/ package is measured (default: this checkout)")
    ap.add_argument("--child", choices=CHILDREN, help=argparse.SUPPRESS)
    ap.add_argument("--texts", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(stages_child(args.texts) if args.child == "stages" else child(args.child, args.texts)))
        return 0
    res = run(args.repeats, Path(args.discourse_root))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    c = res["corpus"]
    print(f"text: {c['documents']} documents, {c['nltk_tokens']:,} NLTK tokens, {c['characters']:,} characters; "
          f"load average {res['loadavg_1min']['min']}-{res['loadavg_1min']['max']}")
    for key, s in res["summary"].items():
        print(f"{key:9s} nltk {s['nltk_seconds_median']:7.2f} s  discourse {s['discourse_seconds_median']:7.2f} s  "
              f"ratio {s['ratio_median']:.2f}x  ({s['discourse_input_tokens_per_s']:,} vs {s['nltk_input_tokens_per_s']:,} tokens/s)")
    print(f"-> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
