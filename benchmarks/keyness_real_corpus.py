"""Keyness before and after document-aware p-values, on real text shipped with gensim's tests.

Corpora (no download; both ship in ``gensim/test/test_data``):

* ``mini_newsgroup``: 200 Usenet posts, 100 from alt.atheism and 100 from
  sci.space (a pickled scikit-learn ``Bunch``; read with a restricted
  unpickler that builds only that and plain containers); headers (everything
  before the first blank line) are dropped.  Groups: the newsgroup.
* ``lee_background.cor``: 300 Australian news articles.  Groups: odd against
  even line numbers, a split that means nothing (every difference is chance).

For each corpus and group (against the other): "before" is the earlier table
(Monroe et al.'s z with prior_scale = 1 from the same counts, read as a
normal deviate, BH over terms), "after" the current one (prior_scale = 0.1,
document permutation p-values, BH).  Reported: the Spearman rank
correlation of the table's z with Monroe's z from the same counts (at the
old and at the same prior), the top terms by z before and after, how many
terms each calls key (adjusted p < 0.05) and how many of the "before" key
terms rest mostly on one document, and the largest |z| at prior_scale 0.01,
0.1 and 1.

Writes ``benchmarks/results/keyness_real_corpus.json`` (sorted keys).

Usage: ``python benchmarks/keyness_real_corpus.py``
"""

from __future__ import annotations

import io
import json
import pickle
import tempfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

import discourse
from discourse.compare import keyness
from discourse.compare._docperm import log_odds_z
from discourse.compare._stats import bh_adjust

OUT = Path(__file__).parent / "results" / "keyness_real_corpus.json"
TOP = 15


class _BunchUnpickler(pickle.Unpickler):
    """Builds sklearn's ``Bunch`` as a dict; refuses every other class."""

    def find_class(self, module, name):
        if name == "Bunch":
            return dict
        if (module, name) in {("copy_reg", "_reconstructor"), ("copyreg", "_reconstructor"),
                              ("__builtin__", "dict"), ("builtins", "dict"), ("__builtin__", "object"),
                              ("builtins", "object"), ("numpy.core.multiarray", "_reconstruct"),
                              ("numpy._core.multiarray", "_reconstruct"), ("numpy", "ndarray"), ("numpy", "dtype")}:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def newsgroups(folder: Path):
    from gensim.test.utils import datapath

    raw = zlib.decompress(Path(datapath("mini_newsgroup")).read_bytes())
    bunch = _BunchUnpickler(io.BytesIO(raw), encoding="latin1").load()
    names = list(bunch["target_names"])
    texts = [t.split("\n\n", 1)[1] if "\n\n" in t else t for t in bunch["data"]]
    df = pd.DataFrame({"id": [f"ng{i:03d}" for i in range(len(texts))], "text": texts,
                       "newsgroup": [names[int(k)] for k in bunch["target"]]})
    df.to_csv(folder / "newsgroups.csv", index=False)
    return discourse.prepare(discourse.load_corpus(folder / "newsgroups.csv")), "newsgroup"


def lee(folder: Path):
    from gensim.test.utils import datapath

    lines = Path(datapath("lee_background.cor")).read_text(encoding="utf-8").splitlines()
    df = pd.DataFrame({"id": [f"lee{i:03d}" for i in range(len(lines))], "text": lines,
                       "half": ["odd" if i % 2 else "even" for i in range(len(lines))]})
    df.to_csv(folder / "lee.csv", index=False)
    return discourse.prepare(discourse.load_corpus(folder / "lee.csv")), "half"


def monroe_z(table: pd.DataFrame, prior_scale: float) -> np.ndarray:
    """Monroe et al.'s z from a keyness table's own counts (two groups, no unknown group: corpus = both sides)."""
    y_i, y_j = table["count"].to_numpy(float), table["count_reference"].to_numpy(float)
    n_i, n_j = float(table["n_tokens"].iloc[0]), float(table["n_tokens_reference"].iloc[0])
    return log_odds_z(y_i, y_j, n_i, n_j, prior_scale * (y_i + y_j), prior_scale * (n_i + n_j))[1]


def compare(prepared, by: str) -> dict:
    after = keyness(prepared, by, min_count=5).to_frame()
    out = {}
    for group, a in after.groupby("group", sort=True):
        a = a.reset_index(drop=True)
        before = a[["term"]].assign(z=monroe_z(a, 1.0))
        before["p_adj_token"] = bh_adjust(2.0 * stats.norm.sf(np.abs(before["z"].to_numpy())))
        before = before.assign(one_doc=a["one_doc"]).sort_values(["z", "term"], ascending=[False, True], kind="stable")
        rho = stats.spearmanr(a["z"], monroe_z(a, 1.0)).statistic
        rho_same_prior = stats.spearmanr(a["z"], monroe_z(a, 0.1)).statistic
        top_after = a.head(TOP)
        key_before = before.query("p_adj_token < 0.05 and z > 0")
        out[group] = {
            "n_docs": int(a["n_docs"].iloc[0]), "n_docs_reference": int(a["n_docs_reference"].iloc[0]),
            "n_terms": int(len(a)),
            "spearman_z_after_vs_before": round(float(rho), 4),
            "spearman_z_vs_monroe_same_counts_same_prior": round(float(rho_same_prior), 4),
            "key_before (token z, BH < 0.05, positive)": int(len(key_before)),
            "key_before_resting_on_one_document": int(key_before["one_doc"].sum()),
            "key_after (document permutation, BH < 0.05, positive)": int(((a["p_adj"] < 0.05) & (a["z"] > 0)).sum()),
            "top_before": [f"{r.term} (z {r.z:.1f}, p_adj {r.p_adj_token:.2g})" for r in before.head(TOP).itertuples()],
            "top_after": [f"{r.term} (z {r.z:.1f}, p_adj {r.p_adj:.2g}, docs {r.docs_using}/{r.n_docs}"
                          + (", one doc" if r.one_doc else "") + ")" for r in top_after.itertuples()],
            "top_overlap": int(len(set(before.head(TOP)["term"]) & set(top_after["term"]))),
        }
    first = after[after["group"] == sorted(after["group"].unique())[0]]
    scales = {str(s): round(float(np.abs(monroe_z(first, s)).max()), 3) for s in (0.01, 0.1, 1.0)}
    return {"groups": out, "max_abs_z_by_prior_scale": scales}


def main() -> None:
    result = {"settings": {"min_count": 5, "n_permutations": 2000, "prior_scale_after": 0.1, "prior_scale_before": 1.0,
                           "top": TOP, "against": "rest (the other group)"}}
    with tempfile.TemporaryDirectory() as tmp:
        for name, load in (("mini_newsgroup (alt.atheism vs sci.space)", newsgroups),
                           ("lee_background (odd vs even lines: no real difference)", lee)):
            prepared, by = load(Path(tmp))
            result[name] = compare(prepared, by)
    OUT.write_text(json.dumps(result, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1, sort_keys=True, ensure_ascii=False))


if __name__ == "__main__":
    main()
