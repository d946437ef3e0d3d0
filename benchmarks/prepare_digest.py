"""Digest of everything ``discourse.prepare`` produces, to show a speed-up changed no output.

Runs ``prepare`` with default settings on the seeds and on the distinct real
text of ``distinct_texts.py`` and writes, for each, sha256 digests of the
tokens, passages, cleaned texts, removals, documents table and learnt
phrases, plus their sizes.  Run it before and after a change and compare::

    python benchmarks/prepare_digest.py --out before.json
    # ... change the code ...
    python benchmarks/prepare_digest.py --out after.json --compare before.json
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _digest import parser, write_and_compare  # noqa: E402


def _sha(obj) -> str:
    return hashlib.sha256(json.dumps(obj, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def digest(prep) -> dict:
    def rows(df):
        return [[None if v is None else (int(v) if isinstance(v, int) else str(v)) for v in row] for row in df.itertuples(index=False)]

    return {
        "tokens": _sha(prep.tokens),
        "passages": _sha(rows(prep.passages)),
        "clean_texts": _sha(list(prep.clean_texts.items())),
        "removals": _sha(rows(prep.removals)),
        "documents": _sha(rows(prep.documents)),
        "phrases": _sha(prep.tokenizer.state()["phrases_"]),
        "n_passages": len(prep.passages),
        "n_tokens": sum(len(t) for t in prep.tokens),
        "n_removals": len(prep.removals),
        "n_phrases": len(prep.tokenizer.phrases_),
    }


def main(argv=None) -> int:
    import discourse
    from distinct_texts import distinct_texts

    args = parser(__doc__).parse_args(argv)
    docs = distinct_texts()
    corpus = discourse.Corpus.from_records([{"id": i, "text": t} for i, t in docs], source="distinct_texts")
    res = {
        "seeds": digest(discourse.prepare(discourse.load_seeds(), progress=False)),
        "distinct_texts": {"documents": len(docs), **digest(discourse.prepare(corpus, progress=False))},
    }
    return write_and_compare(res, args.out, args.compare)


if __name__ == "__main__":
    sys.exit(main())
