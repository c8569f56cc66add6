"""``analyze_stream`` (behind ``mcu analyze``): one output line per input line, clear problems for
bad lines, and flat memory over a long generated input."""
import io
import json
import tracemalloc

from nlp.stream import analyze_stream

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
