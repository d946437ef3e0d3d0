"""More property-based tests (hypothesis), beside tests/test_properties.py (issue 6).

test_properties.py covers cleaning (never crashes, records raw spans,
idempotent), passage splitting (covers the cleaned text exactly) and
tokenisation (never crashes) on Unicode text up to a few hundred characters.
This adds what it leaves out:

* any *bytes* as a file: decoded to text or refused with a one-line
  :class:`~discourse.errors.CorpusError`, never another exception;
* any text as HTML: stripping never crashes and is stable;
* lone surrogates and long documents (thousands of characters, default
  passage options) through cleaning, splitting and tokenising;
* the whole of :func:`discourse.prepare.prepare` on random small corpora:
  passages index the cleaned texts exactly, tokens stay aligned.
"""

from __future__ import annotations

import functools
import warnings

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discourse.clean import Cleaner
from discourse.corpus import CorpusWarning, decode_text, looks_like_html, read_text_file, strip_html
from discourse.errors import CorpusError
from discourse.passages import split_passages
from discourse._prepare import prepare
from discourse.tokenize import Tokenizer

CLEANER = Cleaner()
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# every code point, lone surrogates included (st.text leaves them out by default)
WITH_SURROGATES = st.text(alphabet=st.one_of(st.characters(), st.characters(categories=["Cs"])), max_size=300)
SENTENCE = st.builds(
    lambda words, end: " ".join(words).capitalize() + end,
    st.lists(st.sampled_from(["Pakistan", "Afghanistan", "border", "talks", "the", "security", "Taliban", "ISI",
                              "Kabul", "cooperation", "TTP", "attacks", "rose", "in", "2024", "and", "of",
                              "Durand", "Line", "intelligence", "\u2019s", "caf\u00e9", "\u6587\u5b57"]),
             min_size=1, max_size=25),
    st.sampled_from([".", "!", "?", "", ".\n", ".\n\n", "\u2026"]),
)
LONG_DOC = st.lists(SENTENCE, min_size=20, max_size=300).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_decode_or_are_refused_in_one_line(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        try:
            text = decode_text(data, source="f.txt")
        except CorpusError as exc:
            msg = str(exc)
            assert msg.startswith("f.txt: ") and "\n" not in msg
            return
    assert isinstance(text, str) and "\r" not in text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=500))
def test_any_file_reads_or_is_refused(tmp_path, data):
    p = tmp_path / "doc.txt"
    p.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        try:
            text = read_text_file(p)
        except CorpusError as exc:
            assert str(p) in str(exc)
            return
    assert isinstance(text, str)


HTMLISH = st.lists(st.one_of(
    st.sampled_from(["<p>", "</p>", "<div class='x'>", "</div>", "<br/>", "<script>var a = '<p>';</script>",
                     "<style>p{}</style>", "<!-- c -->", "&amp;", "&#8217;", "&bogus;", "<", ">", "<html>", "<body>",
                     "<!DOCTYPE html>", "<a href='u'>", "</a>", "<svg><text>x</text></svg>"]),
    st.text(max_size=20)), max_size=40).map("".join)


@SETTINGS
@given(st.one_of(HTMLISH, st.text(max_size=300)))
def test_html_stripping_never_crashes_and_drops_scripts(text):
    looks_like_html(text)
    out = strip_html(text)
    assert isinstance(out, str)
    if "var a =" not in text.replace("<script>var a = '<p>';</script>", ""):
        assert "var a =" not in out  # script bodies never reach the text


@functools.lru_cache(maxsize=1)
def _tokenizer() -> Tokenizer:
    return Tokenizer().fit(["Pakistan and Afghanistan signed a security agreement."] * 2)


@SETTINGS
@given(WITH_SURROGATES)
def test_lone_surrogates_and_any_code_point_survive_cleaning_and_tokenising(text):
    tok = _tokenizer()
    res = CLEANER.clean(text, doc_id="d")
    res.text.encode("utf-8")  # always writable as UTF-8
    for r in res.removals:
        assert text[r.start:r.end] == r.text
    assert CLEANER(res.text) == res.text
    for p in split_passages(res.text, "d"):
        assert res.text[p.start:p.end] == p.text
    tok.tokenize(res.text)


@settings(max_examples=40, deadline=None)
@given(LONG_DOC)
def test_long_documents_split_exactly_with_default_options(text):
    clean = CLEANER(text)
    assert CLEANER(clean) == clean
    ps = split_passages(clean, "d")
    pos = 0
    for i, p in enumerate(ps):
        assert p.passage_id == f"d#{i:04d}"
        assert clean[p.start:p.end] == p.text and p.start >= pos
        assert clean[pos:p.start].strip() == ""
        pos = p.end
    assert clean[pos:].strip() == ""
    if clean.strip():
        assert ps


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(LONG_DOC, SENTENCE, st.text(max_size=200)), min_size=1, max_size=6))
def test_prepare_on_any_small_corpus(texts):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        if not any(t.strip() for t in texts):
            return  # an all-empty corpus is refused by the loaders (tested in test_robustness_cli)
        prep = prepare(texts, progress=False)
    passages = prep.passages
    assert len(prep.tokens) == len(passages)
    assert list(passages["n_tokens"]) == [len(t) for t in prep.tokens]
    assert set(passages["doc_id"]) <= set(prep.metadata.index) == set(prep.clean_texts)
    for row in passages.itertuples():
        assert prep.clean_texts[row.doc_id][row.start:row.end] == row.text
    for doc_id, clean in prep.clean_texts.items():
        has = (passages["doc_id"] == doc_id).any()
        assert has == bool(clean.strip())
