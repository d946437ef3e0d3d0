"""Frame balance: lexicon (stance and topic terms, domain), per-document counts by hand, coverage, group means with intervals, the check against hand codes."""

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


def test_shipped_lexicon_is_valid_separates_stance_from_topic_and_declares_its_domain():
    lex = load_frame_lexicon()
    assert list(lex.columns) == ["term", "frame", "kind"]
    assert set(lex.frame) == {"cooperation", "confrontation"} and set(lex.kind) == {"stance", "topic"}
    assert lex.term.is_unique and (lex.term == lex.term.str.lower()).all()
    assert not lex.term.str.contains(" ").any()
    assert "Afghanistan and Pakistan" in lex.attrs["domain"]
    kind = {(t, f): k for t, f, k in lex.itertuples(index=False)}
    for t in ("trust", "goodwill", "rapprochement", "reconciliation"):
        assert kind[(t, "cooperation")] == "stance"
    for t in ("mistrust", "accuse", "tension", "hostility", "safe_haven"):
        assert kind[(t, "confrontation")] == "stance"
    # words that say what is discussed, not how
    for t in ("cooperation", "agreement", "dialogue", "peace_talks"):
        assert kind[(t, "cooperation")] == "topic"
    for t in ("terrorism", "terror", "threat", "militant", "insurgent", "insurgency", "attack"):
        assert kind[(t, "confrontation")] == "topic"


def test_per_document_counts_balance_and_rates_by_hand():
    prep = make_prepared({
        # 2 cooperation + 1 confrontation stance term in 8 tokens -> balance (2-1)/3, rates 250 and 125 per 1,000;
        # "cooperation" and "attack" are topic terms: counted in .terms, not in the balance
        "a": ("2015", [["goodwill", "trust", "cooperation", "x"], ["mistrust", "attack", "z", "z"]]),
        "b": ("2015", [["trust", "friendship", "q"]]),                   # balance +1
        "c": ("2015", [["nothing", "here", "terrorism"]]),              # no stance term: NaN, left out of the mean
        "d": ("2024", [["blame", "tension", "hostility", "trust"]]),    # (1-3)/4 = -0.5
    })
    res = frame_balance(prep, "period", n_resamples=200, min_docs=2, min_docs_interval=2)
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
    # coverage: 2 of 3 documents with a stance term; 5 stance terms in 14 tokens
    assert t.loc["2015", "coverage_docs"] == pytest.approx(2 / 3)
    assert t.loc["2015", "stance_per_1k"] == pytest.approx(1000 * 5 / 14)
    assert res.counts["coverage_docs"] == pytest.approx(3 / 4) and res.counts["covered"]
    assert t.loc["2015", "note"] == "" and "Afghanistan" in t.loc["2015", "domain"]
    assert t.loc["2024", "note"].startswith("no interval: 1 document")
    # by default an interval needs 10 documents, where the bootstrap was shown to cover
    default = frame_balance(prep, "period", n_resamples=200).to_frame().set_index("group")
    assert np.isnan(default.loc["2015", "ci_low"]) and default.loc["2015", "note"].startswith("no interval: 2 document")
    assert default.loc["2015", "frame_balance"] == pytest.approx((1 / 3 + 1) / 2)
    assert not t.loc["2015", "too_few"] and t.loc["2024", "too_few"]
    assert np.isnan(t.loc["2024", "ci_low"])  # a single document: no interval
    assert t.loc["2015", "ci_low"] <= t.loc["2015", "frame_balance"] <= t.loc["2015", "ci_high"]
    assert res.counts["n_docs_no_frame_terms"] == 1
    hits = res.terms.set_index("term")
    assert hits.loc["trust", "count"] == 3 and hits.loc["trust", "n_docs"] == 3
    assert hits.loc["terrorism", "count"] == 1 and hits.loc["terrorism", "kind"] == "topic"
    assert "2015" in res.summary() and "coverage" in res.summary()


def test_low_coverage_gives_a_warning_and_no_balance(caplog):
    # general text: one stance word in one of four documents
    prep = make_prepared({
        "a": ("x", [["rain", "storm", "farmer", "tension"] + ["crop"] * 20]),
        "b": ("x", [["bushfire", "town", "resident"] * 8]),
        "c": ("y", [["cricket", "match", "score"] * 8]),
        "d": ("y", [["market", "share", "price"] * 8]),
    })
    with caplog.at_level("WARNING", logger="discourse.compare._frames"):
        res = frame_balance(prep, "period", n_resamples=100, min_docs=1)
    t = res.to_frame()
    assert t["frame_balance"].isna().all() and t["ci_low"].isna().all()
    assert t["note"].str.startswith("no balance: the lexicon covers this corpus too little").all()
    assert not res.counts["covered"] and res.counts["coverage_docs"] == pytest.approx(0.25)
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "\n" not in warnings[0].getMessage()
    # the same corpus with the rule switched off gives the balance of the one document
    raw = frame_balance(prep, "period", n_resamples=100, min_doc_coverage=0, min_hits_per_1k=0).to_frame()
    assert raw.set_index("group").loc["x", "frame_balance"] == -1.0
    with pytest.raises(ParameterError, match="min_doc_coverage"):
        frame_balance(prep, "period", min_doc_coverage=-1)


def test_custom_lexicons_and_errors(tmp_path):
    prep = make_prepared({"a": ("2015", [["peace_talks", "raid"]]), "b": ("2015", [["raid", "raid"]])})
    res = frame_balance(prep, "period", lexicon={"cooperation": ["Peace talks"], "confrontation": ["raid"]},
                        n_resamples=100)
    doc = res.documents.set_index("doc_id")
    assert res.terms.set_index("term").loc["raid", "count"] == 3
    assert doc.loc["a", ["cooperation", "confrontation"]].tolist() == [1, 1]
    assert res.to_frame()["domain"].iloc[0] == "(not declared)"
    # phrase tokens not in the lexicon count their parts that are (unless phrase_parts=False)
    phr = make_prepared({"a": ("2015", [["mutual_trust", "deep_mistrust", "trust", "mistrust"]])})
    one = frame_balance(phr, "period", n_resamples=100).documents.iloc[0]
    assert (one["cooperation"], one["confrontation"]) == (2, 2)
    one = frame_balance(phr, "period", phrase_parts=False, n_resamples=100).documents.iloc[0]
    assert (one["cooperation"], one["confrontation"]) == (1, 1)
    assert doc.loc["b", "frame_balance"] == -1.0
    path = tmp_path / "lex.csv"
    path.write_text("# my lexicon\n# domain: raids\nterm,frame\nraid,confrontation\n", encoding="utf-8")
    mine = frame_balance(prep, "period", lexicon=path, n_resamples=100)
    assert mine.documents["confrontation"].tolist() == [1, 2] and mine.params["domain"] == "raids"
    bad = tmp_path / "bad.csv"
    bad.write_text("word,kind\nraid,confrontation\n", encoding="utf-8")
    with pytest.raises(InputError, match="lacks column"):
        load_frame_lexicon(bad)
    with pytest.raises(ParameterError, match="'hope'"):
        load_frame_lexicon({"hope": ["peace"]})
    with pytest.raises(ParameterError, match="both cooperation and confrontation"):
        load_frame_lexicon({"cooperation": ["deal"], "confrontation": ["deal"]})
    kinds = tmp_path / "kinds.csv"
    kinds.write_text("term,frame,kind\nraid,confrontation,mood\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="kind"):
        load_frame_lexicon(kinds)


def test_lexicon_codes_and_agreement_by_hand():
    from discourse.compare._lexicon_check import lexicon_agreement, lexicon_codes, load_validation_sample

    codes = lexicon_codes([["trust", "mistrust", "goodwill"], ["accuse"], ["terrorism", "attack"], ["x"]])
    assert codes.tolist() == ["cooperation", "confrontation", "neither", "neither"]
    gold = ["cooperation", "confrontation", "confrontation", "neither"]
    t = lexicon_agreement(gold, codes).set_index("frame")
    assert t.loc["cooperation", ["precision", "recall"]].tolist() == [1.0, 1.0]
    assert t.loc["confrontation", ["precision", "recall"]].tolist() == [1.0, 0.5]
    assert t.loc["confrontation", "n_coded"] == 2 and t.loc["confrontation", "n_agree"] == 1
    with pytest.raises(ParameterError, match="'war'"):
        lexicon_agreement(["war"], ["neither"])
    sample = load_validation_sample()
    assert len(sample) == 80 and set(sample["code"]) == {"cooperation", "confrontation", "neither"}
    assert sample["passage_id"].str.contains("#").all()  # ids with "#" survive the comment header


def test_planted_frames_are_found_with_intervals():
    rng = np.random.default_rng(0)
    coop, conf, filler = ["goodwill", "trust", "friendship"], ["mistrust", "tension", "hostility"], ["w1", "w2", "w3"]
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
