"""What each system costs per request, what training cost, and when fine-tuning pays for itself.

Prompting systems pay for long prompts (few-shot examples, retrieved passages) on every request;
the fine-tuned system pays once for training and then sends short prompts. The break-even request
count is training cost / (baseline's cost per request − fine-tuned cost per request).

Cost model (all keys optional):
    {"usd_per_1k_prompt_tokens": p, "usd_per_1k_completion_tokens": c, "train_usd_per_hour": h}
prices requests by tokens and training by wall-clock hours, in dollars. Without prices the unit
is compute-seconds: a request costs its measured latency, training its wall time.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from evalkit.results import ResultRow
    from train.card import RunCard

PRICE_KEYS = ("usd_per_1k_prompt_tokens", "usd_per_1k_completion_tokens", "train_usd_per_hour")


def request_costs(by_system: dict[str, list[ResultRow]]) -> dict[str, dict]:
    """Mean prompt tokens, completion tokens and latency per request, per system."""
    def mean(rows, key):
        values = [getattr(row, key) for row in rows if getattr(row, key) is not None]
        return float(np.mean(values)) if values else None

    return {system: {key: mean(rows, key) for key in ("prompt_tokens", "completion_tokens",
                                                      "latency_s")}
            for system, rows in by_system.items()}


def training_cost(train_card: RunCard | None) -> dict:
    """Training wall time and tokens from the run card; None for each without one (an adapter
    trained elsewhere), rather than failing the evaluation."""
    if train_card is None:
        return {"wall_time_s": None, "tokens": None}
    return {"wall_time_s": train_card.train_time_s, "tokens": train_card.tokens.all}


def _priced(cost_model: dict | None) -> bool:
    return bool(cost_model) and any(cost_model.get(key) is not None for key in PRICE_KEYS)


def per_request(costs: dict, cost_model: dict | None) -> float | None:
    """One request's cost in the model's unit (USD when priced, else compute-seconds)."""
    if _priced(cost_model):
        prompt, completion = costs["prompt_tokens"] or 0.0, costs["completion_tokens"] or 0.0
        return (prompt * cost_model.get("usd_per_1k_prompt_tokens", 0.0)
                + completion * cost_model.get("usd_per_1k_completion_tokens", 0.0)) / 1000
    return costs["latency_s"]


def train_total(training: dict, cost_model: dict | None) -> float | None:
    wall = training["wall_time_s"]
    if wall is None:
        return None
    if _priced(cost_model):
        return wall / 3600 * cost_model.get("train_usd_per_hour", 0.0)
    return wall


def break_even(train_cost: float | None, baseline_cost: float | None,
               finetuned_cost: float | None) -> int | None:
    """Requests after which the per-request saving has repaid training; None when it never does
    (fine-tuned requests are not cheaper) or a number is missing."""
    if None in (train_cost, baseline_cost, finetuned_cost):
        return None
    saving = baseline_cost - finetuned_cost
    if saving <= 0:
        return None
    return int(math.ceil(train_cost / saving - 1e-9)) if train_cost > 0 else 0  # 1e-9: float noise


def summarise(by_system: dict[str, list[ResultRow]], *, finetuned: str, train_card: RunCard | None,
              cost_model: dict | None) -> dict:
    """The `cost` section of metrics.json."""
    costs = request_costs(by_system)
    unit = "usd" if _priced(cost_model) else "compute_s"
    for system_costs in costs.values():
        system_costs[f"{unit}_per_request"] = per_request(system_costs, cost_model)
    training = training_cost(train_card)
    training[f"{unit}_total"] = train_total(training, cost_model)
    ft_cost = costs.get(finetuned, {}).get(f"{unit}_per_request")
    even = {system: break_even(training[f"{unit}_total"], c[f"{unit}_per_request"], ft_cost)
            for system, c in costs.items() if system != finetuned} if finetuned in costs else {}
    return {**costs, "training": training, "break_even_requests": even, "unit": unit,
            "cost_model": dict(cost_model or {})}
