"""Readers of the two real appeal exports in ``../shared/data/appeals`` for training and ``mcu eval``.

* St Petersburg («Наш Санкт-Петербург», ``nashspb_appeals_with_answers.csv.gz``): the
  official answers; «answered» means ``final_status == "Получен ответ"`` (45,716 appeals).
* Kursk (``kursk/train_dataset_train.csv``, no header): text and the responsible body.

The hand labels of answer kinds live in ``training/labels/answer_kinds_{dev,test}.csv`` (appeal
id and label only; the texts stay in the shared data).
"""
from __future__ import annotations

import csv
import gzip
import random
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from nlp.appeals.kinds import ANSWER_KINDS
from nlp.datasets import DataMissing, clean_text

REPO = Path(__file__).resolve().parents[2]
LABELS_DIR = REPO / "training" / "labels"
ANSWERED = "Получен ответ"
SPB_ANSWERS = Path("appeals") / "nashspb_appeals_with_answers.csv.gz"
KURSK = Path("appeals") / "kursk" / "train_dataset_train.csv"


@dataclass(frozen=True, slots=True)
class AnsweredAppeal:
    id: str
    created: str         # ISO date-time as exported
    district: str
    category: str
    reason: str
    text: str
    answer: str


def read_spb_answers(root: Path) -> Iterator[AnsweredAppeal]:
    """The St Petersburg appeals whose final status is «Получен ответ» and whose answer is not empty."""
    path = root / SPB_ANSWERS
    if not path.exists():
        raise DataMissing(f"{path}: file not found in the shared data")
    csv.field_size_limit(sys.maxsize)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["final_status"] == ANSWERED and row["answer_text"].strip():
                yield AnsweredAppeal(row["id"], row["created_dt"], row["district"], row["category"],
                                     row["reason"], clean_text(row["text"]), row["answer_text"].strip())


@dataclass(frozen=True, slots=True)
class HandLabel:
    id: str
    kind: str


def read_hand_labels(part: str, folder: Path = LABELS_DIR) -> list[HandLabel]:
    """``answer_kinds_<part>.csv`` (columns id, kind); an unknown kind is an error naming the row."""
    path = folder / f"answer_kinds_{part}.csv"
    labels = []
    with path.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            kind = row.get("kind", "").strip()
            if kind not in ANSWER_KINDS:
                raise ValueError(f"{path}: row {line}: column 'kind': {kind!r} is not one of {ANSWER_KINDS}")
            labels.append(HandLabel(row["id"].strip(), kind))
    return labels


# --- Kursk routing --------------------------------------------------------------------------
OTHER_BODY = "Прочие органы"
"""The bucket for bodies with fewer than ``min_examples`` appeals in the whole Kursk file."""


@dataclass(frozen=True, slots=True)
class RoutedAppeal:
    id: str
    text: str
    body: str            # the responsible body as exported
    label: str           # the body, or OTHER_BODY for rare ones
    split: str           # train, dev or test


def read_kursk_routing(root: Path, min_examples: int = 10, seed: int = 13,
                       shares: tuple[float, float] = (0.15, 0.15)) -> list[RoutedAppeal]:
    """Kursk appeals with their responsible body. The file has no dates, so the held-out split is
    stratified random with a fixed seed: per label, ``shares`` of the appeals (rounded, at least one
    each when a label has 3+) go to test and dev, the rest to train."""
    path = root / KURSK
    if not path.exists():
        raise DataMissing(f"{path}: file not found in the shared data")
    rows = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) >= 4 and row[3].strip():
                text = clean_text(row[1])
                if text:
                    rows.append((row[0], text, row[3].strip()))
    counts: dict[str, int] = defaultdict(int)
    for _, _, body in rows:
        counts[body] += 1
    by_label: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for item in rows:
        by_label[item[2] if counts[item[2]] >= min_examples else OTHER_BODY].append(item)
    rng = random.Random(seed)
    out = []
    for label in sorted(by_label):
        group = sorted(by_label[label])
        rng.shuffle(group)
        n_test = max(1 if len(group) >= 3 else 0, round(len(group) * shares[1]))
        n_dev = max(1 if len(group) >= 3 else 0, round(len(group) * shares[0]))
        for i, (appeal_id, text, body) in enumerate(group):
            split = "test" if i < n_test else "dev" if i < n_test + n_dev else "train"
            out.append(RoutedAppeal(appeal_id, text, body, label, split))
    return out
