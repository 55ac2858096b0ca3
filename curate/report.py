"""report.html: a self-contained data card built from the manifest alone.

Plots are inline SVG (curate.charts), styles are inline: the file opens offline, mailed or
archived, with no external URL.
"""
from __future__ import annotations

import html
import json
from typing import Any

from curate.charts import grouped_bars, stacked_hbars

STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;
text-align:left;vertical-align:top}th{background:#f3f3f3}.ok{color:#161}.bad{color:#a11;font-weight:bold}
pre{background:#f7f7f7;padding:.6em;overflow:auto;max-height:24em}figure{margin:.5em 0 1.5em;overflow-x:auto}"""
TOP_LABELS = 20


def render_report(manifest: dict[str, Any]) -> str:
    sections = [
        _accounting(manifest),
        _warnings(manifest),
        _section("Per-pass funnel", _funnel_table(manifest) + _chart(_funnel_plot(manifest))),
        _section("Splits", _splits_table(manifest)),
        _section("Label distribution per split", _chart(_labels_plot(manifest))),
        _section("Lengths (characters)", _chart(_lengths_plot(manifest))),
        _section("Languages", _chart(_langs_plot(manifest))),
        _section("What the passes found", _infos(manifest)),
        _section("Inputs", _inputs(manifest)),
        _section("Recipe and environment", _pre({"recipe": manifest["recipe"],
                                                 "libraries": manifest["libraries"],
                                                 "timings": manifest["timings"]})),
    ]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>curate data card</title><style>{STYLE}</style></head><body>"
            "<h1>Data card</h1>" + "".join(sections) + "</body></html>\n")


def _e(value: Any) -> str:
    return html.escape(str(value))


def _section(title: str, body: str) -> str:
    return f"<h2>{_e(title)}</h2>\n{body}\n"


def _table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _pre(data: Any) -> str:
    return f"<pre>{_e(json.dumps(data, ensure_ascii=False, indent=2, default=str))}</pre>"


def _accounting(manifest) -> str:
    a = manifest["accounting"]
    css, word = ("ok", "holds") if a["ok"] else ("bad", "VIOLATED")
    return (f"<p class=\"{css}\">Accounting {word}: {a['rows_read']} rows read = "
            f"{a['rows_in_splits']} rows in splits + {a['rejects']} rejects "
            f"({a['copies']} balancing copies not counted).</p>")


def _warnings(manifest) -> str:
    """Guard warnings (curate/guards.py) first: a pass that removed too much or emptied a group."""
    warnings = manifest.get("warnings", [])
    if not warnings:
        return ("<p class=\"ok\">No guard warnings: no pass removed a large share or a whole label, "
                "file or task.</p>")
    items = "".join(f"<li>{_e(w['message'])}</li>" for w in warnings)
    return f"<h2>Warnings</h2>\n<ul class=\"bad\">{items}</ul>\n"


def _funnel_table(manifest) -> str:
    rows = [[p["name"], p["in"], p["out"], p["rejected"],
             ", ".join(f"{k}: {v}" for k, v in p["reasons"].items()),
             ", ".join(f"{k}: {v}" for k, v in p["counts"].items()),
             "" if p["seconds"] is None else f"{p['seconds']:.2f}"] for p in manifest["passes"]]
    return _table(["pass", "in", "out", "rejected", "reasons", "counts", "seconds"], rows)


def _splits_table(manifest) -> str:
    rows = [[name, s["rows"], s["copies"], len(s["labels"]), ", ".join(s["langs"])]
            for name, s in manifest["splits"].items()]
    return _table(["split", "rows", "balancing copies", "labels", "languages"], rows)


def _infos(manifest) -> str:
    parts = [f"<h3>{_e(p['name'])}</h3>{_before_after(p['info'])}{_pre(p['info'])}"
             for p in manifest["passes"] if p["info"]]
    return "".join(parts) or "<p>No pass reported structured findings.</p>"


def _before_after(info: dict[str, Any]) -> str:
    """A chart for each `<x>_before`/`<x>_after` pair of counts (balancing: labels before/after)."""
    charts = []
    for key in sorted(k for k in info if k.endswith("before")):
        before, after = info[key], info.get(key[:-len("before")] + "after")
        if not (_is_counts(before) and _is_counts(after)):
            continue
        names = sorted(set(before) | set(after), key=lambda n: (-before.get(n, 0), str(n)))[:TOP_LABELS]
        charts.append(_chart(grouped_bars([str(n) for n in names],
                                          {"before": [before.get(n, 0) for n in names],
                                           "after": [after.get(n, 0) for n in names]},
                                          xlabel=key[:-len("before")].strip("_") or "label")))
    return "".join(charts)


def _is_counts(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values())


def _inputs(manifest) -> str:
    rows = [[f["path"], f["format"], f["schema"], f["rows"], f["rejected"], f["sha256"][:16]]
            for f in manifest["inputs"]]
    skipped = [[s["path"], s["reason"]] for s in manifest["skipped"]]
    return (_table(["file", "format", "schema", "rows", "read rejects", "sha256 (prefix)"], rows)
            + "<h3>Skipped files</h3>"
            + (_table(["file", "reason"], skipped) if skipped else "<p>None.</p>"))


# --- plots ------------------------------------------------------------------------------------
def _chart(svg: str) -> str:
    return f"<figure>{svg}</figure>" if svg else "<p>No data.</p>"


def _funnel_plot(manifest) -> str:
    passes = manifest["passes"]
    return stacked_hbars([p["name"] for p in passes], {"kept": [p["out"] for p in passes],
                                                       "rejected": [p["rejected"] for p in passes]})


def _labels_plot(manifest) -> str:
    splits = manifest["splits"]
    totals: dict[str, int] = {}
    for s in splits.values():
        for label, n in s["labels"].items():
            totals[label] = totals.get(label, 0) + n
    top = sorted(totals, key=lambda k: (-totals[k], k))[:TOP_LABELS]
    return grouped_bars(top, {name: [s["labels"].get(l, 0) for l in top]
                              for name, s in splits.items() if s["rows"]}, xlabel="label")


def _langs_plot(manifest) -> str:
    splits = manifest["splits"]
    langs = sorted({l for s in splits.values() for l in s["langs"]})
    return grouped_bars(langs, {name: [s["langs"].get(l, 0) for l in langs]
                                for name, s in splits.items() if s["rows"]}, xlabel="language")


def _lengths_plot(manifest) -> str:
    """Share of each split per log2 length bin, over the bins that hold any record."""
    splits = {n: s for n, s in manifest["splits"].items() if s["rows"]}
    if not splits:
        return ""
    edges = next(iter(splits.values()))["lengths"]["bin_lower_edges"]
    charts = []
    for field in ("prompt_chars", "response_chars"):
        used = [i for i in range(len(edges)) if any(s["lengths"][field][i] for s in splits.values())]
        bins = list(range(used[0], used[-1] + 1)) if used else [0]
        charts.append(grouped_bars(
            [f"≥{edges[i]}" for i in bins],
            {name: [s["lengths"][field][i] / s["rows"] for i in bins] for name, s in splits.items()},
            xlabel="characters", ylabel="share of the split", percent=True,
            title=field.replace("_", " ")))
    return "".join(charts)
