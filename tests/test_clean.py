"""Cleaning: chrome rules on the seeds and on made-up captures of other layouts,
no body text lost, glued words, Unicode, offsets of removals, the Cleaner API."""

from __future__ import annotations

import functools
import re
import unicodedata

import pytest

from discourse.clean import (
    DEFAULT_STEPS,
    RULES,
    Cleaner,
    CleanResult,
    Removal,
    clean_text,
    fix_punctuation_spacing,
    normalize_unicode,
    normalize_whitespace,
    repair_glued_words,
    segment_glued,
)
from discourse.errors import ParameterError

# --------------------------------------------------------------------------- helpers


def _squash(s: str) -> str:
    """Compare modulo Unicode quotes/dashes, whitespace and inserted spaces (glue repair)."""
    s = unicodedata.normalize("NFKC", s)
    s = s.translate({0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"', 0x2013: "-", 0x2014: "-"})
    return re.sub(r"\s+", "", s)


def _sentences(region: str) -> list[str]:
    """A simple splitter: lines, then sentence ends followed by a capital, digit or quote."""
    out = []
    for line in region.splitlines():
        for s in re.split(r"(?:(?<=[.!?])|(?<=[.!?][\"'\u201d\u2019]))\s+(?=[A-Z0-9\"\u201c\u2018])", line.strip()):
            if s.strip():
                out.append(s.strip())
    return out


def _by_rule(result: CleanResult) -> dict[str, list[str]]:
    got: dict[str, list[str]] = {}
    for r in result.removals:
        got.setdefault(r.rule, []).append(r.text)
    return got


@pytest.fixture(scope="module")
def cleaned(seeds):
    cl = Cleaner()
    return {d.id: (d.text, cl.clean(d.text, doc_id=d.id)) for d in seeds}


# ------------------------------------------------------------------ the seeds

# Body regions identified by reading each file: (first words, last words) of the
# article body, and the title line that must survive (None: no title in the text).
BODY = {
    "000_99d5bfdb740dc271": ("Afghanistan\u2019s National Directorate of Security", "security partnership in the long term.", "Kabul-Islamabad Expanding Security Cooperation"),
    "001_fe70e3f818e794b0": ("During the recent visit of Pakistan", "lies in the coming few weeks.", "Implications of Probable Pak-Afghan Security Agreement"),
    "002_ea853c5524ed5001": ("Considering security issues of border security", "peace and security of each other.", "Pakistan and Afghan Anti-Terror Cooperation"),
    "003_96d0e61bdfa75bcd": ("Ever since the Taliban takeover of Kabul", "do more harm than good.", "Escalating Frictions: What Lies Ahead For Pak-Afghan Relations?"),
    "004_145f3cb4179141c0": ("Few can fail to see the signs of change", "will have been forfeited.", None),
}

# What each seed's chrome is (see seeds/README.md), by rule, with a snippet of each removal.
EXPECTED = {
    "000_99d5bfdb740dc271": {"masthead": ["Editor in Chief"], "byline": ["By Abdul Ahad Bahrami"]},
    "001_fe70e3f818e794b0": {
        "image_credit": ["Image Credits:"],
        "tagline": ["Your go-to editorial hub"],
        "comment_form": ["Add a Comment", "Your email address will not be published"],
    },
    "002_ea853c5524ed5001": {"title_repeat": ["Pakistan and Afghan Anti-Terror Cooperation"]},
    "003_96d0e61bdfa75bcd": {
        "byline": ["Author: Hammad Waleed"],
        "author_bio": ["is an independent researcher"],
        "share_widget": ["Share"],
        "comment_form": ["Leave a Comment"],
        "sidebar": ["Recent Posts"],
    },
    "004_145f3cb4179141c0": {
        "first_published": ["This article was first published on Foreign Policy"],
        "disclaimer": ["The Middle East Institute (MEI) is an independent, non-partisan"],
    },
}


@pytest.mark.parametrize("doc_id", sorted(BODY))
def test_no_body_sentence_lost(cleaned, doc_id):
    raw, res = cleaned[doc_id]
    first, last, title = BODY[doc_id]
    a = raw.index(first)
    b = raw.index(last) + len(last)
    sentences = _sentences(raw[a:b])
    assert len(sentences) > 20
    clean = _squash(res.text)
    missing = [s for s in sentences if _squash(s) not in clean]
    assert missing == []
    # nothing removed from inside the body region
    assert all(r.end <= a or r.start >= b for r in res.removals)
    if title is not None:
        assert res.text.splitlines()[0] == title


@pytest.mark.parametrize("doc_id", sorted(EXPECTED))
def test_each_rule_on_seeds(cleaned, doc_id):
    raw, res = cleaned[doc_id]
    got = _by_rule(res)
    assert set(got) == set(EXPECTED[doc_id])
    for rule, snippets in EXPECTED[doc_id].items():
        for snip in snippets:
            assert any(snip in t for t in got[rule]), (rule, snip, got[rule])
    for r in res.removals:
        assert raw[r.start : r.end] == r.text
        assert r.doc_id == doc_id and r.rule in RULES


def test_seed_chrome_gone(cleaned):
    gone = {
        "000_99d5bfdb740dc271": ["Editor in Chief", "April 19th, 2024", "By Abdul Ahad Bahrami"],
        "001_fe70e3f818e794b0": ["Image Credits", "TOLOnews", "go-to editorial hub", "Add a Comment", "Required fields"],
        "003_96d0e61bdfa75bcd": ["Author:", "hammadwaleed82@gmail.com", "independent researcher", "Leave a Comment", "Recent Posts", "Hezbollah", "1 hour ago", "steering committee"],
        "004_145f3cb4179141c0": ["first published", "Middle East Institute", "donors", "click here"],
    }
    for doc_id, snippets in gone.items():
        text = cleaned[doc_id][1].text
        for s in snippets:
            assert s not in text, (doc_id, s)
    # the repeated title of 002 is kept once
    assert cleaned["002_ea853c5524ed5001"][1].text.count("Pakistan and Afghan Anti-Terror Cooperation") == 1


def test_seed_chars_removed(cleaned):
    # the bulk of 003's chrome is the sidebar; 002 only loses its repeated title line
    res3 = cleaned["003_96d0e61bdfa75bcd"][1]
    sidebar = sum(r.end - r.start for r in res3.removals if r.rule == "sidebar")
    assert sidebar > 1000 and res3.chars_removed >= sidebar
    res2 = cleaned["002_ea853c5524ed5001"][1]
    assert res2.chars_removed == len("Pakistan and Afghan Anti-Terror Cooperation\n")


def test_seed_repairs(cleaned):
    text = cleaned["003_96d0e61bdfa75bcd"][1].text
    for fixed in ("terrorist activities", "Pakistan is central", "comprehensive stance", "between Islamabad and Kabul, with", "civilians in particular.", "(BLF)", "Pakistan's misfortune, this is precisely what transpired. When"):
        assert fixed in text
    for glued in ("terroristactivities", "iscentral", "comprehensivestance", " ,", " .", "( "):
        assert glued not in text
    text0 = cleaned["000_99d5bfdb740dc271"][1].text
    assert "Afghanistan's National" in text0 and "\u2019" not in text0


def test_date_from_masthead_not_kept(cleaned):
    # dates come from metadata only: the served-page date must not survive in the text
    assert "2024" not in cleaned["000_99d5bfdb740dc271"][1].text


# ------------------------------------------------ other layouts (made-up captures)

DAILY = """The Frontier Ledger
Updated: 12 March 2024 10:32 PKT
Photo: Reuters/Fayaz Aziz
Border talks resume at Torkham
By Sana Gul and Imran Yousafzai

Officials from both countries met at the Torkham crossing on Monday to discuss the reopening of trade routes that have been closed for three weeks. Traders on both sides say the closure has cost them millions of rupees, and truck drivers have waited for days in the heat.

Read more: Trade through Chaman falls for third month

The talks, the first since the clashes in February, were described by a Pakistani official as constructive. Share of trade through the crossing has fallen sharply since 2021, according to customs data released last week by the ministry.

Tags: Torkham, Border, Trade
Share on Facebook
Share on WhatsApp
12 Comments
The writer is a senior correspondent covering Khyber Pakhtunkhwa. She tweets at @sanagul
\u00a9 2024 The Frontier Ledger. All rights reserved."""

THINK_TANK = """Disclaimer: The views expressed in this article are those of the author and do not necessarily reflect the official policy of the Centre.

Afghanistan's northern provinces have seen a sharp rise in cross-border trade with Central Asia since 2022. Officials in Mazar-i-Sharif report that rail freight through Hairatan doubled, even as the southern routes to Pakistan remained uncertain and subject to sudden closures.

The views expressed by provincial officials in interviews were mixed: some welcomed the new routes, while others feared that dependence on a single corridor would leave the province exposed to decisions taken in Tashkent and Islamabad alike.

About the author
Dr. Farid Noorzai is a senior fellow at the Kabul Policy Forum. Email: f.noorzai@example.org

The Kabul Policy Forum is a non-partisan research organization. It does not take institutional positions on policy issues."""

MAGAZINE = """Why the border matters | Example Review
Why the border matters
Written by: Jane R. Doe
Monday, 3 June 2024
Soldiers patrol the frontier near Chaman. (Photo by John Smith/Getty Images)

For seventy years the frontier between Pakistan and Afghanistan has been drawn on maps more firmly than on the ground. Related concerns about smuggling, refugees and militancy have shaped how both capitals talk about it, and how their publics understand it.

Related concerns
Smuggling networks are older than either state, and they adapt faster than any fence. Officials on both sides concede that fencing has changed routes rather than volumes, and that local economies depend on the informal trade that the fence is meant to stop.

This article originally appeared in The Example Quarterly.

You may also like
Five things to know about the fence
Refugees in limbo: a photo essay
Inside the talks that failed
The long road to Torkham"""


def _clean(text: str) -> CleanResult:
    return Cleaner().clean(text, doc_id="x")


def test_other_layout_daily():
    res = _clean(DAILY)
    got = _by_rule(res)
    assert any("Updated: 12 March 2024" in t for t in got["masthead"])
    assert any(t.startswith("Photo: Reuters") for t in got["image_credit"])
    assert any("By Sana Gul and Imran Yousafzai" in t for t in got["byline"])
    assert any("Read more: Trade through Chaman" in t for t in got["sidebar"])
    assert len(got["share_widget"]) == 4  # Tags, two share buttons, comment count
    assert any("The writer is a senior correspondent" in t for t in got["author_bio"])
    assert any("All rights reserved" in t for t in got["copyright"])
    body = res.text
    assert body.splitlines()[0] == "The Frontier Ledger"  # a bare site name is not recognisable chrome: kept
    assert "Border talks resume at Torkham" in body
    assert "Share of trade through the crossing has fallen sharply" in body  # prose starting with "Share" kept
    for r in res.removals:
        assert DAILY[r.start : r.end] == r.text


def test_other_layout_think_tank():
    res = _clean(THINK_TANK)
    got = _by_rule(res)
    assert len(got["disclaimer"]) == 2  # the top disclaimer and the closing institutional one
    assert any(t.startswith("Disclaimer:") for t in got["disclaimer"])
    assert any("does not take institutional positions" in t for t in got["disclaimer"])
    assert any("About the author" in t for t in got["author_bio"])
    assert any("Dr. Farid Noorzai is a senior fellow" in t for t in got["author_bio"])
    # a body paragraph that merely mentions "views expressed" is article text
    assert "The views expressed by provincial officials in interviews were mixed" in res.text
    assert res.text.startswith("Afghanistan's northern provinces")
    assert res.text.endswith("exposed to decisions taken in Tashkent and Islamabad alike.")
    assert "@" not in res.text


def test_other_layout_magazine():
    res = _clean(MAGAZINE)
    got = _by_rule(res)
    assert got["title_repeat"] == ["Why the border matters | Example Review\n"]
    assert any("Written by: Jane R. Doe" in t for t in got["byline"])
    assert any("Monday, 3 June 2024" in t for t in got["masthead"])
    assert any("Getty Images" in t for t in got["image_credit"])
    assert any("originally appeared in" in t for t in got["first_published"])
    assert any(t.startswith("You may also like") and "The long road to Torkham" in t for t in got["sidebar"])
    text = res.text
    assert text.splitlines()[0] == "Why the border matters"
    # a mid-article heading that starts like a sidebar, followed by prose, stays
    assert "Related concerns\nSmuggling networks are older than either state" in text
    assert "Five things to know" not in text


def test_sidebar_needs_headlines_after_it():
    body = "A long paragraph of article prose that goes on for a while, with several clauses, and ends with a full stop. " * 3
    text = f"{body}\n\nRecent Posts\n\n{body}\n\n{body}"
    res = _clean(text)
    assert "sidebar" not in _by_rule(res)
    assert res.text.count("A long paragraph") == 9


def test_email_inline_and_bio_contact():
    res = _clean("Officials met in Kabul on Monday and agreed to meet again next month in Islamabad, a spokesman said after the meeting ended late in the evening.\n\nFor corrections write to desk@example.com or call the desk.")
    assert "desk@example.com" not in res.text
    assert any("desk@example.com" in r.text for r in res.removals if r.rule == "email")


def test_byline_rule_needs_a_name():
    # "By the numbers" is a heading, not a byline
    res = _clean("By the numbers\n\n" + "Trade fell by a third in the first quarter of the year, officials in the ministry of commerce said on Sunday, citing customs data. " * 2)
    assert "byline" not in _by_rule(res)
    assert res.text.startswith("By the numbers")


# ---------------------------------------------------------------- glue repair


@pytest.mark.parametrize(
    "glued, fixed",
    [("terroristactivities", "terrorist activities"), ("iscentral", "is central"), ("comprehensivestance", "comprehensive stance"), ("alsosaid", "also said")],
)
def test_glued_words_split(glued, fixed):
    assert repair_glued_words(f"an increase in {glued} was seen") == f"an increase in {fixed} was seen"


@pytest.mark.parametrize(
    "word",
    ["counterterrorism", "afghanistan", "islamabad", "miscalculating", "geoeconomics", "undertrained", "refurbing", "pursual", "inswinger", "tailenders", "skepticisms", "reexamination", "intercommunication"],
)
def test_real_words_not_split(word):
    assert repair_glued_words(f"the {word} here") == f"the {word} here"
    assert segment_glued(word) is None


def test_names_acronyms_urls_not_split():
    text = "Afghanistan Islamabad TERRORISTACTIVITIES Terroristactivities www.terroristactivities.org user.terroristactivities@example.com terroristactivities-based"
    assert repair_glued_words(text) == text


def test_glue_options():
    assert repair_glued_words("iscentral", min_length=10) == "iscentral"
    assert Cleaner(options={"repair_glued_words": {"min_length": 12}})("Pakistan iscentral to it.") == "Pakistan iscentral to it."


# ------------------------------------------------------ Unicode and punctuation


def test_normalize_unicode():
    raw = "\u201cPakistan\u2019s\u201d \u2018ISI\u2019 \u2013 2007\u20132017\u2014now\u00a0here\u200b \ufb01ve \uff21\r\nnext\tline"
    out = normalize_unicode(raw)
    assert out == "\"Pakistan's\" 'ISI' - 2007-2017 - now here five A\nnext line"
    assert normalize_unicode(out) == out


def test_punctuation_spacing():
    assert fix_punctuation_spacing("Kabul , with the latter . When ( BLF) allowed ; yes !") == "Kabul, with the latter. When (BLF) allowed; yes!"
    # ellipses and decimals are left alone
    assert fix_punctuation_spacing("wait ... and 3 .5 percent") == "wait ... and 3 .5 percent"


def test_normalize_whitespace():
    assert normalize_whitespace("  a  b \n\n\n\n c \t d\n e  ") == "a b\n\nc d\ne"


# ---------------------------------------------------------- offsets and API


def test_removal_offsets_through_unicode_edits():
    raw = "\u201cQuoted\u201d \u2014 intro\u200b line\n\u200bShare\u200b\nImage\u00a0credit: \u00a9 AFP\nBody text \u2019s here , with more."
    res = Cleaner().clean(raw, doc_id="d")
    assert res.text == '"Quoted" - intro line\nBody text \'s here, with more.'
    rules = {r.rule: r for r in res.removals}
    assert set(rules) == {"share_widget", "image_credit"}
    for r in res.removals:
        assert raw[r.start : r.end] == r.text
    assert rules["share_widget"].text.strip("\u200b\n") == "Share"
    assert rules["image_credit"].text.startswith("Image\u00a0credit")


def test_step_through_matches_call(seeds):
    raw = seeds.text("003_96d0e61bdfa75bcd")
    cl = Cleaner()
    steps = list(cl.step_through(raw))
    assert [name for name, _ in steps] == list(DEFAULT_STEPS)
    assert steps[-1][1] == cl(raw) == cl.clean(raw).text == clean_text(raw)
    texts = dict(steps[:5])  # names repeat later (spacing is tidied again after removals)
    assert "Recent Posts" in texts["normalize_whitespace"] and "Recent Posts" not in texts["remove_chrome"]
    assert "terroristactivities" in texts["normalize_unicode"] and "terroristactivities" not in texts["repair_glued_words"]
    # the single rule steps can be stepped through as well
    singles = dict(Cleaner(["remove_sidebars", "remove_widgets", "remove_head_chrome", "remove_tail_chrome", "remove_emails"]).step_through(raw))
    assert "Recent Posts" in raw and "Recent Posts" not in singles["remove_sidebars"]
    assert "Leave a Comment" in singles["remove_sidebars"] and "Leave a Comment" not in singles["remove_widgets"]
    assert "Author: Hammad Waleed" not in singles["remove_head_chrome"]
    assert "independent researcher" in singles["remove_head_chrome"] and "independent researcher" not in singles["remove_tail_chrome"]


def test_custom_steps_and_partials():
    shout = ("shout", str.upper)
    cl = Cleaner(["normalize_unicode", functools.partial(repair_glued_words, min_length=8), shout, normalize_whitespace])
    assert cl.step_names == ["normalize_unicode", "repair_glued_words", "shout", "normalize_whitespace"]
    res = cl.clean("an iscentral  point")
    assert res.text == "AN IS CENTRAL POINT" and res.removals == ()
    assert Cleaner([lambda t: t.replace("x", "")])("axbx") == "ab"


def test_bad_steps_raise():
    with pytest.raises(ParameterError, match="steps"):
        Cleaner(["no_such_step"]).clean("text")
    with pytest.raises(ParameterError, match="steps"):
        Cleaner("normalize_unicode").clean("text")
    with pytest.raises(ParameterError, match="text"):
        Cleaner().clean(b"bytes")  # type: ignore[arg-type]


def test_deterministic_and_idempotent_on_seeds(seeds):
    cl = Cleaner()
    for d in seeds:
        a, b = cl.clean(d.text, d.id), Cleaner().clean(d.text, d.id)
        assert a == b
        assert cl(a.text) == a.text


def test_removal_is_a_value():
    r = Removal("d", 0, 5, "share_widget", "Share")
    assert r == Removal("d", 0, 5, "share_widget", "Share")
    with pytest.raises(AttributeError):
        r.start = 1  # type: ignore[misc]


def test_cleaner_follows_the_estimator_contract_so_sklearn_clone_works():
    from sklearn.base import clone

    from discourse.clean import Cleaner

    original = Cleaner()
    copy = clone(original)
    assert copy is not original and copy.get_params() == original.get_params()
    assert copy.resolved_params() == original.resolved_params()
    assert copy("Hello  world.") == original("Hello  world.")
    assert Cleaner().set_params(steps=None).steps is None


def test_segmenter_counts_read_as_wordsegment_reads_them():
    """The counts the glued-word repair loads equal wordsegment's own ``Segmenter.load()``, entry for entry, in order."""
    import wordsegment

    from discourse.clean._repair import _load_lexicon, segment_words

    ours, theirs = _load_lexicon(wordsegment.Segmenter), wordsegment.Segmenter()
    theirs.load()
    assert list(ours.unigrams.items()) == list(theirs.unigrams.items())
    assert list(ours.bigrams) == list(theirs.bigrams)
    assert all(type(v) is str for v in ours.bigrams.values())  # read as written, converted when scored
    assert [float(v) for v in ours.bigrams.values()] == list(theirs.bigrams.values())
    assert (ours.total, ours.limit) == (theirs.total, theirs.limit)
    assert segment_words(ours, "terroristactivities") == theirs.segment("terroristactivities") == ["terrorist", "activities"]
    for glued in ("nationalsecurity", "primeministernawaz", "isthe", "bordercrossingpoints", "qwzxvbnm"):
        assert segment_words(ours, glued) == theirs.segment(glued), glued


def test_folds_to_ascii_complete():
    """Every character ``re.IGNORECASE`` matches to an ASCII letter is ASCII or listed, so the chrome gates can lowercase."""
    import sys

    from discourse.clean._predicates import _FOLDS_TO_ASCII

    letter = re.compile(r"[a-z]", re.IGNORECASE)
    found = {chr(cp) for cp in range(128, sys.maxunicode + 1) if letter.fullmatch(chr(cp))}
    assert found == set(_FOLDS_TO_ASCII)


def test_widget_gates_never_skip_a_line(monkeypatch, seeds):
    """The credit/copyright word tests before the line searches change no removal."""
    from discourse.clean import _rules

    texts = [seeds.text(i) for i in seeds.ids] + [
        "Talks resumed.\n(C) 2024 Dawn Media Group\nMore prose here.",
        "Prose line.\n\u017fhutter\u017ftock\nCopyright Foo",
        "A paragraph.\nPHOTO BY JOHN DOE\nall RIGHTS reserved.",
        "Kabul \u00e9t\u00e9\n\u00a9 The Daily\n(File Photo)\nA line about Reuters/ staff",
        "Nothing to see here.\nJust prose, with no chrome at all.",
        "Inner \u0130mage Credits: Foo\nGett\u0443 images",
    ]
    got = [_rules._find_widgets(t) for t in texts]
    monkeypatch.setattr(_rules, "_may_contain", lambda *a: True)
    _rules._LAST_LINES[0] = None
    assert [_rules._find_widgets(t) for t in texts] == got
    assert any(got[-6:]) and not got[-2]


def test_glued_occurrences_are_the_candidate_matches(seeds):
    """Looking up the unknown tokens finds exactly the candidate-regex matches that are those tokens."""
    from discourse.clean._repair import _candidate_re, _occurrences

    texts = [seeds.text(i) for i in seeds.ids] + [
        "terroristactivities terroristactivities_x xterroristactivities terroristactivities2 \u00e9terroristactivities",
        "terroristactivitiesterroristactivities terroristactivities. (terroristactivities) terroristactivities\u00b2",
    ]
    rx = _candidate_re(8)
    for text in texts:
        tokens = set(rx.findall(text))
        unknown = set(sorted(tokens)[::3]) | {"terroristactivities"}
        expected = [(m.start(), m.group(0)) for m in rx.finditer(text) if m.group(0) in unknown]
        assert sorted(_occurrences(text, unknown)) == expected, text[:60]


def test_unicode_runs_match_the_one_regex_definition(seeds):
    """The runs normalised (each with the character before it) are the matches of ``(?s).?(?:\\r\\n|[^\\n\\x20-\\x7e])+``."""
    from discourse.clean._normalize import _NON_PLAIN

    definition = re.compile(r"(?s).?(?:\r\n|[^\n\x20-\x7e])+")
    texts = [seeds.text(i) for i in seeds.ids] + [
        "\r\n", "a\r\nb", "\u00e9\n\r\n", "\u00e9a\u00e9", "x\u00e9\u00e9 \u2019s\u2014", "\r\r\n\t\u200b", "plain", "\n\u0301e\u0301",
    ]
    for text in texts:
        ours = [((s - 1) if s else 0, e) for s, e in (m.span() for m in _NON_PLAIN.finditer(text))]
        assert ours == [m.span() for m in definition.finditer(text)], repr(text[:40])


def test_email_gate_never_skips_an_address(seeds):
    """Texts the "@" test passes over have no match of the full e-mail pattern."""
    from discourse.clean._predicates import _EMAIL_WITH_LEAD
    from discourse.clean._rules import _find_emails, _has_email

    texts = [seeds.text(i) for i in seeds.ids] + [
        "He can be reached at a.b@c.org.", "@property\ndef f(self): ...", "x @ y.com", "a@b", "a@b.c", "a@b.cc",
        "(writer@think.tank.pk)", "mail: x+y@z-w.co.uk", "@@a.bc", "K@\u212a.\u212aK", "end @", "a@\u00e9t\u00e9.fr",
    ]
    for text in texts:
        full = [(m.start(), m.end(), "", "email") for m in _EMAIL_WITH_LEAD.finditer(text)]
        assert _find_emails(text) == full, text[:40]
        if full:
            assert _has_email(text)
    assert not _has_email("@property\ndef f(self): ...") and _has_email("a@b.cc")


def test_nonempty_lines_are_the_lines_with_text(seeds):
    """The chrome rules' lines: each line between newlines that ``str.strip`` leaves non-empty, with its span."""
    from discourse.clean._rules import _nonempty_stripped

    texts = [seeds.text(i) for i in seeds.ids] + ["", "\n", " a \n\n\t\n b", "x\r\n\u00a0\n\u2028y\u2029\n\x1c", "end\n"]
    for text in texts:
        expected, pos = [], 0
        for line in text.split("\n"):
            if line.strip():
                expected.append(((pos, pos + len(line)), line.strip()))
            pos += len(line) + 1
        spans, strs = _nonempty_stripped(text)
        assert list(zip(spans, strs)) == expected, repr(text[:40])


def _widget_lines():
    """Lines of the seeds, of the made-up layouts above and of every kind the widget rules remove (and near misses)."""
    import inspect
    import sys

    from discourse import load_seeds

    lines = [ln.strip() for d in load_seeds() for ln in d.text.splitlines() if ln.strip()]
    src = inspect.getsource(sys.modules[__name__])
    lines += [ln.strip().strip("\"'") for ln in src.splitlines() if ln.strip()]
    lines += [
        "Share", "Share this article | Tweet | Email", "| Facebook | Twitter | WhatsApp |", "12 comments", "Comments (3)",
        "Leave a Reply", "Your email address will not be published. Required fields are marked *", "Name *", "Email:",
        "Tags: Pakistan, Afghanistan, TTP", "Filed under: Security", "Follow us on Twitter for more", "Like us on Facebook",
        "Photo: AFP", "(Image credit: Reuters)", "Featured image by staff", "Picture courtesy: ISPR", "Getty Images",
        "Kabul, Afghanistan (AFP/Getty Images)", "© 2024 Dawn Media Group", "Copyright 2015 The Nation. All rights reserved.",
        "Photo by John Smith", "Sharing intelligence is hard.", "Printed in Lahore", "More", "Home | Menu | Search",
        "Advertisement", "Scroll to continue with content", "Share on Facebook", "Tweeted by officials",
    ]
    return lines


def test_widget_gate_matches_every_line_a_widget_rule_matches():
    """A line the one-pass gate rejects matches none of the five start-anchored widget patterns it stands for."""
    from discourse.clean import _predicates as P

    lines = _widget_lines()
    caught = 0
    for s in lines:
        matched = [p.match(s) for p in (P._COMMENT_FORM, P._WIDGET_LINE, P._TAGS_LINE, P._FOLLOW_LINE, P._CREDIT_LEAD)]
        assert bool(P._WIDGET_GATE.match(s)) == any(matched), s
        caught += any(matched)
    assert caught >= 20


def test_find_widgets_equals_rule_chain():
    """``_find_widgets`` (gated) removes what the four rules, tried on every line in order, remove."""
    from discourse.clean import _predicates as P
    from discourse.clean._rules import _find_widgets, _line_edit, _nonempty_stripped

    def reference(text):
        edits = []
        for (a, b), s in zip(*_nonempty_stripped(text)):
            if len(s) > 300:
                continue
            for rule, hit in (("comment_form", P._is_comment_form(s)), ("share_widget", P._is_widget(s)),
                              ("image_credit", P._is_image_credit(s)), ("copyright", P._is_copyright(s))):
                if hit:
                    edits.append(_line_edit(text, a, b, rule))
                    break
        return edits

    lines = _widget_lines()
    texts = ["\n".join(lines[i:i + 40]) for i in range(0, len(lines), 40)]
    found = 0
    for text in texts:
        assert _find_widgets(text) == reference(text)
        found += len(reference(text))
    assert found >= 20


def test_segment_words_equals_wordsegment():
    """The faster search gives wordsegment's own segmentation, word for word, on random glued text of every length."""
    import random

    import wordsegment

    from discourse.clean._repair import _load, segment_words

    ours = _load()["lexicon"]
    theirs = wordsegment.Segmenter()
    theirs.load()
    words = [w for w, _c in zip(ours.unigrams, range(30000))]
    rng = random.Random(7)
    texts = ["".join(rng.choice(words) for _ in range(rng.randint(1, 5))) for _ in range(400)]
    texts += ["", "a", "isthe", "terroristactivities", "qwzxvbnmqwzxvbnmqwzx", "Kabul-Islamabad talks!",
              "thequickbrownfoxjumpsoverthelazydog" * 12]  # over 250 characters: the chunked search
    for text in texts:
        assert segment_words(ours, text) == theirs.segment(text), text


def test_first_letters_gate_never_drops_a_widget_line():
    """``_may_start_widget`` is False only for lines no widget pattern matches (lines of every kind, then random heads)."""
    import random

    from discourse.clean import _predicates as P

    lines = _widget_lines()
    assert sum(not P._may_start_widget(s) for s in lines) > len(lines) // 3  # the gate does skip most prose
    for s in lines:
        if not P._may_start_widget(s):
            assert not P._WIDGET_GATE.match(s), s
    # heads built from the patterns' own leading characters and words, in any case, glued or spaced
    rng = random.Random(3)
    sources = (P._COMMENT_FORM, P._WIDGET_LINE, P._TAGS_LINE, P._FOLLOW_LINE, P._CREDIT_LEAD)
    pieces = sorted({w for p in sources for w in re.findall(r"[a-z]+", p.pattern)}) + [
        "this", "ther", "a", "tags:", "photo:", "image by", "comments (2)", "3 comments", "reply to x", "e-mail", ":", "*", "(",
        "[", "_", "|", "\u2022", "\u00b7", "/", "-", ",", " ", "\t", "\x1c", "\u017f", "\u212a", "\u0130", "\u00a0",
    ]
    templates = ("{}", "{} photo: AP", "{}: x", "{} image credit: y", "| {} | share", "({} photo: x)", "[{} image by: AP]",
                 "3 {}", "{} to this", "- {} -", "{} us on x", "{} a comment", "{} comments", "{} this article")
    structured = [t.format(w) for w in pieces for t in templates]
    hits = 0
    for s in structured + [s.upper() for s in structured] + [s.title() for s in structured]:
        m = P._WIDGET_GATE.match(s)
        hits += bool(m)
        assert P._may_start_widget(s) or not m, repr(s)
    assert hits > 200
    for _ in range(20000):
        s = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 5)))
        s = "".join(ch.upper() if rng.random() < 0.3 else ch for ch in s).strip()
        m = P._WIDGET_GATE.match(s)
        hits += bool(m)
        assert P._may_start_widget(s) or not m, repr(s)
    assert hits > 1000


def test_first_letters_gate_never_drops_a_sidebar_line():
    """``_may_start_sidebar`` is False only for lines neither sidebar pattern matches (real lines, then built heads)."""
    import random

    from discourse.clean import _predicates as P

    sources = (P._SIDEBAR_HEAD, P._READ_MORE_LINE)
    lines = _widget_lines()
    for s in lines:
        if not P._may_start_sidebar(s):
            assert not any(p.match(s) for p in sources), s
    assert sum(not P._may_start_sidebar(s) for s in lines) > len(lines) // 3
    words = sorted({w for p in sources for w in re.findall(r"[a-z]+", p.pattern)})
    templates = ("{}", "{} posts", "{}: x", "  {} more", "# {} news", "* {} also", "- {} read:", "{} not miss",
                 "{} also like", "{}'s picks", "{} to read: a story", "{} the full story: x")
    heads = [t.format(w) for w in words for t in templates]
    # one line for every alternative of the two patterns, each behind every kind of leading character
    examples = [
        "Recent Posts", "Recent articles", "Recent news", "Related", "Related stories", "Read more", "Read next",
        "More stories", "More news", "More from Dawn", "You may also like", "You might also be interested in",
        "Also read", "See also", "Latest", "Latest news", "Most popular", "Most read", "Trending now", "Popular posts",
        "Recommended for you", "Editor's picks", "Editors pick", "Top stories", "In other news", "In the news",
        "What to read next", "Don't miss", "Dont miss", "Further reading:", "Read more: Talks resume",
        "Also read: Talks resume", "Read also: x", "See also: x", "Related: x", "Read next > x", "Recommended | x",
        "Must read: x", "Suggested reading: x", "Click here to read: x", "Read the full story: x",
        "Read the full article - x",
    ]
    examples = [lead + e for e in examples for lead in ("", "  ", "# ", "* ", "- ", "\u2022 ", "\t")]
    examples = [e for e in examples if any(p.match(e) for p in sources)]  # "Read more:" lines take no "#" lead
    assert len(examples) >= 280
    heads += examples
    rng = random.Random(11)
    pieces = words + [" ", "#", "*", "-", "\u2022", ":", ">", "|", "\u017f", "\u212a", "\t"]
    heads += ["".join(rng.choice(pieces) + rng.choice(["", " "]) for _ in range(rng.randint(1, 5))) for _ in range(20000)]
    hits = 0
    for s in heads + [h.upper() for h in heads[:3000]] + [h.title() for h in heads[:3000]]:
        m = any(p.match(s) for p in sources)
        hits += m
        assert P._may_start_sidebar(s) or not m, repr(s)
    assert hits > 300
