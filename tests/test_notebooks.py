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
def test_figure_build_executes_every_notebook_and_matches_committed(tmp_path, monkeypatch):
    """Cold build (empty cache) of every notebook; each figure byte-identical to the committed one."""
    from discourse.build import build_figures
    from discourse.figures import read_provenance

    monkeypatch.setenv("DISCOURSE_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "figures"
    written = build_figures(notebooks=NOTEBOOKS, outdir=out, progress=False)
    built = sorted(p.name for p in written)
    committed = sorted(p.name for p in FIGURES.iterdir() if p.is_file())
    assert built == committed, "figures/ is stale: run `discourse figures` and commit"
    differing = [n for n in built if (out / n).read_bytes() != (FIGURES / n).read_bytes()]
    assert not differing, f"figures differ from a fresh build: {differing}; run `discourse figures` and commit"
    prov = read_provenance(out / "lda_prevalence_period.png")
    assert prov["random_state"] == 0 and len(prov["corpus_hash"]) == 64
    assert "inputs_sha256" in prov["extra"] and "gensim" in prov["versions"]
