"""The NLP's part of matching appeals with each other and with social-media stories, built for
the appeal reports (``reports.appeal_problems``), which import no stage."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from core.config import Settings
from reports.appeal_problems import ProblemMatcher


def problem_matcher(settings: Settings) -> ProblemMatcher:
    """What the appeal reports (``reports.appeal_problems``) need of the NLP to match appeals with
    each other and with stories: content lemmas (``nlp.appeal_analysis.ProblemTerms``) and the
    gazetteer's place weights."""
    return _matcher(settings.resolve(settings.gazetteer).resolve())


@cache
def _matcher(gazetteer: Path) -> ProblemMatcher:
    from nlp.appeal_analysis import ProblemTerms
    from nlp.gazetteer import load_gazetteer
    from nlp.lemmas import Lemmatizer
    from nlp.stories import place_weights

    found = load_gazetteer(gazetteer)
    return ProblemMatcher(terms=ProblemTerms(Lemmatizer(found.overrides)), place_weights=place_weights(found.places))
