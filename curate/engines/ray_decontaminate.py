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
Validation against test (the report's count) is asked together with train against the probes:
its rows ride the same two groupbys, tagged with their comparison ("run"): a second count per gram
in step 1 (validation and test texts only), the test probes' grams masked with that cut and the
validation probes as targets in step 2. The pass's own `overlaps` finishes (coverage,
completions) over the sums of both. A train record is named by its position in the
pass's input, which keeps the pass's order of the found matches (and so its report's examples)
unchanged.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable

import numpy as np

from curate import minhash
from curate.engines.ray_steps import Parked, _bounds, _runs, apply, by_block, collect, ids_at, reject_listed
from curate.ngram_overlap import Texts, distinct_ngrams, mask_ngrams, ngrams_of, probe_grams, target_grams
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
    (found, ignored), (val_test, _) = pass_.overlaps(RayCompare(ray, parked, cfg, probes))
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
    """`decontaminate.Together` over parked records and parked probes: comparison 0 has the
    train records as targets, named by position, and every probe; comparison 1 the validation
    probes as targets, named by probe index, and the test probes. Both go through the same two
    shuffles, each row tagged with its comparison ("run")."""

    def __init__(self, ray, parked: Parked, cfg, probes: ParkedProbes):
        self.ray, self.parked, self.cfg, self.probes_ = ray, parked, cfg, probes
        self.n, tests, valid = 2, probes.tested, probes.records["validation"]
        self.asked = [bool(len(probes) and probes.records["train"]), bool(tests and valid)]
        self.roles = dict(tests=tests, valid_end=tests + valid)

    def completed(self, i: int, p: int) -> bool:
        return bool(self.probes_.completed[p])

    def __call__(self, field: str, only: list):
        cfg, put, parked, blocks = self.cfg, self.ray.put, self.parked, self.probes_.blocks
        runs = [asked and (o is None or bool(o)) for asked, o in zip(self.asked, only)]
        if not any(runs):
            return [None] * self.n
        parts = parked.partitions()
        kw = dict(field=field, n=cfg.n, parts=parts)
        counted = blocks.dataset(_probe_counts, runs=runs, **self.roles, **kw)
        if runs[0]:
            counted = counted.union(parked.dataset(_gram_counts, **kw))
        common = collect(counted.groupby("part", num_partitions=parts).map_groups(
            _common, fn_kwargs=dict(max_records=cfg.max_ngram_records), batch_format="numpy"), ("gram", "valid"))
        commons = [common["gram"].astype(np.uint64), common["gram"][common["valid"] > 0].astype(np.uint64)]
        common_ref = put(commons)
        probe_rows = blocks.dataset(_probe_rows, common=common_ref, min_words=cfg.min_words, runs=runs,
                                    **self.roles, **kw).materialize()
        wanted = self.ray.remote(_wanted).remote(*probe_rows.to_numpy_refs())
        targets = [None if o is None else put(np.unique([t for t, _ in o])) for o in only]
        matches = blocks.dataset(_valid_matches, common=common_ref, wanted=wanted, targets=targets[1],
                                 runs=runs, **self.roles, **kw).union(probe_rows)
        if runs[0]:
            matches = matches.union(parked.dataset(_matches, common=common_ref, wanted=wanted,
                                                   targets=targets[0], **kw))
        rows = collect(matches.groupby("part", num_partitions=parts).map_groups(
            _decide, fn_kwargs=dict(max_records=cfg.max_ngram_records), batch_format="numpy"),
            ("run", "kind", "t", "p", "k"))
        return [_sums({c: v[rows["run"] == i] for c, v in rows.items()}, len(blocks), o,
                      len(commons[i])) if on else None for i, (on, o) in enumerate(zip(runs, only))]


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


def _targets(block: list[Record], start: int, field: str) -> tuple[Texts, np.ndarray]:
    """The block's texts of `field` of the train records, and each one's position in the pass's
    input."""
    at = [i for i, r in enumerate(block) if r.split in TRAIN]
    return Texts(getattr(block[i], field) for i in at), start + np.array(at, dtype=np.int64)


def _count_rows(texts: Texts, n: int, parts: int, valid: bool) -> dict[str, np.ndarray]:
    keys, counts = np.unique(distinct_ngrams(texts, n).astype(np.uint64), return_counts=True)
    return {"part": (keys % np.uint64(parts)).astype(np.int64), "gram": keys, "n": counts.astype(np.int64),
            "valid": counts.astype(np.int64) * valid}


def _gram_counts(block, start, field: str, n: int, parts: int) -> dict[str, np.ndarray]:
    """(gram, train texts of the block holding it): step 1's rows (comparison 0's only)."""
    return _count_rows(_targets(block, start, field)[0], n, parts, False)


def _probe_counts(block: list[Probe], start, field: str, n: int, parts: int, runs, tests: int,
                  valid_end: int) -> dict[str, np.ndarray]:
    """(gram, probe texts of the block holding it): step 1's rows of the probes; test and
    validation texts count in both comparisons."""
    return _count_rows(Texts(getattr(p, field) for p in block), n, parts, start < valid_end)


def _common(group, max_records: int) -> dict[str, np.ndarray]:
    """The group's grams held by more than `max_records` texts of comparison 0 (train and every
    probe), each flagged if it is so in comparison 1 (validation and test) too."""
    order = np.argsort(group["gram"], kind="stable")
    grams, n, valid = group["gram"][order], group["n"][order], group["valid"][order]
    starts, _ = _bounds(grams)
    if not len(starts):
        return {"gram": grams, "valid": valid}
    totals, valids = np.add.reduceat(n, starts), np.add.reduceat(valid, starts)
    common = totals > max_records
    return {"gram": grams[starts][common], "valid": (valids[common] > max_records).astype(np.int64)}


def _match_rows(out: list[tuple], parts: int) -> dict[str, np.ndarray]:
    """The rows of `out`'s (run, side, length, grams, who)."""
    sizes = [len(o[3]) for o in out]
    column = lambda k, dtype: np.concatenate([np.full(size, o[k]) for o, size in zip(out, sizes)]
                                             or [np.zeros(0)]).astype(dtype)
    grams = np.concatenate([o[3] for o in out] or [np.zeros(0)]).astype(np.uint64)
    length = column(2, np.int64)
    part = minhash._mix(grams + length.astype(np.uint64)) % np.uint64(parts)
    return {"part": part.astype(np.int64), "run": column(0, np.int64), "side": column(1, np.int64),
            "length": length, "gram": grams,
            "who": np.concatenate([o[4] for o in out] or [np.zeros(0)]).astype(np.int64)}


def _probe_rows(block: list[Probe], start, field: str, n: int, min_words: int, common, parts: int, runs,
                tests: int, valid_end: int):
    """Step 2's rows of a probe block, per comparison it is a probe of: (length, gram, probe) for
    each of the pass's probe grams of the texts masked with that comparison's common grams, and
    (WHOLE, hash, probe) for each non-empty whole text."""
    import ray

    texts = Texts(getattr(p, field) for p in block)
    found, out = ngrams_of(texts, n), []
    for run, common_grams in enumerate(ray.get(common)):
        if runs[run] and (run == 0 or start < tests):
            texts.keep[:] = True
            mask_ngrams(texts, n, common_grams, found)
            out += [(run, PROBE, length, grams, owner + start)
                    for length, (grams, owner) in probe_grams(texts, n, min_words).items()]
            whole = texts.whole()
            has = np.flatnonzero(whole != 0)
            out.append((run, PROBE, WHOLE, whole[has], has + start))
    return _match_rows(out, parts)


def _wanted(*batches: dict[str, np.ndarray]) -> dict[tuple[int, int], np.ndarray]:
    """A task: per comparison and gram length, the grams some probe holds (what a target task
    keeps)."""
    key = {c: np.concatenate([b[c] for b in batches] or [np.zeros(0, np.int64)]) for c in ("run", "length", "gram")}
    pairs = set(zip(key["run"].tolist(), key["length"].tolist()))
    return {(r, k): np.unique(key["gram"][(key["run"] == r) & (key["length"] == k)]) for r, k in pairs}


def _target_rows(texts: Texts, seqs: np.ndarray, n: int, run: int, common, wanted, targets) -> list[tuple]:
    """(length, gram, target) for each distinct gram of a masked target text that a probe of
    comparison `run` holds, and (WHOLE, hash, target) for a whole text equal to a probe's."""
    mask_ngrams(texts, n, common)
    segments = texts.segments()
    out = []
    for (r, length), grams in wanted.items():
        if r != run:
            continue
        if length == WHOLE:
            t_grams, t_owner = texts.whole(), np.arange(texts.n)
            if targets is not None:
                t_grams, t_owner = t_grams[np.isin(seqs, targets)], t_owner[np.isin(seqs, targets)]
        else:
            t_grams, t_owner = target_grams(segments, length, n)
        keep = np.isin(t_grams, grams)
        out.append((run, TARGET, length, t_grams[keep], seqs[t_owner[keep]]))
    return out


def _matches(block, start, field: str, n: int, common, wanted, targets, parts: int):
    """Step 2's rows of a parked block: its train records, the targets of comparison 0."""
    import ray

    texts, seqs = _targets(block, start, field)
    targets = None if targets is None else ray.get(targets)
    return _match_rows(_target_rows(texts, seqs, n, 0, ray.get(common)[0], ray.get(wanted), targets), parts)


def _valid_matches(block: list[Probe], start, field: str, n: int, common, wanted, targets, parts: int, runs,
                   tests: int, valid_end: int):
    """Step 2's rows of a validation probe block: the targets of comparison 1."""
    import ray

    if not runs[1] or not tests <= start < valid_end:
        return _match_rows([], parts)
    texts, seqs = Texts(getattr(p, field) for p in block), start + np.arange(len(block))
    targets = None if targets is None else ray.get(targets)
    return _match_rows(_target_rows(texts, seqs, n, 1, ray.get(common)[1], ray.get(wanted), targets), parts)


def _decide(group, max_records: int) -> dict[str, np.ndarray]:
    """`_decide_run` for each comparison in the group."""
    run, outs = group["run"], []
    for r in np.unique(run).tolist():
        out = _decide_run({c: v[run == r] for c, v in group.items()}, max_records)
        outs.append(dict(out, run=np.full(len(out["kind"]), r, dtype=np.int64)))
    return {c: np.concatenate([o[c] for o in outs] or [np.zeros(0, np.int64)]) for c in ("run", "kind", "t", "p", "k")}


def _decide_run(group, max_records: int) -> dict[str, np.ndarray]:
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
