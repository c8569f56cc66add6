"""``mcu analyze`` (JSON lines in, one analysis per line out) and ``mcu eval`` (every quality
figure of the NLP from ../shared/data, plus a speed table)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from cli.options import ConfigOption, console, fail as _fail, load_settings as _settings


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)
    app.command("eval")(evaluate)


def _analyzer(config: Path):
    from nlp import Analyzer

    return Analyzer.from_settings(_settings(config))


def analyze(
    source: Optional[Path] = typer.Argument(None, metavar="ФАЙЛ", help="Файл JSON Lines {\"id\", \"text\"}; без него — stdin."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Куда писать результат (по умолчанию stdout)."),
    batch: int = typer.Option(256, "--batch", min=1, max=10_000, help="Постов в пачке анализа."),
    no_ner: bool = typer.Option(False, "--no-ner", help="Без Natasha NER: газеттир, адреса и словарь мест (быстрее)."),
    config: Optional[Path] = ConfigOption,
) -> None:
    """Анализ текстов: тональность, сигнал (проблема, происшествие), тема, блок, топонимы, риск — по строке JSON
    на каждую входную."""
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from nlp.stream import analyze_stream, count_nonblank_lines, read_lines

    err = Console(stderr=True)
    analyzer = _analyzer(config)
    if source is not None and not source.is_file():
        raise _fail(f"{source}: файл не найден")
    name = str(source) if source else "stdin"
    infile = source.open("rb") if source else sys.stdin.buffer
    outfile = output.open("w", encoding="utf-8") if output else sys.stdout
    total = None
    if source is not None:
        with source.open("rb") as fh:
            total = count_nonblank_lines(fh)
    show = err.is_terminal
    progress = Progress(SpinnerColumn(), TextColumn("[bold]анализ[/]"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), console=err, disable=not show)

    def write(text: str) -> None:
        outfile.write(text)
        outfile.flush()

    try:
        with progress:
            task = progress.add_task("analyze", total=total, rate="")

            def advance(n: int) -> None:
                progress.advance(task, n)
                elapsed = progress.tasks[0].elapsed or 0
                done = progress.tasks[0].completed
                if elapsed:
                    progress.update(task, rate=f"{done / elapsed:,.0f} постов/с".replace(",", " "))

            stats = analyze_stream(analyzer, read_lines(infile, name), write, source=name, batch_size=batch,
                                   use_ner=not no_ner, on_batch=advance,
                                   on_problem=lambda p: err.print(f"[yellow]строка пропущена:[/] {escape(p)}",
                                                                  highlight=False))
    finally:
        if source:
            infile.close()
        if output:
            outfile.close()
    if show or output:
        err.print(f"Готово: {stats.analysed} из {stats.lines} строк, ошибок: {len(stats.problems)}.")
    if stats.problems:
        raise typer.Exit(code=1)


def _fmt(value: float) -> str:
    return f"{value:.3f}"


def evaluate(
    data: Optional[Path] = typer.Option(None, "--data", help="Папка размеченных данных (env MCU_SHARED_DATA; "
                                                               "по умолчанию ../shared/data рядом с репозиторием)."),
    only: list[str] = typer.Option([], "--only", help="Только задачи: sentiment, signal, topic, toponyms, gazetteer "
                                                      "(сравнение со spaCy), stories, routing (орган-исполнитель "
                                                      "обращения), answers (вид ответа на обращение), speed."),
    speed_posts: int = typer.Option(1000, "--speed-posts", min=50, help="Постов для замера скорости."),
    as_json: Optional[Path] = typer.Option(None, "--json", help="Записать все цифры ещё и в JSON-файл."),
    config: Path = typer.Option(Path("config/demo.yaml"), "--config", "-c", help="Конфигурация (газеттир, рубрикатор)."),
) -> None:
    """Воспроизвести все показатели качества NLP на размеченных данных и замерить скорость."""
    from training import appeals_evaluation as appeals_ev, evaluation as ev
    from training.signal_eval import evaluate_signal
    from nlp.datasets import DataMissing, shared_data_dir

    known = {"sentiment", "signal", "topic", "toponyms", "gazetteer", "stories", "routing", "answers", "speed"}
    tasks = set(only) or known
    unknown = tasks - known
    if unknown:
        raise _fail(f"--only: неизвестные задачи {sorted(unknown)}")
    try:
        root = shared_data_dir(data)
    except DataMissing as exc:
        raise _fail(f"{exc}. Данные лежат в ../shared/data; укажите --data или MCU_SHARED_DATA.") from None
    analyzer = _analyzer(config)
    results: list = []
    try:
        with console.status("оценка…"):
            if "sentiment" in tasks:
                results += ev.evaluate_sentiment(root, analyzer)
                results.append(ev.sentiment_on_local_posts(root, analyzer))
            if "signal" in tasks:
                results += evaluate_signal(root, analyzer)
            if "topic" in tasks:
                results += ev.evaluate_topics(root, analyzer)
            if "toponyms" in tasks:
                results += ev.evaluate_ner(root, analyzer)
                results.append(ev.evaluate_toponym_set(analyzer, use_ner=False))
                results.append(ev.evaluate_toponym_set(analyzer, use_ner=True))
            if "gazetteer" in tasks:
                results += ev.compare_gazetteer_matchers(root, analyzer)
            if "stories" in tasks:
                results.append(ev.evaluate_stories(analyzer))
            if "routing" in tasks:
                results += appeals_ev.evaluate_routing(root)
            if "answers" in tasks:
                results += appeals_ev.evaluate_answers(root)
            speed = ev.measure_speed(root, analyzer, speed_posts) if "speed" in tasks else None
    except DataMissing as exc:
        raise _fail(str(exc)) from None
    from rich.console import Console

    print_results(console if console.is_terminal else Console(width=200), results, speed)
    if as_json:
        as_json.write_text(json.dumps(results_as_dict(results, speed), ensure_ascii=False, indent=2), encoding="utf-8")


def print_results(console, results, speed) -> None:
    reports = [r for r in results if r.report is not None]
    if reports:
        table = Table(title="Классификация: точность (P), полнота (R), F1 — макро и взвешенные")
        for col in ("задача", "вариант", "данные", "accuracy", "P макро", "R макро", "F1 макро", "P взв.",
                    "R взв.", "F1 взв."):
            table.add_column(col, justify="right" if col[0] in "aPRF" else "left")
        for r in reports:
            rep = r.report
            table.add_row(r.task, r.variant, r.data, _fmt(rep.accuracy), _fmt(rep.macro_precision),
                          _fmt(rep.macro_recall), _fmt(rep.macro_f1), _fmt(rep.weighted_precision),
                          _fmt(rep.weighted_recall), _fmt(rep.weighted_f1))
        console.print(table)
        confusion = Table(title="Частые ошибки (истина → ответ: число)")
        confusion.add_column("задача / вариант")
        confusion.add_column("ошибки")
        confusion.add_column("F1 по классам")
        for r in reports:
            confusion.add_row(f"{r.task}: {r.variant}",
                              ", ".join(f"{g}→{p}: {n}" for g, p, n in r.report.top_confusions(4)),
                              ", ".join(f"{c.label} {c.f1:.2f}" for c in r.report.classes))
        console.print(confusion)
        for r in reports:
            if "top3" in r.extra:
                console.print(f"{r.task}: {r.variant}: верный орган среди трёх первых — {_fmt(r.extra['top3'])}")
    spans = [r for r in results if r.spans is not None]
    if spans:
        table = Table(title="Топонимы: точное совпадение спанов (P, R, F1), по пересечению (нестрогое) и по символам слов")
        for col in ("вариант", "данные", "P", "R", "F1", "P нестр.", "R нестр.", "F1 нестр.", "F1 по символам",
                    "эталон", "найдено"):
            table.add_column(col)
        for r in spans:
            s = r.spans
            lenient = (_fmt(s.lenient_precision), _fmt(s.lenient_recall), _fmt(s.lenient_f1)) if s.lenient_f1 \
                else ("—", "—", "—")
            table.add_row(r.variant, r.data, _fmt(s.precision), _fmt(s.recall), _fmt(s.f1), *lenient,
                          _fmt(s.token_f1) if s.token_f1 else "—", str(s.gold), str(s.predicted))
        console.print(table)
        for r in spans:
            if r.extra.get("posts_per_second"):
                console.print(f"{r.variant}: {r.extra['posts_per_second']:.0f} постов/с (шаг газеттира, local_posts)")
        for r in spans:
            if r.extra.get("misses"):
                console.print(f"{r.variant}: предложений найдено полностью {r.extra['sentences_exact']} из "
                              f"{r.extra['sentences']}; пропуски: " + "; ".join(r.extra["misses"][:8]))
    for r in results:
        if r.task == "sentiment" and r.report is None:
            total = sum(r.extra.values()) or 1
            console.print(f"Тональность, {r.variant}, {r.data}: " +
                          ", ".join(f"{label} {n} ({n / total:.1%})" for label, n in r.extra.items()))
        if r.task == "stories":
            table = Table(title=f"Сюжеты: {r.variant}, {r.data}")
            for col in ("сюжет", "постов", "полнота", "чистота", "кластеров"):
                table.add_column(col)
            for tag, f in r.extra.items():
                table.add_row(tag, str(f["posts"]), _fmt(f["recall"]), _fmt(f["purity"]), str(f["clusters"]))
            console.print(table)
    if speed:
        table = Table(title=f"Скорость на одном ядре: {int(speed['posts'])} постов из local_posts")
        for col in ("что", "постов/с", "доля от NER"):
            table.add_column(col)
        for key, label in (("ner", "только Natasha NER"), ("full", "полный анализ (с NER)"),
                           ("no_ner", "анализ без NER")):
            table.add_row(label, f"{speed[key]:.0f}", f"{speed[key] / speed['ner']:.2f}")
        console.print(table)


def results_as_dict(results, speed) -> dict:
    out = []
    for r in results:
        item = {"task": r.task, "variant": r.variant, "data": r.data}
        if r.report is not None:
            item["report"] = r.report.as_dict()
            item["confusions"] = r.report.top_confusions(10)
        if r.spans is not None:
            item["spans"] = vars(r.spans)
        if r.extra:
            item["extra"] = r.extra
        out.append(item)
    return {"results": out, "speed": speed}
