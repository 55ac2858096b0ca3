"""quality pass: each problem has its own reason; short intent queries and documents are kept."""
import pytest

from curate.passes.base import Context, RecipeError
from curate.passes.quality import QualityPass
from curate.records import Record


def chat(user, assistant, rid="t.jsonl:1", label=None):
    return Record(rid, [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}],
                  label=label)


def run_quality(records, **options):
    ctx = Context("quality", seed=0)
    kept = list(QualityPass.from_options(options).run(records, ctx))
    return kept, {r.record.id: (r.reason, r.details) for r in ctx.rejects}


LONG_ANSWER = ("To reset your UPI PIN open the app, choose the bank account, tap Forgot PIN, enter the "
               "last six digits of your debit card and its expiry date, then confirm with the OTP sent "
               "to your registered mobile number. The new PIN works at once for every UPI app linked "
               "to that account, and the old one stops working immediately after the change is done.")


def test_each_reason_is_separate():
    records = [
        chat("Where is my card?", "   ", "a:1"),
        chat("Where is my card?", "where is my  card?", "a:2"),
        chat("Tell me a joke", "As an AI language model, I do not have a sense of humour.", "a:3"),
        chat("Write a poem", "\n".join(["I love my bank."] * 30), "a:4"),
        chat("Write a story", " ".join(["the card was blocked again and"] * 20), "a:5"),
        chat("How do I reset my UPI PIN?", LONG_ANSWER, "a:6"),
        chat("Is the app free?", "Yes.", "a:7"),
        chat("मेरा पिन ब्लॉक हो गया है", "आप ऐप में जाकर पिन अनब्लॉक कर सकते हैं।", "a:8"),
        chat("Can you read me my PIN?", "I'm sorry, but I cannot share your PIN over chat.", "a:9"),
    ]
    kept, rejected = run_quality(records)
    assert rejected["a:1"][0] == "empty_response"
    assert rejected["a:2"][0] == "response_equals_prompt"
    assert rejected["a:3"] == ("refusal_boilerplate", {"phrase": "as an ai language model"})
    assert rejected["a:4"][0] == "repetition"
    assert rejected["a:4"][1]["statistic"] == "duplicate_line_fraction"
    assert rejected["a:5"][0] == "repetition"
    assert [r.id for r in kept] == ["a:6", "a:7", "a:8", "a:9"]


def test_length_limits_are_configurable():
    records = [chat("Is the app free?", "Yes.", "b:1"), chat("Explain fees", LONG_ANSWER, "b:2")]
    kept, rejected = run_quality(records, min_words=3, max_words=40)
    assert rejected["b:1"][0] == "too_short" and rejected["b:1"][1]["words"] == 1
    assert rejected["b:2"][0] == "too_long"
    assert kept == []


def test_classification_rows_and_documents_are_not_too_short():
    rows = [Record("c.csv:2", [{"role": "user", "content": "card not working"},
                               {"role": "assistant", "content": "card_not_working"}], label="card_not_working"),
            Record("c.csv:3", [{"role": "user", "content": "balance?"}], label="balance"),
            Record("c.csv:4", [{"role": "user", "content": "  "},
                               {"role": "assistant", "content": "balance"}], label="balance"),
            Record("d.txt:1", [{"role": "assistant", "content": "Branch hours: 9-5."}])]
    kept, rejected = run_quality(rows, min_words=5)
    assert [r.id for r in kept] == ["c.csv:2", "c.csv:3"]
    assert rejected["c.csv:4"][0] == "empty_response"
    assert rejected["d.txt:1"][0] == "too_short"  # documents do get the length rule


def test_custom_refusal_list_and_bad_options():
    kept, rejected = run_quality([chat("hi", "I cannot comply with this.", "e:1")],
                                 refusals=["I cannot comply"])
    assert rejected["e:1"][0] == "refusal_boilerplate"
    with pytest.raises(RecipeError, match="min_word"):
        QualityPass.from_options({"min_word": 2})
    with pytest.raises(RecipeError, match="max_words"):
        QualityPass.from_options({"min_words": 5, "max_words": 2})


def test_labelled_chat_row_with_an_empty_reply_is_rejected():
    # Support exports carry an intent column: a ticket with an intent but no agent reply is empty.
    row = Record("t.jsonl:220", [{"role": "user", "content": "Mera UPI payment fail ho gaya, paisa kat gaya"},
                                 {"role": "assistant", "content": ""}], label="upi_payment_failed")
    kept, rejected = run_quality([row])
    assert kept == [] and rejected["t.jsonl:220"][0] == "empty_response"
