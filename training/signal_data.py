"""The labelled texts of the problem-report signal, assembled from ``../shared/data``.

A *report* is a text about something broken, missing, dangerous or unfair that the
authorities or public services answer for (``problem``), or about an incident: a fire,
an accident, a flood, a missing person (``emergency``). Everything else is ``none``.

Where the labels come from:

* **appeals** (St Petersburg portal, Kursk feedback portal): every appeal is a problem
  report, whatever its category. St Petersburg is capped (``nashspb_cap``), since its
  60,000 short appeals would drown the rest.
* **official answers** to the St Petersburg appeals («Уважаемый пользователь! ... работы
  выполнены»): ``none``. They speak the appeals' vocabulary but report work done, like an
  administration's post does; they keep the model from learning «a municipal word is a
  problem». Capped at ``answers_cap``.
* **RuSentiment** VK posts: ``none``, except the posts listed in ``labels/signal.tsv``.
  The project read every RuSentiment post labelled negative, neutral or skip that either
  names a public service, an authority or an incident (the rubricator's keywords plus
  a short list) or that a first model trained on appeals against RuSentiment scored
  above 0.3 — 2,208 posts — and labelled each: 51 problems, 24 emergencies, 138 unclear.
  *Unclear* posts (political opinion, crime news, a joke that may be a complaint) are left
  out of training and of every figure. The rest of RuSentiment (positive, speech and the
  unread posts) is taken as ``none``. RuSentiment's own negative label is not used: most
  of its negatives are personal («ненавижу понедельники»), and the complaints among them
  about roads, lifts or an ambulance are labelled ``problem`` here.
* **news** (NEREL and factRuEval documents, their first ``NEWS_CHARS`` characters):
  ``none``, except those in ``labels/signal.tsv``. The 211 documents that name an incident
  were read: 35 report one (crashes, fires, collapses, shootings) and are ``emergency``;
  33 are unclear (single murders, war, court cases about old incidents).

``labels/signal.tsv`` keeps each text's key and a hash of its text, not the text, so the
data stays in ``../shared/data``. The split is :func:`nlp.datasets.split_of` over the key
(an answer shares its appeal's key, so both land in the same split).
"""
from __future__ import annotations

import csv
import gzip
import hashlib
import random
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from nlp.datasets import Split, clean_text, read_factru, read_nerel, read_rusentiment, split_of

LABELS_FILE = Path(__file__).with_name("labels") / "signal.tsv"
SIGNAL_LABELS = ("emergency", "none", "problem")
NEWS_CHARS = 700
"""Characters of a news document used: the headline and the lead, as a public reposts them."""


class LabelFileError(ValueError):
    """A line of ``labels/signal.tsv`` that is malformed or no longer matches its text."""


@dataclass(frozen=True, slots=True)
class SignalExample:
    key: str
    text: str
    label: str           # problem, emergency or none
    source: str          # nashspb, kursk, answers, rusentiment, news
    split: Split


@dataclass(frozen=True, slots=True)
class LabelEntry:
    label: str
    digest: str


def text_digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def read_labels(path: Path = LABELS_FILE) -> dict[str, LabelEntry]:
    labels = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or parts[1] not in (*SIGNAL_LABELS, "unclear"):
            raise LabelFileError(f"{path}:{number}: expected «key<TAB>label<TAB>digest» with a label of "
                                 f"{(*SIGNAL_LABELS, 'unclear')}, got {line!r}")
        labels[parts[0]] = LabelEntry(parts[1], parts[2])
    return labels


def _labelled(key: str, text: str, default: str, labels: dict[str, LabelEntry]) -> str:
    entry = labels.get(key)
    if entry is None:
        return default
    if entry.digest != text_digest(text):
        raise LabelFileError(f"{LABELS_FILE}: {key}: the text no longer matches the one labelled "
                             f"(digest {entry.digest}, now {text_digest(text)})")
    return entry.label


def _capped(rows: list, cap: int | None, seed: int = 13) -> list:
    """A fixed random sample of ``cap`` rows, in their original order."""
    if cap is None or len(rows) <= cap:
        return rows
    chosen = sorted(random.Random(seed).sample(range(len(rows)), cap))
    return [rows[i] for i in chosen]


def _appeals(root: Path, nashspb_cap: int | None, answers_cap: int | None) -> Iterator[SignalExample]:
    csv.field_size_limit(sys.maxsize)
    appeals, answers = [], []
    with gzip.open(root / "appeals" / "nashspb_appeals_with_answers.csv.gz", "rt", encoding="utf-8",
                   newline="") as fh:
        for row in csv.DictReader(fh):
            key = f"nashspb:{row['id']}"
            text = clean_text(row["text"])
            if text:
                appeals.append(SignalExample(key, text, "problem", "nashspb", split_of(key)))
            answer = clean_text(row.get("answer_text") or "")
            if len(answer) > 40:
                answers.append(SignalExample(f"answer:{key}", answer, "none", "answers", split_of(key)))
    yield from _capped(appeals, nashspb_cap)
    yield from _capped(answers, answers_cap, seed=17)
    with (root / "appeals" / "kursk" / "train_dataset_train.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) < 5 or not row[4].strip().isdigit():
                continue
            key = f"kursk:{row[0]}"
            text = clean_text(row[1])
            if text:
                yield SignalExample(key, text, "problem", "kursk", split_of(key))


def _rusentiment(root: Path, labels: dict[str, LabelEntry]) -> Iterator[SignalExample]:
    for part in ("random", "preselected", "test"):
        for row in read_rusentiment(root, part):
            key = f"rusentiment:{row.key}"
            label = _labelled(key, row.text, "none", labels)
            if label != "unclear":
                yield SignalExample(key, row.text, label, "rusentiment", split_of(key))


def _news(root: Path, labels: dict[str, LabelEntry]) -> Iterator[SignalExample]:
    sets = (("nerel-train", read_nerel(root, "train")), ("nerel-dev", read_nerel(root, "dev")),
            ("factru-dev", read_factru(root, "dev")), ("factru-test", read_factru(root, "test")))
    for name, docs in sets:
        for doc in docs:
            key = f"news:{name}:{doc.id}"
            label = _labelled(key, doc.text, "none", labels)
            if label != "unclear":
                yield SignalExample(key, doc.text[:NEWS_CHARS], label, "news", split_of(key))


def read_signal_examples(root: Path, *, nashspb_cap: int | None = 8000, answers_cap: int | None = 3000,
                         labels_path: Path = LABELS_FILE) -> list[SignalExample]:
    """Every labelled text of the signal, in a fixed order (appeals, answers, Kursk, VK, news)."""
    labels = read_labels(labels_path)
    examples = [*_appeals(root, nashspb_cap, answers_cap), *_rusentiment(root, labels), *_news(root, labels)]
    seen = {e.key for e in examples}
    missing = [key for key, entry in labels.items() if entry.label != "unclear" and key not in seen]
    if missing:
        raise LabelFileError(f"{labels_path}: {len(missing)} labelled keys not found in the data, e.g. {missing[0]}")
    return examples


def describe(examples: list[SignalExample]) -> str:
    """«source: label count, ...» per split, for logs and the model card."""
    lines = []
    for split in ("train", "dev", "test"):
        counts = Counter((e.source, e.label) for e in examples if e.split == split)
        lines.append(f"{split}: " + ", ".join(f"{s}/{l} {n}" for (s, l), n in sorted(counts.items())))
    return "\n".join(lines)
