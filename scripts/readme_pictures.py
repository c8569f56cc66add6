"""Draw the README's pictures of the reports from the demo district (run from the repository root):

    .venv/bin/python scripts/readme_pictures.py [docs/ru/img]

It renders the demo sources for a fixed moment, scans them into a temporary store, works a few
risks through the decree's procedure (so that the ratings have answers and verdicts), builds the
fortnight's report and writes: the rating table (from the PDF's rating page), the chart of risks
per day, and the PDF's first page. Needs pdftoppm (poppler-utils).
"""
from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import collectors  # noqa: E402,F401  (registers the source models)
from alerts import workflow  # noqa: E402
from core.config import load_config  # noqa: E402
from core.domain import Answer  # noqa: E402
from demo.render import render  # noqa: E402
from pipeline.pipeline import Pipeline  # noqa: E402
from reports import charts  # noqa: E402
from reports.files import write_report  # noqa: E402
from reports.period import rolling  # noqa: E402

ANCHOR = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
WIDTH = 900


def demo_store(folder: Path) -> Path:
    render(folder / "demo", ANCHOR)
    data = yaml.safe_load((ROOT / "config/demo.yaml").read_text(encoding="utf-8"))
    data.update(gazetteer=str(ROOT / "config/gazetteer/pestovo.yaml"), rubricator=str(ROOT / "config/rubricator.yaml"),
                store=f"sqlite:///{folder / 'mcu.sqlite'}")
    data["alerts"]["sinks"] = [{"type": "file", "path": str(folder / "alerts.txt")}]
    for source in data["sources"]:
        source["replay"] = str(folder / "demo" / source["replay"].removeprefix("../data/demo/"))
    config = folder / "mcu.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    pipeline = Pipeline.open(load_config(config))
    try:
        for source in pipeline.settings.sources:
            pipeline.scan_source(source.key)
        pipeline.raise_alerts(now=ANCHOR)
        work(pipeline.store)
    finally:
        pipeline.close()
    return config


def work(store) -> None:
    """Take every other risk within an hour of its story's start; answer some in time, some late."""
    risks = sorted(store.list_risks(), key=lambda r: r.number)
    for i, risk in enumerate(risks):
        start = store.get_story(risk.story_id).first_seen
        if i % 2:
            continue
        taken = min(start + timedelta(hours=1 + 20 * (i % 3)), ANCHOR)
        workflow.take(store, risk.id, "Дежурный МЦУ", taken)
        if i % 3 != 2:
            answer = Answer(text="Администрация сообщает о принятых мерах.", platforms=["VK"],
                            links=[f"https://vk.com/wall-1_{i}"], actor="Дежурный МЦУ", at=min(taken + timedelta(hours=3), ANCHOR))
            workflow.record_answer(store, risk.id, answer)


def small(png: bytes | Path, out: Path, crop: tuple[float, float] | None = None) -> None:
    image = Image.open(io.BytesIO(png) if isinstance(png, bytes) else png).convert("RGB")
    if crop:
        image = image.crop((0, int(image.height * crop[0]), image.width, int(image.height * crop[1])))
    if image.width > WIDTH:
        image = image.resize((WIDTH, round(image.height * WIDTH / image.width)), Image.LANCZOS)
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)
    print(out, image.size, out.stat().st_size, "bytes")


def main(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = demo_store(folder)
        settings = load_config(config)
        from store import open_store

        with open_store(settings.store, str.split) as db:
            report, paths = write_report(db, settings, rolling(timedelta(days=14), ANCHOR, settings.timezone),
                                         ANCHOR + timedelta(hours=2), folder / "reports", ("pdf",))
        subprocess.run(["pdftoppm", "-r", "110", "-png", "-f", "1", "-l", "3", str(paths[0]), str(folder / "page")],
                       check=True)
        pages = sorted(folder.glob("page-*.png"))
        small(pages[0], target / "report-page.png")
        rating_page = next(p for p in pages if "рейтинг" in subprocess.run(
            ["pdftotext", "-f", str(pages.index(p) + 1), "-l", str(pages.index(p) + 1), str(paths[0]), "-"],
            capture_output=True, text=True, check=True).stdout.lower())
        small(rating_page, target / "rating.png", crop=(0.0, 0.5))
        small(charts.risks_per_day(report), target / "chart-risks-per-day.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs/ru/img")
