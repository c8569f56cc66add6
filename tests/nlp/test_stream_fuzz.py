"""Fuzzing ``mcu analyze`` input (``analyze_stream``): JSON lines with nasty text and junk fields,
lines that are not JSON at all. Invariant: nothing raises, and every (non-blank) input line
gives exactly one output line, in order, with the line's id and either a result or an error."""
from __future__ import annotations

import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp.stream import analyze_stream
from testing import strategies as s

pytestmark = pytest.mark.fuzz

records = st.fixed_dictionaries(
    {"id": st.integers(0, 10**6)},
    optional={"text": st.one_of(s.texts, s.junk), "title": st.one_of(s.texts, s.junk),
              "likes": st.one_of(st.integers(0, 10**6), s.junk), "reach": st.one_of(st.integers(0, 10**7), s.junk),
              "published_at": st.one_of(s.moments.map(lambda m: m.isoformat()), s.texts)},
)
lines = st.one_of(
    records.map(lambda r: json.dumps(r, ensure_ascii=False, allow_nan=True)),
    st.one_of(s.junk, s.texts).map(lambda v: json.dumps(v, ensure_ascii=False)),
    s.texts,
).filter(lambda line: line.strip() and "\n" not in line and "\r" not in line)


@given(st.lists(lines, min_size=1, max_size=8), st.integers(1, 4))
def test_every_line_gives_one_output_line(analyzer, given_lines, batch):
    out = io.StringIO()
    stats = analyze_stream(analyzer, (line + "\n" for line in given_lines), out.write, source="fuzz.jsonl",
                           batch_size=batch, use_ner=False)
    written = out.getvalue().splitlines()
    assert len(written) == len(given_lines) == stats.lines
    for line, output in zip(given_lines, written):
        result = json.loads(output)
        assert ("error" in result) != ("sentiment" in result), result
        if "error" in result:
            assert result["error"].startswith("fuzz.jsonl:"), result
        else:
            assert result["id"] == json.loads(line)["id"]
    assert stats.analysed + len(stats.problems) == len(given_lines)
