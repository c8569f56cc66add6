"""The five kinds of an official answer to a citizen's appeal, with their Russian labels.

* ``solved`` — the work is done, or scheduled with a date («выполнены», «устранено»,
  «будет отремонтировано до 30.05.2021», «включено в план на 2022 год»);
* ``explained`` — a «разъяснение»: norms, reasons, plans without a date, refusals with
  reasons, court claims; the problem stays;
* ``not_confirmed`` — an inspection found no violation («факты не подтвердились»,
  «находится в надлежащем состоянии»);
* ``redirected`` — sent on to another body, or «обратитесь в …»;
* ``formal`` — a formal non-answer («отписка»): «рассмотрено», «принято к сведению»,
  «в ближайшее время», «в порядке очерёдности», a request to re-file.
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
