"""Vectorised MinHash + LSH for near-duplicate detection (numpy; no per-shingle Python work).

Why not a per-document `datasketch.MinHash` loop: it spends its time in Python per shingle and per
document (~4k records/s). Here every step runs over a whole batch of texts at once:

1. text -> Unicode code points (one `encode("utf-32-le")` per batch); word characters are letters,
   marks and digits (so Devanagari vowel signs stay inside their word, unlike `re`'s `\\w`) plus
   ZWJ/ZWNJ. Lower-cased; every run of other characters is one separator.
2. words (and character k-grams) are hashed with a polynomial hash over prefix sums mod 2**64, so a
   token's hash does not depend on where it sits; word n-grams combine n token hashes.
   Texts with fewer than `word_n` words (short queries, scripts written without spaces) are
   shingled by character `char_n`-grams of their normalised form instead; a text shorter than
   `char_n` characters is one shingle; a text with no word character has no shingles at all and is
   never anyone's duplicate (an empty set must not collapse onto one shared signature).
3. signatures: `(a*x + b) mod 2**32` for `num_perm` seeded odd `a`, min per text with
   `np.minimum.reduceat`, in blocks of texts small enough for the CPU cache.
4. LSH: `bands` x `rows` band keys (chosen from the threshold for recall, see `lsh_params`); buckets are
   runs of equal keys after one numpy sort per band, no Python dicts.
5. candidates are verified with the exact Jaccard of the (hashed) shingle sets, so the precision
   does not rest on the signature estimate.
Everything is a pure function of the texts and the seed: same input -> same output.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from itertools import islice
from typing import Iterable

import numpy as np

_U64 = np.uint64
_P = 0x100000001B3            # FNV-64 prime: odd, so invertible mod 2**64
_P_INV = pow(_P, -1, 1 << 64)
_TABLE_TOP = 0x30000          # code points above this count as word characters (rare ideographs)
_BATCH = 2048                 # texts per vectorised batch (bounds temporary memory)
_SIG_BATCH = 256              # texts per signature block: perms x shingles stays in CPU cache


@lru_cache(maxsize=1)
def _word_table() -> np.ndarray:
    """is_word[code point]: letters, marks, digits, ZWJ/ZWNJ."""
    table = np.fromiter((unicodedata.category(chr(c))[0] in "LMN" for c in range(_TABLE_TOP)),
                        dtype=bool, count=_TABLE_TOP)
    table[[0x200C, 0x200D]] = True
    return np.append(table, True)


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads every input bit over the output (uint64 in, uint64 out)."""
    z = (z ^ (z >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> _U64(27))) * _U64(0x94D049BB133111EB)
    return z ^ (z >> _U64(31))


def _segment_hashes(cp: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Hash of cp[s:e] for every segment, independent of its position (prefix sums mod 2**64)."""
    powers, inv_powers = _powers(len(cp))
    prefix = np.concatenate(([_U64(0)], np.cumsum(cp.astype(_U64) * powers, dtype=_U64)))
    raw = (prefix[ends] - prefix[starts]) * inv_powers[starts]
    return _mix(raw + (ends - starts).astype(_U64))


_POWERS: list[np.ndarray] = []


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """P**(i+1) and P**-(i+1) mod 2**64 for i < n, cached (every batch needs a prefix of them)."""
    if not _POWERS or len(_POWERS[0]) < n:
        size = max(n, 1 << 20)
        _POWERS[:] = [np.cumprod(np.full(size, _P, dtype=_U64)),
                      np.cumprod(np.full(size, _P_INV, dtype=_U64))]
    return _POWERS[0][:n], _POWERS[1][:n]


def _code_points(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Lower-cased code points of all texts joined by a separator, and each text's start."""
    lowered = [t.lower() for t in texts]
    lengths = np.fromiter((len(t) + 1 for t in lowered), dtype=np.int64, count=len(lowered))
    text_starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    cp = np.frombuffer(("\x00".join(lowered) + "\x00").encode("utf-32-le", "surrogatepass"),
                       dtype=np.uint32)  # surrogatepass: a lone surrogate from bad input is no crash
    return cp, text_starts


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s, s+l) for every (s, l)."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    shift = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return np.arange(total, dtype=np.int64) + shift


def shingle_hashes(texts: Iterable[str], word_n: int = 5, char_n: int = 5,
                   salt: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Per text, its sorted unique uint32 shingle hashes: (flat values, offsets[n_texts + 1]).

    `texts` may be a generator: only one batch of strings is alive at a time.
    """
    values, counts = [np.zeros(0, np.uint32)], [np.zeros(0, np.int64)]
    texts = iter(texts)
    while batch := list(islice(texts, _BATCH)):
        hashes, owner = _batch_shingles(batch, word_n, char_n, salt)
        keys = np.sort((owner.astype(_U64) << _U64(32)) | hashes.astype(_U64))
        keys = keys[np.concatenate((keys[:1] == keys[:1], keys[1:] != keys[:-1]))]
        values.append((keys & _U64(0xFFFFFFFF)).astype(np.uint32))
        counts.append(np.bincount((keys >> _U64(32)).astype(np.int64), minlength=len(batch)))
    offsets = np.concatenate(([0], np.cumsum(np.concatenate(counts))))
    return np.concatenate(values), offsets


def _batch_shingles(texts, word_n, char_n, salt):
    """(uint32 shingle hashes, owning text index) for one batch, duplicates not yet removed."""
    cp, text_starts = _code_points(texts)
    tok_hash, tok_text, tok_starts, tok_ends = _tokens(cp, text_starts)
    words_per_text = np.bincount(tok_text, minlength=len(texts))
    word_v, word_t = word_ngrams(tok_hash, tok_text, word_n)
    short = np.flatnonzero((words_per_text > 0) & (words_per_text < word_n))
    char_v, char_t = _char_ngrams(cp, tok_starts, tok_ends, tok_text, short, char_n)
    values = np.concatenate((word_v, char_v)) + _U64(salt)
    owner = np.concatenate((word_t, char_t))
    return (_mix(values) >> _U64(32)).astype(np.uint32), owner


def _tokens(cp, text_starts):
    """Words of the joined code points: (hash, owning text, start, end) per word."""
    is_word = _word_table()[np.minimum(cp, _TABLE_TOP)]
    edges = np.diff(np.concatenate(([False], is_word, [False])).astype(np.int8))
    tok_starts, tok_ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    tok_text = np.searchsorted(text_starts, tok_starts, side="right") - 1
    return _segment_hashes(cp, tok_starts, tok_ends), tok_text, tok_starts, tok_ends


def word_hashes(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(uint64 hash of every word in order, index of the text it belongs to) for all texts."""
    hashes, owners = [np.zeros(0, _U64)], [np.zeros(0, np.int64)]
    for lo in range(0, len(texts), _BATCH):
        tok_hash, tok_text, _, _ = _tokens(*_code_points(texts[lo:lo + _BATCH]))
        hashes.append(tok_hash)
        owners.append(tok_text + lo)
    return np.concatenate(hashes), np.concatenate(owners)


def word_ngrams(tok_hash: np.ndarray, tok_text: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of all word n-grams that lie inside one text (order-sensitive), and their text."""
    first = np.arange(max(len(tok_text) - n + 1, 0))
    first = first[tok_text[first + n - 1] == tok_text[first]]
    acc = np.zeros(len(first), dtype=_U64)
    for k in range(n):
        acc = _mix(acc + tok_hash[first + k])
    return acc ^ _U64(0x5157), tok_text[first]


def _char_ngrams(cp, tok_starts, tok_ends, tok_text, short_texts, k):
    """Character k-gram hashes of the normalised form ("word word word") of short texts."""
    if len(short_texts) == 0:
        return np.zeros(0, _U64), np.zeros(0, np.int64)
    toks = np.flatnonzero(np.isin(tok_text, short_texts))
    lens = tok_ends[toks] - tok_starts[toks]
    # Rebuild "w1 w2 w3" + separator per text: word code points, one space between words.
    last_of_text = np.append(tok_text[toks][1:] != tok_text[toks][:-1], True)
    seg_lens = lens + 1  # each word followed by one separator char
    sep = np.where(last_of_text, 0, 0x20).astype(np.uint32)
    word_pos = np.concatenate(([0], np.cumsum(seg_lens)[:-1]))
    norm = np.empty(int(seg_lens.sum()), dtype=np.uint32)
    char_idx = _ranges(word_pos, lens)
    norm[char_idx] = cp[_ranges(tok_starts[toks], lens)]
    norm[word_pos + lens] = sep
    # Normalised text spans: from its first word to just before its final separator.
    text_first = np.flatnonzero(np.concatenate(([True], last_of_text[:-1])))
    span_start = word_pos[text_first]
    span_end = word_pos[last_of_text] + lens[last_of_text]
    span_len = span_end - span_start
    n_grams = np.maximum(span_len - k + 1, 1)
    gram_start = _ranges(span_start, n_grams)
    gram_end = np.minimum(gram_start + k, np.repeat(span_end, n_grams))
    owner = np.repeat(tok_text[toks][last_of_text], n_grams)
    return _segment_hashes(norm, gram_start, gram_end) ^ _U64(0xC4A2), owner


# ------------------------------------------------------------------------- signatures and LSH
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded (a, b) of the num_perm hash functions x -> a*x + b mod 2**32 (a odd: a bijection)."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 1 << 32, size=num_perm, dtype=np.uint64).astype(np.uint32) | np.uint32(1)
    b = rng.integers(0, 1 << 32, size=num_perm, dtype=np.uint64).astype(np.uint32)
    return a, b


def _batch_signatures(values, offsets, lo, hi, a, b) -> np.ndarray:
    """MinHash of texts lo..hi as (num_perm x texts) uint32; texts without shingles: all max."""
    sig = np.full((len(a), hi - lo), np.iinfo(np.uint32).max, dtype=np.uint32)
    starts = offsets[lo:hi]
    nonempty = np.flatnonzero(offsets[lo + 1:hi + 1] > starts)
    if len(nonempty):
        chunk = values[offsets[lo]:offsets[hi]]
        permuted = np.empty((len(a), len(chunk)), dtype=np.uint32)  # perms x shingles: contiguous
        np.multiply(a[:, None], chunk[None, :], out=permuted)         # rows make reduceat fast
        np.add(permuted, b[:, None], out=permuted)
        sig[:, nonempty] = np.minimum.reduceat(permuted, starts[nonempty] - offsets[lo], axis=1)
    return sig


def signatures(values: np.ndarray, offsets: np.ndarray, a: np.ndarray,
               b: np.ndarray) -> np.ndarray:
    """MinHash signatures (n_texts x num_perm uint32); texts without shingles get all-max rows."""
    n = len(offsets) - 1
    return np.concatenate([_batch_signatures(values, offsets, lo, min(n, lo + _SIG_BATCH), a, b).T
                           for lo in range(0, n, _SIG_BATCH)] or [np.zeros((0, len(a)), np.uint32)])


def band_keys(fields: list[tuple[np.ndarray, np.ndarray]], a: np.ndarray, b: np.ndarray,
              bands: int, rows: int) -> np.ndarray:
    """(bands x n_texts) uint64 LSH bucket keys of the MinHash of the union of each text's fields.

    Signatures live one batch at a time (the full n x num_perm matrix would be 512 MB at 1M texts).
    """
    n = len(fields[0][1]) - 1
    keys = np.empty((bands, n), dtype=_U64)
    multipliers = permutations(rows, seed=0x1234)[0].astype(_U64) << _U64(31) | _U64(1)
    for lo in range(0, n, _BATCH):
        hi = min(n, lo + _BATCH)
        sig = np.concatenate([np.minimum.reduce([_batch_signatures(v, o, sub, min(hi, sub + _SIG_BATCH),
                                                                   a, b) for v, o in fields])
                              for sub in range(lo, hi, _SIG_BATCH)], axis=1)
        for band in range(bands):
            block = sig[band * rows:(band + 1) * rows].astype(_U64)
            acc = (block * multipliers[:, None]).sum(axis=0, dtype=_U64)
            keys[band, lo:hi] = _mix(acc + _U64(band))
    return keys


def lsh_params(threshold: float, num_perm: int, min_recall: float = 0.995) -> tuple[int, int]:
    """(bands, rows): the most rows per band (fewest false candidates) such that a pair exactly at
    the threshold still becomes a candidate with probability >= min_recall.

    Why 0.995 (128 permutations, threshold 0.8 -> 21 x 6; was 0.98 -> 18 x 7): every candidate is
    verified by exact Jaccard, so a false candidate costs only time, while a missed pair is a
    duplicate left in the data. 18 x 7 misses 1.5% of pairs at J = 0.8 and 0.1% at 0.85; 21 x 6
    misses 0.2% at 0.8 (bench/near_recall.py measures it by band)."""
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if 1 - (1 - threshold ** rows) ** bands >= min_recall:
            return bands, rows
    return num_perm, 1


SMALL_BUCKET = 16       # buckets up to this size give all their pairs


def candidate_pairs(keys: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """Unique (i, j) pairs, i < j, sharing a bucket in at least one band; `usable` masks texts."""
    return candidates_and_crowded(keys, usable)[0]


def candidates_and_crowded(keys: np.ndarray, usable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs (see candidate_pairs), and the mask of texts in a crowded bucket.

    A bucket of up to SMALL_BUCKET members gives all its pairs. In a larger (crowded) one every
    member is paired with the bucket's lowest index and with its neighbour in sort order (a bucket
    of k identical texts gives 2k pairs, not k**2/2), so two near-duplicates that share only
    crowded buckets may never be paired: the mask says which texts need another index.
    """
    idx = np.flatnonzero(usable)
    found = [np.zeros(0, dtype=np.int64)]
    crowded = np.zeros(len(usable), dtype=bool)
    for band in keys if len(idx) >= 2 else []:
        band = band[idx]
        order = np.argsort(band, kind="stable")  # same order on every CPU / numpy build
        sorted_keys, member = band[order], idx[order]
        same = sorted_keys[1:] == sorted_keys[:-1]
        if not same.any():
            continue
        run_first = np.flatnonzero(np.concatenate(([True], ~same)))
        run_of = np.cumsum(np.concatenate(([False], ~same)))
        crowded[member[np.diff(np.append(run_first, len(member)))[run_of] > SMALL_BUCKET]] = True
        first = np.minimum.reduceat(member, run_first)[run_of]
        star = np.stack((first, member), axis=1)[first != member]
        chain = np.sort(np.stack((member[:-1], member[1:]), axis=1)[same], axis=1)
        found.append(np.concatenate((star, chain, _small_bucket_pairs(member, run_first)))
                     @ np.array([len(usable), 1], dtype=np.int64))
    codes = np.sort(np.concatenate(found))
    codes = codes[np.concatenate((codes[:1] == codes[:1], codes[1:] != codes[:-1]))]
    return np.stack((codes // len(usable), codes % len(usable)), axis=1), crowded


def _small_bucket_pairs(member: np.ndarray, run_first: np.ndarray) -> np.ndarray:
    """Every pair (lower index first) inside the runs of 3..SMALL_BUCKET members of a sorted band;
    a run of 2 is covered by the chain already."""
    run_len = np.diff(np.append(run_first, len(member)))
    small = (run_len >= 3) & (run_len <= SMALL_BUCKET)
    if not small.any():
        return np.zeros((0, 2), dtype=np.int64)
    start, length = run_first[small], run_len[small]
    pairs = []
    for gap in range(2, int(length.max())):   # gap 1 is the chain
        has = length > gap
        first = _ranges(start[has], length[has] - gap)
        pairs.append(np.stack((member[first], member[first + gap]), axis=1))
    return np.sort(np.concatenate(pairs), axis=1)


def jaccard_pairs(values: np.ndarray, offsets: np.ndarray, pairs: np.ndarray,
                  chunk: int = 16384) -> np.ndarray:
    """Exact Jaccard of the shingle sets of each (i, j) pair (sets given sorted and unique).

    Both empty -> 1.0 (nothing to tell them apart); one empty -> 0.0. Pairs go in chunks so the
    temporary arrays stay small whatever the number of candidates.
    """
    out = [np.zeros(0)]
    sizes = np.diff(offsets)
    for lo in range(0, len(pairs), chunk):
        left, right = pairs[lo:lo + chunk, 0], pairs[lo:lo + chunk, 1]
        size_i, size_j = sizes[left], sizes[right]
        pair_ids = np.arange(len(left), dtype=_U64) << _U64(32)
        keys_i = np.repeat(pair_ids, size_i) | values[_ranges(offsets[left], size_i)]
        keys_j = np.repeat(pair_ids, size_j) | values[_ranges(offsets[right], size_j)]
        # both key arrays are sorted (pair, then shingle): a binary search finds the shared ones
        at = np.minimum(np.searchsorted(keys_j, keys_i), max(len(keys_j) - 1, 0))
        hits = keys_j[at] == keys_i if len(keys_j) else np.zeros(len(keys_i), dtype=bool)
        inter = np.bincount(np.repeat(np.arange(len(left)), size_i)[hits], minlength=len(left))
        union = size_i + size_j - inter
        out.append(np.where(union > 0, inter / np.maximum(union, 1), 1.0))
    return np.concatenate(out)
