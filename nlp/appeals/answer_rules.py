"""Hand-written rules for the kind of an official answer (``nlp.appeals.kinds``).

The rules read the answer sentence by sentence and collect evidence for each kind; a fixed
precedence then decides. They serve twice: as the weak labels the answer model is trained on
(``training/appeals_answers.py``, over all 45,716 answered St Petersburg appeals), and as
the run-time fallback when no model file is there. Their own quality on the hand-labelled
answers is in ``nlp/models/answer_kind.md``.

Precedence (the first that holds wins):

1. «не подтвердилось», «нарушений не выявлено» → ``not_confirmed``;
2. work done, or planned with a date → ``solved``;
3. sent on to another body, «обратитесь в …» → ``redirected``;
4. the object is found in order («находится в надлежащем состоянии») → ``not_confirmed``;
5. norms, reasons, refusals, plans without a date, court claims → ``explained``;
6. «рассмотрено», «принято к сведению», «в ближайшее время», re-file requests → ``formal``;
7. nothing matched → ``None`` (the model decides; without it, ``formal``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from nlp.appeals.kinds import EXPLAINED, FORMAL, NOT_CONFIRMED, REDIRECTED, SOLVED
from nlp.lemmas import normalize_word


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(parts))


NOT_CONFIRMED_STRONG = _rx(
    r"не\s+подтверд", r"не\s+нашл\w*\s+подтвержд", r"не\s+выявлен", r"не\s+обнаружен", r"не\s+установлен",
    r"нарушени\w*\s+(?:\w+\s+){0,3}не\s+(?:выявлен|установлен|обнаружен)", r"не\s+зафиксирован",
    r"отсутству\w*\s+(?:\w+\s+){0,2}нарушени", r"нарушени\w*\s+отсутству",
)
IN_ORDER = _rx(
    r"наход\w*\s+(?:\w+\s+){0,3}в\s+(?:\w+\s+)?(?:надлежащем|удовлетворительном|исправном|нормативном|рабочем|"
    r"работоспособном|чистом|хорошем|допустимом)",
    r"в\s+(?:технически\s+)?исправном\s+состоянии", r"соответству\w*\s+(?:\w+\s+){0,3}(?:норм|требовани|гост)",
    r"работает\s+в\s+(?:штатном|нормальном)", r"производится\s+(?:\w+\s+){0,4}(?:согласно|в\s+соответствии)\s+с\s+график",
    r"согласно\s+график\w*", r"в\s+норм\w+\s+состоянии",
)
DONE = _rx(
    r"\bустранен", r"\bустранил", r"\bвыполнен", r"\bвыполнил", r"\bвосстановлен", r"\bотремонтирован",
    r"\bликвидирован", r"\bдемонтирован", r"\bдемонтаж\w*\s+(?:выполнен|произвед|осуществл)", r"\bочищен",
    r"\bудален", r"\bубран", r"\bвывезен", r"\bзаменен", r"\bзакрашен", r"\bотмыт", r"\bисправлен",
    r"\bзакреплен", r"\bпокрашен", r"\bзаделан", r"\bпрочищен", r"\bспилен", r"\bснят", r"\bсняты",
    r"\bпроведен\w*\s+(?:\w+\s+){0,2}(?:работ|уборк|ремонт|дезинс|дезинф|дератиз|очистк|покос|мероприяти)",
    r"\bпроизведен\w*\s+(?:\w+\s+){0,2}(?:работ|уборк|ремонт|замен|очистк|покраск|дезинс|дезинф|демонтаж)",
    r"\bприведен\w*\s+в\s+(?:\w+\s+)?(?:надлежащ|нормативн|порядок|соответстви|исправн)",
    r"проблема\s+решена", r"\bпочинен", r"\bустановлен[аоы]?\b(?!,?\s+что)", r"\bзаасфальтирован",
    r"\bвосстановил", r"\bподключен", r"\bзапущен", r"\bвозобновлен", r"\bнормализован", r"\bопломбирован",
    r"\bзакрыт[аоы]?\b", r"\bобработан", r"\bобрезан", r"\bскошен", r"\bпокос\s+выполнен", r"\bсобран",
)
FUTURE = _rx(
    r"\bбуд(?:ет|ут)\b", r"\bпланир", r"\bзапланир", r"\bпредусмотрен\w*\s+(?:\w+\s+){0,3}(?:на|в)\s+20\d\d",
    r"\bвключен\w*\s+в\s+(?:\w+\s+){0,3}(?:план|программ|перечень|график|титульн)", r"\bв\s+срок\s+до\b",
    r"\bориентировочн", r"\bпосле\s+(?:установлени|наступлени)", r"\bв\s+весенне",
)
DATE = _rx(
    r"\b\d{1,2}\.\d{1,2}\.(?:\d{2}|\d{4})\b", r"\b20\d\d\s*(?:г\.?|год)", r"\bдо\s+\d{1,2}\s+[а-я]+",
    r"\b(?:январ|феврал|март|апрел|ма[яйе]|июн|июл|август|сентябр|октябр|ноябр|декабр)\w*\s*(?:20\d\d)?",
    r"\b(?:в|во)\s+(?:I{1,3}|IV|[1-4])\s*(?:-?м\s+)?квартал", r"\bвесн\w*\s+20\d\d", r"\bлет\w*\s+20\d\d",
    r"\bв\s+течение\s+(?:\d+|одн\w+|дв\w+|тр\w+)\s+(?:дн|недел|рабоч)",
)
VAGUE_TIME = _rx(
    r"в\s+ближайшее\s+время", r"в\s+порядке\s+очеред", r"по\s+мере\s+(?:возможност|финансирован|поступлени|необходимост)",
    r"при\s+наличии\s+(?:финансирован|средств|возможност)", r"при\s+благоприятных", r"в\s+кратчайш",
)
REDIRECT = _rx(
    r"\bнаправлен\w*\s+(?:\w+\s+){0,4}(?:в|для)\s", r"\bперенаправлен", r"\bпереадресован", r"\bпередан\w*\s+(?:\w+\s+){0,3}(?:в|для)\s",
    r"не\s+(?:входит|относится)\s+(?:\w+\s+){0,2}(?:в\s+)?(?:компетенц|полномочи|ведени)", r"вне\s+компетенц",
    r"\bрекоменду\w*\s+(?:\w+\s+){0,2}обрат", r"\bнеобходимо\s+обрат", r"\bследует\s+обрат", r"\bвправе\s+обрат",
    r"\bможете\s+обрат", r"\bпросим\s+обрат", r"\bобратиться\s+в\s", r"\bобращаться\s+в\s",
    r"не\s+является\s+(?:\w+\s+){0,3}(?:балансодержател|ответственн|уполномоч|собственник)",
)
EXPLAIN = _rx(
    r"\bсогласно\s+(?:п\.|пункт|постановлени|закон|правил|гост|сп\s|снип|распоряжени|ст\.|стать|федеральн|приказ|решени)",
    r"\bв\s+соответствии\s+с\s+(?:п\.|пункт|постановлени|закон|правил|гост|федеральн|ст\.|стать|распоряжени|приказ)",
    r"нецелесообразн", r"не\s+представляется\s+возможн", r"отсутству\w*\s+(?:\w+\s+){0,2}возможност", r"не\s+предусмотрен",
    r"невозможн", r"\bразъясня", r"\bсообщаем,\s+что\s+(?:в\s+соответствии|согласно)", r"\bисков\w*\s+требовани",
    r"\bв\s+суд\b", r"\bсудом\b", r"\bарбитражн", r"\bпредписани", r"\bпротокол\w*\s+об\s+административн",
    r"\bадминистративн\w+\s+правонарушени", r"\bне\s+допускается", r"\bявляется\s+(?:\w+\s+){0,3}собственност",
    r"\bотказан", r"\bоснований\s+(?:\w+\s+){0,2}(?:нет|отсутству)", r"\bотсутствуют\s+основани", r"\bобязан\w*\b",
    r"\bфинансирован", r"\bинформируем\b", r"\bкомиссионн\w+\s+обследовани", r"\bв\s+рамках\s+(?:\w+\s+){0,2}программ",
)
FORMAL_TEXT = _rx(
    r"\bрассмотрен[оа]?\b", r"принят\w*\s+к\s+сведению", r"взят\w*\s+на\s+контроль", r"\bбудут\s+приняты\s+меры",
    r"\bприняты\s+меры\b", r"\bмеры\s+приняты\b", r"\bпроинформирован", r"\bуточнит", r"\bразместите\s+(?:\w+\s+)?нов",
    r"\bнесоответстви\w*\s+(?:\w+\s+){0,2}адрес", r"\bуказан\w*\s+(?:\w+\s+){0,2}некорректн", r"\bдано\s+поручени",
    r"\bвыдано\s+задани", r"\bпоручено\b", r"\bработа\w*\s+(?:\w+\s+){0,2}ведутся", r"\bведутся\s+работ", r"\bведется\s+работ",
)
NEGATED_DONE = _rx(r"\bне\s+(?:были\s+|был\s+|была\s+)?(?:выполнен|устранен|восстановлен|проведен|произведен|убран|вывезен)")
SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
LEAD = re.compile(r"^\s*уважаем\w*\s+\w+\s*!?\s*", re.IGNORECASE)


@dataclass
class RuleEvidence:
    """What the rules found in one answer: the matched fragments per signal."""

    signals: dict[str, list[str]] = field(default_factory=dict)

    def add(self, signal: str, fragment: str) -> None:
        self.signals.setdefault(signal, []).append(fragment)

    def has(self, signal: str) -> bool:
        return signal in self.signals


def normalize_answer(text: str) -> str:
    """Lower case, «ё» → «е», spaces squeezed, the «Уважаемый пользователь!» lead dropped."""
    return LEAD.sub("", " ".join(normalize_word(text).split()))


def collect_evidence(text: str) -> RuleEvidence:
    evidence = RuleEvidence()
    body = normalize_answer(text)
    for sentence in SENTENCE.split(body):
        for name, pattern in (("not_confirmed", NOT_CONFIRMED_STRONG), ("in_order", IN_ORDER),
                              ("redirect", REDIRECT), ("explain", EXPLAIN), ("formal", FORMAL_TEXT),
                              ("vague_time", VAGUE_TIME)):
            found = pattern.search(sentence)
            if found:
                evidence.add(name, found.group(0))
        future = FUTURE.search(sentence)
        done = DONE.search(sentence)
        if future:
            date = DATE.search(sentence)
            evidence.add("planned_dated" if date and not VAGUE_TIME.search(sentence) else "planned_vague",
                         future.group(0) + (f" … {date.group(0)}" if date else ""))
        elif done and not NEGATED_DONE.search(sentence):
            evidence.add("done", done.group(0))
    return evidence


def decide(evidence: RuleEvidence) -> str | None:
    """The kind by the precedence of the module docstring, or ``None`` when nothing matched."""
    has = evidence.has
    if has("not_confirmed"):
        return NOT_CONFIRMED
    if has("done") or has("planned_dated"):
        return SOLVED
    if has("redirect"):
        return REDIRECTED
    if has("in_order"):
        return NOT_CONFIRMED
    if has("explain"):
        return EXPLAINED
    if has("formal") or has("vague_time") or has("planned_vague"):
        return FORMAL
    return None


def rule_kind(text: str) -> str | None:
    """The rules' kind of one answer text, or ``None`` when no rule speaks."""
    return decide(collect_evidence(text))


def rule_kind_or_formal(text: str) -> str:
    """The rules alone, as a classifier: an answer no rule recognises counts as a formal one."""
    return rule_kind(text) or FORMAL
