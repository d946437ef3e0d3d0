"""Digest of BERTopic on a two-worker Dask cluster (sample fit, assignment on the workers) and in process.

``analysis_digest.py`` runs BERTopic only in process; this covers the Dask
BERTopic path.  It hashes every per-passage array (``doc_topic_``,
``assignments_``, ``outlier_mask_``, ``similarity_``), the topic ids, labels,
topic terms, provenance (without versions, times and cache paths) and sample of:

* ``dask_sample``, ``dask_sample_keep``: ``fit_bertopic_distributed`` on gensim's Lee
  corpus (partitions of 60 documents) with ``sample_size=150``, so most passages are
  assigned on the workers; outliers reduced, and kept;
* ``dask_whole``: the same with ``sample_size=10,000`` (the whole corpus);
* ``inproc``, ``inproc_assign``, ``inproc_transform``: ``BERTopicModel.fit`` on the same
  embeddings, ``assign`` of 40 embeddings and ``transform`` of 40 texts;
* ``seeds_dask``, ``seeds_dask_model``: every table of ``analyze_distributed`` on the
  seeds with ``models=("bertopic",)`` and ``bertopic_sample_size=60``.

Run it before and after a change and compare::

    python benchmarks/bertopic_dask_digest.py --out before.json
    # ... change the code ...
    python benchmarks/bertopic_dask_digest.py --out after.json --compare before.json
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _digest import parser, write_and_compare  # noqa: E402
from analysis_digest import OPTIONS, lee_csv  # noqa: E402


def sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def model_digest(m) -> dict:
    """sha256 of a fitted BERTopicModel's per-passage arrays, terms, labels, provenance and sample."""
    out = {}
    for a in ("doc_topic_", "assignments_", "outlier_mask_", "similarity_"):
        v = np.ascontiguousarray(getattr(m, a))
        out[a] = sha(str(v.dtype).encode() + str(v.shape).encode() + v.tobytes())
    out["n_outliers_"] = int(m.n_outliers_)
    out["topic_ids_"] = list(m.topic_ids_)
    out["labels_"] = sha(json.dumps({str(k): v for k, v in m.labels_.items()}, sort_keys=True).encode())
    out["terms"] = sha(m.topic_terms(10).to_csv(index=False).encode())
    p = {k: v for k, v in m.provenance_.items() if k in ("params", "random_state", "corpus_hash", "extra")}
    p["params"] = {k: v for k, v in (p.get("params") or {}).items() if k != "cache_dir"}
    out["provenance"] = sha(json.dumps(p, sort_keys=True, default=str).encode())
    if hasattr(m, "sample_"):
        out["sample_"] = sha(np.asarray(m.sample_).tobytes())
    return out


def main(argv=None) -> int:
    import discourse
    from discourse.distributed import analyze_distributed, connect
    from discourse.distributed._bertopic import fit_bertopic_distributed
    from discourse.distributed._embed import embed_distributed, read_embeddings
    from discourse.distributed._prepare import prepare_distributed
    from discourse.models import BERTopicModel

    args = parser(__doc__).parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    warnings.simplefilter("ignore")
    res = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = lee_csv(tmp)
        with connect("local", n_workers=2, threads_per_worker=1, memory_limit="3GiB") as client:
            sp = prepare_distributed(path, client, store=tmp / "s", partition_size=60, progress=False)
            emb = embed_distributed(client, sp, progress=False)
            x = np.concatenate([read_embeddings(emb, j) for j in range(len(sp.parts))])
            res["embeddings"] = sha(x.tobytes())
            params = dict(random_state=0, min_topic_size=5, cache_dir=str(tmp / "e"))
            res["dask_sample"] = model_digest(fit_bertopic_distributed(client, sp, emb, sample_size=150, params=params, progress=False))
            res["dask_sample_keep"] = model_digest(fit_bertopic_distributed(client, sp, emb, sample_size=150,
                                                                            params=dict(params, outliers="keep"), progress=False))
            res["dask_whole"] = model_digest(fit_bertopic_distributed(client, sp, emb, sample_size=10_000, params=params, progress=False))
            prepared = sp.to_prepared()
            ref = BERTopicModel(**params).fit(prepared, embeddings=x)
            res["inproc"] = model_digest(ref)
            texts = prepared.passages["text"].astype(str).tolist()[:40]
            res["inproc_transform"] = sha(ref.transform(texts).tobytes())
            res["inproc_assign"] = sha(ref.assign(x[:40]).tobytes())
            kw = dict(by=("period",), models=("bertopic",), **OPTIONS)
            r = analyze_distributed(discourse.seeds_path(), client=client, cache_dir=str(tmp / "c2"), bertopic_sample_size=60,
                                    partition_size=20, **kw)
            res["seeds_dask"] = {n: sha(t.to_csv(index=False, lineterminator="\n").encode()) for n, t in sorted(r.tables.items())}
            res["seeds_dask_model"] = model_digest(r.models["bertopic"])
    return write_and_compare(res, args.out, args.compare)


if __name__ == "__main__":
    sys.exit(main())
