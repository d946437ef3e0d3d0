"""Digest of the comparison tables: shows a change to how they are computed moved no number.

Run it before and after a change and compare (each table is hashed as its
CSV text, sha256)::

    python benchmarks/compare_digest.py --out before.json
    # ... change the code ...
    python benchmarks/compare_digest.py --out after.json --compare before.json

Three parts, all LDA only (BERTopic's comparisons go through the same code):

* ``seeds``: ``discourse.analyze`` on the shipped seeds (k=3, 2 runs,
  ``by=period, outlet_country:period``), every table it writes;
* ``lee``: keyness by ``source`` (each group against the rest, and one pair)
  and the drift of every topic (``assignment="argmax"`` and ``"share"``) on
  ``--docs`` passages of real news text (gensim's Lee corpus, drawn as in
  ``bench_runs.py``), LDA k=4;
* ``lee_analyze``: ``discourse.analyze`` on the same corpus (k=4, 2 runs,
  ``by=source``), every table.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import tempfile
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _sha(table) -> str:
    return hashlib.sha256(table.to_csv(index=False, lineterminator="\n").encode("utf-8")).hexdigest()


def main(argv=None) -> int:
    sys.path.insert(0, str(HERE))
    from _digest import parser, write_and_compare

    ap = parser(__doc__)
    ap.add_argument("--docs", type=int, default=600, help="documents of the Lee corpus")
    args = ap.parse_args(argv)
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    import discourse
    import discourse.compare as C
    from bench_runs import make_lee_corpus

    res: dict[str, dict[str, str]] = {}
    opts = dict(figures=False, progress=False, n_runs=2, models=("lda",))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        out = discourse.analyze(discourse.load_seeds(), by=("period", "outlet_country:period"), k=3,
                                cache_dir=str(tmp / "c1"), **opts)
        res["seeds"] = {name: _sha(t) for name, t in sorted(out.tables.items())}
        corpus = discourse.load_corpus(str(make_lee_corpus(args.docs, tmp)))
        out = discourse.analyze(corpus, by=("source",), k=4, cache_dir=str(tmp / "c2"), **opts)
        res["lee_analyze"] = {name: _sha(t) for name, t in sorted(out.tables.items())}
        prepared = discourse.prepare(corpus)
        lda = discourse.LDA(k=4, random_state=0).fit(prepared)
        lee = {"keyness_rest": _sha(C.keyness(prepared, "source", min_count=3, random_state=1).to_frame()),
               "keyness_pair": _sha(C.keyness(prepared, "source", pairs=[("s0", "s1")], min_count=3,
                                              n_permutations=500).to_frame())}
        for topic in lda.topic_ids_:
            for assignment in ("argmax", "share"):
                dr = C.topic_drift(prepared, lda, topic, by="source", against_rest=True, min_count=3,
                                   assignment=assignment, n_permutations=500, random_state=2)
                lee[f"drift:{topic}:{assignment}"] = _sha(dr.to_frame())
        res["lee"] = lee
    return write_and_compare(res, args.out, args.compare)

if __name__ == "__main__":
    raise SystemExit(main())
