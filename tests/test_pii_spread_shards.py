"""A conversation longer than a pipeline shard is still one conversation for the pii pass.

The pii pass spreads a value found in one row to the other rows of its conversation, but only
within the shard a worker gets (carrying values across shards would make the output depend on
the worker count). So shards must not cut a conversation's consecutive rows (curate.executor).
"""
from __future__ import annotations

import json

import pytest
from _curate_util import write_jsonl

import curate.executor as executor_module
from curate.executor import shards
from curate.passes.base import Context, Pass
from curate.passes.dedup_exact import DedupExactPass
from curate.passes.pii import PiiPass
from curate.pipeline import curate_folder
from curate.recipe import Recipe
from tunecraft.records import Record

SYSTEM = {"role": "system", "content": "Aap Sahayak Bank ke support assistant hain."}
CHAT = "wa-310077"
INTRO = "Namaste, main Aarav Kulkarni bol raha hoon, mera refund abhi tak nahi aaya."
ECHO = "Theek hai, Aarav Kulkarni ke naam pe hi refund bhejna."     # no cue: not found alone


def _row(user: str, reply: str, chat: str) -> dict:
    return {"messages": [SYSTEM, {"role": "user", "content": user},
                         {"role": "assistant", "content": reply}],
            "conversation_id": chat, "channel": "whatsapp"}


def _chat_export(raw, rows: int = 600):
    """Other chats, then one Hinglish chat of `rows` rows naming the customer in row 3 only and
    echoing the name in row 590, then other chats."""
    others = [_row(f"UPI payment {n} fail ho gaya, paise kat gaye", "Ji, 3 din me wapas aa jayega.",
                   f"wa-2000{n}") for n in range(10)]
    chat = [_row(f"Message {n}: status kya hai? order #{4000 + n}", f"Ji, ticket {n} check kar rahe hain.",
                 CHAT) for n in range(rows)]
    chat[2] = _row(INTRO, "Ji, main check karta hoon.", CHAT)
    chat[589] = _row(ECHO, "Ji Aarav ji, ho jayega.", CHAT)
    write_jsonl(raw / "whatsapp_chats.jsonl", others[:5] + chat + others[5:])


@pytest.mark.parametrize("before", [[], [DedupExactPass]], ids=["pii-first-stage", "after-dedup"])
def test_a_name_in_row_3_is_gone_from_row_590_for_any_worker_count(tmp_path, monkeypatch, before):
    monkeypatch.setattr(executor_module, "CHUNK", 64)          # the chat spans ten shards' worth
    raw = tmp_path / "raw"
    _chat_export(raw)
    for workers in (1, 2):
        passes = [cls() for cls in before] + [PiiPass(PiiPass.Config(hash_salt="s" * 16))]
        manifest = curate_folder(raw, tmp_path / f"w{workers}", passes, recipe=Recipe(), workers=workers)
        assert manifest["accounting"]["ok"]
    text = (tmp_path / "w1" / "train.jsonl").read_text(encoding="utf-8")
    assert "Aarav" not in text and "Kulkarni" not in text
    assert len(text.splitlines()) == 610
    assert (tmp_path / "w1" / "train.jsonl").read_bytes() == (tmp_path / "w2" / "train.jsonl").read_bytes()
    rows = [json.loads(line) for line in text.splitlines()]
    assert rows[5 + 589]["messages"][1]["content"] == "Theek hai, <PERSON> ke naam pe hi refund bhejna."


def _record(n: int, chat: str | None) -> Record:
    return Record(f"chats.jsonl:{n}", [{"role": "user", "content": f"row {n}"}],
                  meta={} if chat is None else {"conversation_id": chat})


def test_a_shard_goes_on_to_the_end_of_the_conversation_it_is_in():
    records = [_record(n, None) for n in range(6)] + [_record(n, "c1") for n in range(6, 15)]
    records += [_record(n, "c2") for n in range(15, 18)]
    sizes = [len(s) for s in shards(records, 4)]
    assert sizes == [4, 11, 3]                  # rows 4-14: two free rows, then all of c1


def test_interleaved_rows_of_open_conversations_stay_in_the_shard():
    chats = ["a", "b", "a", "b", "a", "b", "c", "c"]
    assert [[r.meta["conversation_id"] for r in s] for s in shards(
        [_record(n, c) for n, c in enumerate(chats)], 2)] == [chats[:6], chats[6:]]


def test_a_conversation_longer_than_the_cap_goes_on_in_the_next_shard(monkeypatch):
    monkeypatch.setattr(executor_module, "MAX_SHARD", 3)
    records = [_record(n, "c1") for n in range(10)]
    assert [len(s) for s in shards(records, 2)] == [6, 4]
    assert sum(map(len, shards(records, 2))) == 10


def test_rows_without_a_conversation_are_cut_every_chunk():
    assert [len(s) for s in shards([_record(n, None) for n in range(10)], 4)] == [4, 4, 2]


class ChatStub(Pass):
    """A per-record pass that reads whole conversations, like pii (without its models)."""
    name = "pii"
    whole_conversations = True

    def apply(self, record, ctx: Context):
        return record


def test_a_conversation_cut_at_the_cap_is_a_warning_in_the_manifest(tmp_path, monkeypatch):
    monkeypatch.setattr(executor_module, "CHUNK", 4)
    monkeypatch.setattr(executor_module, "MAX_SHARD", 2)
    raw = tmp_path / "raw"
    write_jsonl(raw / "long.jsonl", [_row(f"Message {n}: refund kab milega?", "Ji, jaldi.", CHAT)
                                     for n in range(20)])
    write_jsonl(raw / "short.jsonl", [_row(f"Message {n}: OTP nahi aaya", "Ji, dobara bhejte hain.",
                                           f"wa-4{n // 3}") for n in range(20)])
    long_ = curate_folder(raw, tmp_path / "long", [ChatStub()], recipe=Recipe())
    cut = [w for w in long_["warnings"] if w["kind"] == "conversation_cut"]
    assert [(w["pass"], w["cuts"]) for w in cut] == [("pii", 2)]      # rows 8 and 16 begin pieces
    (raw / "long.jsonl").unlink()
    short = curate_folder(raw, tmp_path / "short", [ChatStub()], recipe=Recipe())
    assert not [w for w in short["warnings"] if w["kind"] == "conversation_cut"]
