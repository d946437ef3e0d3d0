"""Does a passage's ``minilm-int8`` vector depend on what it is batched with?

The embedding cache keeps one vector per text, so the vector of a text must
be the same bytes whether it runs alone or in a batch.  This script embeds
every distinct sentence of gensim's ``lee_background.cor`` three ways with the
same int8 artefact and compares each with the sentence run alone:

``bucketed``
    the backend's own batching: passages grouped by token count rounded up
    to a multiple of 8, one padded length per call;
``whole_batch_padding``
    the usual batching: length-sorted batches of 32, each padded to its
    longest passage.

Results: ``benchmarks/results/bench_int8_batching.json`` (rows that differ,
largest absolute difference).

Usage::

    nice python benchmarks/bench_int8_batching.py [--cache DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "bench_int8_batching.json"
sys.path.insert(0, str(HERE))


def _compare(name: str, batched: np.ndarray, alone: np.ndarray, lengths: list[int]) -> dict:
    diff = np.abs(batched - alone).max(axis=1)
    rows = np.flatnonzero(diff > 0)
    return {"method": name, "rows_differing": int(len(rows)), "max_abs_diff": float(diff.max()),
            "rows_over_1e-4": int(np.sum(diff > 1e-4)),
            "examples": [{"row": int(r), "tokens": lengths[r], "max_abs_diff": float(diff[r])}
                         for r in rows[np.argsort(-diff[rows])][:5]]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", default=None, help="cache folder holding (or to hold) the int8 artefact")
    args = ap.parse_args()
    from bench_models import lee_sentences
    from discourse.models.embed import SentenceTransformerEmbedder

    cache = Path(args.cache or tempfile.mkdtemp(prefix="bench_int8_batching-"))
    backend = SentenceTransformerEmbedder(cache_dir=cache, tier="minilm-int8", progress=False).backend
    texts = lee_sentences()
    encs = backend.tokenizer.encode_batch(texts)
    lengths = [len(e.ids) for e in encs]
    load0 = os.getloadavg()
    t = time.perf_counter()
    alone = np.concatenate([backend.encode([text], 1) for text in texts])
    seconds = {"alone": time.perf_counter() - t}
    t = time.perf_counter()
    bucketed = backend.encode(texts, 32)
    seconds["bucketed"] = time.perf_counter() - t
    order = np.argsort(lengths, kind="stable")
    padded = np.empty_like(alone)
    t = time.perf_counter()
    for start in range(0, len(order), 32):
        rows = order[start:start + 32]
        padded[rows] = backend._run([encs[r] for r in rows], max(lengths[r] for r in rows))
    seconds["whole_batch_padding"] = time.perf_counter() - t
    result = {"passages": len(texts), "identity": backend.identity(),
              "comparisons": [_compare("bucketed", bucketed, alone, lengths),
                              _compare("whole_batch_padding", padded, alone, lengths)],
              "seconds": seconds, "loadavg_before": load0, "loadavg_after": os.getloadavg(),
              "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result["comparisons"], indent=1))
    print("written", RESULTS)


if __name__ == "__main__":
    main()
