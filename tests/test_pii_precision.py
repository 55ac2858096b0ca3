"""The pii pass leaves text that holds no personal data alone: code, maths, Hindi/English technical
prose, Hinglish chat, intent queries that name places. And it still finds what is personal in the
same kinds of text (Indian phone numbers, Hinglish speaker names, addresses).

Every string of PII_FREE must come out of the pass unchanged; bench/pii_precision.py also reads
PII_FREE (its "written" corpus, in-sample: the rules were tuned on it).
"""
import json

import pytest
from _pii_util import run_pii, ticket

from tunecraft.records import Record

PII_FREE = {
    "code": [
        "from peft import get_peft_model, LoraConfig, TaskType",
        "function filterEvenNumbers(arr) {\n  return arr.filter(n => n % 2 === 0);\n}",
        "import getLength from './_getLength.js';\nexport default getLength;",
        "Write a Java program that prints the sum of num1 and num2 for every i in range(10).",
        "In Python, use `range(len(items))` or `enumerate(items)`; `num1` is just a variable.",
        "```python\nclass DataCollator:\n    def __init__(self, tokenizer):\n"
        "        self.tokenizer = tokenizer\n```\nThe collator pads each batch.",
        "Use `Trainer(model=model, args=TrainingArguments(output_dir='out'))` to fine-tune.",
        "SELECT customer_id, SUM(amount) FROM Orders GROUP BY customer_id HAVING SUM(amount) > 5000;",
        "def binarySearch(arr, target):\n    lo, hi = 0, len(arr) - 1\n    return lo",
        "const MaxHeap = require('./MaxHeap');\nlet heap = new MaxHeap();",
        "Explain the difference between ArrayList and LinkedList in Java.",
        "How do I install Django and PostgreSQL on Ubuntu 22.04?",
        "def every_third(l: list):\n    \"\"\"Sorts every third item.\n    Input: Ravi Kumar\n"
        "    >>> every_third([5, 6, 3, 4])\n    \"\"\"\n    l = list(l)\n    l[::3] = sorted(l[::3])\n"
        "    return l",
        "    evens = l[::2]\n    odds = l[1::2]\n    return evens + odds",
        "valid_date('06-04-2020') => True\nvalid_date('04-0-2040') => False",
        "def check(candidate):\n    assert candidate(9876543210) == 6\n"
        "    assert candidate(1234567890123) == 0\n    assert abs(candidate(789.125) - 0.125) < 1e-6",
        "assert area_of_circle(20) == 1256.6370614359173\nassert mean([4, 5]) == 84.31372549019608",
    ],
    "maths": [
        "She earns 4000/2000 = 2 times as much as her brother.",
        "The total is 1200 + 3400 = 4600 and half of it is 4600/2 = 2300.",
        "So 12 * 450000 = 5400000 rupees over the year.",
        "Simplify 98201/23456 and write it as a decimal.",
        "If x = 1234567 and y = 7654321, what is x + y?",
        "The train covers 360 km in 4 hours, so its speed is 360/4 = 90 km/h.",
        "Area = 3.14 * 7 * 7 = 153.86 square centimetres.",
    ],
    "hindi_english": [
        "भाषा मॉडल को Grammar और General Language Understanding दोनों सीखनी होती हैं।",
        "Machine Learning में Supervised और Unsupervised Learning दो मुख्य प्रकार होती हैं।",
        "Transformer मॉडल Self Attention का उपयोग करते हैं, जिससे लंबे वाक्य समझना आसान होता है।",
        "Is vishay ko samjhaiye: Gradient Descent kaise kaam karta hai?",
        "Neural Network की हर Layer में Weights और Bias होते हैं।",
        "Operating System का काम Memory Management और Process Scheduling है।",
    ],
    "hinglish": [
        "Sach mein, yeh movie bahut acchi thi.",
        "Tumhari baat sahi hai, kal milte hain.",
        "Maine kal order kiya tha par abhi tak nahi aaya.",
        "Shayad kal tak delivery ho jayegi.",
        "Kyunki mera card block hai, payment fail ho raha hai.",
        "Dhanyavaad, aapne bahut madad ki.",
        "Bilkul theek hai, main wait karunga.",
        "Accha suno, refund kab tak aayega?",
    ],
    "queries": [
        "do i need a visa to go to Syria",
        "travel alerts for russia",
        "flight from Delhi to Mumbai tomorrow",
        "what time is it in Tokyo right now",
        "How far is Earth from Mars?",
        "To unlock the card, choose Reset PIN in the app.",
        "Are NEFT transfers instant on Sundays?",
        "I bought nacho chips and the card was charged twice",
        "can I use my card in Canada",
        "what is the weather like in Goa this week",
        "I live in the US, can I still get a card?",
        "I reside in Germany and need a card delivered",
        "we live in Maharashtra, is UPI supported there?",
        "Withdraw cash at the nearest ATM or use NEFT",
        "Can I pay in Euros or Dollars?",
        "My Landlord says the rent never arrived, can you check the transfer?",
        "What's Broken? The app keeps saying declined.",
        "Atm swallowed my card last night",
        "Can I exchange Russian Ruble for Indian rupees?",
    ],
}


def _ids(kind):
    return [f"{kind}-{i}" for i in range(len(PII_FREE[kind]))]


@pytest.mark.parametrize("kind", sorted(PII_FREE))
def test_pii_free_text_comes_out_unchanged(pii, kind):
    texts = PII_FREE[kind]
    out, ctx = run_pii(pii, [ticket(i, t) for i, t in enumerate(texts)])
    changed = [(t, r.messages[0]["content"]) for t, r in zip(texts, out)
               if r.messages[0]["content"] != t]
    assert changed == []


# Text with personal data of the same kinds: what must still be found (value, text).
PERSONAL = [
    ("98201 23456", "Sir mera number 98201 23456 hai, please call back"),
    ("+91 98765 43210", "My phone is +91 98765 43210, call after 6 pm."),
    ("9820123456", "Call 9820123456/9820765432 for delivery updates"),
    ("(415) 555-0134", "Reach me at (415) 555-0134 tomorrow."),
    ("ABCPE1234F", "My PAN is ABCPE1234F and it shows as invalid"),
    ("Rahul", "Rahul: kal milte hain\nPriya: haan theek hai, 5 baje"),
    ("Priya", "Rahul: kal milte hain\nPriya: haan theek hai, 5 baje"),
    ("Rohan", "Rohan bhai, mera order kab aayega?"),
    ("Priya", "Priya ne bola ki refund aa gaya hai"),
    ("Sunita", "Hi Sunita, aapka ticket close ho gaya"),
    ("Kothrud, Pune", "main Kothrud, Pune me rehta hu, wahan delivery nahi hoti"),
    ("कोथरूड, पुणे", "मैं कोथरूड, पुणे में रहता हूँ।"),
    ("Salt Lake", "I live in Salt Lake, Kolkata and the courier never came."),
    ("Andheri", "I live in Andheri, Maharashtra and the branch is closed."),
    ("2405:201:5c0b::8a2e:370:7334", "Login alert from 2405:201:5c0b::8a2e:370:7334 at 2 am"),
    # (2001:db8::/32 is the documentation range, kept like 192.168.x.x: curate/pii/reserved.py)
    ("9820123456", "```\n# support line: call 9820123456\nprint('hi')\n```"),
    ("9820123456", 'def notify():\n    SUPPORT = "9820123456"\n    return SUPPORT'),
    ("Hunter", "Hunter said the refund never came."),
    ("Seller", "My name is Seller and I need help with my account"),
    ("2678 1234", "Kavita Rao\nSenior Analyst\n022 2678 1234-Office\n+91 98201 23456-Mobile"),
    ("98201 23456", "Kavita Rao\nSenior Analyst\n022 2678 1234-Office\n+91 98201 23456-Mobile"),
]


@pytest.mark.parametrize("value,text", PERSONAL, ids=[f"{v}|{t[:20]}" for v, t in PERSONAL])
def test_personal_values_of_the_same_kinds_are_still_found(pii, value, text):
    out, _ = run_pii(pii, [ticket(0, text)])
    assert value not in out[0].messages[0]["content"]


def test_pan_is_upper_case_with_a_holder_type_letter(pii):
    texts = ["Deployment to production was successful: build 2024 of 4096 tests, PAN check ok",
             "pan card: historical individual records 1234 kept",
             "ABCDE1234F is not a PAN: its fourth letter D is no holder type; PAN ABCPE1234F is"]
    out, ctx = run_pii(pii, [ticket(i, t) for i, t in enumerate(texts)])
    assert [r.messages[0]["content"] for r in out[:2]] == texts[:2]
    assert out[2].messages[0]["content"] == texts[2].replace("ABCPE1234F", "<IN_PAN>")


def test_a_city_named_in_a_query_is_kept_unless_the_policy_is_all():
    from curate.passes.pii import PiiConfig, PiiPass

    query = "do i need a visa to go to Syria from Mumbai"
    broad = PiiPass(PiiConfig(locations="all"))
    out, _ = run_pii(broad, [ticket(0, query)])
    assert "Syria" not in out[0].messages[0]["content"]
    with pytest.raises(ValueError, match="locations"):
        PiiConfig(locations="city")


def test_a_long_sentence_is_tagged_in_pieces_not_refused(pii, monkeypatch):
    """spaCy refuses texts over nlp.max_length (E088; 1,000,000 characters by default): one
    record that long, with no sentence break, must not crash the run. The limit is lowered
    here so the test stays fast; the code path is the one a 1,000,001-character record takes."""
    nlp = pii._analyzer.nlp
    monkeypatch.setattr(nlp, "max_length", 3000)
    text = "log line with status ok and value 42 " * 300 + "contact Rahul Gupta on +91 98765 43210"
    out, _ = run_pii(pii, [ticket(0, text)])
    content = out[0].messages[0]["content"]
    assert "98765 43210" not in content and "Rahul Gupta" not in content
    assert content.startswith("log line with status ok and value 42 " * 300)


def test_sentence_pieces_keep_their_offsets():
    from curate.pii.ner import chunk_bounds

    text = "abc def ghi jkl mno"
    pieces = chunk_bounds(text, 4, len(text), 8)
    assert "".join(text[s:e] for s, e in pieces) == text[4:]
    assert all(e - s <= 8 for s, e in pieces)
    assert chunk_bounds("x" * 20, 0, 20, 8) == [(0, 8), (8, 16), (16, 20)]


# A GSM8K-style worked problem (fictional people) and a support ticket with arithmetic in it.
WORD_PROBLEM = ("Meera bakes 36 laddoos and gives a third of them to Kabir. How many are left?",
                "Meera gives 36 / 3 = <<36/3=12>>12 laddoos to Kabir.\n"
                "She has 36 - 12 = <<36-12=24>>24 left.\n#### 24")
TICKET_WITH_SUMS = ("Hi, this is Rahul Sharma. You charged me 2 x 499 = 998 for one plan.\n"
                    "So 998 - 499 = 499 should come back to my account.", "We will check, Rahul.")


def _pair(i, question, answer):
    return Record(f"m.jsonl:{i}", [{"role": "user", "content": question},
                                   {"role": "assistant", "content": answer}])


def test_maths_names_are_kept_only_when_the_recipe_says_so(pii):
    from curate.passes.pii import PiiConfig, PiiPass

    out, _ = run_pii(pii, [_pair(0, *WORD_PROBLEM)])
    assert "Meera" not in out[0].messages[0]["content"]           # default: a name is a name
    maths = PiiPass(PiiConfig(skip_kinds=["maths"]))
    out, ctx = run_pii(maths, [_pair(0, *WORD_PROBLEM), _pair(1, *TICKET_WITH_SUMS)])
    assert [m["content"] for m in out[0].messages] == list(WORD_PROBLEM)
    assert "Rahul" not in json.dumps([m["content"] for m in out[1].messages])
    assert ctx.counts["names_kept:maths"] == 1
    with pytest.raises(ValueError, match="skip_kinds"):
        PiiConfig(skip_kinds=["poetry"])
