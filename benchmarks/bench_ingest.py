"""Web-page extraction: trafilatura against the package's own rules on the seeds, and ingestion speed.

Two measurements, written to ``benchmarks/results/bench_ingest.json``:

1. **Seeds** (``seeds/``, five captures whose chrome is documented): each raw
   capture is wrapped in a plain HTML page, one ``<p>`` per line inside one
   ``<div>`` (no semantic markup: the captures were flattened, so the page
   gives the extractor no ``<article>``/``<aside>`` hints).  Three ways are
   scored against the body regions and chrome snippets of
   ``tests/test_clean.py`` (``BODY``; ``GONE`` below copies the snippets of
   ``test_seed_chrome_gone``):
   * **rules**: ``Cleaner().clean(raw)`` (what the package did before);
   * **trafilatura**: ``trafilatura.extract`` on the page;
   * **chosen**: ``discourse.ingest.extract_page`` (trafilatura, or the rules
     where trafilatura keeps clearly less running prose);
   * **chosen_then_rules**: the chosen text cleaned by ``Cleaner`` as
     ``discourse.prepare`` cleans every document, ingested pages included.
   Reported: characters of body sentences kept (share of the body region's
   sentences found in the output), chrome snippets left.
   The same two ways are then compared on marked-up pages (the layouts below,
   first 50 stories): rules = ``strip_html`` then ``Cleaner``; pages with any
   chrome string of ``tests/webpages.py`` left, characters beyond the body.
2. **Speed** on at least 1,000 pages made from real text: the 300 stories of
   gensim's ``test/test_data/lee_background.cor`` (Lee, Pincombe & Welsh
   2005), each page's body the first half of one story and the second half
   of another, in the four layouts of ``tests/webpages.py`` (news article,
   op-ed with sidebar, page with comments, legacy windows-1252 page), plus
   exact recaptures and wire copies to be found as duplicates.  Timed:
   ``load_corpus`` on the folder of pages and on one ``.warc.gz`` holding the
   same pages (extraction, dates, metadata, duplicates), each in this one
   process after a warm-up page; pages per second, body kept and chrome left
   over all pages, duplicates found.

Run::

    python benchmarks/bench_ingest.py              # about 2 minutes on 2 cores
    python benchmarks/bench_ingest.py --stories 100  # quick look (400 pages)
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import re
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

GONE = {
    "000_99d5bfdb740dc271": ["Editor in Chief", "April 19th, 2024", "By Abdul Ahad Bahrami"],
    "001_fe70e3f818e794b0": ["Image Credits", "TOLOnews", "go-to editorial hub", "Add a Comment", "Required fields"],
    "003_96d0e61bdfa75bcd": ["Author:", "hammadwaleed82@gmail.com", "independent researcher", "Leave a Comment",
                             "Recent Posts", "Hezbollah", "1 hour ago", "steering committee"],
    "004_145f3cb4179141c0": ["first published", "Middle East Institute", "donors", "click here"],
}


def _squash(s: str) -> str:
    return " ".join(re.findall(r"\w+", s.lower()))


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if len(_squash(s).split()) >= 3]


def _score(output: str, body_sentences: list[str], chrome: list[str]) -> dict:
    from discourse.clean import clean_text

    out = _squash(output)
    # a sentence counts as kept as it is, or as the cleaner repairs it (glued words split, as in seed 003)
    kept = sum(len(s) for s in body_sentences if _squash(s) in out or _squash(clean_text(s)) in out)
    total = sum(len(s) for s in body_sentences)
    left = [c for c in chrome if c.lower() in output.lower()]
    return {"body_chars": total, "body_chars_kept": kept, "body_kept": round(kept / total, 4) if total else None,
            "chrome_snippets": len(chrome), "chrome_left": left}


def seeds_comparison() -> dict:
    import html

    import trafilatura
    from test_clean import BODY

    import discourse
    from discourse.clean import Cleaner
    from discourse.ingest import extract_page

    rows = {}
    for doc in discourse.load_seeds():
        first, last, _ = BODY[doc.id]
        raw = doc.text
        body = _sentences(raw[raw.index(first): raw.index(last) + len(last)])
        chrome = GONE.get(doc.id, [])
        page = ("<html><head><meta charset='utf-8'></head><body><div>"
                + "".join(f"<p>{html.escape(line)}</p>" for line in raw.splitlines() if line.strip()) + "</div></body></html>")
        ways = {"rules": Cleaner().clean(raw).text,
                "trafilatura": trafilatura.extract(page, include_comments=False, include_tables=False) or ""}
        got = extract_page(page, min_words=1)
        ways["chosen"] = got.text
        ways["chosen_then_rules"] = Cleaner().clean(got.text).text  # what prepare() makes of an ingested page
        rows[doc.id] = {name: _score(text, body, chrome) for name, text in ways.items()} | {"chosen_extractor": got.meta["extractor"]}
    totals = {}
    for name in ("rules", "trafilatura", "chosen", "chosen_then_rules"):
        kept = sum(r[name]["body_chars_kept"] for r in rows.values())
        total = sum(r[name]["body_chars"] for r in rows.values())
        totals[name] = {"body_chars_kept": kept, "body_chars": total, "body_kept": round(kept / total, 4),
                        "chrome_left": sum(len(r[name]["chrome_left"]) for r in rows.values()),
                        "chrome_snippets": sum(r[name]["chrome_snippets"] for r in rows.values())}
    return {"per_seed": rows, "totals": totals}


def make_pages(folder: Path, n_stories: int) -> tuple[list[tuple[str, bytes, str]], dict]:
    import gensim

    import webpages as W

    lee = Path(gensim.__file__).parent / "test" / "test_data" / "lee_background.cor"
    stories = [ln.strip() for ln in lee.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()][:n_stories]
    split = [re.split(r"(?<=[.!?])\s+", s) for s in stories]
    pages, bodies = [], {}
    layouts = ["news", "oped", "comments", "legacy"]
    for li, layout in enumerate(layouts):
        for i in range(len(stories)):
            a, b = split[i], split[(i + 1 + 7 * li) % len(stories)]
            sents = a[: max(1, len(a) // 2)] + b[len(b) // 2:]
            paras = [" ".join(sents[j:j + 3]) for j in range(0, len(sents), 3)]
            name = f"{layout}{i:04d}"
            host, path = f"site{i % 40}.example", f"/{2000 + i % 25}/0{1 + i % 9}/1{i % 9}/story-{name}"
            if layout == "news":
                page = W.news_article(paras, site=f"Daily Site {i % 40}", host=host, path=path, title=f"Story {name}",
                                      published=f"{2000 + i % 25}-0{1 + i % 9}-1{i % 9}").encode()
            elif layout == "oped":
                page = W.oped_with_sidebar(paras, host=host, path=path, title=f"Column {name}",
                                           published=f"{2000 + i % 25}-0{1 + i % 9}-1{i % 9}").encode()
            elif layout == "comments":
                page = W.page_with_comments(paras, host=host, path=path, title=f"Report {name}",
                                            published=f"{2000 + i % 25}-0{1 + i % 9}-1{i % 9}").encode()
            else:
                paras = [p.encode("cp1252", "replace").decode("cp1252") for p in paras]
                page = W.legacy_page(paras, host=host, path=path, title=f"Archive {name}")
            pages.append((name, page, f"https://{host}{path}"))
            bodies[name] = paras
    # exact recaptures and syndicated copies (a dateline added, the last paragraph cut)
    n_dup = max(10, len(stories) // 6)
    for i in range(n_dup):
        name, page, url = pages[i]
        pages.append((f"{name}_again", page, url))
        paras = bodies[name]
        wire = ["KABUL (Wire) - " + paras[0]] + paras[1:]
        pages.append((f"{name}_wire", W.news_article(wire, site="Wire Daily", host="wire.example", path=f"/w/{name}",
                                                     published=f"{2000 + i % 25}-0{1 + i % 9}-2{i % 9}").encode(),
                      f"https://wire.example/w/{name}"))
    for name, page, _ in pages:
        (folder / f"{name}.html").write_bytes(page)
    return pages, {"bodies": bodies, "expected_duplicates": 2 * n_dup}


def write_warc(path: Path, pages) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        for name, page, url in pages:
            charset = "windows-1252" if name.startswith("legacy") else "utf-8"
            http = StatusAndHeaders("200 OK", [("Content-Type", f"text/html; charset={charset}")], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(page), http_headers=http))


def layouts_comparison(n_stories: int) -> dict:
    """Rules (HTML stripped, then Cleaner) against the chosen extraction on marked-up pages of the four layouts."""
    import webpages as W

    from discourse.clean import Cleaner
    from discourse.corpus import strip_html
    from discourse.ingest import decode_html, extract_page

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        pages, truth = make_pages(Path(tmp), n_stories)
        for way in ("rules", "chosen"):
            kept = total = with_chrome = chrome_chars = n = 0
            for name, page, url in pages:
                body = truth["bodies"].get(name)
                if body is None:
                    continue
                if way == "rules":
                    text = Cleaner().clean(strip_html(decode_html(page)[0])).text
                else:
                    got = extract_page(page, url=url)
                    if not got.is_article:
                        continue
                    text = got.text
                s = _score(text, _sentences("\n".join(body)), W.CHROME)
                body_text = " ".join(body).lower()
                left = [c for c in s["chrome_left"] if c.lower() not in body_text]
                kept, total, n = kept + s["body_chars_kept"], total + s["body_chars"], n + 1
                with_chrome += bool(left)
                chrome_chars += max(0, len(text) - sum(len(p) for p in body))
            out[way] = {"pages": n, "body_kept": round(kept / total, 4), "pages_with_chrome_left": with_chrome,
                        "chars_beyond_body": chrome_chars}
    return out


def speed(n_stories: int) -> dict:
    import webpages as W

    import discourse
    from discourse.ingest import extract_page

    extract_page(W.news_article())  # warm-up: imports and trafilatura's first call
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        pages, truth = make_pages(folder, n_stories)
        write_warc(Path(tmp) / "crawl.warc.gz", pages)
        for label, src in (("html_folder", folder), ("warc_gz", Path(tmp) / "crawl.warc.gz")):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t0 = time.perf_counter()
                corpus = discourse.load_corpus(src, progress=False)
                seconds = time.perf_counter() - t0
            rep = corpus.ingest
            dup = corpus.duplicates.to_frame()
            kept = total = chrome_left = 0
            for doc_id, text in zip(corpus.ids, corpus.texts()):
                name = corpus.metadata.loc[doc_id, "page"].split("#")[0].removesuffix(".html")
                if label == "warc_gz":
                    name = pages[int(doc_id.rsplit("-", 1)[1])][0]
                body = truth["bodies"].get(name.removesuffix("_again"))
                if body is None:
                    continue
                s = _score(text, _sentences("\n".join(body)), W.CHROME)
                kept += s["body_chars_kept"]
                total += s["body_chars"]
                chrome_left += len([c for c in s["chrome_left"] if c.lower() not in " ".join(body).lower()])
            out[label] = {"pages": rep.pages, "seconds_total": round(seconds, 2), "pages_per_second_total": round(rep.pages / seconds, 1),
                          "seconds_extracting": round(rep.seconds, 2), "pages_per_second_extracting": round(rep.pages_per_second, 1),
                          "articles": rep.pages - len(rep.skipped), "skipped": len(rep.skipped),
                          "duplicates_found": len(dup), "duplicates_expected": truth["expected_duplicates"],
                          "exact": int((dup["kind"] == "exact").sum()), "near": int((dup["kind"] == "near").sum()),
                          "body_kept": round(kept / total, 4) if total else None, "chrome_left_pages": chrome_left,
                          "extractor": corpus.metadata["extractor"].value_counts().to_dict()}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stories", type=int, default=300, help="stories of lee_background.cor used (4 pages each)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "bench_ingest.json"))
    args = ap.parse_args()
    import trafilatura

    result = {"seeds": seeds_comparison(), "layouts": layouts_comparison(min(args.stories, 50)), "speed": speed(args.stories),
              "environment": {"python": platform.python_version(), "machine": platform.machine(),
                              "trafilatura": trafilatura.__version__}}
    Path(args.out).write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps({"seeds": result["seeds"]["totals"], "layouts": result["layouts"], "speed": result["speed"]}, indent=1))


if __name__ == "__main__":
    main()
