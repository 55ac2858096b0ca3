"""Drop train records whose prompt overlaps a validation/test item or a benchmark (n-grams).

What is compared: the instruction (user turns; for benchmark rows `messages` user turns, else the
first of prompt / question / instruction(+input) / text / query). Responses are not compared:
support-desk answers are canned, and a shared answer template says nothing about a leaked question.

The n-gram rule (lower-cased words, punctuation ignored, per probe text):
- a probe of >= n words (n = 13 by default, as in GPT-3's decontamination) contaminates a train
  record that shares any of its n-grams;
- a probe of min_words..n-1 words contaminates a train record that contains the whole probe as a
  contiguous word sequence ("how do I reset my pin" inside a longer train ticket);
- a probe shorter than min_words (4 by default) only matches a train record whose whole prompt is
  the same words: three-word phrases like "block my card" are too common to mean a leak.
Train records that overlap are rejected ("contaminated", overlaps_with = up to 5 probe ids; an
n-gram found in several probes names the first of them: test, then validation, then benchmark
rows) unless `action: report`; the manifest counts contaminated train records per source. Validation and test items are never
dropped; validation-vs-test overlap is only reported. Records without a split count as train.
Benchmark files are JSONL (or a JSON array), read with plain json, paths relative to the working
directory; their rows are named "<path>:<line>".
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from curate import minhash
from curate.passes.base import Context, Pass, RecipeError
from curate.records import Record

PROMPT_KEYS = ("prompt", "question", "instruction", "text", "query")
SOURCES = ("test", "validation", "benchmark")  # probe order too: overlaps_with lists test ids first
MAX_LISTED = 5
_WHOLE = np.uint64(0x77686F6C65)  # namespace of whole-text hashes


@dataclass
class DecontaminateConfig:
    n: int = 13                                          # n-gram size for probes of >= n words
    min_words: int = 4                                   # shorter probes match whole prompts only
    against: list[str] = field(default_factory=list)     # benchmark files (JSONL / JSON array)
    action: str = "drop"                                 # drop | report

    def __post_init__(self):
        if not isinstance(self.n, int) or self.n < 1:
            raise ValueError(f"n must be a positive integer, got {self.n!r}")
        if not isinstance(self.min_words, int) or not 1 <= self.min_words <= self.n:
            raise ValueError(f"min_words must be an integer between 1 and n, got {self.min_words!r}")
        if self.action not in ("drop", "report"):
            raise ValueError(f"action must be 'drop' or 'report', got {self.action!r}")
        if isinstance(self.against, str):
            self.against = [self.against]
        for path in self.against:
            if not Path(path).is_file():
                raise ValueError(f"benchmark file not found: {path}")


class Decontaminate(Pass):
    name = "decontaminate"
    per_record = False
    Config = DecontaminateConfig

    def run(self, records: Iterable[Record], ctx: Context) -> Iterator[Record]:
        records = list(records)
        probes = _held_out(records) + [(pid, text, "benchmark") for path in self.config.against
                                       for pid, text in read_benchmark(path)]
        train_idx = [i for i, r in enumerate(records) if r.split in (None, "train")]
        source_bits = np.array([1 << SOURCES.index(source) for _, _, source in probes], dtype=np.int64)
        found = self.overlaps([records[i].instruction for i in train_idx], [p[1] for p in probes],
                              source_bits)
        overlaps = {train_idx[t]: hit for t, hit in found.items()}
        self._report(records, probes, overlaps, ctx)
        for i, record in enumerate(records):
            if i in overlaps and self.config.action == "drop":
                ctx.reject(record, "contaminated", overlaps_with=[probes[p][0] for p in overlaps[i][0]])
            else:
                yield record

    def overlaps(self, targets: list[str], probes: list[str],
                 source_bits: np.ndarray | None = None) -> dict[int, tuple[list[int], int]]:
        """target index -> (up to MAX_LISTED overlapping probe indices, OR of their source bits)."""
        if not targets or not probes:
            return {}
        cfg = self.config
        bits = np.ones(len(probes), dtype=np.int64) if source_bits is None else source_bits
        p_hash, p_owner = minhash.word_hashes(probes)
        t_hash, t_owner = minhash.word_hashes(targets)
        p_words = np.bincount(p_owner, minlength=len(probes))
        whole_p, whole_p_owner = _whole_text_hashes(p_hash, p_owner, len(probes))
        found = [_match(whole_p, whole_p_owner, bits[whole_p_owner],
                        *_whole_text_hashes(t_hash, t_owner, len(targets)))]
        for length in np.unique(np.minimum(p_words[p_words >= cfg.min_words], cfg.n)).tolist():
            p_grams, p_gram_owner = minhash.word_ngrams(p_hash, p_owner, length)
            keep = np.minimum(p_words[p_gram_owner], cfg.n) == length  # short probe: whole probe
            found.append(_match(p_grams[keep], p_gram_owner[keep], bits[p_gram_owner[keep]],
                                *minhash.word_ngrams(t_hash, t_owner, length)))
        return _by_target(*(np.concatenate(column) for column in zip(*found)), len(probes))

    def _report(self, records, probes, overlaps, ctx):
        hit_bits = np.array([bits for _, bits in overlaps.values()], dtype=np.int64)
        by_source = {source: int(((hit_bits >> k) & 1).sum()) for k, source in enumerate(SOURCES)}
        val_test = self.overlaps([r.instruction for r in records if r.split == "validation"],
                                 [r.instruction for r in records if r.split == "test"])
        ctx.info.update(
            n=self.config.n, min_words=self.config.min_words, action=self.config.action,
            probes=len(probes), contaminated_train=len(overlaps),
            contaminated_train_by_source={k: v for k, v in by_source.items() if v},
            examples=[{"train": records[i].id, "overlaps_with": [probes[p][0] for p in overlaps[i][0]]}
                      for i in sorted(overlaps)[:MAX_LISTED]],
            validation_overlapping_test=len(val_test))
        ctx.count("contaminated", len(overlaps))


def _held_out(records: list[Record]) -> list[tuple[str, str, str]]:
    """(id, prompt, split) of test then validation records: the probes taken from the data itself."""
    return [(r.id, r.instruction, split) for split in ("test", "validation") for r in records
            if r.split == split]


def _whole_text_hashes(hashes, owners, n_texts):
    """(one hash per text over all its words, text index) for texts that have words."""
    counts = np.bincount(owners, minlength=n_texts)
    position = np.arange(len(hashes)) - np.repeat(np.cumsum(counts) - counts, counts)
    mixed = minhash._mix(hashes + position.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    has_words = np.flatnonzero(counts > 0)
    if len(has_words) == 0:
        return np.zeros(0, dtype=np.uint64), has_words
    total = np.add.reduceat(mixed, (np.cumsum(counts) - counts)[has_words])  # owners are sorted
    return minhash._mix(total ^ _WHOLE), has_words


def _match(keys_p, owners_p, bits_p, keys_t, owners_t):
    """(target, lowest probe with the key, OR of the sources of all probes with it) per shared key.

    One probe per key keeps the output linear when a phrase recurs in many probes.
    """
    order = np.argsort(keys_p, kind="stable")  # stable: the lowest probe index comes first
    keys_p, owners_p, bits_p = keys_p[order], owners_p[order], bits_p[order]
    first = np.flatnonzero(np.concatenate((keys_p[:1] == keys_p[:1], keys_p[1:] != keys_p[:-1])))
    if len(first) == 0:
        return (np.zeros(0, dtype=np.int64),) * 3
    unique_keys, probe, bits = keys_p[first], owners_p[first], np.bitwise_or.reduceat(bits_p, first)
    at = np.minimum(np.searchsorted(unique_keys, keys_t), len(unique_keys) - 1)
    hit = unique_keys[at] == keys_t
    return owners_t[hit].astype(np.int64), probe[at[hit]].astype(np.int64), bits[at[hit]]


def _by_target(targets, probes, bits, n_probes) -> dict[int, tuple[list[int], int]]:
    """Group (target, probe, bits) rows: first MAX_LISTED distinct probes and OR of bits per target."""
    if len(targets) == 0:
        return {}
    order = np.argsort(targets, kind="stable")
    targets, bits = targets[order], bits[order]
    starts = np.flatnonzero(np.concatenate(([True], targets[1:] != targets[:-1])))
    target_bits = dict(zip(targets[starts].tolist(), np.bitwise_or.reduceat(bits, starts).tolist()))
    codes = np.sort(targets * n_probes + probes[order])
    codes = codes[np.concatenate(([True], codes[1:] != codes[:-1]))]
    owner = codes // n_probes
    group_start = np.flatnonzero(np.concatenate(([True], owner[1:] != owner[:-1])))
    rank = np.arange(len(codes)) - np.repeat(group_start, np.diff(np.append(group_start, len(codes))))
    listed: dict[int, list[int]] = {}
    for code in codes[rank < MAX_LISTED].tolist():
        listed.setdefault(code // n_probes, []).append(code % n_probes)
    return {t: (listed[t], target_bits[t]) for t in sorted(target_bits)}


def read_benchmark(path: str) -> list[tuple[str, str]]:
    """(id "<path>:<line>", prompt text) of every row of a user benchmark file."""
    text = Path(path).read_text(encoding="utf-8")
    if Path(path).suffix == ".json":
        try:
            rows = list(enumerate(json.loads(text), start=1))
        except (json.JSONDecodeError, TypeError) as e:
            raise RecipeError(f"decontaminate: {path}: not a JSON array of rows ({e})") from None
    else:
        rows = []
        for line_no, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    rows.append((line_no, json.loads(line)))
                except json.JSONDecodeError as e:
                    raise RecipeError(f"decontaminate: {path}:{line_no}: invalid JSON ({e.msg})") from None
    return [(f"{path}:{line_no}", _prompt_of(row, path, line_no)) for line_no, row in rows]


def _prompt_of(row, path, line_no) -> str:
    if isinstance(row, dict) and isinstance(row.get("messages"), list):
        return "\n".join(str(m.get("content", "")) for m in row["messages"]
                         if isinstance(m, dict) and m.get("role") == "user")
    if isinstance(row, dict):
        for key in PROMPT_KEYS:
            if isinstance(row.get(key), str):
                extra = row.get("input") if key == "instruction" else None
                return row[key] + ("\n" + extra if isinstance(extra, str) and extra else "")
    raise RecipeError(f"decontaminate: {path}:{line_no}: no messages/{'/'.join(PROMPT_KEYS)} field")
