"""The local engine streams: whole-dataset passes keep their records on disk (curate.record_spool)
and only their indexes in memory, so memory grows with the input by the indexes' bytes per row,
not by the records'; and the outputs are what they were when the records were held in memory."""
import copy
import hashlib
import random
import tracemalloc
from pathlib import Path

import pytest

from _curate_util import read_lines, write_jsonl

import curate.record_spool as record_spool
from curate.passes.balance import Balance
from curate.passes.base import Context
from curate.passes.decontaminate import Decontaminate
from curate.passes.dedup_exact import DedupExactPass
from curate.passes.dedup_near import DedupNear
from curate.passes.split import SplitPass
from curate.pipeline import curate_folder
from curate.recipe import Recipe
from tunecraft.records import Record

ANSWERS = [
    "Open the app and go to Cards, then tap Reset PIN and follow the steps on screen.",
    "If the OTP does not arrive within two minutes, check that your number is linked to the account.",
    "Refunds for failed UPI payments are credited back within five working days of the failure.",
    "Aapka refund 5-7 din mein account mein aa jayega, status app ke Orders section mein dekhein.",
    "Card block karne ke liye app mein Cards kholiye aur Block Card dabaiye, fir confirm kijiye.",
    "ऐप में Cards खोलें, Unblock दबाएँ और अपने पंजीकृत मोबाइल पर आया OTP डालें।",
    "अगर पैसा कट गया है पर लेनदेन विफल है तो राशि पाँच कार्य दिवसों में लौट आएगी।",
    "For a duplicate charge, raise a dispute from Statements and attach the receipt you were sent.",
    "Use `export --month 2025-03 --format csv` in the desktop app to download a statement.",
    "The interest is 3.5% per annum, credited quarterly: 10000 x 0.035 / 4 = 87.50 each quarter.",
    "Your KYC is pending because the address proof was unreadable; upload a clearer photo please.",
    "Network issue ki wajah se transaction fail hua hai, thodi der baad dobara try kijiye.",
]
QUESTIONS = ["How do I reset my PIN", "Mera refund kab aayega", "मेरा कार्ड ब्लॉक हो गया है",
             "Why was I charged twice", "How can I export my statement", "OTP nahi aa raha",
             "KYC pending kyun hai", "What interest do I earn"]
INTENTS = ["pin", "refund", "card", "charge", "statement", "otp", "kyc", "interest"]


def tickets(n: int, seed: int = 0) -> list[dict]:
    """Support tickets with multi-sentence answers in English, Hinglish and Devanagari, 5% exact
    copies and a malformed line's worth of variety; each answer is 8 random sentences (so few
    rows are near-duplicates) and each question carries a ticket number."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        if rows and rng.random() < 0.05:
            rows.append(dict(rng.choice(rows)))
            continue
        k = rng.randrange(len(QUESTIONS))
        answer = " ".join(rng.sample(ANSWERS, 8)) + f" (ticket {rng.randrange(10 ** 7)})"
        rows.append({"instruction": f"{QUESTIONS[k]}? ticket {rng.randrange(10 ** 7)}",
                     "output": answer, "intent": INTENTS[k]})
    return rows


def _peak_bytes(tmp_path: Path, n: int, passes) -> int:
    raw = tmp_path / f"raw{n}"
    if not raw.exists():
        write_jsonl(raw / "tickets.jsonl", tickets(n))
    tracemalloc.start()
    try:
        manifest = curate_folder(raw, tmp_path / f"clean{n}", passes(), recipe=Recipe(), force=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert manifest["accounting"]["ok"] and manifest["accounting"]["rows_read"] == n
    return peak


# Peak growth per input row (tracemalloc, 2k -> 20k rows of `tickets`). Records held in lists,
# as before: 3.0 KB (exact, split, decontaminate, balance) and 5.9 KB (dedup_near). Spooled:
# ~0.5 KB (dedup_exact's digests, split's group keys and labels, decontaminate's held-out texts
# and train word hashes) and ~3.6 KB (dedup_near's shingle sets of ~120-word answers, band keys
# and candidate pairs: every question here is one of eight, so its buckets are crowded).
@pytest.mark.parametrize("passes, bound", [
    (lambda: [DedupExactPass(), SplitPass(), Decontaminate(), Balance()], 1200),
    (lambda: [DedupNear()], 4500),
], ids=["exact-split-decontaminate-balance", "dedup_near"])
def test_memory_grows_by_the_indexes_only(tmp_path, monkeypatch, passes, bound):
    monkeypatch.setattr(record_spool, "BUCKET", 512)     # the split's sort goes through disk
    _peak_bytes(tmp_path, 200, passes)                   # imports and caches out of the way
    small, large = _peak_bytes(tmp_path, 2_000, passes), _peak_bytes(tmp_path, 20_000, passes)
    per_row = (large - small) / 18_000
    print(f"{per_row:.0f} B/row ({small >> 20} -> {large >> 20} MiB)")
    assert per_row < bound, (small, large, per_row)


def _run_alone(passes, records, spool):
    """The passes chained over copies of `records`, each with a context spooling to `spool`
    (None: lists): (kept records, rejects, infos) as dicts."""
    stream, contexts = iter(copy.deepcopy(records)), []
    for p in passes:
        ctx = Context(p.name, seed=3)
        ctx.spool = spool
        contexts.append(ctx)
        stream = p.run(stream, ctx)
    kept = [r.to_dict() for r in stream]
    return kept, [(c.pass_name, r.record.id, r.reason, r.details) for c in contexts for r in c.rejects], \
        [c.info for c in contexts]


def test_spooled_passes_decide_what_listed_ones_do(tmp_path, monkeypatch):
    """Hindi, Hinglish, code and maths answers; exact and near copies; two-row conversations
    (a group the split keeps whole); a test item copied into train (contamination)."""
    monkeypatch.setattr(record_spool, "BUCKET", 64)
    rows = tickets(600, seed=5)
    records = []
    for i, row in enumerate(rows):
        meta = {"conversation_id": f"c{i // 2}"} if i % 7 in (1, 2) else {}
        records.append(Record(id=f"t.jsonl:{i + 1}", label=row["intent"], meta=meta, messages=[
            {"role": "user", "content": row["instruction"]}, {"role": "assistant", "content": row["output"]}]))
    for k in range(0, 600, 50):                       # near copies: one word changed
        near = copy.deepcopy(records[k])
        near.id, near.messages[1]["content"] = f"near.jsonl:{k}", near.messages[1]["content"] + " thanks"
        records.append(near)
    for k in range(3, 600, 20):                       # the same question, another answer
        other = copy.deepcopy(records[k])
        other.id, other.messages[1]["content"] = f"again.jsonl:{k}", rows[(k + 7) % 600]["output"]
        records.append(other)
    passes = [DedupExactPass(), DedupNear(), SplitPass(), Decontaminate(), Balance.from_options({"mode": "cap", "per_label": 40})]
    listed = _run_alone(passes, records, None)
    spooled = _run_alone(passes, records, tmp_path)
    assert spooled == listed
    kept, rejects, _ = listed
    reasons = {reason for _, _, reason, _ in rejects}
    assert {"exact_duplicate", "near_duplicate", "contaminated", "balance_cap"} <= reasons
    assert {r["split"] for r in kept} == {"train", "validation", "test"}
    assert list(tmp_path.iterdir()) == []             # each pass's file went with the pass


def test_sorted_on_disk_is_a_stable_sort(tmp_path, monkeypatch):
    monkeypatch.setattr(record_spool, "BUCKET", 8)
    records = [Record(id=f"r{i}", messages=[{"role": "user", "content": f"सवाल {i}"}]) for i in range(300)]
    key = lambda r: hashlib.blake2b(str(int(r.id[1:]) % 40).encode(), digest_size=8).digest()  # noqa: E731
    out = list(record_spool.sorted_on_disk(iter(records), key, len(records), tmp_path))
    assert [r.id for r in out] == [r.id for r in sorted(records, key=key)]
    assert list(tmp_path.iterdir()) == []


def test_spooled_records_read_again_in_order(tmp_path):
    records = [Record(id=f"r{i}", messages=[{"role": "user", "content": "x" * i}], meta={"k": [i]})
               for i in range(600)]
    spooled = record_spool.Spooled(iter(records), tmp_path)
    assert len(spooled) == 600
    assert [r.to_dict() for r in spooled] == [r.to_dict() for r in records] == [r.to_dict() for r in spooled]
    path = spooled.path
    del spooled
    assert not path.exists()
