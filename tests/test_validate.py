"""Validation tasks, coder pages and quote sheets (discourse.validate export side)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from discourse.errors import InputError, ParameterError
from discourse.validate import (TASK_KINDS, ExportConfig, build_tasks, coder_tasks, export_tasks, quote_sheets, read_export,
                                read_labels)

from _validate_fixtures import synthetic_source


@pytest.fixture(scope="module")
def source():
    return synthetic_source()


def test_word_intrusion_intruder_is_improbable_here_and_probable_elsewhere(source):
    src, _ = source
    mt = src.models["lda"]
    tasks, key = build_tasks(src, ExportConfig(tasks=("word_intrusion",)))
    assert len(tasks) == len(mt.topic_ids)
    vocab = {w: i for i, w in enumerate(mt.vocabulary)}
    for t in tasks:
        k = key[key["task_id"] == t["task_id"]]
        assert len(k) == 6 and k["is_intruder"].sum() == 1
        row = mt.topic_ids.index(t["topic"])
        ranks = np.argsort(np.argsort(-mt.term_weights[row], kind="stable"), kind="stable")
        intruder = vocab[k.loc[k["is_intruder"], "text"].iat[0]]
        assert ranks[intruder] >= len(mt.vocabulary) // 2
        others = [np.argsort(-mt.term_weights[i], kind="stable")[:10] for i in range(len(mt.topic_ids)) if i != row]
        assert any(intruder in o for o in others)
        shown = [vocab[w] for w in k.loc[~k["is_intruder"], "text"]]
        assert sorted(ranks[shown]) == [0, 1, 2, 3, 4]


def test_passage_tasks_show_top_topics_and_a_low_share_intruder(source):
    src, _ = source
    mt = src.models["lda"]
    tasks, key = build_tasks(src, ExportConfig(tasks=("topic_intrusion", "label_intrusion"), per_topic=3))
    assert {t["task"] for t in tasks} == {"topic_intrusion", "label_intrusion"}
    rows = {pid: i for i, pid in enumerate(src.passages["passage_id"])}
    for t in tasks:
        k = key[key["task_id"] == t["task_id"]]
        theta = mt.doc_topic[rows[t["passage_id"]]]
        assert t["passage"] == src.passages["text"].iat[rows[t["passage_id"]]]
        top3 = np.sort(theta)[::-1][:3]
        assert np.allclose(np.sort(k.loc[~k["is_intruder"], "value"].to_numpy())[::-1], top3, rtol=1e-5)
        assert k.loc[k["is_intruder"], "value"].iat[0] < top3.min()
        assert t["topic"] == mt.topic_ids[int(np.argmax(theta))]
        if t["task"] == "label_intrusion":
            assert set(k["text"]) <= set(mt.labels.values())


def test_word_set_intrusion_sets_come_from_the_topic_and_one_from_another(source):
    src, _ = source
    mt = src.models["lda"]
    tasks, key = build_tasks(src, ExportConfig(tasks=("word_set_intrusion",)))
    for t in tasks:
        k = key[key["task_id"] == t["task_id"]]
        block = set(mt.vocabulary[25 * t["topic"]:25 * (t["topic"] + 1)])
        for text, intr in zip(k["text"], k["is_intruder"]):
            words = set(text.split(", "))
            assert len(words) == 4
            assert (words & block == set()) if intr else (words <= block)


def test_tasks_are_reproducible_and_coders_get_their_own_order(source):
    src, _ = source
    a, ka = build_tasks(src, ExportConfig(random_state=3))
    b, kb = build_tasks(src, ExportConfig(random_state=3))
    c, _ = build_tasks(src, ExportConfig(random_state=4))
    assert a == b and ka.equals(kb) and a != c
    one, two = coder_tasks(a, 1, 3), coder_tasks(a, 2, 3)
    assert one == coder_tasks(a, 1, 3)
    assert [t["task_id"] for t in one] != [t["task_id"] for t in two]
    assert sorted(t["task_id"] for t in one) == sorted(t["task_id"] for t in a)
    by_id = {t["task_id"]: t for t in a}
    for t in one:  # same options, possibly in another order
        assert sorted(o["id"] for o in t["options"]) == sorted(o["id"] for o in by_id[t["task_id"]]["options"])


def test_export_writes_pages_without_the_key(tmp_path, source):
    src, _ = source
    ex = export_tasks(src, tmp_path / "v", n_coders=2, random_state=1)
    out = tmp_path / "v"
    assert sorted(p.name for p in (out / "coders").iterdir()) == ["coder_01.html", "coder_02.html"]
    page = (out / "coders" / "coder_01.html").read_text(encoding="utf-8")
    assert "is_intruder" not in page and "http://" not in page and "https://" not in page
    assert "<script src" not in page and "<link" not in page
    study = json.loads(page.split('id="study">', 1)[1].split("</script>", 1)[0])
    assert study["export_id"] == ex.export_id and study["coder"] == "coder_01"
    assert {t["task_id"] for t in study["tasks"]} == {t["task_id"] for t in ex.tasks}
    for t in study["tasks"]:
        assert set(t) == {"task_id", "task", "model", "topic", "passage_id", "prompt", "passage", "options"}
    rec = read_export(out)
    assert rec.export_id == ex.export_id and rec.coders == ("coder_01", "coder_02")
    assert rec.key["is_intruder"].dtype == bool
    again = export_tasks(src, tmp_path / "w", n_coders=2, random_state=1)
    for name in ("answer_key.csv", "tasks.json", "quotes.csv", "coders/coder_02.html"):
        assert (out / name).read_bytes() == (tmp_path / "w" / name).read_bytes()


def test_task_kinds_and_parameters_are_checked(source):
    src, _ = source
    with pytest.raises(ParameterError, match="tasks="):
        build_tasks(src, ExportConfig(tasks=("nonsense",)))
    with pytest.raises(ParameterError, match="n_coders=0"):
        export_tasks(src, n_coders=0)
    with pytest.raises(ParameterError, match="has no bertopic"):
        build_tasks(src, ExportConfig(models=("bertopic",)))
    assert set(TASK_KINDS) == {t["task"] for t in build_tasks(src, ExportConfig())[0]}


def test_quote_sheets_have_the_largest_shares_and_offsets_into_the_clean_text(source):
    src, clean = source
    q = quote_sheets(src, n=2)
    mt = src.models["lda"]
    for r in q.itertuples():
        assert clean[r.doc_id][r.start:r.end] == r.text
    assert set(q["grouping"]) == {"all", "period", "outlet"}
    overall = q[(q["grouping"] == "all") & (q["topic"] == 0)]
    assert np.allclose(overall["share"], np.sort(mt.doc_topic[:, 0])[::-1][:2])
    g = q[(q["grouping"] == "period") & (q["group"] == "2024") & (q["topic"] == 1)]
    docs_2024 = set(src.metadata.index[src.metadata["period"] == "2024"])
    assert set(g["doc_id"]) <= docs_2024 and len(g) == 2
    assert set(q["outlet"]) <= set(src.metadata["outlet"]) and (q["date"] != "").all()


def test_read_labels(tmp_path):
    p = tmp_path / "labels.csv"
    p.write_text("model,topic,label\nlda,0,Border security\nLDA,1,Trade\n", encoding="utf-8")
    assert read_labels(p) == {"lda": {0: "Border security", 1: "Trade"}}
    p.write_text("model,topic\nlda,0\n", encoding="utf-8")
    with pytest.raises(InputError, match="lacks column"):
        read_labels(p)
    p.write_text("model,topic,label\nlda,x,Trade\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2: topic must be an integer"):
        read_labels(p)


def test_cli_export_from_an_analyze_folder(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=str(root) + os.pathsep + os.environ.get("PYTHONPATH", ""))

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "discourse", *map(str, args)], capture_output=True, text=True, env=env,
                              cwd=root, timeout=600)

    res, cache = tmp_path / "analysis", tmp_path / "cache"
    proc = cli("analyze", "seeds", "--by", "period", "--models", "lda", "--k", "3", "--no-figures", "--quiet",
               "--out", res, "--cache", cache)
    assert proc.returncode == 0, proc.stderr
    proc = cli("validate", "export", res, "--out", tmp_path / "v", "--coders", "2", "--seed", "4", "--cache", cache)
    assert proc.returncode == 0, proc.stderr
    assert "tasks for each of 2 coders" in proc.stdout
    rec = read_export(tmp_path / "v")
    assert rec.manifest["parameters"]["random_state"] == 4 and rec.manifest["source"]["corpus_hash"]
    q = pd.read_csv(tmp_path / "v" / "quotes.csv")
    q = pd.read_csv(tmp_path / "v" / "quotes.csv", keep_default_na=False)
    assert {"all", "period"} == set(q["grouping"]) and not q["outlet"].isin(["nan", "None"]).any()
    proc = cli("validate", "export", res, "--out", tmp_path / "w", "--cache", tmp_path / "empty")
    assert proc.returncode == 2 and "are not in the cache" in proc.stderr and "Traceback" not in proc.stderr


def test_source_from_fitted_leaves_out_outliers_and_takes_the_researchers_labels():
    from types import SimpleNamespace

    from discourse.validate import source_from_fitted

    rng = np.random.default_rng(0)
    passages = pd.DataFrame({"doc_id": ["a"] * 4, "passage_id": [f"a#{i:04d}" for i in range(4)], "start": [0, 5, 10, 15],
                             "end": [4, 9, 14, 19], "text": ["one.", "two.", "thr.", "fou."], "n_tokens": 1})
    theta = rng.dirichlet(np.ones(3), size=4)
    model = SimpleNamespace(doc_topic_=theta, topic_ids_=[-1, 0, 1], labels_={-1: "outliers", 0: "zero", 1: "one"},
                            _term_weights=lambda: ([-1, 0, 1], ["x", "y", "z"], rng.random((3, 3))))
    prepared = SimpleNamespace(passages=passages, metadata=pd.DataFrame(index=pd.Index(["a"], name="doc_id")),
                               corpus_hash="h")
    src = source_from_fitted(prepared, {"bertopic": model}, labels={"bertopic": {1: "Border closures"}})
    mt = src.models["bertopic"]
    assert mt.topic_ids == (0, 1) and mt.doc_topic.shape == (4, 2)
    assert np.allclose(mt.doc_topic, theta[:, 1:])
    assert mt.labels == {0: "zero", 1: "Border closures"}
    with pytest.raises(InputError, match="fitted on 4 passages but the prepared corpus has 3"):
        source_from_fitted(SimpleNamespace(passages=passages.iloc[:3], metadata=prepared.metadata, corpus_hash="h"),
                           {"bertopic": model})
