"""The command line on the seeds: corpus summary, export and analyze outputs."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from discourse.analysis import TABLE_COLUMNS
from discourse.cli import main


def test_corpus_summary_on_seeds(capsys):
    assert main(["--quiet", "corpus", "seeds"]) == 0
    out = capsys.readouterr().out
    assert "documents: 5" in out
    assert "by period:" in out and "2015" in out and "2024" in out
    assert "003_96d0e61bdfa75bcd" in out  # chrome removed per document


def test_corpus_export(tmp_path):
    assert main(["--quiet", "corpus", "seeds", "--export", str(tmp_path)]) == 0
    passages = pd.read_csv(tmp_path / "passages.csv", keep_default_na=False)
    assert list(passages.columns) == ["doc_id", "passage_id", "start", "end", "text"]
    removed = pd.read_csv(tmp_path / "removed.csv", keep_default_na=False)
    assert list(removed.columns) == ["doc_id", "start", "end", "rule", "text"]
    clean = (tmp_path / "clean" / "003_96d0e61bdfa75bcd.txt").read_text()
    assert "Recent Posts" not in clean and "hammadwaleed82@gmail.com" not in clean
    for row in passages.itertuples():
        text = (tmp_path / "clean" / f"{row.doc_id}.txt").read_text()
        assert text[row.start:row.end] == row.text


def test_analyze_writes_every_table_with_its_columns(tmp_path):
    out = tmp_path / "out"
    code = main(["--quiet", "analyze", "seeds", "--by", "outlet_country", "--by", "period", "--by", "outlet_country:period",
                 "--models", "lda", "--k", "3", "--out", str(out), "--cache", str(tmp_path / "cache"), "--no-figures"])
    assert code == 0
    for name, cols in TABLE_COLUMNS.items():
        df = pd.read_csv(out / f"{name}.csv")
        assert list(df.columns[: len(cols)]) == cols, name
    prev = pd.read_csv(out / "prevalence.csv", dtype={"group": str})
    single = prev[(prev["grouping"] == "period") & (prev["group"] == "2021")]
    assert (single["n_docs"] == 1).all() and single["too_few"].all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["random_state"] == 0 and manifest["parameters"]["by"] == ["outlet_country", "period", "outlet_country:period"]
    assert set(manifest["outputs"]) >= {f"{n}.csv" for n in TABLE_COLUMNS}
    assert "metadata.csv" in manifest["inputs"] and "gensim" in manifest["versions"]


def test_analyze_unknown_by_column_is_one_line_error(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "discourse", "analyze", "seeds", "--by", "region", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert lines == [lines[0]] and "no metadata column 'region'" in lines[0] and "Traceback" not in proc.stderr


def test_analyze_is_deterministic(tmp_path):
    args = ["--quiet", "analyze", "seeds", "--by", "period", "--models", "lda", "--k", "2", "--no-figures"]
    assert main(args + ["--out", str(tmp_path / "a"), "--cache", str(tmp_path / "c1")]) == 0
    assert main(args + ["--out", str(tmp_path / "b"), "--cache", str(tmp_path / "c2")]) == 0
    for f in sorted((tmp_path / "a").iterdir()):
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name


def test_analyze_pair_means_that_pair_and_prior_scale_is_recorded(tmp_path):
    out = tmp_path / "out"
    assert main(["--quiet", "analyze", "seeds", "--by", "period", "--models", "lda", "--k", "2", "--no-figures",
                 "--pair", "2024,2015", "--prior-scale", "0.5", "--out", str(out), "--cache", str(tmp_path / "c")]) == 0
    key = pd.read_csv(out / "keyness.csv", dtype={"group": str, "reference": str})
    assert set(zip(key["group"], key["reference"])) == {("2024", "2015")}
    con = pd.read_csv(out / "contrasts.csv", dtype={"group_a": str, "group_b": str})
    assert set(zip(con["group_a"], con["group_b"])) == {("2024", "2015")}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["prior_scale"] == 0.5 and manifest["parameters"]["pairs"] == [["2024", "2015"]]
    both = tmp_path / "both"
    assert main(["--quiet", "analyze", "seeds", "--by", "period", "--models", "lda", "--k", "2", "--no-figures",
                 "--pair", "2024,2015", "--against-rest", "--out", str(both), "--cache", str(tmp_path / "c")]) == 0
    key = pd.read_csv(both / "keyness.csv", dtype={"group": str, "reference": str})
    assert set(key["reference"]) == {"rest", "2015"}


@pytest.mark.parametrize("pair, message", [("2024", "--pair '2024'"), ("2024,1999", "--pair 2024,1999")])
def test_bad_pair_is_a_one_line_error(tmp_path, capsys, pair, message):
    assert main(["analyze", "seeds", "--by", "period", "--models", "lda", "--k", "2", "--no-figures", "--pair", pair,
                 "--out", str(tmp_path / "o"), "--cache", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert message in err and len([ln for ln in err.splitlines() if ln.strip()]) == 1


@pytest.mark.parametrize("k", ["1", "x"])
def test_bad_k_is_an_error(tmp_path, capsys, k):
    assert main(["analyze", "seeds", "--by", "period", "--k", k, "--out", str(tmp_path)]) == 2
    assert "--k" in capsys.readouterr().err
