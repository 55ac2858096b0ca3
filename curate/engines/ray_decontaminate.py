"""The decontaminate pass as distributed steps on Ray Data: the same rejects, no record gathered.

The pass (curate.passes.decontaminate) compares the train records' texts with the probes' (test
and validation records, benchmark rows) through a `Compare`; here `RayCompare` answers the same
questions with the train texts left in the parked blocks. Only the probes live on the driver, as
they do in the local pass's memory; they reach the tasks as broadcast objects. Per compared field
(the instruction; the response when some match is partial):
1. the frequency cut's n-grams: each task counts its train texts' distinct n-grams (one row per
   gram and block), a groupby by gram sums them and adds the probes' counts, and only the grams
   held by more than `max_ngram_records` texts come back: the common set, broadcast.
2. matches: each task masks its texts with the common set and keeps, per gram length, only the
   grams some probe holds (and the whole-text hashes equal to a probe's); a groupby by gram counts
   the train texts holding each, and sends back the count and, for a gram rare among them, which
   train records hold it. The driver finishes the pass's own rules over those few rows
   (`ngram_overlap.drop_common`, `add_hits`): probes' counts, per-probe gram totals, coverage.
Then the driver streams the parked records to the pipeline and rejects the contaminated ones,
with the pass's own report. A train record is named by its position in the pass's input, which
keeps the pass's order of the found matches (and so its report's examples) unchanged.
"""
from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from typing import Iterable, Iterator

import numpy as np

from curate import minhash
from curate.engines.ray_steps import Parked, _bounds, _runs
from curate.ngram_overlap import (Texts, add_hits, distinct_ngrams, drop_common, mask_ngrams,
                                  probe_grams, target_grams, whole_matches)
from curate.passes.base import Context
from curate.passes.decontaminate import MAX_LISTED, Decontaminate, Probe
from tunecraft.records import Record

TRAIN = (None, "train")
WHOLE = 0                # the "gram length" of whole-text hashes in a match row


def decontaminate(ray, pass_: Decontaminate, records: Iterable[Record], ctx: Context) -> Iterator[Record]:
    held: dict[str, list[Probe]] = {"test": [], "validation": []}
    n_train = [0]

    def watched():                 # the probes are taken as the records stream to the store
        for r in records:
            if r.split in held:
                held[r.split].append(Probe(r.id, r.instruction, r.response, r.split))
            n_train[0] += r.split in TRAIN
            yield r
    parked = Parked(ray, watched())
    probes = held["test"] + held["validation"] + pass_.benchmark_probes()
    found, ignored = pass_.overlaps(None, probes, RayCompare(ray, parked, pass_.config, n_train[0]))
    pass_.report(probes, found, ignored, ctx, lambda listed: _ids(ray, parked, listed))
    for seq, record in parked:
        if record.split in TRAIN and seq in found and pass_.config.action == "drop":
            ctx.reject(record, "contaminated", overlaps_with=[probes[p].id for p in found[seq][:MAX_LISTED]])
        else:
            yield record


def _ids(ray, parked: Parked, seqs: list[int]) -> dict[int, str]:
    """The ids of a few parked records (the report's examples)."""
    at = {s: bisect_right(parked.starts, s) - 1 for s in seqs}
    return {s: ray.get(parked.refs[b])[s - parked.starts[b]].id for s, b in at.items()}


class RayCompare:
    """`decontaminate.Compare` over parked records: targets are the train records, by position."""

    def __init__(self, ray, parked: Parked, cfg, targets: int):
        self.ray, self.parked, self.cfg, self.targets = ray, parked, cfg, targets

    def __call__(self, field: str, probe_texts: list[str], only=None):
        cfg, put = self.cfg, self.ray.put
        probes = Texts(probe_texts)
        p_keys, p_counts = np.unique(distinct_ngrams(probes, cfg.n), return_counts=True)
        summed = self.parked.grouped(_gram_counts, (_common, dict(
            probe_keys=put(p_keys), probe_counts=put(p_counts), max_records=cfg.max_ngram_records)), field=field, n=cfg.n)
        common = np.union1d(_columns(summed, {"gram": np.uint64})["gram"], p_keys[p_counts > cfg.max_ngram_records])
        ignored = len(common)
        mask_ngrams(probes, cfg.n, common)
        by_length = probe_grams(probes, cfg.n, cfg.min_words)
        p_whole = probes.whole()
        wanted = {length: np.unique(grams) for length, (grams, _) in by_length.items()}
        wanted[WHOLE] = np.unique(p_whole[p_whole != 0])
        targets = None if only is None else np.unique([t for t, _ in only])
        rows = _rows(self.parked.grouped(_matches, (_held_by, dict(max_records=cfg.max_ngram_records)),
                                         field=field, n=cfg.n, common=put(common), wanted=put(wanted),
                                         targets=targets))
        whole = rows["length"] == WHOLE
        equal = whole_matches(rows["gram"][whole], rows["seq"][whole], p_whole)
        if only is not None:
            equal &= only
        shared: Counter = Counter()
        per_probe = np.zeros(probes.n, dtype=np.int64)
        for length, (p_grams, p_owner) in by_length.items():
            counted = (rows["length"] == length) & (rows["seq"] < 0)
            p_grams, p_owner, dropped = drop_common(p_grams, p_owner, rows["gram"][counted],
                                                    rows["n"][counted], cfg.max_ngram_records)
            ignored += dropped
            per_probe += np.bincount(p_owner, minlength=probes.n)
            hits = (rows["length"] == length) & (rows["seq"] >= 0)
            add_hits(shared, rows["gram"][hits], rows["seq"][hits], p_grams, p_owner)
        return equal, shared, per_probe, ignored


def _columns(ds, dtypes: dict) -> dict[str, np.ndarray]:
    """The columns of a dataset's rows, from ONE execution of it (each iteration runs the
    shuffle again, and its rows may come in another order)."""
    batches = list(ds.iter_batches(batch_format="numpy", batch_size=None))
    return {name: np.concatenate([b[name] for b in batches]).astype(dtype) if batches else np.zeros(0, dtype)
            for name, dtype in dtypes.items()}


def _rows(ds) -> dict[str, np.ndarray]:
    """The match rows, sorted by (length, gram, seq) as the local pass's arrays are."""
    rows = _columns(ds, {"length": np.int64, "gram": np.uint64, "seq": np.int64, "n": np.int64})
    order = np.lexsort((rows["seq"], rows["gram"], rows["length"]))
    return {name: values[order] for name, values in rows.items()}


def _train_texts(block: list[Record], start: int, field: str) -> tuple[Texts, np.ndarray]:
    """The block's train texts of `field`, and each one's position in the pass's input."""
    at = [i for i, r in enumerate(block) if r.split in TRAIN]
    return Texts(getattr(block[i], field) for i in at), start + np.array(at, dtype=np.int64)


def _gram_counts(block, start, field: str, n: int, parts: int) -> dict[str, np.ndarray]:
    """(gram, train texts of the block holding it): step 1's rows."""
    texts, _ = _train_texts(block, start, field)
    keys, counts = np.unique(distinct_ngrams(texts, n), return_counts=True)
    return {"part": (keys % np.uint64(parts)).astype(np.int64), "gram": keys, "n": counts.astype(np.int64)}


def _common(group, probe_keys, probe_counts, max_records: int) -> dict[str, np.ndarray]:
    """The group's grams held by more than `max_records` texts, train and probes together
    (`probe_keys`, `probe_counts`: the probes' grams, sorted, and the probes holding each)."""
    import ray

    keys, counts = ray.get(probe_keys), ray.get(probe_counts)
    order = np.argsort(group["gram"], kind="stable")
    grams, n = group["gram"][order], group["n"][order]
    starts, _ = _bounds(grams)
    totals = np.add.reduceat(n, starts) if len(starts) else n[:0]
    grams = grams[starts]
    at = np.minimum(np.searchsorted(keys, grams), max(len(keys) - 1, 0))
    if len(keys):
        totals = totals + np.where(keys[at] == grams, counts[at], 0)
    return {"gram": grams[totals > max_records]}


def _matches(block, start, field: str, n: int, common, wanted, targets, parts: int) -> dict[str, np.ndarray]:
    """Step 2's rows: (length, gram, train record) for each distinct gram of a masked train text
    that a probe holds, and (WHOLE, hash, record) for a whole text equal to a probe's."""
    import ray

    texts, seqs = _train_texts(block, start, field)
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
    length, grams, seq = (np.concatenate([o[k] for o in out]) if out else np.zeros(0) for k in range(3))
    grams = grams.astype(np.uint64)
    part = minhash._mix(grams + length.astype(np.uint64)) % np.uint64(parts)
    return {"part": part.astype(np.int64), "length": length.astype(np.int64), "gram": grams,
            "seq": seq.astype(np.int64)}


def _held_by(group, max_records: int) -> dict[str, np.ndarray]:
    """Per (length, gram): one row with the train texts holding it (seq -1), and when they are
    `max_records` at most (else the gram is common whatever the probes hold) a row per holder.
    Whole-text rows pass as they are."""
    order = np.lexsort((group["seq"], group["gram"], group["length"]))
    length, gram, seq = (group[c][order] for c in ("length", "gram", "seq"))
    first = _runs(length, gram)
    starts = np.flatnonzero(first)
    sizes = np.diff(np.append(starts, len(seq)))
    held = np.repeat(sizes, sizes)
    rare = (held <= max_records) | (length == WHOLE)
    counted = starts[length[starts] != WHOLE]
    return {"length": np.concatenate((length[counted], length[rare])),
            "gram": np.concatenate((gram[counted], gram[rare])),
            "seq": np.concatenate((np.full(len(counted), -1), seq[rare])),
            "n": np.concatenate((held[counted], np.zeros(rare.sum(), dtype=np.int64)))}
