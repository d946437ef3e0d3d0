"""Loading corpora: folders, CSV/JSONL/Parquet, metadata, dates, decoding."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest

import discourse
from discourse.corpus import CorpusWarning, load_corpus, read_text_file
from discourse.errors import CorpusError, InputError


def write_folder(tmp_path, files: dict[str, bytes | str], metadata: str | None):
    for name, data in files.items():
        p = tmp_path / name
        if isinstance(data, str):
            p.write_text(data, encoding="utf-8")
        else:
            p.write_bytes(data)
    if metadata is not None:
        (tmp_path / "metadata.csv").write_text(metadata, encoding="utf-8")
    return tmp_path


def test_seeds_load_with_metadata_and_partial_dates():
    corpus = discourse.load_seeds()
    assert len(corpus) == 5
    meta = corpus.metadata
    assert meta.index.name == "doc_id"
    assert meta.loc["001_fe70e3f818e794b0", "published"] == "2021-05"
    assert meta.loc["001_fe70e3f818e794b0", "published_precision"] == "month"
    assert meta.loc["000_99d5bfdb740dc271", "published_precision"] == "day"
    # unknown values are None, not NaN or ''
    assert meta.loc["003_96d0e61bdfa75bcd", "outlet"] is None
    assert meta.loc["001_fe70e3f818e794b0", "author"] is None
    assert sorted(meta["period"].unique()) == ["2015", "2021", "2024"]


def test_corpus_is_reiterable_and_hash_is_stable():
    corpus = discourse.load_seeds()
    first = [d.id for d in corpus]
    second = [d.id for d in corpus]
    assert first == second == corpus.ids
    doc = next(iter(corpus))
    assert doc.meta["outlet_country"] == "Afghanistan"
    assert "Masthead" not in doc.text and doc.text.startswith("Editor in Chief")
    assert discourse.load_seeds().hash == corpus.hash
    assert len(corpus.hash) == 64
    assert list(corpus.items()) == [(d.id, d.text) for d in corpus]


def test_load_corpus_seeds_name_falls_back_to_shipped(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert len(load_corpus("seeds")) == 5


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_tabular_formats(tmp_path, fmt):
    df = pd.DataFrame({"doc": ["a", "b"], "body": ["First text.", "Second text."], "period": ["2015", ""]})
    path = tmp_path / f"c.{fmt}"
    if fmt == "csv":
        df.to_csv(path, index=False)
    elif fmt == "jsonl":
        path.write_text("\n".join(json.dumps(r) for r in df.to_dict("records")))
    else:
        df.to_parquet(path)
    corpus = load_corpus(path, text_col="body", id_col="doc")
    assert corpus.ids == ["a", "b"]
    assert corpus.text("b") == "Second text."
    assert corpus.metadata.loc["b", "period"] is None
    assert list(corpus.metadata.columns) == ["period"]


def test_missing_text_column_names_columns_and_option(tmp_path):
    path = tmp_path / "c.csv"
    pd.DataFrame({"id": ["a"], "content": ["x"]}).to_csv(path, index=False)
    with pytest.raises(CorpusError, match=r"no column 'text'.*content.*--text-col"):
        load_corpus(path)


def test_duplicate_ids_are_an_error(tmp_path):
    path = tmp_path / "c.csv"
    pd.DataFrame({"id": ["a", "a"], "text": ["x", "y"]}).to_csv(path, index=False)
    with pytest.raises(CorpusError, match="duplicate id 'a'"):
        load_corpus(path)


def test_unparseable_date_names_row_and_field(tmp_path):
    write_folder(tmp_path, {"a.txt": "Some text."}, "file,published\na.txt,2015-13-40\n")
    with pytest.raises(CorpusError, match=r"row 2.*published '2015-13-40'.*YYYY-MM"):
        load_corpus(tmp_path)


def test_metadata_and_files_out_of_step_warn(tmp_path):
    write_folder(tmp_path, {"a.txt": "Text a.", "b.txt": "Text b."}, "file,period\na.txt,2015\nmissing.txt,2024\n")
    with pytest.warns(CorpusWarning) as rec:
        corpus = load_corpus(tmp_path)
    msgs = " | ".join(str(w.message) for w in rec)
    assert "missing.txt" in msgs and "not found" in msgs
    assert "b.txt" in msgs and "no row" in msgs
    assert corpus.ids == ["a", "b"]
    assert corpus.metadata.loc["b", "period"] is None


def test_missing_metadata_file_warns_and_loads(tmp_path):
    write_folder(tmp_path, {"a.txt": "Text a."}, None)
    with pytest.warns(CorpusWarning, match="no metadata.csv"):
        corpus = load_corpus(tmp_path)
    assert corpus.ids == ["a"]


def test_conflicting_duplicate_metadata_rows_error(tmp_path):
    write_folder(tmp_path, {"a.txt": "Text a."}, "file,period\na.txt,2015\na.txt,2024\n")
    with pytest.raises(CorpusError, match="two different metadata rows"):
        load_corpus(tmp_path)


def test_identical_duplicate_metadata_rows_dropped_with_warning(tmp_path):
    write_folder(tmp_path, {"a.txt": "Text a."}, "file,period\na.txt,2015\na.txt,2015\n")
    with pytest.warns(CorpusWarning, match="duplicate row"):
        corpus = load_corpus(tmp_path)
    assert len(corpus) == 1


def test_bom_and_crlf_just_work(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes("\ufeffLine one.\r\nLine two.\r\n".encode("utf-8"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_text_file(p) == "Line one.\nLine two.\n"


def test_cp1252_decodes_with_warning(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes("Pakistan\u2019s \u201cpolicy\u201d caf\u00e9".encode("cp1252"))
    with pytest.warns(CorpusWarning, match=r"a\.txt.*cp1252"):
        text = read_text_file(p)
    assert text == "Pakistan\u2019s \u201cpolicy\u201d caf\u00e9"


def test_binary_file_is_an_error(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(CorpusError, match=r"a\.txt.*binary"):
        read_text_file(p)


def test_html_is_stripped_with_warning(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("<html><head><script>var x=1;</script></head><body><p>First para.</p><p>Second &amp; last.</p></body></html>")
    with pytest.warns(CorpusWarning, match="HTML"):
        text = read_text_file(p)
    assert text == "First para.\n\nSecond & last."


def test_empty_and_whitespace_files_are_skipped_with_warning(tmp_path):
    write_folder(tmp_path, {"a.txt": "Real text.", "b.txt": "", "c.txt": "  \n\t "}, "file\na.txt\nb.txt\nc.txt\n")
    with pytest.warns(CorpusWarning) as rec:
        corpus = load_corpus(tmp_path)
    assert corpus.ids == ["a"]
    assert sum("empty" in str(w.message) for w in rec) == 2


def test_nonexistent_path_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        load_corpus(tmp_path / "nope")


def test_from_records_and_subset():
    c = discourse.Corpus.from_records([{"id": "x", "text": "A.", "g": "1"}, {"id": "y", "text": "B.", "g": "2"}])
    sub = c.subset(["y"])
    assert sub.ids == ["y"] and [d.text for d in sub] == ["B."]
    assert c.hash != sub.hash
