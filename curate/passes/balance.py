"""Even out the label distribution of the TRAIN split only (cap, oversample, temperature).

Validation and test records (and records without a label) pass through untouched and in order:
the evaluation must see the natural distribution. Labels are compared with surrounding whitespace
trimmed ("card_arrival " is card_arrival) and written back trimmed, in every split. Modes:
- `auto` (default): `cap` when the train labels look like classes or `per_label` is set (asked
  for), else `none`. A free-text label
  (a dialogue topic, a product title) is not a class to even out: capping it deletes rows for
  nothing. Classes: at least `min_mean` train rows per label on average and at most half of the
  labels seen only once (BANKING77: 77 labels, ~130 rows each; DialogSum topics: ~2 each).
- `cap`: at most `per_label` train records per label; the surplus is rejected ("balance_cap").
  With per_label unset: 10 x the MEAN class size (`max_ratio`), so only a class holding a large
  share of the data is trimmed and a balanced dataset is left as it is. Not the median: with a
  long tail of tiny intents the median is tiny and would cut every normal class.
- `oversample`: classes below `per_label` (default: the largest class) get copies up to it; a copy has
  id "<orig>#copy<k>" (k = 1, 2, ...), meta["copy_of"] = orig id, and comes right after its original.
- `temperature`: class sizes become proportional to n**T (T = `temperature`; 1 keeps the
  distribution, 0 makes it uniform) with the train size kept (largest-remainder rounding, ties by
  label name); shrinking classes drop records like `cap`, growing ones get copies like `oversample`.
- `none`: only report the counts.
No mode ever removes a class: every target is at least 1.
Which records are kept or copied is a seeded choice per label (random.Random(f"{seed}:{label}")),
so the result does not depend on the order labels are met in or on the other labels.
"""
from __future__ import annotations

import math
import random
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Iterator

from curate.passes.base import Context, Pass
from tunecraft.records import Record

MODES = ("auto", "cap", "oversample", "temperature", "none")


@dataclass
class BalanceConfig:
    mode: str = "auto"                 # auto | cap | oversample | temperature | none
    per_label: int | None = None       # N for cap / oversample
    max_ratio: float = 10.0            # cap default: per_label = ceil(max_ratio x mean class size)
    temperature: float = 0.5           # T for mode temperature
    min_mean: float = 3.0              # auto: mean train rows per label for labels to be classes

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        if self.per_label is not None and (not isinstance(self.per_label, int) or self.per_label < 1):
            raise ValueError(f"per_label must be a positive integer, got {self.per_label!r}")
        if not float(self.max_ratio) >= 1.0:
            raise ValueError(f"max_ratio must be >= 1, got {self.max_ratio!r}")
        if not 0.0 <= float(self.temperature) <= 1.0:
            raise ValueError(f"temperature must be between 0 and 1, got {self.temperature!r}")


class Balance(Pass):
    name = "balance"
    per_record = False
    Config = BalanceConfig

    def run(self, records: Iterable[Record], ctx: Context) -> Iterator[Record]:
        records = ctx.replayable(records)
        by_label: dict[str, list[int]] = {}
        unlabelled = 0
        for i, r in enumerate(records):
            label = _trimmed(r.label)
            if r.split in (None, "train"):
                if label is None:
                    unlabelled += 1
                else:
                    by_label.setdefault(label, []).append(i)
        before = {label: len(idx) for label, idx in sorted(by_label.items())}
        mode = self.resolved_mode(before)
        targets = self.targets(before, mode)
        copies: Counter[int] = Counter()
        dropped: set[int] = set()
        for label, idx in sorted(by_label.items()):
            rng = random.Random(f"{ctx.seed}:{label}")
            _resize(idx, targets[label], rng, dropped, copies)
        for i, record in enumerate(records):
            record.label = _trimmed(record.label)
            if i in dropped:
                ctx.reject(record, "balance_cap", mode=mode, label=record.label,
                           kept=targets[record.label])
                continue
            yield record
            for k in range(1, copies[i] + 1):
                yield _copy(record, k)
        after = {label: targets[label] for label in before}
        ctx.info.update(mode=mode, classes=looks_like_classes(before, self.config.min_mean),
                        train_label_counts_before=before,
                        train_label_counts_after=after, copies=sum(copies.values()),
                        dropped=len(dropped), unlabelled_train=unlabelled)
        ctx.count("copies", sum(copies.values()))

    def resolved_mode(self, counts: dict[str, int]) -> str:
        if self.config.mode != "auto":
            return self.config.mode
        asked = self.config.per_label is not None
        return "cap" if asked or looks_like_classes(counts, self.config.min_mean) else "none"

    def targets(self, counts: dict[str, int], mode: str | None = None) -> dict[str, int]:
        """Train size wanted per label; never 0 for a label that has records."""
        cfg = self.config
        mode = mode or self.resolved_mode(counts)
        if not counts or mode == "none":
            return dict(counts)
        if mode == "cap":
            cap = cfg.per_label or math.ceil(cfg.max_ratio * statistics.mean(counts.values()))
            return {label: min(n, cap) for label, n in counts.items()}
        if mode == "oversample":
            floor = cfg.per_label or max(counts.values())
            return {label: max(n, floor) for label, n in counts.items()}
        return _temperature_targets(counts, float(cfg.temperature))


def _trimmed(label) -> str | None:
    return None if label is None else str(label).strip()


def looks_like_classes(counts: dict[str, int], min_mean: float) -> bool:
    """Whether train label counts look like a class set rather than free text (module docstring)."""
    if not counts:
        return False
    singletons = sum(1 for n in counts.values() if n == 1)
    return sum(counts.values()) >= min_mean * len(counts) and singletons <= len(counts) / 2


def _temperature_targets(counts: dict[str, int], temperature: float) -> dict[str, int]:
    """Sizes proportional to n**T summing to the current total (largest remainder, min 1)."""
    total = sum(counts.values())
    weight = {label: n ** temperature for label, n in counts.items()}
    norm = sum(weight.values())
    exact = {label: total * w / norm for label, w in weight.items()}
    target = {label: max(1, math.floor(x)) for label, x in exact.items()}
    by_remainder = sorted(counts, key=lambda label: (-(exact[label] - math.floor(exact[label])), label))
    for label in by_remainder[:max(0, total - sum(target.values()))]:
        target[label] += 1
    while sum(target.values()) > total:  # the min-1 rule overshot: trim the largest
        largest = max(sorted(target), key=lambda label: target[label])
        target[largest] -= 1
    return target


def _resize(idx: list[int], target: int, rng: random.Random, dropped: set[int],
            copies: Counter) -> None:
    """Choose which of a label's records to drop (target < n) or copy (target > n)."""
    n = len(idx)
    if target < n:
        keep = set(rng.sample(idx, target))
        dropped.update(i for i in idx if i not in keep)
    elif target > n:
        extra = target - n
        full, rest = divmod(extra, n)  # every record copied `full` times, `rest` of them once more
        for i in idx:
            copies[i] += full
        for i in rng.sample(idx, rest):
            copies[i] += 1


def _copy(record: Record, k: int) -> Record:
    meta = dict(record.meta, copy_of=record.id)
    return Record(id=f"{record.id}#copy{k}", messages=[dict(m) for m in record.messages],
                  label=record.label, lang=record.lang, meta=meta, split=record.split,
                  prompt=record.prompt, completion=record.completion)
