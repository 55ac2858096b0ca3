"""Bar charts as inline SVG for the data card.

Why not matplotlib: the card has only bar charts, and importing matplotlib plus rendering four PNGs
took ~1.2 s of every curate run (a fifth of a 100k-record run's wall time) for images that blur
when zoomed and cannot be searched. SVG is text: the card stays one small self-contained file,
labels in any script render with the browser's fonts, and the same manifest gives the same bytes.
"""
from __future__ import annotations

import html
import math

COLORS = ("#3b75af", "#ef8636", "#519e3e", "#c53a32", "#8d69b8", "#84584e", "#d57dbf", "#7f7f7f")
FONT = "font-family=\"system-ui,sans-serif\" font-size=\"11\""


def _e(text) -> str:
    return html.escape(str(text))


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Round tick values from 0 to at least `top` (1, 2, 2.5 or 5 times a power of ten apart)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return [round(i * step, 12) for i in range(math.ceil(top / step - 1e-9) + 1)]


def _tick_label(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f}%" if value * 100 == round(value * 100) else f"{value * 100:.1f}%"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2g}"


def _legend(names: list[str], x: float, y: float, first_color: int = 0) -> str:
    items = []
    for k, name in enumerate(names):
        top = y + 15 * k
        items.append(f"<rect x=\"{x:.1f}\" y=\"{top:.1f}\" width=\"10\" height=\"10\" "
                     f"fill=\"{COLORS[(k + first_color) % len(COLORS)]}\"/><text x=\"{x + 14:.1f}\" y=\"{top + 9:.1f}\" "
                     f"{FONT}>{_e(name)}</text>")
    return "".join(items)


def grouped_bars(categories: list[str], series: dict[str, list[float]], *, xlabel: str,
                 ylabel: str = "records", percent: bool = False, title: str = "") -> str:
    """Vertical bars, one group per category, one colour per series; "" when there is no data."""
    if not categories or not series:
        return ""
    slot, left, top, plot_h = 14 * len(series) + 10, 56, 24, 170
    bottom = 34 + 4.5 * min(28, max(len(str(c)) for c in categories))   # room for slanted labels
    width = left + max(240, slot * len(categories)) + 110
    ticks = nice_ticks(max((v for values in series.values() for v in values), default=0))
    scale = plot_h / ticks[-1]
    parts = [f"<text x=\"{left}\" y=\"14\" {FONT} font-weight=\"bold\">{_e(title)}</text>" if title else ""]
    for t in ticks:
        y = top + plot_h - t * scale
        parts.append(f"<line x1=\"{left}\" x2=\"{left + slot * len(categories)}\" y1=\"{y:.1f}\" "
                     f"y2=\"{y:.1f}\" stroke=\"#ddd\"/><text x=\"{left - 4}\" y=\"{y + 4:.1f}\" "
                     f"text-anchor=\"end\" {FONT}>{_tick_label(t, percent)}</text>")
    bar = (slot - 10) / len(series)
    for i, category in enumerate(categories):
        x0 = left + i * slot + 5
        for k, (name, values) in enumerate(series.items()):
            h = values[i] * scale
            shown = _tick_label(values[i], percent) if percent else f"{values[i]:,}"
            parts.append(f"<rect x=\"{x0 + k * bar:.1f}\" y=\"{top + plot_h - h:.1f}\" width=\"{bar:.1f}\" "
                         f"height=\"{h:.1f}\" fill=\"{COLORS[k % len(COLORS)]}\">"
                         f"<title>{_e(category)}, {_e(name)}: {shown}</title></rect>")
        cx, cy = x0 + (slot - 10) / 2, top + plot_h + 10
        parts.append(f"<text x=\"{cx:.1f}\" y=\"{cy:.1f}\" text-anchor=\"end\" {FONT} "
                     f"transform=\"rotate(-45 {cx:.1f} {cy:.1f})\">{_e(category)}</text>")
    parts.append(f"<text x=\"{left + slot * len(categories) / 2:.1f}\" y=\"{top + plot_h + bottom - 4:.1f}\" "
                 f"text-anchor=\"middle\" {FONT}>{_e(xlabel)}</text>"
                 f"<text x=\"12\" y=\"{top + plot_h / 2:.1f}\" text-anchor=\"middle\" {FONT} "
                 f"transform=\"rotate(-90 12 {top + plot_h / 2:.1f})\">{_e(ylabel)}</text>")
    parts.append(_legend(list(series), left + slot * len(categories) + 16, top))
    return _svg(width, top + plot_h + bottom, parts)


def stacked_hbars(names: list[str], series: dict[str, list[int]], *, xlabel: str = "records") -> str:
    """Horizontal bars, one row per name, the series stacked left to right (kept | rejected)."""
    if not names:
        return ""
    left, top, row, plot_w = 110, 10, 20, 520
    totals = [sum(values[i] for values in series.values()) for i in range(len(names))]
    ticks = nice_ticks(max(totals, default=0))
    scale = plot_w / ticks[-1]
    height = top + row * len(names) + 40
    parts = []
    for t in ticks:
        x = left + t * scale
        parts.append(f"<line x1=\"{x:.1f}\" x2=\"{x:.1f}\" y1=\"{top}\" y2=\"{top + row * len(names)}\" "
                     f"stroke=\"#ddd\"/><text x=\"{x:.1f}\" y=\"{top + row * len(names) + 14}\" "
                     f"text-anchor=\"middle\" {FONT}>{_tick_label(t, False)}</text>")
    for i, name in enumerate(names):
        y, x = top + i * row, float(left)
        parts.append(f"<text x=\"{left - 6}\" y=\"{y + 14}\" text-anchor=\"end\" {FONT}>{_e(name)}</text>")
        for k, (part, values) in enumerate(series.items()):
            w = values[i] * scale
            parts.append(f"<rect x=\"{x:.1f}\" y=\"{y + 3}\" width=\"{w:.1f}\" height=\"{row - 6}\" "
                         f"fill=\"{COLORS[(k + 2) % len(COLORS)]}\"><title>{_e(name)}, {_e(part)}: "
                         f"{values[i]:,}</title></rect>")
            x += w
    parts.append(f"<text x=\"{left + plot_w / 2:.1f}\" y=\"{height - 6}\" text-anchor=\"middle\" "
                 f"{FONT}>{_e(xlabel)}</text>")
    parts.append(_legend(list(series), left + plot_w + 16, top, first_color=2))
    return _svg(left + plot_w + 110, height, parts)


def _svg(width: float, height: float, parts: list[str]) -> str:
    return (f"<svg role=\"img\" width=\"{width:.0f}\" "
            f"height=\"{height:.0f}\" viewBox=\"0 0 {width:.0f} {height:.0f}\">{''.join(parts)}</svg>")
