"""RSS 2.0 and Atom 1.0 feeds for the demo news sources."""
from __future__ import annotations

from email.utils import format_datetime
from html import escape

from demo.corpus import Corpus, CorpusError, Item


def _teaser(post: Item) -> str:
    if post.fields.get("teaser"):
        return str(post.fields["teaser"]).strip()
    first = post.text.split("\n\n")[0].strip()
    if len(first) <= 240:
        return first
    return first[:240].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _html(text: str) -> str:
    return "".join(f"<p>{escape(p.strip(), quote=False)}</p>" for p in text.split("\n\n") if p.strip())


def _item_meta(post: Item, source: dict) -> tuple[str, str]:
    slug = post.fields.get("slug") or str(post.id)
    return (source["item_url"].format(id=post.id, slug=slug), source["guid"].format(id=post.id, slug=slug))


def render_rss2(key: str, corpus: Corpus, at) -> str:
    source = corpus.sources[key]
    posts = sorted(corpus.posts_of(key), key=lambda p: -p.offset)
    e = lambda s: escape(str(s), quote=False)  # noqa: E731
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
           ' xmlns:atom="http://www.w3.org/2005/Atom">',
           "<channel>",
           f"<title>{e(source['name'])}</title>",
           f"<link>{e(source['site'])}</link>",
           f"<description>{e(source['description'])}</description>",
           "<language>ru</language>",
           f"<lastBuildDate>{format_datetime(at(posts[0]))}</lastBuildDate>",
           f'<atom:link href="{escape(source["feed_url"])}" rel="self" type="application/rss+xml"/>']
    for post in posts:
        link, guid = _item_meta(post, source)
        out += ["<item>", f"<title>{e(post.fields['title'])}</title>", f"<link>{e(link)}</link>",
                f'<guid isPermaLink="false">{e(guid)}</guid>',
                f"<pubDate>{format_datetime(at(post))}</pubDate>"]
        if post.fields.get("category"):
            out.append(f"<category>{e(post.fields['category'])}</category>")
        out.append(f"<description>{e(_teaser(post))}</description>")
        if post.fields.get("full"):
            html = _html(post.text)
            if "]]>" in html:
                raise CorpusError(f"{post.ref}: text contains ]]>")
            out.append(f"<content:encoded><![CDATA[{html}]]></content:encoded>")
        out.append("</item>")
    out += ["</channel>", "</rss>"]
    return "\n".join(out) + "\n"


def render_atom(key: str, corpus: Corpus, at) -> str:
    source = corpus.sources[key]
    posts = sorted(corpus.posts_of(key), key=lambda p: -p.offset)
    e = lambda s: escape(str(s), quote=False)  # noqa: E731
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ru">',
           f"<id>{e(source['feed_url'])}</id>",
           f"<title>{e(source['name'])}</title>",
           f"<subtitle>{e(source['description'])}</subtitle>",
           f'<link rel="self" type="application/atom+xml" href="{escape(source["feed_url"])}"/>',
           f'<link rel="alternate" type="text/html" href="{escape(source["site"])}"/>',
           f"<updated>{at(posts[0]).isoformat()}</updated>",
           f"<author><name>{e(source['author'])}</name></author>"]
    for post in posts:
        link, guid = _item_meta(post, source)
        stamp = at(post).isoformat()
        out += ["<entry>", f"<id>{e(guid)}</id>", f"<title>{e(post.fields['title'])}</title>",
                f'<link rel="alternate" type="text/html" href="{escape(link)}"/>',
                f"<published>{stamp}</published>", f"<updated>{stamp}</updated>"]
        if post.fields.get("category"):
            out.append(f'<category term="{escape(post.fields["category"])}"/>')
        out += [f"<summary>{e(_teaser(post))}</summary>",
                f'<content type="html">{e(_html(post.text))}</content>', "</entry>"]
    out.append("</feed>")
    return "\n".join(out) + "\n"

