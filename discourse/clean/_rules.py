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

I = re.IGNORECASE

# ---------------------------------------------------------------- line helpers

Line = Tuple[int, int]  # (start, end) of the line content, end excludes "\n"


def _lines(text: str) -> List[Line]:
    out: list[Line] = []
    pos = 0
    n = len(text)
    while pos <= n:
        j = text.find("\n", pos)
        if j < 0:
            j = n
        out.append((pos, j))
        pos = j + 1
    return out


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


def _words(s: str) -> int:
    return len(s.split())


# --------------------------------------------------------------- the patterns

_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_WEEKDAY = r"(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?"
_ORD = r"\d{1,2}(?:st|nd|rd|th)?"
DATE_RE = re.compile(
    rf"(?:{_WEEKDAY},?\s+)?(?:{_MONTH}\s+{_ORD},?\s+\d{{4}}|{_ORD}\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}})",
    I,
)
_RELTIME = re.compile(r"\b\d+\s+(?:second|minute|min|hour|hr|day|week|month|year)s?\s+ago\b", I)
_MASTHEAD_WORDS = re.compile(
    r"\b(?:editor|editor-in-chief|chief editor|publisher|printer|founder|founded|established|vol\.?|volume|issue|edition|"
    r"updated|last updated|last modified|published|posted|e-?paper|today'?s paper)\b",
    I,
)
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,5})?\b", I)

_CREDIT_LEAD = re.compile(
    r"^[\[(*_]*(?:(?:featured|cover|header|top|main|file|lead)\s+)?(?:image|photo|picture|photograph|illustration|graphic|video|pic)s?"
    r"(?:\s+(?:credits?|courtesy|source|by|from))?\s*[:|\-/]",
    I,
)
_CREDIT_ANY = re.compile(
    r"\b(?:Getty Images|Shutterstock|AP Photo|AFP Photo|Reuters Photo|EPA-EFE|iStock(?:photo)?|Alamy|Wikimedia Commons|"
    r"(?:image|photo|picture)\s+(?:credits?|courtesy)|photo(?:graph)?\s+by|\(file(?:\s+photo)?\)|AFP/|/AFP\b|Reuters/|/Reuters\b|Xinhua/)",
    I,
)

_WIDGET_WORDS = (
    r"share|share this(?: article| story| post)?|share on \w+|share via \w+|tweet|tweet this|email|e-mail|print|print this(?: article)?|"
    r"whatsapp|facebook|twitter|x|linkedin|telegram|reddit|pinterest|copy link|save|bookmark|like|follow|follow us|"
    r"comments?|\d+\s+comments?|comments?\s*\(\d+\)|no comments(?: yet)?|view comments|show comments|"
    r"advertisement|advertisements|sponsored|ad|scroll to continue(?: with content)?|listen(?: to this article)?|"
    r"subscribe|sign up|log ?in|sign in|register|donate|skip to (?:main )?content|back to top|menu|search|"
    r"previous(?: article| post)?|next(?: article| post)?|home|click here|more"
)
_WIDGET_LINE = re.compile(rf"^[\s|•·,/\-]*(?:(?:{_WIDGET_WORDS})[\s|•·,/\-]*){{1,8}}$", I)
_TAGS_LINE = re.compile(r"^(?:tags?|tagged|filed under|categories|category|topics|keywords|posted in)\s*:\s*\S.{0,200}$", I)
_FOLLOW_LINE = re.compile(
    r"^(?:follow (?:us|me|him|her|them) on|like us on|join (?:us|our) on|subscribe to (?:our|the)|sign up (?:for|to) (?:our|the)|"
    r"get (?:our|the) (?:latest|daily|weekly)|click (?:here )?to share|share this (?:article|story|post)(?: on| via)?)\b.{0,160}$",
    I,
)
_COMMENT_FORM = re.compile(
    r"^(?:leave a (?:comment|reply)|add a comment|post (?:a )?comment|write a comment|comments? (?:are )?closed|cancel reply|"
    r"(?:\d+ )?(?:responses?|replies|reply) to .{1,200}|join the (?:discussion|conversation)|"
    r"your email address will not be published\.?.{0,120}|required fields are marked \*?\.?|"
    r"save my name,? email,? and website in this browser.{0,80}|(?:name|email|website|comment)\s*\*?\s*:?|"
    r"notify me of (?:new|follow-up) (?:comments|posts).{0,80}|you must be logged in to post a comment\.?)\s*$",
    I,
)

_SIDEBAR_HEAD = re.compile(
    r"^[\s#*•\-]*(?:recent posts|recent articles|recent news|related(?: posts| articles| stories| news| content| reading| coverage)?|"
    r"read more|read next|more stories|more news|more from [\w .&'-]{1,40}|you (?:may|might) also (?:like|be interested in)|"
    r"also read|see also|latest(?: news| posts| stories| articles)?|most (?:popular|read|viewed|shared)|trending(?: now| stories)?|"
    r"popular(?: posts| stories| articles)?|recommended(?: for you| stories| articles| reading)?|editor'?s picks?|top stories|"
    r"in (?:other|the) news|what to read next|don'?t miss|further reading)\s*:?\s*$",
    I,
)
_READ_MORE_LINE = re.compile(
    r"^[\s*•\-]*(?:read more|also read|read also|see also|related|read next|recommended|must read|suggested reading|"
    r"click here to read|read the full (?:story|article))\s*[:>|\-]\s*\S.{0,200}$",
    I,
)

_FIRST_PUBLISHED = re.compile(
    r"^[\s\[(*_\"]*(?:(?:this|the following|an earlier version of this|a version of this|the original version of this)\s+"
    r"(?:article|piece|op-?ed|story|commentary|essay|post|column|analysis|interview|report|blog(?: post)?|editorial|version)\s+"
    r"(?:was|is|has been|had been|first|originally|also)\b.{0,40}?\b(?:published|posted|printed|appeared|ran|run)\b"
    r"|(?:first|originally|previously)\s+(?:published|appeared|posted|printed)\s+(?:in|on|at|by)\b"
    r"|(?:re-?published|reprinted|cross-?posted)\s+(?:with permission\s+)?(?:from|courtesy of)\b"
    r"|this (?:article|piece|op-?ed|story|post) (?:first |originally )?appeared (?:in|on|at)\b)",
    I,
)

_NAME = r"(?:[A-Z][\w'.\-]*|(?:al|el|bin|ibn|ul|ur|ud|de|da|van|von|der|le|la|du|di|mc)[-\s]?)"
_NAMES = rf"{_NAME}(?:[ \t]+{_NAME}){{0,5}}"
_BYLINE_WORDS = r"(?:by|author|authors|written by|words by|posted by|reported by|story by|opinion by|analysis by|report by|compiled by)"
_BYLINE = re.compile(
    rf"^[\s*_]*(?i:{_BYLINE_WORDS})\s*[:\-|]?\s*"
    rf"{_NAMES}(?:\s*(?:,|and|&)\s*{_NAMES}){{0,3}}\s*(?:[,|\-•]\s*.{{0,80}})?$",
)
_BYLINE_LEAD = re.compile(rf"^[\s*_]*{_BYLINE_WORDS}\b", I)

_EMAIL = r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,}"
_EMAIL_RE = re.compile(_EMAIL)
_EMAIL_WITH_LEAD = re.compile(
    rf"(?:(?:(?:he|she|they|the (?:author|writer)s?|[A-Z][a-z]+)\s+(?:can|may|could)\s+be\s+(?:reached|contacted)\s+(?:at|via|on)"
    rf"|(?:e-?mail|contact|write to|reach (?:him|her|them|the author) at)\s*:?)\s*)?\(?{_EMAIL}\)?\.?",
    I,
)
_BIO_ROLE = (
    r"(?:writer|researcher|analyst|journalist|columnist|author|fellow|professor|lecturer|director|correspondent|editor|"
    r"contributor|student|scholar|expert|consultant|commentator|freelancer|reporter|diplomat|ambassador|officer|"
    r"practitioner|lawyer|economist|graduate|candidate|specialist|associate|scientist|historian|blogger|novelist|"
    r"head|chair(?:man|woman|person)?|founder|member|advisor|adviser)"
)
_TITLE = r"(?:(?:Dr|Prof|Professor|Mr|Ms|Mrs|Gen|General|Lt|Col|Brig|Maj|Amb|Ambassador|Sen|Senator|Rep|Sir|Dame)\.?\s+)"
_PERSON = rf"{_TITLE}?[A-Z][\w'\-]+(?:[ \t]+(?:[A-Z]\.|[A-Z][\w'\-]+|(?:al|el|bin|ibn|ul|ur|ud|de|da|van|von|der|le|la|du|di)-?)){{1,4}}"
_BIO_SUBJECT = rf"(?:(?i:about the (?:author|writer)s?)\s*:?\s*)?(?:(?i:the )?(?i:author|writer|columnist|contributor)s?|{_PERSON})"
_BIO = re.compile(
    rf"^{_BIO_SUBJECT}\s*(?:\([^)]{{0,80}}\)\s*)?,?\s+(?i:is|are|was|has been|serves as|works as|teaches|writes)\b.{{0,200}}?\b(?i:{_BIO_ROLE}s?)\b"
)
_BIO_NAME_START = re.compile(rf"^{_BIO_SUBJECT}\s*(?:\([^)]{{0,80}}\)\s*)?,?\s+(?i:is|are|was|has been|serves as|works as|teaches|writes|tweets)\b")
_BIO_CONTACT = re.compile(
    r"(?:can be reached|can be contacted|tweets (?:at|as)|follow (?:him|her|them) on|on (?:twitter|x) at|@\w{2,}|" + _EMAIL + ")", I
)
_ABOUT_AUTHOR = re.compile(r"^\s*about the (?:author|writer)s?\s*:?\s*$", I)

# Disclaimer patterns, each searched only when its keyword occurs, on the lowercased line
# (lowercase literals let the regex engine skip ahead quickly).
_DISCLAIMER_PARTS = tuple(
    (kw, re.compile(rx))
    for kw, rx in (
        ("disclaimer", r"^\W*disclaimer\b"),
        ("expressed", r"views?(?: and opinions?)? expressed\b.{0,160}?\b(?:are (?:solely |entirely |strictly )?(?:those|their own|his own|her own|the author)|do(?:es)? not necessarily (?:reflect|represent)|not necessarily (?:those|the views))"),
        ("position", r"\bdo(?:es)? not (?:take|hold|have) (?:institutional |any |official )?positions?\b"),
        ("stance", r"\bdo(?:es)? not (?:take|hold|have) (?:institutional |any |official )?stances?\b"),
        ("advocacy", r"\bdo(?:es)? not engage in advocacy\b"),
        ("lobbying", r"\bdo(?:es)? not engage in lobbying\b"),
        ("partisan", r"\bnon-?partisan\b.{0,120}\b(?:organi[sz]ation|institut\w*|think[- ]tank|foundation|centre|center)\b"),
        ("editorial", r"\b(?:retains?|maintains?) (?:sole |full )?editorial (?:control|independence)\b"),
        ("opinion", r"\bopinions? (?:expressed )?(?:are|is) (?:their|his|her|the author'?s?) own\b"),
        ("responsible", r"\bnot (?:be )?responsible for (?:the )?(?:content|views|opinions)\b"),
        ("liable", r"\bnot (?:be )?liable for (?:the )?(?:content|views|opinions)\b"),
        ("donors", r"\bfor a (?:full )?listing of [\w ]{0,40}donors\b"),
    )
)
_TAGLINE = re.compile(
    r"(?:\byour (?:go-to|one-stop|trusted|daily|premier|number one|#1|best|first|source|home|gateway|window)\b"
    r"|\b(?:go-to|one-stop)\s+(?:\w+\s+){0,3}(?:hub|source|destination|platform|portal|place|site)\b"
    r"|^(?:[\w'.-]+\s+){0,4}(?:leading|largest|premier|oldest|first|only|independent|trusted)\s+(?:\w+\s+){0,3}"
    r"(?:daily|newspaper|news ?paper|magazine|news (?:site|portal|network|source|outlet|platform|agency)|media (?:house|group|outlet)|think[- ]tank|journal)\b"
    r"|\b(?:news|views|analysis|opinion),?\s+(?:and\s+)?(?:news|views|analysis|opinion)(?:\s+(?:and|&)\s+\w+)?\s+since\s+\d{4}\b"
    r"|^(?:the )?voice of (?:the )?\w+\.?$)",
    I,
)
_COPYRIGHT = re.compile(r"^\s*(?:©|\(c\)|copyright\b|all rights reserved\b).{0,200}$|.{0,160}\ball rights reserved\.?\s*$", I)
_SENT_END = re.compile(r"[.!?][\"')\]]*\s*$")


# ------------------------------------------------------------- line predicates


def _is_masthead(s: str) -> bool:
    if len(s) > 220:
        return False
    m = DATE_RE.search(s) or _RELTIME.search(s)
    if not m:
        return False
    if _MASTHEAD_WORDS.search(s):
        return True
    rest = DATE_RE.sub(" ", s)
    rest = _TIME.sub(" ", rest)
    rest = re.sub(r"[^\w]+", " ", rest)
    return _words(rest) <= 3


def _is_image_credit(s: str) -> bool:
    if len(s) > 300:
        return False
    if _CREDIT_LEAD.match(s):
        return True
    return bool(_CREDIT_ANY.search(s)) and (_words(s) <= 30)


def _is_widget(s: str) -> bool:
    return len(s) <= 160 and bool(_WIDGET_LINE.match(s) or _TAGS_LINE.match(s) or _FOLLOW_LINE.match(s))


def _is_comment_form(s: str) -> bool:
    return len(s) <= 300 and bool(_COMMENT_FORM.match(s))


def _is_byline(s: str) -> bool:
    return len(s) <= 140 and bool(_BYLINE_LEAD.match(s)) and bool(_BYLINE.match(s.strip()))


def _is_first_published(s: str) -> bool:
    return len(s) <= 400 and bool(_FIRST_PUBLISHED.match(s))


def _is_bio(s: str) -> bool:
    if len(s) > 900 or not _BIO_NAME_START.match(s.strip()):
        return False
    return bool(_BIO.match(s.strip())) or bool(_BIO_CONTACT.search(s))


def _is_disclaimer(s: str) -> bool:
    if len(s) > 2000:
        return False
    low = s.lower()
    for kw, rx in _DISCLAIMER_PARTS:
        if kw in low and rx.search(low):
            return True
    return False


def _is_tagline(s: str) -> bool:
    return len(s) <= 200 and _words(s) <= 30 and bool(_TAGLINE.search(s))


def _is_copyright(s: str) -> bool:
    return len(s) <= 260 and bool(_COPYRIGHT.match(s))


def _is_email_line(s: str) -> bool:
    return len(s) <= 200 and bool(_EMAIL_RE.search(s)) and _EMAIL_WITH_LEAD.sub("", s).strip(" .,;:|-()") == ""


def _is_headline_like(s: str) -> bool:
    """Short lines as in a list of linked headlines (teasers may be cut with "...")."""
    if len(s) <= 140:
        return True
    return len(s) <= 320 and s.rstrip().endswith(("...", "…", "[…]", "[...]"))


# ---------------------------------------------------------------- the steps


def _nonempty(text: str) -> List[Line]:
    return [(a, b) for a, b in _lines(text) if text[a:b].strip()]


def _find_sidebars(text: str) -> List[Edit]:
    """A "Recent Posts"/"Related"/"Read more" heading followed by headline-like lines, to the end.

    Also single "Read more: <headline>" lines anywhere.
    """
    lines = _nonempty(text)
    edits: list[Edit] = []
    for i, (a, b) in enumerate(lines):
        s = text[a:b]
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
        elif _READ_MORE_LINE.match(s) and len(s) <= 260:
            edits.append(_line_edit(text, a, b, "sidebar"))
    return _merge(edits)


def _find_widgets(text: str) -> List[Edit]:
    """Share/comment widgets, comment forms and image-credit lines, anywhere."""
    edits: list[Edit] = []
    for a, b in _nonempty(text):
        s = text[a:b].strip()
        if _is_comment_form(s):
            edits.append(_line_edit(text, a, b, "comment_form"))
        elif _is_widget(s):
            edits.append(_line_edit(text, a, b, "share_widget"))
        elif _is_image_credit(s):
            edits.append(_line_edit(text, a, b, "image_credit"))
        elif _is_copyright(s):
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
    if "@" not in text:
        return []
    return [(m.start(), m.end(), "", "email") for m in _EMAIL_WITH_LEAD.finditer(text)]


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
    for _ in range(max_rounds):
        changed = False
        for _name, find in _CHROME_FINDERS:
            edits = find(cur)
            if not edits:
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
