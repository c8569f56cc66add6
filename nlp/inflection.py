"""Case forms of place names: «Лаптево» → лаптева, лаптеву, лаптевом, лаптеве.

pymorphy3 knows common words («районная больница», «Советская», «Гора») but guesses
badly on village names it has never seen («Охона» → «охон», «Лаврово» → «лавровый»),
so capitalised names it does not know are declined by the standard Russian rules for
their ending. Only the six singular cases are generated (plural for plural-only names
such as «Борки»); the undeclined form is kept for every case, as people write
«в Лаптево» as often as «в Лаптеве».
"""
from __future__ import annotations

from itertools import product

from razdel import tokenize

from nlp.lemmas import is_word, load_morph, normalize_word

CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
VELAR_SIBILANT = set("гкхжшчщ")
SIBILANT_TS = set("жшчщц")

# Endings → case suffixes for (nomn, gent, datv, accs, ablt, loct), longest ending first.
_NEUTER_O = ("о", "а", "у", "о", "ом", "е")


def _suffixes(word: str) -> tuple[int, tuple[str, ...]] | None:
    """How many letters to cut and which suffixes to add, by the word's ending."""
    w = word
    if w.endswith("ье"):
        return 1, ("е", "я", "ю", "е", "ем", "е")
    if w.endswith("ое") or w.endswith("ее"):
        soft = w.endswith("ее") or w[-3:-2] in VELAR_SIBILANT
        return 2, ("ое" if w.endswith("ое") else "ее", "ого", "ому", w[-2:], "им" if soft else "ым", "ом")
    if w.endswith("ая"):
        return 2, ("ая", "ой", "ой", "ую", "ой", "ой")
    if w.endswith("яя"):
        return 2, ("яя", "ей", "ей", "юю", "ей", "ей")
    if w[-2:] in ("ий", "ый", "ой"):
        soft = w.endswith("ий")
        return 2, (w[-2:], "ого", "ому", w[-2:], "им" if soft else "ым", "ом")
    if w.endswith("ия"):
        return 2, ("ия", "ии", "ии", "ию", "ией", "ии")
    if w.endswith("ец"):
        return 2, ("ец", "ца", "цу", "ец", "цем", "це")
    if w[-2:] in ("ки", "ги", "хи"):  # plural-only: Борки → Борок, Боркам, Борками, Борках
        return 1, ("и", "", "ам", "и", "ами", "ах")
    last, before = w[-1], w[-2:-1]
    if last == "о":
        return 1, _NEUTER_O
    if last == "а":
        gent = "и" if before in VELAR_SIBILANT else "ы"
        return 1, ("а", gent, "е", "у", "ей" if before in SIBILANT_TS else "ой", "е")
    if last == "я":
        return 1, ("я", "и", "е", "ю", "ей", "е")
    if last == "ь":
        return 1, ("ь", "и", "и", "ь", "ью", "и")
    if last in "иы":
        soft = last == "и"
        return 1, (last, last, "ям" if soft else "ам", last, "ями" if soft else "ами", "ях" if soft else "ах")
    if last.isalpha() and last not in "аеёиоуыэюя":
        return 0, ("", "а", "у", "", "ом", "е")
    return None


def rule_forms(word: str) -> dict[str, set[str]]:
    """Case forms by the ending alone; the undeclined word stays valid in every case."""
    w = normalize_word(word)
    rule = _suffixes(w) if len(w) > 2 else None
    forms = {case: {w} for case in CASES}
    if rule is None:
        return forms
    cut, endings = rule
    stem = w[: len(w) - cut] if cut else w
    for case, ending in zip(CASES, endings):
        form = stem + ending
        if case == "gent" and w[-2:] in ("ки", "ги", "хи"):
            form = w[:-2] + "о" + w[-2]  # борки → борок
        forms[case].add(form)
    for case, extra in _extra_forms(w).items():
        forms[case].update(extra)
    return forms


def _extra_forms(w: str) -> dict[str, set[str]]:
    """Second forms where Russian has two patterns: plural names («Гуськов», «Глухачей»,
    «Крениц») and possessive first words («Щукиной Горы», «Мокшеевой Горке»)."""
    extra: dict[str, set[str]] = {}
    if w[-1] in "иы" and len(w) > 3:
        stem, before = w[:-1], w[-2]
        hard = before in VELAR_SIBILANT or w[-1] == "ы"
        extra["gent"] = {stem + ("ей" if before in "жшчщ" else "ов"), stem}
        if hard:
            extra.update(datv={stem + "ам"}, ablt={stem + "ами"}, loct={stem + "ах"})
    return extra


def possessive_forms(word: str) -> dict[str, set[str]]:
    """The first word of «Щукина Гора», «Мокшеева Горка» declines like an adjective."""
    w = normalize_word(word)
    if w[-3:] not in ("ова", "ева", "ина", "ына"):
        return {}
    oblique = {w[:-1] + "ой"}
    return {"gent": oblique, "datv": oblique, "ablt": oblique, "loct": oblique, "accs": {w[:-1] + "у"}}


def is_fixed(word: str) -> bool:
    """Acronyms, numbers and names in the genitive («ЦРБ», «Р-8», «Ленина») never decline.

    Only a word the dictionary knows counts as a genitive name: for «Искриха» pymorphy
    merely guesses a man's name in the genitive."""
    if any(ch.isdigit() for ch in word) or (len(word) > 1 and word.isupper()):
        return True
    morph, norm = load_morph(), normalize_word(word)
    if not word[:1].isupper() or not morph.word_is_known(norm):
        return False
    best = morph.parse(norm)[0]
    return {"gent"} <= best.tag.grammemes and bool({"Surn", "Name", "Patr"} & best.tag.grammemes)


def is_proper(word: str) -> bool:
    """A capitalised word pymorphy does not know as a common word (Лаптево, Охона, Вятка)."""
    if not word[:1].isupper() or is_fixed(word):
        return False
    morph, w = load_morph(), normalize_word(word)
    if not morph.word_is_known(w):
        return True
    return any("Geox" in p.tag and normalize_word(p.normal_form) == w for p in morph.parse(w))


def _dictionary_forms(word: str) -> dict[str, set[str]] | None:
    """Case forms of every nominative reading («Большая» is «больший» and «большой»)."""
    morph, w = load_morph(), normalize_word(word)
    parses = [p for p in morph.parse(w) if "nomn" in p.tag and p.tag.POS in ("NOUN", "ADJF")]
    if not parses:
        return None
    forms = {case: {w} if case in ("nomn", "accs") else set() for case in CASES}
    for parse in parses:
        for case in CASES:
            inflected = parse.inflect({case})
            if inflected is not None:
                forms[case].add(normalize_word(inflected.word))
    return forms


# Endings of names that decline as nouns even when the dictionary reads them as possessive
# adjectives («Дедово», «Попово»: «в Дедове», not only «в Дедовом»).
NOUN_LIKE_ENDINGS = ("ово", "ево", "ёво", "ино", "ыно")


def word_forms(word: str) -> dict[str, set[str]]:
    """Forms of one word of a name, per case."""
    if is_fixed(word):
        return {case: {normalize_word(word)} for case in CASES}
    if not is_proper(word):
        forms = _dictionary_forms(word)
        noun_like = word[:1].isupper() and normalize_word(word).endswith(NOUN_LIKE_ENDINGS)
        if forms is not None and len(set().union(*forms.values())) >= 3 and not noun_like:
            return forms
        if forms is not None and word[:1].isupper():  # a name the dictionary barely declines («Шаймы»)
            return {case: forms[case] | rule for case, rule in rule_forms(word).items()}
        if forms is not None:
            return forms
    return rule_forms(word)


def name_words(name: str) -> list[str]:
    """The word tokens of a name, as the text tokenizer will see them."""
    return [t.text for t in tokenize(name) if is_word(t.text) and normalize_word(t.text).strip("-")]


def name_forms(name: str) -> set[tuple[str, ...]]:
    """Every surface form of a (multi-word) name as a tuple of normalised tokens.

    Words agree in case («Русском Пестове»); an appositive variant keeps all but
    the first word in the nominative («на станции Пестово», «у озера Меглино»).
    """
    words = name_words(name)
    per_word = [word_forms(word) for word in words]
    if len(words) > 1:
        for case, extra in possessive_forms(words[0]).items():
            per_word[0][case] = per_word[0][case] | extra
    result: set[tuple[str, ...]] = set()
    for case in CASES:
        result.update(product(*(forms[case] for forms in per_word)))
        if len(words) > 1:
            result.update(product(per_word[0][case], *(forms["nomn"] for forms in per_word[1:])))
    return {tuple(normalize_word(token).strip("-") for token in form) for form in result if all(form)}
