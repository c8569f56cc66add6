"""Local news: RSS 2.0 and Atom feeds (feedparser)."""
from collectors.rss.collector import RssCollector

__all__ = ["RssCollector"]
