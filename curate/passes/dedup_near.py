"""Near-duplicate clusters by MinHash + LSH, verified by exact Jaccard (see curate.minhash).

What is compared: the instruction (all user turns) and the response (last assistant turn), each as
its own shingle set. Two records are near-duplicates when EVERY field that is non-empty in either
record has Jaccard >= threshold (a field empty in both is ignored); each field has its own LSH
index (see _Shingles for why one is not enough). Hashing one concatenated text would let a long canned answer ("Thanks for reaching out
...") merge short questions that are different training examples; per-field checking keeps
"what's my balance" / "show my balance" apart even when they share an answer.
`field: instruction` (or `response`) compares one field only.

Shingles: word `shingle_size`-grams; texts with fewer words than that (short queries, scripts
written without spaces) use character `char_shingle_size`-grams; text without any letter or digit
is never a near-duplicate (exact dedup handles it).

Clusters are connected components of verified pairs (exact Jaccard on the shingle sets of each LSH
candidate pair, so precision does not depend on the signature estimate). Representative: the
first member in input order. `mode: remove` rejects the other members ("near_duplicate",
duplicate_of = representative id, similarity = their exact Jaccard with the representative, which
can sit below the threshold when the cluster is a chain A~B~C); `mode: mark` keeps everyone. In both
modes every member of a cluster of size >= 2 gets meta["cluster_id"] = representative id, which the
split pass uses to keep a cluster inside one split. Output order is input order.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np

from curate import minhash
from curate.passes.base import Context, Pass
from tunecraft.records import Record

FIELDS = {"both": ("instruction", "response"), "instruction": ("instruction",),
          "response": ("response",)}


@dataclass
class DedupNearConfig:
    threshold: float = 0.8          # Jaccard of shingle sets at or above which records are duplicates
    shingle_size: int = 5           # words per shingle
    char_shingle_size: int = 5      # characters per shingle for texts with < shingle_size words
    num_perm: int = 128             # MinHash permutations (bands x rows chosen from the threshold)
    mode: str = "remove"            # remove | mark
    field: str = "both"             # both | instruction | response

    def __post_init__(self):
        if not 0.0 < float(self.threshold) <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
        for key in ("shingle_size", "char_shingle_size", "num_perm"):
            value = getattr(self, key)
            if not isinstance(value, int) or not 1 <= value <= 4096:
                raise ValueError(f"{key} must be an integer between 1 and 4096, got {value!r}")
        if self.mode not in ("remove", "mark"):
            raise ValueError(f"mode must be 'remove' or 'mark', got {self.mode!r}")
        if self.field not in FIELDS:
            raise ValueError(f"field must be one of {', '.join(FIELDS)}, got {self.field!r}")


class DedupNear(Pass):
    name = "dedup_near"
    per_record = False
    Config = DedupNearConfig

    def run(self, records: Iterable[Record], ctx: Context) -> Iterator[Record]:
        records = ctx.replayable(records)
        shingles = _Shingles(records, FIELDS[self.config.field], self.config)
        rep = self.representatives(shingles, ctx)
        members = np.flatnonzero((rep >= 0) & (rep != np.arange(len(rep))))
        similarity = dict(zip(members.tolist(), shingles.similarity(
            np.stack((rep[members], members), axis=1)).tolist()))
        rep_id: dict[int, str] = {}     # a representative comes before its members
        for i, record in enumerate(records):
            if rep[i] == i:
                rep_id[i] = record.id
            if rep[i] >= 0:
                record.meta["cluster_id"] = rep_id[rep[i]]
            if i in similarity and self.config.mode == "remove":
                ctx.reject(record, "near_duplicate", duplicate_of=rep_id[rep[i]],
                           similarity=round(similarity[i], 4))
            else:
                yield record

    def representatives(self, shingles: "_Shingles", ctx: Context) -> np.ndarray:
        """rep[i] = index of record i's cluster representative, or -1 when i is in no cluster."""
        cfg = self.config
        bands, rows = minhash.lsh_params(cfg.threshold, cfg.num_perm)
        a, b = minhash.permutations(bands * rows, ctx.seed)  # permutations no band uses are skipped
        pairs, usable = shingles.candidates(a, b, bands, rows)
        edges = shingles.verified(pairs, cfg.threshold)
        rep = _components_first_member(len(usable), edges)
        ctx.info.update(bands=bands, rows=rows, candidate_pairs=int(len(pairs)),
                        verified_pairs=int(len(edges)), no_text=int((~usable).sum()),
                        clusters=int(len(np.unique(rep[rep >= 0]))),
                        clustered_records=int((rep >= 0).sum()))
        return rep


class _Shingles:
    """Shingle sets of the compared fields, hashed when first needed.

    Every compared field has its own LSH index and a pair sharing a bucket in any of them is a
    candidate. One index would do if candidates were all pairs of a bucket, but they are a bucket's
    first member and sort-order neighbours only (all pairs of a big bucket would be quadratic): when
    many records ask the same prompt, the instruction index puts them all in one bucket, and only
    the response index brings their near-duplicate answers together (and the other way round for
    one canned answer to many questions).
    """

    def __init__(self, records, names: tuple[str, ...], cfg: DedupNearConfig):
        """`records`: re-iterable with `len` (a list, or curate.record_spool.Spooled)."""
        self.records, self.names, self.cfg = records, names, cfg
        self.sets: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def ensure(self, name: str, idx: np.ndarray) -> None:
        """Hash field `name` of records idx (sorted, unique) unless that is done already."""
        done = self.sets.get(name)
        if done is not None and np.isin(idx, done[0]).all():
            return
        idx = idx if done is None else np.union1d(done[0], idx)
        values, offsets = minhash.shingle_hashes(
            (getattr(r, name) for r in _picked(self.records, idx)), self.cfg.shingle_size,
            self.cfg.char_shingle_size, salt=tuple(FIELDS["both"]).index(name))
        self.sets[name] = (idx, values, offsets)

    def candidates(self, a, b, bands, rows) -> tuple[np.ndarray, np.ndarray]:
        """(candidate pairs, mask of records with any text). The first field indexes every record;
        each next field only those the fields before could not settle: no text there, or a crowded
        bucket (see minhash.candidates_and_crowded)."""
        n = len(self.records)
        found, usable = [np.zeros((0, 2), dtype=np.int64)], np.zeros(n, dtype=bool)
        unsettled = np.ones(n, dtype=bool)
        for name in self.names:
            idx = np.flatnonzero(unsettled)
            self.ensure(name, idx)
            index, values, offsets = self.sets[name]
            at = np.searchsorted(index, idx)
            has_text = np.zeros(n, dtype=bool)
            has_text[idx] = (offsets[at + 1] - offsets[at]) > 0
            keys = np.zeros((bands, n), dtype=np.uint64)
            keys[:, index] = minhash.band_keys([(values, offsets)], a, b, bands, rows)
            pairs, crowded = minhash.candidates_and_crowded(keys, has_text)
            found.append(pairs)
            usable |= has_text
            unsettled &= crowded | ~has_text
        return np.unique(np.concatenate(found), axis=0), usable

    def verified(self, pairs: np.ndarray, threshold: float) -> np.ndarray:
        """The pairs whose every compared field reaches `threshold` (a field empty in both counts
        as a match). Each field is checked on the pairs still standing, so the short instruction
        settles most candidates of the response index before the long responses are compared."""
        for name in self.names:
            if len(pairs):
                self.ensure(name, np.unique(pairs))
                index, values, offsets = self.sets[name]
                pairs = pairs[minhash.jaccard_pairs(values, offsets, np.searchsorted(index, pairs)) >= threshold]
        return pairs

    def similarity(self, pairs: np.ndarray) -> np.ndarray:
        """min over compared fields of the exact Jaccard (a field empty in both does not count)."""
        sims = [np.ones(len(pairs))]
        for name in self.names:
            self.ensure(name, np.unique(pairs))
            index, values, offsets = self.sets[name]
            sims.append(minhash.jaccard_pairs(values, offsets, np.searchsorted(index, pairs)))
        return np.minimum.reduce(sims)


def _picked(records, idx: np.ndarray) -> Iterator[Record]:
    """The records at the sorted positions `idx`, in one reading of `records`."""
    wanted = iter(idx.tolist())
    at = next(wanted, None)
    for i, record in enumerate(records):
        if at is None:
            return
        if i == at:
            yield record
            at = next(wanted, None)


def _components_first_member(n: int, edges: np.ndarray) -> np.ndarray:
    """Connected components of the verified pairs; each member mapped to its lowest index."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    rep = np.full(n, -1, dtype=np.int64)
    if len(edges) == 0:
        return rep
    graph = coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    first = np.full(label.max() + 1, n, dtype=np.int64)
    np.minimum.at(first, label, np.arange(n))
    size = np.bincount(label)
    in_cluster = size[label] >= 2
    rep[in_cluster] = first[label[in_cluster]]
    return rep
