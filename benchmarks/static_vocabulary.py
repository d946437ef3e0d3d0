"""Does distilling ``static`` on the corpus's own words keep more of MiniLM's neighbourhoods?

Distils the ``static`` tier twice from the shipped MiniLM, in a fresh
artefact folder: on the tokenizer's vocabulary (the default) and also on the
words of gensim's Lee articles seen twice or more
(:func:`discourse.models._tiers.corpus_vocabulary`; those the tokenizer lacks
become tokens of their own), then embeds the first 1,200 Lee sentences with
each and with torch fp32, and reports each static model's recall of the fp32
10 nearest neighbours (cosine).  Results: ``results/static_vocabulary.json``.

Usage::

    python benchmarks/static_vocabulary.py
"""

from __future__ import annotations

import json
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main() -> None:
    import discourse
    from bench_embed_tiers import _recall
    from bench_models import lee_articles, lee_sentences
    from discourse.models import _tiers
    from discourse.models.embed import SentenceTransformerEmbedder

    sentences = lee_sentences()[:1200]
    articles = [" ".join(a) for a in lee_articles()]
    records = [{"id": f"a{i:03d}", "text": t} for i, t in enumerate(articles)]
    prepared = discourse.prepare(discourse.Corpus.from_records(records), progress=False)
    words = _tiers.corpus_vocabulary(prepared.tokens)
    ref = SentenceTransformerEmbedder(cache_dir=False, progress=False).encode(sentences)
    folder = tempfile.mkdtemp(prefix="static_vocabulary-")
    rows = []
    for vocabulary in (None, words):
        emb = SentenceTransformerEmbedder(cache_dir=folder, tier="static", vocabulary=vocabulary, progress=False)
        t = time.perf_counter()
        ident = emb.tier_identity  # distils the artefact
        rows.append({"vocabulary": "tokenizer" if vocabulary is None else "tokenizer + corpus words",
                     "words_given": len(vocabulary or ()), "distil_seconds": round(time.perf_counter() - t, 1),
                     "artefact_sha256": ident["artefact_sha256"],
                     "recall_at_10": round(float(_recall(ref, emb.encode(sentences))), 4)})
        print(rows[-1], flush=True)
    out = {"machine": platform.platform(), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "sentences": len(sentences), "articles": len(articles), "rows": rows}
    (HERE / "results" / "static_vocabulary.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
