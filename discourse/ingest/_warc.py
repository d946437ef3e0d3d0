"""Pages out of web archives (``.warc``, ``.warc.gz``), read with warcio.

Only successful HTML responses are pages: ``response`` records with HTTP
status 200 and an HTML content type (and ``resource`` records of HTML).
Redirects, errors, images, scripts and request/metadata records are left
out and counted.  The capture date (``WARC-Date``) is when the crawler saw the
page, not when it was published: it is kept as ``captured``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..errors import CorpusError

__all__ = ["WarcPage", "iter_warc_pages"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WarcPage:
    """One HTML page out of a WARC file."""

    url: str | None
    captured: str | None
    body: bytes
    charset: str | None
    record: int
    source: str


def _charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _check_signature(path: Path) -> None:
    """Raise ArchiveLoadFailed unless the file starts like a WARC (gzip members or plain)."""
    import gzip

    from warcio.exceptions import ArchiveLoadFailed

    with path.open("rb") as fh:
        head = fh.read(2)
    if head == b"\x1f\x8b":
        with gzip.open(path, "rb") as fh:
            head = fh.read(5)
    else:
        with path.open("rb") as fh:
            head = fh.read(5)
    if head != b"WARC/":
        raise ArchiveLoadFailed("it does not start with a WARC header")


def iter_warc_pages(path: str | Path, *, skipped: dict[str, int] | None = None) -> Iterator[WarcPage]:
    """Yield the HTML pages of one WARC file in record order.

    ``skipped`` (if given) counts the records left out, by reason.

    Raises
    ------
    CorpusError
        If the file is not a readable WARC.
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    path = Path(path)
    counts = skipped if skipped is not None else {}
    n = -1
    try:
        _check_signature(path)
        with path.open("rb") as fh:
            for n, rec in enumerate(ArchiveIterator(fh)):
                if rec.rec_type not in ("response", "resource"):
                    continue
                if rec.rec_type == "response":
                    http = rec.http_headers
                    status = http.get_statuscode() if http is not None else None
                    ctype = http.get_header("Content-Type") if http is not None else None
                    if status != "200":
                        counts[f"HTTP status {status}"] = counts.get(f"HTTP status {status}", 0) + 1
                        continue
                else:
                    ctype = rec.rec_headers.get_header("Content-Type")
                if "html" not in (ctype or "").lower():
                    kind = (ctype or "no content type").split(";")[0].strip()
                    counts[f"not HTML ({kind})"] = counts.get(f"not HTML ({kind})", 0) + 1
                    continue
                body = rec.content_stream().read()
                yield WarcPage(url=rec.rec_headers.get_header("WARC-Target-URI"),
                               captured=(rec.rec_headers.get_header("WARC-Date") or "")[:10] or None,
                               body=body, charset=_charset(ctype), record=n, source=f"{path}#record{n}")
        if n < 0:
            raise ArchiveLoadFailed("no WARC records")
    except ArchiveLoadFailed as exc:
        raise CorpusError(f"{path}: not a readable WARC file ({str(exc).splitlines()[0]}); check that it is a .warc or .warc.gz capture") from None
    except OSError as exc:
        raise CorpusError(f"{path}: cannot be read ({exc.strerror or exc})") from None
