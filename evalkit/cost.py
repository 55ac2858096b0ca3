"""What each system costs per request, what building it cost, and when fine-tuning pays for itself.

Prompting systems pay for long prompts (few-shot examples, retrieved passages) on every request;
the fine-tuned system pays once for training and then sends short prompts. The break-even request
count is training cost / (baseline's cost per request − fine-tuned cost per request).

Where a request's price comes from, first match wins:
- the system's `price` in the systems file ({prompt_per_1m, completion_per_1m}, USD per million
  tokens): a hosted or served endpoint, priced by the tokens its server reported;
- the cost model's per-token prices (`usd_per_1k_prompt_tokens`, `usd_per_1k_completion_tokens`):
  the local model hosted somewhere that bills by the token;
- the cost model's `usd_per_hour`: the local machine, priced by measured compute time (a
  request's share of its batch's wall time, × the share of the machine its process held: 1/2 in
  each of two `--workers` processes, which run side by side). An endpoint without a `price` has no
  compute time we pay for, so it stays unpriced rather than being given a number from another machine.
Without any price the unit is compute-seconds of the machine: a local request costs its measured
latency × that share, and training its wall time (it held the whole machine).

Building a system: the fine-tuned one costs its training, from run.json (wall time ×
`train_usd_per_hour`, default `usd_per_hour`) or as the user states it (`train_usd`); prompting
systems cost nothing to build; `build_usd` ({system: USD}) sets any system's one-off cost (a copy
of the adapter served by vLLM, say).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from evalkit.results import ResultRow
    from train.card import RunCard

PRICE_KEYS = ("usd_per_1k_prompt_tokens", "usd_per_1k_completion_tokens", "usd_per_hour",
              "train_usd_per_hour", "train_usd", "build_usd")
MODEL_KEYS = PRICE_KEYS + ("horizon_months",)
HORIZON_MONTHS = 12
"""Training is spread over this many months when a monthly cost is asked for (`horizon_months`
in the cost model): a year is the usual life of a model before data drift forces a retrain."""


def check_cost_model(cost_model: dict | None) -> dict | None:
    """Unknown keys and negative prices fail in one line (a typo would silently cost nothing)."""
    for key, value in (cost_model or {}).items():
        if key not in MODEL_KEYS:
            raise ValueError(f"unknown key {key!r}; known: {', '.join(MODEL_KEYS)}")
        values = value.values() if key == "build_usd" and isinstance(value, dict) else [value]
        if any(isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 for v in values):
            raise ValueError(f"{key} must be a non-negative number (or {{system: number}} for "
                             f"build_usd), got {value!r}")
    if (cost_model or {}).get("horizon_months") == 0:
        raise ValueError("horizon_months must be above 0")
    return cost_model


def request_costs(by_system: dict[str, list[ResultRow]]) -> dict[str, dict]:
    """Mean prompt tokens, completion tokens and latency per request, per system."""
    def mean(rows, key):
        values = [getattr(row, key) for row in rows if getattr(row, key) is not None]
        return float(np.mean(values)) if values else None

    return {system: {key: mean(rows, key) for key in ("prompt_tokens", "completion_tokens",
                                                      "latency_s")}
            for system, rows in by_system.items()}


def _compute_s(rows) -> float | None:
    """Mean machine-seconds per request: latency × the share of the machine its process held."""
    values = [row.latency_s * (row.machine_share or 1.0) for row in rows if row.latency_s is not None]
    return float(np.mean(values)) if values else None


def training_cost(train_card: RunCard | None) -> dict:
    """Training wall time and tokens from the run card; None for each without one (an adapter
    trained elsewhere), rather than failing the evaluation."""
    if train_card is None:
        return {"wall_time_s": None, "tokens": None}
    return {"wall_time_s": train_card.train_time_s, "tokens": train_card.tokens.all}


def _priced(cost_model: dict | None, prices: dict | None = None) -> bool:
    return (bool(cost_model) and any(cost_model.get(key) is not None for key in PRICE_KEYS)) \
        or any(p for p in (prices or {}).values())


def _token_price(rows, per_prompt_token: float, per_completion_token: float) -> float | None:
    """Mean over requests of tokens × price; None when no request reported its tokens."""
    costs = [(r.prompt_tokens or 0) * per_prompt_token + (r.completion_tokens or 0) * per_completion_token
             for r in rows if r.prompt_tokens is not None or r.completion_tokens is not None]
    return float(np.mean(costs)) if costs else None


def price_system(rows, cost_model: dict | None, price: dict | None,
                 endpoint: bool, priced: bool) -> tuple[float | None, str]:
    """(cost of one request in the run's unit, how it was priced); `priced`: the unit is USD."""
    model = cost_model or {}
    if price:
        return (_token_price(rows, price.get("prompt_per_1m", 0.0) / 1e6,
                             price.get("completion_per_1m", 0.0) / 1e6),
                "tokens reported × the systems file's price")
    if endpoint:
        return None, "endpoint without a price in the systems file"
    if not priced:
        return _compute_s(rows), "measured compute-seconds"
    if model.get("usd_per_1k_prompt_tokens") is not None or \
            model.get("usd_per_1k_completion_tokens") is not None:
        return (_token_price(rows, model.get("usd_per_1k_prompt_tokens", 0.0) / 1e3,
                             model.get("usd_per_1k_completion_tokens", 0.0) / 1e3),
                "tokens × the cost model's per-token price")
    compute_s = _compute_s(rows)
    if model.get("usd_per_hour") is not None and compute_s is not None:
        return (compute_s * model["usd_per_hour"] / 3600,
                f"measured compute time × ${model['usd_per_hour']:g}/hour")
    return None, "no price for a local system (give usd_per_hour in --cost-model)"


def train_total(training: dict, cost_model: dict | None, priced: bool | None = None) -> float | None:
    """Training in the run's unit: the stated price, else wall time × the hourly price."""
    model = cost_model or {}
    priced = _priced(cost_model) if priced is None else priced
    if priced and model.get("train_usd") is not None:
        return float(model["train_usd"])
    wall = training["wall_time_s"]
    if wall is None:
        return None
    if priced:
        hourly = model.get("train_usd_per_hour", model.get("usd_per_hour"))
        return None if hourly is None else wall / 3600 * hourly
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


def build_costs(systems, finetuned: str, train_cost: float | None, cost_model: dict | None) -> dict:
    """One-off cost of each system: training for the fine-tuned one, nothing for prompting."""
    given = (cost_model or {}).get("build_usd") or {}
    return {s: float(given[s]) if s in given else (train_cost if s == finetuned else 0.0)
            for s in systems}


def summarise(by_system: dict[str, list[ResultRow]], *, finetuned: str, train_card: RunCard | None,
              cost_model: dict | None, prices: dict | None = None,
              endpoints: frozenset | set = frozenset()) -> dict:
    """The `cost` section of metrics.json. `prices`: {system: the systems file's price or None};
    `endpoints`: the systems served over HTTP (no local compute time to price)."""
    prices = prices or {}
    costs = request_costs(by_system)
    priced = _priced(cost_model, prices)
    unit = "usd" if priced else "compute_s"
    for system, system_costs in costs.items():
        value, basis = price_system(by_system[system], cost_model,
                                    prices.get(system), system in endpoints, priced)
        system_costs[f"{unit}_per_request"] = value
        system_costs[f"{unit}_per_1k_requests"] = None if value is None else value * 1000
        system_costs["priced_by"] = basis
    training = training_cost(train_card)
    training[f"{unit}_total"] = train_total(training, cost_model, priced)
    if priced and (cost_model or {}).get("train_usd") is not None:
        training["priced_by"] = "train_usd given in the cost model"
    builds = build_costs(costs, finetuned, training[f"{unit}_total"],
                         cost_model if priced else None)
    ft_cost = costs.get(finetuned, {}).get(f"{unit}_per_request")
    even = {system: break_even(builds[finetuned] - builds[system], c[f"{unit}_per_request"], ft_cost)
            if builds[finetuned] is not None and builds[system] is not None
            and builds[system] < builds[finetuned] else None
            for system, c in costs.items() if system != finetuned} if finetuned in costs else {}
    return {**costs, "training": training, "build": builds, "break_even_requests": even,
            "unit": unit, "cost_model": dict(cost_model or {}),
            "horizon_months": (cost_model or {}).get("horizon_months", HORIZON_MONTHS)}
