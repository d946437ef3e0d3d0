"""The line patterns and predicates of the chrome rules (see :mod:`discourse.clean._rules`).

Each predicate takes one stripped line and says whether it reads as one kind
of page chrome.  The length limits come first: they are the cheapest test
and keep the regular expressions off long article paragraphs.
"""

from __future__ import annotations

import re

I = re.IGNORECASE


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
# the character before the "@" of an address and what follows the "@", with the flags of _EMAIL_WITH_LEAD
_EMAIL_LOCAL_END = re.compile(r"[\w.+\-]", I)
_EMAIL_DOMAIN = re.compile(r"[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,}", I)
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

#: Matches the start of every line that :data:`_COMMENT_FORM`, :data:`_WIDGET_LINE`, :data:`_TAGS_LINE`,
#: :data:`_FOLLOW_LINE` or :data:`_CREDIT_LEAD` matches (their union, one ``match`` per line
#: instead of five); a line it does not match can only be an image credit by :data:`_CREDIT_ANY`
#: or a copyright line.
_WIDGET_GATE = re.compile("|".join(f"(?:{p.pattern})" for p in (_COMMENT_FORM, _WIDGET_LINE, _TAGS_LINE, _FOLLOW_LINE, _CREDIT_LEAD)), I)

# What each of those five patterns can start with (after the leading characters it allows): a line
# that starts with none of these is matched by none of them (see :func:`_may_start_widget`).
_PLAIN_STARTS = (
    # _COMMENT_FORM
    "leave", "add", "post", "write", "comment", "cancel", "respons", "repl", "join", "you", "required", "save",
    "name", "email", "website", "notify",
    # _TAGS_LINE
    "tag", "filed", "categor", "topics", "keywords",
    # _FOLLOW_LINE
    "follow", "like", "subscribe", "sign", "get", "click", "share",
)
_WIDGET_STARTS = (
    "share", "tweet", "email", "e-mail", "print", "whatsapp", "facebook", "twitter", "x", "linkedin", "telegram",
    "reddit", "pinterest", "copy", "save", "bookmark", "like", "follow", "comment", "no", "view", "show",
    "advertisement", "sponsored", "ad", "scroll", "listen", "subscribe", "sign", "log", "register", "donate", "skip",
    "back", "menu", "search", "previous", "next", "home", "click", "more",
)
_CREDIT_STARTS = ("featured", "cover", "header", "top", "main", "file", "lead", "image", "photo", "pic", "illustration",
                  "graphic", "video")


_LEADS = frozenset(" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f|,/-[(*_")  # the ASCII characters [\s|•·,/\-] and [\[(*_] allow
_STARTS = _PLAIN_STARTS + _WIDGET_STARTS + _CREDIT_STARTS
_FIRST_TWO = frozenset(w[:2] for w in _STARTS if len(w) >= 2)
_FIRST_ONE = frozenset(w for w in _STARTS if len(w) == 1)


def _may_start_widget(s: str) -> bool:
    """False only if :data:`_WIDGET_GATE` cannot match the stripped line ``s``: its first two letters, cheaply.

    A line that starts with a leading character the patterns allow, with a
    digit, or holds a non-ASCII character (``re.IGNORECASE`` folds a few
    non-ASCII letters to ASCII ones; ``\\s`` and ``\\d`` match non-ASCII
    spaces and digits) answers True.
    """
    if not s or s[0] in _LEADS or s[0].isdigit() or not s.isascii():
        return True
    head = s[:2].lower()
    return head in _FIRST_TWO or head[:1] in _FIRST_ONE


# What :data:`_SIDEBAR_HEAD` and :data:`_READ_MORE_LINE` can start with after their leading characters
# (lowercase ASCII; see :func:`_may_start_sidebar`).
_SIDEBAR_STARTS = (
    "recent", "related", "read", "more", "you", "also", "see", "latest", "most", "trending", "popular", "recommended",
    "editor", "top", "in", "what", "don", "further", "must", "suggested", "click",
)
_SIDEBAR_LEADS = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f#*-"  # the ASCII characters [\s#*•\-] allows
_SIDEBAR_FIRST_TWO = frozenset(w[:2] for w in _SIDEBAR_STARTS)


def _may_start_sidebar(s: str) -> bool:
    """False only if neither :data:`_SIDEBAR_HEAD` nor :data:`_READ_MORE_LINE` can match ``s``: its first two letters.

    A line holding a non-ASCII character answers True (``re.IGNORECASE``
    folds a few non-ASCII letters to ASCII ones; ``\\s`` matches non-ASCII
    spaces; "•" is a leading character).
    """
    if not s.isascii():
        return True
    return s.lstrip(_SIDEBAR_LEADS)[:2].lower() in _SIDEBAR_FIRST_TWO


#: Every match of :data:`_CREDIT_ANY` contains one of these, every match of :data:`_COPYRIGHT` one of
#: ``_COPYRIGHT_WORDS`` or "\u00a9" (matched case-insensitively; see :func:`_may_contain`).
_CREDIT_WORDS = ("getty", "shutterstock", "photo", "epa-efe", "istock", "alamy", "wikimedia", "image", "picture", "(file", "afp", "reuters", "xinhua")
_COPYRIGHT_WORDS = ("\u00a9", "(c)", "copyright", "all rights reserved")
#: The characters other than ASCII letters that ``re.IGNORECASE`` matches to ASCII letters.
_FOLDS_TO_ASCII = ("\u0130", "\u0131", "\u017f", "\u212a")


def _may_contain(text: str, low: str, words: tuple) -> bool:
    """False only if no case-insensitive match (as ``re.IGNORECASE`` matches) of ``words`` is in ``text``.

    ``low`` is ``text.lower()``.  Lowercasing keeps every run of ASCII
    characters as it is, lowercased, so for the ASCII ``words`` a
    case-insensitive match is a substring of ``low``, unless the text holds
    one of the few other characters ``re`` folds to an ASCII letter (then the
    answer is True).
    """
    if any(w in low for w in words):
        return True
    return not text.isascii() and any(ch in text for ch in _FOLDS_TO_ASCII)


def _lines_holding(text: str, low: str, spans, words: tuple) -> "list[bool] | None":
    """For each line span ``(a, b)`` of ``text``: does ``low[a:b]`` hold one of ``words``?  None unless ``text`` is ASCII.

    A case-insensitive match of a word inside a line lies within the line's
    span, and for ASCII text ``low`` (``text.lower()``) has the same offsets,
    so this says which lines can match a pattern every match of which holds
    one of ``words`` (see :func:`_may_contain`) - found with one ``str.find``
    pass per word over the whole text instead of a pattern search per line.
    """
    if not text.isascii():
        return None
    starts = []
    for w in words:
        i = low.find(w)
        while i >= 0:
            starts.append(i)
            i = low.find(w, i + 1)
    if not starts:
        return [False] * len(spans)
    starts.sort()
    out, j, n = [], 0, len(starts)
    for a, b in spans:
        while j < n and starts[j] < a:
            j += 1
        out.append(j < n and starts[j] < b)  # words hold no newline: one starting in the line ends in it
    return out


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


def _is_image_credit(s: str, *, any_credit: bool = True) -> bool:
    """``any_credit=False`` when the text holds none of :data:`_CREDIT_WORDS` (so :data:`_CREDIT_ANY` cannot match)."""
    if len(s) > 300:
        return False
    if _CREDIT_LEAD.match(s):
        return True
    return any_credit and bool(_CREDIT_ANY.search(s)) and (_words(s) <= 30)


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
