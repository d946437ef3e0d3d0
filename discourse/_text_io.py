"""Reading one text: bytes decoded (UTF-8, BOMs, cp1252/latin-1 with a warning), HTML pages stripped to text.

Shared by every corpus reader (:mod:`discourse.corpus`, :mod:`discourse.ingest`,
the Dask streams); problems the reader handled for the user are reported as
:class:`CorpusWarning`, data it cannot read as :class:`~discourse.errors.CorpusError`.
"""

from __future__ import annotations

import html
import logging
import re
import warnings
from html.parser import HTMLParser
from pathlib import Path

from .errors import CorpusError

__all__ = ["CorpusWarning", "looks_like_html", "strip_html", "decode_text", "read_text_file"]

logger = logging.getLogger(__name__)


class CorpusWarning(UserWarning):
    """Something in the corpus was handled for you (named file, what was done)."""


def _warn(msg: str) -> None:
    logger.warning(msg)
    warnings.warn(msg, CorpusWarning, stacklevel=3)


class _TextExtractor(HTMLParser):
    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "header", "footer", "blockquote"}
    _SKIP = {"script", "style", "noscript", "template", "svg"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


_HTML_HINT = re.compile(r"<\s*(html|body|head|p|div|br|span|a\s|script|!doctype)\b", re.I)


def looks_like_html(text: str) -> bool:
    """True if ``text`` is an HTML page rather than plain text."""
    head = text[:20000]
    return len(_HTML_HINT.findall(head)) >= 3 or head.lstrip().lower().startswith(("<!doctype html", "<html"))


_SCRIPT_BLOCK = re.compile(r"<\s*(script|style|noscript|template)\b.*?(<\s*/\s*\1\s*>|$)", re.I | re.S)


def strip_html(text: str) -> str:
    """Plain text of an HTML page (scripts and styles dropped, blocks become paragraphs)."""
    # drop script/style blocks first: html.parser can miss them after malformed markup such as "<?<script>"
    text = _SCRIPT_BLOCK.sub(" ", text)
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    out = html.unescape("".join(parser.parts))
    out = re.sub(r"[ \t]+", " ", out)
    out = re.sub(r" *\n *", "\n", out)
    return re.sub(r"\n{3,}", "\n\n", out).strip()


def decode_text(data: bytes, *, source: str, warn: bool = True) -> str:
    """Decode bytes as UTF-8 (BOM allowed), else cp1252/latin-1 with a warning.

    ``warn=False`` decodes the same way without the warning (for re-reads).

    Raises
    ------
    CorpusError
        If the bytes are binary (NUL bytes or mostly control characters).
    """
    for bom, enc in ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                raise CorpusError(f"{source}: starts with a {enc.upper()} byte-order mark but is not valid {enc.upper()}; save it as UTF-8") from None
            if warn:
                _warn(f"{source}: encoded as {enc.upper()}; decoded (save it as UTF-8 to silence this)")
            return text.replace("\r\n", "\n").replace("\r", "\n")
    sample = data[:65536]
    if b"\x00" in sample:
        raise CorpusError(f"{source}: looks like a binary file (contains NUL bytes), not text; remove it or convert it to plain text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
            enc = "cp1252"
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            enc = "latin-1"
        if warn:
            _warn(f"{source}: not valid UTF-8; decoded as {enc} (save it as UTF-8 to silence this)")
    ctrl = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if text and ctrl > 0.05 * min(len(text), 65536):
        raise CorpusError(f"{source}: looks like a binary file (many control characters), not text; remove it or convert it to plain text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text_file(path: str | Path, *, warn: bool = True, strip_markup: bool = True) -> str:
    """Read one text file: decoding, line ends and HTML handled as documented.

    * UTF-8 with or without a byte-order mark, LF or CRLF line ends: read as is.
    * cp1252 / latin-1: decoded, with a :class:`CorpusWarning` naming the file.
    * HTML: markup stripped, with a warning naming the file.

    ``warn=False`` reads the same way silently (the corpus re-reads files on
    every pass and warns only on the first); ``strip_markup=False`` leaves markup as
    it is (for CSV files).

    Raises
    ------
    CorpusError
        If the file is binary or cannot be read.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    text = decode_text(data, source=str(path), warn=warn)
    if strip_markup and looks_like_html(text):
        if warn:
            _warn(f"{path}: looks like HTML; markup was stripped (save plain text to silence this)")
        text = strip_html(text)
    return text
