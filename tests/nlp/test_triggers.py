"""Trigger phrases: lemma and exact matches, one trigger per span, and a text tokenised once."""
from __future__ import annotations

from nlp.lemmas import Lemmatizer
from nlp.triggers import Trigger, TriggerLexicon


class CountingLemmatizer(Lemmatizer):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def tokens(self, text):
        self.texts.append(text)
        return super().tokens(text)


def test_lemma_and_exact_triggers_in_order_of_appearance():
    lexicon = TriggerLexicon(Lemmatizer())
    found = lexicon.find("Третий день нет горячей воды, напишем губернатору и в прокуратуру")
    assert [t.text for t in found][:1] == ["нет воды"] and found[0] == Trigger("нет воды", 1.0)
    assert "губернатору" in [t.text for t in found]
    assert lexicon.find("Губернатор открыл школу") == []


def test_a_text_is_tokenised_once_and_its_triggers_remembered():
    """A story's score reads every post of the story on every scan that touches it."""
    lemmatizer = CountingLemmatizer()
    lexicon = TriggerLexicon(lemmatizer)
    lemmatizer.texts.clear()  # the lexicon's own phrases
    text = "В Лаптево опять нет воды, прорвало трубу"
    first = lexicon.find(text)
    assert [t.text for t in first] == ["нет воды", "прорвало"]
    assert lexicon.find(text) == first and lexicon.find(text) is not first  # a fresh list each time
    assert lemmatizer.texts == [text]
    assert lexicon.find("В Лаптево опять нет света") == [Trigger("нет света", 1.0)]
    assert lemmatizer.texts == [text, "В Лаптево опять нет света"]


def test_given_tokens_are_matched_as_given_and_not_remembered():
    lemmatizer = CountingLemmatizer()
    lexicon = TriggerLexicon(lemmatizer)
    tokens = Lemmatizer().tokens("нет света")
    lemmatizer.texts.clear()
    assert lexicon.find("нет воды", tokens) == [Trigger("нет света", 1.0)]  # the tokens, not the text
    assert lemmatizer.texts == []
    assert lexicon.find("нет воды") == [Trigger("нет воды", 1.0)]
