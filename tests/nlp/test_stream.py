"""``analyze_stream`` and ``read_lines`` (behind ``mcu analyze``): one output line per input line,
clear problems for bad lines (invalid UTF-8, huge lines) with every line counted, texts bounded,
and flat memory over a long generated input."""
import io
import json
import tracemalloc

from core.text import MAX_TEXT
from nlp.stream import analyze_stream, count_nonblank_lines, read_lines

LINES = [
    {"id": 1, "text": "В лаптево третий день нет воды!!! Сколько можно терпеть"},
    {"id": "b", "text": "Спасибо врачам Пестовской ЦРБ за заботу", "likes": 40, "reach": 8000},
    {"id": 3, "title": "Пожар в Охоне", "text": "Сгорел сарай, пострадавших нет", "published_at": "2025-05-01T10:00:00"},
]


def run(analyzer, lines, **kwargs):
    out = io.StringIO()
    stats = analyze_stream(analyzer, lines, out.write, source="test.jsonl", **kwargs)
    return [json.loads(line) for line in out.getvalue().splitlines()], stats


def test_one_result_per_line_with_every_field(analyzer):
    results, stats = run(analyzer, [json.dumps(x, ensure_ascii=False) for x in LINES], batch_size=2)
    assert [r["id"] for r in results] == [1, "b", 3]
    assert stats.lines == stats.analysed == 3 and stats.problems == []
    water, thanks, fire = results
    assert set(water) >= {"id", "sentiment", "signal", "topic", "topics", "block", "toponyms", "risk"}
    assert water["sentiment"]["label"] == "negative" and 0 < water["sentiment"]["score"] <= 1
    assert water["signal"]["label"] == "problem" and 0.3 <= water["signal"]["score"] <= 1
    assert thanks["signal"]["label"] == "none" and fire["signal"]["label"] == "emergency"
    assert water["topic"]["code"] == "utilities" and water["topics"][0] == water["topic"]
    assert water["block"] == "rural"
    (laptevo,) = water["toponyms"]
    assert laptevo == {"text": "лаптево", "start": 2, "end": 9, "name": "Лаптево", "kind": "village",
                       "department": "laptevsky", "lat": None, "lon": None}
    assert water["risk"]["level"] in ("medium", "high", "critical")
    assert {r["component"] for r in water["risk"]["reasons"]} >= {"negativity", "topic", "trigger"}
    assert thanks["sentiment"]["label"] == "positive"
    assert [t["name"] for t in thanks["toponyms"]] == ["Пестовская ЦРБ"]
    assert fire["topic"]["code"] == "safety" and fire["toponyms"][0]["name"] == "Охона"


def test_bad_lines_name_source_line_and_field(analyzer):
    lines = ['{"id": 1, "text": "в Охоне нет света"}', "not json", '{"text": "без id"}', '{"id": 4, "text": 5}',
             '{"id": 5, "text": "ok", "likes": -1}', "", '{"id": 6, "text": "Всё хорошо"}']
    results, stats = run(analyzer, lines)
    assert [r["id"] for r in results] == [1, None, None, 4, 5, 6]
    assert stats.problems == [
        "test.jsonl:2: not JSON (Expecting value, column 1)",
        "test.jsonl:3: field `id` is missing",
        "test.jsonl:4: field `text` must be a string (id 4)",
        "test.jsonl:5: field `likes` must be a non-negative integer (id 5)",
    ]
    assert results[1]["error"] == stats.problems[0]
    assert stats.analysed == 2


def test_memory_stays_flat_over_a_long_input(analyzer):
    texts = [x["text"] for x in LINES] + ["Когда починят дорогу на Быково? Яма на яме", "Автобус до Охоны отменили"]

    def lines(n):
        for i in range(n):
            yield json.dumps({"id": i, "text": texts[i % len(texts)]}, ensure_ascii=False)

    written = []
    analyze_stream(analyzer, lines(400), lambda s: None, batch_size=100)  # warm caches and models
    tracemalloc.start()
    try:
        marks = []

        def sample(_):
            marks.append(tracemalloc.get_traced_memory()[0])

        analyze_stream(analyzer, lines(3000), lambda s: written.append(s.count("\n")), batch_size=100,
                       on_batch=sample)
    finally:
        tracemalloc.stop()
    assert sum(written) == 3000
    settled = marks[2]
    growth = max(marks[3:]) - settled
    assert growth < 1_000_000, f"memory grew by {growth} bytes over {len(marks)} batches"


def test_line_numbers_count_blank_lines(analyzer):
    results, stats = run(analyzer, ["", '{"id": 1, "text": "Всё хорошо"}', "   ", "", "not json"])
    assert [r["id"] for r in results] == [1, None]
    assert stats.problems == ["test.jsonl:5: not JSON (Expecting value, column 1)"]
    assert stats.lines == 2 and stats.analysed == 1


def test_bytes_that_are_not_utf8_or_too_long_are_error_lines_of_their_own(analyzer):
    data = b"\n".join([
        '{"id": 1, "text": "в Охоне нет света"}'.encode(),
        b'{"id": 2, "text": "\xd0\xb2 \xff\xfe"}',
        b'{"id": "big", "text": "' + "яма ".encode() * 400 + b'"}',
        b"",
        '{"id": 5, "text": "Спасибо за новый сквер"}'.encode(),
    ]) + b"\n"
    lines = list(read_lines(io.BytesIO(data), "posts.jsonl", max_bytes=2000))
    assert [(line.number, line.problem, line.record_id) for line in lines if line.text is None] == [
        (2, "posts.jsonl:2: not UTF-8 (bad byte at column 23)", 2),
        (3, "posts.jsonl:3: line longer than 2000 bytes, not analysed", "big"),
    ]
    assert [line.number for line in lines] == [1, 2, 3, 4, 5] and lines[3].text == "\n"
    out = io.StringIO()
    stats = analyze_stream(analyzer, lines, out.write, source="posts.jsonl", use_ner=False)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in results] == [1, 2, "big", 5]
    assert results[1]["error"] == "posts.jsonl:2: not UTF-8 (bad byte at column 23)"
    assert results[2]["error"] == "posts.jsonl:3: line longer than 2000 bytes, not analysed"
    assert results[0]["toponyms"][0]["name"] == "Охона" and results[3]["sentiment"]["label"] == "positive"
    assert stats.analysed == 2 and len(stats.problems) == 2


def test_a_long_line_is_skipped_in_chunks_without_reading_it_whole():
    class Counting(io.BytesIO):
        biggest = 0

        def readline(self, size=-1):
            line = super().readline(size)
            Counting.biggest = max(Counting.biggest, len(line))
            return line

    data = b'{"id": 1, "text": "' + b"x" * 3_000_000 + b'"}\n{"id": 2, "text": "ok"}\n'
    lines = list(read_lines(Counting(data), "in", max_bytes=1000))
    assert [(line.number, line.record_id, line.text) for line in lines] == [
        (1, 1, None), (2, None, '{"id": 2, "text": "ok"}\n')]
    assert Counting.biggest <= 1 << 16


def test_a_text_longer_than_the_bound_is_analysed_up_to_it(analyzer):
    text = "В Быково разбита дорога. " + "Ничего не меняется. " * 2000 + "Пожар в Охоне."
    assert len(text) > MAX_TEXT
    results, stats = run(analyzer, [json.dumps({"id": 1, "text": text}, ensure_ascii=False),
                                    json.dumps({"id": 2, "text": "Дорога в Быково разбита"}, ensure_ascii=False)])
    assert stats.analysed == 2 and results[0]["cut"] is True and "cut" not in results[1]
    places = [t["name"] for t in results[0]["toponyms"]]
    assert "Быково" in places and "Охона" not in places  # the fire lies past the bound
    assert all(t["end"] <= MAX_TEXT for t in results[0]["toponyms"])


def test_count_nonblank_lines_reads_in_chunks():
    assert count_nonblank_lines(io.BytesIO(b"")) == 0
    assert count_nonblank_lines(io.BytesIO(b"a\n\n  \nb")) == 2
    assert count_nonblank_lines(io.BytesIO(b"x" * 3_000_000 + b"\n\ny\n")) == 2
