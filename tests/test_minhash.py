"""curate.minhash: shingles independent of batch/position, exact Jaccard, signature estimates, LSH."""
import re

import numpy as np

from curate import minhash

_WORD = re.compile(r"[\w\u0900-\u097F]+")  # reference tokenizer (Devanagari marks inside words)


def ref_shingles(text, n=5):
    words = _WORD.findall(text.lower())
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


TEXTS = [
    "Hello, my card was charged twice at the airport café and I want a refund please.",
    "hello my card was charged twice at the airport café and i want a refund",
    "मेरा कार्ड अभी तक नहीं आया है, कृपया बताएं कि यह कब तक पहुंचेगा और मुझे क्या करना चाहिए।",
    "मेरा कार्ड अभी तक नहीं आया है कृपया बताएं कि यह कब तक पहुंचेगा",
    "Mera card abhi tak nahi aaya hai, please batao kab tak aayega bhai",
]


def sets_of(values, offsets):
    return [set(values[offsets[i]:offsets[i + 1]].tolist()) for i in range(len(offsets) - 1)]


def test_shingles_do_not_depend_on_batch_or_neighbours():
    texts = TEXTS + ["what's my balance", "मेरा पिन बदलना है", "ok", "บัตรของฉันหายไปเมื่อวาน"]
    alone = [sets_of(*minhash.shingle_hashes([t]))[0] for t in texts]
    filler = [f"filler ticket {i} about a lost card" if i % 3 else "short one" for i in range(5000)]
    batched = sets_of(*minhash.shingle_hashes(filler + texts))
    assert batched[5000:] == alone and all(alone)


def test_exact_jaccard_matches_python_sets_on_word_shingles():
    values, offsets = minhash.shingle_hashes(TEXTS)
    pairs = np.array([[0, 1], [2, 3], [0, 2], [3, 4]])
    got = minhash.jaccard_pairs(values, offsets, pairs)
    for (i, j), value in zip(pairs, got):
        a, b = ref_shingles(TEXTS[i]), ref_shingles(TEXTS[j])
        assert value == len(a & b) / len(a | b)
    assert [len(s) for s in sets_of(values, offsets)] == [len(ref_shingles(t)) for t in TEXTS]


def test_devanagari_vowel_signs_stay_inside_words():
    # "कार्ड" vs "कारड": a splitting tokenizer would see the same pieces in both.
    values, offsets = minhash.shingle_hashes(["मेरा कार्ड नहीं आया", "मेरा कारड नहीं आया"])
    assert minhash.jaccard_pairs(values, offsets, np.array([[0, 1]]))[0] < 0.8


def test_signature_estimate_is_close_to_exact_jaccard():
    values, offsets = minhash.shingle_hashes(TEXTS)
    a, b = minhash.permutations(256, seed=1)
    sig = minhash.signatures(values, offsets, a, b)
    exact = minhash.jaccard_pairs(values, offsets, np.array([[0, 1], [2, 3]]))
    estimate = [(sig[0] == sig[1]).mean(), (sig[2] == sig[3]).mean()]
    assert np.allclose(estimate, exact, atol=0.12)


def test_texts_without_letters_get_no_shingles_and_are_never_candidates():
    values, offsets = minhash.shingle_hashes(["???", "", "👍👍", "ok", "ok"])
    assert np.diff(offsets).tolist() == [0, 0, 0, 1, 1]
    a, b = minhash.permutations(16, seed=0)
    keys = minhash.band_keys([(values, offsets)], a, b, bands=4, rows=4)
    pairs = minhash.candidate_pairs(keys, np.diff(offsets) > 0)
    assert pairs.tolist() == [[3, 4]]


def test_lsh_params_keep_recall_at_the_threshold():
    bands, rows = minhash.lsh_params(0.8, 128)
    assert bands * rows <= 128
    assert 1 - (1 - 0.8 ** rows) ** bands >= 0.995
    assert 1 - (1 - 0.8 ** (rows + 1)) ** (128 // (rows + 1)) < 0.995  # the tightest such choice


def test_lone_surrogates_from_bad_input_do_not_crash():
    values, offsets = minhash.shingle_hashes(["refund \ud800 not showing up in my account", "ok"])
    assert np.diff(offsets).tolist() == [3, 1]
