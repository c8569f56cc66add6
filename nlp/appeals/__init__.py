"""Models and analyses of citizens' appeals (issue 13).

    answers = AnswerClassifier.load()
    answers.classify("Работы по уборке выполнены.")      # "solved"
    ANSWER_KIND_RU["solved"]                              # "решено"
    routing = RoutingModel.load()
    routing.route("Яма на дороге по ул. Ленина")          # a body, or None
    routing.route_scored(text)                            # (body | None, probability)

Importing this package loads no model: the files load on first ``load()``, the lemmatiser on
first use.
"""
from __future__ import annotations

from nlp.appeals.answer_rules import rule_kind
from nlp.appeals.answers import AnswerClassifier
from nlp.appeals.data import OTHER_BODY
from nlp.appeals.kinds import ANSWER_KIND_RU, ANSWER_KINDS
from nlp.appeals.routing import RoutingModel

__all__ = ["ANSWER_KINDS", "ANSWER_KIND_RU", "AnswerClassifier", "OTHER_BODY", "RoutingModel", "rule_kind"]
