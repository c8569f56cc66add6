"""Readers of the labelled sets in ``../shared/data`` (never copied into the repository).

Every reader streams or returns small dataclasses; the training scripts (``training/``),
``mcu eval`` and the benchmarks all read through here, so a figure in a model card and
the one ``mcu eval`` prints come from the same code. The held-out split of the appeals
is a hash of the appeal's id, so it is the same on every machine without a split file.
"""
from __future__ import annotations

import csv
import gzip
import hashlib
import html
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Literal

from nlp.appeal_topics import kursk_code, nashspb_code

REPO = Path(__file__).resolve().parents[1]
Split = Literal["train", "dev", "test"]


class DataMissing(FileNotFoundError):
    """The shared data folder or one of its files is not there (a clone without ../shared)."""


def shared_data_dir(path: str | Path | None = None) -> Path:
    """``path``, else ``$MCU_SHARED_DATA``, else ``../shared/data`` beside the repository."""
    chosen = Path(path) if path else Path(os.environ.get("MCU_SHARED_DATA", REPO.parent / "shared" / "data"))
    if not chosen.is_dir():
        raise DataMissing(f"{chosen}: labelled data not found (set MCU_SHARED_DATA or --data)")
    return chosen


def _need(path: Path) -> Path:
    if not path.exists():
        raise DataMissing(f"{path}: file not found in the shared data")
    return path


def split_of(key: str) -> Split:
    """Deterministic 80/10/10 split by a stable key: 0 → test, 1 → dev, the rest train."""
    bucket = int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) % 10
    return "test" if bucket == 0 else "dev" if bucket == 1 else "train"


TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"[ \t\r\f\v]+")


def clean_text(text: str) -> str:
    """HTML tags and entities out, the portal's ``[MASK]`` placeholders out, spaces squeezed."""
    text = html.unescape(TAG.sub(" ", text)).replace("[MASK]", " ")
    return "\n".join(SPACE.sub(" ", line).strip() for line in text.splitlines() if line.strip())


# --- appeals -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Appeal:
    source: str          # "nashspb" or "kursk"
    id: str
    text: str
    code: str            # rubricator topic code
    category: str        # the portal's own label, for the confusion summary

    @property
    def split(self) -> Split:
        return split_of(f"{self.source}:{self.id}")


def read_appeals(root: Path) -> Iterator[Appeal]:
    """Both appeal sets with their mapped topic codes; appeals that map to nothing are skipped."""
    csv.field_size_limit(sys.maxsize)
    with _need(root / "appeals" / "nashspb_appeals.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code = nashspb_code(row["category"], row["reason"])
            text = clean_text(row["text"])
            if code and text:
                yield Appeal("nashspb", row["id"], text, code, row["reason"])
    with _need(root / "appeals" / "kursk" / "train_dataset_train.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) < 5 or not row[4].strip().isdigit():
                continue
            code = kursk_code(int(row[4]), row[2])
            text = clean_text(row[1])
            if code and text:
                yield Appeal("kursk", row[0], text, code, row[2])


# --- sentiment -----------------------------------------------------------------------------
RUSENTIMENT_FILES = {
    "random": "rusentiment_random_posts.csv",
    "preselected": "rusentiment_preselected_posts.csv",
    "test": "rusentiment_test.csv",
}
# RuSentiment has five labels; the МЦУ needs three. «speech» is greetings, thanks and
# congratulations (positive speech acts); «skip» is noise and unclear posts.
THREE_WAY = {"positive": "positive", "negative": "negative", "neutral": "neutral",
             "speech": "positive", "skip": "neutral"}


@dataclass(frozen=True, slots=True)
class LabelledText:
    label: str
    text: str
    key: str = ""


def read_rusentiment(root: Path, part: str) -> list[LabelledText]:
    """One RuSentiment file (``random``, ``preselected`` or ``test``) with its five-way labels."""
    path = _need(root / "sentiment" / "rusentiment" / RUSENTIMENT_FILES[part])
    with path.open(encoding="utf-8", newline="") as fh:
        return [LabelledText(row["label"].strip(), row["text"], f"{part}:{i}")
                for i, row in enumerate(csv.DictReader(fh)) if row.get("text")]


# --- NER -------------------------------------------------------------------------------------
@dataclass
class NerDoc:
    id: str
    text: str
    spans: list[tuple[int, int]] = field(default_factory=list)  # gold LOC spans, outermost only


def outermost(spans: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop spans that lie inside a longer one («Москвы» inside «округе Москвы»)."""
    ordered = sorted(spans, key=lambda s: (s[0], -s[1]))
    kept: list[tuple[int, int]] = []
    for start, end in ordered:
        if kept and start >= kept[-1][0] and end <= kept[-1][1]:
            continue
        kept.append((start, end))
    return kept


FACTRU_LOC = {"Location", "LocOrg"}


def read_factru(root: Path, part: Literal["dev", "test"]) -> list[NerDoc]:
    """factRuEval-2016: Location and LocOrg objects as LOC, each object's span from its first
    to its last token span (the usual reading, as in corus and slovnet's evaluation)."""
    folder = _need(root / "ner" / "factrueval2016" / f"{part}set")
    docs = []
    for txt in sorted(folder.glob("*.txt")):
        stem = txt.with_suffix("")
        if not stem.with_suffix(".spans").exists():
            continue  # list.txt
        text = txt.read_text(encoding="utf-8")
        token_spans: dict[str, tuple[int, int]] = {}
        for line in stem.with_suffix(".spans").read_text(encoding="utf-8").splitlines():
            parts = line.split("#", 1)[0].split()
            if len(parts) >= 4:
                start, length = int(parts[2]), int(parts[3])
                token_spans[parts[0]] = (start, start + length)
        gold = set()
        for line in stem.with_suffix(".objects").read_text(encoding="utf-8").splitlines():
            parts = line.split("#", 1)[0].split()
            if len(parts) >= 3 and parts[1] in FACTRU_LOC:
                pieces = [token_spans[s] for s in parts[2:] if s in token_spans]
                if pieces:
                    gold.add((min(p[0] for p in pieces), max(p[1] for p in pieces)))
        docs.append(NerDoc(txt.stem, text, outermost(gold)))
    return docs


NEREL_LOC = {"CITY", "COUNTRY", "STATE_OR_PROVINCE", "DISTRICT", "LOCATION"}


def read_nerel(root: Path, part: Literal["train", "dev"]) -> list[NerDoc]:
    """NEREL v1.1 (brat): CITY, COUNTRY, STATE_OR_PROVINCE, DISTRICT and LOCATION as LOC
    (FACILITY is left out: Natasha's LOC does not cover buildings); nested spans → outermost."""
    folder = _need(root / "ner" / "nerel" / part)
    docs = []
    for ann in sorted(folder.glob("*.ann")):
        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        gold = set()
        for line in ann.read_text(encoding="utf-8").splitlines():
            if not line.startswith("T"):
                continue
            _, info, *_ = line.split("\t")
            kind, *offsets = info.replace(";", " ").split()
            if kind in NEREL_LOC and len(offsets) == 2:  # discontinuous spans are left out
                gold.add((int(offsets[0]), int(offsets[1])))
        docs.append(NerDoc(ann.stem, text, outermost(gold)))
    return docs


# --- unlabelled local posts --------------------------------------------------------------------
def iter_local_posts(root: Path, name: str = "posts_comments.txt") -> Iterator[str]:
    """Blocks of ``local_posts/<name>`` (separated by blank lines), streamed."""
    path = _need(root / "local_posts" / name)
    opener = gzip.open if path.suffix == ".gz" else open
    block: list[str] = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                block.append(line.rstrip("\n"))
            elif block:
                yield "\n".join(block)
                block = []
    if block:
        yield "\n".join(block)
