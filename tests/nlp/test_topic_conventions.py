"""The portals' convention (street lighting and yard garbage under housing and utilities),
mapped onto our rubricator codes."""
import pytest

from nlp.topic_conventions import CONVENTIONS, HOUSING_UTILITIES


@pytest.fixture(scope="module")
def convention(lemmatizer):
    return HOUSING_UTILITIES.compile(lemmatizer.lemmatize)


@pytest.mark.parametrize("code, text, expected", [
    ("improvement", "Не горит фонарь у третьего подъезда", "utilities"),
    ("improvement", "Неисправно освещение, опора освещения повреждена", "utilities"),
    ("improvement", "На детской площадке сломана горка", "improvement"),
    ("waste", "Мусор на внутридворовой территории", "utilities"),
    ("waste", "Переполнены мусорные контейнеры во дворе", "utilities"),
    ("waste", "Вывоз твёрдых бытовых отходов не производится", "utilities"),
    ("waste", "В лесу за деревней свалка", "waste"),
    ("roads", "Фонарь упал на проезжую часть", "roads"),  # only improvement and waste are re-filed
])
def test_refiling(convention, code, text, expected):
    assert convention.apply_text(code, text) == expected


def test_registry():
    assert CONVENTIONS["housing_utilities"] is HOUSING_UTILITIES
    assert {r.code for r in HOUSING_UTILITIES.refilings} == {"improvement", "waste"}
