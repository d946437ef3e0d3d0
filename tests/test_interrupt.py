"""Interrupted runs lose nothing (issue 6).

Real runs of ``python -m discourse`` are killed with SIGKILL part-way (at
fixed moments, and while their temporary output folder is being written);
the previous complete results must stay byte-identical, with no half-written
file, and the next run must clean up what the killed one left.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from discourse._io import atomic_dir
from discourse.corpus import seeds_path

SEEDS = seeds_path()


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) -> sha256; folders -> 'dir'."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        out[rel] = "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def partials(parent: Path, name: str) -> list[Path]:
    return sorted(parent.glob(f".{name}.*.partial"))


def env_for(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, DISCOURSE_CACHE=str(tmp_path / "cache-env"), HF_HUB_OFFLINE="1",
                MPLBACKEND="Agg", PYTHONWARNINGS="")


def _sigint_default() -> None:
    # a test run started in the background of a non-interactive shell inherits SIGINT ignored, and
    # Python then keeps ignoring it; the run under test must see Ctrl-C as it would at a terminal
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(cmd: list[str], tmp_path: Path) -> subprocess.Popen:
    # a session of its own, so the kill reaches every process of the run (and only those)
    return subprocess.Popen(cmd, cwd=tmp_path, env=env_for(tmp_path), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True, preexec_fn=_sigint_default)


def kill(proc: subprocess.Popen) -> int:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=60)
    proc.stderr.close()
    return proc.returncode


def wait_for_partial(proc: subprocess.Popen, parent: Path, name: str, *, min_files: int = 1, timeout: float = 300) -> bool:
    """Poll until this run's temporary output folder holds ``min_files`` files; False if the run ended first.

    Folders left by earlier killed runs do not count (they stay until a run starts writing).
    """
    end = time.monotonic() + timeout
    mine = f".{name}.{proc.pid}."
    while time.monotonic() < end and proc.poll() is None:
        for p in partials(parent, name):
            if not p.name.startswith(mine):
                continue
            try:
                if sum(1 for f in p.rglob("*") if f.is_file()) >= min_files:
                    return True
            except OSError:
                continue
        time.sleep(0.002)
    return False


def check_manifest(out: Path) -> None:
    """The manifest lists every other file with its sha256 (the folder is complete)."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in out.rglob("*") if p.is_file() and p.name != "manifest.json"}
    assert manifest["outputs"] == files


def no_temporary_files(folder: Path) -> None:
    leftovers = [p for p in folder.rglob("*") if p.name.endswith((".tmp", ".partial", ".old"))]
    assert not leftovers, leftovers


@pytest.mark.slow
def test_killing_analyze_keeps_previous_results(tmp_path):
    out = tmp_path / "OUT"
    cmd = [sys.executable, "-m", "discourse", "--quiet", "analyze", str(SEEDS), "--by", "period", "--models", "lda",
           "--k", "2", "--out", str(out), "--cache", str(tmp_path / "cache")]
    first = subprocess.run(cmd, cwd=tmp_path, env=env_for(tmp_path), capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stderr
    check_manifest(out)
    before = snapshot(out)
    assert any(k.startswith("figures/") and k.endswith(".png") for k in before)

    killed_while_writing = False
    for moment in (1.0, 3.0, "writing", "writing-late"):
        proc = start(cmd, tmp_path)
        if isinstance(moment, float):
            time.sleep(moment)
        else:
            # the run is warm (cached analysis): it soon writes tables, then draws figures into the partial folder
            caught = wait_for_partial(proc, tmp_path, "OUT", min_files=1 if moment == "writing" else 8)
            assert caught, "the run ended before its output folder was being written"
        rc = kill(proc)
        assert rc == -signal.SIGKILL, f"the run was not killed part-way (exit {rc})"
        if not isinstance(moment, float):
            assert list(tmp_path.glob(f".OUT.{proc.pid}.*.partial")), "the kill did not land while writing"
            killed_while_writing = True
        assert snapshot(out) == before, f"previous results changed after a kill at {moment}"
        no_temporary_files(out)
    assert killed_while_writing

    # Ctrl-C while writing: one line, exit 130, the run removes its own temporary folder (three times:
    # a signal landing in pyarrow's own SIGINT handling used to be lost now and then)
    for _ in range(3):
        proc = start(cmd, tmp_path)
        assert wait_for_partial(proc, tmp_path, "OUT", min_files=8)
        os.killpg(proc.pid, signal.SIGINT)
        err = proc.stderr.read().decode()
        proc.wait(timeout=120)
        proc.stderr.close()
        assert proc.returncode == 130, (proc.returncode, err)
        assert err.strip().splitlines()[-1] == "discourse: interrupted; earlier results were left as they were"
        assert "Traceback" not in err
        assert not list(tmp_path.glob(f".OUT.{proc.pid}.*"))  # it removed its own temporary folder
        assert snapshot(out) == before

    # the next complete run removes what the killed runs left and gives the same bytes
    last = subprocess.run(cmd, cwd=tmp_path, env=env_for(tmp_path), capture_output=True, text=True, timeout=900)
    assert last.returncode == 0, last.stderr
    assert partials(tmp_path, "OUT") == []
    assert not list(tmp_path.glob(".OUT.*"))
    check_manifest(out)
    assert snapshot(out) == before


def make_many_docs(path: Path, n: int = 400) -> Path:
    """A CSV corpus of ``n`` short documents (seed paragraphs), so that an export writes many files."""
    paras = [p.strip() for f in sorted(SEEDS.glob("*.txt")) for p in f.read_text(encoding="utf-8").split("\n\n")
             if len(p.strip()) > 120]
    rows = [{"id": f"doc{i:04d}", "text": paras[i % len(paras)] + f" Item {i}.", "period": ["2015", "2024"][i % 2]}
            for i in range(n)]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_killing_corpus_export_keeps_previous_export(tmp_path):
    corpus = make_many_docs(tmp_path / "many.csv")
    x = tmp_path / "X"
    # the documents share paragraphs, so every copy is kept: the export must write all 400
    cmd = [sys.executable, "-m", "discourse", "--quiet", "corpus", str(corpus), "--keep-duplicates", "--export", str(x)]
    first = subprocess.run(cmd, cwd=tmp_path, env=env_for(tmp_path), capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stderr
    check_manifest(x)
    before = snapshot(x)
    assert sum(1 for k in before if k.startswith("clean/")) == 400

    landed_while_writing = 0
    for moment in (1.0, 3.0, "writing", "writing", "writing"):
        proc = start(cmd, tmp_path)
        if isinstance(moment, float):
            time.sleep(moment)
        elif not wait_for_partial(proc, tmp_path, "X", min_files=1):
            proc.wait(timeout=300)
            proc.stderr.close()
            assert proc.returncode == 0  # finished before the poll saw it writing: a complete export, same bytes
            assert snapshot(x) == before
            continue
        rc = kill(proc)
        if rc == -signal.SIGKILL and not isinstance(moment, float) and list(tmp_path.glob(f".X.{proc.pid}.*.partial")):
            landed_while_writing += 1
        assert snapshot(x) == before, f"previous export changed after a kill at {moment}"
        no_temporary_files(x)
    assert landed_while_writing >= 1, "no kill landed while the export folder was being written"

    last = subprocess.run(cmd, cwd=tmp_path, env=env_for(tmp_path), capture_output=True, text=True, timeout=900)
    assert last.returncode == 0, last.stderr
    assert not list(tmp_path.glob(".X.*"))
    assert snapshot(x) == before


NOTEBOOK = """\
import os
import time
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from discourse import save_figure
from discourse.figures import NotebookFigures

fig, ax = plt.subplots()
ax.plot([0, 1], [0, {slope}])
open({pidfile!r}, "w").write(str(os.getpid()))
save_figure(fig, "line", outdir=NotebookFigures.from_environment().figures, provenance={{"slope": {slope}}})
time.sleep({sleep})
"""


def write_notebook(folder: Path, *, slope: int, sleep: float) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    code = NOTEBOOK.format(slope=slope, sleep=sleep, pidfile=str(folder.parent / "kernel.pid"))
    nb.cells = [nbformat.v4.new_code_cell(textwrap.dedent(code))]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "01_line.ipynb")


@pytest.mark.slow
def test_killing_figures_keeps_previous_figures(tmp_path):
    books = tmp_path / "nb"
    books.mkdir()
    figs = tmp_path / "figs"
    cmd = [sys.executable, "-m", "discourse", "--quiet", "figures", "--notebooks", str(books), "--out", str(figs)]
    write_notebook(books, slope=1, sleep=0)
    first = subprocess.run(cmd, cwd=tmp_path, env=env_for(tmp_path), capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    before = snapshot(figs)
    assert "line.png" in before and "manifest.json" in before

    # a new build that has saved its figure into the temporary folder and is still running: kill it there
    write_notebook(books, slope=2, sleep=120)
    proc = start(cmd, tmp_path)
    assert wait_for_partial(proc, tmp_path, "figs", min_files=2, timeout=300), "the build ended before saving"
    assert kill(proc) == -signal.SIGKILL
    _kill_kernel(tmp_path / "kernel.pid")  # jupyter starts the kernel in a session of its own
    assert list(tmp_path.glob(f".figs.{proc.pid}.*.partial"))
    assert snapshot(figs) == before
    no_temporary_files(figs)

    # a notebook that fails leaves the previous figures as they were, with a one-line error
    (books / "01_line.ipynb").write_text((books / "01_line.ipynb").read_text().replace("time.sleep(120)", "1 / 0"))
    assert "1 / 0" in (books / "01_line.ipynb").read_text()
    failed = subprocess.run(cmd, cwd=tmp_path, env=env_for(tmp_path), capture_output=True, text=True, timeout=600)
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    assert failed.stderr.strip().splitlines()[-1].startswith("discourse: error: ") and "01_line.ipynb" in failed.stderr
    assert snapshot(figs) == before
    assert not partials(tmp_path, "figs")  # the failed build removed its own and the killed build's folder


def _kill_kernel(pidfile: Path) -> None:
    """End the notebook kernel our killed build started (its pid, written by the notebook)."""
    end = time.monotonic() + 30
    while not pidfile.exists() and time.monotonic() < end:
        time.sleep(0.1)
    try:
        os.kill(int(pidfile.read_text()), signal.SIGKILL)
    except (OSError, ValueError):
        pass


def test_exception_inside_atomic_dir_keeps_previous_contents(tmp_path):
    out = tmp_path / "out"
    with atomic_dir(out) as tmp:
        (tmp / "a.csv").write_text("first\n")
    before = snapshot(out)
    with pytest.raises(KeyboardInterrupt):
        with atomic_dir(out) as tmp:
            (tmp / "a.csv").write_text("second, half-writ")
            raise KeyboardInterrupt
    assert snapshot(out) == before
    assert not list(tmp_path.glob(".out.*"))


def test_interrupt_swallowed_inside_atomic_dir_still_keeps_previous_contents(tmp_path):
    from discourse._io import clear_interrupt, note_interrupt

    out = tmp_path / "out"
    with atomic_dir(out) as tmp:
        (tmp / "a.csv").write_text("first\n")
    before = snapshot(out)
    try:
        with pytest.raises(KeyboardInterrupt):
            with atomic_dir(out) as tmp:
                (tmp / "a.csv").write_text("second\n")
                try:
                    note_interrupt()  # what the CLI's SIGINT handler records ...
                    raise KeyboardInterrupt
                except BaseException:  # noqa: BLE001 - ... and a library that swallows the exception
                    pass
    finally:
        clear_interrupt()
    assert snapshot(out) == before and not list(tmp_path.glob(".out.*"))
    with atomic_dir(out) as tmp:  # cleared: the next run publishes
        (tmp / "a.csv").write_text("third\n")
    assert (out / "a.csv").read_text() == "third\n"


def test_cli_puts_the_sigint_handler_back(tmp_path):
    from discourse.cli import main

    before = signal.getsignal(signal.SIGINT)
    assert main(["--quiet", "corpus", str(SEEDS), "--export", str(tmp_path / "c")]) == 0
    assert signal.getsignal(signal.SIGINT) is before


def test_stale_partial_of_a_live_process_is_left_alone(tmp_path):
    """Two runs writing the same folder: one does not delete the other's work in progress."""
    out = tmp_path / "out"
    live = tmp_path / f".out.{os.getppid()}.abcd1234.partial"  # our parent process is alive
    live.mkdir()
    dead = tmp_path / ".out.999999999.abcd1234.partial"  # no such process
    dead.mkdir()
    with atomic_dir(out) as tmp:
        (tmp / "a.csv").write_text("x\n")
    assert live.exists() and not dead.exists()


def test_folder_lost_mid_swap_is_restored(tmp_path):
    """Killed between moving the previous folder aside and moving the new one in (systems without an
    atomic exchange): the next run puts the previous folder back before doing anything."""
    out = tmp_path / "out"
    with atomic_dir(out) as tmp:
        (tmp / "a.csv").write_text("previous\n")
    aside = tmp_path / ".out.999999999.deadbeef.old"
    os.replace(out, aside)
    try:
        with atomic_dir(out) as tmp:
            assert (out / "a.csv").read_text() == "previous\n"  # restored before the new run writes
            raise RuntimeError("this run fails too")
    except RuntimeError:
        pass
    assert (out / "a.csv").read_text() == "previous\n"
    assert not aside.exists()


def test_outputs_get_ordinary_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        out = tmp_path / "out"
        with atomic_dir(out) as tmp:
            (tmp / "a.csv").write_text("x\n")
        from discourse._io import atomic_write_text

        f = atomic_write_text(tmp_path / "b.csv", "y\n")
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o755
    assert f.stat().st_mode & 0o777 == 0o644
