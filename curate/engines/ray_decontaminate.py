"""The decontaminate pass as distributed steps on Ray Data: the same rejects, no record gathered,
and neither the probes nor their n-grams on the driver.

The pass (curate.passes.decontaminate) compares the train records' texts with the probes' (test
and validation records, benchmark rows) through a `Compare`; here `RayCompare` answers the same
questions with both sides left in the object store. The probes are taken out of the parked
blocks by a task per block (`ParkedProbes`: each block's test records, then each block's
validation records, then the benchmark rows, which the pass reads from the user's files on the
driver); the driver keeps their references and, per probe, one flag (has it a completion?).
Per compared field (the instruction; the response when some match is partial), two groupbys:
1. the frequency cut: each task counts its texts' distinct n-grams (train texts from the parked
   blocks, probe texts from the probe blocks, one row per gram and block); a groupby by gram sums
   them, and only the grams held by more than `max_ngram_records` texts come back: the common
   set, broadcast.
2. matches: each probe block's task masks its texts with the common set and emits every
   (length, gram, probe) of the pass's `probe_grams` and each whole-text hash; a task unions
   them per length (the wanted set, broadcast without passing the driver); each train task masks
   its texts and emits the grams and whole-text hashes some probe holds. A groupby by gram meets
   both sides and applies the pass's rules there (`ngram_overlap.drop_common`, `add_hits`): a
   gram held by more than `max_ngram_records` texts is ignored, else it counts for each probe
   holding it and for each (train, probe) pair holding it. Back come the sums: grams ignored,
   rare grams per probe, rare grams shared per pair, equal whole texts per pair.
The pass's own `overlaps` finishes (coverage, completions) over those rows, and the same for
validation against test (the report's count). A train record is named by its position in the
pass's input, which keeps the pass's order of the found matches (and so its report's examples)
unchanged.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable

import numpy as np

from curate import minhash
from curate.engines.ray_steps import Parked, _bounds, _runs, apply, by_block, collect, ids_at, reject_listed
from curate.ngram_overlap import Texts, distinct_ngrams, mask_ngrams, probe_grams, target_grams
from curate.passes.base import Context
from curate.passes.decontaminate import MAX_LISTED, Decontaminate, Probe
from tunecraft.records import Record

TRAIN = (None, "train")
WHOLE = 0                            # the "gram length" of whole-text hashes in a match row
TARGET, PROBE = 0, 1                 # the side of a match row
EQUAL, SHARED, PER_PROBE, IGNORED = range(4)   # kinds of the rows the match groupby returns


def decontaminate(ray, pass_: Decontaminate, records: Iterable[Record], ctx: Context) -> Parked:
    cfg = pass_.config
    parked = Parked.of(ray, records)
    probes = ParkedProbes(ray, parked, pass_.benchmark_probes())
    found, ignored = pass_.overlaps(RayCompare(ray, parked, cfg, probes, TRAIN))
    val_test, _ = pass_.overlaps(RayCompare(ray, parked, cfg, probes.tests(), ("validation",)))
    names = pass_.report(probes, found, ignored, len(val_test), ctx, lambda listed: ids_at(ray, parked, listed))
    dropped = {seq: dict(overlaps_with=[names[p] for p in hits[:MAX_LISTED]])
               for seq, hits in found.items()} if cfg.action == "drop" else {}
    kept, _ = apply(ray, parked, reject_listed, ctx, by_block(parked, "listed", dropped), reason="contaminated")
    return kept


class ParkedProbes:
    """The probes in the object store, in the pass's order: every parked block's test records,
    then every block's validation records (taken out by a task per block), then the benchmark
    rows. The driver holds references, the counts, and per probe whether it has a completion."""

    def __init__(self, ray, parked: Parked, benchmark: list[Probe]):
        self.ray = ray
        task = ray.remote(_held_out).options(num_returns=3)
        outs = [task.remote(ref) for ref in parked.refs]
        infos = ray.get([info for info, _, _ in outs])
        self.records = Counter()
        for counts, _ in infos:
            self.records.update(counts)
        done = [flags for _, flags in infos]
        refs = [test for _, test, _ in outs] + [val for _, _, val in outs]
        sizes = [len(f["test"]) for f in done] + [len(f["validation"]) for f in done]
        completed = [f["test"] for f in done] + [f["validation"] for f in done]
        if benchmark:
            refs.append(ray.put(benchmark))
            sizes.append(len(benchmark))
            completed.append(np.array([bool(p.completion.strip()) for p in benchmark]))
        self.blocks = Parked(ray, refs, sizes)
        self.completed = np.concatenate(completed) if completed else np.zeros(0, dtype=bool)
        self.tested, self.parked_blocks = sum(sizes[:len(outs)]), len(outs)

    def __len__(self) -> int:
        return self.blocks.n

    def source(self, p: int) -> str:
        return "test" if p < self.tested else "validation" if p < self.tested + self.records["validation"] \
            else "benchmark"

    def ids(self, ps: Iterable[int]) -> dict[int, str]:
        return ids_at(self.ray, self.blocks, ps)

    def tests(self) -> "ParkedProbes":
        """The test probes alone (validation is compared with them for the report)."""
        only = object.__new__(ParkedProbes)
        only.ray, only.records, only.tested, k = self.ray, self.records, self.tested, self.parked_blocks
        only.blocks = Parked(self.ray, self.blocks.refs[:k], np.diff(self.blocks.starts[:k] + [self.tested]))
        only.completed = self.completed[:self.tested]
        return only


def _held_out(block: list[Record]):
    """A task: ((records per split, {split: has a completion, per probe}), test probes,
    validation probes) of a parked block."""
    held: dict[str, list[Probe]] = {"test": [], "validation": []}
    for r in block:
        if r.split in held:
            held[r.split].append(Probe(r.id, r.instruction, r.response, r.split))
    counts = Counter("train" if r.split in TRAIN else r.split for r in block)
    flags = {s: np.array([bool(p.completion.strip()) for p in ps], dtype=bool) for s, ps in held.items()}
    return (dict(counts), flags), held["test"], held["validation"]


class RayCompare:
    """`decontaminate.Compare` over parked records and parked probes: targets are the records of
    `splits`, named by position."""

    def __init__(self, ray, parked: Parked, cfg, probes: ParkedProbes, splits: tuple):
        self.ray, self.parked, self.cfg, self.probes_, self.splits = ray, parked, cfg, probes, splits
        self.targets = sum(probes.records[s] for s in {"train" if s in TRAIN else s for s in splits})
        self.probes = len(probes.blocks)

    def completed(self, p: int) -> bool:
        return bool(self.probes_.completed[p])

    def __call__(self, field: str, only=None):
        cfg, put, parked, blocks = self.cfg, self.ray.put, self.parked, self.probes_.blocks
        parts = parked.partitions()
        kw = dict(field=field, n=cfg.n, parts=parts)
        counted = parked.dataset(_gram_counts, splits=self.splits, **kw).union(blocks.dataset(_probe_counts, **kw))
        common = collect(counted.groupby("part", num_partitions=parts).map_groups(
            _common, fn_kwargs=dict(max_records=cfg.max_ngram_records), batch_format="numpy"), ("gram",))["gram"]
        common_ref = put(common.astype(np.uint64))
        probe_rows = blocks.dataset(_probe_rows, common=common_ref, min_words=cfg.min_words, **kw).materialize()
        wanted = self.ray.remote(_wanted).remote(*probe_rows.to_numpy_refs())
        targets = None if only is None else np.unique([t for t, _ in only])
        matches = parked.dataset(_matches, splits=self.splits, common=common_ref, wanted=wanted,
                                 targets=targets, **kw).union(probe_rows)
        rows = collect(matches.groupby("part", num_partitions=parts).map_groups(
            _decide, fn_kwargs=dict(max_records=cfg.max_ngram_records), batch_format="numpy"), ("kind", "t", "p", "k"))
        return _sums(rows, self.probes, only, len(common))


def _sums(rows: dict[str, np.ndarray], n_probes: int, only, ignored: int):
    """The four answers of `Compare` from the match groupby's rows."""
    kind, t, p, k = (rows[c].astype(np.int64) for c in ("kind", "t", "p", "k"))
    at = kind == EQUAL
    equal = set(zip(t[at].tolist(), p[at].tolist()))
    if only is not None:
        equal &= only
    shared: Counter = Counter()
    at = kind == SHARED
    for pair_t, pair_p, count in zip(t[at].tolist(), p[at].tolist(), k[at].tolist()):
        shared[pair_t, pair_p] += count
    at = kind == PER_PROBE
    per_probe = np.bincount(p[at], weights=k[at], minlength=n_probes).astype(np.int64)
    return equal, shared, per_probe, ignored + int(k[kind == IGNORED].sum())


def _targets(block: list[Record], start: int, field: str, splits: tuple) -> tuple[Texts, np.ndarray]:
    """The block's texts of `field` of the records of `splits`, and each one's position in the
    pass's input."""
    at = [i for i, r in enumerate(block) if r.split in splits]
    return Texts(getattr(block[i], field) for i in at), start + np.array(at, dtype=np.int64)


def _count_rows(texts: Texts, n: int, parts: int) -> dict[str, np.ndarray]:
    keys, counts = np.unique(distinct_ngrams(texts, n).astype(np.uint64), return_counts=True)
    return {"part": (keys % np.uint64(parts)).astype(np.int64), "gram": keys, "n": counts.astype(np.int64)}


def _gram_counts(block, start, field: str, n: int, parts: int, splits: tuple) -> dict[str, np.ndarray]:
    """(gram, target texts of the block holding it): step 1's rows."""
    return _count_rows(_targets(block, start, field, splits)[0], n, parts)


def _probe_counts(block: list[Probe], start, field: str, n: int, parts: int) -> dict[str, np.ndarray]:
    """(gram, probe texts of the block holding it): step 1's rows of the probes."""
    return _count_rows(Texts(getattr(p, field) for p in block), n, parts)


def _common(group, max_records: int) -> dict[str, np.ndarray]:
    """The group's grams held by more than `max_records` texts, targets and probes together."""
    order = np.argsort(group["gram"], kind="stable")
    grams, n = group["gram"][order], group["n"][order]
    starts, _ = _bounds(grams)
    totals = np.add.reduceat(n, starts) if len(starts) else n[:0]
    return {"gram": grams[starts][totals > max_records]}


def _match_rows(length, grams, who, side: int, parts: int) -> dict[str, np.ndarray]:
    grams, length = grams.astype(np.uint64), length.astype(np.int64)
    part = minhash._mix(grams + length.astype(np.uint64)) % np.uint64(parts)
    return {"part": part.astype(np.int64), "length": length, "gram": grams, "who": who.astype(np.int64),
            "side": np.full(len(grams), side, dtype=np.int64)}


def _concat(out: list[tuple]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not out:
        return np.zeros(0, np.int64), np.zeros(0, np.uint64), np.zeros(0, np.int64)
    return tuple(np.concatenate([o[k] for o in out]) for k in range(3))


def _probe_rows(block: list[Probe], start, field: str, n: int, min_words: int, common, parts: int):
    """Step 2's rows of a probe block: (length, gram, probe) for each of the pass's probe grams
    of the masked texts, and (WHOLE, hash, probe) for each non-empty whole text."""
    import ray

    texts = Texts(getattr(p, field) for p in block)
    mask_ngrams(texts, n, ray.get(common))
    out = [(np.full(len(grams), length), grams, owner + start)
           for length, (grams, owner) in probe_grams(texts, n, min_words).items()]
    whole = texts.whole()
    has = np.flatnonzero(whole != 0)
    out.append((np.full(len(has), WHOLE), whole[has], has + start))
    return _match_rows(*_concat(out), PROBE, parts)


def _wanted(*batches: dict[str, np.ndarray]) -> dict[int, np.ndarray]:
    """A task: per gram length, the grams some probe holds (what a train task keeps)."""
    length = np.concatenate([b["length"] for b in batches] or [np.zeros(0, np.int64)])
    gram = np.concatenate([b["gram"] for b in batches] or [np.zeros(0, np.uint64)])
    return {int(k): np.unique(gram[length == k]) for k in np.unique(length)}


def _matches(block, start, field: str, n: int, common, wanted, targets, parts: int, splits: tuple):
    """Step 2's rows of a parked block: (length, gram, record) for each distinct gram of a masked
    target text that a probe holds, and (WHOLE, hash, record) for a whole text equal to a probe's."""
    import ray

    texts, seqs = _targets(block, start, field, splits)
    common, wanted = ray.get(common), ray.get(wanted)
    mask_ngrams(texts, n, common)
    segments = texts.segments()
    out = []
    for length, grams in wanted.items():
        if length == WHOLE:
            t_grams, t_owner = texts.whole(), np.arange(texts.n)
            if targets is not None:
                t_grams, t_owner = t_grams[np.isin(seqs, targets)], t_owner[np.isin(seqs, targets)]
        else:
            t_grams, t_owner = target_grams(segments, length, n)
        keep = np.isin(t_grams, grams)
        out.append((np.full(keep.sum(), length), t_grams[keep], seqs[t_owner[keep]]))
    return _match_rows(*_concat(out), TARGET, parts)


def _decide(group, max_records: int) -> dict[str, np.ndarray]:
    """The pass's rules per (length, gram), with both sides' holders in the group: a gram held
    by more than `max_records` texts is ignored; a rare one counts once for each probe holding
    it and for each (target, probe) pair holding it; equal whole texts pair their holders."""
    order = np.lexsort((group["who"], group["side"], group["gram"], group["length"]))
    length, gram, side, who = (group[c][order] for c in ("length", "gram", "side", "who"))
    starts = np.flatnonzero(_runs(length, gram)) if len(gram) else np.zeros(0, np.int64)
    probes = np.add.reduceat(side, starts) if len(starts) else np.zeros(0, np.int64)
    sizes = np.diff(np.append(starts, len(gram)))
    whole = length[starts] == WHOLE
    common = ~whole & (probes > 0) & (sizes > max_records)
    rare_row = np.repeat(~whole & (probes > 0) & ~common, sizes)
    p_counted, k_counted = np.unique(who[rare_row & (side == PROBE)], return_counts=True)
    pairs = [[], []]
    for s, size, n_p, is_whole, is_common in zip(starts.tolist(), sizes.tolist(), probes.tolist(),
                                                 whole.tolist(), common.tolist()):
        if n_p and size > n_p and not is_common:
            ts, ps = who[s:s + size - n_p], who[s + size - n_p:s + size]
            pairs[is_whole].append(np.stack(np.meshgrid(ts, ps, indexing="ij"), axis=-1).reshape(-1, 2))
    shared, counts = _pair_counts(pairs[0])
    equal, _ = _pair_counts(pairs[1])
    kinds = [(EQUAL, equal, np.ones(len(equal), np.int64)), (SHARED, shared, counts),
             (PER_PROBE, np.stack((np.full(len(p_counted), -1), p_counted), axis=1), k_counted),
             (IGNORED, np.full((1, 2), -1), np.array([int(common.sum())]))]
    return {"kind": np.concatenate([np.full(len(k), kind) for kind, _, k in kinds]).astype(np.int64),
            "t": np.concatenate([tp[:, 0] for _, tp, _ in kinds]).astype(np.int64),
            "p": np.concatenate([tp[:, 1] for _, tp, _ in kinds]).astype(np.int64),
            "k": np.concatenate([k for _, _, k in kinds]).astype(np.int64)}


def _pair_counts(found: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (target, probe) rows and how often each was found."""
    if not found:
        return np.zeros((0, 2), np.int64), np.zeros(0, np.int64)
    return np.unique(np.concatenate(found), axis=0, return_counts=True)
