"""dedup_exact: the first record of each normalised conversation is kept; the rest point to it."""
from curate.passes.base import Context
from curate.passes.dedup_exact import DedupExactPass
from tunecraft.records import Record
from tunecraft.text import fold_punctuation


def rec(rid, user, assistant, label=None):
    return Record(rid, [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}],
                  label=label)


def dedup(records):
    ctx = Context("dedup_exact", seed=0)
    kept = list(DedupExactPass.from_options({}).run(records, ctx))
    return [r.id for r in kept], {r.record.id: (r.reason, r.details) for r in ctx.rejects}, ctx


def test_case_whitespace_punctuation_and_unicode_form_are_ignored():
    records = [rec("a:1", "Where is my card?", "It ships in 3 days."),
               rec("a:2", "where is my   CARD", "It ships in 3 days"),
               rec("a:3", "Where is my card?", "It ships in 3 days.", label="card_arrival"),
               rec("a:4", "Where is my card?", "It ships in 5 days."),
               rec("b:1", "ﬁnd my card", "It ships in 3 days."),
               rec("b:2", "find my card!", "It ships in 3 days."),
               rec("h:1", "मेरा कार्ड कहाँ है?", "तीन दिन में।"),
               rec("h:2", "मेरा कार्ड कहाँ है।", "तीन दिन में"),
               rec("n:1", "Is the rate 3.5%?", "Yes."),
               rec("n:2", "Is the rate 35%?", "Yes.")]
    kept, rejected, ctx = dedup(records)
    assert kept == ["a:1", "a:3", "a:4", "b:1", "h:1", "n:1", "n:2"]
    assert rejected == {"a:2": ("exact_duplicate", {"duplicate_of": "a:1"}),
                        "b:2": ("exact_duplicate", {"duplicate_of": "b:1"}),
                        "h:2": ("exact_duplicate", {"duplicate_of": "h:1"})}
    assert ctx.info["distinct"] == 7


def test_first_in_input_order_is_kept_even_in_a_chain():
    records = [rec(f"c:{i}", "Reset PIN", "Open the app.") for i in range(1, 5)]
    kept, rejected, _ = dedup(records)
    assert kept == ["c:1"]
    assert {v[1]["duplicate_of"] for v in rejected.values()} == {"c:1"}


def test_roles_matter_and_empty_messages_are_fine():
    swapped = Record("d:2", [{"role": "assistant", "content": "Reset PIN"},
                             {"role": "user", "content": "Open the app."}])
    empty = [Record("e:1", []), Record("e:2", [])]
    kept, rejected, _ = dedup([rec("d:1", "Reset PIN", "Open the app."), swapped, *empty])
    assert kept == ["d:1", "d:2", "e:1"] and rejected["e:2"][1] == {"duplicate_of": "e:1"}


def test_fold_punctuation():
    assert fold_punctuation("  Don’t   STOP—now! ") == "don t stop now"


def test_ascii_fast_path_matches_the_unicode_definition():
    from curate.passes.dedup_exact import _normalised_bytes

    ascii_texts = ["Hello, World!! (again) -- $5 + 3 = <8> ^_^ ~ `x` | a\\b", "A\x1cB\tC\r\nD", "", "  "]
    for text in ascii_texts:
        assert _normalised_bytes(text) == fold_punctuation(text).encode()
