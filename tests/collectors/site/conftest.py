"""Site collector tests: a Bitrix-like municipal site on 127.0.0.1 (``testing.fakes.site``)."""
from __future__ import annotations

from datetime import datetime

import pytest

from collectors.site.collector import SiteCollector
from collectors.site.config import SiteSource
from collectors.site.polite import HostPacer, PoliteFetcher
from testing.fakes.site import MSK, MunicipalSite, pestovo_articles, pestovo_discussion

ARTICLE = r"/news/\d+/$"


@pytest.fixture
def now() -> datetime:
    return datetime.now(MSK).replace(second=0, microsecond=0)


@pytest.fixture
def site(now):
    with MunicipalSite(pestovo_articles(now), [pestovo_discussion(now)]) as server:
        yield server


def site_source(server, **fields) -> SiteSource:
    options = {"key": "adm_site", "platform": "site", "name": "Администрация (сайт)", "url": server.url + "/news/",
               "link_pattern": ARTICLE, "delay": 0, "backoff": 0.01, "timeout": 5, "reach": 2500}
    options.update(fields)
    return SiteSource(**options)


def site_collector(server, pacer: HostPacer | None = None, **fields) -> SiteCollector:
    source = site_source(server, **fields)
    return SiteCollector(source, PoliteFetcher(source, pacer=pacer or HostPacer()))
