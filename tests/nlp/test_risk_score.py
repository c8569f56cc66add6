"""Risk calibration: outage > pothole > announcement; praise low; reasons explain in Russian."""
import pytest

from core.domain import Story
from nlp.risk import POST_WEIGHTS, STORY_WEIGHTS, plural, score_post, score_story

ANNOUNCEMENT = "Уважаемые жители! 20 января в доме культуры состоится концерт, посвящённый Дню города. Вход свободный."
PLANNED_CUT = ("Уважаемые жители! 5 мая с 9 до 17 часов будет плановое отключение воды на ул. Советской "
               "в связи с ремонтом. Жители останутся без воды.")
POTHOLE = "На Производственной опять яма на яме, машину разбил. Когда уже отремонтируют дорогу?"
OUTAGE = "В Лаптево третий день нет воды! Сколько можно терпеть, дети без воды, администрация молчит!!!"
PRAISE = "Большое спасибо врачам Пестовской ЦРБ за заботу и внимание! 🙏"


@pytest.fixture(scope="module")
def scored(analyzer, make_post):
    posts = {
        "announcement": make_post(ANNOUNCEMENT, "a1", source="adm_pestovo", reach=5000, likes=20),
        "planned_cut": make_post(PLANNED_CUT, "a2", source="adm_pestovo", reach=5000, likes=5),
        "pothole": make_post(POTHOLE, "p1", source="small_public", reach=800, likes=6, comments=2),
        "outage": make_post(OUTAGE, "o1", reach=3000, likes=25, comments=30, reposts=3),
        "praise": make_post(PRAISE, "t1", reach=3000, likes=50),
    }
    analyses = analyzer.analyze(list(posts.values()), use_ner=False)
    return {key: analysis for key, analysis in zip(posts, analyses)}


def test_weights_sum_to_one():
    for weights in (POST_WEIGHTS, STORY_WEIGHTS):
        total = (weights.negativity + weights.signal + weights.topic + weights.trigger + weights.engagement + weights.reach
                 + weights.spread + weights.velocity)
        assert total == pytest.approx(1.0)


def test_ordering(scored):
    assert scored["outage"].risk.score > scored["pothole"].risk.score > scored["announcement"].risk.score


def test_calibration(scored):
    assert scored["announcement"].risk.score < 0.3
    assert scored["planned_cut"].risk.score < 0.3  # a notice, though it says «без воды»
    assert scored["praise"].risk.score < 0.3
    assert scored["pothole"].risk.score < 0.6  # about medium at most
    assert scored["outage"].risk.level in ("high", "critical")
    assert scored["announcement"].risk.level == "none"


def test_reasons_are_named_and_in_russian(scored):
    risk = scored["outage"].risk
    components = {r.component for r in risk.reasons}
    assert {"negativity", "signal", "topic", "trigger", "engagement", "reach"} <= components
    assert sum(r.value for r in risk.reasons) == pytest.approx(risk.score, abs=1e-3)
    details = {r.component: r.detail for r in risk.reasons}
    assert details["negativity"].startswith("негативная тональность (")
    assert details["topic"] == "тема «ЖКХ: вода, тепло, свет» — высокая критичность (0.80)"
    assert "«нет воды»" in details["trigger"]
    assert details["reach"] == "охват источника 3 000"
    assert details["signal"].startswith("сообщение о проблеме (")
    # the report itself leads; its anger counts too, but not twice (RiskWeights.overlap)
    assert risk.top_reasons(1)[0].component == "signal"
    assert [r.component for r in risk.top_reasons(2)] == ["signal", "topic"]


def test_praise_has_no_negativity_reason(scored):
    assert "negativity" not in {r.component for r in scored["praise"].risk.reasons}


def test_exact_triggers(analyzer, make_post, settings):
    from core.domain import Sentiment, TopicScore

    post = make_post("Напишем губернатору Никитину, раз администрация молчит", "g1")
    risk = score_post(post, Sentiment(label="negative", score=0.8), TopicScore(code="government", confidence=0.6),
                      settings.rubricator, settings.risk, triggers=analyzer.triggers)
    trigger = next(r for r in risk.reasons if r.component == "trigger")
    assert trigger.detail == "фразы-триггеры «губернатору», «Никитину»"
    news = make_post("Губернатор Никитин посетил округ", "g2")
    risk = score_post(news, Sentiment(label="neutral", score=0.9), TopicScore(code="government", confidence=0.6),
                      settings.rubricator, settings.risk)
    assert "trigger" not in {r.component for r in risk.reasons}


def test_plural():
    assert [plural(n, "источник", "источника", "источников") for n in (1, 3, 5, 11, 21, 22)] == [
        "источник", "источника", "источников", "источников", "источник", "источника"]


def test_incidents_keep_more_of_their_topic_in_a_neutral_tone(settings, make_post):
    from core.domain import Sentiment, TopicScore

    post = make_post("Сообщение о происшествии", "i1", reach=3000)
    neutral = Sentiment(label="neutral", score=0.8)
    fire = score_post(post, neutral, TopicScore(code="safety", confidence=0.7), settings.rubricator, settings.risk)
    roads = score_post(post, neutral, TopicScore(code="roads", confidence=0.7), settings.rubricator, settings.risk)
    topic = {r.component: r.value for r in fire.reasons}["topic"]
    assert topic == pytest.approx(POST_WEIGHTS.topic * 0.9 * (0.7 + 0.3 * 0.15), abs=1e-3)
    assert fire.score > roads.score


def _story(items) -> Story:
    posts = [post for post, _ in items]
    return Story(id="s-spread", title=posts[0].text[:40], first_post_id=posts[0].id, first_seen=posts[0].published_at,
                 last_seen=posts[-1].published_at, post_ids=[p.id for p in posts],
                 sources=list(dict.fromkeys(p.source for p in posts)), topic="utilities")


def test_spread_is_zero_for_one_post_in_one_source_and_grows_from_there(analyzer, make_post, settings):
    one = make_post(OUTAGE, "s1", reach=3000, likes=25, comments=30)
    again = make_post("В Лаптево до сих пор нет воды, третий день без воды!", "s2", source="ok_pestovo", hours=2)
    analyses = analyzer.analyze([one, again], use_ner=False)
    single = score_story(_story([(one, analyses[0])]), [(one, analyses[0])], settings.rubricator, settings.risk)
    assert "spread" not in {r.component for r in single.reasons}  # nothing has spread yet
    pair = [(one, analyses[0]), (again, analyses[1])]
    spread = next(r for r in score_story(_story(pair), pair, settings.rubricator, settings.risk).reasons
                  if r.component == "spread")
    # 2 sources: 0.6·1/3; 2 posts: 0.2·1/10; 2 in the last day: 0.2·1/5 → share 0.26; × the story weight
    # 0.08 × the gate of these two posts (≈0.995, negativity and signal) → 0.0207
    assert spread.value == pytest.approx(0.0207, abs=1e-4)
    assert spread.detail == "распространение: 2 источника за 1 день, 2 публикации (2 за последние сутки)"
