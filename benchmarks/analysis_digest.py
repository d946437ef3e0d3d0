"""Digest of every table ``discourse.analyze`` writes, in process and on a local Dask cluster.

Shows that a change to how the analysis is organised changed no output: run
it before and after and compare.  Three runs, each in this process with a
fresh cache folder:

* ``seeds``: the shipped seeds, LDA (k=3) and BERTopic, ``by=period``, in process;
* ``lee``: gensim's Lee corpus (300 real news paragraphs) with synthetic
  ``period``/``outlet_country`` columns, LDA (k=4), ``by=period,
  outlet_country:period`` (so difference-in-differences runs), in process;
* ``lee_dask``: the same on a local Dask cluster (two worker processes),
  streamed from the CSV in partitions of 40 documents.

Each table is hashed as its CSV text (sha256), and each part of every
model's provenance (parameters, seed, corpus hash, extras).  ``lee`` and
``lee_dask`` must agree with each other (but for the corpus hash: read from
a path on the cluster, a corpus is identified by its partitions' hashes) as
well as with the earlier digest::

    python benchmarks/analysis_digest.py --out before.json
    # ... change the code ...
    python benchmarks/analysis_digest.py --out after.json --compare before.json
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import tempfile
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _digest import parser, write_and_compare  # noqa: E402

PERIODS = ("2015", "2024")
COUNTRIES = ("Pakistan", "Afghanistan", "United States")
OPTIONS = dict(n_resamples=200, n_permutations=200, figures=False, progress=False)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digest(res) -> dict:
    """sha256 of each table's CSV and of the LDA model's provenance (without versions and times)."""
    out = {f"table:{name}": _sha(table.to_csv(index=False, lineterminator="\n")) for name, table in sorted(res.tables.items())}
    for name, model in sorted(res.models.items()):
        prov = getattr(model, "provenance_", {})
        for key in ("params", "random_state", "corpus_hash", "extra"):
            value = prov.get(key)
            if key == "params" and name == "bertopic":  # embedding cache paths differ between runs
                value = {k: v for k, v in (value or {}).items() if k != "cache_dir"}
            out[f"provenance:{name}:{key}"] = _sha(json.dumps(value, sort_keys=True, default=str))
    return out


def lee_csv(folder: Path) -> Path:
    import pandas as pd
    from gensim.test.utils import datapath

    with open(datapath("lee_background.cor"), encoding="utf-8", errors="replace") as fh:
        lines = [line.strip() for line in fh if line.strip()]
    rows = [{"id": f"d{i:04d}", "text": t, "period": PERIODS[i % 2], "outlet_country": COUNTRIES[i % 3]}
            for i, t in enumerate(lines)]
    path = folder / "lee.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def main(argv=None) -> int:
    import discourse
    from discourse.distributed import analyze_distributed, connect

    args = parser(__doc__).parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    warnings.simplefilter("ignore")
    res: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        res["seeds"] = digest(discourse.analyze(discourse.load_seeds(), by=("period",), models=("lda", "bertopic"), k=3,
                                                cache_dir=str(tmp / "c0"), **OPTIONS))
        path = lee_csv(tmp)
        lee = dict(by=("period", "outlet_country:period"), models=("lda",), k=4, **OPTIONS)
        res["lee"] = digest(discourse.analyze(discourse.load_corpus(path, duplicates="keep_all"), cache_dir=str(tmp / "c1"), **lee))
        with connect("local", n_workers=2, threads_per_worker=1, memory_limit="3GiB") as client:
            res["lee_dask"] = digest(analyze_distributed(path, client=client, cache_dir=str(tmp / "c2"), partition_size=40, **lee))
    # a corpus read from a path on the cluster has its partitions' hash, not Corpus.hash (docs/cluster.md)
    same = [k for k in res["lee"] if not k.endswith(":corpus_hash")]
    res["lee_equals_lee_dask"] = {"same": all(res["lee"][k] == res["lee_dask"].get(k) for k in same)}
    status = 0 if res["lee_equals_lee_dask"]["same"] else 1
    if not res["lee_equals_lee_dask"]["same"]:
        print("DIFFERENT in process and on Dask: " + ", ".join(k for k in same if res["lee"][k] != res["lee_dask"].get(k)))
    return write_and_compare(res, args.out, args.compare) or status


if __name__ == "__main__":
    sys.exit(main())
