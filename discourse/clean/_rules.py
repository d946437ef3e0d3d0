"""Page-chrome rules: what a web capture carries that is not article text.

Rules work on whole lines (a line is one paragraph in plain-text captures) and
are general layout patterns, not string matches on particular pages:

========================  ==========================================================
rule                      removes
========================  ==========================================================
``masthead``              a short line near the top with a date and masthead words
                          ("Editor in Chief: ... Friday, April 19th, 2024"), or a
                          bare date/"Updated ..." line
``image_credit``          "Photo: ...", "Image Credits: ...", "Getty Images",
                          "AP Photo/...", "(File photo)" caption lines, anywhere
``byline``                "By <Name>", "Author: <Name>", "Written by <Name>" near
                          the top
``title_repeat``          the title printed twice at the top (or once with the
                          site name, "Title | Site")
``first_published``       "This article was first published in/on ...",
                          "originally appeared in ...", "Republished from ..."
``share_widget``          "Share", "Tweet", "Comments", "Print", "Share on
                          Facebook", "Advertisement", "Tags: ..." lines, anywhere
``comment_form``          "Leave a Comment", "Your email address will not be
                          published", "Required fields are marked *", anywhere
``sidebar``               a "Recent Posts" / "Related" / "Read more" / "You may
                          also like" heading and everything after it when what
                          follows is short headline-like lines; one-line
                          "Read more: <headline>" links
``author_bio``            "<Name> is an independent researcher who writes on ...",
                          "The writer is ...", "About the author" at the end
``email``                 e-mail addresses with their lead-in ("He can be reached
                          at ..."), anywhere
``disclaimer``            "The views expressed ... do not necessarily reflect ...",
                          "<Institute> does not take positions", "non-partisan
                          ... organization" paragraphs at the top or end
``tagline``               the site's slogan at the top or end ("Your go-to hub for
                          ...", "Pakistan's leading English daily")
``copyright``             "(c) 2024 ...", "All rights reserved" lines
========================  ==========================================================

Rules that could hit article prose (bylines, bios, disclaimers, taglines) only
look at the *edges* of a document: the lines before the first long paragraph
("head") and the paragraphs peeled off the end while they match ("tail").
"""

from __future__ import annotations

import re
from typing import List, Sequence, Tuple

from ._normalize import Edit, Step
from ._predicates import (
    _COPYRIGHT_WORDS,
    _CREDIT_WORDS,
    _ABOUT_AUTHOR,
    _EMAIL_DOMAIN,
    _EMAIL_LOCAL_END,
    _EMAIL_WITH_LEAD,
    _READ_MORE_LINE,
    _SENT_END,
    _SIDEBAR_HEAD,
    _WIDGET_GATE,
    _lines_holding,
    _may_start_sidebar,
    _may_start_widget,
    _is_bio,
    _is_byline,
    _is_comment_form,
    _is_copyright,
    _is_disclaimer,
    _is_email_line,
    _is_first_published,
    _is_headline_like,
    _is_image_credit,
    _is_masthead,
    _is_tagline,
    _is_widget,
    _may_contain,
    _words,
)

__all__ = [
    "remove_chrome",
    "remove_sidebars",
    "remove_widgets",
    "remove_head_chrome",
    "remove_tail_chrome",
    "remove_emails",
    "RULES",
]

#: Chrome rule names, in the order they are documented.
RULES = (
    "masthead",
    "image_credit",
    "byline",
    "title_repeat",
    "first_published",
    "share_widget",
    "comment_form",
    "sidebar",
    "author_bio",
    "email",
    "disclaimer",
    "tagline",
    "copyright",
)

# ---------------------------------------------------------------- line helpers

Line = Tuple[int, int]  # (start, end) of the line content, end excludes "\n"


def _line_edit(text: str, start: int, end: int, rule: str) -> Edit:
    """Edit removing a line (or block of lines) with its final newline if any."""
    if end < len(text) and text[end] == "\n":
        end += 1
    return (start, end, "", rule)


def _merge(edits: List[Edit]) -> List[Edit]:
    """Sort edits and drop any overlapping a previous one (first wins)."""
    out: list[Edit] = []
    for e in sorted(edits, key=lambda e: (e[0], -e[1])):
        if out and e[0] < out[-1][1]:
            continue
        out.append(e)
    return out


# ---------------------------------------------------------------- the steps


# The non-empty lines of the text looked at last: the chrome rules run one after another on
# the same text, so each finds its lines here instead of splitting the text again.
_LAST_LINES: list = [None]
# a whole line (between "\n"s) holding a character that is not whitespace (``\S``: not ``str.isspace``)
_NONBLANK_LINE = re.compile(r"^[^\n]*\S[^\n]*", re.MULTILINE)


def _nonempty_stripped(text: str) -> Tuple[List[Line], List[str]]:
    """Spans of the non-empty lines of ``text`` and the lines stripped (shared lists: read, never modify)."""
    last = _LAST_LINES[0]
    if last is not None and last[0] is text:
        return last[1], last[2]
    spans = [m.span() for m in _NONBLANK_LINE.finditer(text)]
    strs = [text[a:b].strip() for a, b in spans]
    _LAST_LINES[0] = (text, spans, strs)
    return spans, strs


def _nonempty(text: str) -> List[Line]:
    return _nonempty_stripped(text)[0]


def _find_sidebars(text: str) -> List[Edit]:
    """A "Recent Posts"/"Related"/"Read more" heading followed by headline-like lines, to the end.

    Also single "Read more: <headline>" lines anywhere.
    """
    lines = _nonempty(text)
    edits: list[Edit] = []
    for i, (a, b) in enumerate(lines):
        if b - a > 260:  # longer than a sidebar heading or a "Read more" line
            continue
        s = text[a:b]
        if not _may_start_sidebar(s):
            continue
        if len(s) <= 60 and _SIDEBAR_HEAD.match(s):
            rest = [text[x:y].strip() for x, y in lines[i + 1 :]]
            if not rest:
                edits.append(_line_edit(text, a, b, "sidebar"))
                break
            short = sum(1 for r in rest if _is_headline_like(r))
            if short == len(rest) or (short >= 0.8 * len(rest) and all(len(r) <= 400 for r in rest)):
                edits.append((a, len(text), "", "sidebar"))
                break
            # a heading with a few headlines, then article prose again: remove the headlines only
            j = 0
            while j < len(rest) and len(rest[j]) <= 140 and not _SENT_END.search(rest[j]):
                j += 1
            if 1 <= j <= 12 and j < len(rest) and len(rest[j]) > 140:
                end = lines[i + j][1]
                edits.append(_line_edit(text, a, end, "sidebar"))
        elif len(s) <= 260 and _READ_MORE_LINE.match(s):
            edits.append(_line_edit(text, a, b, "sidebar"))
    return _merge(edits)


def _find_widgets(text: str) -> List[Edit]:
    """Share/comment widgets, comment forms and image-credit lines, anywhere."""
    edits: list[Edit] = []
    # the credit and copyright searches run only on lines holding one of their words (ASCII text) or,
    # in other text, on every line when the text holds one; most texts hold none
    low = text.lower()
    spans, stripped = _nonempty_stripped(text)
    credit_lines = _lines_holding(text, low, spans, _CREDIT_WORDS)
    if credit_lines is None:
        credit_lines = [_may_contain(text, low, _CREDIT_WORDS)] * len(spans)
    copyright_lines = _lines_holding(text, low, spans, _COPYRIGHT_WORDS)
    if copyright_lines is None:
        copyright_lines = [_may_contain(text, low, _COPYRIGHT_WORDS)] * len(spans)
    for i, ((a, b), s) in enumerate(zip(spans, stripped)):
        if len(s) > 300:  # longer than any line the four rules below remove
            continue
        credit_here, copyright_here = credit_lines[i], copyright_lines[i]
        if not (_may_start_widget(s) and _WIDGET_GATE.match(s)):
            # not a comment form, widget or credit-lead line: only the content-based rules remain
            if credit_here and _is_image_credit(s):
                edits.append(_line_edit(text, a, b, "image_credit"))
            elif copyright_here and _is_copyright(s):
                edits.append(_line_edit(text, a, b, "copyright"))
            continue
        if _is_comment_form(s):
            edits.append(_line_edit(text, a, b, "comment_form"))
        elif _is_widget(s):
            edits.append(_line_edit(text, a, b, "share_widget"))
        elif _is_image_credit(s, any_credit=credit_here):
            edits.append(_line_edit(text, a, b, "image_credit"))
        elif copyright_here and _is_copyright(s):
            edits.append(_line_edit(text, a, b, "copyright"))
    return edits


def _body_start(text: str, lines: Sequence[Line], *, min_body: int = 200) -> int:
    """Index of the first line that reads as article prose (long, with sentences)."""
    for i, (a, b) in enumerate(lines):
        s = text[a:b]
        if len(s) >= min_body and _words(s) >= 25 and not _is_disclaimer(s) and not _is_first_published(s):
            return i
    return len(lines)


def _norm_title(s: str) -> str:
    return re.sub(r"\W+", " ", s).strip().lower()


def _find_head(text: str, *, max_kept: int = 5) -> List[Edit]:
    """Masthead, byline, credits, first-published line, disclaimer, tagline and repeated title at the top.

    Lines are examined from the top until the first long paragraph or until
    ``max_kept`` lines have been kept (title, subtitle ...).
    """
    lines = _nonempty(text)
    if not lines:
        return []
    stop = _body_start(text, lines)
    edits: list[Edit] = []
    kept_titles: list[Tuple[int, str]] = []
    for i in range(stop):
        if len(kept_titles) >= max_kept:
            break
        a, b = lines[i]
        s = text[a:b].strip()
        rule = None
        if _is_masthead(s):
            rule = "masthead"
        elif _is_image_credit(s):
            rule = "image_credit"
        elif _is_first_published(s):
            rule = "first_published"
        elif _is_byline(s):
            rule = "byline"
        elif _is_disclaimer(s):
            rule = "disclaimer"
        elif _is_email_line(s):
            rule = "email"
        elif _is_tagline(s) and i > 0:
            rule = "tagline"
        elif kept_titles and len(s) <= 300:
            prev_i, prev = kept_titles[-1]
            cur = _norm_title(s)
            if cur and cur == prev:
                rule = "title_repeat"
            elif cur and prev.startswith(cur + " ") and len(prev) - len(cur) <= 60 and re.search(r"\s[|\-:•]\s|\s[|\-:•]$", text[lines[prev_i][0] : lines[prev_i][1]]):
                # "Title | Site name" followed by "Title": drop the page-title line
                pa, pb = lines[prev_i]
                edits.append(_line_edit(text, pa, pb, "title_repeat"))
                kept_titles[-1] = (i, cur)
                continue
        if rule:
            edits.append(_line_edit(text, a, b, rule))
        else:
            kept_titles.append((i, _norm_title(s)))
    return _merge(edits)


def _find_tail(text: str, *, max_blocks: int = 12) -> List[Edit]:
    """Peel author bios, disclaimers, taglines, first-published lines and widgets off the end."""
    lines = _nonempty(text)
    edits: list[Edit] = []
    i = len(lines) - 1
    peeled = 0
    while i >= 0 and peeled < max_blocks:
        a, b = lines[i]
        s = text[a:b].strip()
        rule = None
        if _is_comment_form(s):
            rule = "comment_form"
        elif _is_widget(s):
            rule = "share_widget"
        elif _is_email_line(s):
            rule = "email"
        elif _is_first_published(s):
            rule = "first_published"
        elif _is_disclaimer(s):
            rule = "disclaimer"
        elif _is_copyright(s):
            rule = "copyright"
        elif _is_bio(s):
            rule = "author_bio"
        elif _is_tagline(s):
            rule = "tagline"
        elif _ABOUT_AUTHOR.match(s):
            rule = "author_bio"
        if rule is None:
            break
        # an "About the author" heading just above a bio goes with it
        if rule == "author_bio" and i > 0:
            pa, pb = lines[i - 1]
            if _ABOUT_AUTHOR.match(text[pa:pb]):
                edits.append(_line_edit(text, pa, pb, "author_bio"))
                i -= 1
        edits.append(_line_edit(text, a, b, rule))
        i -= 1
        peeled += 1
    return _merge(edits)


def _find_emails(text: str) -> List[Edit]:
    """E-mail addresses, with a lead-in such as "He can be reached at", anywhere."""
    if not _has_email(text):
        return []
    return [(m.start(), m.end(), "", "email") for m in _EMAIL_WITH_LEAD.finditer(text)]


def _has_email(text: str) -> bool:
    """Some "@" has an address character before it and an address domain after it.

    Every match of :data:`_EMAIL_WITH_LEAD` holds such an "@", so a text
    without one has no match; the test looks only at the "@"s, where the
    full pattern (its optional lead-in first) is tried at every position.
    """
    q = text.find("@")
    while q >= 0:
        if q > 0 and _EMAIL_LOCAL_END.match(text, q - 1) and _EMAIL_DOMAIN.match(text, q + 1):
            return True
        q = text.find("@", q + 1)
    return False


class _Deletions:
    """Positions of a text after some deletions, mapped back to the original text."""

    def __init__(self, n: int) -> None:
        self.kept: list[Tuple[int, int]] = [(0, n)] if n else []  # original intervals still present, in order

    def pieces(self, s: int, e: int) -> List[Tuple[int, int]]:
        """Original intervals of current positions ``[s, e)``."""
        out = []
        pos = 0
        for a, b in self.kept:
            n = b - a
            lo, hi = max(s, pos), min(e, pos + n)
            if lo < hi:
                out.append((a + lo - pos, a + hi - pos))
            pos += n
            if pos >= e:
                break
        return out

    def delete(self, spans: List[Tuple[int, int]]) -> None:
        """Remove original intervals ``spans`` (sorted, disjoint, each inside kept text)."""
        out = []
        j = 0
        for a, b in self.kept:
            cur = a
            while j < len(spans) and spans[j][0] < b:
                s, e = spans[j]
                if s > cur:
                    out.append((cur, s))
                cur = max(cur, e)
                if e <= b:
                    j += 1
                else:
                    break
            if cur < b:
                out.append((cur, b))
        self.kept = out


_CHROME_FINDERS = (
    ("remove_sidebars", _find_sidebars),
    ("remove_widgets", _find_widgets),
    ("remove_head_chrome", _find_head),
    ("remove_tail_chrome", _find_tail),
    ("remove_emails", _find_emails),
)


def _find_chrome(text: str, *, max_rounds: int = 50) -> List[Edit]:
    """All chrome rules, repeated until nothing more is removed (so cleaning is idempotent).

    Removing one piece of chrome can expose another (a sidebar qualifies once
    the disclaimer after it is gone); the rules therefore run in rounds until
    a round removes nothing.  Edits are deletions, mapped back to ``text``.
    """
    from ._normalize import apply_edits

    dm = _Deletions(len(text))
    cur = text
    out: list[Edit] = []
    # the text each rule last found nothing in: a rule is pure, so on the same text it finds nothing again
    clean_for: dict[int, str] = {}
    for _ in range(max_rounds):
        changed = False
        for k, (_name, find) in enumerate(_CHROME_FINDERS):
            if clean_for.get(k) is cur:
                continue
            edits = find(cur)
            if not edits:
                clean_for[k] = cur
                continue
            spans = []
            for s, e, _repl, rule in edits:
                for a, b in dm.pieces(s, e):
                    spans.append((a, b))
                    out.append((a, b, "", rule))
            dm.delete(sorted(spans))
            cur = apply_edits(cur, edits)
            changed = True
        if not changed:
            break
    out.sort(key=lambda e: (e[0], e[1]))
    return out


remove_chrome = Step("remove_chrome", _find_chrome, "Remove all page chrome (every rule below), repeated until nothing more is found.")
remove_sidebars = Step("remove_sidebars", _find_sidebars, "Remove 'Recent Posts'/'Related'/'Read more' sidebars of headlines.")
remove_widgets = Step("remove_widgets", _find_widgets, "Remove share/comment widgets, comment forms, image credits and copyright lines.")
remove_head_chrome = Step(
    "remove_head_chrome", _find_head, "Remove masthead, byline, credits, first-published line and repeated title at the top."
)
remove_tail_chrome = Step(
    "remove_tail_chrome", _find_tail, "Remove author bio, disclaimer, tagline, first-published line and widgets at the end."
)
remove_emails = Step("remove_emails", _find_emails, "Remove e-mail addresses and their lead-in.")
