"""Had the adapter finished training? Read from train's run.json, before any verdict blames
fine-tuning for a loss that an undertrained adapter would explain.

An adapter counts as possibly undertrained when training did not stop on convergence (early
stopping) and either
- its validation loss was still improving at the end: the last evaluation is the lowest so far and
  fell below the one before by more than the largest of
  - 1% of the loss before (a smaller fall is too small to act on),
  - the largest rise seen between two evaluations (the step-to-step wobble of training: a fall
    smaller than it is not evidence of progress), and
  - twice the fall's paired standard error over the validation examples (the card's `fall_se`,
    train/loss.py; older cards have none): a fall that another sample of as many examples could
    undo is not evidence either. It widens the margin where few or unevenly changing validation
    examples make the fall uncertain; on the demo's 48 rows the falls measured were 5-10
    standard errors (bench/RESULTS.md); or
- there is too little curve to judge convergence by: fewer than three evaluations (a start and an
  end cannot show a plateau; a flat two-point curve is more often an adapter that never moved,
  e.g. one step inside the warmup, than one that converged).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from train.card import RunCard

REL_MARGIN = 0.01
SE_MULTIPLE = 2.0          # ≈ a one-sided 98% bound on the fall
MIN_EVALUATIONS = 3
WHY = {"early_stopping": "early stopping (validation loss stopped improving)",
       "epochs": "the last planned epoch", "max_steps": "the step cap (--max-steps)",
       "time_budget": "the time budget (--time-budget)"}


def curve(card: RunCard) -> list[tuple[int, float, float | None]]:
    """(step, loss, fall_se) of the validation losses that are numbers (the card writes a NaN
    loss as null)."""
    return [(p.step, p.loss, p.fall_se) for p in card.history.validation
            if p.loss is not None and math.isfinite(p.loss)]


def still_improving(points: list[tuple]) -> dict | None:
    """The last fall of the validation loss when it exceeds the noise margin, else None."""
    if len(points) < 2:
        return None
    (prev_step, prev, *_), (last_step, last, *rest) = points[-2], points[-1]
    losses = [p[1] for p in points]
    rises = [b - a for a, b in zip(losses, losses[1:]) if b > a]
    se = rest[0] if rest and rest[0] is not None else 0.0
    margin = max(REL_MARGIN * prev, max(rises, default=0.0), SE_MULTIPLE * se)
    if prev - last <= margin or last > min(losses):
        return None
    return {"fell_pct": round(100 * (prev - last) / prev, 1), "over_steps": last_step - prev_step,
            "from": round(prev, 4), "to": round(last, 4), "margin": round(margin, 4)}


def assess(card: RunCard | None) -> dict | None:
    """{"undertrained", "stop_reason", "text", …} for a run card; None without one (an adapter
    trained elsewhere): nothing to judge by."""
    if card is None:
        return None
    reason, points = card.stop.reason, curve(card)
    falling = still_improving(points) if reason != "early_stopping" else None
    unjudged = reason != "early_stopping" and len(points) < MIN_EVALUATIONS
    result = {"undertrained": bool(falling or unjudged), "stop_reason": reason,
              "steps": card.steps, "evaluations": len(points), "still_improving": falling}
    if falling:
        result["text"] = (f"Fine-tuning may be undertrained: validation loss fell "
                          f"{falling['fell_pct']:g}% over the last {falling['over_steps']} steps "
                          f"({falling['from']:.4g} → {falling['to']:.4g}) and training stopped on "
                          f"{WHY.get(reason, reason)}.")
    elif unjudged:
        result["text"] = (f"Fine-tuning may be undertrained: training stopped on "
                          f"{WHY.get(reason, reason)} after {card.steps} steps with "
                          f"{len(points)} validation loss(es), too few to show it had converged.")
    return result
