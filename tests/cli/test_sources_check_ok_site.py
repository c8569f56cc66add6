"""``mcu sources check`` for Одноклассники and sites without feeds, against their local servers."""
from __future__ import annotations

from datetime import datetime

import pytest
from typer.testing import CliRunner

from cli.commands.sources import check_sources
from core.config import load_config
from testing.configs import write_config
from testing.fakes.ok import APP_KEY, SECRET_KEY, TOKEN, OkServer, load_calls
from testing.fakes.site import MSK, MunicipalSite, pestovo_articles, pestovo_discussion
from tests.collectors.ok.conftest import FIXTURES as OK_FIXTURES

runner = CliRunner()


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.setenv("MCU_OK_APP_KEY", APP_KEY)
    monkeypatch.setenv("MCU_OK_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("MCU_OK_TOKEN", TOKEN)
    monkeypatch.setenv("MCU_OK_TOKEN_OLD", "expired-token")
    now = datetime.now(MSK)
    closed = "User-agent: *\nDisallow: /\n"
    with OkServer(load_calls(OK_FIXTURES / "group_pestovo.json")) as ok, \
            MunicipalSite(pestovo_articles(now), [pestovo_discussion(now)]) as site, \
            MunicipalSite(pestovo_articles(now), sitemap=False, feed=True) as with_feed, \
            MunicipalSite(pestovo_articles(now), robots=closed) as closed_site:
        ok_common = {"platform": "ok", "group": "pestovo_gorod", "api_url": ok.url, "backoff": 0.01, "retries": 1}
        site_common = {"platform": "site", "delay": 0, "backoff": 0.01, "retries": 1}
        yield write_config(tmp_path, [
            {"key": "pestovo_ok", "name": "Пестово — наш город (ОК)", **ok_common},
            {"key": "ok_old", "name": "Старый токен", "token_env": "MCU_OK_TOKEN_OLD", **ok_common},
            {"key": "adm_site", "name": "Администрация (сайт)", "url": site.url + "/news/",
             "link_pattern": r"/news/\d+/$", **site_common},
            {"key": "skver", "name": "Обсуждение", "url": site.url + "/",
             "pages": [site.url + "/obshchestvennye-obsuzhdeniya/blagoustroystvo-2027/"], **site_common},
            {"key": "with_feed", "name": "Сайт с лентой", "url": with_feed.url + "/news/", **site_common},
            {"key": "closed", "name": "Закрытый сайт", "url": closed_site.url + "/news/", **site_common},
        ])


def test_ok_and_sites_are_checked(config):
    results = {source.key: check for source, check in check_sources(load_config(config))}
    assert results["pestovo_ok"].status == "ok"
    assert "«Пестово — наш город»: участников 6840, темы читаются" in results["pestovo_ok"].detail
    assert results["ok_old"].status == "error" and "MCU_OK_TOKEN_OLD" in results["ok_old"].detail
    assert results["adm_site"].status == "ok" and "карта сайта" in results["adm_site"].detail
    assert "адресов статей 7" in results["adm_site"].detail
    assert results["skver"].status == "ok" and "страниц для чтения: 1" in results["skver"].detail
    assert results["with_feed"].status == "warning" and "platform: rss" in results["with_feed"].detail
    assert results["closed"].status == "error" and "robots.txt запрещает" in results["closed"].detail
    assert TOKEN not in "".join(r.detail for r in results.values())


def test_command_prints_the_rows(config):
    from cli.app import app

    result = runner.invoke(app, ["sources", "check", "-c", str(config), "-s", "pestovo_ok", "-s", "adm_site"],
                           env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "Работают: 2, с предупреждением: 0, с ошибкой: 0, не проверено: 0." in result.output
