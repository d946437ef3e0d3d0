"""Output paths stay inside the output folder; nothing is unpickled from files the user did not name (issue 6)."""

from __future__ import annotations

import os
import pickle
import shutil
import unicodedata
from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from discourse._io import _RESERVED, safe_name
from discourse.cli import main
from discourse.corpus import seeds_path

SEEDS = seeds_path()

ODD_IDS = [
    "../../evil", "/etc/passwd", "a/b", "a\\b", "C:\\Windows\\system32", "CON", "nul.txt", "com1", "LPT9.log",
    "..", ".", "...", "~", "$HOME", "-rf", "\u00dcn\u00efc\u00f8d\u00e9 \u6587\u5b57", "emoji \U0001F600", "tab\tid",
    "new\nline", "question?", "star*", "pipe|", 'quote"', "lt<gt>", "x" * 400, "A", "a", "\ufb01le", "file",
    "trailing.", "ok_id-1.2",
]


def paragraphs(n: int) -> list[str]:
    paras = [p.strip() for f in sorted(SEEDS.glob("*.txt")) for p in f.read_text(encoding="utf-8").split("\n\n")]
    paras = [p for p in paras if len(p) > 200]
    return [paras[i % len(paras)] for i in range(n)]


def tree(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def test_export_with_hostile_ids_stays_inside_the_folder(tmp_path, capsys):
    work = tmp_path / "work"
    work.mkdir()
    rows = [{"id": i, "text": f"Marker{n:03d}. {t}", "period": "2015"} for n, (i, t) in enumerate(zip(ODD_IDS, paragraphs(len(ODD_IDS))))]
    corpus = work / "odd.csv"
    pd.DataFrame(rows).to_csv(corpus, index=False)
    outside_before = {p.name for p in tmp_path.iterdir()}
    passwd = Path("/etc/passwd").stat().st_mtime_ns if Path("/etc/passwd").exists() else None
    x = work / "DIR"

    rc = main(["--quiet", "corpus", str(corpus), "--export", str(x)])
    err = capsys.readouterr().err
    assert rc == 0, err

    # nothing written anywhere but DIR
    assert {p.name for p in tmp_path.iterdir()} == outside_before
    assert sorted(p.name for p in work.iterdir()) == ["DIR", "odd.csv"]
    assert not (tmp_path / "evil").exists() and not (tmp_path.parent / "evil").exists()
    if passwd is not None:
        assert Path("/etc/passwd").stat().st_mtime_ns == passwd
    root = x.resolve()
    for p in x.rglob("*"):
        assert root in p.resolve().parents
    clean = x / "clean"
    names = sorted(p.name for p in clean.iterdir())
    assert len(names) == len(ODD_IDS)  # one file per document, none overwritten
    assert len({n.casefold() for n in names}) == len(names)  # distinct even on case-insensitive disks
    for n in names:
        assert n.isascii() and "/" not in n and "\\" not in n and len(n.encode()) <= 255
        assert n.split(".")[0].upper() not in _RESERVED
    # documents.csv maps every id to its file, whose text is that document's
    docs = pd.read_csv(x / "documents.csv", dtype=str, keep_default_na=False)
    assert len(docs) == len(ODD_IDS)
    by_id = dict(zip(docs["doc_id"], docs["file"]))
    for n, r in enumerate(rows):
        doc_id = r["id"].strip()
        f = x / by_id[doc_id]
        assert f.parent == clean
        assert f"Marker{n:03d}" in f.read_text(encoding="utf-8")


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=300))
def test_safe_name_is_always_one_harmless_path_component(tmp_path_factory, name):
    base = tmp_path_factory.getbasetemp()
    out = safe_name(name)
    assert out and out not in (".", "..")
    assert out.isascii() and not set(out) & set("/\\\0:*?\"<>|") and not out.startswith(("-", "."))
    assert len(out) <= 140
    assert out.split(".")[0].upper() not in _RESERVED
    assert (base / out).resolve().parent == base.resolve()
    assert safe_name(name) == out  # deterministic


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40))
def test_safe_name_keeps_distinct_ids_apart(a, b):
    if unicodedata.normalize("NFKC", a) != unicodedata.normalize("NFKC", b):
        assert safe_name(a) != safe_name(b)


def write_corpus(folder: Path, periods: list[str], column: str = "period") -> Path:
    folder.mkdir()
    files = sorted(p.name for p in SEEDS.glob("*.txt"))
    for f in files:
        shutil.copy(SEEDS / f, folder / f)
    pd.DataFrame({"file": files, column: periods}).to_csv(folder / "metadata.csv", index=False)
    return folder


def test_analyze_outputs_stay_inside_out_whatever_the_group_values(tmp_path, capsys):
    """Group values and column names become figure names: hostile ones stay inside DIR/figures."""
    work = tmp_path / "work"
    work.mkdir()
    column = "../../col umn"
    corpus = write_corpus(work / "corpus", ["../../evil", "/etc/x", "../../evil", "/etc/x", "\u00fc/\u00df\\.."], column)
    out = work / "OUT"
    rc = main(["--quiet", "analyze", str(corpus), "--by", column, "--models", "lda", "--k", "2",
               "--out", str(out), "--cache", str(work / "cache")])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert "Traceback" not in err
    assert sorted(p.name for p in work.iterdir()) == ["OUT", "cache", "corpus"]
    assert not (tmp_path / "evil").exists() and not (work / "evil").exists()
    root = out.resolve()
    files = [p for p in out.rglob("*") if p.is_file()]
    assert all(root in p.resolve().parents for p in files)
    figures = [p for p in files if p.parent.name == "figures" and p.suffix == ".png"]
    assert figures and all(p.parent.parent == out for p in figures)
    prev = pd.read_csv(out / "prevalence.csv", dtype=str, keep_default_na=False)
    assert set(prev["grouping"]) == {column}  # the data keep the real names
    assert set(prev["group"]) == {"../../evil", "/etc/x", "\u00fc/\u00df\\.."}


class _Payload:
    """Unpickling this creates a marker file: proof that a pickle was loaded."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_no_pickle_is_loaded_from_files_the_user_did_not_create(tmp_path, capsys):
    marker = tmp_path / "PICKLE_WAS_LOADED"
    evil = pickle.dumps(_Payload(marker))
    corpus = write_corpus(tmp_path / "corpus", ["2015", "2021", "2024", "2024", "2015"])
    for name in ("model.pkl", "pipeline.pkl", "tokenizer.pkl", "corpus.pickle"):
        (corpus / name).write_bytes(evil)
    cache = tmp_path / "cache"
    args = ["--quiet", "analyze", str(corpus), "--by", "period", "--models", "lda", "--k", "2", "--runs", "1", "--no-figures",
            "--out", str(tmp_path / "out"), "--cache", str(cache)]
    assert main(args) == 0
    capsys.readouterr()
    # pickles planted in the cache: beside the entries, in a look-alike entry, and inside the real LDA entry
    (cache / "evil.pkl").write_bytes(evil)
    fake = cache / "models" / "bertopic-000000000000000000000000"
    fake.mkdir(parents=True)
    (fake / "pipeline.pkl").write_bytes(evil)
    (entry,) = [p for p in (cache / "models").iterdir() if p.name.startswith("lda-")]
    (entry / "tokenizer.pkl").write_bytes(evil)
    shutil.rmtree(cache / "results")  # make the run load the fitted model from its cache entry
    assert main(args) == 0
    capsys.readouterr()
    assert not marker.exists()
    # and the corpus loader read only the text files and metadata.csv
    assert main(["--quiet", "corpus", str(corpus)]) == 0
    assert "documents: 5 " in capsys.readouterr().out
    assert not marker.exists()


def test_pickle_payload_is_real(tmp_path):
    """The payload above does create its marker when unpickled (so the test above can fail)."""
    marker = tmp_path / "m"
    pickle.loads(pickle.dumps(_Payload(marker))).close()  # noqa: S301 - our own test payload
    assert marker.exists()
    os.remove(marker)
