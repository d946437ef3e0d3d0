"""Tests of discourse.figures: reproducible, provenance-stamped figure files and their manifest."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from discourse._io import sha256_file  # noqa: E402
from discourse.errors import InputError, ParameterError  # noqa: E402
from discourse.figures import PROVENANCE_KEY, load_manifest, read_provenance, save_figure  # noqa: E402
from discourse.plot import plot_frames  # noqa: E402

PROV = {"params": {"k": 4, "by": "outlet_country:period"}, "random_state": 0, "corpus_hash": "abc123",
        "extra": {"group": "Pakistan × 2024"}}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def make_figure():
    df = pd.DataFrame({"grouping": "period", "group": ["2015", "2021", "2024"], "frame_balance": [0.4, 0.1, -0.3],
                       "ci_low": [0.1, float("nan"), -0.6], "ci_high": [0.7, float("nan"), 0.0], "n_docs": [2, 1, 2]})
    return plot_frames(df).figure


def test_same_figure_gives_identical_bytes_in_every_format(tmp_path):
    fig = make_figure()
    a = save_figure(fig, "frames", outdir=tmp_path / "a", provenance=PROV, formats=("png", "svg", "pdf"))
    b = save_figure(fig, "frames", outdir=tmp_path / "b", provenance=PROV, formats=("png", "svg", "pdf"))
    assert [p.name for p in a] == ["frames.png", "frames.svg", "frames.pdf"]
    for pa, pb in zip(a, b):
        assert pa.read_bytes() == pb.read_bytes(), pa.name
    assert (tmp_path / "a" / "manifest.json").read_bytes() == (tmp_path / "b" / "manifest.json").read_bytes()


def test_rebuilt_figure_gives_identical_bytes(tmp_path):
    (p1,) = save_figure(make_figure(), "frames", outdir=tmp_path / "one", provenance=PROV)
    plt.close("all")
    (p2,) = save_figure(make_figure(), "frames", outdir=tmp_path / "two", provenance=PROV)
    assert p1.read_bytes() == p2.read_bytes()
    # a different provenance changes the file (it is stamped in)
    (p3,) = save_figure(make_figure(), "frames", outdir=tmp_path / "three", provenance={**PROV, "random_state": 1})
    assert p3.read_bytes() != p1.read_bytes()


def test_png_carries_provenance_and_no_timestamp(tmp_path):
    (path,) = save_figure(make_figure(), "frames", outdir=tmp_path, provenance=PROV)
    with Image.open(path) as im:
        im.load()
        text = dict(im.text)
    assert json.loads(text[PROVENANCE_KEY]) == PROV
    assert text["Title"] == "frames"
    assert text["Software"].startswith("discourse ")
    assert "matplotlib.org" not in text["Software"]
    assert b"tIME" not in path.read_bytes()
    assert read_provenance(path) == PROV


def test_svg_and_pdf_carry_provenance_without_dates(tmp_path):
    svg, pdf = save_figure(make_figure(), "frames", outdir=tmp_path, provenance=PROV, formats=("svg", "pdf"))
    text = svg.read_text(encoding="utf-8")
    assert "<dc:date>" not in text
    assert read_provenance(svg) == PROV
    raw = pdf.read_bytes()
    assert b"/CreationDate" not in raw and b"/ModDate" not in raw
    # provenance JSON in the PDF Subject (UTF-16 because of the "×")
    prov_json = json.dumps(PROV, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert b"/Subject (\xfe\xff" + prov_json.encode("utf-16-be") + b")" in raw


def test_manifest_records_each_file_and_merges(tmp_path):
    save_figure(make_figure(), "first", outdir=tmp_path, provenance=PROV, formats=("png", "svg"))
    save_figure(make_figure(), "second", outdir=tmp_path, provenance={"random_state": 3})
    manifest = load_manifest(tmp_path)
    assert sorted(manifest) == ["first.png", "first.svg", "second.png"]
    for fname, entry in manifest.items():
        assert entry["file"] == fname
        assert entry["sha256"] == sha256_file(tmp_path / fname)
    assert manifest["first.svg"]["provenance"] == PROV and manifest["first.svg"]["format"] == "svg"
    assert manifest["second.png"] == {"name": "second", "file": "second.png", "format": "png",
                                      "sha256": sha256_file(tmp_path / "second.png"),
                                      "provenance": {"random_state": 3}}
    raw = (tmp_path / "manifest.json").read_text(encoding="utf-8")
    assert raw == json.dumps(json.loads(raw), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    # no temporary files left behind by the atomic writes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.png", "first.svg", "manifest.json", "second.png"]


def test_manifest_drops_entries_whose_file_is_gone(tmp_path):
    save_figure(make_figure(), "old", outdir=tmp_path)
    (tmp_path / "old.png").unlink()
    save_figure(make_figure(), "new", outdir=tmp_path)
    assert sorted(load_manifest(tmp_path)) == ["new.png"]


def test_default_provenance_records_versions(tmp_path):
    (path,) = save_figure(make_figure(), "frames", outdir=tmp_path)
    prov = read_provenance(path)
    assert "matplotlib" in prov["versions"]
    assert "git_commit" not in prov  # a commit would make every rebuild differ


def test_accepts_axes_and_returns_paths(tmp_path):
    fig, axes = plt.subplots(1, 2)
    axes[0].plot([0, 1], [0, 1])
    (path,) = save_figure(axes, "grid", outdir=tmp_path)
    assert path.exists() and path.parent == tmp_path


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"name": "../escape"}, "name="),
        ({"name": "a/b"}, "name="),
        ({"name": ""}, "name="),
        ({"name": "ok", "formats": ("jpg",)}, "formats="),
        ({"name": "ok", "formats": ()}, "formats="),
        ({"name": "ok", "dpi": 0}, "dpi="),
    ],
)
def test_bad_arguments_raise_parameter_error(tmp_path, kwargs, match):
    with pytest.raises(ParameterError, match=match):
        save_figure(make_figure(), outdir=tmp_path, **kwargs)
    assert not list(tmp_path.iterdir())


def test_corrupt_manifest_is_reported(tmp_path):
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="manifest.json"):
        save_figure(make_figure(), "frames", outdir=tmp_path)
    assert load_manifest(tmp_path / "absent") == {}


def test_read_provenance_rejects_foreign_files(tmp_path):
    fig = make_figure()
    plain = tmp_path / "plain.png"
    fig.savefig(plain)
    with pytest.raises(InputError, match="no discourse provenance"):
        read_provenance(plain)
    with pytest.raises(InputError, match=".png and .svg"):
        read_provenance(tmp_path / "x.pdf")


def save_in_subprocess(kwargs: str, *argv: str, env: dict[str, str] | None = None) -> None:
    """``save_figure(make_figure(), 'frames', outdir=sys.argv[1], provenance=PROV, <kwargs>)`` in a fresh interpreter."""
    import os
    import subprocess
    import sys

    script = (
        "import sys, matplotlib; matplotlib.use('Agg'); sys.path.insert(0, {tests!r}); "
        "from test_figures import make_figure, PROV; from discourse.figures import save_figure; "
        "save_figure(make_figure(), 'frames', outdir=sys.argv[1], provenance=PROV, {kwargs})"
    ).format(tests=str(__import__("pathlib").Path(__file__).parent), kwargs=kwargs)
    subprocess.run([sys.executable, "-c", script, *argv], check=True, capture_output=True, env=dict(os.environ, **(env or {})))


def test_separate_processes_give_identical_files(tmp_path):
    for name in ("a", "b"):
        save_in_subprocess("formats=('png', 'svg', 'pdf')", str(tmp_path / name))
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == ["frames.pdf", "frames.png", "frames.svg", "manifest.json"]
    for f in files:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


# --------------------------------------------------------------------------- render cache
def count_renders(monkeypatch) -> list[str]:
    from matplotlib.figure import Figure

    calls: list[str] = []
    real = Figure.savefig

    def counting(self, *a, **k):
        calls.append(k.get("format", "?"))
        return real(self, *a, **k)

    monkeypatch.setattr(Figure, "savefig", counting)
    return calls


def test_render_cache_reuses_the_bytes_of_an_identical_figure(tmp_path, monkeypatch):
    calls = count_renders(monkeypatch)
    plain = save_figure(make_figure(), "frames", outdir=tmp_path / "plain", provenance=PROV, formats=("png", "svg"))
    first = save_figure(make_figure(), "frames", outdir=tmp_path / "a", provenance=PROV, formats=("png", "svg"),
                        cache=tmp_path / "cache")
    assert len(calls) == 4 and len(list((tmp_path / "cache").iterdir())) == 2
    again = save_figure(make_figure(), "frames", outdir=tmp_path / "b", provenance=PROV, formats=("png", "svg"),
                        cache=tmp_path / "cache")
    assert len(calls) == 4  # a freshly drawn, identical figure is not rendered again
    for p, f, g in zip(plain, first, again):
        assert p.read_bytes() == f.read_bytes() == g.read_bytes()  # the cache changes nothing in the files
    assert (tmp_path / "a" / "manifest.json").read_bytes() == (tmp_path / "b" / "manifest.json").read_bytes()


@pytest.mark.parametrize("change", ["data", "provenance", "dpi", "rcparams"])
def test_render_cache_misses_when_anything_that_decides_the_bytes_changes(tmp_path, monkeypatch, change):
    save_figure(make_figure(), "frames", outdir=tmp_path / "a", provenance=PROV, cache=tmp_path / "cache")
    calls = count_renders(monkeypatch)

    def save(outdir, **cache):
        fig, prov, dpi = make_figure(), PROV, 200
        if change == "data":
            fig.axes[0].set_title("another title")
        elif change == "provenance":
            prov = PROV | {"random_state": 1}
        elif change == "dpi":
            dpi = 150
        with matplotlib.rc_context({"text.hinting": "none"} if change == "rcparams" else {}):
            return save_figure(fig, "frames", outdir=outdir, provenance=prov, dpi=dpi, **cache)[0].read_bytes()

    cached = save(tmp_path / "b", cache=tmp_path / "cache")
    assert len(calls) == 1  # rendered, not taken from the cache
    assert cached == save(tmp_path / "c") != (tmp_path / "a" / "frames.png").read_bytes()


def test_damaged_render_cache_entry_is_reported_and_rendered_again(tmp_path, monkeypatch, caplog):
    (good,) = save_figure(make_figure(), "frames", outdir=tmp_path / "a", provenance=PROV, cache=tmp_path / "cache")
    (entry,) = list((tmp_path / "cache").iterdir())
    raw = bytearray(entry.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    entry.write_bytes(bytes(raw))
    calls = count_renders(monkeypatch)
    with caplog.at_level("WARNING", logger="discourse"):
        (path,) = save_figure(make_figure(), "frames", outdir=tmp_path / "b", provenance=PROV, cache=tmp_path / "cache")
    assert calls == ["png"] and "damaged" in caplog.text
    assert path.read_bytes() == good.read_bytes() and entry.read_bytes()[32:] == good.read_bytes()  # entry rewritten


def test_unpicklable_figure_is_rendered_without_the_cache(tmp_path):
    from matplotlib.ticker import FuncFormatter

    fig = make_figure()
    fig.axes[0].xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.1f}"))  # a lambda cannot be pickled
    (path,) = save_figure(fig, "frames", outdir=tmp_path / "a", provenance=PROV, cache=tmp_path / "cache")
    (plain,) = save_figure(fig, "frames", outdir=tmp_path / "b", provenance=PROV)
    assert path.read_bytes() == plain.read_bytes()
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").iterdir())


def test_render_cache_key_is_the_same_in_every_process(tmp_path):
    for name, seed in (("a", "1"), ("b", "2")):  # different string hashing in each process
        save_in_subprocess("cache=sys.argv[2]", str(tmp_path / name), str(tmp_path / f"cache_{name}"), env={"PYTHONHASHSEED": seed})
    keys = [sorted(p.name for p in (tmp_path / f"cache_{n}").iterdir()) for n in ("a", "b")]
    assert len(keys[0]) == 1 and keys[0] == keys[1]


def test_cli_and_notebooks_draw_the_standard_figures_through_one_registry_and_figure_bugs_are_not_hidden(
        tmp_path, monkeypatch):
    """analyze and a notebook write the same standard figure under one name, and a plotting bug is raised."""
    import discourse
    from discourse import plot
    from discourse.figures import NotebookFigures, draw_standard_figures, keyness_figure_name, standard_figure

    res = discourse.analyze(discourse.load_seeds(), by=("period", "outlet_country"), models=("lda",), k=2, n_runs=1,
                            figures=False, progress=False, pairs=(("2024", "2015"),), cache_dir=str(tmp_path / "cache"))
    cli = {p.name: p.read_bytes() for p in draw_standard_figures(res, tmp_path / "cli")}
    assert keyness_figure_name("period", "2024", "2015") == "keyness_period_2024_vs_2015"
    assert {"lda_contrast_period_2024_vs_2015.png", "keyness_period_2024_vs_2015.png",
            "lda_prevalence_outlet_country.png", "frames_outlet_country.png", "corpus_removals.png"} <= set(cli)

    nb = NotebookFigures(figures=tmp_path / "nb", cache=tmp_path / "cache")
    nb.standard(res, "contrast", model="lda", grouping="period", group_a="2024", group_b="2015")
    nb.standard(res, "prevalence", model="lda", grouping="outlet_country")
    for name in ("lda_contrast_period_2024_vs_2015.png", "lda_prevalence_outlet_country.png"):
        assert (tmp_path / "nb" / name).read_bytes() == cli[name]  # same drawing, same name, same provenance
    with pytest.raises(ParameterError, match="group_a"):
        standard_figure("contrast").file_name(model="lda", grouping="period")

    def broken(*args, **kwargs):
        raise TypeError("a bug in a plotting function")

    monkeypatch.setattr(plot, "plot_frames", broken)
    with pytest.raises(TypeError, match="a bug in a plotting function"):
        draw_standard_figures(res, tmp_path / "figs2")


@pytest.mark.parametrize("key", ["corpus_removals", "topics", "prevalence", "contrast", "trend", "diff_in_diff", "keyness",
                                 "frames", "k_selection", "alignment"])
def test_each_standard_figure_names_a_plot_function_and_a_safe_file_name(key):
    import inspect

    from discourse import plot
    from discourse._io import safe_name
    from discourse.figures import STANDARD_FIGURES

    entry = STANDARD_FIGURES[key]
    assert entry.plot in plot.__all__ and callable(getattr(plot, entry.plot))
    assert tuple(inspect.signature(entry.name).parameters) == entry.params
    name = entry.file_name(**{p: f"Pakistan × {p}:2024" for p in entry.params}, title="a plot option, not a name part")
    assert safe_name(name) == name and " " not in name and "×" not in name


def test_a_notebook_reads_back_the_folders_the_build_hands_its_kernel(tmp_path, monkeypatch):
    from discourse.figures import NotebookFigures
    from discourse.figures._notebook import kernel_environment

    for var, value in kernel_environment(figures=tmp_path / "figs", cache=tmp_path / "cache", inputs_sha256="ab" * 32).items():
        monkeypatch.setenv(var, value)
    nb = NotebookFigures.from_environment()
    assert nb == NotebookFigures(figures=(tmp_path / "figs").resolve(), cache=(tmp_path / "cache").resolve(),
                                 inputs_sha256="ab" * 32)
    assert nb.tables == nb.figures / "tables"
