"""Rich output of the CLI: scan progress, the scan summary, search results. All in Russian."""
from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from alerts.card import excerpt
from pipeline.report import ScanReport, SourceReport

SENTIMENT_RU = {"negative": "негатив", "neutral": "нейтрально", "positive": "позитив"}
LEVEL_RU = {"critical": "критический", "high": "высокий", "medium": "средний", "none": "—"}


class ScanDisplay:
    """A progress bar over sources, with the current source and stage; implements ScanObserver."""

    def __init__(self, console: Console, keys: list[str]):
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=True)
        self.task = self.progress.add_task("Сканирование", total=len(keys))

    def __enter__(self) -> "ScanDisplay":
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def source_started(self, key: str) -> None:
        self.progress.update(self.task, description=f"{key}")

    def stage(self, key: str, stage: str) -> None:
        self.progress.update(self.task, description=f"{key}: {stage}")

    def source_finished(self, report: SourceReport) -> None:
        mark = "[red]✗[/]" if report.error else "[green]✓[/]"
        self.progress.console.print(f"{mark} {report.key}: {report.fetched} получено, {report.new} новых"
                                    + (f" — [red]{report.error}[/]" if report.error else ""))
        self.progress.advance(self.task)


def print_summary(console: Console, report: ScanReport) -> None:
    table = Table(title="Итоги сканирования")
    for column, justify in (("источник", "left"), ("получено", "right"), ("новых", "right"),
                            ("обновл.", "right"), ("пропущ.", "right"), ("сек", "right"), ("ошибка", "left")):
        table.add_column(column, justify=justify)
    for s in report.sources:
        table.add_row(s.name, str(s.fetched), str(s.new), str(s.updated), str(s.skipped),
                      f"{s.seconds:.1f}", s.error or "")
    total_new = sum(s.new for s in report.sources)
    total_updated = sum(s.updated for s in report.sources)
    console.print(table)
    console.print(
        f"Публикаций: новых {total_new}, обновлено {total_updated}. "
        f"Рисков на оценке: {len(report.risks)}, новых алертов: {len(report.alerts)}. "
        f"Удалено по сроку хранения: {report.purged}. Время: {report.seconds:.1f} с."
    )
    if report.failed:
        console.print(f"[red]Источников с ошибкой: {len(report.failed)}[/] — остальные обработаны.")


def print_hits(console: Console, hits, settings, query: str) -> None:
    if not hits:
        console.print("Ничего не найдено.")
        return
    topics = {t.code: t.label for t in settings.rubricator.topics}
    table = Table(title=f"Найдено: {len(hits)}" + (f" по запросу «{query}»" if query else ""), show_lines=True)
    for column in ("дата", "источник", "тема", "тональность", "места", "риск", "текст"):
        table.add_column(column, overflow="fold")
    for hit in hits:
        a = hit.analysis
        table.add_row(
            hit.post.published_at.strftime("%d.%m %H:%M"), hit.post.source,
            topics.get(a.topic.code, a.topic.code) if a else "", SENTIMENT_RU.get(a.sentiment.label, "") if a else "",
            ", ".join(a.places) if a else "", LEVEL_RU.get(a.risk.level, "") if a else "",
            excerpt(hit.post.full_text, 160) + (f"\n{hit.post.url}" if hit.post.url else ""),
        )
    console.print(table)
