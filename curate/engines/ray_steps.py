"""Whole-dataset passes as distributed steps on Ray Data, deciding exactly what the pass decides.

Why steps and not the pass's `run` on the driver: `run` needs every record in one process; here
the records wait in Ray's object store (`Parked`, in input order, the driver keeps references),
the per-record work runs as `map_batches` tasks, and only the grouping is a shuffle (`groupby`),
as NeMo Curator and Data-Juicer do their fuzzy dedup. Each step reuses the pass's own functions
(dedup_exact's `prepare`, balance's `_resize`, ...) and then hands the pipeline the records in
input order with the pass's rejects, meta and ctx.info: what the local engine writes, byte for
byte.

- exact dedup: key per record (the pass's `prepare`) → groupby key → every member after the
  first in input order is a duplicate of the first. The driver keeps the duplicates' decisions.
- near dedup: its own module (ray_near.py): integer band rows in the shuffle, candidate pairs
  verified in a join against one copy of the shingle sets per partition that needs them.
- balance: train label counts by groupby → the pass's targets → per label, the pass's seeded
  choice (`balance._resize`) of records to drop or copy; copies made as the pass makes them.
Split and decontaminate have modules of their own (ray_split.py, ray_decontaminate.py).
Shuffles group by a coarse partition number derived from the key, not by the key itself: Ray
calls `map_groups` once per group, and one Python call per bucket would cost more than the work.
A partition holds every row of each of its keys, and the group function runs the per-key rule
over all of them with numpy.
"""
from __future__ import annotations

import hashlib
import random
from bisect import bisect_right
from collections import Counter
from itertools import islice
from typing import Any, Iterable, Iterator

import numpy as np

from curate.passes.balance import Balance, _copy, _resize, looks_like_classes
from curate.executor import Held
from curate.passes.base import Context, Pass
from curate.passes.dedup_exact import DedupExactPass
from curate.passes.dedup_near import DedupNear
from tunecraft.records import Record

BLOCK = 4096            # records per parked block (and per task)
PARTITIONS_PER_CPU = 2  # shuffle partitions of a groupby, per CPU of the cluster (Ray's default: 200)


class Parked:
    """Records in Ray's object store, in blocks, in input order: the driver holds references
    and each block's size. `put` parks records the driver has; a step's tasks make the others."""

    def __init__(self, ray, refs: list, sizes: Iterable[int]):
        self.ray, self.refs, self.starts, self.n = ray, list(refs), [], 0
        for size in sizes:
            self.starts.append(self.n)
            self.n += int(size)

    @classmethod
    def of(cls, ray, records: Iterable[Record] | Held) -> "Parked":
        """The records a step gets: the step before's blocks as they are, else parked here."""
        return records.value() if isinstance(records, Held) else cls.put(ray, records)

    @classmethod
    def put(cls, ray, records: Iterable[Record]) -> "Parked":
        refs, sizes, it = [], [], iter(records)
        while block := list(islice(it, BLOCK)):
            refs.append(ray.put(block))
            sizes.append(len(block))
        return cls(ray, refs, sizes)

    def __len__(self) -> int:
        return self.n

    def __iter__(self) -> Iterator[Record]:
        """The records, streamed to the driver one block at a time (for what is not a step)."""
        return (record for _, record in self.numbered())

    def numbered(self) -> Iterator[tuple[int, Record]]:
        for start, ref in zip(self.starts, self.refs):
            yield from enumerate(self.ray.get(ref), start=start)

    def dataset(self, fn, **kwargs):
        """A Ray dataset of `fn(records of a block, first seq, **kwargs)` over every block."""
        from ray import data

        items = [{"block": i} for i in range(len(self.refs))]
        ds = data.from_items(items, override_num_blocks=max(1, len(items)))
        return ds.map_batches(_per_block, batch_size=1, fn_kwargs=dict(
            fn=fn, refs=self.refs, starts=self.starts, kwargs=kwargs))

    def partitions(self) -> int:
        """Shuffle partitions of a groupby: PARTITIONS_PER_CPU per CPU of the cluster."""
        return PARTITIONS_PER_CPU * max(1, int(self.ray.cluster_resources().get("CPU", 1)))

    def grouped(self, fn, then, **kwargs):
        """`fn(block, start, parts=P, ...)` over every block (its rows carry a column "part" in
        [0, P)), grouped by "part", and `then` over each group. Coarse groups on purpose: a Ray
        `map_groups` call per bucket or per key would be one Python call per record; here a
        group holds many keys whole and `then` works on all of them with numpy."""
        parts = self.partitions()
        return self.dataset(fn, parts=parts, **kwargs).groupby("part", num_partitions=parts).map_groups(
            then[0], fn_kwargs=then[1], batch_format="numpy")


def _per_block(batch, *, fn, refs, starts, kwargs):
    import ray

    outs = [fn(ray.get(refs[int(i)]), starts[int(i)], **kwargs) for i in batch["block"]]
    return {k: np.concatenate([o[k] for o in outs]) for k in outs[0]}


def ids_at(ray, parked: Parked, seqs: Iterable[int]) -> dict[int, str]:
    """{seq: id} of a few parked records, read in a task per block that holds some."""
    by_block: dict[int, list[int]] = {}
    for seq in sorted(set(seqs)):
        by_block.setdefault(bisect_right(parked.starts, seq) - 1, []).append(seq)
    task = ray.remote(_ids_in_block)
    got = ray.get([task.remote(parked.refs[b], [s - parked.starts[b] for s in seqs_])
                   for b, seqs_ in by_block.items()])
    return {s: i for (b, seqs_), ids in zip(by_block.items(), got) for s, i in zip(seqs_, ids)}


def _ids_in_block(block: list, positions: list[int]) -> list[str]:
    return [block[i].id for i in positions]


def collect(ds, columns: Iterable[str]) -> dict[str, np.ndarray]:
    """The columns of a dataset's rows as arrays, from one execution (reading columns one at a
    time would run its shuffle again) and in blocks (a Python dict per row is slow)."""
    got: dict[str, list[np.ndarray]] = {c: [] for c in columns}
    for batch in ds.iter_batches(batch_format="numpy", batch_size=None):
        for c in got:
            got[c].append(batch[c])
    return {c: np.concatenate(v) if v else np.zeros(0, dtype=np.int64) for c, v in got.items()}


def step_of(pass_: Pass):
    """The distributed form of `pass_` (a function (ray, pass, records, ctx) → Parked), or None."""
    from curate.engines.ray_decontaminate import decontaminate
    from curate.engines.ray_near import near_dedup
    from curate.engines.ray_split import split
    from curate.passes.decontaminate import Decontaminate
    from curate.passes.split import SplitPass

    return {**STEPS, DedupNear: near_dedup, SplitPass: split, Decontaminate: decontaminate}.get(type(pass_))


def run_step(ray, pass_: Pass, records: Iterable[Record], ctx: Context) -> Parked | None:
    """The distributed form of `pass_` over `records` (its kept records, parked), or None."""
    step = step_of(pass_)
    return None if step is None else step(ray, pass_, records, ctx)


def apply(ray, parked: Parked, fn, ctx: Context, per_block: list[dict] | None = None, **kwargs
          ) -> tuple[Parked, list]:
    """A step's decisions applied in a task per block: `fn(block, start, **kwargs, **per_block[i])`
    returns (kept records, rejects as (record, reason, details), something small). The kept
    records become the new blocks in the object store; the rejects reach `ctx` here, in input
    order; the small results come back in block order."""
    task = ray.remote(_applied).options(num_returns=2)
    outs = [task.remote(ref, start, fn, {**kwargs, **(per_block[i] if per_block else {})})
            for i, (ref, start) in enumerate(zip(parked.refs, parked.starts))]
    sizes, extras = [], []
    for _, small in outs:
        n, rejects, extra = ray.get(small)
        for record, reason, details in rejects:
            ctx.reject(record, reason, **details)
        sizes.append(n)
        extras.append(extra)
    return Parked(ray, [kept for kept, _ in outs], sizes), extras


def _applied(block: list[Record], start: int, fn, kwargs: dict):
    kept, rejects, extra = fn(block, start, **kwargs)
    return kept, (len(kept), rejects, extra)


def by_block(parked: Parked, name: str, values: dict[int, Any]) -> list[dict]:
    """`values` ({seq: value}) cut into one {name: {seq: value}} per parked block."""
    out: list[dict] = [{name: {}} for _ in parked.refs]
    for seq, value in values.items():
        out[bisect_right(parked.starts, seq) - 1][name][seq] = value
    return out


def reject_listed(block: list[Record], start: int, listed: dict[int, tuple], reason: str):
    """`apply`'s function for a step that only drops records: `listed` {seq: details}."""
    kept, rejects = [], []
    for seq, record in enumerate(block, start=start):
        if seq in listed:
            rejects.append((record, reason, listed[seq]))
        else:
            kept.append(record)
    return kept, rejects, None


# --- exact dedup ---------------------------------------------------------------------------------
def _keys(block: list[Record], start: int, pass_: DedupExactPass, parts: int) -> dict[str, np.ndarray]:
    keys = np.frombuffer(b"".join(pass_.prepare(r) for r in block), dtype=np.uint64).reshape(-1, 2)
    return {"part": keys[:, 0] % np.uint64(parts), "k0": keys[:, 0], "k1": keys[:, 1],
            "seq": np.arange(start, start + len(block)), "id": np.array([r.id for r in block], dtype=object)}


def _runs(*columns: np.ndarray) -> np.ndarray:
    """Mask of the rows (sorted by `columns`) that start a run of equal values."""
    new = np.zeros(len(columns[0]), dtype=bool)
    new[:1] = True
    for c in columns:
        new[1:] |= c[1:] != c[:-1]
    return new


def _bounds(sorted_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the runs of equal values."""
    starts = np.flatnonzero(_runs(sorted_values)) if len(sorted_values) else np.zeros(0, np.int64)
    return starts, np.append(starts[1:], len(sorted_values))


def _later_members(group: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every record after the first (in input order) of its key, with the first one's id."""
    order = np.lexsort((group["seq"], group["k1"], group["k0"]))
    k0, k1, seq, ids = (group[c][order] for c in ("k0", "k1", "seq", "id"))
    first = _runs(k0, k1)
    head = np.maximum.accumulate(np.where(first, np.arange(len(seq)), 0))
    return {"seq": seq[~first], "first": ids[head[~first]]}


def exact_dedup(ray, pass_: DedupExactPass, records: Iterable[Record], ctx: Context) -> Parked:
    parked = Parked.of(ray, records)
    if ctx.prepared is not None:
        ctx.prepared.clear()           # the keys are made again next to the parked records
    later = parked.grouped(_keys, (_later_members, {}), pass_=pass_)
    duplicate_of = {int(row["seq"]): {"duplicate_of": row["first"]} for row in later.iter_rows()}
    kept, _ = apply(ray, parked, reject_listed, ctx, by_block(parked, "listed", duplicate_of),
                    reason="exact_duplicate")
    ctx.info["distinct"] = parked.n - len(duplicate_of)
    return kept


# --- balance ---------------------------------------------------------------------------------------
def _train_labels(block, start, parts) -> dict[str, np.ndarray]:
    """(label, seq) of the block's labelled train records (labels trimmed, as the pass compares them)."""
    rows = [(str(r.label).strip(), start + i) for i, r in enumerate(block)
            if r.split in (None, "train") and r.label is not None]
    labels = np.array([label for label, _ in rows], dtype=object)
    part = np.array([_label_part(label, parts) for label in labels], dtype=np.int64)
    return {"part": part, "label": labels, "seq": np.array([seq for _, seq in rows], dtype=np.int64)}


def _label_part(label: str, parts: int) -> int:
    return int.from_bytes(hashlib.blake2b(label.encode(), digest_size=8).digest(), "little") % parts


def _label_counts(group) -> dict[str, np.ndarray]:
    labels, counts = np.unique(group["label"].astype(str), return_counts=True)
    return {"label": labels.astype(object), "n": counts}


def _label_choices(group, targets: dict[str, int], seed: int) -> dict[str, np.ndarray]:
    """Per label, the pass's own seeded choice (`balance._resize` over its records in input
    order): the records dropped (copies -1) and the copies of the others."""
    seqs, labels = group["seq"], group["label"].astype(str)
    dropped: set[int] = set()
    copies: Counter = Counter()
    for label in sorted(set(labels)):
        idx = sorted(seqs[labels == label].tolist())
        _resize(idx, targets[label], random.Random(f"{seed}:{label}"), dropped, copies)
    out = [(s, -1) for s in sorted(dropped)] + sorted(copies.items())
    return {"seq": np.array([s for s, _ in out], dtype=np.int64), "copies": np.array([c for _, c in out], dtype=np.int64)}


def balance(ray, pass_: Balance, records: Iterable[Record], ctx: Context) -> Parked:
    parked = Parked.of(ray, records)
    counted = parked.grouped(_train_labels, (_label_counts, {}))
    before = dict(sorted((str(r["label"]), int(r["n"])) for r in counted.iter_rows()))
    mode = pass_.resolved_mode(before)
    targets = pass_.targets(before, mode)
    chosen = parked.grouped(_train_labels, (_label_choices, dict(targets=targets, seed=ctx.seed)))
    change = {int(r["seq"]): int(r["copies"]) for r in chosen.iter_rows()}
    kept, unlabelled = apply(ray, parked, _balanced, ctx, by_block(parked, "change", change),
                             targets=targets, mode=mode)
    n_copies = sum(c for c in change.values() if c > 0)
    ctx.info.update(mode=mode, classes=looks_like_classes(before, pass_.config.min_mean),
                    train_label_counts_before=before,
                    train_label_counts_after={label: targets[label] for label in before},
                    copies=n_copies, dropped=sum(1 for c in change.values() if c < 0),
                    unlabelled_train=sum(unlabelled))
    ctx.count("copies", n_copies)
    return kept


def _balanced(block: list[Record], start: int, change: dict[int, int], targets: dict, mode: str):
    """`apply`'s function: a block's records with the labels trimmed, those the choice dropped
    rejected, the copies made after their record (as the pass makes them); the unlabelled
    train records counted."""
    kept, rejects, unlabelled = [], [], 0
    for seq, record in enumerate(block, start=start):
        if record.label is not None:
            record.label = str(record.label).strip()
        unlabelled += record.split in (None, "train") and record.label is None
        if change.get(seq) == -1:
            rejects.append((record, "balance_cap", dict(mode=mode, label=record.label, kept=targets[record.label])))
            continue
        kept.append(record)
        kept += [_copy(record, k) for k in range(1, change.get(seq, 0) + 1)]
    return kept, rejects, unlabelled


STEPS: dict[type, Any] = {DedupExactPass: exact_dedup, Balance: balance}
