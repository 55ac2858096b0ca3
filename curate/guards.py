"""Guards: a pass that deletes a large share of the data, or a whole class, file or sub-task.

"accounting ok" proves nothing was lost silently, not that nothing was lost wrongly: a default
that drops every train row of one tool-use sub-task still balances the books. So after a run,
every pass is checked for
- `removed_share`: it rejected more than MAX_REMOVED_SHARE of the records it was given;
- `emptied`: a label, a source file or a sub-task (meta `task`/`subtask`/... column) that had at
  least MIN_GROUP_ROWS rows read has no train row left, and this pass rejected some of its rows
  (all passes that did are named, the one that rejected most first).
- `conversation_cut`: a conversation ran past the largest shard (curate.executor.MAX_SHARD), so
  a pass that reads whole conversations (pii's spread of a name) saw it in pieces.
Warnings go into the manifest, the terminal summary and the data card; `curate run --strict`
turns them into a failed run (exit 3). Groups below MIN_GROUP_ROWS rows are too small to
call a task: a single refusal-boilerplate row of its own label is not a lost class.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Iterable

from tunecraft.records import Record

MAX_REMOVED_SHARE = 0.25
MIN_GROUP_ROWS = 5
TASK_KEYS = ("task", "subtask", "sub_task", "task_name", "task_type", "dataset")
GROUP_KINDS = ("label", "source", "task")


def source_of(record_id: str) -> str:
    """The input file of a record id "<file>:<line>[k]#copyN"."""
    return record_id.rpartition(":")[0] or record_id


def task_of(record: Record) -> str | None:
    for key in TASK_KEYS:
        value = record.meta.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and len(str(value)) <= 100:
            return str(value).strip()
    return None


def groups_of(record: Record) -> dict[str, str]:
    """kind -> value for the groups a record belongs to (label, source file, sub-task)."""
    groups = {"source": source_of(record.id)}
    if record.label is not None:
        groups["label"] = str(record.label).strip()
    task = task_of(record)
    if task:
        groups["task"] = task
    return groups


class RejectedGroups(defaultdict):
    """(kind, value) -> pass -> rows rejected: all the guards need of the rejects, counted while
    they stream to rejects.jsonl (so the rejects themselves are never held)."""

    def __init__(self, rejects: Iterable = ()):
        super().__init__(Counter)
        for reject in rejects:
            self.add(reject)

    def add(self, reject) -> None:
        for kind, value in groups_of(reject.record).items():
            self[kind, value][reject.pass_name] += 1


def guard_warnings(passes: list[dict[str, Any]], splits: dict[str, Any],
                   rejected: RejectedGroups) -> list[dict[str, Any]]:
    """The warnings of the module docstring, in pass order, from the manifest's pass and split
    stats and the rejects' groups."""
    warnings = [w for p in passes if (w := _removed_share(p))]
    warnings += [w for p in passes if (w := _conversation_cut(p))]
    return warnings + _emptied(splits, rejected, [p["name"] for p in passes])


def _removed_share(p: dict[str, Any]) -> dict[str, Any] | None:
    if not p["in"] or p["rejected"] / p["in"] <= MAX_REMOVED_SHARE:
        return None
    share = p["rejected"] / p["in"]
    reasons = ", ".join(f"{k} {v}" for k, v in list(p["reasons"].items())[:3])
    return {"kind": "removed_share", "pass": p["name"], "share": round(share, 4),
            "message": f"{p['name']} removed {p['rejected']} of {p['in']} records ({share:.0%}; "
                       f"over {MAX_REMOVED_SHARE:.0%}): {reasons}"}


def _conversation_cut(p: dict[str, Any]) -> dict[str, Any] | None:
    counts = p.get("counts", {})
    capped, crossed = counts.get("conversation_cut:shard_cap", 0), counts.get("conversation_cut:file_boundary", 0)
    if not capped + crossed:
        return None
    why = " and ".join(w for n, w in ((capped, "it ran past the largest shard"),
                                      (crossed, "it ran from one file into the next")) if n)
    return {"kind": "conversation_cut", "pass": p["name"], "cuts": capped + crossed,
            "message": f"{p['name']} saw a conversation in pieces {capped + crossed} time(s): {why}, and a "
                       "value found in one piece is not replaced in the next (docs/DESIGN.md, PII)"}


def _emptied(splits: dict[str, Any], rejected: RejectedGroups, order: list[str]) -> list[dict[str, Any]]:
    kept: dict[tuple[str, str], Counter] = defaultdict(Counter)       # (kind, value) -> split -> rows
    for split, stats in splits.items():
        for kind in GROUP_KINDS:
            for value, n in stats.get(_STATS_KEY[kind], {}).items():
                kept[kind, value][split] += n
    warnings = []
    for (kind, value), by_pass in sorted(rejected.items()):
        in_splits = kept.get((kind, value), Counter())
        if in_splits["train"] or sum(by_pass.values()) + sum(in_splits.values()) < MIN_GROUP_ROWS:
            continue
        culprits = sorted(by_pass, key=lambda name: (-by_pass[name], _rank(order, name)))
        held_out = in_splits["validation"] + in_splits["test"]
        warnings.append({
            "kind": "emptied", "pass": culprits[0], "passes": culprits, "group": kind, "value": value,
            "message": f"no train row left of {kind} '{value}': "
                       + ", ".join(f"{name} removed {by_pass[name]}" for name in culprits)
                       + (f"; {held_out} remain in validation/test" if held_out else "")})
    return sorted(warnings, key=lambda w: (_rank(order, w["pass"]), w["group"], w["value"]))


_STATS_KEY = {"label": "labels", "source": "sources", "task": "tasks"}


def _rank(order: list[str], name: str) -> int:
    return order.index(name) if name in order else -1
