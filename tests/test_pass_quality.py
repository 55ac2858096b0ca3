"""quality pass: each problem has its own reason; short intent queries and documents are kept."""
import pytest

from curate.passes.base import Context, RecipeError
from curate.passes.quality import QualityPass
from tunecraft.records import Record


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


CSHARP = """```csharp
public class OrderService
{
    private readonly IOrderRepository _orders;

    public OrderService(IOrderRepository orders)
    {
        _orders = orders;
    }

    public Order Find(int id)
    {
        if (id <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(id));
        }
        return _orders.Get(id);
    }

    public void Cancel(int id)
    {
        var order = Find(id);
        if (order.Shipped)
        {
            throw new InvalidOperationException("Already shipped");
        }
        order.Status = Status.Cancelled;
        _orders.Save(order);
    }
}
```"""

MATHS = """Priya ki dukaan mein 3 boxes hain, har box mein 12 pens = 3*12 = 36 pens.
She sells 4 pens on Monday, so 36 - 4 = 32 pens are left on Monday.
She sells 5 pens on Tuesday, so 32 - 5 = 27 pens are left on Tuesday.
She sells 6 pens on Wednesday, so 27 - 6 = 21 pens are left on Wednesday.
She sells 7 pens on Thursday, so 21 - 7 = 14 pens are left on Thursday.
She sells 8 pens on Friday, so 14 - 8 = 6 pens are left on Friday.
#### 6"""


def test_code_with_brace_lines_and_stepwise_maths_are_not_repetition():
    records = [chat("Write a C# OrderService with Find and Cancel", CSHARP, "c:1"),
               chat("मुझे C++ में loop का example दो", "Yeh raha:\n```cpp\n" + "\n".join(
                   ["for (int i = 0; i < n; ++i) {", "    if (a[i] > best) {", "        best = a[i];",
                    "    }", "}"] * 3) + "\n```\nIsme har element ek baar dekha jaata hai.", "c:2"),
               chat("Solve step by step: Priya's pens", MATHS, "m:1")]
    kept, rejected = run_quality(records)
    assert not rejected, rejected
    assert [r.id for r in kept] == ["c:1", "c:2", "m:1"]


def test_degenerate_loops_in_code_and_repeated_maths_lines_are_still_rejected():
    loop = "```python\n" + "\n".join(["    total = total + price * quantity"] * 40) + "\n```"
    looped_maths = "\n".join(["So 36 - 4 = 32 pens are left on Monday."] * 20)
    kept, rejected = run_quality([chat("Sum the cart", loop, "c:9"), chat("Solve it", looped_maths, "m:9")])
    assert rejected["c:9"] == ("repetition", {"statistic": "code_duplicate_line_fraction", "value": 1.0})
    assert rejected["m:9"][1]["statistic"] == "duplicate_line_fraction" and not kept
