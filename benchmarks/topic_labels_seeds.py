"""LDA topic labels on the seeds before and after FREX labels and name-preserving lemmas.

Fits the study's LDA (``notebooks/study.py``: K chosen among 2-8 by coherence
and stability over seeds 0-2, random_state 0) twice:

* before: tokens as lemmatised before names were kept (``Tokenizer(names=False)``),
  label = the three most probable words of each topic;
* after: the default tokenizer, label = the three best words by FREX; the
  probability and relevance (lambda 0.6) labels of the same fit are shown too;
* and the "before" fit labelled by FREX and relevance, which shows the labels'
  change alone (K is chosen anew on the new tokens and may differ).

Writes ``benchmarks/results/topic_labels_seeds.json``.

Usage: ``python benchmarks/topic_labels_seeds.py``
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import discourse
from discourse.tokenize import Tokenizer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks"))
from study import CONFIG  # noqa: E402

OUT = Path(__file__).parent / "results" / "topic_labels_seeds.json"


def labels(model, ranking: str) -> dict[str, str]:
    t = model.topic_terms(3, ranking=ranking)
    return {str(k): ", ".join(v) for k, v in t.groupby("topic")["term"]}


def fit(prepared):
    return discourse.LDA(k=CONFIG.k, k_range=CONFIG.k_range, seeds=CONFIG.k_seeds, random_state=CONFIG.random_state,
                         progress=False).fit(prepared)


def main() -> None:
    corpus = discourse.load_seeds()
    before = fit(discourse.prepare(corpus, tokenizer=Tokenizer(names=False)))
    after = fit(discourse.prepare(corpus))
    result = {
        "before": {"k": before.k_, "probability": labels(before, "probability")},
        "same fit as before, new labels": {"frex (default label)": labels(before, "frex"),
                                           "relevance (lambda 0.6)": labels(before, "relevance")},
        "after": {"k": after.k_, "frex (default label)": labels(after, "frex"), "probability": labels(after, "probability"),
                  "relevance (lambda 0.6)": labels(after, "relevance")},
    }

    def shared(lab: dict[str, str]) -> int:
        words = [w for v in lab.values() for w in v.split(", ")]
        return sum(words.count(w) > 1 for w in set(words))

    result["words in more than one label"] = {
        "before": shared(result["before"]["probability"]),
        "same fit as before, frex": shared(result["same fit as before, new labels"]["frex (default label)"]),
        "after (frex)": shared(result["after"]["frex (default label)"])}
    OUT.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
