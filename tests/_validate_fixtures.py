"""A small synthetic analysis for the validation tests (no model fitting)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from discourse.validate import ModelTopics, ValidationSource


def synthetic_source(*, k: int = 4, n_docs: int = 12, per_doc: int = 10, seed: int = 0) -> tuple[ValidationSource, dict]:
    """K topics, each concentrated on its own block of 25 words; passages with Dirichlet topic shares.

    Returns the source and the cleaned texts the passages' offsets index.
    """
    rng = np.random.default_rng(seed)
    vocab = tuple(f"w{i:03d}" for i in range(25 * k + 20))
    weights = np.full((k, len(vocab)), 1e-4)
    for t in range(k):
        weights[t, 25 * t:25 * (t + 1)] = np.sort(rng.dirichlet(np.ones(25)))[::-1] + 0.01
    weights /= weights.sum(axis=1, keepdims=True)
    n = n_docs * per_doc
    theta = rng.dirichlet(np.full(k, 0.3), size=n)
    rows, clean = [], {}
    for d in range(n_docs):
        doc = f"d{d:02d}"
        texts = [f"Passage {p} of document {d}: " + " ".join(rng.choice(vocab, 8)) for p in range(per_doc)]
        full, start = "", 0
        for p, text in enumerate(texts):
            rows.append({"doc_id": doc, "passage_id": f"{doc}#{p:04d}", "start": start, "end": start + len(text), "text": text})
            full += text + "\n\n"
            start = len(full)
        clean[doc] = full
    passages = pd.DataFrame(rows)
    meta = pd.DataFrame({"outlet": [f"Outlet {d % 3}" for d in range(n_docs)],
                         "published": [f"20{15 + 9 * (d % 2)}-0{1 + d % 9}" for d in range(n_docs)],
                         "period": [("2015", "2024")[d % 2] for d in range(n_docs)]},
                        index=pd.Index([f"d{d:02d}" for d in range(n_docs)], name="doc_id"))
    labels = {t: ", ".join(vocab[25 * t:25 * t + 3]) for t in range(k)}
    mt = ModelTopics(name="lda", topic_ids=tuple(range(k)), vocabulary=vocab, term_weights=weights, doc_topic=theta,
                     labels=labels)
    src = ValidationSource(passages=passages, metadata=meta, models={"lda": mt}, groupings=("period", "outlet"),
                           corpus_hash="synthetic")
    return src, clean
