"""Rich output of the CLI: scan progress, the scan summary, search results. All in Russian."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from core.text import excerpt
from pipeline.pipeline import ScanObserver
from pipeline.report import ScanReport, SourceReport

SENTIMENT_RU = {"negative": "негатив", "neutral": "нейтрально", "positive": "позитив"}
LEVEL_SHORT = {"critical": "риск: крит", "high": "риск: выс", "medium": "риск: ср"}


class ScanDisplay(ScanObserver):
    """A progress bar over sources, with the current source and stage."""

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
        self.progress.update(self.task, description=escape(key))

    def stage(self, key: str, stage: str) -> None:
        self.progress.update(self.task, description=escape(f"{key}: {stage}"))

    def notice(self, text: str) -> None:
        self.progress.console.print(text, style="yellow", markup=False, highlight=False)

    def source_finished(self, report: SourceReport) -> None:
        mark = "[red]✗[/]" if report.error else "[green]✓[/]"
        self.progress.console.print(f"{mark} {escape(report.key)}: {report.fetched} получено, {report.new} новых"
                                    + (f" — [red]{escape(report.error)}[/]" if report.error else ""),
                                    highlight=False)
        self.progress.advance(self.task)


def print_summary(console: Console, report: ScanReport) -> None:
    table = Table(title="Итоги сканирования")
    for column, justify in (("источник", "left"), ("получено", "right"), ("новых", "right"),
                            ("обновл.", "right"), ("пропущ.", "right"), ("сек", "right"), ("ошибка", "left")):
        table.add_column(column, justify=justify)
    for s in report.sources:
        table.add_row(Text(s.name), str(s.fetched), str(s.new), str(s.updated), str(s.skipped),
                      f"{s.seconds:.1f}", Text(s.error or ""))
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
    if report.stopped:
        console.print("[yellow]Скан остановлен по сигналу[/] после записи перечисленных источников; "
                      "остальные источники и алерты — при следующем запуске.")


def print_hits(console: Console, hits, settings, query: str) -> None:
    """Hits as a table whose text column gets the width: short columns never wrap, the text is cut
    to what fits in two or three lines; every user text is printed as text, never as markup."""
    if not hits:
        console.print("Ничего не найдено.")
        return
    topics = {t.code: t.label for t in settings.rubricator.topics}
    names = {s.key: s.name for s in settings.sources}
    narrow = console.width < 110
    title = f"Найдено: {len(hits)}" + (f" по запросу «{query}»" if query else "")
    table = Table(title=Text(title), show_lines=True, expand=True, padding=(0, 1) if not narrow else (0, 0))
    table.add_column("дата", no_wrap=True, width=11)
    table.add_column("источник", max_width=12 if narrow else 22, overflow="ellipsis", no_wrap=narrow)
    if not narrow:
        table.add_column("тема", max_width=18, overflow="ellipsis")
        table.add_column("места", max_width=18, overflow="ellipsis")
    table.add_column("тон·риск", no_wrap=True, width=10)
    table.add_column("текст", ratio=1, min_width=20, overflow="fold")
    text_width = max(20, console.width - (40 if narrow else 95))
    for hit in hits:
        a = hit.analysis
        tone = SENTIMENT_RU.get(a.sentiment.label, "") if a else ""
        level = LEVEL_SHORT.get(a.risk.level, "") if a else ""
        text = excerpt(hit.post.display_text, text_width * 3) + (f"\n{hit.post.url}" if hit.post.url else "")
        row = [hit.post.published_at.strftime("%d.%m %H:%M"), Text(names.get(hit.post.source, hit.post.source))]
        if not narrow:
            row += [Text(topics.get(a.topic.code, a.topic.code) if a else ""), Text(", ".join(a.places) if a else "")]
        row += [Text(f"{tone}\n{level}" if level else tone), Text(text)]
        table.add_row(*row)
    console.print(table)
