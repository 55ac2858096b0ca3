"""Quality against cost as an inline SVG scatter for report.html.

SVG for the same reasons as curate's charts (curate/charts.py; evalkit may not import curate):
text that renders in any script, no network, no image files, and the same metrics give the same
bytes. Each system is a point at (cost per 1,000 requests, primary metric) with its 95% interval
as a vertical bar; the frontier (systems nobody dominates) is joined by a line; a dominated
system is drawn hollow and grey. The cost axis turns logarithmic when costs span over 20×, as
they do between a small local model and a large hosted one.
"""
from __future__ import annotations

import html
import math

FONT = "font-family=\"system-ui,sans-serif\" font-size=\"11\""
W, H, LEFT, TOP, PLOT_W, PLOT_H = 640, 330, 64, 16, 420, 250


def _e(text) -> str:
    return html.escape(str(text))


def _scale(low: float, high: float, size: float, log: bool, invert: bool = False):
    if log:
        low, high = math.log10(low), math.log10(high)
    span = (high - low) or 1.0

    def at(value: float) -> float:
        v = math.log10(value) if log else value
        frac = (v - low) / span
        return (1 - frac) * size if invert else frac * size
    return at


def frontier_svg(points: dict[str, dict], *, metric: str, cost_label: str,
                 dominated: dict[str, str]) -> str:
    """`points`: {system: {"quality", "low", "high", "cost"}} (cost per 1,000 requests); ""
    when fewer than one system has both numbers."""
    shown = {s: p for s, p in points.items() if p.get("quality") is not None and p.get("cost") is not None}
    if not shown:
        return ""
    costs = [p["cost"] for p in shown.values()]
    log = min(costs) > 0 and max(costs) / min(costs) > 20
    pad = 0.08 * ((max(costs) - min(costs)) or max(costs) or 1.0)
    x = _scale(min(costs) / 1.5 if log else max(0.0, min(costs) - pad),
               max(costs) * 1.5 if log else max(costs) + pad, PLOT_W, log)
    qs = [v for p in shown.values() for v in (p["quality"], p.get("low"), p.get("high")) if v is not None]
    qpad = 0.08 * ((max(qs) - min(qs)) or abs(max(qs)) or 1.0)
    y = _scale(min(qs) - qpad, max(qs) + qpad, PLOT_H, False, invert=True)
    parts = [f"<rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{PLOT_W}\" height=\"{PLOT_H}\" fill=\"none\" "
             f"stroke=\"#ccc\"/>"]
    front = sorted((s for s in shown if s not in dominated), key=lambda s: shown[s]["cost"])
    if len(front) > 1:
        path = " ".join(f"{LEFT + x(shown[s]['cost']):.1f},{TOP + y(shown[s]['quality']):.1f}" for s in front)
        parts.append(f"<polyline points=\"{path}\" fill=\"none\" stroke=\"#3b75af\" "
                     f"stroke-dasharray=\"4 3\"/>")
    for s, p in shown.items():
        cx, cy = LEFT + x(p["cost"]), TOP + y(p["quality"])
        if p.get("low") is not None and p.get("high") is not None:
            parts.append(f"<line x1=\"{cx:.1f}\" x2=\"{cx:.1f}\" y1=\"{TOP + y(p['low']):.1f}\" "
                         f"y2=\"{TOP + y(p['high']):.1f}\" stroke=\"#888\"/>")
        beaten = dominated.get(s)
        style = "fill=\"white\" stroke=\"#999\"" if beaten else "fill=\"#3b75af\" stroke=\"#3b75af\""
        grey = " fill=\"#999\"" if beaten else ""
        side, anchor = (-1, " text-anchor=\"end\"") if cx > LEFT + 0.6 * PLOT_W else (1, "")
        note = f" (dominated by {beaten})" if beaten else ""
        parts.append(f"<circle cx=\"{cx:.1f}\" cy=\"{cy:.1f}\" r=\"5\" {style}><title>{_e(s)}: "
                     f"{metric} {p['quality']:.4g}, {_e(cost_label)} {p['cost']:.4g}{_e(note)}"
                     f"</title></circle><text x=\"{cx + side * 8:.1f}\" y=\"{cy - 6:.1f}\" {FONT}"
                     f"{anchor}{grey}>{_e(s)}{_e(note)}</text>")
    parts.append(f"<text x=\"{LEFT + PLOT_W / 2:.0f}\" y=\"{TOP + PLOT_H + 30}\" text-anchor=\"middle\" "
                 f"{FONT}>{_e(cost_label)}{' (log scale)' if log else ''}</text>"
                 f"<text x=\"14\" y=\"{TOP + PLOT_H / 2:.0f}\" text-anchor=\"middle\" {FONT} "
                 f"transform=\"rotate(-90 14 {TOP + PLOT_H / 2:.0f})\">{_e(metric)} (95% interval)</text>")
    for value, label in ((min(costs), f"{min(costs):.3g}"), (max(costs), f"{max(costs):.3g}")):
        parts.append(f"<text x=\"{LEFT + x(value):.1f}\" y=\"{TOP + PLOT_H + 14}\" "
                     f"text-anchor=\"middle\" {FONT}>{label}</text>")
    for value in (min(qs), max(qs)):
        parts.append(f"<text x=\"{LEFT - 4}\" y=\"{TOP + y(value) + 4:.1f}\" text-anchor=\"end\" "
                     f"{FONT}>{value:.3g}</text>")
    return (f"<svg role=\"img\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\">"
            f"{''.join(parts)}</svg>")
