"""Frame balance: lexicon, per-document counts by hand, group means with intervals."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from discourse.compare import frame_balance, load_frame_lexicon
from discourse.errors import InputError, ParameterError


def make_prepared(docs):
    rows, tokens, meta = [], [], []
    for doc_id, (group, passages) in docs.items():
        meta.append({"doc_id": doc_id, "period": group})
        for i, toks in enumerate(passages):
            rows.append({"doc_id": doc_id, "passage_id": f"{doc_id}#{i:04d}", "start": 0, "end": 0, "text": "",
                         "n_tokens": len(toks)})
            tokens.append(list(toks))
    return SimpleNamespace(passages=pd.DataFrame(rows), tokens=tokens,
                           metadata=pd.DataFrame(meta).set_index("doc_id"))


def test_shipped_lexicon_is_valid_and_covers_both_frames():
    lex = load_frame_lexicon()
    assert list(lex.columns) == ["term", "frame"]
    assert set(lex.frame) == {"cooperation", "confrontation"}
    assert lex.term.is_unique and (lex.term == lex.term.str.lower()).all()
    assert not lex.term.str.contains(" ").any()
    terms = dict(zip(lex.term, lex.frame))
    for t in ("cooperation", "agreement", "dialogue", "trust", "peace_talks", "intelligence_sharing"):
        assert terms[t] == "cooperation"
    for t in ("attack", "terrorism", "militant", "accuse", "border_closure", "tension", "hostility"):
        assert terms[t] == "confrontation"


def test_per_document_counts_balance_and_rates_by_hand():
    prep = make_prepared({
        # 2 cooperation + 1 confrontation term in 8 tokens -> balance (2-1)/3, rates 250 and 125 per 1,000
        "a": ("2015", [["peace", "cooperation", "x", "y"], ["attack", "z", "z", "z"]]),
        "b": ("2015", [["trust", "dialogue", "q"]]),                # balance +1
        "c": ("2015", [["nothing", "here"]]),                        # no frame term: NaN, left out of the mean
        "d": ("2024", [["attack", "tension", "militant", "trust"]]),  # (1-3)/4 = -0.5
    })
    res = frame_balance(prep, "period", n_resamples=200, min_docs=2)
    doc = res.documents.set_index("doc_id")
    assert doc.loc["a", ["cooperation", "confrontation", "n_tokens"]].tolist() == [2, 1, 8]
    assert doc.loc["a", "frame_balance"] == pytest.approx(1 / 3)
    assert doc.loc["a", "cooperation_per_1k"] == pytest.approx(250.0)
    assert doc.loc["a", "confrontation_per_1k"] == pytest.approx(125.0)
    assert np.isnan(doc.loc["c", "frame_balance"]) and doc.loc["c", "cooperation_per_1k"] == 0.0
    assert doc.loc["d", "frame_balance"] == pytest.approx(-0.5)
    t = res.to_frame().set_index("group")
    assert list(res.to_frame().columns[:6]) == ["grouping", "group", "frame_balance", "ci_low", "ci_high", "n_docs"]
    assert t.loc["2015", "frame_balance"] == pytest.approx((1 / 3 + 1) / 2)
    assert t.loc["2015", "n_docs"] == 2 and t.loc["2015", "n_docs_total"] == 3
    assert t.loc["2015", "cooperation_per_1k"] == pytest.approx((250 + 1000 * 2 / 3 + 0) / 3)
    assert not t.loc["2015", "too_few"] and t.loc["2024", "too_few"]
    assert np.isnan(t.loc["2024", "ci_low"])  # a single document: no interval
    assert t.loc["2015", "ci_low"] <= t.loc["2015", "frame_balance"] <= t.loc["2015", "ci_high"]
    assert res.counts["n_docs_no_frame_terms"] == 1
    hits = res.terms.set_index("term")
    assert hits.loc["trust", "count"] == 2 and hits.loc["trust", "n_docs"] == 2
    assert "2015" in res.summary()


def test_custom_lexicons_and_errors(tmp_path):
    prep = make_prepared({"a": ("2015", [["peace_talks", "raid"]]), "b": ("2015", [["raid", "raid"]])})
    res = frame_balance(prep, "period", lexicon={"cooperation": ["Peace talks"], "confrontation": ["raid"]},
                        n_resamples=100)
    doc = res.documents.set_index("doc_id")
    assert res.terms.set_index("term").loc["raid", "count"] == 3
    assert doc.loc["a", ["cooperation", "confrontation"]].tolist() == [1, 1]
    # phrase tokens not in the lexicon count their parts that are (unless phrase_parts=False)
    phr = make_prepared({"a": ("2015", [["terror_attack", "security_agreement", "peace_talks", "attack"]])})
    one = frame_balance(phr, "period", n_resamples=100).documents.iloc[0]
    assert (one["cooperation"], one["confrontation"]) == (2, 2)
    one = frame_balance(phr, "period", phrase_parts=False, n_resamples=100).documents.iloc[0]
    assert (one["cooperation"], one["confrontation"]) == (1, 1)
    assert doc.loc["b", "frame_balance"] == -1.0
    path = tmp_path / "lex.csv"
    path.write_text("# my lexicon\nterm,frame\nraid,confrontation\n", encoding="utf-8")
    assert frame_balance(prep, "period", lexicon=path, n_resamples=100).documents["confrontation"].tolist() == [1, 2]
    bad = tmp_path / "bad.csv"
    bad.write_text("word,kind\nraid,confrontation\n", encoding="utf-8")
    with pytest.raises(InputError, match="lacks column"):
        load_frame_lexicon(bad)
    with pytest.raises(ParameterError, match="'hope'"):
        load_frame_lexicon({"hope": ["peace"]})
    with pytest.raises(ParameterError, match="both cooperation and confrontation"):
        load_frame_lexicon({"cooperation": ["deal"], "confrontation": ["deal"]})


def test_planted_frames_are_found_with_intervals():
    rng = np.random.default_rng(0)
    coop, conf, filler = ["cooperation", "trust", "dialogue"], ["attack", "tension", "militant"], ["w1", "w2", "w3"]
    docs = {}
    for i in range(30):
        for group, p_coop in (("2015", 0.75), ("2024", 0.25)):
            frame_words = [rng.choice(coop) if rng.random() < p_coop else rng.choice(conf) for _ in range(8)]
            docs[f"{group}-{i}"] = (group, [frame_words + list(rng.choice(filler, 20))])
    res = frame_balance(make_prepared(docs), "period", n_resamples=1000, random_state=3)
    t = res.to_frame().set_index("group")
    assert t.loc["2015", "ci_low"] > 0 > t.loc["2024", "ci_high"]  # planted +0.5 and -0.5
    assert t.loc["2015", "ci_low"] <= 0.5 <= t.loc["2015", "ci_high"]
    again = frame_balance(make_prepared(docs), "period", n_resamples=1000, random_state=3)
    assert again.to_frame().to_csv() == res.to_frame().to_csv()
