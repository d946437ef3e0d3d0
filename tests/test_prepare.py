"""prepare(): passages table, tokens, removals, metadata, save/load, summary."""

from __future__ import annotations

import pandas as pd
import pytest

from discourse import Corpus
from discourse.clean import Cleaner
from discourse.errors import CacheError, InputError, ParameterError
from discourse._prepare import Prepared, prepare
from discourse.tokenize import Tokenizer


@pytest.fixture(scope="module")
def prep(seeds):
    return prepare(seeds, progress=False)


def test_passages_table(prep, seeds):
    p = prep.passages
    assert list(p.columns) == ["doc_id", "passage_id", "start", "end", "text", "n_tokens"]
    assert 60 <= len(p) <= 100
    assert p["passage_id"].is_unique
    assert list(dict.fromkeys(p["doc_id"])) == seeds.ids  # corpus order, every seed has passages
    for row in p.itertuples():
        assert prep.clean_texts[row.doc_id][row.start : row.end] == row.text
    assert str(p["start"].dtype) == "int64" and str(p["n_tokens"].dtype) == "int64"


def test_tokens_aligned(prep):
    assert len(prep.tokens) == len(prep.passages)
    assert [len(t) for t in prep.tokens] == list(prep.passages["n_tokens"])
    assert all(t for t in prep.tokens)
    flat = {w for t in prep.tokens for w in t}
    assert {"isi", "nds", "ttp", "iskp", "durand_line", "security_cooperation"} <= flat
    assert "terroristactivities" not in flat and "terrorist" in flat


def test_removals_index_raw_text(prep, seeds):
    r = prep.removals
    assert list(r.columns) == ["doc_id", "start", "end", "rule", "text"]
    raw = {d.id: d.text for d in seeds}
    for row in r.itertuples():
        assert raw[row.doc_id][row.start : row.end] == row.text
    assert set(r["rule"]) >= {"masthead", "byline", "image_credit", "tagline", "comment_form", "title_repeat", "author_bio", "share_widget", "sidebar", "first_published", "disclaimer"}


def test_clean_texts_and_metadata(prep, seeds):
    assert list(prep.clean_texts) == seeds.ids
    assert prep.clean_texts["003_96d0e61bdfa75bcd"] == Cleaner()(seeds.text("003_96d0e61bdfa75bcd"))
    assert prep.metadata.equals(seeds.metadata) and prep.metadata is not seeds.metadata
    assert prep.corpus_hash == seeds.hash


def test_doc_tokens(prep):
    dt = prep.doc_tokens()
    assert list(dt) == list(prep.metadata.index)
    first_doc = prep.passages["doc_id"].iloc[0]
    n_first = int((prep.passages["doc_id"] == first_doc).sum())
    assert dt[first_doc] == [w for t in prep.tokens[:n_first] for w in t]


def test_summary(prep, seeds):
    s = prep.summary()
    assert list(s["doc_id"]) == seeds.ids
    assert list(s.columns) == ["doc_id", *seeds.metadata.columns, "chars_raw", "chars_removed", "passages", "tokens"]
    assert s["passages"].sum() == len(prep.passages) and s["tokens"].sum() == prep.passages["n_tokens"].sum()
    assert list(s["chars_raw"]) == [len(d.text) for d in seeds]
    removed = s.set_index("doc_id")["chars_removed"]
    assert removed["003_96d0e61bdfa75bcd"] > 1300  # sidebar, bio, widgets, byline
    assert removed["002_ea853c5524ed5001"] == 44  # the repeated title line


def test_save_load_identical(prep, tmp_path):
    out = prep.save(tmp_path / "prep")
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["passages.parquet", "tokens.parquet", "clean_texts.parquet", "removals.parquet", "documents.parquet", "metadata.parquet", "prepared.json", "provenance.json"]
    )
    back = Prepared.load(out)
    assert back.equals(prep)
    pd.testing.assert_frame_equal(back.passages, prep.passages)
    pd.testing.assert_frame_equal(back.removals, prep.removals)
    pd.testing.assert_frame_equal(back.metadata, prep.metadata)
    assert back.tokens == prep.tokens and back.clean_texts == prep.clean_texts
    assert back.tokenizer.tokenize("security cooperation on the Durand Line") == prep.tokenizer.tokenize("security cooperation on the Durand Line")
    import json

    prov = json.loads((out / "provenance.json").read_text())
    assert prov["corpus_hash"] == prep.corpus_hash and prov["params"]["tokenizer"]["phrase_scoring"] == "npmi"


def test_save_is_byte_identical_on_rerun(seeds, prep, tmp_path):
    a = prep.save(tmp_path / "a")
    b = prepare(seeds, progress=False).save(tmp_path / "b")
    for f in sorted(a.iterdir()):
        assert f.read_bytes() == (b / f.name).read_bytes(), f.name


def test_load_errors(prep, tmp_path):
    with pytest.raises(InputError, match="no prepared corpus"):
        Prepared.load(tmp_path / "nothing")
    out = prep.save(tmp_path / "p")
    (out / "tokens.parquet").write_bytes(b"not parquet")
    with pytest.raises(CacheError, match="prepare it again"):
        Prepared.load(out)


def test_fitted_tokenizer_is_reused(prep):
    new = Corpus.from_records([{"id": "n1", "text": "Security cooperation along the Durand Line was discussed by the ISI and the NDS in Kabul today."}])
    p2 = prepare(new, tokenizer=prep.tokenizer, progress=False)
    assert p2.tokenizer is prep.tokenizer and p2.params["tokenizer_prefitted"] is True
    assert "security_cooperation" in p2.tokens[0]


def test_list_of_strings_and_options():
    texts = ["First document about border trade and security cooperation in the region. " * 20, "Second one. " * 3]
    p = prepare(texts, passage_options={"max_chars": 500, "min_chars": 10}, tokenizer=Tokenizer(phrases=False), progress=False)
    assert list(p.metadata.index) == ["doc00000", "doc00001"]
    assert (p.passages["end"] - p.passages["start"]).max() <= 500
    q = prepare(texts, passages={"max_chars": 500, "min_chars": 10}, tokenizer=Tokenizer(phrases=False), progress=False)
    assert q.passages.equals(p.passages)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"passage_options": {"max_chars": 10, "nope": 1}}, "nope"),
        ({"passage_options": {"max_chars": 0}}, "max_chars"),
        ({"passage_options": {}, "passages": {}}, "passage_options"),
        ({"cleaner": "default"}, "cleaner"),
        ({"tokenizer": "default"}, "tokenizer"),
        ({"progress": "yes"}, "progress"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        prepare(["some text here"], **kwargs)


def test_corpus_path_is_not_a_corpus():
    with pytest.raises(ParameterError, match="load_corpus"):
        prepare("seeds")  # type: ignore[arg-type]


def test_document_all_chrome_or_stopwords(caplog):
    texts = ["Share\nTweet\nLeave a Comment", "It is what it is, and they were there."]
    with caplog.at_level("WARNING", logger="discourse.prepare"):
        p = prepare(texts, tokenizer=Tokenizer(phrases=False), progress=False)
    assert p.clean_texts["doc00000"] == "" and "doc00000" in caplog.text
    assert list(p.passages["doc_id"]) == ["doc00001"] and p.tokens == [[]]
    assert p.doc_tokens() == {"doc00000": [], "doc00001": []}
    assert list(p.summary()["passages"]) == [0, 1]


def test_progress_bar_off_is_silent(capsys):
    prepare(["Some text about the border and security."], tokenizer=Tokenizer(phrases=False), progress=False)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


@pytest.mark.parametrize(
    "code",
    [
        "import discourse; p = discourse.prepare(['The Durand Line.'], progress=False)",
        "from discourse import prepare; p = prepare(['The Durand Line.'], progress=False)",
        "import discourse; f = discourse.prepare; import discourse._prepare; p = discourse.prepare(['The Durand Line.'], progress=False)",
        "from discourse._prepare import prepare; import discourse; p = discourse.prepare(['The Durand Line.'], progress=False)",
    ],
)
def test_discourse_prepare_is_callable_in_any_import_order(code):
    # the function discourse.prepare lives in the private module discourse/_prepare.py
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code + "; print(p.tokens)"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[['durand_line']]"
