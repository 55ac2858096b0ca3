"""`--engine ray`: the same passes on Ray Data write the same bytes as the local engine, and a
worker process killed mid-run loses and duplicates nothing (issue 17).

Ray is started once for the module, inside the test, with 2 CPUs and no dashboard."""
import json
import os
import sys
from pathlib import Path

import pytest
import ray
from _ray_util import KillOnce, local_ray
from _curate_util import ShortStub, SplitStub, read_lines

from curate.engines import EngineError
from curate.passes.dedup_exact import DedupExactPass
from curate.pipeline import curate_folder, run_curation
from curate.recipe import Recipe, load_recipe

OUTPUTS = ("train.jsonl", "validation.jsonl", "test.jsonl", "rejects.jsonl")


@pytest.fixture(scope="module", autouse=True)
def ray_cluster():
    yield from local_ray()


def _raw(folder: Path) -> Path:
    """Support tickets as a user has them: English, Hindi, Hinglish, HTML that is content, exact
    and near duplicates, personal data, a conversation over two rows and a malformed line."""
    rows = []
    for i in range(60):
        rows += [
            {"instruction": f"How do I reset my card PIN? I tried {i} times already",
             "output": f"Open the app, go to Cards and tap Reset PIN. Attempt {i} is logged.", "intent": "pin"},
            {"instruction": f"मेरा कार्ड ब्लॉक हो गया है, क्या करूँ? टिकट {i}",
             "output": f"ऐप में Cards खोलें और Unblock दबाएँ। टिकट {i} बंद किया गया।", "intent": "card"},
            {"instruction": f"Mera refund abhi tak nahi aaya, order number {1000 + i} hai",
             "output": f"Refund 5-7 din mein aa jayega, order {1000 + i} ka status check karein.",
             "intent": "refund"},
        ]
    rows += [
        {"instruction": "<p>Steps to <b>export</b> my statement:</p><ul><li>PDF</li><li>CSV</li></ul>",
         "output": "<ol><li>Open Statements</li><li>Tap <code>Export</code></li></ol>", "intent": "statement"},
        {"instruction": "Please call me back, I am Priya Sharma, phone 98765 43210, priya.sharma@rediffmail.com",
         "output": "We will call you on 98765 43210 within a day, Priya.", "intent": "callback"},
        {"instruction": "Mera naam Rahul Verma hai, mujhe card chahiye, email rahul.v@example.in",
         "output": "Rahul ji, aapka card 7 din mein pahunchega.", "intent": "card"},
        {"instruction": "How do I reset my card PIN? I tried 3 times already",          # exact copy
         "output": "Open the app, go to Cards and tap Reset PIN. Attempt 3 is logged.", "intent": "pin"},
        {"instruction": "how do i reset my card pin?? i tried 4 times already!",        # exact up to case
         "output": "Open the app, go to Cards and tap Reset PIN. Attempt 4 is logged.", "intent": "pin"},
        {"instruction": "Mera refund abhi tak nahi aaya, order number 1005 hai please",  # near copy
         "output": "Refund 5-7 din mein aa jayega, order 1005 ka status check karein.", "intent": "refund"},
        {"instruction": "Where is my parcel?", "output": "It left the warehouse today.",
         "intent": "delivery", "conversation_id": "c1"},
        {"instruction": "It still has not come", "output": "Sorry! A courier will call you.",
         "intent": "delivery", "conversation_id": "c1"},
        {"instruction": "KILL-WORKER what is the IFSC of my branch?", "output": "It is printed on your cheque book.",
         "intent": "branch"},
    ]
    raw = folder / "raw"
    raw.mkdir(parents=True)
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    lines.insert(40, '{"instruction": "cut off mid-line')
    (raw / "tickets.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (raw / "faq.csv").write_text("question,answer\nCard kho gaya?,App mein Block dabayein.\n"
                                 "मेरा पिन क्या है?,ऐप में Cards > PIN देखें।\n", encoding="utf-8")
    return raw


TOOL = ("You can call the tool get_balance(account: str, currency: str) which returns the balance, the "
        "last five transactions and any hold on the account; reply only with a JSON tool call.")


def _leaks(raw: Path) -> None:
    """Rows the decontaminate pass must judge: the same question asked twice with different
    answers (so no dedup pass removes one; where the split sends one copy to test and one to
    train, the train one is contaminated), and a tool-use sub-task whose every prompt starts with
    the same 25-word description (common n-grams: no row is contaminated by it alone)."""
    asks = ["Mera account {} freeze kyun ho gaya, salary credit hone ke baad se kuch bhi kaam nahi kar raha",
            "मेरे खाते {} से कल रात बिना बताए पैसे कट गए और बैंक से कोई मैसेज नहीं आया",
            "Why was my international transfer {} to my sister in Toronto returned after five working days"]
    rows = []
    for i in range(24):
        q = asks[i % 3].format(f"XK{4000 + i}")
        rows += [{"instruction": q, "output": "We have raised a ticket with the back office.", "intent": "account"},
                 {"instruction": q, "output": f"Reference {7000 + i}: the team will call you within two days, "
                                              "please keep your passbook ready.", "intent": "account"},
                 {"instruction": f"{TOOL}\n{['Balance batao', 'मेरा बैलेंस क्या है', 'Show my balance'][i % 3]} "
                                 f"for account SB-{i:04d} in {['INR', 'USD', 'EUR'][i % 3]}",
                  "output": '{"name": "get_balance", "arguments": {"account": "SB-%04d"}}' % i, "intent": "tools"}]
    (raw / "leaks.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                     encoding="utf-8")


def _bytes(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() if (out / name).exists() else b"" for name in OUTPUTS}


def test_ray_engine_writes_the_bytes_the_local_engine_writes(tmp_path, monkeypatch):
    """The default recipe (pii included). Its whole-dataset steps hand their blocks to each
    other: records are parked from the driver only where a step follows a per-record stage
    (dedup_exact, dedup_near) and streamed to it only where a stage follows a step (pii, the
    template and the writer); never between dedup_near, split, decontaminate and balance."""
    from collections import Counter

    from curate.engines.ray_steps import Parked
    from curate.passes.decontaminate import Decontaminate

    raw, recipe = _raw(tmp_path), load_recipe(None, seed=5)
    _leaks(raw)
    local = run_curation(raw, tmp_path / "local", recipe, workers=2, progress=False)

    def on_the_driver(*_):
        raise AssertionError("decontaminate ran on the driver")
    monkeypatch.setattr(Decontaminate, "run", on_the_driver)
    through_driver, put, numbered = Counter(), Parked.put.__func__, Parked.numbered
    monkeypatch.setattr(Parked, "put", classmethod(lambda cls, *a: through_driver.update(["put"]) or put(cls, *a)))
    monkeypatch.setattr(Parked, "numbered", lambda self: through_driver.update(["streamed"]) or numbered(self))
    on_ray = run_curation(raw, tmp_path / "ray", recipe, engine="ray", progress=False)
    assert through_driver == {"put": 2, "streamed": 2}
    assert _bytes(tmp_path / "ray") == _bytes(tmp_path / "local")
    rejects = read_lines(tmp_path / "ray" / "rejects.jsonl")
    reasons = {(r["pass"], r["reason"]) for r in rejects}
    assert {("read", "parse_error"), ("dedup_exact", "exact_duplicate"),
            ("dedup_near", "near_duplicate"), ("decontaminate", "contaminated")} <= reasons, reasons
    contaminated = [r["id"] for r in rejects if r["pass"] == "decontaminate"]
    assert all(i.startswith("leaks.jsonl") and int(i.split(":")[1]) % 3 for i in contaminated), contaminated
    decontaminate = next(p for p in on_ray["passes"] if p["name"] == "decontaminate")
    assert decontaminate["info"]["common_ngrams_ignored"] > 0
    assert "priya.sharma@rediffmail.com" not in _bytes(tmp_path / "ray")["train.jsonl"].decode()
    assert on_ray["engine"] == "ray" and local["engine"] == "local"
    assert on_ray["accounting"] == local["accounting"] and on_ray["accounting"]["ok"]
    assert [p["counts"] for p in on_ray["passes"]] == [p["counts"] for p in local["passes"]]


def test_a_worker_killed_mid_run_loses_and_duplicates_no_row(tmp_path):
    raw = _raw(tmp_path)
    flag = tmp_path / "killed"
    passes = lambda: [KillOnce(KillOnce.Config(flag=str(flag))), ShortStub(), DedupExactPass(), SplitStub()]
    on_ray = curate_folder(raw, tmp_path / "ray", passes(), recipe=Recipe(), engine="ray")
    assert flag.exists(), "the marker row never reached a worker: nothing was killed"
    assert int(flag.read_text()) != os.getpid()                  # a worker died, not this process
    local = curate_folder(raw, tmp_path / "local", passes(), recipe=Recipe())   # flag set: no kill
    assert _bytes(tmp_path / "ray") == _bytes(tmp_path / "local")
    ids = [r["id"] for name in OUTPUTS[:3] for r in read_lines(tmp_path / "ray" / name)]
    assert len(ids) == len(set(ids)) and on_ray["accounting"]["ok"]
    assert on_ray["accounting"]["rows_read"] == local["accounting"]["rows_read"] == 192


def test_without_ray_the_engine_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)                # `import ray` fails
    with pytest.raises(EngineError, match=r"pip install 'ray\[data\]'"):
        curate_folder(_raw(tmp_path), tmp_path / "out", [ShortStub()], recipe=Recipe(), engine="ray")
    assert not (tmp_path / "out").exists()


def _near_records():
    """Near duplicates of every shape the local pass handles: a crowded bucket (30 tickets asking
    the same question, answered in two near-identical ways and one different way: only the
    response index can pair them), one sentence growing word by word (too far apart: kept),
    short Hinglish queries (character shingles), Devanagari, and rows with no text at all."""
    from tunecraft.records import Record

    def rec(i, q, a):
        return Record(id=f"t.jsonl:{i}", messages=[{"role": "user", "content": q},
                                                   {"role": "assistant", "content": a}])
    records = [rec(i, "How do I close my savings account at the branch today?",
                   ["Visit any branch with your passbook and a signed closure form, it takes a day.",
                    "Visit any branch with your passbook and a signed closure form, it takes one day.",
                    f"Our team will call you back about ticket {i} within two working days."][i % 3])
               for i in range(30)]
    chain = "the quick brown fox jumps over the lazy dog near the river bank every single morning".split()
    records += [rec(100 + k, " ".join(chain[:10 + k] + ["today"] * k), "Noted.") for k in range(3)]
    records += [rec(200, "card block karo", "Ho gaya."), rec(201, "Card block karo!", "Ho gaya."),
                rec(202, "मेरा कार्ड ब्लॉक हो गया है कृपया मदद करें", "ऐप में Unblock दबाएँ।"),
                rec(203, "मेरा कार्ड ब्लॉक हो गया है कृपया मदद करें जल्दी", "ऐप में Unblock दबाएँ।"),
                rec(204, "...", "!!!"), rec(205, "???", "...")]
    return records


def _spread_families():
    """Near-duplicate families whose members sit far apart in input order (so, with small blocks,
    in different blocks and shuffle partitions): Hindi, Hinglish, code and maths tickets, each
    with an edited copy 40-odd rows later, and a chain A~B~C whose ends are below the threshold."""
    from tunecraft.records import Record

    stems = ["मेरे खाते से दो बार पैसे कट गए हैं, कृपया रिफंड की स्थिति बताइए, लेनदेन संख्या 4471",
             "Bhai mera UPI payment fail ho gaya lekin paisa account se kat gaya, ab kya karun",
             "Why does `df.groupby('city').agg({'sales': 'sum'})` drop rows where city is NaN in pandas?",
             "Solve for x: 3x^2 - 12x + 9 = 0, and show each step of the factorisation clearly please"]
    out = []
    for k, stem in enumerate(stems):
        out.append((k * 5, stem, "We have noted this and will reply within one working day."))
        out.append((45 + k * 7, stem + " jaldi", "We have noted this and will reply within one working day."))
    chain = "my debit card was charged twice for the same order at the grocery store yesterday evening"
    words = chain.split()
    out += [(20, chain, "Refund raised."), (50, " ".join(words + ["sorry"]), "Refund raised."),
            (70, " ".join(words + ["sorry", "again", "team"]), "Refund raised.")]
    filler = {i: f"Ticket {i}: my order number {9000 + i} shows delivered but nothing arrived" for i in range(80)}
    placed = dict((pos, (q, a)) for pos, q, a in out)
    return [Record(id=f"t.jsonl:{i + 1}", messages=[
        {"role": "user", "content": placed.get(i, (filler[i], ""))[0]},
        {"role": "assistant", "content": placed.get(i, ("", f"Courier {i} will call you."))[1]}])
        for i in range(80)]


@pytest.mark.parametrize("options, blocks", [({}, 4096), ({}, 7), ({"mode": "mark"}, 7),
                                             ({"field": "instruction"}, 5)],
                         ids=["one-block", "small-blocks", "mark", "instruction-only"])
def test_near_dedup_as_distributed_steps_decides_what_the_pass_decides(options, blocks, monkeypatch):
    from curate.engines import ray_steps
    from curate.passes.base import Context
    from curate.passes.dedup_near import DedupNear

    monkeypatch.setattr(ray_steps, "BLOCK", blocks)
    p = DedupNear(DedupNear.Config(**options))
    for records in (_near_records, _spread_families, lambda: _near_records() + _spread_families()):
        local_ctx, ray_ctx = Context("dedup_near", seed=4), Context("dedup_near", seed=4)
        local = [r.to_dict() for r in p.run(records(), local_ctx)]
        distributed = [r.to_dict() for r in ray_steps.run_step(ray, p, records(), ray_ctx)]
        assert distributed == local
        assert [(r.record.id, r.details) for r in ray_ctx.rejects] == \
               [(r.record.id, r.details) for r in local_ctx.rejects]
        assert ray_ctx.info == local_ctx.info
        assert local_ctx.info["clusters"] >= 3        # instruction-only: the 30 tickets are one
        assert local_ctx.info["no_text"] == (0 if records is _spread_families else 2)


def test_the_band_shuffle_carries_integers_not_shingle_sets():
    """Near dedup's first shuffle has one row per (band, record): its rows must be fixed-width
    integers (the step before this one copied every record's shingle sets into each of its 21 band
    rows, which made near dedup 30x slower on Ray than in one process)."""
    from curate import minhash
    from curate.engines.ray_near import _band_rows
    from curate.passes.dedup_near import DedupNear

    cfg = DedupNear.Config()
    block = _spread_families()[:20]
    bands, rows = minhash.lsh_params(cfg.threshold, cfg.num_perm)
    a, b = minhash.permutations(bands * rows, 4)
    out = _band_rows(block, 100, cfg, "instruction", None, a, b, bands, rows, parts=4)
    assert set(out) == {"part", "band", "key", "seq"}
    assert all(col.dtype.kind in "iu" for col in out.values())
    assert len(out["seq"]) == bands * len(block)
    assert set(out["seq"].tolist()) == set(range(100, 120)) and set(out["part"].tolist()) <= {0, 1, 2, 3}


def test_cli_engine_flags(tmp_path):
    from typer.testing import CliRunner

    from curate.cli import app

    raw = _raw(tmp_path)
    ok = CliRunner().invoke(app, ["run", str(raw), "--out", str(tmp_path / "clean"), "--engine", "ray",
                                  "--skip", "pii,dedup_near,decontaminate,balance", "--seed", "2"])
    assert ok.exit_code == 0, ok.output
    assert json.loads((tmp_path / "clean" / "manifest.json").read_text())["engine"] == "ray"
    bad = CliRunner().invoke(app, ["run", str(raw), "--out", str(tmp_path / "other"), "--engine", "spark"])
    assert bad.exit_code == 2 and "unknown engine 'spark'; choose one of local, ray" in bad.output
    assert not (tmp_path / "other").exists()


def _labelled_records():
    """Intent-labelled tickets over three splits: a large class, a small one, a label with a
    trailing space (the same class), unlabelled rows, and held-out rows that must stay as they are."""
    from tunecraft.records import Record

    labels = ["card_block"] * 30 + ["refund"] * 9 + ["refund "] * 3 + ["upi_pin"] * 4 + [None] * 3
    out = []
    for i, label in enumerate(labels):
        split = "test" if i % 7 == 0 else "validation" if i % 11 == 0 else "train"
        q = ["Mera card block karo", "मेरा रिफंड कब आएगा?", "UPI PIN reset kaise karein"][i % 3]
        out.append(Record(id=f"t.jsonl:{i + 1}", messages=[{"role": "user", "content": f"{q} #{i}"},
                                                           {"role": "assistant", "content": "Ho jayega."}],
                          label=label, split=split))
    return out


@pytest.mark.parametrize("options", [dict(mode="cap", per_label=6), dict(mode="temperature", temperature=0.3)])
def test_balance_as_distributed_steps_decides_what_the_pass_decides(options):
    from curate.engines.ray_steps import run_step
    from curate.passes.balance import Balance
    from curate.passes.base import Context

    p = Balance(Balance.Config(**options))
    local_ctx, ray_ctx = Context("balance", seed=9), Context("balance", seed=9)
    local = [r.to_dict() for r in p.run(_labelled_records(), local_ctx)]
    distributed = [r.to_dict() for r in run_step(ray, p, _labelled_records(), ray_ctx)]
    assert distributed == local
    assert [(r.record.id, r.details) for r in ray_ctx.rejects] == \
           [(r.record.id, r.details) for r in local_ctx.rejects]
    assert ray_ctx.info == local_ctx.info and ray_ctx.counts == local_ctx.counts
    assert local_ctx.info["copies"] + local_ctx.info["dropped"] > 0


def _grouped_records(n_labels: int):
    """Tickets in Hindi, Hinglish and English with the groups the split keeps whole: two-row
    conversations, near-duplicate clusters, and rows holding both (linking a cluster to a
    conversation); `n_labels` intents (many: most are too small for three splits), some rows
    unlabelled, one label seen once."""
    from tunecraft.records import Record

    out = []
    for i in range(240):
        meta = {}
        if i % 9 in (1, 2):
            meta["conversation_id"] = f"chat-{i // 9}"
        if i % 13 in (0, 4):
            meta["cluster_id"] = f"t.jsonl:{i // 13 * 13 + 1}"
        label = None if i % 17 == 0 else f"intent_{i % n_labels}"
        q = ["Mera card block karo", "मेरा रिफंड कब आएगा?", "How do I reset my UPI PIN"][i % 3]
        out.append(Record(id=f"t.jsonl:{i + 1}", label=label, meta=meta, messages=[
            {"role": "user", "content": f"{q} #{i}"}, {"role": "assistant", "content": "Ho jayega."}]))
    out[5].label = "only_once"
    return out


@pytest.mark.parametrize("options, n_labels", [({}, 6), ({"ratios": [0.6, 0.2, 0.2]}, 90)],
                         ids=["by-label", "pooled-rare-labels"])
def test_split_as_distributed_steps_decides_what_the_pass_decides(options, n_labels):
    from curate.engines.ray_steps import run_step
    from curate.passes.base import Context
    from curate.passes.split import SplitPass

    p = SplitPass.from_options(options)
    local_ctx, ray_ctx = Context("split", seed=11), Context("split", seed=11)
    local = [r.to_dict() for r in p.run(_grouped_records(n_labels), local_ctx)]
    distributed = [r.to_dict() for r in run_step(ray, p, _grouped_records(n_labels), ray_ctx)]
    assert distributed == local
    assert ray_ctx.info == local_ctx.info
    assert len({r["split"] for r in local}) == 3


def test_curate_run_takes_the_engine_and_a_killed_worker_costs_no_row(tmp_path, monkeypatch):
    """The Python API: `curate.run(..., engine="ray")` writes the local engine's bytes, also when
    a worker process dies mid-run (the unicode pass swapped for one that kills its worker once)."""
    import curate
    from curate.recipe import Recipe as RecipeClass

    flag = tmp_path / "killed"
    built = RecipeClass.build_passes

    def with_a_killer(self):
        return [KillOnce(KillOnce.Config(flag=str(flag))) if p.name == "unicode" else p
                for p in built(self)]
    monkeypatch.setattr(RecipeClass, "build_passes", with_a_killer)
    raw = _raw(tmp_path)
    on_ray = curate.run(raw, tmp_path / "ray", seed=3, skip="pii", engine="ray", address=None)
    assert flag.exists() and int(flag.read_text()) != os.getpid()
    local = curate.run(raw, tmp_path / "local", seed=3, skip="pii", workers=2)   # flag set: no kill
    assert _bytes(tmp_path / "ray") == _bytes(tmp_path / "local")
    assert {s: on_ray[s]["id"] for s in on_ray} == {s: local[s]["id"] for s in local}
    ids = [i for s in on_ray for i in on_ray[s]["id"]]
    assert len(ids) == len(set(ids))
    manifest = json.loads((tmp_path / "ray" / "manifest.json").read_text())
    assert manifest["engine"] == "ray" and manifest["accounting"]["ok"]
    assert manifest["accounting"]["rows_read"] == 192


