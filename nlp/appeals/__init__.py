"""Models and analyses of citizens' appeals (issue 13).

    answers = AnswerClassifier.load()
    answers.classify("Работы по уборке выполнены.")      # "solved"
    ANSWER_KIND_RU["solved"]                              # "решено"
    routing = RoutingModel.load()
    routing.route("Яма на дороге по ул. Ленина")          # a body, or None
    routing.route_scored(text)                            # (body | None, probability)

The names load on first use (PEP 562), as in ``nlp``.
"""
from __future__ import annotations

import importlib

EXPORTS = {
    "ANSWER_KINDS": "nlp.appeals.kinds",
    "ANSWER_KIND_RU": "nlp.appeals.kinds",
    "AnswerClassifier": "nlp.appeals.answers",
    "OTHER_BODY": "nlp.appeals.data",
    "RoutingModel": "nlp.appeals.routing",
    "rule_kind": "nlp.appeals.answer_rules",
}
__all__ = sorted(EXPORTS)


def __getattr__(name: str):
    if name not in EXPORTS:
        raise AttributeError(f"module 'nlp.appeals' has no attribute {name!r}")
    value = getattr(importlib.import_module(EXPORTS[name]), name)
    globals()[name] = value
    return value
