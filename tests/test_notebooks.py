"""The notebooks: paired with their scripts, executed for real, figures equal to the committed ones."""

from __future__ import annotations

import json
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
FIGURES = ROOT / "figures"


def _cells(nb):
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


@pytest.mark.parametrize("ipynb", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_pairs_agree_and_carry_no_outputs(ipynb):
    script = ipynb.with_suffix(".py")
    assert script.exists(), f"{ipynb.name} has no paired percent script"
    nb = jupytext.read(ipynb)
    py = jupytext.read(script)
    assert _cells(nb) == _cells(py), f"{ipynb.name} and {script.name} differ: run jupytext --sync"
    raw = json.loads(ipynb.read_text())
    for cell in raw["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs", []) == [] and cell.get("execution_count") is None


def test_notebooks_say_what_five_documents_cannot_show():
    text = (NOTEBOOKS / "01_corpus.py").read_text() + (NOTEBOOKS / "04_compare.py").read_text()
    assert "case study" in text and "not a sample" in text
    assert "confounded" in text


@pytest.mark.slow
def test_figure_builds_on_two_emulated_cpus_equal_the_committed_figures(tmp_path, monkeypatch, emulated_cpus):
    """Cold builds (empty caches) under two emulated CPUs: byte-identical to each other and to figures/.

    The emulations are set in the calling environment, as another machine's CPU would be; the build's
    reproducible mode pins the kernels inside the notebook kernels.  ``test_numeric`` shows the same
    emulations change the numbers when nothing pins them.
    """
    from discourse.figures import build_figures, compare_builds
    from discourse.figures import read_provenance

    builds = {}
    for name, env in emulated_cpus.items():
        with monkeypatch.context() as m:
            for k, v in env.items():
                m.setenv(k, v)
            out = tmp_path / f"figures-{name}"
            build_figures(notebooks=NOTEBOOKS, outdir=out, cache=tmp_path / f"cache-{name}", progress=False)
        builds[name] = out
    between = compare_builds(builds["A"], builds["B"])
    assert not between, "two emulated CPUs built different figures:\n" + "\n".join(between)
    report = compare_builds(builds["A"], FIGURES)
    assert not report, "figures/ differs from a fresh build:\n" + "\n".join(report)
    prov = read_provenance(builds["A"] / "lda_prevalence_period.png")
    assert prov["random_state"] == 0 and len(prov["corpus_hash"]) == 64 and prov["numeric"]["reproducible"] is True
    assert "inputs_sha256" in prov["extra"] and "gensim" in prov["versions"]


def test_compare_builds_names_figures_numbers_and_environments(tmp_path):
    from discourse.figures import compare_builds

    for name, value, isa in (("new", 0.25, "x86-64-v4 (AVX-512)"), ("old", 0.5, "x86-64-v3 (AVX2, FMA)")):
        (tmp_path / name / "tables").mkdir(parents=True)
        (tmp_path / name / "a.png").write_bytes(name.encode())
        (tmp_path / name / "b.png").write_bytes(b"same")
        (tmp_path / name / "tables" / "prevalence.csv").write_text(f"topic,share\n0,{value}\n1,0.1\n")
        (tmp_path / name / "tables" / "manifest.json").write_text(json.dumps({"numeric": {"isa": isa}}))
    report = compare_builds(tmp_path / "new", tmp_path / "old")
    assert "figures whose bytes differ: a.png" in report
    assert any("prevalence.csv row 0 share: 0.5 -> 0.25" in line for line in report)
    assert any(line.startswith("numeric environment isa") for line in report)
    assert "other files whose bytes differ: tables/manifest.json" in report
    assert report[-1].startswith("what to do")
    assert compare_builds(tmp_path / "old", tmp_path / "old") == []


def test_notebooks_name_the_reproducible_kernel_and_hand_runs_do_not_write_figures(tmp_path, monkeypatch):
    from discourse.figures import NotebookFigures

    for ipynb in NOTEBOOKS.glob("*.ipynb"):
        assert json.loads(ipynb.read_text())["metadata"]["kernelspec"]["name"] == "discourse", ipynb.name
    monkeypatch.delenv("DISCOURSE_FIGURES_DIR", raising=False)
    monkeypatch.setenv("DISCOURSE_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(NOTEBOOKS)
    assert NotebookFigures.from_environment().figures == tmp_path / "cache" / "notebook-figures"
