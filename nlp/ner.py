"""Natasha (slovnet) named-entity spans (LOC, and ORG and PER for the toponym finder's
filters), and the nominative normal form of a location.

The embedding and the tagger load once per process, on first use, and are shared by
every caller; texts are tagged in batches of similar length to keep padding small.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Sequence

from nlp.lemmas import load_morph


@dataclass(frozen=True, slots=True)
class LocSpan:
    """An entity named by the NER model: character offsets into the text, and its type."""

    start: int
    end: int
    text: str
    type: str = "LOC"


@cache
def load_ner_tagger():
    """Natasha's news NER tagger over the shared navec news embedding (~30 MB, ~1 s to load)."""
    from natasha import NewsEmbedding, NewsNERTagger

    return NewsNERTagger(NewsEmbedding())


def find_entities(texts: Sequence[str], batch_size: int = 16,
                  types: frozenset[str] = frozenset({"LOC", "ORG", "PER"})) -> list[list[LocSpan]]:
    """Entity spans of the given types in each text, in input order; empty texts get none."""
    tagger = load_ner_tagger()
    tagger.batch_size = batch_size
    order = sorted((i for i, text in enumerate(texts) if text.strip()), key=lambda i: len(texts[i]))
    result: list[list[LocSpan]] = [[] for _ in texts]
    for i, markup in zip(order, tagger.map([texts[i] for i in order])):
        result[i] = [
            LocSpan(span.start, span.stop, texts[i][span.start : span.stop], span.type)
            for span in markup.spans
            if span.type in types
        ]
    return result


def find_locations(texts: Sequence[str], batch_size: int = 16) -> list[list[LocSpan]]:
    """LOC spans of each text, in input order; empty texts get no spans."""
    return find_entities(texts, batch_size, frozenset({"LOC"}))


# Head nouns of spans the NER model calls LOC but staff read as bodies, not places.
ORG_HEADS = frozenset({
    "администрация", "глава", "отдел", "комитет", "управление", "дума", "министерство", "минздрав",
    "правительство", "служба", "совет", "департамент", "прокуратура", "суд", "полиция", "житель",
})


def normalize_location(words: Sequence[str]) -> str:
    """Nominative of a location phrase: «Новгородской области» → «Новгородская область».

    The first noun (the head) and the adjectives before it go to the nominative, the
    adjectives agreeing with the head; words after the head keep their form
    («Администрации округа» → «Администрация округа»). Capitalisation follows the text.
    """
    morph = load_morph()
    parses = [morph.parse(word)[0] for word in words]
    head_at = next((i for i, p in enumerate(parses) if p.tag.POS == "NOUN"), len(parses) - 1)
    head = parses[head_at].inflect({"nomn"}) if parses[head_at].tag.POS == "NOUN" else None
    agree = {"nomn"}
    if head is not None:
        agree |= {"plur"} if "plur" in head.tag else {"sing", head.tag.gender} if head.tag.gender else set()
    out = []
    for i, (word, parse) in enumerate(zip(words, parses)):
        if i > head_at:
            lemma = word.lower()
        elif i == head_at:  # a noun, or an adjectival name on its own («Хвойной» → «Хвойная»)
            form = head if head is not None else parse.inflect({"nomn"})
            lemma = form.word if form is not None else parse.normal_form
        elif parse.tag.POS in ("ADJF", "PRTF"):
            form = parse.inflect(agree)
            lemma = form.word if form is not None else parse.normal_form
        else:
            lemma = word.lower()
        if len(word) > 1 and word.isupper():
            lemma = lemma.upper()
        elif word[:1].isupper():
            lemma = "-".join(part.capitalize() for part in lemma.split("-"))
        out.append(lemma)
    return " ".join(out)


def head_lemma(words: Sequence[str]) -> str:
    """Normal form of the first noun of a phrase (or of its last word)."""
    morph = load_morph()
    parses = [morph.parse(word)[0] for word in words]
    head = next((p for p in parses if p.tag.POS == "NOUN"), parses[-1])
    return head.normal_form.replace("ё", "е")


def is_geox(word: str) -> bool:
    """pymorphy knows the word as a place name («Москва», «Боровичи»)."""
    return any("Geox" in p.tag for p in load_morph().parse(word.lower()))


def is_first_name(word: str) -> bool:
    """pymorphy's most likely reading is a first name («Гата», «Лонгин», «Дмитрия»)."""
    return "Name" in load_morph().parse(word.lower())[0].tag
