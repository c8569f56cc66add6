"""``mcu sources check`` for sites: robots.txt lets us in, and a way to the articles is found."""
from __future__ import annotations

from collectors.base import CollectorError, SourceCheck, SourceUnavailable, register_check
from collectors.site.state import SiteState

WAYS_RU = {"feed": "лента", "sitemap": "карта сайта", "listing": "страница списка"}


@register_check("site")
def check_site(source, settings) -> SourceCheck:
    from collectors.site.collector import build
    from collectors.site.polite import Disallowed
    from collectors.site.ways import Ways

    collector = build(source, settings)
    fetcher = collector.fetcher
    try:
        if source.pages:
            closed = [page for page in source.pages if not fetcher.allowed(page)]
            if closed:
                return SourceCheck("error", f"robots.txt запрещает читать: {', '.join(closed)}")
            fetcher.get(source.pages[0])
            return SourceCheck("ok", f"страниц для чтения: {len(source.pages)}; первая открывается")
        (way, address), found = Ways(source, fetcher, SiteState(), SiteState()).discover()
        detail = f"статьи находятся через: {WAYS_RU[way]} {address}; адресов статей {len(found)}"
        if way == "feed":
            return SourceCheck("warning", detail + "; у сайта есть лента — её лучше подключить как platform: rss")
        return SourceCheck("ok" if found else "warning", detail + ("" if found else "; ни одной статьи не найдено"))
    except Disallowed as exc:
        return SourceCheck("error", f"robots.txt запрещает читать {exc}")
    except (CollectorError, SourceUnavailable) as exc:
        return SourceCheck("error", str(exc))
    finally:
        fetcher.close()
