"""Sites without feeds: news and institution sites, and public discussion pages.

Articles are found through the site's own feed or sitemap when it has one, else on a listing
page by a configured link pattern; their text and date are extracted with trafilatura and
htmldate. ``config`` (the source model) is light; ``collector`` and ``check`` register themselves
when a scan or a check needs them (``collectors.base``)."""
