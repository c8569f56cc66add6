"""``mcu sources check`` for feeds: the address answers and the feed parses."""
from __future__ import annotations

from collectors.base import CollectorError, SourceCheck, SourceUnavailable, register_check


@register_check("rss")
def check_rss(source, settings) -> SourceCheck:
    from collectors.rss.collector import build, parse_feed
    from collectors.rss.fetch import Fetched

    collector = build(source, settings)
    try:
        if collector.remote:
            fetched = collector.fetcher.get(collector.location)
        else:
            with open(collector.location, "rb") as handle:
                fetched = Fetched(200, handle.read(), {}, collector.location)
        feed, problems = parse_feed(fetched, source.encoding, source.key)
    except (CollectorError, SourceUnavailable) as exc:
        return SourceCheck("error", str(exc))
    except OSError as exc:
        return SourceCheck("error", f"{collector.location}: {exc.strerror}")
    finally:
        if collector.fetcher is not None:
            collector.fetcher.close()
    title = feed.feed.get("title") or "без названия"
    detail = (f"«{title}»: {feed.get('version') or 'лента'}, записей {len(feed.entries)}, "
              f"кодировка {feed.get('encoding') or '?'}")
    if not feed.entries:
        return SourceCheck("warning", detail + "; лента пуста")
    if problems:
        return SourceCheck("warning", detail + "; " + problems[0].removeprefix(f"{source.key}: "))
    return SourceCheck("ok", detail)
