"""report.md and a self-contained report.html from an eval folder's results.jsonl + metrics.json
(+ human.json when `sheet import` has run, + judgements.jsonl after --judge). Re-rendering needs
no model.

Order is the reader's: the verdict and any loud warning first, then the metrics with their 95%
intervals (bars with error bars, an inline PNG: no external files, URLs or scripts), the paired
differences, per-label accuracy, cost, quality against cost (an inline SVG: evalkit.charts), the
judge with its prompt, human ratings, and a few outputs side by side. Every model output is
HTML-escaped: a question about `<div>` tags shows as text.
"""
from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

from evalkit.results import read_results
from tunecraft.files import atomic_write_text

EXAMPLES = 5


def load(eval_dir: Path) -> tuple[list[dict], dict, dict | None]:
    rows = read_results(eval_dir / "results.jsonl")
    metrics = json.loads((eval_dir / "metrics.json").read_text(encoding="utf-8"))
    human_path = eval_dir / "human.json"
    human = json.loads(human_path.read_text(encoding="utf-8")) if human_path.is_file() else None
    return rows, metrics, human


def fmt(value) -> str:
    """A cell: intervals as "v [low, high]", differences as "+d [low, high] p=…", floats to 4 sig."""
    if isinstance(value, dict) and "value" in value:
        return f"{fmt(value['value'])} [{fmt(value.get('low'))}, {fmt(value.get('high'))}]"
    if isinstance(value, dict) and "diff" in value:
        p = f" p={fmt(value['p'])}" if value.get("p") is not None else ""
        return f"{value['diff']:+.4g} [{fmt(value.get('low'))}, {fmt(value.get('high'))}]{p}"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def grid(table: dict) -> tuple[list[str], list[list[str]]]:
    """A {row: {column: value}} mapping as (header, rows); scalars become a one-column table."""
    columns: list[str] = []
    for inner in table.values():
        for key in inner if isinstance(inner, dict) else ["value"]:
            if key not in columns:
                columns.append(key)
    body = [[str(name)] + [fmt(inner.get(c) if isinstance(inner, dict) else inner) for c in columns]
            for name, inner in table.items()]
    return [""] + columns, body


def sections(rows: list[dict], metrics: dict, human: dict | None,
             judge_human: dict | None = None) -> list[tuple[str, object]]:
    """(title, content) pairs shared by both renderings; content is text or a {row: {col}} table."""
    verdict = metrics.get("verdict") or {}
    out: list[tuple[str, object]] = [("Verdict", verdict.get("text") or verdict.get("decision", ""))]
    for warning in metrics.get("warnings") or []:
        out.append(("Warning", f"⚠ {warning}"))
    if metrics.get("baselines"):
        out.append(("What each baseline was given", _as_table(metrics["baselines"])))
    training = verdict.get("training")
    if training:
        out.append(("Training (run.json)", _as_table({k: v for k, v in training.items()
                                                      if k != "text"})))
    out.append(("Metrics (95% paired-bootstrap intervals)", metrics.get("systems") or {}))
    if metrics.get("comparisons"):
        out.append(("Fine-tuned minus each baseline", metrics["comparisons"]))
    if metrics.get("curve"):
        out.append(("Learning curve: the fine-tuned score by share of the training data",
                    {f"{p['fraction']:g}": {k: v for k, v in p.items() if k != "fraction"}
                     for p in metrics["curve"]}))
    if metrics.get("per_label"):
        out.append(("Per-label accuracy", metrics["per_label"]))
    if metrics.get("cost"):
        out += cost_sections(metrics["cost"])
    if metrics.get("frontier"):
        out += frontier_sections(metrics["frontier"], metrics.get("cost") or {})
    if metrics.get("judge"):
        out += judge_sections(metrics["judge"], judge_human)
    if human:
        out += human_sections(human)
    out.append(("Examples", examples(rows)))
    signatures = metrics.get("signatures") or {}
    recipe = {f"signature {k}": {"value": v} for k, v in signatures.items()} if isinstance(
        signatures, dict) else {"signatures": {"value": signatures}}
    recipe.update({k: {"value": metrics.get(k)} for k in ("n_items", "bootstrap", "missing")
                   if metrics.get(k) is not None})
    recipe.update({k: {"value": v} for k, v in (metrics.get("run") or {}).items()})
    out.append(("Recipe", recipe))
    return out


def cost_sections(cost: dict) -> list[tuple[str, object]]:
    """Per-request cost per system (with break-even against fine-tuned) and the training cost."""
    special = ("training", "break_even_requests", "unit", "cost_model", "build", "horizon_months")
    even = cost.get("break_even_requests") or {}
    per_system = {s: {**c, "break_even_requests": even.get(s)} for s, c in cost.items()
                  if s not in special and isinstance(c, dict)}
    training = {k: {"value": v} for k, v in (cost.get("training") or {}).items()}
    training["unit"] = {"value": cost.get("unit")}
    if cost.get("cost_model"):
        training["cost_model"] = {"value": cost["cost_model"]}
    return [("Cost per request (means; break-even = requests after which fine-tuning has paid "
             "for its training)", per_system), ("Training cost (run.json)", training)]


class Figure(str):
    """An inline SVG: drawn in report.html, its caption alone in report.md."""

    def __new__(cls, svg: str, caption: str):
        figure = super().__new__(cls, caption)
        figure.svg = svg
        return figure


def frontier_sections(front: dict, cost: dict) -> list[tuple[str, object]]:
    """The quality/cost chart, each system's point, what is dominated, the volume choice."""
    from evalkit.charts import frontier_svg
    from evalkit.frontier import fmt_cost

    unit, metric = front["unit"], front["metric"]
    label = "USD per 1,000 requests" if unit == "usd" else "compute-seconds per 1,000 requests"
    dominated, even = front.get("dominated") or {}, cost.get("break_even_requests") or {}
    monthly = (front.get("volume") or {}).get("monthly") or {}
    table = {}
    for s, p in front["points"].items():
        row = {metric: {"value": p["quality"], "low": p["low"], "high": p["high"]},
               label: p["cost"], "priced by": (cost.get(s) or {}).get("priced_by"),
               "dominated by": dominated.get(s), "break-even requests (fine-tuned vs this)": even.get(s)}
        if monthly:
            row["per month at volume"] = fmt_cost(monthly.get(s), unit)
        table[s] = row
    listed = "; ".join(f"{s} (by {by})" for s, by in dominated.items()) or "none"
    caption = (f"{metric} (95% interval) against {label}; the dashed line joins the systems no "
               f"other beats on both. Dominated — another system scores at least as well for at "
               f"most the cost: {listed}. Serving cost only: training is in the break-even counts"
               f" and the monthly costs (spread over {cost.get('horizon_months', 12):g} months).")
    out = [("Quality against cost", Figure(frontier_svg(front["points"], metric=metric,
                                                        cost_label=label, dominated=dominated),
                                           caption)),
           ("Quality and cost per system", table)]
    if front.get("volume"):
        out.append(("Which system to use at your volume", front["volume"]["text"]))
    return out


def judge_sections(judge: dict, judge_human: dict | None) -> list[tuple[str, object]]:
    """Win/tie/loss against each baseline, the judge's self-contradiction, its prompt, and its
    agreement with the human raters when sheets were imported."""
    table = {b: {k: s.get(k) for k in ("judged", "unparseable", "win", "tie", "loss", "net",
                                       "self_contradiction")}
             for b, s in (judge.get("baselines") or {}).items()}
    title = (f"Judge ({judge['judge']}): {judge['finetuned']} against each baseline, both orders "
             "(a win needs both; 95% item-bootstrap intervals; self_contradiction = share of "
             "items whose verdict changed with the order)")
    out = [(title, table),
           ("Judge prompt", {"system message": {"value": judge["system_prompt"]},
                             "user message": {"value": judge["template"]}})]
    if judge_human:
        out.append(("Judge agreement with the human raters (Cohen's κ over win/tie/loss)",
                    judge_human))
    return out


def human_sections(human: dict) -> list[tuple[str, object]]:
    """Win rates and mean ratings per system (with intervals), then who rated and how they agree."""
    facts = {k: {"value": v} for k, v in human.items()
             if k not in ("systems", "agreement", "ratings")}
    agreement = human.get("agreement") or {}
    facts.update({f"agreement {k}": {"value": v} for k, v in agreement.items()})
    return [("Human evaluation (95% item-bootstrap intervals)", human.get("systems") or {}),
            ("Human evaluation: raters and agreement", facts)]


def _as_table(value) -> dict:
    if isinstance(value, dict) and all(isinstance(v, dict) for v in value.values()):
        return value
    if isinstance(value, dict):
        return {k: {"value": v} for k, v in value.items()}
    return {"value": {"value": value}}


def examples(rows: list[dict], n: int = EXAMPLES) -> dict:
    """The first n items: input, reference and every system's output, side by side."""
    table: dict[str, dict] = {}
    for r in rows:
        if r["id"] not in table and len(table) >= n:
            continue
        entry = table.setdefault(r["id"], {"input": r.get("input") or r.get("prompt", ""),
                                           "reference": r["reference"]})
        entry[r["system"]] = r["output"]
    return table


def chart_png(metrics: dict) -> str | None:
    """Base64 PNG: one panel per metric, a bar per system with its interval as the error bar."""
    systems = metrics.get("systems") or {}
    names = sorted({m for per in systems.values() for m, v in per.items()
                    if isinstance(v, dict) and v.get("value") is not None})
    if not names:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(names), figsize=(2.6 * len(names), 3), squeeze=False)
    for ax, name in zip(axes[0], names):
        labels = [s for s in systems if (systems[s].get(name) or {}).get("value") is not None]
        cells = [systems[s][name] for s in labels]
        values = [c["value"] for c in cells]
        lows = [c["low"] if c.get("low") is not None else c["value"] for c in cells]
        highs = [c["high"] if c.get("high") is not None else c["value"] for c in cells]
        errors = [[max(0.0, v - lo) for v, lo in zip(values, lows)],
                  [max(0.0, hi - v) for v, hi in zip(values, highs)]]
        ax.bar(range(len(labels)), values, yerr=errors, capsize=4, color="#4878a8")
        ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right", fontsize=8)
        ax.set_title(name, fontsize=9)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, metadata={"Software": None})
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def to_markdown(parts) -> str:
    lines = ["# Evaluation report", ""]
    for title, content in parts:
        lines += [f"## {title}", ""]
        if isinstance(content, dict):
            header, body = grid(content)
            cell = lambda s: s.replace("|", "\\|").replace("\n", " ")  # noqa: E731
            lines.append("| " + " | ".join(header) + " |")
            lines.append("|" + "---|" * len(header))
            lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in body]
        else:
            lines.append(str(content))
        lines.append("")
    return "\n".join(lines)


def to_html(parts, png: str | None) -> str:
    e = html.escape
    out = ["<!doctype html><html><head><meta charset='utf-8'><title>Evaluation report</title>",
           "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
           "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;"
           "vertical-align:top;white-space:pre-wrap}.warn{color:#b00;font-weight:bold}</style>",
           "</head><body><h1>Evaluation report</h1>"]
    for title, content in parts:
        out.append(f"<h2>{e(title)}</h2>")
        if isinstance(content, dict):
            if title.startswith("Metrics") and png:
                out.append(f"<img alt='metrics with 95% intervals' src='data:image/png;base64,{png}'>")
            header, body = grid(content)
            out.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr>")
            out += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in body]
            out.append("</table>")
        else:
            css = " class='warn'" if title == "Warning" else ""
            if isinstance(content, Figure) and content.svg:
                out.append(f"<figure>{content.svg}</figure>")
            out.append(f"<p{css}>{e(str(content))}</p>")
    out.append("</body></html>")
    return "\n".join(out)


def write_report(eval_dir: str | Path) -> None:
    """(Re)write report.md and report.html in `eval_dir` from its saved results."""
    eval_dir = Path(eval_dir)
    rows, metrics, human = load(eval_dir)
    parts = sections(rows, metrics, human, judge_agreement(eval_dir, metrics, human))
    atomic_write_text(eval_dir / "report.md", to_markdown(parts))
    atomic_write_text(eval_dir / "report.html", to_html(parts, chart_png(metrics)))


def judge_agreement(eval_dir: Path, metrics: dict, human: dict | None) -> dict | None:
    """κ between the judge and each rater, from judgements.jsonl and human.json's ratings."""
    path = eval_dir / "judgements.jsonl"
    if not (human and human.get("ratings") and metrics.get("judge") and path.is_file()):
        return None
    from evalkit.judge import agreement_with_humans

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return agreement_with_humans(rows, human, metrics["judge"]["finetuned"])
