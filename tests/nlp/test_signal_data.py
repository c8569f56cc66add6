"""The signal's labelled texts (``training/signal_data.py``): the label file matches the shared data,
and a tampered label file fails with a clear message (skipped without ../shared/data)."""
from collections import Counter

import pytest

from training.signal_data import LABELS_FILE, LabelFileError, read_labels, read_signal_examples


def test_label_file_counts():
    labels = Counter(entry.label for entry in read_labels().values())
    assert labels == {"problem": 51, "emergency": 59, "unclear": 171}


@pytest.fixture(scope="module")
def examples(shared_data):
    return read_signal_examples(shared_data)


def test_every_source_and_split(examples):
    counts = Counter((e.source, e.label) for e in examples)
    assert counts[("rusentiment", "problem")] == 51 and counts[("rusentiment", "emergency")] == 24
    assert counts[("news", "emergency")] == 35
    assert counts[("nashspb", "problem")] == 8000 and counts[("answers", "none")] == 3000
    assert counts[("kursk", "problem")] == 2000
    splits = Counter(e.split for e in examples)
    assert 0.08 < splits["test"] / len(examples) < 0.12
    assert len({e.key for e in examples}) == len(examples)


def test_answers_share_their_appeals_split(examples):
    split = {e.key: e.split for e in examples if e.source == "nashspb"}
    shared = [e for e in examples if e.source == "answers" and e.key.removeprefix("answer:") in split]
    assert shared and all(split[e.key.removeprefix("answer:")] == e.split for e in shared)


def test_a_changed_text_is_caught(shared_data, tmp_path):
    lines = LABELS_FILE.read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("rusentiment:"))
    key, label, _ = lines[first].split("\t")
    lines[first] = f"{key}\t{label}\t0000000000"
    tampered = tmp_path / "signal.tsv"
    tampered.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(LabelFileError, match=f"{key}: the text no longer matches"):
        read_signal_examples(shared_data, labels_path=tampered)


def test_a_malformed_line_names_the_file_and_line(tmp_path):
    bad = tmp_path / "signal.tsv"
    bad.write_text("# header\nrusentiment:random:1\tmaybe\tabc\n", encoding="utf-8")
    with pytest.raises(LabelFileError, match="signal.tsv:2: expected"):
        read_labels(bad)
