"""Local news: RSS 2.0 and Atom feeds (httpx, feedparser, trafilatura for full text)."""
from collectors.rss import check as _check  # noqa: F401  (registers the source check)
from collectors.rss.collector import RssCollector
from collectors.rss.mapping import map_entry

__all__ = ["RssCollector", "map_entry"]
