"""The split pass as distributed steps on Ray Data: the same assignment, no record on the driver.

The local pass (curate.passes.split) decides in four moves, and each becomes a step here:
1. units: records sharing a group key (cluster_id, conversation_id) are one unit, transitively.
   Only records holding two keys link keys, so the driver runs the union-find over those
   records' keys (memory in linked keys, not in records) and broadcasts the roots; every task
   then names each record's unit itself.
2. strata: a unit's stratum is its most common label: a groupby of (unit, label) rows by unit.
3. targets: stratum sizes by a groupby; the driver applies the pass's own small-class and
   pooling rules (`SplitPass._pool_rare`, `split.targets`) to those few numbers.
4. assignment: per stratum, units in the order of their seeded hash, each to the split furthest
   below its target. That walk is sequential within a stratum, so a stratum's units (keys and
   sizes, never records) meet in one task of a groupby by stratum; strata run in parallel.
Then the units' splits go back to their records (a groupby by unit, then by parked block), and
the output order, a hash of the id, is Ray Data's distributed sort; the driver streams the sorted
records to the pipeline and counts the split sizes on the way. Units of equal seeded hash (an
8-byte collision) are taken in order of their first record, as the pass takes them.
"""
from __future__ import annotations

import hashlib
import pickle
from collections import Counter
from typing import Iterable

import numpy as np

from curate.engines.ray_steps import Parked, _bounds
from curate.passes.base import Context
from curate.passes.split import GROUP_KEYS, RARE, SPLITS, KeyUnion, SplitPass, _digest
from tunecraft.records import Record

UNLABELLED = "\x00unlabelled"
NO_LABEL = "\x00none"       # a record's missing label in a string column


def _part(keys: Iterable[str], parts: int) -> np.ndarray:
    return np.array([int.from_bytes(hashlib.blake2b(k.encode(), digest_size=8).digest(), "little") % parts
                     for k in keys], dtype=np.int64)


def _group_keys(record: Record) -> list[str]:
    return [f"{g}:{record.meta[g]}" for g in GROUP_KEYS if record.meta.get(g) not in (None, "")]


def _links(block, start) -> dict[str, np.ndarray]:
    """The group keys of records holding more than one (joined by \\x1f)."""
    linked = ["\x1f".join(keys) for r in block if len(keys := _group_keys(r)) > 1]
    return {"keys": np.array(linked, dtype=object)}


def _roots(links: Iterable[str]) -> dict[str, str]:
    """Root of every key that some record links to another (the pass's union-find)."""
    union = KeyUnion()
    for joined in links:
        union.link(joined.split("\x1f"))
    return {k: union.find(k) for k in list(union)}


def _unit_rows(block, start, roots_ref, parts) -> dict[str, np.ndarray]:
    """(unit, label, seq, block start) of every record."""
    import ray

    roots = ray.get(roots_ref)
    units = [roots.get(keys[0], keys[0]) if (keys := _group_keys(r)) else f"id:{r.id}" for r in block]
    labels = [NO_LABEL if r.label is None else str(r.label) for r in block]
    return {"part": _part(units, parts), "unit": np.array(units, dtype=object),
            "label": np.array(labels, dtype=object), "seq": np.arange(start, start + len(block)),
            "start": np.full(len(block), start, dtype=np.int64)}


def _units(group, by_label: bool) -> dict[str, np.ndarray]:
    """Per unit: its size, first record and stratum (most common label, ties: the smallest)."""
    order = np.lexsort((group["seq"], group["unit"].astype(str)))
    unit, label, seq = (group[c][order] for c in ("unit", "label", "seq"))
    starts, ends = _bounds(unit.astype(str))
    strata = []
    for s, e in zip(starts, ends):
        found = Counter(x for x in label[s:e] if x != NO_LABEL)
        strata.append("" if not by_label else UNLABELLED if not found
                      else min(found.items(), key=lambda kv: (-kv[1], kv[0]))[0])
    return {"unit": unit[starts], "size": ends - starts, "first": seq[starts],
            "stratum": np.array(strata, dtype=object)}


def _assign(group, final: dict[str, str], wants: dict[str, list[int] | None], seed: int) -> dict[str, np.ndarray]:
    """The pass's greedy walk over each stratum of the group: unit → split index."""
    strata = np.array([final[s] for s in group["stratum"]], dtype=object)
    out_units, out_splits = [], []
    for stratum in sorted(set(strata.tolist())):
        idx = np.flatnonzero(strata == stratum)
        want = wants[stratum]
        if want is None:
            out_units += group["unit"][idx].tolist()
            out_splits += [0] * len(idx)
            continue
        walk = sorted(idx.tolist(), key=lambda i: (_digest(seed, stratum, group["unit"][i]), group["first"][i]))
        have = [0, 0, 0]
        for i in walk:
            best = max(range(3), key=lambda s: (want[s] - have[s], -s))
            have[best] += int(group["size"][i])
            out_units.append(group["unit"][i])
            out_splits.append(best)
    return {"unit": np.array(out_units, dtype=object), "split": np.array(out_splits, dtype=np.int64)}


def _split_of_records(group) -> dict[str, np.ndarray]:
    """Rows of both kinds for the same units: each record row (seq >= 0) gets its unit's split."""
    is_unit = group["seq"] < 0
    split_of = dict(zip(group["unit"][is_unit].tolist(), group["split"][is_unit].tolist()))
    rec = np.flatnonzero(~is_unit)
    return {"seq": group["seq"][rec], "start": group["start"][rec],
            "split": np.array([split_of[u] for u in group["unit"][rec].tolist()], dtype=np.int64)}


def _ordered_rows(group, refs: dict, seed: int) -> dict[str, np.ndarray]:
    """A parked block's records with their split, keyed by the pass's output order."""
    import ray

    start = int(group["start"][0])
    block = ray.get(refs[start])
    split = np.zeros(len(block), dtype=np.int64)
    split[group["seq"] - start] = group["split"]
    order, blobs = [], []
    for record, s in zip(block, split.tolist()):
        record.split = SPLITS[s]
        order.append(int.from_bytes(_digest(seed, "\x00order", record.id), "big"))
        blobs.append(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
    return {"order": np.array(order, dtype=np.uint64), "seq": np.arange(start, start + len(block)),
            "record": np.array(blobs, dtype=object)}


def split(ray, pass_: SplitPass, records: Iterable[Record], ctx: Context) -> Parked:
    parked = Parked.of(ray, records)
    if parked.n == 0:
        list(pass_.run([], ctx))
        return parked
    links = parked.dataset(_links).take_all()
    roots_ref = ray.put(_roots(row["keys"] for row in links))
    parts = parked.partitions()
    rows = parked.dataset(_unit_rows, roots_ref=roots_ref, parts=parts).materialize()
    units = rows.groupby("part", num_partitions=parts).map_groups(
        _units, fn_kwargs=dict(by_label=pass_.config.by == "label"), batch_format="numpy").materialize()
    sizes = {r["stratum"]: int(r["sum(size)"]) for r in units.groupby("stratum").sum("size").take_all()}
    final, wants, train_only = _targets(pass_, sizes, parked.n, ctx)
    assigned = units.map_batches(_by_stratum, fn_kwargs=dict(final=final, parts=parts), batch_format="numpy") \
        .groupby("part", num_partitions=parts).map_groups(
            _assign, fn_kwargs=dict(final=final, wants=wants, seed=ctx.seed), batch_format="numpy")
    unit_rows = assigned.map_batches(_as_unit_rows, fn_kwargs=dict(parts=parts), batch_format="numpy")
    record_rows = rows.map_batches(_with_no_split, batch_format="numpy")
    splits = unit_rows.union(record_rows).groupby("part", num_partitions=parts).map_groups(
        _split_of_records, batch_format="numpy")
    ordered = splits.groupby("start", num_partitions=parts).map_groups(
        _ordered_rows, fn_kwargs=dict(refs=dict(zip(parked.starts, parked.refs)), seed=ctx.seed),
        batch_format="numpy").sort(["order", "seq"])
    task = ray.remote(_records_of).options(num_returns=2)
    outs = [task.remote(rows) for rows in ordered.to_numpy_refs()]
    counts: dict[str, Counter] = {s: Counter() for s in SPLITS}
    sizes = []
    for _, small in outs:
        n, counted = ray.get(small)
        sizes.append(n)
        for (s, label), k in counted.items():
            counts[s][label] += k
    _report(pass_, counts, train_only, ctx)
    return Parked(ray, [block for block, _ in outs], sizes)


def _records_of(rows: dict[str, np.ndarray]):
    """A task: a block of sorted rows as a parked block of records, and ((split, label): count)."""
    block = [pickle.loads(blob) for blob in rows["record"]]
    counted = Counter((r.split, str(r.label) if r.label is not None else None) for r in block)
    return block, (len(block), counted)


def _by_stratum(batch, final, parts) -> dict[str, np.ndarray]:
    return {**batch, "part": _part((final[s] for s in batch["stratum"]), parts)}


def _as_unit_rows(batch, parts) -> dict[str, np.ndarray]:
    n = len(batch["unit"])
    return {"part": _part(batch["unit"], parts), "unit": batch["unit"], "split": batch["split"],
            "seq": np.full(n, -1, dtype=np.int64), "start": np.full(n, -1, dtype=np.int64)}


def _with_no_split(batch) -> dict[str, np.ndarray]:
    return {"part": batch["part"], "unit": batch["unit"], "split": np.full(len(batch["unit"]), -1),
            "seq": batch["seq"], "start": batch["start"]}


def _targets(pass_: SplitPass, sizes: dict[str, int], n: int, ctx: Context):
    """(stratum → final stratum, final stratum → targets or None, train-only strata): the pass's
    pooling and small-class rules over the stratum sizes."""
    from curate.passes.split import targets

    ratios = pass_.config.ratios
    rare = [s for s in sorted(sizes) if targets(sizes[s], ratios) is None]
    final = {s: s for s in sizes}
    if sum(sizes[s] for s in rare) > 0.1 * n:
        final.update({s: RARE for s in rare})
        ctx.info["pooled_labels"] = len(rare)
    pooled = Counter()
    for s, size in sizes.items():
        pooled[final[s]] += size
    wants = {s: targets(size, ratios) for s, size in pooled.items()}
    return final, wants, [s for s in sorted(wants) if wants[s] is None]


def _report(pass_: SplitPass, counts: dict[str, Counter], train_only: list[str], ctx: Context) -> None:
    ctx.info["split_sizes"] = {s: sum(counts[s].values()) for s in SPLITS}
    if pass_.config.by == "label" and any(k is not None for c in counts.values() for k in c):
        ctx.info["label_counts"] = {s: dict(sorted((k, v) for k, v in counts[s].items() if k is not None))
                                    for s in SPLITS}
        ctx.info["train_only_labels"] = [s for s in train_only if not s.startswith("\x00")]
