"""Quality against cost: which systems are worth running at all, and which to run at a volume.

A system is dominated when another scores at least as well on the primary metric and costs at
most as much per request, and is strictly better on one of the two: nobody should pick it,
whatever they value. The frontier is judged on point estimates (it is a picture of the trade-off);
the choice at a volume is judged on paired intervals, because it is a decision.

The choice at `--requests-per-month N`: a system's monthly cost is N × its cost per request plus
its one-off build cost (training) spread over the horizon (evalkit.cost.HORIZON_MONTHS unless the
cost model says otherwise). A system is out when another beats it on the primary metric by more
than the minimum effect across the whole 95% paired interval; among the rest, the cheapest a
month is the one to use. So fine-tuning wins at a volume either by being better (significantly)
or, when the test cannot tell the two apart, by being cheaper once its training is amortised: the
choice flips at break-even / horizon requests a month.
"""
from __future__ import annotations

import numpy as np

from . import stats


def dominated(points: dict[str, tuple[float, float]], higher_is_better: bool = True) -> dict[str, str]:
    """{system: a system that dominates it}. `points`: {system: (quality, cost per request)};
    of several dominators the best-scoring (then cheapest, then first by name) is named."""
    sign = 1 if higher_is_better else -1
    out = {}
    for s, (q, c) in points.items():
        better = [t for t, (tq, tc) in points.items() if t != s and sign * tq >= sign * q
                  and tc <= c and (sign * tq > sign * q or tc < c)]
        if better:
            out[s] = min(better, key=lambda t: (-sign * points[t][0], points[t][1], t))
    return out


def pair_leads(samples: dict[str, np.ndarray], values: dict[str, float],
               higher_is_better: bool) -> dict[tuple[str, str], tuple[float, float, float]]:
    """{(a, b): (a's lead over b, low, high)} for every ordered pair, paired over the same
    resamples, oriented so that a positive lead means a is better."""
    sign = 1.0 if higher_is_better else -1.0
    out = {}
    for a in samples:
        for b in samples:
            if a != b:
                low, high = stats.interval(sign * (samples[a] - samples[b]))
                out[a, b] = (sign * (values[a] - values[b]), low, high)
    return out


def monthly_costs(cost: dict, per_month: int) -> dict[str, float | None]:
    """N requests × cost per request + build cost / horizon, per system (None: not priced)."""
    unit, horizon = cost["unit"], cost.get("horizon_months") or 12
    builds = cost.get("build") or {}
    out = {}
    for system, c in cost.items():
        if not isinstance(c, dict) or f"{unit}_per_request" not in c:
            continue
        request, build = c[f"{unit}_per_request"], builds.get(system, 0.0)
        out[system] = None if request is None or build is None else per_month * request + build / horizon
    return out


def fmt_cost(value: float | None, unit: str) -> str:
    if value is None:
        return "not priced"
    if unit == "usd":
        return f"${value:,.2f}" if value >= 0.01 or value == 0 else f"${value:.2g}"
    return f"{value:,.4g} compute-s"


def _lead_text(lead: tuple, a: str, b: str, metric: str) -> str:
    diff, low, high = lead
    return (f"{a} leads {b} on {metric} by {diff:+.3g} (95% paired interval {low:+.3g} to "
            f"{high:+.3g})")


def choose_at_volume(monthly: dict[str, float | None], leads: dict, *, per_month: int,
                     horizon: float, unit: str, metric: str, min_effect: float = 0.0) -> dict:
    """The system to use at `per_month` requests, the evidence for it, and the sentence."""
    priced = {s: m for s, m in monthly.items() if m is not None}
    if not priced:
        return {"requests_per_month": per_month, "choice": None, "text":
                f"At {per_month:,} requests a month: cannot price any system (see the cost model)."}
    beaten = {}
    for s in priced:
        better = [b for b in priced if (b, s) in leads and leads[b, s][1] > min_effect]
        if better:
            beaten[s] = max(better, key=lambda b: (leads[b, s][0], b))
    left = [s for s in priced if s not in beaten] or list(priced)
    choice = min(left, key=lambda s: (priced[s], s))
    text = (f"At {per_month:,} requests a month (one-off costs such as training spread over "
            f"{horizon:g} months), use {choice}: {fmt_cost(priced[choice], unit)} a month.")
    cheaper = sorted((s for s in priced if priced[s] < priced[choice]), key=priced.get)
    if cheaper:
        s = cheaper[0]
        by = choice if (choice, s) in leads else beaten[s]
        text += (f" The cheaper {s} ({fmt_cost(priced[s], unit)}) scores worse: "
                 f"{_lead_text(leads[by, s], by, s, metric)}.")
    unpriced = [s for s, m in monthly.items() if m is None]
    if unpriced:
        text += (f" Not priced, so not considered: {', '.join(unpriced)} (a missing price, or a "
                 "training cost unknown without run.json).")
    rivals = [s for s in left if s != choice and (s, choice) in leads and leads[s, choice][0] > 0]
    if rivals:
        s = max(rivals, key=lambda r: leads[r, choice][0])
        text += (f" {s} scores higher but not by a margin the test can confirm "
                 f"({_lead_text(leads[s, choice], s, choice, metric)}) and costs "
                 f"{fmt_cost(priced[s], unit)} a month.")
    return {"requests_per_month": per_month, "horizon_months": horizon, "choice": choice,
            "monthly": monthly, "ruled_out": beaten, "metric": metric, "text": text}


def judge_leads(judge: dict, finetuned: str) -> dict:
    """The judge's net preference as leads between the fine-tuned system and each baseline."""
    out = {}
    for baseline, said in (judge.get("baselines") or {}).items():
        net = said.get("net")
        if net:
            out[finetuned, baseline] = (net["diff"], net["low"], net["high"])
            out[baseline, finetuned] = (-net["diff"], -net["high"], -net["low"])
    return out


def summarise(systems: dict, samples: dict, cost: dict, *, metric: str, higher_is_better: bool,
              per_month: int | None = None, min_effect: float = 0.0,
              leads: dict | None = None, lead_metric: str | None = None) -> dict:
    """metrics.json's `frontier`: each system's quality and cost per 1,000 requests, the
    dominated ones, and (with `per_month`) the system to use at that volume. `leads` (named
    `lead_metric`) replace the metric's paired leads: the judge's, under --primary judge."""
    unit = cost["unit"]
    points = {}
    for s, per in systems.items():
        if metric in per and isinstance(cost.get(s), dict):
            q = per[metric]
            points[s] = {"quality": q["value"], "low": q.get("low"), "high": q.get("high"),
                         "cost": cost[s].get(f"{unit}_per_1k_requests")}
    known = {s: (p["quality"], p["cost"]) for s, p in points.items()
             if p["quality"] is not None and p["cost"] is not None}
    out = {"metric": metric, "unit": unit, "points": points,
           "dominated": dominated(known, higher_is_better)}
    if per_month:
        if leads is None:
            have = [s for s in points if metric in samples.get(s, {})]
            leads = pair_leads({s: samples[s][metric] for s in have},
                               {s: points[s]["quality"] for s in have}, higher_is_better)
        out["volume"] = choose_at_volume(monthly_costs(cost, per_month), leads,
                                         per_month=per_month, horizon=cost["horizon_months"],
                                         unit=unit, metric=lead_metric or metric,
                                         min_effect=min_effect)
    return out
