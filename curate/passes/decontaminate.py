"""Drop train records that overlap a validation/test item or a benchmark (word n-grams).

The prompt (user turns) is compared first; the completion (last assistant turn) decides the
unclear cases. For benchmark rows the prompt is the `messages` user turns, else the first of
prompt / question / instruction(+input) / text / query; the completion is the assistant turn or
answer / response / output / completion / label, when there is one.

The n-gram rule (lower-cased words, punctuation ignored, per probe text), as in GPT-3's
decontamination (Brown et al. 2020, appendix C) with its frequency cut:
- a probe of >= n words (n = 13 by default) matches a train record that shares its n-grams;
- a probe of min_words..n-1 words matches a train record that contains the whole probe as a
  contiguous word sequence ("how do I reset my pin" inside a longer train ticket);
- a probe shorter than min_words (4 by default) only matches a train record whose whole prompt is
  the same words: three-word phrases like "block my card" are too common to mean a leak;
- an n-gram found in more than `max_ngram_records` records (train, held-out and benchmark rows
  together; 10 as in GPT-3) is not evidence: it is a template, a system prompt, a tool
  description or boilerplate, and its words are masked before comparing (curate/ngram_overlap.py).
  Without this a tool-use sub-task whose prompts all start with the same 13+-word tool
  description loses every train row to its own test rows;
- a match covering at least `min_coverage` of the probe's remaining n-grams (PaLM uses 70% of
  8-grams; here 0.8) is contamination; a smaller one (a shared sentence) is contamination only
  if the completions overlap too (same text or a shared rare n-gram), or the probe has none.
A train record whose whole prompt equals a probe's is always contaminated.
Train records that overlap are rejected ("contaminated", overlaps_with = up to 5 probe ids, test
ones first, then validation, then benchmark rows) unless `action: report`; the manifest counts
contaminated train records per source and the n-grams ignored as common. Validation and test
items are never dropped; validation-vs-test overlap is only reported. Records without a split
count as train. Benchmark files are JSONL (or a JSON array), read with plain json, paths relative
to the working directory; their rows are named "<path>:<line>".
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from curate.ngram_overlap import Texts, equal_pairs, shared_grams
from curate.passes.base import Context, Pass, RecipeError
from tunecraft.records import Record

PROMPT_KEYS = ("prompt", "question", "instruction", "text", "query")
COMPLETION_KEYS = ("completion", "answer", "response", "output", "label")
SOURCES = ("test", "validation", "benchmark")  # probe order too: overlaps_with lists test ids first
MAX_LISTED = 5


@dataclass
class DecontaminateConfig:
    n: int = 13                                          # n-gram size for probes of >= n words
    min_words: int = 4                                   # shorter probes match whole prompts only
    max_ngram_records: int = 10                          # n-grams in more records are boilerplate
    min_coverage: float = 0.8                            # share of a probe's n-grams: no completion check
    against: list[str] = field(default_factory=list)     # benchmark files (JSONL / JSON array)
    action: str = "drop"                                 # drop | report

    def __post_init__(self):
        if not isinstance(self.n, int) or self.n < 1:
            raise ValueError(f"n must be a positive integer, got {self.n!r}")
        if not isinstance(self.min_words, int) or not 1 <= self.min_words <= self.n:
            raise ValueError(f"min_words must be an integer between 1 and n, got {self.min_words!r}")
        if not isinstance(self.max_ngram_records, int) or self.max_ngram_records < 2:
            raise ValueError(f"max_ngram_records must be an integer >= 2, got {self.max_ngram_records!r}")
        if not 0 < float(self.min_coverage) <= 1:
            raise ValueError(f"min_coverage must be within (0, 1], got {self.min_coverage!r}")
        if self.action not in ("drop", "report"):
            raise ValueError(f"action must be 'drop' or 'report', got {self.action!r}")
        if isinstance(self.against, str):
            self.against = [self.against]
        for path in self.against:
            if not Path(path).is_file():
                raise ValueError(f"benchmark file not found: {path}")


@dataclass
class Probe:
    id: str
    prompt: str
    completion: str
    source: str                                          # one of SOURCES

    @property
    def instruction(self) -> str:                        # a probe read as a target (validation)
        return self.prompt

    @property
    def response(self) -> str:
        return self.completion


class _Train:
    """The train records (and those without a split) of a re-iterable, as often as needed."""

    def __init__(self, records):
        self.records = records

    def __iter__(self) -> Iterator[Record]:
        return (r for r in self.records if r.split in (None, "train"))


class Decontaminate(Pass):
    name = "decontaminate"
    per_record = False
    Config = DecontaminateConfig

    def run(self, records: Iterable[Record], ctx: Context) -> Iterator[Record]:
        records = ctx.replayable(records)
        probes = Probes(_held_out(records) + self.benchmark_probes())
        tests, validation = ([p for p in probes if p.source == s] for s in ("test", "validation"))
        (found, ignored), (val_test, _) = self.overlaps(Together(
            Compare(_Train(records), probes, self.config), Compare(validation, tests, self.config)))
        names = self.report(probes, found, ignored, len(val_test), ctx,
                            lambda listed: dict(_ids_at(_Train(records), listed)))
        t = -1
        for record in records:
            t += record.split in (None, "train")
            if record.split in (None, "train") and t in found and self.config.action == "drop":
                ctx.reject(record, "contaminated", overlaps_with=[names[p] for p in found[t][:MAX_LISTED]])
            else:
                yield record

    def benchmark_probes(self) -> list[Probe]:
        return [Probe(pid, prompt, completion, "benchmark")
                for path in self.config.against for pid, prompt, completion in read_benchmark(path)]

    def overlaps(self, compare) -> list[tuple[dict[int, list[int]], int]]:
        """Per comparison: ({target: its overlapping probe indices, in probe order}, common
        n-grams ignored). `compare`: the comparisons (train against every probe, validation
        against test), asked together (`Together` in this process; the Ray engine's answers all
        of them in the same shuffles and names targets by their position in the pass's input)."""
        cfg = self.config
        pairs, partial, ignored = [], [], []
        for i, answer in enumerate(compare("instruction", [None] * compare.n)):
            equal, shared, per_probe, common = answer or (set(), {}, None, 0)
            partial.append({(t, p) for (t, p), k in shared.items()
                            if k < cfg.min_coverage * per_probe[p] and compare.completed(i, p)})
            pairs.append(equal | (set(shared) - partial[i]))
            ignored.append(common)
        if any(partial):     # the completions decide: equal, or sharing a rare n-gram
            for i, answer in enumerate(compare("response", partial)):
                if answer is not None:
                    equal, done, _, _ = answer
                    pairs[i] |= {pair for pair in partial[i] if pair in equal or pair in done}
        return [(_by_target(found), common) for found, common in zip(pairs, ignored)]

    def report(self, probes, found, ignored, val_test: int, ctx, ids_of) -> dict[int, str]:
        """ctx.info and counts; `probes`: `Probes` or the Ray engine's (`len`, `source(p)`,
        `ids(ps)`); `ids_of(targets)`: {target: its record id}. Returns the ids of the probes the
        rejects list (up to MAX_LISTED per contaminated record)."""
        sources = {p: probes.source(p) for hits in found.values() for p in hits}
        by_source = {source: sum(1 for hits in found.values() if any(sources[p] == source for p in hits))
                     for source in SOURCES}
        listed = sorted(found)[:MAX_LISTED]
        train_ids = ids_of(listed)
        names = probes.ids(sorted({p for hits in found.values() for p in hits[:MAX_LISTED]}))
        ctx.info.update(
            n=self.config.n, min_words=self.config.min_words, action=self.config.action,
            max_ngram_records=self.config.max_ngram_records, common_ngrams_ignored=ignored,
            probes=len(probes), contaminated_train=len(found),
            contaminated_train_by_source={k: v for k, v in by_source.items() if v},
            examples=[{"train": train_ids[t], "overlaps_with": [names[p] for p in found[t][:MAX_LISTED]]}
                      for t in listed],
            validation_overlapping_test=val_test)
        ctx.count("contaminated", len(found))
        return names


class Probes(list):
    """The probes held in this process, in probe order (test, validation, benchmark)."""

    def source(self, p: int) -> str:
        return self[p].source

    def ids(self, ps: Iterable[int]) -> dict[int, str]:
        return {p: self[p].id for p in ps}


def _by_target(pairs: set[tuple[int, int]]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for t, p in sorted(pairs):
        found.setdefault(t, []).append(p)
    return found


class Together:
    """Several `Compare`s asked the same question at once: called with a field and, per
    comparison, the pairs that matter (None: all; an empty set: skip it), it returns each one's
    answer, None for one skipped or with an empty side."""

    def __init__(self, *compares: "Compare"):
        self.compares, self.n = compares, len(compares)

    def completed(self, i: int, p: int) -> bool:
        return self.compares[i].completed(p)

    def __call__(self, field: str, only: list) -> list:
        return [c(field, o) if c.probes and c.targets and (o is None or o) else None
                for c, o in zip(self.compares, only)]


class Compare:
    """The texts of targets and probes held in this process, compared.

    Called with a field ("instruction" or "response"), it returns (pairs of equal whole texts,
    {(target, probe): rare n-grams shared}, rare n-grams per probe, n-grams ignored as common);
    `only`: the pairs whose equality matters (all when None). `probes`, `targets`: how many."""

    def __init__(self, targets: Iterable, probes: list[Probe], cfg: DecontaminateConfig):
        self.source, self._probes, self.cfg = targets, probes, cfg
        self.texts = {"instruction": Texts(r.instruction for r in targets)} if probes else {}
        self.targets, self.probes = self.texts["instruction"].n if probes else 0, len(probes)

    def completed(self, p: int) -> bool:
        """Whether probe p has a completion to compare."""
        return bool(self._probes[p].completion.strip())

    def __call__(self, field: str, only=None):
        cfg = self.cfg
        if field not in self.texts:
            self.texts[field] = Texts(getattr(r, field) for r in self.source)
        targets, probes = self.texts.pop(field), Texts(getattr(p, field) for p in self._probes)
        if only is None:
            equal = equal_pairs(targets, probes)
        else:
            t_whole, p_whole = targets.whole(), probes.whole()
            equal = {(t, p) for t, p in only if t_whole[t] == p_whole[p] and t_whole[t]}
        return (equal, *shared_grams(targets, probes, cfg.n, cfg.min_words, cfg.max_ngram_records))


def _ids_at(records: Iterable[Record], positions: list[int]) -> Iterator[tuple[int, str]]:
    """(position, id) of the records at the sorted `positions`."""
    wanted = set(positions)
    if wanted:
        for i, record in enumerate(records):
            if i in wanted:
                yield i, record.id
                if i == positions[-1]:
                    return


def _held_out(records: Iterable[Record]) -> list[Probe]:
    """Test then validation records: the probes taken from the data itself (one reading)."""
    held: dict[str, list[Probe]] = {"test": [], "validation": []}
    for r in records:
        if r.split in held:
            held[r.split].append(Probe(r.id, r.instruction, r.response, r.split))
    return held["test"] + held["validation"]


def read_benchmark(path: str) -> list[tuple[str, str, str]]:
    """(id "<path>:<line>", prompt, completion or "") of every row of a user benchmark file."""
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
    return [(f"{path}:{line_no}", _prompt_of(row, path, line_no), _completion_of(row))
            for line_no, row in rows]


def _completion_of(row) -> str:
    if isinstance(row, dict) and isinstance(row.get("messages"), list):
        return "\n".join(str(m.get("content", "")) for m in row["messages"]
                         if isinstance(m, dict) and m.get("role") == "assistant")
    if isinstance(row, dict):
        return next((str(row[k]) for k in COMPLETION_KEYS if isinstance(row.get(k), (str, int))), "")
    return ""


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
