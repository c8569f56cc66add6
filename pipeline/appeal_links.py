"""The NLP's part of matching appeals with each other and with social-media stories, built for
the appeal reports (``reports.appeal_problems``), which import no stage."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from core.config import Settings
from reports.appeal_problems import ProblemMatcher


def problem_matcher(settings: Settings) -> ProblemMatcher:
    """What the appeal reports (``reports.appeal_problems``) need of the NLP to match appeals with
    each other and with stories: content lemmas (``nlp.appeal_analysis.problem_terms``) and the
    gazetteer's place weights."""
    return _matcher(settings.resolve(settings.gazetteer).resolve())


@cache
def _matcher(gazetteer: Path) -> ProblemMatcher:
    from nlp.appeal_analysis import problem_terms
    from nlp.gazetteer import read_places
    from nlp.stories import place_weights

    _, places = read_places(gazetteer)
    return ProblemMatcher(terms=problem_terms, place_weights=place_weights(places))
