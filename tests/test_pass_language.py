"""language pass: tags every record; with allow drops only confidently foreign text, never "und"."""
import pickle

import pytest

from curate.passes.base import Context, RecipeError
from curate.passes.language import LanguagePass, allowed
from tunecraft.records import Record


def tag(texts, seed=0, **options):
    records = [Record(f"q.csv:{i + 2}", [{"role": "user", "content": t}]) for i, t in enumerate(texts)]
    ctx = Context("language", seed=seed)
    kept = {r.id for r in LanguagePass.from_options(options).run(records, ctx)}
    return [r.lang for r in records], [r.id in kept for r in records], ctx


SHORT_ENGLISH = ["Can I cancel a transfer", "someone stole my money", "Do you do SWIFT transfers?",
                 "I like Mastercard better.", "Pending transfer?", "Fix my contactless",
                 "How do I link my card", "Why did my transfer fail?"]


def test_short_english_queries_are_kept_with_allow_en():
    langs, kept, _ = tag(SHORT_ENGLISH, allow=["en"])
    assert all(kept), list(zip(SHORT_ENGLISH, langs))
    assert set(langs) <= {"en", "und"}


def test_foreign_sentences_are_dropped_with_reason_and_details():
    texts = ["Je n'ai pas encore reçu mon virement.", "Wo ist meine neue Karte?",
             "¿Por qué rechazaron mi pago anoche?", "Jag har tappat mitt kort och behöver ett nytt."]
    langs, kept, ctx = tag(texts, allow=["en"])
    assert langs == ["fr", "de", "es", "sv"]
    assert not any(kept)
    assert {r.reason for r in ctx.rejects} == {"language"}
    assert ctx.rejects[0].details == {"lang": "fr", "prob": None, "method": "function_words"}
    assert ctx.rejects[3].details["method"] == "langdetect" and ctx.rejects[3].details["prob"] > 0.9


def test_hindi_and_hinglish():
    texts = ["मेरा कार्ड अभी तक नहीं आया है, कृपया मदद करें।", "Mera recharge fail ho gaya lekin paisa kat gaya",
             "mujhe apna PIN change karna hai", "मेरा card block हो गया"]
    langs, kept, _ = tag(texts, allow=["en", "hi"])
    assert langs == ["hi", "hi-Latn", "hi-Latn", "hi"]
    assert all(kept)
    _, kept_en_only, _ = tag(texts, allow=["en"])
    assert not any(kept_en_only)


def test_too_short_or_symbols_is_und_and_never_dropped():
    langs, kept, _ = tag(["ok", "??", "1234 5678", ""], allow=["fr"])
    assert langs == ["und"] * 4 and all(kept)


def test_tags_without_allow_and_documents_use_all_text():
    langs, kept, ctx = tag(["The quick brown fox jumps over the lazy dog near the river bank."])
    assert langs == ["en"] and kept == [True] and ctx.counts["lang:en"] == 1
    doc = Record("d.txt:1", [{"role": "assistant", "content": "Das ist ein langer Text über meine Bank."}])
    list(LanguagePass.from_options({}).run([doc], Context("language")))
    assert doc.lang == "de"


def test_deterministic_across_batches_and_pickling():
    texts = SHORT_ENGLISH + ["Où est ma nouvelle carte bancaire ?", "Get an item refund"]
    first, _, _ = tag(texts)
    reversed_langs, _, _ = tag(list(reversed(texts)))
    assert first == list(reversed(reversed_langs))
    clone = pickle.loads(pickle.dumps(LanguagePass.from_options({"allow": "en,hi"})))
    assert clone.config.allow == ["en", "hi"]


def test_allowed_matches_primary_subtag():
    assert allowed("hi-Latn", ["hi"]) and allowed("und", ["fr"]) and not allowed("hi-Latn", ["en"])


def test_short_english_commands_are_not_tagged_foreign():
    # langdetect alone: "set a five minute timer" -> sq (p > 0.99); these are what users type
    commands = ["set a five minute timer", "play some jazz", "what time is it in tokyo",
                "translate hello to spanish", "add milk to my shopping list"]
    langs, kept, ctx = tag(commands, allow=["en"])
    assert all(kept), list(zip(commands, langs))
    assert set(langs) <= {"en", "und"}


def test_long_foreign_text_still_decided_by_langdetect():
    text = "Jag har tappat mitt kort och behöver ett nytt så snart som möjligt, tack så mycket."
    langs, kept, ctx = tag([text], allow=["en"])
    assert langs == ["sv"] and kept == [False]



@pytest.mark.parametrize("allow", [["english"], ["xx"], "en,hindi"])
def test_unknown_language_codes_are_an_error_listing_valid_ones(allow):
    with pytest.raises(RecipeError, match=r"unknown language code.*valid codes: .*\ben\b.*hi-Latn"):
        LanguagePass.from_options({"allow": allow})


def test_codes_are_case_insensitive_and_canonicalised():
    assert LanguagePass.from_options({"allow": ["EN", "hi-latn", "zh"]}).config.allow == ["en", "hi-Latn", "zh"]
