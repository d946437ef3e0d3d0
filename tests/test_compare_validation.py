"""Validation on simulated corpora with planted effects (see discourse.compare._simulate)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from discourse.compare import contrasts, diff_in_diff, drift_by_topic, keyness, prevalence, topic_drift
from discourse.compare._simulate import simulate_corpus

# topic 0 planted higher in A (0.4 vs 0.2), topic 3 higher in B; topics 1 and 2 equal (0.2)
ALPHAS = {"A": [4, 2, 2, 2], "B": [2, 2, 2, 4]}


def test_planted_differences_are_found_with_intervals_excluding_zero():
    sim = simulate_corpus(ALPHAS, 40, make_tokens=False, random_state=11)
    t = contrasts(sim.prepared, sim.model, "group", n_permutations=1000, require_calibration=False).to_frame()
    t = t.set_index("topic")
    assert t.loc[0, "ci_low"] > 0 and t.loc[0, "p_adj"] < 0.05
    assert t.loc[3, "ci_high"] < 0 and t.loc[3, "p_adj"] < 0.05
    truth = sim.true_share.loc["A"] - sim.true_share.loc["B"]
    for k in (0, 3):
        assert t.loc[k, "ci_low"] <= truth[k] <= t.loc[k, "ci_high"]


def test_equal_topics_mostly_include_zero_and_truth_is_mostly_covered():
    covered_zero, covered_share, n_zero, n_share = 0, 0, 0, 0
    for seed in range(10):
        sim = simulate_corpus(ALPHAS, 30, make_tokens=False, random_state=100 + seed)
        c = contrasts(sim.prepared, sim.model, "group", n_permutations=200, random_state=seed,
                      require_calibration=False).to_frame().set_index("topic")
        for k in (1, 2):  # planted equal
            covered_zero += c.loc[k, "ci_low"] <= 0 <= c.loc[k, "ci_high"]
            n_zero += 1
        p = prevalence(sim.prepared, sim.model, "group", require_calibration=False).to_frame()
        for r in p.itertuples():
            covered_share += r.ci_low <= sim.true_share.loc[r.group, r.topic] <= r.ci_high
            n_share += 1
    assert covered_zero / n_zero >= 0.8, (covered_zero, n_zero)
    assert covered_share / n_share >= 0.8, (covered_share, n_share)


def test_planted_words_rank_at_the_top_of_keyness():
    planted = {"A": ["ceasefire", "peace_talks", "goodwill"], "B": ["border_closure", "skirmish"]}
    sim = simulate_corpus({"A": [2, 2, 2], "B": [2, 2, 2]}, 40, group_words=planted, group_word_rate=0.03,
                          random_state=5)
    res = keyness(sim.prepared, "group", min_count=5)
    for group, words in planted.items():
        top = res.top(len(words), group=group, reference="rest")
        assert set(top["term"]) == set(words), top
        assert (top["p_adj"] < 0.05).all()


def test_drift_separates_wording_within_a_topic_from_the_whole_corpus():
    # topic 0 passages say "talks" in 2015 and "clash" in 2024; topic 1 passages say "trade" in 2015 and
    # "talks" in 2024. Over the whole corpus "talks" is balanced; within topic 0 it is key for 2015.
    rows, tokens, theta, meta = [], [], [], []
    for i in range(20):
        for period in ("2015", "2024"):
            doc = f"{period}-{i}"
            meta.append({"doc_id": doc, "period": period})
            for topic in (0, 1):
                word = {("2015", 0): "talks", ("2024", 0): "clash", ("2015", 1): "trade", ("2024", 1): "talks"}
                toks = [word[(period, topic)]] * 3 + [f"common{j}" for j in range(5)]
                rows.append({"doc_id": doc, "passage_id": f"{doc}#{topic:04d}", "n_tokens": len(toks)})
                tokens.append(toks)
                theta.append([0.9, 0.1] if topic == 0 else [0.1, 0.9])
    prepared = SimpleNamespace(passages=pd.DataFrame(rows), tokens=tokens,
                               metadata=pd.DataFrame(meta).set_index("doc_id"))
    model = SimpleNamespace(name="lda", doc_topic_=np.array(theta), topic_ids_=[0, 1], labels_={0: "a", 1: "b"})
    whole = keyness(prepared, "period", min_count=1).to_frame()
    assert abs(whole[(whole.group == "2015") & (whole.term == "talks")]["z"].iloc[0]) < 1e-9
    drift = topic_drift(prepared, model, 0, by="period", min_count=1)
    d = drift.to_frame()
    top_2015 = d[d.group == "2015"].iloc[0]
    assert top_2015["term"] == "talks" and top_2015["p_adj"] < 0.05
    assert "trade" not in set(d.term)  # only topic 0's passages
    assert drift.counts["n_passages_in_topic"] == 40
    shared = topic_drift(prepared, model, 0, by="period", min_count=1, assignment="share").to_frame()
    assert shared[shared.group == "2015"].iloc[0]["term"] == "talks"
    # several topics at once: the same tables as one call per topic
    for assignment in ("argmax", "share"):
        every = drift_by_topic(prepared, model, by="period", min_count=1, assignment=assignment)
        assert list(every) == [0, 1]
        for topic, res in every.items():
            one = topic_drift(prepared, model, topic, by="period", min_count=1, assignment=assignment)
            pd.testing.assert_frame_equal(res.to_frame(), one.to_frame())
            assert res.params == one.params and res.counts == one.counts


def test_diff_in_diff_without_interaction_includes_zero():
    alphas = {("P", "2015"): [4, 4, 4], ("P", "2024"): [8, 2, 2], ("O", "2015"): [4, 4, 4], ("O", "2024"): [8, 2, 2]}
    sim = simulate_corpus(alphas, 30, columns=("country", "period"), make_tokens=False, random_state=8)
    t = diff_in_diff(sim.prepared, sim.model, "country:period", treated="P", require_calibration=False).to_frame()
    assert (t["change_treated"].iloc[0] > 0.15) and (t["change_control"].iloc[0] > 0.15)  # both moved
    assert t["ci_low"].iloc[0] <= 0 <= t["ci_high"].iloc[0]


def test_on_the_real_seed_corpus():
    import discourse

    prepare = discourse.prepare if callable(discourse.prepare) else discourse.prepare.prepare
    prepared = prepare(discourse.load_seeds())
    meta = prepared.metadata
    # keyness: counts are the tokens' own counts, documents per group match the metadata
    res = keyness(prepared, "period", pairs=[("2015", "2024")], against_rest=True, min_count=3)
    t = res.to_frame()
    assert set(t.group) == {"2015", "2021", "2024"}
    # 2 documents against 2 (or 1 against 4): no p-value can be small, and the smallest is reported
    assert (t["p_value"].dropna() >= t.loc[t["p_value"].notna(), "p_min"] - 1e-12).all()
    period_of = meta["period"].to_dict()
    row = t[(t.group == "2024") & (t.reference == "rest")].iloc[0]
    direct = sum(toks.count(row.term) for toks, d in zip(prepared.tokens, prepared.passages.doc_id)
                 if period_of[d] == "2024")
    assert row["count"] == direct and row["n_docs"] == (meta["period"] == "2024").sum()
    # frames on a crossing: group labels as in group_labels, every document scored
    from discourse.compare import frame_balance, group_labels

    fr = frame_balance(prepared, "outlet_country:period", n_resamples=500)
    assert set(fr.to_frame().group) == set(group_labels(meta, "outlet_country:period").dropna())
    assert len(fr.documents) == len(meta) and fr.counts["n_lexicon_terms_found"] > 10
    balance = fr.documents.set_index("doc_id")["frame_balance"]
    # the measure's point: the 2015 pieces lean to cooperation more than the 2024 ones
    assert balance[meta.index[meta.period == "2015"]].mean() > balance[meta.index[meta.period == "2024"]].mean()
    # topic weight from a real LDA: shares per group are means of document shares; tiny groups flagged
    lda = discourse.LDA(k=3, random_state=0).fit(prepared)
    pr = prevalence(prepared, lda, "period").to_frame()
    assert pr["too_few"].all() and set(pr.n_docs) == {1, 2}
    assert pr["ci_low"].isna().all() and (pr["ci_note"] != "").all()  # no group is large enough
    np.testing.assert_allclose(pr.groupby("group")["share"].sum(), 1.0)
    c = contrasts(prepared, lda, "period", n_permutations=300).to_frame()
    assert len(c) == 3 * 3 and c["too_few"].all() and c["ci_low"].isna().all()
    # 2 against 2 documents: 6 splits, so no p-value below 1/3 is attainable, and none is printed
    two = c[(c.group_a == "2015") & (c.group_b == "2024")]
    np.testing.assert_allclose(two["p_min"], 1 / 3)
    assert (two["p_value"] >= 1 / 3 - 1e-12).all()


_DETERMINISM_SCRIPT = """
import hashlib
from discourse.compare import (align_models, contrasts, diff_in_diff, frame_balance, keyness, prevalence,
                               topic_drift)
from discourse.compare._simulate import simulate_corpus
alphas = {("P", "2015"): [3, 2, 2], ("P", "2024"): [2, 2, 3], ("O", "2015"): [2, 3, 2], ("O", "2024"): [2, 2, 2]}
sim = simulate_corpus(alphas, 12, columns=("c", "period"), group_words={("P", "2015"): ["peace", "trust"]},
                      random_state=3)
p, m = sim.prepared, sim.model
h = hashlib.sha256()
for r in [keyness(p, ["c", "period", "c:period"], pairs=[("2015", "2024")]),
          prevalence(p, m, ["c", "c:period"], require_calibration=False),
          contrasts(p, m, ["c", "period"], n_permutations=200, random_state=7, require_calibration=False),
          diff_in_diff(p, m, "c:period", treated="P", require_calibration=False),
          topic_drift(p, m, 0, "period"), frame_balance(p, "c", n_resamples=200), align_models(m, m, prepared=p)]:
    h.update(r.to_frame().to_csv().encode())
print(h.hexdigest())
"""


@pytest.mark.slow
def test_tables_are_byte_identical_in_fresh_processes():
    import os
    import subprocess
    import sys

    digests = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run([sys.executable, "-c", _DETERMINISM_SCRIPT], env=env, capture_output=True, text=True,
                             check=True)
        digests.append(out.stdout.strip())
    assert len(digests[0]) == 64 and digests[0] == digests[1]
