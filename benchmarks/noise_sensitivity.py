"""Do topics and tables hinge on last-bit noise?  The seeds and 2,000+ passages of real news.

For each corpus, ``discourse.sensitivity.numeric_sensitivity`` refits BERTopic on embeddings
perturbed by 1e-6 relative (seeded normal noise) and LDA with OpenBLAS running another CPU's
kernels, and reports passages moved, adjusted Rand index, top-term overlap of matched topics and
the largest change in a document's and a group's topic share.

Corpora: the five seeds (75 passages) and gensim's ``lee_background.cor`` (Lee, Pincombe & Welsh
2005: 300 Australian news articles), each distinct sentence of 5+ words a document of one passage,
grouped by the half of the corpus its article is in.

Usage: python benchmarks/noise_sensitivity.py [--out benchmarks/results/noise_sensitivity.json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import discourse
from discourse.sensitivity import numeric_sensitivity


def lee_corpus() -> discourse.Corpus:
    import gensim

    from discourse.passages import sentence_spans

    path = Path(gensim.__file__).parent / "test" / "test_data" / "lee_background.cor"
    records, seen = [], set()
    for i, doc in enumerate(path.read_text(encoding="utf-8").splitlines()):
        for j, (a, b) in enumerate(sentence_spans(doc)):
            sent = doc[a:b].strip()
            if len(sent.split()) >= 5 and sent not in seen:
                seen.add(sent)
                records.append({"id": f"lee{i:03d}s{j:02d}", "text": sent, "half": "first" if i < 150 else "second"})
    return discourse.Corpus.from_records(records, source=str(path))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="benchmarks/results/noise_sensitivity.json")
    args = ap.parse_args()
    out = {}
    for name, corpus, by, k in (("seeds", discourse.load_seeds(), ("period", "outlet_country"), 6),
                                ("lee_background", lee_corpus(), ("half",), 10)):
        t = time.perf_counter()
        prepared = discourse.prepare(corpus, progress=False)
        res = numeric_sensitivity(prepared, by=by, k=k, cache_dir=False)
        out[name] = {"documents": len(corpus), "passages": len(prepared.passages), "by": list(by), "k": k,
                     "rows": json.loads(res.to_frame().to_json(orient="records")),
                     "seconds": round(time.perf_counter() - t, 1)}
        print(name, len(prepared.passages), "passages")
        print(res.to_frame().to_string(index=False))
    Path(args.out).write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
