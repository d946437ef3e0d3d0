"""Property-based tests (hypothesis): cleaning, passages and tokenisation on any Unicode text."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discourse.clean import Cleaner
from discourse.passages import split_passages
from discourse.tokenize import Tokenizer

CLEANER = Cleaner()

# Pieces that trigger the rules: chrome lines, glued words, odd spacing and Unicode.
PIECES = [
    "Share", "Leave a Comment", "Recent Posts", "Related", "Read more: Headline here", "Photo: AFP", "Image Credits: X",
    "By Jane Doe", "Author: Hammad Waleed", "Editor in Chief: A B Friday, April 19th, 2024", "Updated 3 hours ago",
    "This article was first published in Foreign Affairs.", "The views expressed are the author's own.",
    "Jane Doe is a researcher. She can be reached at jane@example.com", "Your go-to hub for news.", "\u00a9 2024 Site",
    "Tags: a, b", "terroristactivities", "iscentral", "Kabul ,", "( BLF)", " . ", "...", "\u2019", "\u201c", "\u201d",
    "\u2014", "\u2013", "\u00a0", "\u200b", "\ufb01", "\r\n", "\r", "\t", "\n", "\n\n", "\n\n\n", "  ", " ", "ISI", "is",
    "Tehrik-e-Taliban Pakistan", "Durand Line", "U.S.", "Pakistan's", "won't", "e\u0301", "\u0301", "\ufeff",
]
WORDS = st.text(alphabet=st.characters(categories=["L", "N", "P", "Zs"]), min_size=1, max_size=30)
STRUCTURED = st.lists(st.one_of(st.sampled_from(PIECES), WORDS), max_size=40).map("".join)
ANY_TEXT = st.one_of(st.text(max_size=400), STRUCTURED)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def tokenizer():
    return Tokenizer().fit(["Pakistan and Afghanistan signed a security agreement.", "The security agreement covers the border."] * 3)


@SETTINGS
@given(ANY_TEXT)
def test_cleaning_never_crashes_and_records_raw_spans(text):
    res = CLEANER.clean(text, doc_id="d")
    assert isinstance(res.text, str)
    for r in res.removals:
        assert 0 <= r.start < r.end <= len(text)
        assert text[r.start : r.end] == r.text
    assert res.chars_removed <= len(text)


@SETTINGS
@given(ANY_TEXT)
def test_cleaning_is_idempotent(text):
    once = CLEANER(text)
    assert CLEANER(once) == once


@SETTINGS
@given(ANY_TEXT, st.integers(min_value=20, max_value=400), st.integers(min_value=0, max_value=120))
def test_passages_cover_cleaned_text_exactly(text, max_chars, min_chars):
    clean = CLEANER(text)
    ps = split_passages(clean, "d", max_chars=max_chars, min_chars=min_chars)
    pos = 0
    for i, p in enumerate(ps):
        assert p.passage_id == f"d#{i:04d}"
        assert clean[p.start : p.end] == p.text
        assert p.text and p.text == p.text.strip()
        assert p.start >= pos and clean[pos : p.start].strip() == ""  # only whitespace between passages
        pos = p.end
    assert clean[pos:].strip() == ""
    if clean.strip():
        assert ps


@SETTINGS
@given(ANY_TEXT)
def test_tokenizer_never_crashes(tokenizer, text):
    toks = tokenizer.tokenize(text)
    words = tokenizer.words(text)
    assert all(isinstance(t, str) and len(t) >= 2 and t == t.lower() for t in words)
    assert all(not any(ch.isdigit() for ch in t) for t in words)
    assert "".join(toks).replace("_", "") == "".join(words).replace("_", "")


# The fast (str.find based) whitespace and punctuation steps against plain regex references.

import re  # noqa: E402

from discourse.clean import fix_punctuation_spacing, normalize_whitespace  # noqa: E402


def _ref_whitespace(text: str) -> str:
    text = text.strip(" \t\n")

    def run(m: "re.Match[str]") -> str:
        s = m.group(0)
        n = s.count("\n")
        return ("\n\n" if n > 1 else "\n") if n else " "

    return re.sub(r"[ \t\n]*\n[ \t\n]*|[ \t]{2,}|\t", run, text)


def _ref_punct(text: str) -> str:
    text = re.sub(r"(?<=[^\s(\[{])[ \t]+(?=[,.;:!?%)\]}](?:[\s\"')\]]|$))", "", text)
    return re.sub(r"(?<=[(\[{])[ \t]+(?=\S)", "", text)


SPACEY = st.lists(st.sampled_from([" ", "  ", "\n", "\n\n\n", " \n ", "\t", "a", "bc", ",", ".", "(", ")", "[", "!", '"', "'", ";"]), max_size=60).map("".join)


@SETTINGS
@given(st.one_of(SPACEY, st.text(max_size=200)))
def test_fast_whitespace_equals_reference(text):
    assert normalize_whitespace(text) == _ref_whitespace(text)


@SETTINGS
@given(st.one_of(SPACEY, st.text(max_size=200)))
def test_fast_punctuation_equals_reference(text):
    assert fix_punctuation_spacing(text) == _ref_punct(text)
