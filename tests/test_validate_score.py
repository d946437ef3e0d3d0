"""Scoring answers: simulated coders with known accuracy, agreement, malformed answers refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from discourse.errors import InputError
from discourse.validate import (expected_log_odds, export_tasks, read_export, score_answers, simulate_answers,
                                write_answers, write_scores)

from _validate_fixtures import synthetic_source

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    src, _ = synthetic_source(k=4, n_docs=20, per_doc=10, seed=1)
    out = tmp_path_factory.mktemp("validate") / "export"
    ex = export_tasks(src, out, n_coders=40, random_state=0, per_topic=10)
    return out, ex


def test_simulated_coders_recover_their_accuracy(exported, tmp_path):
    out, ex = exported
    accuracy = 0.7
    paths = write_answers(simulate_answers(ex.key, ex.export_id, [accuracy] * 40, random_state=5), tmp_path / "a")
    res = score_answers(out, paths)
    df = res.to_frame()
    for measure in ("model_precision", "word_set_accuracy", "topic_accuracy", "label_accuracy"):
        rows = df[df["measure"] == measure]
        for r in rows.itertuples():
            se = np.sqrt(accuracy * (1 - accuracy) / r.n_judgments)
            assert abs(r.estimate - accuracy) < 3.5 * se, (measure, r.topic, r.estimate)
        overall = rows[rows["topic"] == "all"].iloc[0]
        assert overall["ci_low"] <= accuracy <= overall["ci_high"]
        assert overall["n_judgments"] == 40 * rows[rows["topic"] != "all"]["n_tasks"].sum()
        assert overall["interval"] == "clopper-pearson"
    tlo = df[(df["measure"] == "topic_log_odds") & (df["topic"] == "all")].iloc[0]
    truth = expected_log_odds(ex.key, accuracy).mean()
    assert tlo["ci_low"] <= truth <= tlo["ci_high"]
    assert tlo["interval"].startswith("bootstrap over tasks")
    per_topic = df[(df["measure"] == "topic_log_odds") & (df["topic"] != "all")]
    assert per_topic["interval"].str.startswith("none: 10 tasks").all()  # below MIN_TASKS: no interval, and why
    assert np.isnan(per_topic["ci_low"]).all()


def test_perfect_coders_score_one_and_agree(exported, tmp_path):
    out, ex = exported
    paths = write_answers(simulate_answers(ex.key, ex.export_id, [1.0, 1.0, 1.0], random_state=0), tmp_path / "a")
    res = score_answers(out, paths)
    df = res.to_frame()
    props = df[df["measure"] != "topic_log_odds"]
    assert (props["estimate"] == 1.0).all()
    assert (df.loc[df["measure"] == "topic_log_odds", "estimate"] == 0.0).all()
    assert np.allclose(res.agreement["alpha"], 1.0)
    assert (res.agreement["n_coders"] == 3).all()


def test_chance_coders_score_chance_and_do_not_agree(exported, tmp_path):
    out, ex = exported
    # a coder of accuracy 1/n_options who otherwise picks uniformly picks uniformly among all options
    paths = write_answers(simulate_answers(ex.key, ex.export_id, [1 / 6] * 40, random_state=2), tmp_path / "a")
    res = score_answers(out, paths)
    wi = res.to_frame().query("measure == 'model_precision' and topic == 'all'").iloc[0]
    assert wi["ci_low"] <= 1 / 6 <= wi["ci_high"] and wi["chance"] == pytest.approx(1 / 6)
    assert abs(res.agreement.set_index("task").loc["word_intrusion", "alpha"]) < 0.1


def test_skipped_tasks_are_counted_not_scored(exported, tmp_path):
    out, ex = exported
    frames = simulate_answers(ex.key, ex.export_id, [0.8, 0.8], skip=0.3, random_state=3)
    res = score_answers(out, write_answers(frames, tmp_path / "a"))
    n_skipped = sum(int((f["answer"] == "").sum()) for f in frames)
    overall = res.to_frame().query("topic == 'all' and measure != 'topic_accuracy'")
    assert overall["n_skipped"].sum() == n_skipped
    assert overall["n_judgments"].sum() + n_skipped == sum(len(f) for f in frames)


def test_json_answers_score_like_csv(exported, tmp_path):
    out, ex = exported
    frames = simulate_answers(ex.key, ex.export_id, [0.6], random_state=4)
    csv = write_answers(frames, tmp_path / "csv")
    f = frames[0]
    doc = {"format": "discourse-validate-answers", "version": 1, "export_id": ex.export_id, "coder": "coder_01",
           "answers": f.drop(columns=["export_id", "coder"]).to_dict("records")}
    js = tmp_path / "a.json"
    js.write_text(json.dumps(doc), encoding="utf-8")
    a, b = score_answers(out, csv).to_frame(), score_answers(out, [js]).to_frame()
    pd.testing.assert_frame_equal(a, b)


def _answers(ex, tmp_path, edit=None, name="answers.csv"):
    df = simulate_answers(ex.key, ex.export_id, [0.8], random_state=0)[0]
    if edit is not None:
        df = edit(df)
    p = tmp_path / name
    df.to_csv(p, index=False)
    return p


def _first_task(ex):
    return ex.key["task_id"].iat[0]


@pytest.mark.parametrize("case, edit, message", [
    ("other export", lambda df: df.assign(export_id="0123456789abcdef"), r"belongs to export 0123456789abcdef, not to"),
    ("unknown task", lambda df: df.assign(task_id=df["task_id"].where(df.index != 0, "wi-lda-99")),
     r"task 'wi-lda-99': no such task"),
    ("bad option", lambda df: df.assign(answer=df["answer"].where(df.index != 0, "o9")), r"task '.+': answer 'o9' is not one of"),
    ("twice", lambda df: pd.concat([df, df.iloc[[0]]]), r"task '.+': answered twice"),
    ("no column", lambda df: df.drop(columns=["answer"]), r"lacks column\(s\) answer"),
    ("two coders", lambda df: df.assign(coder=["coder_01", "coder_02"] * (len(df) // 2) + ["coder_01"] * (len(df) % 2)),
     r"each file must hold one coder"),
    ("unknown coder", lambda df: df.assign(coder="coder_99"), r"coder 'coder_99' is not one of this export's coders"),
    ("wrong kind", lambda df: df.assign(task=df["task"].where(df.index != 0, "label_intrusion")), r"kind 'label_intrusion'"),
])
def test_malformed_answers_are_refused_naming_file_and_task(exported, tmp_path, case, edit, message):
    out, ex = exported
    p = _answers(ex, tmp_path, edit)
    with pytest.raises(InputError, match=message) as err:
        score_answers(out, [p])
    assert str(p) in str(err.value) and "\n" not in str(err.value)


def test_missing_empty_and_garbled_files_are_refused(exported, tmp_path):
    out, ex = exported
    with pytest.raises(InputError, match=r"answers file '.*nope.csv' does not exist"):
        score_answers(out, [tmp_path / "nope.csv"])
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="is empty"):
        score_answers(out, [empty])
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="is not valid JSON"):
        score_answers(out, [bad])
    other = tmp_path / "other.json"
    other.write_text('{"answers": 3}', encoding="utf-8")
    with pytest.raises(InputError, match="not an answers file saved by a coder's page"):
        score_answers(out, [other])
    a = _answers(ex, tmp_path, name="one.csv")
    b = _answers(ex, tmp_path, name="two.csv")
    with pytest.raises(InputError, match="are both from coder_01"):
        score_answers(out, [a, b])
    with pytest.raises(InputError, match="no answers file given"):
        score_answers(out, [])
    with pytest.raises(InputError, match="not a validation export folder"):
        score_answers(tmp_path, [a])


def test_write_scores_writes_tables_and_figure(exported, tmp_path):
    out, ex = exported
    res = score_answers(out, write_answers(simulate_answers(ex.key, ex.export_id, [0.9, 0.6], random_state=1), tmp_path / "a"))
    dest = write_scores(res, tmp_path / "scores")
    assert {p.name for p in dest.iterdir()} == {"scores.csv", "agreement.csv", "judgments.csv", "figures", "manifest.json"}
    assert (dest / "figures" / "validation.png").stat().st_size > 0
    back = pd.read_csv(dest / "scores.csv", dtype={"topic": str})
    assert list(back.columns[:8]) == ["measure", "model", "topic", "label", "estimate", "ci_low", "ci_high", "n_judgments"]
    assert "Krippendorff's alpha" in res.summary()


def _cli(*args):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "discourse", *map(str, args)], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)


def test_cli_score_and_its_one_line_errors(exported, tmp_path):
    out, ex = exported
    paths = write_answers(simulate_answers(ex.key, ex.export_id, [0.8, 0.8], random_state=1), tmp_path / "a")
    proc = _cli("validate", "score", out, *paths, "--out", tmp_path / "s", "--no-figure")
    assert proc.returncode == 0, proc.stderr
    assert "model_precision" in proc.stdout and (tmp_path / "s" / "scores.csv").is_file()
    proc = _cli("validate", "score", out, tmp_path / "missing.csv", "--out", tmp_path / "s2")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith("discourse: error: answers file")
    assert "Traceback" not in proc.stderr
    bad = _answers(ex, tmp_path, lambda df: df.assign(answer=df["answer"].where(df.index != 0, "zz")))
    proc = _cli("validate", "score", out, bad)
    assert proc.returncode == 2 and "answer 'zz' is not one of" in proc.stderr and "Traceback" not in proc.stderr
    proc = _cli("validate", "export", tmp_path, "--out", tmp_path / "x")
    assert proc.returncode == 2 and "no manifest.json" in proc.stderr and "Traceback" not in proc.stderr


def test_plot_validation_draws_on_the_given_axes(exported, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from discourse.errors import ParameterError
    from discourse.plot import plot_validation

    out, ex = exported
    res = score_answers(out, write_answers(simulate_answers(ex.key, ex.export_id, [0.9, 0.6], random_state=1), tmp_path / "a"))
    before = dict(matplotlib.rcParams)
    fig, ax = plt.subplots()
    got = plot_validation(res.to_frame(), measure="topic_log_odds", ax=ax)
    assert got is ax
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1].startswith("all topics (n=") and len(labels) == 5
    assert dict(matplotlib.rcParams) == before
    with pytest.raises(ParameterError, match="measure"):
        plot_validation(res.to_frame(), measure="nonsense")
    plt.close("all")
