"""A study in one file: load_study, discourse init, analyze --config with flags overriding it,
warnings and groupings.csv where a grouping cannot be compared, a corpus summary that scales."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import discourse
from discourse import InputError, ParameterError, load_study
from discourse.cli import PER_DOCUMENT_LINES, main
from discourse.groupings import check_groupings
from discourse.study import EXAMPLE_STUDY, write_example

LEE = Path(__import__("gensim").__file__).parent / "test" / "test_data" / "lee_background.cor"


@pytest.fixture(scope="module")
def seeds_csv(tmp_path_factory):
    corpus = discourse.load_seeds()
    df = corpus.metadata.reset_index().rename(columns={"doc_id": "id"})
    df["text"] = list(corpus.texts())
    df["language"] = "en"
    path = tmp_path_factory.mktemp("seedscsv") / "seeds.csv"
    df.to_csv(path, index=False)
    return path


def test_example_study_round_trips(tmp_path):
    written = write_example(tmp_path)
    assert {p.name for p in written} == {"study.toml", "metadata.csv", "README.md"}
    study = load_study(tmp_path / "study.toml")
    cfg = study.config
    # the example holds the notebooks' settings (notebooks/study.py), so the CLI and the notebooks agree
    assert cfg.k_range == (2, 3, 4, 5, 6, 8) and cfg.k_seeds == (0, 1, 2) and cfg.min_docs is None  # from the coverage simulation
    assert cfg.by == ("outlet_country", "period", "outlet_country:period") and cfg.models == ("lda", "bertopic")
    assert study.corpus == str(tmp_path / "corpus") and study.out == str(tmp_path / "results")
    assert study.load_options["duplicates"] == "keep_once"
    header = (tmp_path / "corpus" / "metadata.csv").read_text().splitlines()[0]
    assert header.startswith("file,") and "published" in header and "period" in header
    for column in header.split(","):
        assert f"`{column}`" in (tmp_path / "corpus" / "README.md").read_text()


def test_init_never_overwrites(tmp_path, capsys):
    assert main(["init", str(tmp_path / "s")]) == 0
    assert "study.toml" in capsys.readouterr().out
    (tmp_path / "s" / "study.toml").write_text("# mine\n")
    assert main(["init", str(tmp_path / "s")]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (tmp_path / "s" / "study.toml").read_text() == "# mine\n"


@pytest.mark.parametrize("text,match", [
    ("[models]\nk = 1\n", r"study.toml: \[models\] k = 1 is not allowed: expected an integer >= 2"),
    ("[model]\nk = 3\n", r"unknown section \[model\]; sections are \[corpus\]"),
    ("[compare]\nmin_doc = 3\n", r"\[compare\]: unknown setting 'min_doc'; settings there are by, min_docs"),
    ("[models]\nk_range = [2]\n", r"\[models\] k_range = \[2\] is not allowed"),
    ("[corpus]\nduplicates = \"drop\"\n", r"\[corpus\] duplicates = 'drop' is not allowed"),
])
def test_bad_values_name_file_section_and_key(tmp_path, text, match):
    (tmp_path / "study.toml").write_text(text)
    with pytest.raises(ParameterError, match=match):
        load_study(tmp_path / "study.toml")


def test_unreadable_study_files(tmp_path):
    with pytest.raises(InputError, match="no such study file; write one with `discourse init DIR`"):
        load_study(tmp_path / "nope.toml")
    (tmp_path / "s.toml").write_text("[models\nk = 3\n")
    with pytest.raises(InputError, match=r"s.toml: not valid TOML \(.*line 1"):
        load_study(tmp_path / "s.toml")


def test_vocabulary_of_the_study_file_is_applied(tmp_path):
    """[vocabulary] stop words, aliases and lexicon reach the tokenizer and the frame balance."""
    import shutil

    import discourse
    from discourse.corpus import seeds_path

    data = Path(discourse.__file__).resolve().parent / "data"
    lexicon = (data / "frames.csv").read_text(encoding="utf-8").replace("# domain: English-language news",
                                                                         "# domain: TEST DOMAIN English-language news", 1)
    (tmp_path / "frames.csv").write_text(lexicon, encoding="utf-8")
    shutil.copy(data / "aliases.csv", tmp_path / "aliases.csv")
    (tmp_path / "study.toml").write_text(
        f'[corpus]\npath = "{seeds_path()}"\n[compare]\nby = ["period"]\n[models]\nuse = ["lda"]\nk = 2\nruns = 1\n'
        '[vocabulary]\nstop_words = ["pakistan", "afghanistan"]\nlexicon = "frames.csv"\naliases = "aliases.csv"\n'
        '[output]\nfigures = false\n')
    study = load_study(tmp_path / "study.toml")
    assert study.config.extra_stopwords == ("pakistan", "afghanistan")
    assert study.config.lexicon == str(tmp_path / "frames.csv") and study.config.aliases == str(tmp_path / "aliases.csv")
    assert study.resolved()["analysis"]["lexicon"] == "frames.csv"
    res = discourse.analyze(study.load_corpus(), study.config, n_resamples=200, n_permutations=200, progress=False)
    terms = set(res.tables["topics"]["term"])
    assert "pakistan" not in terms and "afghanistan" not in terms
    assert set(res.tables["frames"]["domain"]).pop().startswith("TEST DOMAIN")


def test_flags_override_the_file(tmp_path):
    write_example(tmp_path)
    study = load_study(tmp_path / "study.toml").with_overrides(k=4, min_docs=None, by=("period",), duplicates="keep_all")
    assert study.config.k == 4 and study.config.min_docs is None and study.config.by == ("period",)
    assert study.load_options["duplicates"] == "keep_all"
    assert study.resolved()["corpus"] == "corpus"  # recorded relative to the study file


def _study(tmp_path, seeds_csv, by):
    (tmp_path / "study.toml").write_text(EXAMPLE_STUDY.replace('path = "corpus"', f'path = "{seeds_csv}"')
                                         .replace('by = ["outlet_country", "period", "outlet_country:period"]', f"by = {json.dumps(by)}")
                                         .replace('use = ["lda", "bertopic"]', 'use = ["lda"]')
                                         .replace("n_resamples = 2000", "n_resamples = 200")
                                         .replace("n_permutations = 2000", "n_permutations = 200")
                                         .replace("figures = true", "figures = false"))
    return tmp_path / "study.toml"


def test_analyze_config_with_overrides_and_manifest(tmp_path, seeds_csv):
    study = _study(tmp_path, seeds_csv, ["period"])
    proc = subprocess.run([sys.executable, "-m", "discourse", "--quiet", "analyze", "--config", str(study), "--k", "2",
                           "--min-docs", "2", "--out", str(tmp_path / "o")], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    settings = manifest["settings"]
    assert settings["study_file"] == "study.toml" and settings["load"]["duplicates"] == "keep_once"
    assert settings["analysis"]["k"] == 2 and settings["analysis"]["min_docs"] == 2  # flags win
    assert settings["analysis"]["k_range"] == [2, 3, 4, 5, 6, 8] and settings["analysis"]["n_resamples"] == 200  # the file
    assert manifest["parameters"]["min_docs"] == 2
    groupings = pd.read_csv(tmp_path / "o" / "groupings.csv", dtype={"group": str})
    assert groupings.set_index("group").loc["2021", "too_few"]


def test_single_group_warns_and_tables_say_so(tmp_path, seeds_csv):
    proc = subprocess.run([sys.executable, "-m", "discourse", "--quiet", "analyze", str(seeds_csv), "--by", "language",
                           "--models", "lda", "--k", "2", "--resamples", "200", "--permutations", "200", "--no-figures",
                           "--out", str(tmp_path / "o"), "--cache", str(tmp_path / "c")], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    warnings = [ln for ln in proc.stderr.splitlines() if "language" in ln]
    assert warnings == ["discourse: warning: --by 'language': 1 group ('en' (5 docs)): nothing to compare, so keyness, "
                        "contrasts and drift have no rows for it; choose a column with at least two values"]
    assert "keyness.csv: 0 rows (empty: --by 'language': 1 group" in proc.stdout
    assert "contrasts.csv: 0 rows (empty:" in proc.stdout
    g = pd.read_csv(tmp_path / "o" / "groupings.csv")
    assert g.to_dict("records")[0] | {"note": None} == {"grouping": "language", "group": "en", "n_docs": 5, "too_few": False,
                                                        "comparable": False, "note": None}


def test_check_groupings_too_small_and_unknown():
    meta = pd.DataFrame({"outlet": ["a", "a", "b", None], "period": ["1", "2", "1", "2"]}, index=list("wxyz"))
    t = check_groupings(meta, ["outlet", "outlet:period"], min_docs=2)
    first = t[t["grouping"] == "outlet"]
    assert first["n_docs"].tolist() == [2, 1] and first["too_few"].tolist() == [False, True]
    assert "1 document(s) with no value are left out" in first["note"].iloc[0]
    crossed = t[t["grouping"] == "outlet:period"]
    assert crossed["too_few"].all() and "every group has fewer than min_docs=2" in crossed["note"].iloc[0]


def test_corpus_summary_scales(tmp_path, capsys):
    docs = [ln for ln in LEE.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()][:PER_DOCUMENT_LINES + 20]
    docs = [d + ("\n\nRecent Posts\n\nBudget talks stall\n\nCricket board names new captain" if i % 3 == 0 else "") for i, d in enumerate(docs)]
    pd.DataFrame({"id": [f"d{i:03d}" for i in range(len(docs))], "text": docs,
                  "period": ["2015" if i % 2 else "2024" for i in range(len(docs))]}).to_csv(tmp_path / "c.csv", index=False)
    assert main(["--quiet", "corpus", str(tmp_path / "c.csv")]) == 0
    out = capsys.readouterr().out
    assert "largest removals:" in out and "documents by share of characters removed:" in out
    assert "d001 " not in out  # no line per document
    assert len(out.splitlines()) < 35


def test_example_study_holds_the_notebooks_settings(tmp_path):
    """The study file `discourse init` writes and notebooks/study.py give the same analysis settings."""
    import runpy
    from dataclasses import asdict

    notebooks = runpy.run_path(str(Path(__file__).resolve().parents[1] / "notebooks" / "study.py"))["CONFIG"]
    write_example(tmp_path)
    example = load_study(tmp_path / "study.toml").config
    ignore = {"cache_dir", "progress", "figures", "reproducible", "scheduler"}
    assert {k: v for k, v in asdict(example).items() if k not in ignore} == \
           {k: v for k, v in asdict(notebooks).items() if k not in ignore}
