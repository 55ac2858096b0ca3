"""unicode pass: mojibake repaired, NFC, controls out, whitespace tidied; clean text untouched."""
import unicodedata

import pytest

from curate.passes.base import Context
from curate.passes.unicode import UnicodePass
from tunecraft.records import Record


def clean(*contents):
    records = [Record(f"t.jsonl:{i + 1}", [{"role": "user", "content": c}]) for i, c in enumerate(contents)]
    ctx = Context("unicode", seed=0)
    out = list(UnicodePass.from_options({}).run(records, ctx))
    return [r.messages[0]["content"] for r in out], ctx


def test_mojibake_is_repaired_and_curly_quotes_kept():
    texts, ctx = clean("I donâ€™t see my refund", "I was charged â‚¬50 â€“ is that right?", "Ã©tÃ© Ã  Lyon")
    assert texts == ["I don’t see my refund", "I was charged €50 – is that right?", "été à Lyon"]
    assert ctx.counts["changed"] == 3


def test_mojibake_of_hindi_and_of_a_mixed_row_is_repaired():
    hindi = "मेरा कार्ड ₹500 का"
    texts, _ = clean(hindi.encode("utf-8").decode("latin-1"), "मेरा card was charged â‚¬50")
    assert texts == [hindi, "मेरा card was charged €50"]


@pytest.mark.parametrize("text", [
    "मेरा कार्ड अभी तक नहीं आया है, कृपया बताएं कि यह कब तक पहुंचेगा।",
    "फ़ोन चोरी हो गया",                      # nukta written as two code points
    "\u095e\u094b\u0928 \u0915\u093c",        # precomposed फ़ (a composition exclusion) kept as typed
    "क्‍ष and क्‌ष",                          # ZWJ / ZWNJ select conjunct forms
    "Mera recharge fail ho gaya lekin paisa kat gaya.",
    "Line one\nLine two\twith a tab",
    "She said “don’t” — fine.",
    "ＡＢＣ full-width stays",
])
def test_clean_text_passes_through_byte_for_byte(text):
    texts, ctx = clean(text)
    assert texts[0].encode("utf-8") == text.encode("utf-8")
    assert ctx.counts["changed"] == 0


def test_nfc_controls_and_whitespace():
    texts, _ = clean("cafe\u0301  au   lait", "a\x00b\x07c\r\nnext\x1b line", "\ufeffhello  \n\n\n\nworld   ")
    assert texts[0] == "café au lait" and unicodedata.is_normalized("NFC", texts[0])
    assert texts[1] == "abc\nnext line"
    assert texts[2] == "hello\n\nworld"


def test_code_whitespace_is_untouched():
    text = "Run this:\n```\nx  =  1\n\n\n\ny = 2\n```\nor indented:\n\n    if x:\n        y  =  3\nthen   done"
    texts, _ = clean(text)
    assert texts[0] == text.replace("then   done", "then done")


def test_empty_and_whitespace_only():
    texts, _ = clean("", "   \n  ")
    assert texts == ["", ""]


@pytest.mark.parametrize("broken, fixed", [
    ("I donвЂ™t know", "I don’t know"),                         # UTF-8 read as windows-1251
    ("The Mona Lisa doesnÃƒÂ¢Ã¢â€šÂ¬Ã¢â€žÂ¢t smile", "The Mona Lisa doesn’t smile"),  # twice
    ("Ã  la mode", "à la mode"),                                 # the 0xA0 byte became a space
    ("“mismatched quotesâ€\x9d", "“mismatched quotes”"),
    ("PokÃ©mon in São Paulo for €5", "Pokémon in São Paulo for €5"),
])
def test_the_ftfy_fast_path_never_skips_a_repair(broken, fixed):
    texts, _ = clean(broken)
    assert texts == [fixed]


def test_the_cheap_mojibake_precheck_is_a_superset_of_ftfy_is_bad():
    """The fast path skips ftfy when _MAYBE_MOJIBAKE finds nothing; that must imply not is_bad."""
    import random

    from ftfy.badness import is_bad

    from curate.passes.unicode import _MAYBE_MOJIBAKE

    rng = random.Random(0)
    alphabet = "ab Z.,?!-1" + "".join(chr(c) for c in range(0xA0, 0x250)) + "€‚„…†‡‰‹›‘’“”•–—™√≈вЂГСΒΓ×°"
    samples = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 12))) for _ in range(20000)]
    samples += ["voilÃ le travail", "Ã la", "a. Â here", "Œ1", "xœ y", "Ã\xa0"]  # single-letter rules
    for word in ("don’t", "café", "Zürich", "₹500", "naïve", "—", "Œuvre"):
        for encoding in ("cp1252", "latin-1", "cp1251", "mac_roman", "cp437", "iso-8859-2"):
            samples.append(word.encode("utf-8").decode(encoding, errors="replace"))
    missed = [s for s in samples if is_bad(s) and not _MAYBE_MOJIBAKE.search(s)]
    assert missed == []
