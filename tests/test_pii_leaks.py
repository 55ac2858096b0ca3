"""Issue 12 section 1: PII must not survive anywhere. One test per place a value used to leak from:
labels, meta keys, encoded forms, other turns of the record, group keys, credentials, file names,
error text, and the hash salt. (End-to-end over every output file: tests/test_pii_hostile.py.)
"""
from __future__ import annotations

import hashlib
import json

import pytest
from _pii_util import run_pii

from curate.passes.base import Context
from curate.passes.pii import PiiConfig, PiiPass
from curate.pii.outside import scrub_details, scrub_inventory
from curate.pii.secrets import find_secrets
from curate.pii.views import decoded_view
from curate.readers import InputFile, Inventory
from tunecraft.records import Record, Reject


def _record(user, reply="Thanks, noted.", **kw):
    return Record("t.jsonl:1", [{"role": "user", "content": user}, {"role": "assistant", "content": reply}], **kw)


def _one(pii, record, seed=0):
    (out,), ctx = run_pii(pii, [record], seed=seed)
    return out, ctx


# --- labels and keys --------------------------------------------------------------------------------
def test_an_email_label_is_replaced_and_a_class_label_is_kept(pii):
    out, _ = _one(pii, _record("Please close my account.", label="kiran.desai@gmail.com"))
    assert out.label == "<EMAIL>"
    out, _ = _one(pii, _record("Please close my account.", label="close_account"))
    assert out.label == "close_account"


def test_a_free_text_label_loses_the_name_its_text_lost_with_the_same_placeholder(pii):
    out, _ = _one(pii, _record("My name is Clyde Barrow and I have a wish.", "Noted."), )
    labelled, _ = _one(pii, _record("My name is Clyde Barrow and I have a wish.", "Noted.", label="Clyde's wish"))
    assert "Clyde" not in labelled.label and labelled.label == "<PERSON>'s wish"
    assert labelled.messages == out.messages


def test_meta_keys_that_hold_pii_are_replaced_without_losing_a_column(pii):
    meta = {"ravi.k@outlook.com": "verified", "priya.n@gmail.com": "pending", "plan": "gold"}
    out, ctx = _one(pii, _record("Status of both contacts?", meta=meta))
    assert out.meta == {"<EMAIL>": "verified", "<EMAIL>.2": "pending", "plan": "gold"}
    assert ctx.counts["entity:EMAIL"] == 2


# --- encoded forms ----------------------------------------------------------------------------------
@pytest.mark.parametrize("planted, expected", [
    ("Write to kiran.desai%40gmail.com today", "Write to <EMAIL> today"),
    ("Write to ｒａｖｉ．ｋ＠ｇｍａｉｌ．ｃｏｍ today", "Write to <EMAIL> today"),
    ("Write to kavita.rao&#64;gmail&period;com today", "Write to <EMAIL> today"),
    ("Write to kavita.rao@\ngmail.com today", "Write to <EMAIL> today"),
    ("मेरा नंबर 98201\n23456 है", "मेरा नंबर <PHONE> है"),
    ("Call me on ９８２０１２３４５６ please", "Call me on <PHONE> please"),
])
def test_encoded_values_are_found_and_replaced_in_the_original_text(pii, planted, expected):
    out, _ = _one(pii, _record(planted))
    assert out.messages[0]["content"] == expected


def test_numbers_on_consecutive_lines_are_not_joined_into_a_phone_without_a_cue(pii):
    sums = "Add the two numbers:\n98201\n23456\nThe total is 121657."
    out, _ = _one(pii, _record(sums))
    assert out.messages[0]["content"] == sums


def test_the_decoded_view_maps_every_character_back():
    text = "a%40b ｘ&#64;y 12\n34 x"
    view, starts, ends = decoded_view(text)
    assert view == "a@b x@y 1234 x"
    assert text[starts[view.index("@")]:ends[view.index("@")]] == "%40"
    assert text[starts[view.index("3")]:ends[view.index("3")]] == "3"
    assert decoded_view("plain text, nothing encoded") is None
    assert decoded_view("दो पंक्तियाँ\nदूसरी") is None     # a line break between words stays one
    assert decoded_view("T&amp;C&nbsp;apply… didn&#39;t") is None   # reveals no value: no second analysis


# --- one value, every place -------------------------------------------------------------------------
def test_a_name_found_in_one_turn_is_replaced_in_every_turn(pii):
    out, _ = _one(pii, _record("Hi, this is Rajesh Khanna and my card was blocked.",
                               "We have unblocked it. Thanks, Rajesh."))
    assert "Rajesh" not in json.dumps(out.to_dict(), ensure_ascii=False)


def test_a_name_found_in_one_record_is_replaced_across_its_conversation(pii):
    first = _record("I am Sunita Reddy, my account is locked.", meta={"conversation_id": "c7"})
    second = _record("Sunita here again, any update?", meta={"conversation_id": "c7"})
    alone = _record("Sunita here again, any update?", meta={"conversation_id": "c8"})
    out, _ = run_pii(pii, [first, second, alone])
    assert "Sunita" not in out[1].messages[0]["content"]
    assert out[2].messages[0]["content"] == "Sunita here again, any update?"   # another conversation


def test_a_name_spreads_over_a_conversation_longer_than_a_batch(pii):
    """A user's chat over 300 rows: the name given in its first row is replaced in its last row
    (a later batch of the run), where no detector would find it alone; another conversation
    with the same word keeps it."""
    rows = [_record("I am Sunita Reddy, my account is locked.", meta={"conversation_id": "c7"})]
    rows += [_record(f"Message {i}: still waiting for the refund.", meta={"conversation_id": "c7"})
             for i in range(297)]
    rows += [_record("Sunita here again, any update?", meta={"conversation_id": "c7"}),
             _record("Sunita here again, any update?", meta={"conversation_id": "c8"})]
    out = list(pii.run(rows, Context("pii", 0)))
    assert len(out) == 300 and "Sunita" not in out[298].messages[0]["content"]
    assert out[299].messages[0]["content"] == "Sunita here again, any update?"


def test_a_name_reaches_a_later_row_of_its_conversation_after_other_rows(pii):
    """Rows of one conversation far apart (other tickets between them, so in different batches):
    the value found earlier in the run is still replaced."""
    rows = [_record("I am Sunita Reddy, my account is locked.", meta={"conversation_id": "c7"})]
    rows += [_record(f"Ticket {i}: card not delivered yet.") for i in range(300)]
    rows += [_record("Sunita here again, any update?", meta={"conversation_id": "c7"})]
    out = list(pii.run(rows, Context("pii", 0)))
    assert "Sunita" not in out[-1].messages[0]["content"]


def test_batches_keep_a_conversations_consecutive_rows_together():
    from curate.pii.spread import batches

    rows = [Record(f"r:{i}", [{"role": "user", "content": "x"}], meta={"conversation_id": c})
            for i, c in enumerate(["a"] * 3 + ["b"] * 4 + ["c"])]
    assert [[r.meta["conversation_id"] for r in b] for b in batches(rows, 2)] == [
        ["a", "a", "a"], ["b", "b", "b", "b"], ["c"]]
    assert [len(b) for b in batches(rows, 2, limit=3)] == [3, 3, 2]


def test_a_lower_case_ner_guess_is_not_spread_to_other_turns(pii):
    """Spreading copies a detector's mistakes too: in Hinglish the English model tags "milegi"
    (will get) a place in one turn; the other turn's "milegi" must stay."""
    user = "Namaste, phone kho gaya, wahi number pe nayi SIM kaise milegi kal shaam ko hua ye thanks"
    reply = ("ID proof ke saath Sahayak Mobile store jaiye, same number pe free replacement SIM milegi, "
             "ya app me SIM > Replace se eSIM le sakte hain.")
    out, _ = _one(pii, _record(user, reply))
    assert out.messages[0]["content"] == user


# --- fields the pipeline relies on ------------------------------------------------------------------
def test_group_keys_are_never_rewritten_by_ner(pii):
    meta = {"conversation_id": "conversations/7.txt", "thread_id": "Mumbai", "city": "Mumbai"}
    out, _ = _one(pii, _record("I moved from Mumbai to Pune last year.", meta=meta))
    assert out.meta["conversation_id"] == "conversations/7.txt" and out.meta["thread_id"] == "Mumbai"


def test_a_group_key_that_is_an_email_becomes_the_same_pseudonym_everywhere(pii):
    records = [_record(f"Turn {i} of the thread.", meta={"conversation_id": "priya.n@gmail.com"})
               for i in range(2)] + [_record("Another thread.", meta={"conversation_id": "ravi.k@outlook.com"})]
    out, _ = run_pii(pii, records)
    keys = [r.meta["conversation_id"] for r in out]
    assert keys[0] == keys[1] != keys[2]
    assert all(k.endswith("@example.com") for k in keys)


# --- credentials ------------------------------------------------------------------------------------
@pytest.mark.parametrize("secret", [
    "AKIA4HZQ7WNB3KPX2M6T", "ghp_Zq4Lm9Xw2Rt7Kp3Vn8Bc5Hy1Dj6Gs0FaQe7U", "xoxb-2816512345-3311234567890-AbCdEfGhIjKl",
    "sk-proj-T3BlbkFJabcdefGHIJKLmnopQRST1234", "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
])
def test_api_keys_and_tokens_are_secrets(pii, secret):
    out, ctx = _one(pii, _record(f"It fails with `{secret}` as the key, why?"))
    assert out.messages[0]["content"] == "It fails with `<SECRET>` as the key, why?"
    assert ctx.counts["entity:SECRET"] == 1


@pytest.mark.parametrize("text, expected", [
    ("db password: Tr0ub4dor&3 thanks", "db password: <SECRET> thanks"),
    ("DATABASE_URL=postgres://admin:S3cr3tPass@db.internal:5432/app",
     "DATABASE_URL=postgres://admin:<SECRET>@db.internal:5432/app"),
    ("curl -H 'Authorization: Bearer 8f14e45fceea167a5a36dedd4bea2543' https://api.example.com",
     "curl -H 'Authorization: Bearer <SECRET>' https://api.example.com"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----\nwhy?", "<SECRET>\nwhy?"),
])
def test_labelled_credentials_lose_the_value_and_keep_the_label(pii, text, expected):
    out, _ = _one(pii, _record(text))
    assert out.messages[0]["content"] == expected


@pytest.mark.parametrize("code", [
    "def login(password=None):\n    return check(password)", "password = get_password()",
    "The password is required.", "tokenizer = AutoTokenizer.from_pretrained(name)",
    "Enter your password: <password>", "from sklearn.model_selection import train_test_split",
])
def test_code_about_credentials_is_not_a_credential(code):
    assert find_secrets(code) == []


# --- strings outside records ------------------------------------------------------------------------
def test_file_names_lose_their_pii_and_stay_unique(pii, tmp_path):
    files = [InputFile(tmp_path / n, n, "jsonl") for n in
             ("export_kiran.desai@gmail.com.jsonl", "export_ravi.k@outlook.com.jsonl", "tickets_2025q1.jsonl")]
    inventory = Inventory(files, [{"path": "scans/passport_scan_9876123450.png", "reason": "unknown file type '.png'"}])
    scrub_inventory(inventory, pii, 0)
    assert [f.rel for f in files] == ["export_<EMAIL>.jsonl", "export_<EMAIL>~2.jsonl", "tickets_2025q1.jsonl"]
    assert [f.path.name for f in files][0] == "export_kiran.desai@gmail.com.jsonl"   # still read from there
    assert [f.path_scrubbed for f in files] == [True, True, False]
    assert inventory.skipped[0]["path"] == "scans/passport_scan_<PHONE>.png"


def test_error_text_that_quotes_a_raw_value_is_anonymised(pii):
    reject = Reject(Record("t.jsonl:3", [], meta={"raw": "{}"}), "read", "unmapped_schema",
                    {"error": "'messages[0]' has unknown role 'agent.meera@helpdesk.in'", "duplicate_of": "t.jsonl:1"})
    scrub_details([reject], pii, 0)
    assert reject.details == {"error": "'messages[0]' has unknown role '<EMAIL>'", "duplicate_of": "t.jsonl:1"}


# --- the hash salt ----------------------------------------------------------------------------------
def _hashed(seed, monkeypatch, salt_env=None, **options):
    if salt_env is None:
        monkeypatch.delenv("TUNECRAFT_PII_SALT", raising=False)
    else:
        monkeypatch.setenv("TUNECRAFT_PII_SALT", salt_env)
    p = PiiPass(PiiConfig(default_operator="hash", **options))
    ctx = Context("pii", seed)
    (out,) = p.apply_batch([_record("Call me on 9820123456 please")], ctx)
    return out.messages[0]["content"], ctx


def test_the_default_hash_salt_is_random_and_not_the_seed(monkeypatch):
    first, ctx = _hashed(7, monkeypatch)
    second, _ = _hashed(7, monkeypatch)
    assert first != second               # nothing in the outputs lets anyone recompute it
    old_salt = "tunecraft-pii-salt-7".ljust(16, "0")
    assert hashlib.sha256((old_salt + "9820123456").encode()).hexdigest() not in first
    assert "random" in ctx.info["hash_salt"]


def test_a_pinned_salt_makes_hashes_reproducible(monkeypatch):
    assert _hashed(7, monkeypatch, "a-team-secret-of-32-bytes-000000")[0] == \
        _hashed(7, monkeypatch, "a-team-secret-of-32-bytes-000000")[0]
    assert _hashed(7, monkeypatch, hash_salt="recipe-pinned-salt-0001")[0] == \
        _hashed(3, monkeypatch, hash_salt="recipe-pinned-salt-0001")[0]
    with pytest.raises(ValueError, match="at least 16 bytes"):
        _hashed(7, monkeypatch, "short")


def test_an_indented_at_sign_after_a_sentence_is_not_joined_into_an_address(pii):
    """A docstring's parameter list ("eaten.⏎    @need : integer") is no UPI ID or e-mail;
    an address broken at its "@" still is one."""
    doc = ('def eat(number, need):\n    """\n    @number : integer\n        carrots eaten.\n'
           '    @need : integer\n        carrots still needed.\n    """')
    out, _ = _one(pii, _record(doc, "ok"))
    assert out.messages[0]["content"] == doc
    out, _ = _one(pii, _record("write to kavita.rao\n@gmail.com please", "ok"))
    assert "kavita.rao" not in out.messages[0]["content"]
