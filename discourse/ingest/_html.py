"""One saved web page to article text and metadata, with what was dropped.

The article text comes from trafilatura (Barbaresi 2021), a main-content
extractor made for news pages; the package's own rules
(:func:`discourse.corpus.strip_html` then :class:`discourse.clean.Cleaner`)
are the fallback when trafilatura finds nothing or clearly less running prose
than the rules keep.  The publication date comes from htmldate (the page's
markup first, its text only when the markup has none), title and outlet from
the page's metadata, each with a ``*_source`` saying where it came from.
Pages that are not articles (index, tag and section pages) are reported with
a reason instead of being loaded.

References
----------
Barbaresi, A. (2021). Trafilatura: A Web Scraping Library and Command-Line
Tool for Text Discovery and Extraction. ACL-IJCNLP System Demonstrations.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["Page", "extract_page", "decode_html", "ARTICLE_TYPES"]

logger = logging.getLogger(__name__)

#: schema.org / Open Graph types that declare a page to be one article.
ARTICLE_TYPES = {"article", "newsarticle", "opinionnewsarticle", "reportagenewsarticle", "analysisnewsarticle",
                 "blogposting", "backgroundnewsarticle", "reviewnewsarticle", "scholarlyarticle"}
#: declared types of listing pages.
LISTING_TYPES = {"website", "collectionpage", "itemlist", "searchresultspage", "profilepage", "blog"}
_LISTING_PATH = re.compile(r"(^/?$)|/(tag|tags|category|categories|topic|topics|section|author|authors|archive|page|search)(/|$)", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_WORD = re.compile(r"\w+")
# advertising slots inside an article body, which trafilatura keeps when they hold a short label ("Advertisement")
_PRUNE = ["//*[contains(concat(' ', normalize-space(@class), ' '), ' ad ') or contains(@class, 'advert')"
          " or contains(@class, 'sponsor') or contains(@id, 'advert')]"]
_SENT_END = re.compile(r"[.!?…][\"'”’)]*\s*$")


@dataclass
class Page:
    """What :func:`extract_page` found on one page.

    Attributes
    ----------
    text : str
        The article text (paragraphs separated by blank lines); empty when skipped.
    meta : dict
        ``title``, ``outlet``, ``url``, ``published`` and their ``*_source``,
        ``extractor`` (``trafilatura`` or ``rules``).
    skip_reason : str or None
        Why the page is not an article (``None`` for an article).
    removed : list of str
        Blocks of the page's plain text that the extractor dropped (chrome).
    encoding : str
        How the bytes were decoded.
    """

    text: str
    meta: dict
    skip_reason: str | None = None
    removed: list[str] = field(default_factory=list)
    encoding: str = "utf-8"

    @property
    def is_article(self) -> bool:
        return self.skip_reason is None


def _norm_encoding(name: str | None) -> str | None:
    if not name:
        return None
    try:
        enc = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    # as browsers do (WHATWG Encoding Standard): latin-1 and ASCII labels mean windows-1252
    return "cp1252" if enc in ("latin-1", "iso8859-1", "ascii") else enc


def decode_html(data: bytes | str, *, declared: str | None = None) -> tuple[str, str]:
    """Decode a page: byte-order mark, then the HTTP charset, the ``<meta charset>``, UTF-8, a guess.

    Returns the text and the encoding used.  Legacy pages (windows-1252,
    ISO-8859-x, Shift_JIS...) decode by their declaration; undeclared bytes
    that are not UTF-8 are guessed by trafilatura's detector (charset_normalizer).
    """
    if isinstance(data, str):
        return data, "str"
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc
    m = _META_CHARSET.search(data[:8192])
    for cand in (_norm_encoding(declared), _norm_encoding(m.group(1).decode("ascii", "ignore")) if m else None):
        if cand and cand != "utf-8":
            try:
                return data.decode(cand), cand
            except UnicodeDecodeError:
                continue
        elif cand == "utf-8":
            break
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from trafilatura.utils import detect_encoding

    for guess in detect_encoding(data):
        try:
            return data.decode(guess), guess
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace"), "cp1252"


def _squash(s: str) -> str:
    return " ".join(_WORD.findall(s.lower()))


def _prose_chars(text: str, *, min_words: int = 30) -> int:
    """Characters in paragraphs of running prose (>= ``min_words`` words, ending a sentence)."""
    return sum(len(p) for p in re.split(r"\n\s*\n|\n", text) if len(_WORD.findall(p)) >= min_words and _SENT_END.search(p))


def _meta(tree, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            got = tree.xpath(f"//meta[@{attr}=$n]/@content", n=name)
            if got and got[0].strip():
                return got[0].strip()
    return None


def _declared_type(tree) -> str | None:
    og = _meta(tree, "og:type")
    if og:
        return og.lower()
    for blob in tree.xpath("//script[@type='application/ld+json']/text()"):
        m = re.search(r'"@type"\s*:\s*"?\[?\s*"([A-Za-z]+)"', blob)
        if m:
            return m.group(1).lower()
    return None


def _link_density(tree) -> float:
    body = tree.find("body")
    if body is None:
        return 0.0
    for bad in body.xpath(".//script|.//style|.//noscript"):
        bad.drop_tree()
    total = len(_squash(body.text_content()))
    links = sum(len(_squash(a.text_content())) for a in body.iter("a"))
    return links / total if total else 0.0


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host[4:] if host.startswith("www.") else (host or None)


def extract_page(data: bytes | str, *, url: str | None = None, declared_encoding: str | None = None,
                 min_words: int = 80) -> Page:
    """Article text and metadata of one saved page.

    Parameters
    ----------
    data : bytes or str
        The page as saved (bytes are decoded by :func:`decode_html`).
    url : str, optional
        Where the page was fetched from (a WARC's ``WARC-Target-URI``); the
        page's canonical URL is used when it has one.
    declared_encoding : str, optional
        The charset of the HTTP ``Content-Type`` header, if known.
    min_words : int
        Fewer words of article text and the page is skipped.

    Returns
    -------
    Page
    """
    import lxml.html
    import trafilatura
    from htmldate import find_date

    from ..clean import Cleaner
    from ..corpus import strip_html

    html, encoding = decode_html(data, declared=declared_encoding)
    try:
        tree = lxml.html.document_fromstring(html)
    except Exception:  # noqa: BLE001 - lxml raises several types on empty or broken markup
        return Page("", {}, "not an HTML page (no markup could be parsed)", encoding=encoding)
    meta_doc = trafilatura.extract_metadata(tree, default_url=url, extensive=False)
    extracted = trafilatura.extract(html, url=url, include_comments=False, include_tables=False,
                                    favor_precision=False, deduplicate=False, prune_xpath=_PRUNE) or ""
    plain = strip_html(html)
    rules = Cleaner().clean(plain).text
    extractor = "trafilatura"
    if _prose_chars(extracted) < 0.3 * _prose_chars(rules):
        text, extractor = rules, "rules"
    else:
        text = extracted
    text = re.sub(r"\n(?!\n)", "\n\n", text.strip())  # trafilatura puts one paragraph per line
    text = re.sub(r"\n{3,}", "\n\n", text)

    meta: dict[str, str | None] = {}
    canonical = meta_doc.url if meta_doc is not None and meta_doc.url and meta_doc.url != url else None
    meta["url"], meta["url_source"] = (canonical, "canonical link") if canonical else (url, "capture" if url else None)
    title = meta_doc.title if meta_doc is not None else None
    meta["title"], meta["title_source"] = (title, "page metadata") if title else (None, None)
    site = _meta(tree, "og:site_name", "application-name")
    if site:
        meta["outlet"], meta["outlet_source"] = site, "og:site_name"
    elif meta_doc is not None and meta_doc.sitename and meta_doc.sitename.lower() not in (meta["url"] or "").lower():
        meta["outlet"], meta["outlet_source"] = meta_doc.sitename, "page metadata"
    elif _host(meta["url"]):
        meta["outlet"], meta["outlet_source"] = _host(meta["url"]), "URL host"
    else:
        meta["outlet"], meta["outlet_source"] = None, None
    published = find_date(tree, url=meta["url"], original_date=True, extensive_search=False)
    source = "page markup (htmldate)"
    if not published:
        published = find_date(tree, url=meta["url"], original_date=True, extensive_search=True)
        source = "page text (htmldate extensive search; check it)"
    meta["published"], meta["published_source"] = (published, source) if published else (None, None)
    meta["extractor"] = extractor

    removed = [b for b in re.split(r"\n\s*\n", plain) if b.strip() and _squash(b) not in _squash(text)]
    skip = _skip_reason(tree, text, meta.get("url"), min_words=min_words)
    return Page(text if skip is None else "", meta, skip, removed, encoding)


def _skip_reason(tree, text: str, url: str | None, *, min_words: int) -> str | None:
    """Why a page is not an article, or ``None``."""
    declared = _declared_type(tree)
    n_words = len(_WORD.findall(text))
    if declared in LISTING_TYPES and url and _LISTING_PATH.search(urlsplit(url).path or "/"):
        return f"declares itself a listing ({declared}) at an index address ({urlsplit(url).path or '/'})"
    if n_words < min_words:
        return f"too little article text ({n_words} words; an article needs at least {min_words})"
    if declared in ARTICLE_TYPES:
        return None
    density = _link_density(tree)
    if density > 0.5:
        return f"mostly links ({density:.0%} of its text is link text): an index or tag page"
    if _prose_chars(text) < 0.3 * len(text):
        return "no running prose (a list of headlines or teasers)"
    return None
