"""The problem-report signal: does a text report a problem, an emergency, or neither?

A *problem* is a report of something broken, missing, dangerous or unfair that the
authorities or public services answer for, whatever the tone: «разрушен мост», «фельдшер
уволилась, теперь к врачу только в Пестово», «ну конечно, молодцы… через неделю снова
яма». An *emergency* is a report of an incident: a fire, an accident, a flood, a missing
person. Everything else (chatter, thanks, news of events, adverts) is ``none``.

Two parts, each measurable on its own (``mcu eval``):

* the **model** (``nlp/models/signal.npz``): a logistic regression trained on real texts
  (``training/signal_data.py``: appeals as problems; RuSentiment VK posts and news as
  none, except those read and labelled as problems or emergencies). Its features are lemma
  unigrams and bigrams with negation marks (without the portals' register words and
  numbers), the cue features below, and the mean navec vector of the text
  (``nlp.embeddings``, damped for texts of fewer than ``dense_saturation`` known words).
  It gives ``p``, the probability of a report;
* the **incident lexicon** (``nlp/lexicons/incidents.yaml``, editable): a report that
  names an incident is an emergency. A strong incident phrase («ДТП», «пожар», «пропала
  девочка») makes an emergency even when the model hesitates, as news of accidents are
  written in a tone the appeals never use.

Cue features (``nlp/models/signal_cues.yaml``, fixed with the model): a public-service
*object* (road, lift, doctor, school, administration), a *state* (broken, missing, closed,
«опять», «до сих пор»), both together, an object in a question, an object with irony or
«?!», and work done («отремонтировали», «спасибо»). They carry what a complaint says
across styles: an appeal to a portal and a VK post share them, while their words differ.

An official notice («Уважаемые жители! Плановое отключение…») damps ``p``: it announces
work, it does not report a problem. So do classifieds, lost pets, job offers and the
formulas of municipal news about work going on (``lexicons/not_reports.yaml``), and praise (a text the sentiment reads as clearly
positive): «Спасибо дорожникам за новую дорогу» names a road but reports no problem.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Callable, Sequence

from core.domain import Sentiment, Signal
from nlp.embeddings import TextVector
from nlp.features import QUESTION_EXCLAIM, SARCASM, word_features
from nlp.lemmas import Token
from nlp.lexicon import LEXICON_DIR, read_yaml
from nlp.linear import LinearModel
from nlp.phrases import PhraseIndex

MODELS = Path(__file__).with_name("models")
SIGNAL_MODEL = MODELS / "signal.npz"
SIGNAL_CUES = MODELS / "signal_cues.yaml"
REPORT = "report"


class SignalCues:
    """The object and state phrase lists of the model, the cue features they give, and the
    register words left out of the word features."""

    def __init__(self, lemmatize: Callable[[str], list[str]], path: Path = SIGNAL_CUES) -> None:
        raw = read_yaml(path.name, path.parent)
        self.objects: PhraseIndex[str] = PhraseIndex.from_texts(((str(w), "o") for w in raw["objects"]), lemmatize)
        self.states: PhraseIndex[str] = PhraseIndex.from_texts(((str(w), "s") for w in raw["states"]), lemmatize)
        self.fixed: PhraseIndex[str] = PhraseIndex.from_texts(((str(w), "f") for w in raw["fixed"]), lemmatize)
        self.register = frozenset(lemma for word in raw["register"] for lemma in lemmatize(str(word)))

    def content(self, lemmas: Sequence[str]) -> list[str]:
        """The lemmas without register words and numbers."""
        return [lemma for lemma in lemmas if lemma not in self.register and not lemma.isdigit()]

    def features(self, text: str, lemmas: Sequence[str]) -> list[str]:
        has_object = bool(self.objects.find(lemmas))
        has_state = bool(self.states.find(lemmas))
        out = []
        if has_object:
            out.append("s:obj")
            if "?" in text:
                out.append("s:obj+q")
            if SARCASM.search(text) or QUESTION_EXCLAIM.search(text):
                out.append("s:obj+irony")
        if has_state:
            out.append("s:state")
        if has_object and has_state:
            out.extend(("s:obj+state", "s:obj+state"))  # counted twice: sublinear tf gives it more weight
        if self.fixed.find(lemmas):
            out.append("s:obj+fixed" if has_object else "s:fixed")
        return out


def signal_features(text: str, tokens: Sequence[Token], cues: SignalCues) -> list[str]:
    """Everything the signal model reads besides the vector: words (without register words) and cues."""
    lemmas = [t.lemma for t in tokens]
    return word_features(cues.content(lemmas)) + cues.features(text, lemmas)


class NotReports:
    """Phrases of texts that name a public thing but report no problem (``lexicons/not_reports.yaml``):
    each list has its damping; ``damping(lemmas)`` is the strongest that applies (1.0: none)."""

    def __init__(self, lemmatize: Callable[[str], list[str]], path: Path = LEXICON_DIR / "not_reports.yaml") -> None:
        raw = read_yaml(path.name, path.parent)
        self.index: PhraseIndex[float] = PhraseIndex.from_texts(
            ((str(phrase), float(part["damping"])) for part in raw.values() for phrase in part["phrases"]), lemmatize)

    def damping(self, lemmas: Sequence[str]) -> float:
        return min((match.payload for match in self.index.find(lemmas)), default=1.0)


class IncidentLexicon:
    """Incident phrases with weights; ``strength`` is the strongest found (plus 0.1 per extra one)."""

    def __init__(self, lemmatize: Callable[[str], list[str]], path: Path = LEXICON_DIR / "incidents.yaml") -> None:
        raw = read_yaml(path.name, path.parent)
        self.index: PhraseIndex[float] = PhraseIndex.from_texts(
            ((str(text), float(weight)) for text, weight in raw.items()), lemmatize, max_gap=2)

    def found(self, lemmas: Sequence[str]) -> list[tuple[str, float]]:
        hits: dict[str, float] = {}
        for match in self.index.find(lemmas):
            hits[" ".join(match.lemmas)] = max(hits.get(" ".join(match.lemmas), 0.0), match.payload)
        return sorted(hits.items(), key=lambda item: -item[1])

    def strength(self, lemmas: Sequence[str]) -> float:
        hits = self.found(lemmas)
        return min(1.0, hits[0][1] + 0.1 * (len(hits) - 1)) if hits else 0.0


@dataclass(frozen=True)
class SignalSettings:
    """Thresholds of the label decision (chosen on the dev split, see the model card)."""

    threshold: float = 0.35
    """``p`` at which a text is a report: the best F1 in cross-validation with reports at 10 %
    of the posts, as on real local posts, rounded towards precision (``training.signal --cv``)."""
    incident_alone: float = 1.0
    """Incident strength that makes an emergency whatever ``p`` says."""
    incident_support: float = 0.25
    """``p`` above which a weaker incident phrase (strength ≥ ``incident_min``) makes an emergency."""
    incident_min: float = 0.5
    """The weakest incident strength that counts at all."""
    notice_damping: float = 0.3
    """Share of ``p`` kept for an official notice («плановое отключение», «уважаемые жители»)."""
    praise_damping: float = 0.3
    """Share of ``p`` kept for a text the sentiment reads as positive with at least ``praise_at``:
    thanks for a repaired road name the road, but report no problem."""
    praise_at: float = 0.6


@cache
def load_signal_model(path: Path = SIGNAL_MODEL) -> LinearModel:
    return LinearModel.load(path)


class SignalClassifier:
    """``analyze(text, tokens, vector)`` → :class:`Signal` (label and confidence)."""

    def __init__(self, lemmatize: Callable[[str], list[str]], model_path: Path = SIGNAL_MODEL,
                 settings: SignalSettings = SignalSettings(), notices: PhraseIndex | None = None,
                 vectors=None) -> None:
        self.cues = SignalCues(lemmatize)
        self.incidents = IncidentLexicon(lemmatize)
        self.not_reports = NotReports(lemmatize)
        self.model_path = model_path
        self.settings = settings
        self.notices = notices
        self._vectors = vectors

    @property
    def model(self) -> LinearModel:
        return load_signal_model(self.model_path)

    @property
    def vectors(self):
        if self._vectors is None:
            from nlp.embeddings import load_vectors

            self._vectors = load_vectors()
        return self._vectors

    def probability(self, text: str, tokens: Sequence[Token], vector: TextVector | None = None) -> float:
        """``p``: the model's probability that the text is a report (before any notice damping)."""
        model = self.model
        dense = None
        if model.dense_weights is not None:
            vector = vector if vector is not None else self.vectors.embed(tokens)
            dense = vector.damped(int(model.meta.get("dense_saturation", 0)))
        proba = model.predict_proba(signal_features(text, tokens, self.cues), dense)
        return float(proba[model.classes.index(REPORT)])

    def analyze(self, text: str, tokens: Sequence[Token], vector: TextVector | None = None,
                sentiment: Sentiment | None = None) -> Signal:
        """The label and score; pass the text's ``sentiment`` to damp praise and thanks."""
        cfg = self.settings
        lemmas = [t.lemma for t in tokens]
        p = self.probability(text, tokens, vector)
        if self.notices is not None and self.notices.find(lemmas):
            p *= cfg.notice_damping
        p *= self.not_reports.damping(lemmas)
        if sentiment is not None and sentiment.label == "positive" and sentiment.score >= cfg.praise_at:
            p *= cfg.praise_damping
        incident = self.incidents.strength(lemmas)
        if incident >= cfg.incident_alone or (incident >= cfg.incident_min and p >= cfg.incident_support):
            return Signal(label="emergency", score=round(max(p, incident), 3))
        if p >= cfg.threshold:
            return Signal(label="problem", score=round(p, 3))
        return Signal(label="none", score=round(p, 3))
