"""Which target texts share rare word n-grams with which probe texts (decontaminate's engine).

Words and n-gram hashes come from curate.minhash (vectorised, lower-cased, punctuation ignored).
"Rare" is GPT-3's frequency cut: an n-gram held by more than `max_records` texts (targets and
probes together) is a template or boilerplate, not evidence of a leak. Boilerplate is masked
before anything is compared: every word inside a common n-gram is taken out, and n-grams never
cross the gap it leaves, so "<27-word tool description> How do I link my card" is compared as
"How do I link my card" (or less, where the description runs into common question openings).
Only the few n-grams that survive and occur on both sides reach Python; the rest stays in numpy.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from itertools import islice
from typing import Iterable

import numpy as np

from curate import minhash

_WHOLE = np.uint64(0x77686F6C65)  # namespace of whole-text hashes
_RUN = np.uint64(0x72756E)         # namespace of "a whole run of words" grams


class Texts:
    """Word hashes of a list of texts, computed once; `segments` after `mask_common`."""

    def __init__(self, texts: Iterable[str]):
        """`texts` may be a generator: one batch of strings is alive at a time."""
        hashes, owners, self.n = [np.zeros(0, np.uint64)], [np.zeros(0, np.int64)], 0
        it = iter(texts)
        while batch := list(islice(it, 4096)):
            h, o = minhash.word_hashes(batch)
            hashes.append(h)
            owners.append(o + self.n)
            self.n += len(batch)
        self.hashes, self.owners = np.concatenate(hashes), np.concatenate(owners)
        self.words = np.bincount(self.owners, minlength=self.n)
        self.keep = np.ones(len(self.hashes), dtype=bool)

    def whole(self) -> np.ndarray:
        """One hash per text of its whole word sequence (0 for a text without words)."""
        counts = self.words
        position = np.arange(len(self.hashes)) - np.repeat(np.cumsum(counts) - counts, counts)
        mixed = minhash._mix(self.hashes + position.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))
        out = np.zeros(self.n, dtype=np.uint64)
        has_words = np.flatnonzero(counts > 0)
        if len(has_words):
            total = np.add.reduceat(mixed, (np.cumsum(counts) - counts)[has_words])  # owners sorted
            out[has_words] = minhash._mix(total ^ _WHOLE)
        return out

    def segments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(word hashes, segment of each word, text of each segment, words per segment) of the
        runs of unmasked words."""
        idx = np.flatnonzero(self.keep)
        new_run = np.ones(len(idx), dtype=bool)
        new_run[1:] = (np.diff(idx) > 1) | (self.owners[idx[1:]] != self.owners[idx[:-1]])
        segment = np.cumsum(new_run) - 1
        return self.hashes[idx], segment, self.owners[idx[new_run]], np.bincount(segment)


def _distinct(grams: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (gram, owner) pairs."""
    _, first = np.unique(grams ^ minhash._mix(owners.astype(np.uint64) + _WHOLE), return_index=True)
    return grams[first], owners[first]


def _common(key_sets: list[np.ndarray], max_records: int) -> np.ndarray:
    """Keys found in more than `max_records` of the texts (each array: distinct keys per text)."""
    keys, counts = np.unique(np.concatenate(key_sets), return_counts=True)
    return keys[counts > max_records]


def ngrams_of(texts: Texts, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(hash, position of the first word) of every word n-gram inside one text."""
    grams, _ = minhash.word_ngrams(texts.hashes, texts.owners, n)
    first = np.arange(max(len(texts.owners) - n + 1, 0))
    return grams, first[texts.owners[first + n - 1] == texts.owners[first]]   # word_ngrams' starts


def distinct_ngrams(texts: Texts, n: int) -> np.ndarray:
    """The n-grams of each text, each once per text (what the frequency cut counts)."""
    grams, first = ngrams_of(texts, n)
    return _distinct(grams, texts.owners[first])[0]


def mask_ngrams(texts: Texts, n: int, common: np.ndarray, found=None) -> None:
    """Mask the words of every n-gram of `texts` that is in `common` (`found`: `ngrams_of`)."""
    grams, first = found if found is not None else ngrams_of(texts, n)
    delta = np.zeros(len(texts.hashes) + 1, dtype=np.int64)
    starts = first[np.isin(grams, common)]
    np.add.at(delta, starts, 1)
    np.add.at(delta, starts + n, -1)
    texts.keep &= np.cumsum(delta[:-1]) == 0


def mask_common(a: Texts, b: Texts, n: int, max_records: int) -> int:
    """Mask, in both, the words of every n-gram held by more than `max_records` texts; returns
    how many distinct n-grams that was."""
    found = [ngrams_of(texts, n) for texts in (a, b)]
    common = _common([_distinct(g, t.owners[f])[0] for t, (g, f) in zip((a, b), found)], max_records)
    for texts, grams_first in zip((a, b), found):
        mask_ngrams(texts, n, common, grams_first)
    return len(common)


def equal_pairs(targets: Texts, probes: Texts) -> set[tuple[int, int]]:
    """(target, probe) pairs whose whole word sequences are equal (and not empty)."""
    return whole_matches(targets.whole(), np.arange(targets.n), probes.whole())


def whole_matches(t_whole: np.ndarray, t_names: np.ndarray, p_whole: np.ndarray) -> set[tuple[int, int]]:
    """(target name, probe) pairs of equal, non-empty whole-text hashes."""
    by_key: dict[int, list[int]] = defaultdict(list)
    hit = np.isin(p_whole, t_whole) & (p_whole != 0)
    for key, p in zip(p_whole[hit].tolist(), np.flatnonzero(hit).tolist()):
        by_key[key].append(p)
    t_hit = np.flatnonzero(np.isin(t_whole, p_whole[hit]))
    return {(t, p) for key, t in zip(t_whole[t_hit].tolist(), t_names[t_hit].tolist()) for p in by_key[key]}


def probe_grams(probes: Texts, n: int, min_words: int) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """{gram length: distinct (gram, probe) pairs} of the masked probes. Each unmasked run of a
    probe of >= n words is cut into n-grams; a run of min_words..n-1 words is one gram (itself),
    marked (`_RUN`) when it is what is left of a probe around boilerplate: it then matches whole
    runs of a target only. Shorter runs have none."""
    p_hash, p_seg, p_seg_owner, p_seg_words = probes.segments()
    p_partial = p_seg_words < probes.words[p_seg_owner]          # a run left around boilerplate
    sizes = np.where(p_seg_words >= min_words, np.minimum(p_seg_words, n), 0)
    out = {}
    for length in np.unique(sizes[sizes > 0]).tolist():
        p_grams, seg = minhash.word_ngrams(p_hash, p_seg, length)
        keep = sizes[seg] == length                       # a short run: the whole run
        p_grams, seg = p_grams[keep], seg[keep]
        if length < n:                                    # a leftover run matches whole runs only
            p_grams = np.where(p_partial[seg], p_grams ^ _RUN, p_grams)
        out[length] = _distinct(p_grams, p_seg_owner[seg])
    return out


def target_grams(segments, length: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (gram, target) pairs of `length` words inside the targets' unmasked runs
    (`segments`: `Texts.segments()`), and below n a marked gram of every whole run that long."""
    t_hash, t_seg, t_seg_owner, t_seg_words = segments
    t_grams, seg = minhash.word_ngrams(t_hash, t_seg, length)
    if length < n:
        whole_run = np.flatnonzero(t_seg_words[seg] == length)
        t_grams, seg = np.concatenate([t_grams, t_grams[whole_run] ^ _RUN]), np.concatenate(
            [seg, seg[whole_run]])
    return _distinct(t_grams, t_seg_owner[seg])


def drop_common(p_grams: np.ndarray, p_owner: np.ndarray, t_keys: np.ndarray, t_counts: np.ndarray,
                max_records: int) -> tuple[np.ndarray, np.ndarray, int]:
    """The (gram, probe) pairs whose gram `max_records` texts at most hold (probes, and targets:
    `t_counts` of the sorted `t_keys`), and how many distinct grams were dropped."""
    keys, counts = np.unique(p_grams, return_counts=True)
    at = np.minimum(np.searchsorted(t_keys, keys), max(len(t_keys) - 1, 0))
    if len(t_keys):
        counts = counts + np.where(t_keys[at] == keys, t_counts[at], 0)
    common = np.isin(p_grams, keys[counts > max_records])
    return p_grams[~common], p_owner[~common], int((counts > max_records).sum())


def add_hits(shared: Counter, t_grams: np.ndarray, t_owner: np.ndarray, p_grams: np.ndarray,
             p_owner: np.ndarray) -> None:
    """Count in `shared[target, probe]` each gram of a target that a probe holds."""
    hit = np.isin(t_grams, p_grams)
    on_both = np.isin(p_grams, t_grams[hit])
    by_gram: dict[int, list[int]] = defaultdict(list)
    for gram, probe in zip(p_grams[on_both].tolist(), p_owner[on_both].tolist()):
        by_gram[gram].append(probe)
    for gram, target in zip(t_grams[hit].tolist(), t_owner[hit].tolist()):
        for probe in by_gram[gram]:
            shared[target, probe] += 1


def shared_grams(targets: Texts, probes: Texts, n: int, min_words: int,
                 max_records: int) -> tuple[Counter, np.ndarray, int]:
    """(Counter {(target, probe): rare n-grams shared}, rare n-grams per probe, n-grams ignored).

    Boilerplate is masked first (`mask_common`); then the probes' grams of each length
    (`probe_grams`) meet the targets' (`target_grams`): "track the card you sent" of "<tool
    description> I want to track the card you sent" must not match every tracking question.
    Whole-text equality is `equal_pairs`' job. A gram in more than `max_records` texts is
    ignored at every length.
    """
    ignored = mask_common(targets, probes, n, max_records)
    segments = targets.segments()
    shared: Counter = Counter()
    per_probe = np.zeros(probes.n, dtype=np.int64)
    for length, (p_grams, p_owner) in probe_grams(probes, n, min_words).items():
        t_grams, t_owner = target_grams(segments, length, n)
        t_keys, t_counts = np.unique(t_grams[np.isin(t_grams, p_grams)], return_counts=True)
        p_grams, p_owner, dropped = drop_common(p_grams, p_owner, t_keys, t_counts, max_records)
        ignored += dropped
        per_probe += np.bincount(p_owner, minlength=probes.n)
        add_hits(shared, t_grams, t_owner, p_grams, p_owner)
    return shared, per_probe, ignored
