"""Feature strings of a text for the linear models (``nlp.linear``).

The same functions serve training (``training/``) and run time, so the model sees at run
time exactly what it was trained on. Features are plain strings with a short prefix:

* ``w:`` lemma, ``w:не_`` lemma after a negation («не работает» → ``w:не_работать``);
* ``b:`` lemma bigram;
* ``c:`` character n-gram (2–4) inside a word, with word boundaries (``<не``, ``ет>``);
* ``m:`` social-media marks: emoji, «!!!», «)))», «(((», «?!», capitals, profanity,
  sarcasm markers («ага, конечно», «спасибо, что…», quotes around praise).
"""
from __future__ import annotations

import re
import unicodedata
from typing import Sequence

from nlp.lemmas import Token

NEGATORS = frozenset({"не", "ни", "нет", "без", "никак", "нельзя"})
CHAR_NGRAMS = (2, 3, 4)
CHAR_LIMIT = 600
"""Characters of a text that feed character n-grams (a long article adds nothing but time)."""
WORD_LIMIT = 300
"""Tokens of a text that feed word features."""

REPEAT = re.compile(r"(.)\1{2,}")
EXCLAIM = re.compile(r"!{2,}")
QUESTION_EXCLAIM = re.compile(r"[?!]*\?![?!]*|[?!]*!\?[?!]*")
SMILE = re.compile(r"(?:[:;=]-?[)D]|\){2,})")
FROWN = re.compile(r"(?:[:;=]-?\(|\({2,})")
# Stems of Russian profanity and strong vulgar words (matched at a word start).
PROFANITY = re.compile(r"\b(?:бля|хуй|хуе|хуё|хуя|пизд|еба|ёба|ебл|ебу|ёбу|заеб|заёб|уеб|уёб|сука|суки|"
                       r"сучк|мудак|мудач|говн|дерьм|жоп|херн|хрен|охуе|охуи|нахуй|нахер|гандон|долбо)",
                       re.IGNORECASE)
SARCASM = re.compile(
    r"(?:\bага,?\s+(?:конечно|щас|сейчас)|\bну\s+да,?\s+(?:конечно|ну\s+да)|\bспасибо,?\s+что\b|"
    r"\bкак\s+всегда\b|\bв\s+лучших\s+традициях\b|\bотличн\w*\s+работа\b.{0,20}[)!?]{2}|"
    r"«(?:лучш|отличн|прекрасн|замечательн|заботлив)\w*|\bну\s+спасибо\b|\bмолодцы,?\s+чё\b|"
    r"\bну\s+конечно,?\s+(?:молодц|спасибо|отличн|прекрасн|замечательн|умниц)|\bмолодц\w*\b[^.!?]{0,60}\b(?:снова|опять|через\s+(?:день|неделю|месяц|год)))",
    re.IGNORECASE,
)


def squeeze_repeats(text: str) -> str:
    """«оооочень» → «ооочень»: long letter runs share features with short ones."""
    return REPEAT.sub(lambda m: m.group(1) * 3, text)


def is_emoji(ch: str) -> bool:
    return ord(ch) >= 0x2600 and unicodedata.category(ch) in ("So", "Sk")


def mark_features(text: str) -> list[str]:
    """Social-media marks of the raw text."""
    marks = []
    if EXCLAIM.search(text):
        marks.append("m:!!")
    if QUESTION_EXCLAIM.search(text):
        marks.append("m:?!")
    if SMILE.search(text):
        marks.append("m:smile")
    if FROWN.search(text):
        marks.append("m:frown")
    if PROFANITY.search(text):
        marks.append("m:profanity")
    if SARCASM.search(text):
        marks.append("m:sarcasm")
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) >= 8 and sum(ch.isupper() for ch in letters) / len(letters) > 0.6:
        marks.append("m:caps")
    emoji = [ch for ch in text[:CHAR_LIMIT] if is_emoji(ch)]
    marks.extend(f"m:e{ch}" for ch in emoji[:8])
    if emoji:
        marks.append("m:emoji")
    return marks


def word_features(lemmas: Sequence[str]) -> list[str]:
    """Lemma unigrams (negation-marked) and bigrams."""
    out = []
    negate = 0
    previous = "<s>"
    for lemma in lemmas[:WORD_LIMIT]:
        if lemma in NEGATORS:
            negate = 2
            out.append(f"w:{lemma}")
        else:
            out.append(f"w:не_{lemma}" if negate else f"w:{lemma}")
            negate = max(0, negate - 1)
        out.append(f"b:{previous} {lemma}")
        previous = lemma
    return out


def word_char_grams(word: str) -> list[str]:
    """Character 2–4-grams of one word padded with ``<``/``>``."""
    padded = f"<{word}>"
    size = len(padded)
    return ["c:" + padded[i : i + n] for n in CHAR_NGRAMS for i in range(size - n + 1)]


def char_words(tokens: Sequence[Token]) -> list[str]:
    """The words whose character n-grams count: the first ``CHAR_LIMIT`` characters' worth."""
    out = []
    budget = CHAR_LIMIT
    for token in tokens:
        if budget <= 0:
            break
        word = squeeze_repeats(token.norm)
        budget -= len(word) + 1
        out.append(word)
    return out


def char_features(words: Sequence[str]) -> list[str]:
    """Character 2–4-grams inside words padded with ``<``/``>``."""
    return [gram for word in words for gram in word_char_grams(word)]


def sentiment_features(text: str, tokens: Sequence[Token]) -> list[str]:
    """Everything the sentiment model reads: words, characters and marks."""
    lemmas = [t.lemma for t in tokens]
    return word_features(lemmas) + char_features(char_words(tokens)) + mark_features(text)


def topic_features(lemmas: Sequence[str], stopwords: frozenset[str] = frozenset()) -> list[str]:
    """Content lemma unigrams and bigrams for the topic model."""
    content = [lemma for lemma in lemmas[:WORD_LIMIT] if lemma not in stopwords and not lemma.isdigit()]
    return [f"w:{w}" for w in content] + [f"b:{a} {b}" for a, b in zip(content, content[1:])]


