"""Passages: paragraphs, headings joined, long paragraphs split, offsets exact."""

from __future__ import annotations

import pytest

from discourse.clean import Cleaner
from discourse.errors import ParameterError
from discourse.passages import Passage, sentence_spans, split_passages


@pytest.fixture(scope="module")
def seed_passages(seeds):
    cl = Cleaner()
    out = {}
    for d in seeds:
        clean = cl(d.text)
        out[d.id] = (clean, split_passages(clean, d.id))
    return out


def _check_cover(clean: str, ps: list[Passage], doc_id: str) -> None:
    pos = 0
    for i, p in enumerate(ps):
        assert p.doc_id == doc_id and p.passage_id == f"{doc_id}#{i:04d}"
        assert clean[p.start : p.end] == p.text
        assert p.start >= pos and clean[pos : p.start].strip() == ""
        pos = p.end
    assert clean[pos:].strip() == ""


def test_seed_offsets_map_back(seed_passages):
    total = 0
    for doc_id, (clean, ps) in seed_passages.items():
        _check_cover(clean, ps, doc_id)
        total += len(ps)
    assert 60 <= total <= 100


def test_headings_join_their_paragraph(seed_passages):
    clean, ps = seed_passages["002_ea853c5524ed5001"]
    for heading in ("A New Alliance on Security", "Challenges Ahead", "The International Community Role"):
        (p,) = [p for p in ps if heading in p.text]
        assert p.text.startswith(heading + "\n")  # the heading opens the passage of the paragraph it introduces
        assert len(p.text) > len(heading) + 100
    # the title and subtitle open the first passage
    assert ps[0].text.startswith("Pakistan and Afghan Anti-Terror Cooperation\n\nConsidering security issues of border security\nDuring")
    clean1, ps1 = seed_passages["001_fe70e3f818e794b0"]
    (q,) = [p for p in ps1 if "What Does a Security Agreement Signify?" in p.text]
    assert q.text.startswith("What Does a Security Agreement Signify?\n\nBoth Pakistan and Afghanistan")


def test_no_passage_is_only_a_short_line(seed_passages):
    for _doc, (_clean, ps) in seed_passages.items():
        assert all(len(p.text) >= 200 for p in ps)


def test_long_paragraph_split_at_sentences():
    sent = "Officials from both countries met at the border crossing on Monday to discuss trade. "
    para = (sent * 40).strip()  # about 3,400 characters
    ps = split_passages(para, "d", max_chars=1000, min_chars=100)
    assert len(ps) == 4
    _check_cover(para, ps, "d")
    for p in ps:
        assert p.text.endswith("trade.") and p.text.startswith("Officials")
        assert len(p.text) <= 1000
    # nearly equal parts
    assert max(len(p.text) for p in ps) - min(len(p.text) for p in ps) <= len(sent)


def test_paragraph_without_sentence_ends_is_hard_split():
    text = " ".join(["word"] * 2000)  # 9,999 characters, no sentence boundary
    ps = split_passages(text, "d", max_chars=1000)
    _check_cover(text, ps, "d")
    assert len(ps) > 1 and max(len(p.text) for p in ps) <= 2000


def test_short_last_line_joins_previous():
    text = "A paragraph long enough to stand on its own as a passage of the document. " * 4 + "\n\nEnd note."
    ps = split_passages(text.strip(), "d", min_chars=100)
    assert len(ps) == 1 and ps[0].text.endswith("End note.")


def test_only_short_lines_give_one_passage():
    ps = split_passages("Title\n\nSub\n\nx", "d")
    assert [p.text for p in ps] == ["Title\n\nSub\n\nx"]


def test_empty_text():
    assert split_passages("", "d") == [] and split_passages(" \n\n ", "d") == []


@pytest.mark.parametrize("kw", [{"max_chars": 0}, {"min_chars": -1}, {"max_chars": 1.5}])
def test_bad_options(kw):
    with pytest.raises(ParameterError, match=next(iter(kw))):
        split_passages("text", "d", **kw)


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        split_passages("text", "d", 100)  # type: ignore[misc]


def test_sentence_spans_respect_abbreviations():
    s = "Gen. Bajwa met Mr. Ghani and the U.S. envoy in Kabul. Talks resumed on Monday. They ended."
    assert [s[a:b] for a, b in sentence_spans(s)] == [
        "Gen. Bajwa met Mr. Ghani and the U.S. envoy in Kabul.",
        "Talks resumed on Monday.",
        "They ended.",
    ]


def test_units_are_trimmed_non_blank_lines(seeds):
    """``_units`` gives each non-blank line trimmed of whitespace, as a line-by-line ``str.strip`` does."""
    from discourse.passages import _units

    texts = [seeds.text(i) for i in seeds.ids] + [
        "", "\n\n", "  a  \n\t b\u00a0\n\u3000\n\r\nc\r\n", "x", " \u2028 y \u2029 ", "\x0bz\x0c\n\x85w\x1c",
    ]
    for text in texts:
        expected, pos = [], 0
        for line in text.split("\n"):
            stripped = line.strip()
            if stripped:
                a = pos + line.index(stripped[0])
                expected.append((a, a + len(stripped)))
            pos += len(line) + 1
        assert _units(text) == expected, repr(text[:40])
