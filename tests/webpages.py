"""Saved web pages of several layouts, written for the ingestion tests and benchmark.

Each layout wraps a list of body paragraphs in the chrome its kind of site
carries (navigation, sidebar, share widget, author bio, comments, footer);
``CHROME`` lists strings of that chrome, none of which may survive extraction.
"""

from __future__ import annotations

import html as _html
import json

NEWS_BODY = [
    "Pakistan and Afghanistan agreed on Monday to reopen the Torkham crossing after a week of closures that left hundreds of trucks stranded on both sides of the border.",
    "Officials from both governments met in Peshawar for six hours, according to a statement issued by the foreign office late in the evening, and agreed to set up a joint committee on border management.",
    "Traders in Khyber said the closure had cost them millions of rupees in spoiled fruit and vegetables, and several transporters said they would wait to see whether the agreement held before sending their trucks again.",
    "Analysts in Islamabad cautioned that the deal addressed the symptoms rather than the causes of the dispute, which turns on fencing along the Durand Line and on the movement of militants across it.",
    "The committee is expected to meet again next month in Kabul, where officials hope to agree on a timetable for the fencing work and on procedures for traders who cross the border every day.",
]

OPED_BODY = [
    "For a brief moment in the spring of 2015 it seemed that Kabul and Islamabad might finally turn a page on decades of mutual suspicion and build a relationship founded on shared interests.",
    "The memorandum of understanding signed by the two intelligence services promised cooperation against the militants who threatened both states, and President Ghani staked much of his political capital on it.",
    "Critics in Kabul saw the agreement as a concession to a neighbour that had long sheltered the Taliban leadership, and the parliament summoned the head of the intelligence service to explain its terms.",
    "Whatever its fate, the memorandum showed that both governments understood the cost of continued hostility, even if neither could yet persuade its own security establishment to accept the risks of trust.",
]

COMMENTS_BODY = [
    "The Tehrik-i-Taliban Pakistan claimed responsibility for an attack on a checkpoint in North Waziristan on Tuesday, the third such attack in a month, raising fresh questions about militant sanctuaries across the border.",
    "Pakistani officials have repeatedly called on the Taliban government in Kabul to act against the group, which they say operates freely from Afghan provinces close to the frontier.",
    "The Taliban administration denies that Afghan soil is used for attacks on any neighbour, and its spokesman said on Wednesday that Pakistan should resolve its internal security problems on its own.",
]

LEGACY_BODY = [
    "The café at the Torkham crossing, a favourite of truck drivers for decades, reopened on Sunday with the border itself — its owner said business was “better than ever” after the long closure.",
    "Drivers queued for green tea and naan while customs officers cleared a backlog of more than two thousand vehicles, many of them carrying fresh fruit bound for markets in Peshawar and Lahore.",
    "Local traders said they hoped the reopening would last longer than the previous one, which ended after only three weeks when a dispute over fencing flared up again along the frontier.",
]

# a syndicated copy of NEWS_BODY: a wire dateline added, one sentence reworded, the last paragraph cut
WIRE_BODY = [
    "PESHAWAR (Wire) - " + NEWS_BODY[0],
    NEWS_BODY[1],
    NEWS_BODY[2],
    "Analysts in Islamabad warned that the deal addressed the symptoms rather than the causes of the dispute, which turns on fencing along the Durand Line and on the movement of militants across it.",
    NEWS_BODY[4],
]

CHROME = [
    "Subscribe to our newsletter", "Home", "World", "Business", "Opinion", "Recent Posts", "Share on Facebook",
    "Leave a comment", "All rights reserved", "is a columnist based in", "Related stories", "Most read",
    "Great article, thanks", "Reply", "Cookie settings", "Advertisement", "Trending now", "Privacy policy",
]


def _ps(paragraphs) -> str:
    return "\n".join(f"<p>{_html.escape(p)}</p>" for p in paragraphs)


_NAV = """<header class="site-header"><div class="logo">{site}</div>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world/">World</a></li><li><a href="/business/">Business</a></li>
<li><a href="/opinion/">Opinion</a></li></ul></nav>
<div class="promo"><a href="/newsletter">Subscribe to our newsletter</a></div></header>"""

_FOOTER = """<footer><p>&copy; 2024 {site}. All rights reserved.</p><p><a href="/privacy">Privacy policy</a> |
<a href="/cookies">Cookie settings</a></p></footer>"""


def news_article(body=NEWS_BODY, *, site="The Frontier Ledger", host="frontierledger.example",
                 path="/2024/03/18/torkham-reopens", title="Torkham crossing to reopen after talks",
                 published="2024-03-18T09:30:00+05:00") -> str:
    """A news article: masthead and navigation, Open Graph metadata, related links, footer."""
    url = f"https://www.{host}{path}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{_html.escape(title)} | {site}</title>
<meta property="og:type" content="article"><meta property="og:site_name" content="{site}">
<meta property="og:title" content="{_html.escape(title)}"><link rel="canonical" href="{url}">
<meta property="article:published_time" content="{published}">
<script>window.dataLayer = [{{"page": "article"}}];</script>
</head><body>{_NAV.format(site=site)}
<main><article><h1>{_html.escape(title)}</h1>
<div class="byline">By Staff Reporter | Published March 18, 2024</div>
<div class="ad">Advertisement</div>
{_ps(body)}
</article>
<section class="related"><h2>Related stories</h2><ul>
<li><a href="/2024/03/10/trade">Trade through Torkham falls to a five-year low</a></li>
<li><a href="/2024/03/12/fence">Fencing dispute flares again</a></li></ul></section>
<aside class="most-read"><h3>Most read</h3><ol><li><a href="/a">Budget talks stall</a></li>
<li><a href="/b">Cricket board names new captain</a></li></ol></aside></main>
{_FOOTER.format(site=site)}</body></html>"""


def oped_with_sidebar(body=OPED_BODY, *, host="southasiaviews.example", path="/opinion/a-page-turned",
                      title="A page turned, briefly", published="2015-05-19") -> str:
    """An op-ed: no Open Graph, JSON-LD with the date, a share widget, author bio and a "Recent Posts" sidebar."""
    url = f"https://{host}{path}"
    ld = json.dumps({"@context": "https://schema.org", "@type": "OpinionNewsArticle", "headline": title,
                     "datePublished": published, "author": {"@type": "Person", "name": "Sara Khan"}})
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{_html.escape(title)}</title><link rel="canonical" href="{url}">
<script type="application/ld+json">{ld}</script></head>
<body><div id="wrap"><div id="top"><a href="/">South Asia Views</a> <a href="/opinion/">Opinion</a></div>
<div id="content" class="post"><h1 class="entry-title">{_html.escape(title)}</h1>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
<div class="entry-content">{_ps(body)}</div>
<div class="author-bio"><p>Sara Khan is a columnist based in Lahore. Write to her at sara@example.org.</p></div>
<div class="comments-link"><a href="#respond">Leave a comment</a></div></div>
<div id="sidebar" class="widget-area"><h3 class="widget-title">Recent Posts</h3><ul>
<li><a href="/p1">Hezbollah and the new regional order</a></li><li><a href="/p2">Budget 2015: winners and losers</a></li>
<li><a href="/p3">Why the monsoon matters for growth</a></li></ul>
<h3 class="widget-title">Trending now</h3><ul><li><a href="/p4">Ten pictures from the Karachi festival</a></li></ul></div>
</div></body></html>"""


def page_with_comments(body=COMMENTS_BODY, *, host="kabulobserver.example", path="/news/ttp-checkpoint-attack",
                       title="TTP claims checkpoint attack", published="2024-06-04") -> str:
    """An article whose date is in a ``<time>`` element, followed by a reader-comments section."""
    url = f"https://{host}{path}"
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{_html.escape(title)} - Kabul Observer</title>
<meta property="og:site_name" content="Kabul Observer"><meta property="og:url" content="{url}">
<meta property="og:type" content="article"></head>
<body><nav><a href="/">Home</a> <a href="/world/">World</a></nav>
<article class="story"><h1>{_html.escape(title)}</h1><time datetime="{published}" pubdate>{published}</time>
<div class="story-body">{_ps(body)}</div></article>
<section id="comments" class="comments"><h2>3 comments</h2>
<div class="comment"><p class="comment-author">Reader123</p><p>Great article, thanks for the clear reporting on a difficult subject that matters to all of us here in the region.</p><a href="#">Reply</a></div>
<div class="comment"><p class="comment-author">Observer</p><p>Both governments have said the same things for years and nothing changes for the people who live along the border.</p><a href="#">Reply</a></div>
</section><footer>Kabul Observer. All rights reserved.</footer></body></html>"""


def index_page(*, host="frontierledger.example", path="/tag/torkham/") -> str:
    """A tag page: a list of headlines with one-line teasers; not an article."""
    url = f"https://www.{host}{path}"
    items = "\n".join(
        f'<li><h3><a href="/2024/0{i % 9 + 1}/story-{i}">Headline number {i} about the border</a></h3>'
        f"<p>A short teaser for story {i}.</p></li>" for i in range(12))
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Torkham | The Frontier Ledger</title>
<meta property="og:type" content="website"><meta property="og:site_name" content="The Frontier Ledger">
<link rel="canonical" href="{url}"></head><body>{_NAV.format(site="The Frontier Ledger")}
<main><h1>Stories tagged: Torkham</h1><ul class="stories">{items}</ul>
<div class="pager"><a href="?page=2">Next page</a></div></main>{_FOOTER.format(site="The Frontier Ledger")}</body></html>"""


def legacy_page(body=LEGACY_BODY, *, encoding="windows-1252", declare=True, host="peshawartimes.example",
                path="/2019/08/02/cafe-reopens", title="Torkham café reopens — “better than ever”") -> bytes:
    """An old-style page saved in a legacy encoding (declared in ``<meta>`` unless ``declare=False``)."""
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">' if declare else ""
    page = f"""<html><head>{meta}<title>{_html.escape(title)}</title>
<meta name="date" content="2019-08-02"><link rel="canonical" href="https://{host}{path}"></head>
<body><table width="100%"><tr><td class="menu"><a href="/">Home</a> | <a href="/world/">World</a></td></tr>
<tr><td class="main"><h1>{_html.escape(title)}</h1>{_ps(body)}</td></tr>
<tr><td class="footer">Peshawar Times. All rights reserved.</td></tr></table></body></html>"""
    return page.encode(encoding)


def write_pages(folder) -> dict[str, str]:
    """Write one page of each layout (plus a wire copy and a duplicate capture) into ``folder``; name -> file."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pages = {
        "news": news_article(),
        "oped": oped_with_sidebar(),
        "comments": page_with_comments(),
        "index": index_page(),
        "wire": news_article(WIRE_BODY, site="Gulf Wire Daily", host="gulfwire.example",
                             path="/world/asia/pakistan-afghanistan-torkham", published="2024-03-19T02:00:00Z"),
        "news_again": news_article(),
    }
    out = {}
    for name, text in pages.items():
        (folder / f"{name}.html").write_text(text, encoding="utf-8")
        out[name] = f"{name}.html"
    (folder / "legacy.html").write_bytes(legacy_page())
    out["legacy"] = "legacy.html"
    return out
