"""The report's charts as inline SVG, drawn in Python: no script, no request, printable.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described
by a ``<desc>`` that states what a sighted reader would take from it (the
figures are also in the report's tables and CSV files). Colour is never the
only signal: flagged items differ by shape and carry their id, the pass mark
is a labelled dashed line, and the heatmap has a labelled legend and marks
cells with no answers by a pattern. Every text is escaped here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

import numpy as np
from markupsafe import Markup
from numpy.typing import NDArray

from curriculum.assess._analysis import ItemResult

__all__ = ["difficulty_discrimination", "mastery_heatmap", "score_distribution"]

INK = "#1b1b1b"
MUTED = "#595959"
BAR = "#1f4e79"
MAX_BARS = 40
MAX_COLUMNS = 60
HEAT = ("#f1f6fb", "#c6dbef", "#7fb0d8", "#3b7bb8", "#0d3f73")
"""Five steps of mastery, 0-20% ... 80-100%, light to dark."""


def _svg(ident: str, width: int, height: int, title: str, desc: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{ident}-t {ident}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "middle", size: int = 12, extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{INK}"{extra}>'
        f"{escape(text)}</text>"
    )


def _line(x1: float, y1: float, x2: float, y2: float, colour: str = MUTED, dash: str = "") -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}"{dashed}/>'


def score_distribution(
    ident: str, title: str, distribution: Sequence[int], cut: int | None, items: int
) -> Markup:
    """Return a histogram of the number correct (bars of several scores when there are many).

    Parameters
    ----------
    ident : str
        A prefix for the element ids, unique in the page.
    title : str
        The chart's title.
    distribution : Sequence[int]
        Learners with each number correct, 0 to ``items``.
    cut : int | None
        The lowest passing number correct, drawn as a dashed line.
    items : int
        Items in the quiz.
    """
    width, height, left, bottom, top = 640, 260, 48, 40, 16
    plot_w, plot_h = width - left - 16, height - bottom - top
    step = max(1, math.ceil(len(distribution) / MAX_BARS))
    bins = [sum(distribution[i : i + step]) for i in range(0, len(distribution), step)]
    highest = max(max(bins), 1)
    bar_w = plot_w / len(bins)
    body = [
        _line(left, top + plot_h, left + plot_w, top + plot_h, INK),
        _line(left, top, left, top + plot_h, INK),
    ]
    for tick in _ticks(highest):
        y = top + plot_h - tick / highest * plot_h
        body += [_line(left - 4, y, left, y, INK), _text(left - 7, y + 4, f"{tick:g}", "end", 11)]
    for b, count in enumerate(bins):
        if count:
            h = count / highest * plot_h
            body.append(
                f'<rect x="{left + b * bar_w + 1:.1f}" y="{top + plot_h - h:.1f}" '
                f'width="{max(bar_w - 2, 1):.1f}" height="{h:.1f}" fill="{BAR}"/>'
            )
    for b in range(0, len(bins), max(1, len(bins) // 10)):
        low = b * step
        label = f"{low}" if step == 1 else f"{low}-{min(low + step - 1, items)}"
        body.append(_text(left + (b + 0.5) * bar_w, top + plot_h + 15, label, size=10))
    body.append(_text(left + plot_w / 2, height - 6, f"Items correct (of {items})", size=12))
    if cut is not None:
        x = left + (cut / step) * bar_w
        body += [_line(x, top, x, top + plot_h, INK, "5 4"), _text(x + 4, top + 10, "pass mark", "start", 11)]
    n = sum(distribution)
    scores = np.repeat(np.arange(len(distribution)), distribution)
    desc = (
        f"Histogram of the number of items correct for {n} learner{'s' if n != 1 else ''}"
        + (f", in bars of {step} scores" if step > 1 else "")
        + (
            f": lowest {scores.min()}, median {np.median(scores):g}, highest {scores.max()} of {items}"
            if n
            else ""
        )
        + (
            f"; the pass mark is {cut} correct, and {int((scores >= cut).sum())} reached it."
            if cut is not None
            else "."
        )
    )
    return _svg(ident, width, height, title, desc, body)


def difficulty_discrimination(ident: str, title: str, items: Sequence[ItemResult]) -> Markup:
    """Return a scatter plot of item difficulty (p) against upper-lower discrimination (D).

    Items with an error flag are drawn as crosses and labelled with their id,
    items with a warning as open squares, the others as dots; dashed lines
    mark p = 0.30 and 0.90 and D = 0.20.
    """
    width, height, left, bottom, top, right = 640, 340, 52, 44, 16, 16
    plot_w, plot_h = width - left - right, height - bottom - top

    def x(p: float) -> float:
        return left + p * plot_w

    def y(d: float) -> float:
        return top + (1 - (d + 1) / 2) * plot_h

    body = [
        _line(left, top + plot_h, left + plot_w, top + plot_h, INK),
        _line(left, top, left, top + plot_h, INK),
        _line(x(0.3), top, x(0.3), top + plot_h, MUTED, "4 4"),
        _line(x(0.9), top, x(0.9), top + plot_h, MUTED, "4 4"),
        _line(left, y(0.2), left + plot_w, y(0.2), MUTED, "4 4"),
        _line(left, y(0.0), left + plot_w, y(0.0), MUTED),
        _text(left + plot_w - 2, y(0.2) - 4, "D = 0.20", "end", 10),
    ]
    for v in (0, 0.25, 0.5, 0.75, 1):
        body.append(_text(x(v), top + plot_h + 15, f"{v:.2f}", size=10))
    for v in (-1, -0.5, 0, 0.5, 1):
        body.append(_text(left - 6, y(v) + 4, f"{v:.1f}", "end", 10))
    body.append(_text(left + plot_w / 2, height - 8, "Difficulty p (proportion correct)", size=12))
    body.append(
        _text(
            14,
            top + plot_h / 2,
            "Discrimination D",
            size=12,
            extra=f' transform="rotate(-90 14 {top + plot_h / 2:.1f})"',
        )
    )
    plotted, errors, warnings = 0, [], 0
    for item in items:
        if math.isnan(item.d) or math.isnan(item.p):
            continue
        plotted += 1
        cx, cy = x(item.p), y(item.d)
        severities = {f.severity for f in item.flags}
        if "error" in severities:
            errors.append(item.id)
            body.append(
                f'<path d="M{cx - 5:.1f},{cy - 5:.1f}L{cx + 5:.1f},{cy + 5:.1f}M{cx - 5:.1f},{cy + 5:.1f}'
                f'L{cx + 5:.1f},{cy - 5:.1f}" stroke="#a4161a" stroke-width="2.5"/>'
            )
            anchor = "end" if item.p > 0.7 else "start"
            body.append(_text(cx + (-8 if anchor == "end" else 8), cy - 6, item.id, anchor, 10))
        elif "warning" in severities:
            warnings += 1
            body.append(
                f'<rect x="{cx - 3.5:.1f}" y="{cy - 3.5:.1f}" width="7" height="7" '
                f'fill="none" stroke="{INK}"/>'
            )
        else:
            body.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3.5" fill="{BAR}"/>')
    desc = (
        f"Scatter plot of {plotted} items: difficulty p across, discrimination D up. "
        f"{len(errors)} item{'s' if len(errors) != 1 else ''} with an error flag (crosses"
        + (f": {', '.join(errors[:12])}{' and more' if len(errors) > 12 else ''}" if errors else "")
        + f"), {warnings} with a warning (open squares), the rest dots. "
        "Dashed lines mark p = 0.30 and 0.90, and D = 0.20."
    )
    return _svg(ident, width, height, title, desc, body)


def mastery_heatmap(
    ident: str,
    title: str,
    rows: Sequence[str],
    learners: Sequence[str],
    matrix: NDArray[np.float64],
    split: int | None = None,
) -> Markup:
    """Return a heatmap of mastery, rows by learners (grouped when there are many learners).

    Parameters
    ----------
    ident : str
        A prefix for the element ids.
    title : str
        The chart's title.
    rows : Sequence[str]
        Row labels (objective ids, subcompetency codes).
    learners : Sequence[str]
        Column labels.
    matrix : ndarray of shape (len(rows), len(learners))
        Proportion correct, NaN where the learner answered no item of the row.
    split : int | None
        Rows before this index are objectives, the others subcompetencies: a gap separates them.
    """
    overall = np.array([np.nanmean(c) if not np.all(np.isnan(c)) else -1.0 for c in matrix.T])
    order = np.argsort(overall, kind="stable")
    size = max(1, math.ceil(len(order) / MAX_COLUMNS))
    groups = [order[i : i + size] for i in range(0, len(order), size)]
    cells = np.full((len(rows), len(groups)), math.nan)
    for g, members in enumerate(groups):
        block = matrix[:, members]
        seen = ~np.all(np.isnan(block), axis=1)
        cells[seen, g] = np.nanmean(block[seen], axis=1)
    label_w = 12 + 7 * max((len(r) for r in rows), default=4)
    cell_w = max(8.0, min(28.0, 560 / max(len(groups), 1)))
    cell_h = 18
    head = 110 if size == 1 else 24
    gap = 8 if split is not None and 0 < split < len(rows) else 0
    width = int(max(label_w + cell_w * len(groups) + 70, label_w + 5 * 70 + 110))
    height = int(head + cell_h * len(rows) + gap + 64)

    def row_y(r: int) -> float:
        return head + r * cell_h + (gap if split is not None and r >= split else 0)

    none = f"url(#{escape(ident)}-none)"
    body = [
        f'<defs><pattern id="{escape(ident)}-none" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#ffffff"/>'
        f'<path d="M0,6L6,0" stroke="{MUTED}" stroke-width="1"/></pattern></defs>'
    ]
    for r, label in enumerate(rows):
        body.append(_text(label_w - 6, row_y(r) + 13, label, "end", 11))
        for g in range(len(groups)):
            value = cells[r, g]
            fill = none if math.isnan(value) else HEAT[min(int(value * 5), 4)]
            body.append(
                f'<rect x="{label_w + g * cell_w:.1f}" y="{row_y(r):.1f}" width="{cell_w:.1f}" '
                f'height="{cell_h}" fill="{fill}" stroke="#ffffff"/>'
            )
    if size == 1:
        for g, members in enumerate(groups):
            name = learners[int(members[0])]
            short = name if len(name) <= 16 else name[:15] + "…"
            cx = label_w + (g + 0.5) * cell_w
            body.append(
                _text(cx, head - 6, short, "start", 10, f' transform="rotate(-60 {cx:.1f} {head - 6})"')
            )
    else:
        body.append(
            _text(
                label_w, head - 8, f"Learners from lowest to highest overall, {size} per column", "start", 11
            )
        )
    legend_y = head + cell_h * len(rows) + gap + 18
    for s, colour in enumerate(HEAT):
        lx = label_w + s * 70
        body.append(
            f'<rect x="{lx}" y="{legend_y}" width="14" height="14" fill="{colour}" stroke="{MUTED}"/>'
        )
        body.append(_text(lx + 18, legend_y + 11, f"{s * 20}-{s * 20 + 20}%", "start", 10))
    lx = label_w + 5 * 70
    body.append(f'<rect x="{lx}" y="{legend_y}" width="14" height="14" fill="{none}" stroke="{MUTED}"/>')
    body.append(_text(lx + 18, legend_y + 11, "not answered", "start", 10))
    weakest = []
    for r, label in enumerate(rows):
        column = cells[r][~np.isnan(cells[r])]
        if column.size:
            weakest.append((float(np.mean(column)), label))
    weakest.sort()
    desc = (
        f"Heatmap of mastery (proportion correct) for {len(rows)} objectives and subcompetencies across "
        f"{len(learners)} learners"
        + (f", in {len(groups)} columns of {size} learners ordered by overall score" if size > 1 else "")
        + ". Darker is higher. "
        + (f"Lowest rows: {'; '.join(f'{lab} {val:.0%}' for val, lab in weakest[:3])}. " if weakest else "")
        + "The exact figures are in objectives.csv and mastery.csv."
    )
    return _svg(ident, width, height, title, desc, body)


def _ticks(highest: float) -> list[float]:
    raw = highest / 4
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(step, 1)
    return [i * step for i in range(int(highest // step) + 1)]
