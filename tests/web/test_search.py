"""Search with facets, the story page, and safe content (a post with HTML or script is text)."""
from __future__ import annotations

import html
import re
from datetime import timedelta, timezone

from core.domain import Analysis, Post, RiskAssessment, Sentiment, TopicScore
from core.store import SearchQuery


def hit_links(page: str) -> list[str]:
    return re.findall(r'<a href="/stories/([0-9a-f]+)">история</a>', page)


def facet(page: str, field: str) -> dict[str, int]:
    """(label → count) of one facet's links on the page."""
    block = re.search(rf'<section class="facet" data-field="{field}">(.*?)</section>', page, re.S).group(1)
    return {html.unescape(label): int(n) for label, n in
            re.findall(r'<a href="[^"]+">([^<]+)</a> <span class="count">(\d+)</span>', block)}


def test_search_over_lemmas_with_facets(as_viewer):
    web = as_viewer
    page = web.client.get("/search", params={"q": "воды"}).text  # another form of «вода»
    total = web.store.count(SearchQuery(text="вода"))
    assert total > 0 and f"Найдено: {total}" in page
    departments = facet(page, "department")
    expected = web.store.aggregate("department", SearchQuery(text="вода"))
    labels = web.ctx.labels.departments
    assert departments == {labels[code]: n for code, n in expected.items()}
    assert set(facet(page, "platform")) <= {"VK", "Telegram", "Сайты и СМИ (RSS)"}
    assert facet(page, "sentiment") and facet(page, "topic") and facet(page, "source")


def test_narrowing_by_a_department(as_viewer):
    web = as_viewer
    page = web.client.get("/search", params={"q": "вода", "department": "laptevsky"}).text
    expected = web.store.count(SearchQuery(text="вода", department="laptevsky"))
    assert 0 < expected < web.store.count(SearchQuery(text="вода"))
    assert f"Найдено: {expected}" in page
    assert "Территориальный отдел: Лаптевский территориальный отдел ✕" in page
    for hit in web.store.search(SearchQuery(text="вода", department="laptevsky")):
        assert hit.analysis.department == "laptevsky"
    removed = re.search(r'<a class="chip" href="/search\?([^"]+)"', page).group(1)
    assert "department" not in removed and "q=" in removed


def test_results_link_to_the_post_its_story_and_its_risk(as_viewer):
    web = as_viewer
    page = web.client.get("/search", params={"q": "вода", "department": "laptevsky"}).text
    risk = next(r for r in web.store.list_risks() if r.department == "laptevsky" and r.topic == "utilities")
    assert f'<a href="/risks/{risk.id}">риск {risk.label}</a>' in page
    assert risk.story_id in hit_links(page)
    assert "публикация</a>" in page
    story = web.client.get(f"/stories/{risk.story_id}").text
    assert f'<a href="/risks/{risk.id}">риск {risk.label}' in story
    assert web.client.get("/stories/unknown").status_code == 404


def test_period_and_limit(as_viewer):
    web = as_viewer
    everything = web.store.count(SearchQuery())
    page = web.client.get("/search", params={"period": "all"}).text
    assert f"Найдено: {everything}" in page and page.count('<li class="hit') == 50
    assert web.client.get("/search", params={"period": "all", "limit": "100"}).text.count('<li class="hit') == 100
    recent = web.store.count(SearchQuery(since=web.clock() - timedelta(days=1)))
    assert f"Найдено: {recent}" in web.client.get("/search", params={"period": "1d"}).text


def test_a_post_with_html_or_script_is_shown_as_text(as_viewer):
    web = as_viewer
    text = 'Вода <script>alert("xss")</script> <img src=x onerror=alert(1)> <b>жирный</b> & «кавычки»'
    post = Post(platform="vk", source="pestovo_online", native_id="xss-1", text=text, author="anon-0123456789abcdef",
                title='<iframe src="https://evil.example"></iframe>', url="javascript:alert(2)",
                published_at=web.clock() - timedelta(hours=1))
    analysis = Analysis(post_id=post.id, lemmas=["вода", "script", "alert"], sentiment=Sentiment(label="negative", score=0.9),
                        topic=TopicScore(code="utilities", confidence=0.9), block="infrastructure",
                        risk=RiskAssessment(score=0.1, level="none"))
    web.store.upsert_posts([(post, analysis)])
    page = web.client.get("/search", params={"q": "alert"}).text
    assert "<script>alert" not in page and "<img src=x" not in page and "<iframe" not in page
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "&lt;b&gt;жирный&lt;/b&gt; &amp; «кавычки»" in page
    assert 'href="javascript:' not in page  # a non-http link is not a link
    assert "&lt;iframe" in page


def test_newest_first_on_request(as_viewer):
    web = as_viewer
    page = web.client.get("/search", params={"q": "вода", "order": "date"}).text
    newest = web.store.search(SearchQuery(text="вода", order="date", limit=1))[0].post
    first_time = re.search(r"<time>([^<]+)</time>", page).group(1)
    assert first_time == newest.published_at.astimezone(timezone(timedelta(hours=3))).strftime("%d.%m.%Y %H:%M")
    assert '<option value="date" selected>' in page
