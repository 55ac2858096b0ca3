"""The shards of one input file, cut the same way wherever the file is read.

Why a shard never holds rows of two files: the Ray engine reads files in worker tasks
(curate.engines.ray_engine), where a task sees one file and nothing before it, and both engines
must write the same bytes, so the local engine cuts the same shards. A file's shards then depend
on that file alone (docs/DESIGN.md, "Reading on Ray"). The one output this can change: a
conversation whose rows run from the end of one file into the next (its `conversation_id` is
the user's own column, so exports split by row count do that) is two pieces for the pii pass, as
a conversation longer than the largest shard already is; the run counts it
(`conversation_cut:file_boundary`, the `conversation_cut` warning) rather than hiding it.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Iterator

from curate.executor import parse_lines, shards
from curate.pii.spread import conversation
from curate.readers import InputFile, JsonlLines, read_file
from tunecraft.records import Record, Reject

FILE_CUT = "conversation_cut:file_boundary"


@dataclass
class Piece:
    """One shard of a file and what reading it cost: the reader's own rejects and the rows it
    read since the previous piece (rejects included), so the run's read counts add up."""
    items: list[Record | JsonlLines] | None
    rejects: list[Reject] = field(default_factory=list)
    rows: int = 0
    records: int = 0                 # Records among `items` (parsed by the reader, not the stage)


@dataclass
class FileDone:
    """The end of a file: its rows, sha256 and schema as reading left them, the reader's last
    rejects, and the conversations at its two ends (to count one running into the next file)."""
    source: InputFile
    rejects: list[Reject] = field(default_factory=list)
    rows: int = 0
    first: str | None = None
    last: str | None = None
    capped: int = 0                  # conversations cut by the shard cap inside the file


def file_pieces(source: InputFile, schema: str | None, parse: bool) -> Iterator[Piece | FileDone]:
    """The Pieces of `source`, then its FileDone. `parse`: JSONL lines are parsed here (a pass
    of the first stage needs whole conversations, and only parsed records show theirs); else
    they go to the stage as JsonlLines."""
    read = FileDone(source)
    ends: list[str | None] = []

    def items() -> Iterator[Record | JsonlLines]:
        for item in read_file(source, schema, defer_parsing=True):
            if isinstance(item, JsonlLines):
                read.rows += len(item.lines)
                if not parse:
                    yield item
                    continue
                records, rejects = parse_lines([item])
            else:
                read.rows += 1
                records, rejects = ([item], []) if isinstance(item, Record) else ([], [item])
            read.rejects += rejects
            for record in records:
                key = conversation(record)
                if not ends:
                    ends.append(key)
                ends[1:] = [key]
                yield record

    def cut() -> None:
        read.capped += 1
    for shard in shards(items(), on_cap=cut):
        yield Piece(shard, read.rejects, read.rows, sum(isinstance(i, Record) for i in shard))
        read.rejects, read.rows = [], 0
    read.first, read.last = (ends + [None, None])[:2]
    yield read


def read_here(map_, stage, files: list[InputFile], schema: str | None, parse: bool, ahead=None):
    """(Piece | FileDone, ShardResult | None) pairs in input order: `files` read in this process
    and `stage` run over their shards by `map_` (an executor's `map`, which may read ahead)."""
    read: deque[Piece | FileDone] = deque()

    def shards_() -> Iterator[list]:
        for source in files:
            for piece in file_pieces(source, schema, parse):
                read.append(piece)
                if isinstance(piece, Piece):
                    yield piece.items
    for result in map_(stage, shards_(), ahead):
        while isinstance(read[0], FileDone):
            yield read.popleft(), None
        piece = read.popleft()
        piece.items = None
        yield piece, result
    while read:
        yield read.popleft(), None
