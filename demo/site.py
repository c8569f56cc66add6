"""A site without a feed for the demo: the news section of an institution built on 1С-Битрикс, as
recorded pages (``robots.txt``, the sitemap, the news list, the articles) with the index the site
collector's replay reads (``collectors.site.replay``)."""
from __future__ import annotations

import json
from html import escape

from demo.corpus import MSK, Corpus, Item


def _page(title: str, content: str, source: dict) -> str:
    base = source["site"]
    menu = "".join(f'<li><a href="{base}{href}">{name}</a></li>' for href, name in (
        ("/", "Главная"), ("/news/", "Новости"), ("/documents/", "Документы"), ("/contacts/", "Контакты")))
    return (f'<!DOCTYPE html>\n<html lang="ru"><head><meta charset="UTF-8"><title>{escape(title)}</title>'
            f'<link rel="stylesheet" href="{base}/bitrix/templates/main/template_styles.css"></head><body>'
            f'<div class="top-line">{escape(source["name"])} · Приёмная: {escape(source["phone"])}</div>'
            f'<nav><ul class="menu">{menu}</ul></nav><main class="content">{content}</main>'
            f'<footer>{escape(source["address"])}. '
            f'<a href="{base}/bitrix/admin/">Администрирование</a></footer></body></html>\n')


def _article(post: Item, source: dict, when) -> str:
    paragraphs = "".join(f"<p>{escape(p.strip())}</p>" for p in post.text.split("\n\n") if p.strip())
    content = (f'<div class="news-detail"><h1>{escape(post.fields["title"])}</h1>'
               f'<div class="news-date-time">{when.astimezone(MSK):%d.%m.%Y %H:%M}</div>{paragraphs}</div>'
               f'<a href="{source["site"]}/news/">← Все новости</a>')
    return _page(post.fields["title"], content, source)


def render_site(key: str, corpus: Corpus, at) -> dict[str, str]:
    """Relative path (under the demo folder) → text: the pages and ``site/<key>.json``."""
    source = corpus.sources[key]
    base = source["site"]
    posts = sorted(corpus.posts_of(key), key=lambda p: -p.offset)
    url = lambda post: f"{base}/news/{post.id}/"  # noqa: E731
    listing = "".join(f'<div class="news-item"><span class="news-date-time">{at(p).astimezone(MSK):%d.%m.%Y}'
                      f'</span> <a href="{url(p)}">{escape(p.fields["title"])}</a></div>' for p in posts)
    sitemap = "".join(f"<url><loc>{url(p)}</loc><lastmod>{at(p).isoformat()}</lastmod></url>" for p in posts)
    sitemap += "".join(f"<url><loc>{base}{path}</loc></url>" for path in ("/documents/", "/contacts/"))
    pages = {
        f"{base}/robots.txt": ("robots.txt", "text/plain; charset=UTF-8",
                               f"User-agent: *\nDisallow: /bitrix/\nDisallow: /personal/\nSitemap: {base}/sitemap.xml\n"),
        f"{base}/sitemap.xml": ("sitemap.xml", "application/xml",
                                '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
                                f'schemas/sitemap/0.9">{sitemap}</urlset>\n'),
        f"{base}/news/": ("news.html", "text/html; charset=UTF-8",
                          _page("Новости", f'<h1>Новости</h1><div class="news-list">{listing}</div>', source)),
    }
    for post in posts:
        pages[url(post)] = (f"news-{post.id}.html", "text/html; charset=UTF-8", _article(post, source, at(post)))
    files = {f"site/{key}/{name}": body for name, _, body in pages.values()}
    index = {"pages": {address: {"file": f"{key}/{name}", "content_type": kind}
                       for address, (name, kind, _) in pages.items()}}
    files[f"site/{key}.json"] = json.dumps(index, ensure_ascii=False, indent=1) + "\n"
    return files
