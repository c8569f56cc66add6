"""The report's pictures, drawn with matplotlib (Agg, no display) as PNG bytes: risks per day
by level, topics, the tone per day, and the map of risks by settlement. matplotlib ships the
DejaVu fonts, which have Cyrillic, so nothing is needed from the system."""
from __future__ import annotations

import io
import math

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot as plt  # noqa: E402  (after choosing the backend)
from matplotlib.figure import Figure  # noqa: E402

from reports.places import Spot  # noqa: E402
from reports.report import PeriodReport  # noqa: E402

LEVEL_COLOURS = {"critical": "#d62728", "high": "#ff7f0e", "medium": "#f2c12e"}
LEVEL_NAMES = {"critical": "критический", "high": "высокий", "medium": "средний"}
DPI = 150
TOPICS_SHOWN = 10


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def _figure(width: float = 9, height: float = 3.6) -> tuple[Figure, plt.Axes]:
    figure, axes = plt.subplots(figsize=(width, height))
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def risks_per_day(report: PeriodReport) -> bytes:
    """Stacked bars: risks received per day, by level."""
    figure, axes = _figure()
    labels = [f"{d.day:%d.%m}" for d in report.days]
    bottom = [0] * len(report.days)
    for level in ("critical", "high", "medium"):
        values = [d.levels.get(level, 0) for d in report.days]
        axes.bar(labels, values, bottom=bottom, color=LEVEL_COLOURS[level], label=LEVEL_NAMES[level])
        bottom = [b + v for b, v in zip(bottom, values)]
    axes.set_title("Риски по дням и уровням")
    axes.set_ylabel("рисков")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.legend(frameon=False, ncols=3)
    axes.tick_params(axis="x", rotation=60 if len(labels) > 10 else 0, labelsize=8)
    return _png(figure)


def topics(report: PeriodReport) -> bytes:
    """Horizontal bars: posts per topic, the negative part darker."""
    shown = [t for t in report.topics if t.posts][:TOPICS_SHOWN][::-1]
    figure, axes = _figure(height=0.35 * max(3, len(shown)) + 1)
    names = [t.label for t in shown]
    axes.barh(names, [t.posts for t in shown], color="#9ecae1", label="все публикации")
    axes.barh(names, [t.negative for t in shown], color="#de2d26", label="негативные")
    axes.set_title("Темы публикаций")
    axes.set_xlabel("публикаций")
    axes.legend(frameon=False, loc="lower right")
    axes.tick_params(axis="y", labelsize=8)
    return _png(figure)


def sentiment(report: PeriodReport) -> bytes:
    """Posts per day (bars) and the share of negative ones (line)."""
    figure, axes = _figure()
    labels = [f"{d.day:%d.%m}" for d in report.days]
    axes.bar(labels, [d.posts for d in report.days], color="#c6dbef", label="публикаций")
    axes.set_ylabel("публикаций")
    share = axes.twinx()
    share.plot(labels, [100 * d.negative / d.posts if d.posts else math.nan for d in report.days],
               color="#de2d26", marker="o", label="доля негатива, %")
    share.set_ylabel("доля негатива, %")
    share.set_ylim(0, 100)
    axes.set_title("Тональность по дням")
    handles = axes.get_legend_handles_labels()[0] + share.get_legend_handles_labels()[0]
    axes.legend(handles, [h.get_label() for h in handles], frameon=False, loc="upper left")
    axes.tick_params(axis="x", rotation=60 if len(labels) > 10 else 0, labelsize=8)
    return _png(figure)


def risk_map(report: PeriodReport, known: list[Spot]) -> bytes:
    """The district's known places (grey) and the period's risks by settlement (circles sized by
    the number of risks, coloured by the highest level), in an equirectangular projection."""
    figure, axes = plt.subplots(figsize=(7, 5.5))
    lats = [s.lat for s in known] + [p.lat for p in report.places]
    if lats:
        axes.set_aspect(1 / math.cos(math.radians(sum(lats) / len(lats))))
    axes.scatter([s.lon for s in known], [s.lat for s in known], s=8, color="#bdbdbd", zorder=1)
    for spot in known:
        axes.annotate(spot.name, (spot.lon, spot.lat), fontsize=6, color="#969696", xytext=(3, 3),
                      textcoords="offset points")
    for point in report.places:
        axes.scatter([point.lon], [point.lat], s=120 + 90 * point.risks, color=LEVEL_COLOURS.get(point.level, "#999"),
                     alpha=0.75, edgecolors="black", linewidths=0.6, zorder=2)
        axes.annotate(f"{point.name}: {point.risks}", (point.lon, point.lat), fontsize=9, weight="bold",
                      xytext=(8, -12), textcoords="offset points", zorder=3)
    for level, colour in LEVEL_COLOURS.items():
        axes.scatter([], [], s=80, color=colour, label=LEVEL_NAMES[level], edgecolors="black", linewidths=0.6)
    axes.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, title="высший уровень",
                title_fontsize=8)
    axes.set_title("Риски периода по населённым пунктам")
    axes.set_xlabel("долгота")
    axes.set_ylabel("широта")
    axes.margins(0.15)
    axes.grid(color="#eeeeee")
    return _png(figure)
