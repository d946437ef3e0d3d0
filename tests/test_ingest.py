"""Web pages and web archives as a corpus: extraction, metadata and its sources, non-articles,
legacy encodings, WARC records, duplicates."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import webpages as W
from discourse import CorpusError, load_corpus
from discourse.ingest import extract_page, find_duplicates, load_web

pytestmark = pytest.mark.filterwarnings("ignore::discourse.corpus.CorpusWarning")


def _squash(s: str) -> str:
    return " ".join(re.findall(r"\w+", s.lower()))


def _sentences(paragraphs):
    return [s for p in paragraphs for s in re.split(r"(?<=[.!?”])\s+", p) if s.strip()]


LAYOUTS = {
    "news": (W.news_article(), W.NEWS_BODY, "The Frontier Ledger", "og:site_name", "2024-03-18"),
    "oped": (W.oped_with_sidebar(), W.OPED_BODY, "southasiaviews.example", "URL host", "2015-05-19"),
    "comments": (W.page_with_comments(), W.COMMENTS_BODY, "Kabul Observer", "og:site_name", "2024-06-04"),
    "legacy": (W.legacy_page(), W.LEGACY_BODY, "peshawartimes.example", "URL host", "2019-08-02"),
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_every_body_sentence_kept_and_chrome_dropped(name):
    page, body, outlet, outlet_source, date = LAYOUTS[name]
    got = extract_page(page)
    assert got.is_article, got.skip_reason
    text = _squash(got.text)
    assert [s for s in _sentences(body) if _squash(s) not in text] == []
    body_text = " ".join(body).lower()
    assert [c for c in W.CHROME if c.lower() in got.text.lower() and c.lower() not in body_text] == []
    assert got.meta["outlet"] == outlet and got.meta["outlet_source"] == outlet_source
    assert got.meta["published"] == date and got.meta["published_source"].startswith("page markup")
    assert got.meta["extractor"] == "trafilatura"
    # what was dropped is recorded, and none of it is body text
    assert got.removed and not any(_squash(r) in _squash(" ".join(body)) and len(r) > 60 for r in got.removed)


def test_masthead_date_is_not_the_publication_date():
    # the byline says "Published March 18, 2024" but the markup's published_time says otherwise: markup wins
    page = W.news_article(path="/news/torkham-reopens", published="2015-05-19T08:00:00Z")
    assert extract_page(page).meta["published"] == "2015-05-19"


def test_index_page_is_skipped_with_a_reason():
    got = extract_page(W.index_page())
    assert not got.is_article and got.text == ""
    assert "listing" in got.skip_reason


def test_headline_list_without_declared_type_is_skipped():
    page = W.index_page().replace('<meta property="og:type" content="website">', "")
    got = extract_page(page)
    assert not got.is_article
    assert re.search(r"too little article text|mostly links|no running prose", got.skip_reason)


@pytest.mark.parametrize("encoding,declare", [("windows-1252", True), ("iso-8859-1", True), ("windows-1252", False)])
def test_legacy_encoding_decodes(encoding, declare):
    body = [p.replace("—", "-").replace("“", '"').replace("”", '"') for p in W.LEGACY_BODY] if encoding == "iso-8859-1" else W.LEGACY_BODY
    title = "Torkham café reopens"
    got = extract_page(W.legacy_page(body, encoding=encoding, declare=declare, title=title))
    assert "The café at the Torkham crossing" in got.text
    assert "\ufffd" not in got.text and "Ã" not in got.text
    if encoding == "windows-1252":
        assert "“better than ever”" in got.text
    assert got.meta["title"] == title


def test_http_charset_wins_over_guessing():
    data = W.legacy_page(encoding="cp1252", declare=False)
    assert "“better than ever”" in extract_page(data, declared_encoding="windows-1252").text


def test_html_folder_loads_with_metadata_sources_and_duplicates(tmp_path):
    W.write_pages(tmp_path)
    (tmp_path / "metadata.csv").write_text("file,outlet,outlet_country\noped.html,South Asia Views,Pakistan\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="duplicate"):
        corpus = load_corpus(tmp_path)
    meta = corpus.metadata
    assert sorted(corpus.ids) == ["comments", "legacy", "news", "oped"]
    assert meta.loc["oped", "outlet"] == "South Asia Views" and meta.loc["oped", "outlet_source"] == "metadata.csv"
    assert meta.loc["oped", "outlet_country"] == "Pakistan" and meta.loc["news", "outlet_country"] is None
    assert meta.loc["news", "published_precision"] == "day"
    # the earliest-published copy is kept, the others listed
    assert meta.loc["news", "copies"] == "news_again;wire"
    dup = corpus.duplicates.to_frame().set_index("doc_id")
    assert dup.loc["news_again", "kind"] == "exact" and dup.loc["news_again", "similarity"] == 1.0
    assert dup.loc["wire", "kind"] == "near" and 0.8 <= dup.loc["wire", "similarity"] < 1.0
    assert dup.loc["wire", "outlet"] == "Gulf Wire Daily" and dup.loc["wire", "kept_outlet"] == "The Frontier Ledger"
    assert list(corpus.ingest.skipped["page"]) == ["index.html"]
    assert set(corpus.ingest.removals["doc_id"]) >= {"news", "oped", "comments"}
    assert corpus.ingest.pages == 7


def test_keep_all_keeps_every_copy(tmp_path):
    W.write_pages(tmp_path)
    corpus = load_corpus(tmp_path, duplicates="keep_all")
    assert {"news", "news_again", "wire"} <= set(corpus.ids)
    assert corpus.duplicates.to_frame()["kept"].all()


def _response(writer, url, body: bytes, *, status="200 OK", ctype="text/html; charset=utf-8", date="2024-05-01T10:00:00Z"):
    http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
    rec = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                    warc_headers_dict={"WARC-Date": date})
    writer.write_record(rec)


def build_warc(path):
    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=str(path).endswith(".gz"))
        news_url = "https://www.frontierledger.example/2024/03/18/torkham-reopens"
        w.write_record(w.create_warc_record(news_url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))
        _response(w, news_url, W.news_article().encode())
        _response(w, "https://southasiaviews.example/opinion/a-page-turned", W.oped_with_sidebar().encode())
        _response(w, "https://kabulobserver.example/news/ttp-checkpoint-attack", W.page_with_comments().encode())
        _response(w, "https://www.frontierledger.example/tag/torkham/", W.index_page().encode())
        _response(w, "https://peshawartimes.example/cafe", W.legacy_page(declare=False), ctype="text/html; charset=windows-1252")
        _response(w, "https://frontierledger.example/old", b"", status="301 Moved Permanently")
        _response(w, "https://frontierledger.example/logo.png", b"\x89PNG\r\n", ctype="image/png")
        _response(w, news_url, W.news_article().encode(), date="2024-05-02T10:00:00Z")  # captured twice
        _response(w, "https://www.gulfwire.example/world/asia/pakistan-afghanistan-torkham",
                  W.news_article(W.WIRE_BODY, site="Gulf Wire Daily", host="gulfwire.example", published="2024-03-19").encode())


@pytest.mark.parametrize("name", ["crawl.warc.gz", "crawl.warc"])
def test_warc_loads_pages_skips_the_rest(tmp_path, name):
    build_warc(tmp_path / name)
    with pytest.warns(UserWarning, match="2 duplicate"):
        corpus = load_corpus(tmp_path / name)
    meta = corpus.metadata.set_index("page")
    assert len(corpus) == 4
    assert set(meta["outlet"]) == {"The Frontier Ledger", "southasiaviews.example", "Kabul Observer", "peshawartimes.example"}
    legacy = meta.loc[meta["outlet"] == "peshawartimes.example"].iloc[0]
    assert "“better than ever”" in corpus.text(corpus.metadata.index[corpus.metadata["page"] == legacy.name][0])
    news = meta.loc[meta["outlet"] == "The Frontier Ledger"].iloc[0]
    assert news["captured"] == "2024-05-01" and news["published"] == "2024-03-18"
    assert news["url"] == "https://www.frontierledger.example/2024/03/18/torkham-reopens"
    report = corpus.ingest
    assert report.pages == 7 and len(report.skipped) == 1
    assert report.left_out == {"HTTP status 301": 1, "not HTML (image/png)": 1}
    assert sorted(corpus.duplicates.to_frame()["kind"]) == ["exact", "near"]


def test_folder_of_warcs(tmp_path):
    build_warc(tmp_path / "a.warc.gz")
    corpus = load_corpus(tmp_path, duplicates="keep_all")
    assert len(corpus) == 6 and all(i.startswith("a-") for i in corpus.ids)


def test_not_a_warc_is_one_line_error(tmp_path):
    bad = tmp_path / "bad.warc"
    bad.write_bytes(b"this is not an archive\n" * 10)
    with pytest.raises(CorpusError, match=r"bad\.warc: not a readable WARC"):
        load_corpus(bad)


def test_only_index_pages_is_one_line_error(tmp_path):
    (tmp_path / "tag.html").write_text(W.index_page(), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"none of the 1 pages is an article \(first: tag\.html"):
        load_web(tmp_path)


def test_find_duplicates_exact_near_and_distinct():
    a = " ".join(W.NEWS_BODY)
    near = " ".join(W.WIRE_BODY)
    other = " ".join(W.OPED_BODY)
    r = find_duplicates(["a", "b", "c", "d"], [a, other, near, a.upper()], published=["2024", "2015", "2023", None])
    t = r.to_frame().set_index("doc_id")
    # c is the earliest, so it is kept and a, d point to it
    assert set(t.index) == {"a", "d"} and set(t["kept_id"]) == {"c"}
    assert r.dropped == ["a", "d"] and r.copies_of() == {"c": ["a", "d"]}
    assert find_duplicates(["x", "y"], [a, other]).to_frame().empty


def test_text_corpus_duplicates_kept_once(tmp_path):
    import pandas as pd

    text = " ".join(W.OPED_BODY)
    pd.DataFrame({"id": ["a", "b", "c"], "text": [text, text, " ".join(W.NEWS_BODY)], "outlet": ["X", "Y", "X"]}).to_csv(tmp_path / "c.csv", index=False)
    with pytest.warns(UserWarning, match="1 duplicate document"):
        corpus = load_corpus(tmp_path / "c.csv")
    assert corpus.ids == ["a", "c"] and corpus.metadata.loc["a", "copies"] == "b"
    with pytest.warns(UserWarning, match="all kept as asked"):
        assert load_corpus(tmp_path / "c.csv", duplicates="keep_all").ids == ["a", "b", "c"]


def test_cli_corpus_on_pages_reports_and_exports(tmp_path, capsys):
    from discourse.cli import main

    W.write_pages(tmp_path / "pages")
    assert main(["--quiet", "corpus", str(tmp_path / "pages"), "--export", str(tmp_path / "x")]) == 0
    captured = capsys.readouterr()
    assert "web pages: 7 pages read, 6 articles, 1 skipped as not articles" in captured.out
    assert "skipped      1  declares itself a listing" in captured.out
    assert "duplicates: 2 (1 exact, 1 near), each kept once" in captured.out
    assert "documents: 4 " in captured.out
    skipped = pd.read_csv(tmp_path / "x" / "skipped_pages.csv")
    assert skipped["page"].tolist() == ["index.html"]
    assert set(pd.read_csv(tmp_path / "x" / "duplicates.csv")["doc_id"]) == {"news_again", "wire"}
    removed = pd.read_csv(tmp_path / "x" / "extracted_removed.csv")
    assert (removed["rule"] == "extract:trafilatura").all() and removed["text"].str.contains("Recent Posts").any()
    assert main(["--quiet", "corpus", str(tmp_path / "pages"), "--keep-duplicates"]) == 0
    assert "documents: 6 " in capsys.readouterr().out
