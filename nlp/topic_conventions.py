"""Other regions' conventions for filing topics, mapped onto ours rather than chased.

Our rubricator files street lighting under «Благоустройство» (``improvement``) and garbage
in yards and at container sites under «ТКО» (``waste``). Appeal portals such as Kursk's
put both under housing and utilities (ЖКХ). A :class:`Convention` re-files a code when
the text is about such a subject, so an evaluation can compare like with like:

    HOUSING_UTILITIES.apply("improvement", lemmas_of("не горит фонарь во дворе")) == "utilities"

Gold labels are re-filed from the portal's own category text, predictions from the
appeal's text; both with the same lemma keywords.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from nlp.phrases import PhraseIndex


@dataclass(frozen=True)
class Refiling:
    """Appeals of ``code`` about one of ``keywords`` (plain Russian words) go to ``target``."""

    code: str
    subject: str
    keywords: tuple[str, ...]
    target: str


@dataclass(frozen=True)
class Convention:
    name: str
    label: str
    refilings: tuple[Refiling, ...]

    def compile(self, lemmatize: Callable[[str], list[str]]) -> "CompiledConvention":
        return CompiledConvention(self, lemmatize)


class CompiledConvention:
    """A convention with its keywords lemmatised once."""

    def __init__(self, convention: Convention, lemmatize: Callable[[str], list[str]]) -> None:
        self.convention = convention
        self.lemmatize = lemmatize
        self._index = PhraseIndex.from_texts(
            ((keyword, i) for i, r in enumerate(convention.refilings) for keyword in r.keywords), lemmatize, max_gap=1)

    def apply(self, code: str, lemmas: Sequence[str]) -> str:
        """The code under this convention, given the text's lemmas."""
        hits = {match.payload for match in self._index.find(lemmas)}
        for i, refiling in enumerate(self.convention.refilings):
            if refiling.code == code and i in hits:
                return refiling.target
        return code

    def apply_text(self, code: str, text: str) -> str:
        return self.apply(code, self.lemmatize(text))


HOUSING_UTILITIES = Convention(
    name="housing_utilities",
    label="освещение улиц и мусор во дворах — ЖКХ",
    refilings=(
        Refiling("improvement", "уличное освещение",
                 ("освещение", "фонарь", "светильник", "опора освещения", "не горит свет", "уличный свет"),
                 "utilities"),
        Refiling("waste", "мусор во дворе и на контейнерной площадке",
                 ("двор", "дворовый", "внутридворовый", "придомовый", "придомовая территория", "контейнер",
                  "контейнерная площадка", "мусорный бак", "мусорный контейнер", "ТБО", "ТКО",
                  "твёрдые бытовые отходы"),
                 "utilities"),
    ),
)

CONVENTIONS: dict[str, Convention] = {HOUSING_UTILITIES.name: HOUSING_UTILITIES}
