"""A Bitrix-like municipal site on 127.0.0.1: a news list with ``?PAGEN_1=`` pagination, article
pages in the usual ``news-detail`` markup between a header, a menu and a footer, ``robots.txt``,
a sitemap index (``/sitemap.xml`` → ``/sitemap-iblock-3.xml`` and ``/sitemap-files.xml``), public
discussion pages, and ETag/Last-Modified with 304 answers, as a 1С-Битрикс site serves them.

Tests change ``articles`` or ``discussions`` between scans (add an article, edit one) and read
``log`` to see what a collector asked for (conditional headers, robots.txt, the pace).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape

from testing.fakes.http import LocalServer, Reply, Request

MSK = timezone(timedelta(hours=3))
PER_PAGE = 3
HTML = "text/html; charset=UTF-8"


@dataclass
class SiteArticle:
    id: int
    title: str
    published: datetime
    paragraphs: list[str]
    section: str = "news"

    @property
    def path(self) -> str:
        return f"/{self.section}/{self.id}/"


@dataclass
class Discussion:
    slug: str
    title: str
    published: datetime
    intro: str
    proposals: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/obshchestvennye-obsuzhdeniya/{self.slug}/"


def _frame(title: str, body: str, site_name: str) -> bytes:
    """The page as a Bitrix template wraps it: header, top menu, breadcrumbs, left menu, footer."""
    menu = "".join(f'<li><a href="{href}">{escape(name)}</a></li>' for href, name in (
        ("/", "Главная"), ("/news/", "Новости"), ("/about/", "Об учреждении"),
        ("/obshchestvennye-obsuzhdeniya/", "Общественные обсуждения"), ("/contacts/", "Контакты")))
    return f"""<!DOCTYPE html>
<html lang="ru"><head><meta charset="UTF-8"><title>{escape(title)} | {escape(site_name)}</title>
<link href="/bitrix/templates/municipal/styles.css?16987" type="text/css" rel="stylesheet">
<script src="/bitrix/js/main/core/core.min.js?1698"></script></head>
<body><div id="panel"></div>
<header class="header"><div class="logo"><a href="/">{escape(site_name)}</a></div>
<div class="phone">Приёмная: 8 (81669) 5-12-34</div><ul class="top-menu">{menu}</ul></header>
<div class="breadcrumbs"><a href="/">Главная</a> / <a href="/news/">Новости</a></div>
<div class="workarea">{body}</div>
<aside class="left-menu"><ul>{menu}</ul><div class="banner"><a href="https://www.gosuslugi.ru/">Госуслуги</a></div></aside>
<footer class="footer">© 2014–2026 {escape(site_name)}. Все права защищены. Адрес: 174510, Новгородская обл.,
г. Пестово, ул. Советская, д. 10. <a href="/bitrix/admin/">Вход</a></footer>
</body></html>""".encode("utf-8")


class MunicipalSite(LocalServer):
    def __init__(self, articles: list[SiteArticle], discussions: list[Discussion] | None = None,
                 name: str = "Администрация Пестовского муниципального округа", sitemap: bool = True,
                 robots: str = "User-agent: *\nDisallow: /bitrix/\nDisallow: /search/\n", feed: bool = False):
        super().__init__()
        self.articles, self.discussions = articles, list(discussions or [])
        self.name, self.sitemap, self.robots_txt, self.feed = name, sitemap, robots, feed
        self.fallback = self._route

    # pages ------------------------------------------------------------------
    def _route(self, request: Request) -> Reply:
        path = request.path
        if path == "/robots.txt":
            text = self.robots_txt + (f"Sitemap: {self.url}/sitemap.xml\n" if self.sitemap else "")
            return Reply(200, text.encode(), {"Content-Type": "text/plain; charset=UTF-8"})
        if path in ("/", "/news/"):
            return self._cached(request, self._listing(request), HTML)
        if self.sitemap and path == "/sitemap.xml":
            return self._cached(request, self._index(), "application/xml")
        if self.sitemap and path == "/sitemap-iblock-3.xml":
            return self._cached(request, self._urlset([(a.path, a.published) for a in self.articles]), "application/xml")
        if self.sitemap and path == "/sitemap-files.xml":
            return self._cached(request, self._urlset([("/about/", None), ("/contacts/", None)]), "application/xml")
        if self.feed and path == "/rss/":
            return self._cached(request, self._rss(), "application/rss+xml; charset=UTF-8")
        if path in ("/about/", "/contacts/"):
            return self._cached(request, _frame("Об учреждении", "<h1>Об учреждении</h1><p>Режим работы: "
                                                "пн–пт 8:30–17:30, обед 13:00–14:00.</p>", self.name), HTML)
        for article in self.articles:
            if path == article.path:
                return self._cached(request, self._article(article), HTML)
        for discussion in self.discussions:
            if path == discussion.path:
                return self._cached(request, self._discussion(discussion), HTML)
        return Reply(404, _frame("404", "<h1>Страница не найдена</h1>", self.name), {"Content-Type": HTML})

    def _cached(self, request: Request, body: bytes, content_type: str) -> Reply:
        """ETag from the content, Last-Modified a fixed moment per content; 304 to a matching request."""
        digest = hashlib.md5(body).hexdigest()
        etag = f'"{digest[:16]}"'
        modified = format_datetime(datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=int(digest[:6], 16)),
                                   usegmt=True)
        headers = {"Content-Type": content_type, "ETag": etag, "Last-Modified": modified}
        if request.headers.get("if-none-match") == etag or (
                "if-none-match" not in request.headers and request.headers.get("if-modified-since") == modified):
            return Reply(304, b"", headers)
        return Reply(200, body, headers)

    def _ordered(self) -> list[SiteArticle]:
        return sorted(self.articles, key=lambda a: a.published, reverse=True)

    def _listing(self, request: Request) -> bytes:
        page = int((request.query.get("PAGEN_1") or ["1"])[0])
        ordered = self._ordered()
        pages = max(1, -(-len(ordered) // PER_PAGE))
        items = "".join(
            f'<div class="news-item"><span class="news-date-time">{a.published:%d.%m.%Y}</span>'
            f'<a href="{a.path}"><b>{escape(a.title)}</b></a><p>{escape(a.paragraphs[0][:150])}…</p></div>'
            for a in ordered[(page - 1) * PER_PAGE:page * PER_PAGE])
        nav = "".join(f'<a href="/news/?PAGEN_1={n}">{n}</a> ' if n != page else f"<b>{n}</b> "
                      for n in range(1, pages + 1))
        feed = '<link rel="alternate" type="application/rss+xml" href="/rss/">' if self.feed else ""
        return _frame("Новости", f'{feed}<h1>Новости</h1><div class="news-list">{items}</div>'
                                 f'<div class="modern-page-navigation">Страницы: {nav}</div>', self.name)

    def _article(self, article: SiteArticle) -> bytes:
        text = "".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)
        body = (f'<div class="news-detail"><h1>{escape(article.title)}</h1>'
                f'<span class="news-date-time">{article.published:%d.%m.%Y %H:%M}</span>{text}'
                f'<div class="share">Поделиться: <a href="https://vk.com/share.php">ВКонтакте</a> '
                f'<a href="https://connect.ok.ru/offer">Одноклассники</a></div></div>'
                f'<p><a href="/news/">Возврат к списку</a></p>')
        return _frame(article.title, body, self.name)

    def _discussion(self, discussion: Discussion) -> bytes:
        proposals = "".join(f"<li>{escape(p)}</li>" for p in discussion.proposals)
        body = (f'<div class="news-detail"><h1>{escape(discussion.title)}</h1>'
                f'<span class="news-date-time">{discussion.published:%d.%m.%Y %H:%M}</span>'
                f"<p>{escape(discussion.intro)}</p><h2>Поступившие предложения</h2><ol>{proposals}</ol></div>")
        return _frame(discussion.title, body, self.name)

    def _index(self) -> bytes:
        return _sitemap("sitemapindex", "".join(f"<sitemap><loc>{self.url}{path}</loc></sitemap>"
                                                for path in ("/sitemap-iblock-3.xml", "/sitemap-files.xml")))

    def _urlset(self, pages: list[tuple[str, datetime | None]]) -> bytes:
        return _sitemap("urlset", "".join(
            f"<url><loc>{self.url}{path}</loc>" + (f"<lastmod>{when.isoformat()}</lastmod>" if when else "") + "</url>"
            for path, when in pages))

    def _rss(self) -> bytes:
        items = "".join(f"<item><title>{escape(a.title)}</title><link>{self.url}{a.path}</link>"
                        f"<pubDate>{format_datetime(a.published)}</pubDate></item>" for a in self._ordered())
        return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{escape(self.name)}'
                f"</title><link>{self.url}/</link>{items}</channel></rss>").encode()


def _sitemap(root: str, body: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{body}</{root}>").encode()


def pestovo_articles(now: datetime) -> list[SiteArticle]:
    """Seven news items of the district administration over the last ten days (newest last)."""
    day = timedelta(days=1)
    return [
        SiteArticle(1841, "Об отключении электроэнергии в д. Лаптево", now - 9 * day, [
            "22 ноября с 9:00 до 15:00 в связи с плановыми работами на линии будет отключена электроэнергия "
            "в деревне Лаптево, улицы Школьная и Центральная.",
            "Просим жителей заранее позаботиться о запасе воды: водонапорная башня работает от той же линии."]),
        SiteArticle(1845, "Приём граждан Главой округа", now - 7 * day, [
            "Глава Пестовского муниципального округа проведёт личный приём граждан в четверг с 14:00 до 17:00 "
            "в здании Администрации, ул. Советская, д. 10, кабинет 21.",
            "Предварительная запись по телефону 8 (81669) 5-12-34."]),
        SiteArticle(1852, "Ремонт Устюженского шоссе перенесён на весну", now - 5 * day, [
            "Подрядчик не завершил ямочный ремонт Устюженского шоссе до наступления холодов. Работы перенесены "
            "на апрель, до этого участок у поворота на Лаптево будут подсыпать щебнем.",
            "Водителей просят снижать скорость на участке протяжённостью 800 метров."]),
        SiteArticle(1858, "В школах округа начались каникулы", now - 4 * day, [
            "С 24 ноября в школах Пестовского округа осенние каникулы. Дом культуры приглашает школьников на "
            "мастер-классы и в кружки, расписание — на сайте учреждения."]),
        SiteArticle(1863, "Водоканал промывает сети на улице Советской", now - 2 * day, [
            "В связи с обращениями жителей улицы Советской о ржавой воде МУП «Водоканал» проводит промывку "
            "водопроводных сетей. Работы завершатся до пятницы.",
            "До окончания работ вода может быть мутной; питьевую воду можно набрать у колонки на углу улиц "
            "Советской и Курганской."]),
        SiteArticle(1867, "Изменено расписание автобуса Пестово — Охона", now - 1 * day, [
            "С 23 ноября первый рейс автобуса Пестово — Охона отправляется в 6:40, вечерний рейс в 17:30 "
            "сохраняется. Расписание согласовано с перевозчиком по просьбам жителей Охоны."]),
        SiteArticle(1870, "ФАП в Охоне возобновит работу с понедельника", now - 5 * timedelta(hours=1), [
            "Фельдшерско-акушерский пункт в деревне Охона возобновит приём с понедельника. На время болезни "
            "фельдшера жителей принимает выездная бригада Пестовской ЦРБ по средам.",
            "Измерить давление и получить рецепт можно также по записи в поликлинике."]),
    ]


def pestovo_discussion(now: datetime) -> Discussion:
    return Discussion("blagoustroystvo-2027", "Общественные обсуждения: благоустройство сквера на улице Курганской",
                      now - 6 * timedelta(days=1),
                      "Администрация округа выносит на общественные обсуждения проект благоустройства сквера на "
                      "улице Курганской. Предложения принимаются до 15 декабря на этой странице и в кабинете 14.",
                      ["Установить освещение вдоль центральной аллеи.",
                       "Сделать пандус у входа со стороны школы."])
