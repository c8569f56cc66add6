"""Politeness: one pace per host shared by every source, robots.txt's Crawl-delay, conditional GETs."""
from __future__ import annotations

from collectors.site.polite import HostPacer
from testing.fakes.site import MunicipalSite, pestovo_articles
from tests.collectors.site.conftest import site_collector


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def test_requests_to_one_host_keep_the_gap_and_other_hosts_do_not_wait():
    clock = Clock()
    pacer = HostPacer(clock, clock.sleep)
    assert pacer.wait("http://a", 1.5) == 0
    assert pacer.wait("http://b", 1.5) == 0  # another host
    clock.now += 0.5
    assert pacer.wait("http://a", 1.5) == 1.0
    assert pacer.wait("http://a", 1.5) == 1.5
    assert clock.slept == [1.0, 1.5]


class Recorder(HostPacer):
    def __init__(self) -> None:
        super().__init__()
        self.gaps: list[tuple[str, float]] = []

    def wait(self, host: str, gap: float) -> float:
        self.gaps.append((host, gap))
        return 0.0


def test_every_request_is_paced_and_crawl_delay_wins_when_longer(now):
    robots = "User-agent: *\nCrawl-delay: 4\nDisallow: /bitrix/\n"
    with MunicipalSite(pestovo_articles(now), robots=robots) as site:
        pacer = Recorder()
        site_collector(site, pacer=pacer, delay=1.5).collect(None)
        assert len(pacer.gaps) == len(site.log)  # robots.txt, sitemaps and every article
        assert pacer.gaps[0] == (site.url, 1.5)  # robots.txt itself: the configured delay
        assert {gap for _, gap in pacer.gaps[1:]} == {4.0}
    with MunicipalSite(pestovo_articles(now)) as site:
        pacer = Recorder()
        site_collector(site, pacer=pacer, delay=1.5).collect(None)
        assert {gap for _, gap in pacer.gaps} == {1.5}
