"""The pass interface (datatrove-style: a pass is a small class over an iterator of Records).

A pass never reads files and never prints. It keeps a record by yielding/returning it, drops one
with `ctx.reject(record, reason, **details)`, and counts what it changed with `ctx.count(key)`.

Two families:
- per-record passes (`per_record = True`) implement `apply(record, ctx)` (or `apply_batch` when a
  library is faster in batches, e.g. Presidio). They are pure functions of one record, so the
  pipeline runs them in worker processes over shards. Heavy resources are built in `setup()`,
  which runs once per process, so the pass object itself stays cheap to pickle.
- whole-dataset passes (`per_record = False`) override `run(records, ctx)`, consuming the
  iterator first when they must (near-dedup, split, decontaminate, balance).
"""
from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from itertools import islice
from typing import Any, Callable, ClassVar, Iterable, Iterator

from tunecraft.records import Record, Reject


class RecipeError(ValueError):
    """A recipe or pass option is wrong; the message names the key and what is allowed."""


@dataclass
class NoConfig:
    pass


class Context:
    """What one pass reports while it runs: its rejects and its counters.

    Each pass gets its own Context (per shard, in workers); the pipeline merges them. A context
    with a `sink` hands each reject on (the pipeline streams them to disk, so memory does not grow
    with the reject count); without one it keeps them in `rejects` (shards, tests).
    """

    def __init__(self, pass_name: str, seed: int = 0, sink: Callable[[Reject], None] | None = None):
        self.pass_name = pass_name
        self.seed = seed
        self.rejects: list[Reject] = []
        self.reasons: Counter[str] = Counter()      # rejects by reason, also those sent to the sink
        self.counts: Counter[str] = Counter()
        # Structured facts for the manifest from whole-dataset passes (label counts before/after
        # balancing, overlaps found, ...). Per-record passes use `count`, which merges across shards.
        self.info: dict[str, Any] = {}
        # For a pass with `prepare`: its values for the records `run` receives, in their order.
        self.prepared: Any = None
        # A folder where whole-dataset passes' records wait on disk (set by the pipeline); None:
        # in memory (a pass run on its own, tests).
        self.spool: Any = None
        self._sink = sink

    @property
    def n_rejected(self) -> int:
        return sum(self.reasons.values())

    def reject(self, record: Record, reason: str, **details: Any) -> None:
        self.take(Reject(record, self.pass_name, reason, details))

    def take(self, reject: Reject) -> None:
        self.reasons[reject.reason] += 1
        if self._sink is None:
            self.rejects.append(reject)
        else:
            self._sink(reject)

    def replayable(self, records: Iterable[Record]):
        """The records, readable again in the same order as often as a pass needs (with
        `len`): on disk when the pipeline gave a spool folder (curate.record_spool), else a
        list. A record read again is a fresh copy: change records on the last reading."""
        if self.spool is None:
            return list(records)
        from curate.record_spool import Spooled
        return Spooled(records, self.spool)

    def sorted_by_digest(self, records: Iterable[Record], key: Callable[[Record], bytes],
                         n: int) -> Iterator[Record]:
        """`sorted(records, key=key)` (stable) for a key that is a uniform hash; on disk when
        the pipeline gave a spool folder. `n`: the number of records."""
        if self.spool is None:
            return iter(sorted(records, key=key))
        from curate.record_spool import sorted_on_disk
        return sorted_on_disk(records, key, n, self.spool)

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] += n

    def merge(self, other: "Context") -> None:
        for reject in other.rejects:
            self.take(reject)
        self.counts.update(other.counts)
        self.info.update(other.info)


class Pass:
    name: ClassVar[str] = ""
    Config: ClassVar[type] = NoConfig
    # What a pass needs from the runner, declared here so the runner knows no pass by name:
    # - per_record: a pure function of one record, so it runs in worker processes over shards;
    #   False: it needs every record (or their order) and runs in the main process.
    per_record: ClassVar[bool] = True
    # - prepares: `prepare(record)` may run ahead, in the worker stage before this pass.
    prepares: ClassVar[bool] = False
    # - scrubs_rejects: the reader's rejects and those of the passes before this one go through
    #   it too (its `run` over their records, then `scrub_details`) before rejects.jsonl gets
    #   them, and the input inventory goes through `scrub_inventory` before any record is read.
    scrubs_rejects: ClassVar[bool] = False
    # - whole_conversations: a per-record pass that reads a record's conversation (its shard holds
    #   the conversation's consecutive rows, curate.executor.shards): records reach its stage
    #   parsed, as raw JSONL lines show no conversation.
    whole_conversations: ClassVar[bool] = False

    def __init__(self, config: Any = None):
        self.config = config if config is not None else self.Config()
        self._ready = False

    # --- configuration ------------------------------------------------------------------
    @classmethod
    def from_options(cls, options: dict[str, Any] | None) -> "Pass":
        """Build from a recipe mapping; unknown keys are an error naming the valid ones."""
        options = dict(options or {})
        valid = [f.name for f in dataclasses.fields(cls.Config)]
        unknown = sorted(set(options) - set(valid))
        if unknown:
            raise RecipeError(
                f"pass '{cls.name}': unknown option(s) {', '.join(unknown)}; "
                f"valid options: {', '.join(valid) or '(none)'}")
        try:
            return cls(cls.Config(**options))
        except (TypeError, ValueError) as e:
            raise RecipeError(f"pass '{cls.name}': {e}") from None

    # --- execution ----------------------------------------------------------------------
    def setup(self) -> None:
        """Load heavy resources (models, analyzers). Runs once per process, lazily."""

    def ensure_setup(self) -> None:
        if not self._ready:
            self.setup()
            self._ready = True

    def apply(self, record: Record, ctx: Context) -> Record | None:
        raise NotImplementedError(f"{type(self).__name__} must implement apply() or run()")

    def apply_batch(self, records: list[Record], ctx: Context) -> list[Record]:
        kept = []
        for record in records:
            out = self.apply(record, ctx)
            if out is not None:
                kept.append(out)
        return kept

    def prepare(self, record: Record) -> Any:
        """Per-record work of a whole-dataset pass that can run early, in the worker processes
        (dedup_exact's hash), so that the main process keeps only what needs every record. A pass
        that implements it sets `prepares = True`; `run` finds the values in `ctx.prepared` (a
        deque, record order) if the pipeline ran it ahead, or None if it did not."""
        raise NotImplementedError

    def scrub_inventory(self, inventory: Any, seed: int) -> None:
        """For `scrubs_rejects` passes: rewrite what the inventory shows of the input (file names,
        skip reasons), in place, before records are read; record ids are built from it."""

    def scrub_details(self, rejects: list[Reject], seed: int) -> None:
        """For `scrubs_rejects` passes: rewrite the rejects' details (their records have already
        been through `run`), in place."""

    def run(self, records: Iterable[Record], ctx: Context) -> Iterator[Record]:
        self.ensure_setup()
        it = iter(records)
        while batch := list(islice(it, 256)):
            yield from self.apply_batch(batch, ctx)

    def __getstate__(self):
        # Heavy resources built in setup() stay out of pickles sent to workers.
        state = {k: v for k, v in self.__dict__.items() if not k.startswith("_")}
        state["_ready"] = False
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
