"""Seeded train/validation/test split: stratified by label, group-aware, independent of chunking.

- Units: records sharing `meta["cluster_id"]` (near-duplicate cluster) or `meta["conversation_id"]`
  are one unit (transitively), so a group never straddles splits; any other record is its own unit.
- Strata: with `by: label`, a unit's stratum is its most common label (ties: the smallest label);
  records without a label form one stratum of their own. `by: null` gives one stratum.
- Targets per stratum: ratios × records, rounded by largest remainder; when the stratum has at least
  one record per split with a non-zero ratio, each such split gets >= 1, taken from the largest.
  Small-class rule: a stratum with fewer records than that is kept whole in train (a model can still
  learn it; an evaluation on one example is noise); its labels go to ctx.info["train_only_labels"].
  Exception: when such classes hold > 10% of all records (a near-unique label column), they are
  pooled into one stratum and split by the ratios instead; ctx.info["pooled_labels"] counts them.
- Order: units are visited in the order of blake2b(seed, unit key) and each goes to the split
  furthest below its target, so the result depends only on the records and the seed, never on the
  order or chunking in which they arrive.
- Output order: shuffled by blake2b(seed, record id), so a split read from the top (`--limit 30`)
  is a sample of every label, not the first labels of a file sorted by label; the order depends
  only on the records and the seed, so reruns are byte-identical.
"""
from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from curate.passes.base import Context, Pass
from tunecraft.records import Record

SPLITS = ("train", "validation", "test")
GROUP_KEYS = ("cluster_id", "conversation_id")
RARE = "\x00rare"  # the pooled stratum of too-small classes (see SplitPass._pool_rare)


@dataclass
class SplitConfig:
    ratios: list[float] = field(default_factory=lambda: [0.8, 0.1, 0.1])
    by: str | None = "label"

    def __post_init__(self):
        self.ratios = [float(r) for r in self.ratios]
        if len(self.ratios) != 3 or any(r < 0 for r in self.ratios) or abs(sum(self.ratios) - 1) > 1e-6:
            raise ValueError(f"ratios must be three non-negative numbers summing to 1, got {self.ratios}")
        if self.by not in ("label", None):
            raise ValueError(f"by must be 'label' or null, got {self.by!r}")


def largest_remainder(n: int, ratios: list[float]) -> list[int]:
    exact = [n * r for r in ratios]
    counts = [int(x) for x in exact]
    order = sorted(range(len(ratios)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    return counts


def targets(n: int, ratios: list[float]) -> list[int] | None:
    """Records per split for a stratum of n, or None when it is too small for every split."""
    needed = [i for i, r in enumerate(ratios) if r > 0]
    if n < len(needed):
        return None
    counts = largest_remainder(n, ratios)
    for i in needed:
        if counts[i] == 0:
            donor = max(range(len(counts)), key=lambda j: (counts[j], -j))
            counts[donor] -= 1
            counts[i] = 1
    return counts


class KeyUnion(dict):
    """Union-find over group keys (path halving): a record holding several keys links them."""

    def find(self, key: str) -> str:
        while self.setdefault(key, key) != key:
            self[key] = self[self[key]]
            key = self[key]
        return key

    def link(self, keys: list[str]) -> None:
        for key in keys[1:]:
            a, b = self.find(keys[0]), self.find(key)
            self[max(a, b)] = min(a, b)


def group_units(records: Iterable[Record]) -> list[str]:
    """Unit key per record: records linked by a shared group id get the same key (union-find)."""
    union, keyed = KeyUnion(), []
    for record in records:
        keys = [f"{g}:{record.meta[g]}" for g in GROUP_KEYS if record.meta.get(g) not in (None, "")]
        union.link(keys)
        keyed.append(keys or f"id:{record.id}")
    return [union.find(keys[0]) if isinstance(keys, list) else keys for keys in keyed]


class SplitPass(Pass):
    name = "split"
    per_record = False
    Config = SplitConfig

    def run(self, records: Iterable[Record], ctx: Context) -> Iterator[Record]:
        records = ctx.replayable(records)
        labels: list[str | None] = []
        units = group_units(_noting_labels(records, labels))
        members: dict[str, list[int]] = defaultdict(list)
        for i, unit in enumerate(units):
            members[unit].append(i)
        del units
        strata: dict[str, list[str]] = defaultdict(list)
        for unit, idx in members.items():
            strata[self._stratum(labels, idx)].append(unit)
        pooled = self._pool_rare(strata, members, len(records))
        if pooled:
            ctx.info["pooled_labels"] = pooled
        train_only, split_of = [], bytearray(len(records))     # index into SPLITS, per record
        for stratum in sorted(strata):
            if not self._assign(stratum, strata[stratum], members, split_of, ctx.seed):
                train_only.append(stratum)
        self._report(labels, split_of, train_only, ctx)

        def assigned() -> Iterator[Record]:
            for i, record in enumerate(records):
                record.split = SPLITS[split_of[i]]
                yield record
        yield from ctx.sorted_by_digest(assigned(), lambda r: _digest(ctx.seed, "\x00order", r.id),
                                        len(records))

    def _pool_rare(self, strata, members, n_records: int) -> int:
        """When too-small classes hold > 10% of the records (e.g. a near-unique label column),
        sending them all to train would starve validation/test: split them as one stratum."""
        size = {s: sum(len(members[u]) for u in units) for s, units in strata.items()}
        rare = [s for s in sorted(strata) if targets(size[s], self.config.ratios) is None]
        if sum(size[s] for s in rare) <= 0.1 * n_records:
            return 0
        strata[RARE] = [u for s in rare for u in strata.pop(s)]
        return len(rare)

    def _stratum(self, labels: list[str | None], idx: list[int]) -> str:
        if self.config.by is None:
            return ""
        found = Counter(labels[i] for i in idx if labels[i] is not None)
        if not found:
            return "\x00unlabelled"
        return min(found.items(), key=lambda kv: (-kv[1], kv[0]))[0]

    def _assign(self, stratum, units, members, split_of: bytearray, seed) -> bool:
        want = targets(sum(len(members[u]) for u in units), self.config.ratios)
        if want is None:
            for u in units:
                for i in members[u]:
                    split_of[i] = 0
            return False
        have = [0, 0, 0]
        for unit in sorted(units, key=lambda u: _digest(seed, stratum, u)):
            best = max(range(3), key=lambda s: (want[s] - have[s], -s))
            have[best] += len(members[unit])
            for i in members[unit]:
                split_of[i] = best
        return True

    def _report(self, labels: list[str | None], split_of: bytearray, train_only: list[str],
                ctx: Context) -> None:
        counts: dict[str, Counter] = {s: Counter() for s in SPLITS}
        for label, split in zip(labels, split_of):
            counts[SPLITS[split]][label] += 1
        ctx.info["split_sizes"] = {s: sum(counts[s].values()) for s in SPLITS}
        if self.config.by == "label" and any(label is not None for label in labels):
            ctx.info["label_counts"] = {s: dict(sorted((k, v) for k, v in counts[s].items() if k is not None))
                                        for s in SPLITS}
            ctx.info["train_only_labels"] = [s for s in train_only if not s.startswith("\x00")]


def _noting_labels(records: Iterable[Record], labels: list[str | None]) -> Iterator[Record]:
    """`records`, appending each one's label (as text, one string object per distinct label) to
    `labels` on the way."""
    seen: dict[str, str] = {}
    for record in records:
        label = None if record.label is None else str(record.label)
        labels.append(None if label is None else seen.setdefault(label, label))
        yield record


def _digest(seed: int, stratum: str, unit: str) -> bytes:
    return hashlib.blake2b(f"{seed}\x1f{stratum}\x1f{unit}".encode(), digest_size=8).digest()
