"""The five kinds of an official answer to a citizen's appeal, with their Russian labels.

* ``solved`` — the work is done, or scheduled with a date: a day, a month or a quarter
  («выполнены», «устранено», «будет отремонтировано до 30.05.2021»);
* ``explained`` — a «разъяснение»: norms, reasons, refusals with reasons, plans without a
  date or with a year only (a programme for 2021–2023), court claims, fines and notices to
  the owner; the problem stays;
* ``not_confirmed`` — an inspection found no violation («факты не подтвердились»,
  «находится в надлежащем состоянии»);
* ``redirected`` — sent on to another body, or «обратитесь в …»;
* ``formal`` — a formal non-answer («отписка»): «рассмотрено», «принято к сведению»,
  «в ближайшее время», «в порядке очерёдности», a request to re-file, a moderation refusal.

The full labelling guide, used for the hand labels, is in ``nlp/models/answer_kind.md``.
"""
from __future__ import annotations

SOLVED = "solved"
EXPLAINED = "explained"
NOT_CONFIRMED = "not_confirmed"
REDIRECTED = "redirected"
FORMAL = "formal"

ANSWER_KINDS: tuple[str, ...] = (SOLVED, EXPLAINED, NOT_CONFIRMED, REDIRECTED, FORMAL)

ANSWER_KIND_RU: dict[str, str] = {
    SOLVED: "решено",
    EXPLAINED: "разъяснение",
    NOT_CONFIRMED: "факты не подтвердились",
    REDIRECTED: "перенаправлено",
    FORMAL: "отписка",
}
