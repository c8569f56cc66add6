"""Local news: RSS 2.0 and Atom feeds (httpx, feedparser, trafilatura for full text).

``config`` (the source model) is light; ``collector`` and ``check`` register themselves when a
scan or a check needs them (``collectors.base``)."""
