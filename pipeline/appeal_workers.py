"""The structure of many appeals on every CPU: the NLP of one appeal is pure Python (razdel
tokens, pymorphy3 lemmas, the topic model), so a 60,000-row export analyses in about half the
time on two cores. The analyser is built once in this process and the worker processes are
forked from it (they inherit the loaded models; nothing is pickled but the appeals and their
analyses). Where fork is not available, or for small batches, it runs in this process. The
classifiers of the answers and the routing run in the same workers, after the structure."""
from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from core.appeals import Appeal, AppealAnalysis
from core.config import Settings

MIN_PARALLEL = 400  # smaller batches are not worth the round trip
_ANALYZER = None  # the analyser the forked workers inherit
_CLASSIFIERS: "Classifiers | None" = None  # and the classifiers


class AnswerClassifier(Protocol):
    def classify(self, text: str) -> str: ...


class RoutingModel(Protocol):
    def route(self, text: str) -> str | None: ...


@dataclass
class Classifiers:
    """The answer-quality and routing models (``nlp.appeals``), when they are installed."""

    answers: AnswerClassifier | None = None
    routing: RoutingModel | None = None

    def apply(self, appeal: Appeal, analysis: AppealAnalysis) -> AppealAnalysis:
        update = {}
        if self.answers is not None and appeal.answer.strip():
            update["answer_kind"] = self.answers.classify(appeal.answer)
        if self.routing is not None:
            update["routed_body"] = self.routing.route(appeal.text)
        return analysis.model_copy(update=update) if update else analysis


def _analyse(analyzer, classifiers: Classifiers, appeals: Sequence[Appeal]) -> list[AppealAnalysis]:
    from nlp.appeal_analysis import structure

    return [classifiers.apply(a, x) for a, x in zip(appeals, structure(analyzer, appeals))]


def _structure_part(appeals: list[Appeal]) -> list[AppealAnalysis]:
    return _analyse(_ANALYZER, _CLASSIFIERS, appeals)


class AppealStructure:
    """Appeals → analyses (``nlp.appeal_analysis.structure``, then the classifiers), over
    ``workers`` processes."""

    def __init__(self, settings: Settings, classifiers: Classifiers | None = None, workers: int | None = None) -> None:
        self.settings = settings
        self.classifiers = classifiers or Classifiers()
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None

    def _analyzer(self):
        global _ANALYZER
        if _ANALYZER is None or _ANALYZER.rubricator is not self.settings.rubricator:
            from nlp import Analyzer

            _ANALYZER = Analyzer.from_settings(self.settings)
        return _ANALYZER

    def __call__(self, appeals: Sequence[Appeal]) -> list[AppealAnalysis]:
        global _CLASSIFIERS
        analyzer = self._analyzer()
        if self.workers <= 1 or len(appeals) < MIN_PARALLEL or "fork" not in multiprocessing.get_all_start_methods():
            return _analyse(analyzer, self.classifiers, appeals)
        if self._pool is None:
            _CLASSIFIERS = self.classifiers
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"))
        size = -(-len(appeals) // self.workers)
        parts = [list(appeals[i:i + size]) for i in range(0, len(appeals), size)]
        return [analysis for part in self._pool.map(_structure_part, parts) for analysis in part]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __enter__(self) -> "AppealStructure":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
