"""Which target texts share rare word n-grams with which probe texts (decontaminate's engine).

Words and n-gram hashes come from curate.minhash (vectorised, lower-cased, punctuation ignored).
"Rare" is GPT-3's frequency cut: an n-gram held by more than `max_records` texts (targets and
probes together) is a template or boilerplate, not evidence of a leak. Only the few n-grams that
survive the cut and occur on both sides reach Python, so the cost stays in numpy.
"""
from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from curate import minhash

_WHOLE = np.uint64(0x77686F6C65)  # namespace of whole-text hashes


class Texts:
    """Word hashes of a list of texts, computed once."""

    def __init__(self, texts: list[str]):
        self.n = len(texts)
        self.hashes, self.owners = minhash.word_hashes(texts)
        self.words = np.bincount(self.owners, minlength=self.n)

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

    def grams(self, length: int) -> tuple[np.ndarray, np.ndarray]:
        """Distinct (n-gram hash, text) pairs."""
        grams, owners = minhash.word_ngrams(self.hashes, self.owners, length)
        _, first = np.unique(grams ^ minhash._mix(owners.astype(np.uint64) + _WHOLE), return_index=True)
        return grams[first], owners[first]


def equal_pairs(targets: Texts, probes: Texts) -> set[tuple[int, int]]:
    """(target, probe) pairs whose whole word sequences are equal (and not empty)."""
    t_whole, p_whole = targets.whole(), probes.whole()
    by_key: dict[int, list[int]] = defaultdict(list)
    hit = np.isin(p_whole, t_whole) & (p_whole != 0)
    for key, p in zip(p_whole[hit].tolist(), np.flatnonzero(hit).tolist()):
        by_key[key].append(p)
    t_hit = np.flatnonzero(np.isin(t_whole, p_whole[hit]))
    return {(t, p) for key, t in zip(t_whole[t_hit].tolist(), t_hit.tolist()) for p in by_key[key]}


def shared_grams(targets: Texts, probes: Texts, n: int, min_words: int,
                 max_records: int) -> tuple[Counter, np.ndarray, int]:
    """(Counter {(target, probe): rare n-grams shared}, rare n-grams per probe, n-grams ignored).

    A probe of >= n words is cut into n-grams; one of min_words..n-1 words is one gram (itself);
    a shorter probe has none (whole-text equality is `equal_pairs`' job).
    """
    shared: Counter = Counter()
    per_probe = np.zeros(probes.n, dtype=np.int64)
    ignored = 0
    sizes = np.minimum(probes.words, n)
    for length in np.unique(sizes[probes.words >= min_words]).tolist():
        p_grams, p_owner = probes.grams(length)
        keep = sizes[p_owner] == length                       # a short probe: the whole probe
        p_grams, p_owner = p_grams[keep], p_owner[keep]
        t_grams, t_owner = targets.grams(length)
        keys, counts = np.unique(np.concatenate([p_grams, t_grams]), return_counts=True)
        common = counts[np.searchsorted(keys, p_grams)] > max_records
        ignored += len(np.unique(p_grams[common]))
        p_grams, p_owner = p_grams[~common], p_owner[~common]
        per_probe += np.bincount(p_owner, minlength=probes.n)
        hit = np.isin(t_grams, p_grams)
        on_both = np.isin(p_grams, t_grams[hit])
        by_gram: dict[int, list[int]] = defaultdict(list)
        for gram, probe in zip(p_grams[on_both].tolist(), p_owner[on_both].tolist()):
            by_gram[gram].append(probe)
        for gram, target in zip(t_grams[hit].tolist(), t_owner[hit].tolist()):
            for probe in by_gram[gram]:
                shared[target, probe] += 1
    return shared, per_probe, ignored
