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
    r"\bне\s+подтверд", r"\bне\s+нашл\w*\s+(?:\w+\s+)?подтвержд", r"\bне\s+соответству\w*\s+действительност",
    r"\bфакт\w*\s+(?:\w+\s+){0,8}не\s+(?:установлен|выявлен)", r"\bне\s+зафиксирован",
)
NOT_CONFIRMED_WEAK = _rx(
    r"\bне\s+выявлен", r"\bне\s+обнаружен", r"\bнарушени\w*\s+(?:\w+\s+){0,3}отсутству",
    r"\bв\s+указанном\s+месте\s+отсутству", r"^(?:\w+\s+){0,3}отсутству\w*\s*[.]?$",
    r"^(?:\w+\s+){1,6}(?:в\s+указанном\s+месте\s+)?отсутству\w*\s*[.]?$",
)
IN_ORDER = _rx(
    r"\bнаход\w*\s+(?:\w+\s+){0,3}в\s+(?:\w+,?\s+)?(?:надлежащем|удовлетворительном|исправном|нормативном|рабочем|"
    r"работоспособном|чистом|хорошем|допустимом)",
    r"\bв\s+(?:технически\s+)?исправном\s+состоянии", r"\bсоответству\w*\s+(?:\w+\s+){0,3}(?:норм|требовани|гост)",
    r"\bработает\s+в\s+(?:штатном|нормальном)", r"\bв\s+(?:исправном,?\s+)?рабочем\s+состоянии", r"\bфункционирует",
    r"\bработа(?:ет|ют)\b", r"\bпроизводится\s+(?:\w+\s+){0,4}(?:согласно|в\s+соответствии\s+с)\s+график",
    r"\bсогласно\s+график\w*", r"\bв\s+норм\w+\s+состоянии", r"\bподается\s+в\s+полном\s+объеме",
)
DONE = _rx(
    r"\b(?:устранен|выполнен|восстановлен|отремонтирован|ликвидирован|демонтирован|очищен|удален|убран|вывезен|"
    r"заменен|закрашен|окрашен|отмыт|исправлен|закреплен|покрашен|заделан|прочищен|спилен|снят|перемещен|освобожден|"
    r"завезен|закрыт|обработан|обрезан|скошен|собран|подключен|запущен|возобновлен|нормализован|опломбирован|"
    r"опечатан|заасфальтирован|починен|вымыт|отрегулирован|посажен|засыпан|огражден)[аоы]?\b",
    r"\bустановлен[аоы]?\b(?!\s*[:,]|\s+что|\s+при\s+строительств)",
    r"\b(?:устранил|выполнил|восстановил|отремонтировал|произвел|провел|убрал|вывез|демонтировал)\w*\b",
    r"\bпроведен[аоы]?\s+(?:\w+\s+){0,3}(?:работ|уборк|ремонт|дезинс|дезинф|дератиз|очистк|покос|мероприяти|регулировк|замен)",
    r"\bпроизведен[аоы]?\s+(?:\w+\s+){0,3}(?:работ|уборк|ремонт|замен|очистк|покраск|дезинс|дезинф|дератиз|демонтаж|"
    r"установк|регулировк|посыпк|вывоз|помывк)",
    r"\bприведен\w*\s+в\s+(?:\w+\s+)?(?:надлежащ|нормативн|порядок|соответстви|исправн|удовлетворительн)",
    r"\bпроблема\s+решена", r"\bвопрос\s+решен\b",
)
NEGATED_DONE = _rx(r"\bне\s+(?:были\s+|был\s+|была\s+|будет\s+|будут\s+)?(?:выполнен|устранен|восстановлен|проведен|"
                   r"произведен|убран|вывезен|установлен|демонтирован|обслужива)")
FUTURE = _rx(
    r"\bбуд(?:ет|ут)\b", r"\bпланир", r"\bзапланир", r"\bпредусмотрен\w*\s+(?:\w+\s+){0,3}(?:на|в)\s+20\d\d",
    r"\bвключен\w*\s+в\s+(?:\w+\s+){0,3}(?:план|программ|перечень|график|титульн)", r"\bв\s+срок\s+до\b",
    r"\bориентировочн",
)
DATE = _rx(
    r"(?<!от\s)\b\d{1,2}\.\d{1,2}\.(?:20)?2\d\b", r"\bдо\s+\d{1,2}\s+[а-я]+",
    r"(?<!от\s)\b(?:\d{1,2}\s+)?(?:январ|феврал|март|апрел|ма[яйе]|июн|июл|август|сентябр|октябр|ноябр|декабр)\w*\s+202\d",
    r"\b(?:в|во)\s+(?:i{1,3}|iv|[1-4])\s*(?:-?м\s+)?квартал", r"\bв\s+течение\s+(?:\d+|одн\w+|дв\w+|тр\w+)\s+(?:дн|недел|рабоч)",
)
DEMAND = _rx(r"\bуведомлени", r"\bпредписани", r"\bтребовани", r"\bсобственник")
VAGUE_TIME = _rx(
    r"\bв\s+ближайшее\s+время", r"\bв\s+порядке\s+очеред", r"\bпо\s+мере\s+(?:возможност|финансирован|поступлени)",
    r"\bпри\s+наличии\s+(?:финансирован|средств|возможност)", r"\bпри\s+благоприятных", r"\bв\s+кратчайш",
)
REDIRECT = _rx(
    r"\bнаправлен\w*\s+(?:\w+\s+){0,4}(?:в|для)\s", r"\bперенаправлен", r"\bпереадресован",
    r"\bпередан\w*\s+(?:\w+\s+){0,3}(?:в|для)\s", r"\bне\s+обслуживает",
    r"\bне\s+(?:входит|относится)\s+(?:\w+\s+){0,2}(?:в\s+)?(?:компетенц|полномочи|ведени)", r"\bвне\s+компетенц",
    r"\bрекоменду\w*\s+(?:\w+\s+){0,2}обрат", r"\bнеобходимо\s+обрат", r"\bследует\s+обрат", r"\bвправе\s+обрат",
    r"\bможете\s+обрат", r"\bпросим\s+обрат", r"\bобратиться\s+в\s", r"\bобращаться\s+в\s",
    r"\bне\s+является\s+(?:\w+\s+){0,3}(?:балансодержател|ответственн|уполномоч)",
)
NOT_A_REDIRECT = _rx(r"\bсуд", r"перерасчет", r"консультат", r"собрани", r"уведомлени")
REFILE = _rx(
    r"\b(?:разместит|зарегистрир|направит|оставит|сформир|подат|отправит)\w*\s+(?:\w+\s+){0,3}нов\w+\s+(?:\w+\s+)?"
    r"(?:сообщени|обращени|проблем)",
    r"\bнесоответстви\w*\s+(?:\w+\s+){0,3}адрес", r"\bкоординаты\s+(?:\w+\s+){0,4}не\s+соответству",
    r"\bподлежит\s+отклонению", r"\bпользовательского\s+соглашения", r"\bблокировани\w*\s+учетной",
)
EXPLAIN = _rx(
    r"\bсогласно\s+(?:п\.|пункт|постановлени|закон|правил|гост|сп\s|снип|распоряжени|ст\.|стать|федеральн|приказ|решени|заключени)",
    r"\bв\s+соответствии\s+с\s+(?:п\.|пункт|постановлени|закон|правил|гост|федеральн|ст\.|стать|распоряжени|приказ)",
    r"нецелесообразн", r"\bне\s+представляется\s+возможн", r"\bотсутству\w*\s+(?:\w+\s+){0,2}возможност",
    r"\bне\s+предусмотрен", r"\bневозможн", r"\bразъясня", r"\bисков\w*\s+(?:заявлени|требовани)", r"\bв\s+суд\b",
    r"\bсудом\b", r"\bарбитражн", r"\bпредписани", r"\bпротокол\w*\s+об\s+административн", r"\bадминистративн\w+\s+"
    r"(?:правонарушени|ответственност)", r"\bштраф", r"\bне\s+допускается", r"\bотказан", r"\bоснований\s+(?:\w+\s+){0,2}"
    r"(?:нет|отсутству)", r"\bотсутствуют\s+основани", r"\bфинансирован", r"\bкомиссионн\w+\s+обследовани",
    r"\bвыдано\s+разрешени", r"\bне\s+является\b", r"\bвыход\w*\s+за\s+рамки", r"\bкапитальн\w+\s+ремонт",
    r"\bобщ\w+\s+собрани", r"\bуведомлени",
)
FORMAL_TEXT = _rx(
    r"\bрассмотрен[оа]?\b", r"\bпринят\w*\s+к\s+сведению", r"\bвзят\w*\s+на\s+контроль", r"\bбудут\s+приняты\s+меры",
    r"\bприняты\s+меры\b", r"\bмеры\s+приняты\b", r"\bдано\s+поручени", r"\bвыдано\s+задани", r"\bпоручено\b",
    r"\bведутся\s+работ", r"\bведется\s+работ",
)
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
        for name, pattern in (("not_confirmed", NOT_CONFIRMED_STRONG), ("not_found", NOT_CONFIRMED_WEAK),
                              ("in_order", IN_ORDER), ("refile", REFILE), ("explain", EXPLAIN),
                              ("formal", FORMAL_TEXT), ("vague_time", VAGUE_TIME)):
            found = pattern.search(sentence)
            if found:
                evidence.add(name, found.group(0))
        redirect = REDIRECT.search(sentence)
        if redirect and not NOT_A_REDIRECT.search(sentence):
            evidence.add("redirect", redirect.group(0))
        future = FUTURE.search(sentence)
        done = DONE.search(sentence)
        if future:
            date = DATE.search(sentence)
            if VAGUE_TIME.search(sentence):
                evidence.add("planned_vague", future.group(0))
            elif date and not DEMAND.search(sentence) and not NEGATED_DONE.search(sentence):
                evidence.add("planned_dated", f"{future.group(0)} … {date.group(0)}")
            else:
                evidence.add("planned_undated", future.group(0))
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
    if has("not_found"):
        return NOT_CONFIRMED
    if has("refile"):
        return FORMAL
    if has("redirect"):
        return REDIRECTED
    if has("in_order"):
        return NOT_CONFIRMED
    if has("explain") or has("planned_undated"):
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
