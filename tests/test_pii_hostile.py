"""Hostile input for the pii pass: personal values planted wherever a string can sit, in the forms
that slip past a detector, curated end to end; none may survive in any output file. And text with
no personal data in it (code, maths, Hindi/English prose) must come out of the pass unchanged.

Hypothesis draws the value, its encoding and its place; example counts stay small because each
example is a whole `curate` run (the pii pass itself is the session fixture `pii`).
"""
from __future__ import annotations

import csv
import html
import json
import re
import tempfile
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest
from _curate_util import read_lines
from _pii_util import run_pii
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curate.pipeline import curate_folder
from curate.recipe import Recipe
from tunecraft.records import Record

OUTPUTS = ("train.jsonl", "validation.jsonl", "test.jsonl", "rejects.jsonl", "manifest.json", "report.html")
FEW = settings(max_examples=8, deadline=None, derandomize=True, database=None,
               suppress_health_check=[HealthCheck.too_slow])

# Values each detector must catch on its own (no NER): e-mail, Indian mobile, Aadhaar (Verhoeff),
# card (Luhn), UPI, and credentials of the shapes detect-secrets and gitleaks know.
EMAILS = ["kiran.desai@gmail.com", "agent.meera@helpdesk.in", "r.iyer_77@yahoo.co.in", "ravi.k@outlook.com"]
PHONES = ["9820123456", "+91 98765 43210", "8861234567"]
SECRETS = ["AKIA4HZQ7WNB3KPX2M6T", "ghp_Zq4Lm9Xw2Rt7Kp3Vn8Bc5Hy1Dj6Gs0FaQe7U", "xoxb-2816512345-3311234567890-AbCdEfGhIjKlMnOpQrSt",
           "sk-proj-T3BlbkFJabcdefGHIJKLmnopQRST1234", "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"]


def _fullwidth(value: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in value)


def _break(value: str) -> str:
    """A line break where an editor would wrap it: after the "@", or in the middle of the digits."""
    if "@" in value:
        return value.replace("@", "@\n", 1)
    digits = [i for i, c in enumerate(value) if c.isdigit()]
    cut = digits[len(digits) // 2]
    return value[:cut] + "\n" + value[cut:]


ENCODINGS = {
    "plain": lambda v: v,
    "url": lambda v: v.replace("@", "%40"),
    "fullwidth": _fullwidth,
    "entity": lambda v: v.replace("@", "&#64;").replace(".", "&period;"),
    "linebreak": _break,
}


@st.composite
def planted(draw):
    kind = draw(st.sampled_from(["email", "phone", "secret"]))
    value = draw(st.sampled_from({"email": EMAILS, "phone": PHONES, "secret": SECRETS}[kind]))
    encodings = ["plain"] if kind == "secret" else list(ENCODINGS)
    if kind == "phone":
        encodings.remove("url")       # no "@" to encode
        encodings.remove("entity")
    return value, draw(st.sampled_from(encodings))


def _canon(text: str) -> str:
    """What a reader of the output sees, without spacing: a value must not be in there."""
    text = unicodedata.normalize("NFKC", html.unescape(unquote(text)))
    return re.sub(r"\s+", "", text)


def _output_strings(out: Path) -> list[str]:
    """Every string of every output file: JSON values and keys, and the data card's text."""
    found: list[str] = []

    def walk(value):
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                found.append(str(k))
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for name in OUTPUTS:
        if not (out / name).exists() and name in ("train.jsonl", "validation.jsonl", "test.jsonl"):
            continue                                   # an empty split has no file
        text = (out / name).read_text(encoding="utf-8")
        if name.endswith(".jsonl"):
            for line in text.splitlines():
                walk(json.loads(line))
        elif name.endswith(".json"):
            walk(json.loads(text))
        else:
            found.append(text)
    return found


def _assert_gone(out: Path, value: str) -> None:
    needle = _canon(value)
    leaks = [s[:120] for s in _output_strings(out) if needle in _canon(s)]
    assert leaks == [], f"{value!r} survives in {leaks}"


def _curate(pii, raw: Path, out: Path) -> None:
    passes = [pii if p.name == "pii" else p for p in Recipe().build_passes()]
    curate_folder(raw, out, passes, recipe=Recipe())


def _ticket(i: int, user: str, reply: str = "Thanks, we have noted your request.", **extra) -> dict:
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": reply}], **extra}


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


FILLER = [_ticket(i, q) for i, q in enumerate([
    "How do I block my debit card after losing it?", "मेरा कार्ड ब्लॉक कर दीजिए, खो गया है।",
    "Card block karna hai, kal se mil nahi raha.", "What is the daily UPI limit?",
    "Why was I charged twice for the same transfer?", "How long does a NEFT transfer take?"])]


def _place(wheres: list[str], text: str, raw: Path) -> None:
    """Plant `text` at each place of `wheres` in a small input folder."""
    rows = [dict(r, label="card_lost") for r in FILLER]
    one_line = text.replace("\n", "")   # a line break cannot sit in a name or a one-line field
    planters = {
        "user": lambda: [_ticket(9, f"Please update my contact to {text} today.")],
        "assistant": lambda: [_ticket(9, "Which contact do you have for me?", f"The contact we have on file is {text}.")],
        "label": lambda: [_ticket(9, "Escalate this one.", label=one_line)],
        "meta_value": lambda: [_ticket(9, "Refund status?", notes=[{"agent_note": f"customer reached via {text}"}])],
        "meta_key": lambda: [_ticket(9, "Refund status?", **{one_line: "verified"})],
        "group_key": lambda: [_ticket(9, "First message of the thread.", conversation_id=one_line),
                              _ticket(10, "Second message of the thread.", conversation_id=one_line)],
        "error_text": lambda: [{"messages": [{"role": one_line, "content": "hi"},
                                             {"role": "assistant", "content": "hello"}]}],
    }
    for where in wheres:
        rows += planters.get(where, list)()
    if "csv_header" in wheres:
        with open(raw / "crm.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["question", "answer", one_line])
            writer.writerow(["Is my KYC done?", "Yes, it was completed yesterday.", "yes"])
    if "file_name" in wheres:
        (raw / "skipped").mkdir(exist_ok=True)
        (raw / "skipped" / f"scan_{one_line}.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00")
    _write_jsonl(raw / (f"export_{one_line}.jsonl" if "file_name" in wheres else "tickets.jsonl"), rows)


PLACES = ["user", "assistant", "label", "meta_value", "meta_key", "group_key", "error_text",
          "file_name", "csv_header"]


@FEW
@given(planted(), st.lists(st.sampled_from(PLACES), min_size=1, max_size=4, unique=True))
def test_a_planted_value_survives_in_no_output_file(pii, value_and_encoding, wheres):
    value, encoding = value_and_encoding
    with tempfile.TemporaryDirectory() as tmp:
        raw, out = Path(tmp) / "raw", Path(tmp) / "clean"
        raw.mkdir()
        _place(wheres, ENCODINGS[encoding](value), raw)
        _curate(pii, raw, out)
        _assert_gone(out, value)


def test_a_plain_email_in_every_place_at_once_survives_nowhere(pii, tmp_path):
    """The deterministic floor under the property test."""
    raw = tmp_path / "raw"
    raw.mkdir()
    _place(PLACES, "kiran.desai@gmail.com", raw)
    _curate(pii, raw, tmp_path / "clean")
    _assert_gone(tmp_path / "clean", "kiran.desai@gmail.com")


def test_a_group_key_that_is_an_email_keeps_its_group_together(pii, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    _place(["group_key"], "priya.n@gmail.com", raw)
    _curate(pii, raw, tmp_path / "clean")
    rows = [row for s in ("train", "validation", "test")
            for row in read_lines(tmp_path / "clean" / f"{s}.jsonl")]
    keys = [r["meta"]["conversation_id"] for r in rows if "conversation_id" in r["meta"]]
    assert len(keys) == 2 and keys[0] == keys[1] and "priya" not in keys[0] and "@" in keys[0]
    assert len({r["split"] for r in rows if "conversation_id" in r["meta"]}) == 1


def test_ids_come_from_the_scrubbed_file_name(pii, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    _place(["file_name"], "kiran.desai@gmail.com", raw)
    _curate(pii, raw, tmp_path / "clean")
    manifest = json.loads((tmp_path / "clean" / "manifest.json").read_text(encoding="utf-8"))
    assert [(f["path"], f.get("path_scrubbed")) for f in manifest["inputs"]] == [("export_<EMAIL>.jsonl", True)]
    assert [s["path"] for s in manifest["skipped"]] == ["skipped/scan_<EMAIL>.png"]
    first = json.loads((tmp_path / "clean" / "train.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert first["id"].startswith("export_<EMAIL>.jsonl:")


# --- text with no personal data comes out unchanged -------------------------------------------------
CODE = ["def add(a, b):\n    return a + b", "for i in range(10):\n    print(i * i)",
        "SELECT name, total FROM orders WHERE total > 100 ORDER BY total DESC;",
        "const xs = [1, 2, 3].map(x => x * 2);"]
MATHS = ["If 3x + 5 = 20, then x = 5.", "The area of a circle of radius 7 cm is 154 square cm.",
         "A train covers 240 km in 4 hours, so its speed is 60 km/h.", "Simplify (a + b)^2 - (a - b)^2 = 4ab."]
PROSE = ["मशीन लर्निंग में डेटा की गुणवत्ता बहुत महत्वपूर्ण है।", "Please explain how compound interest is calculated.",
         "Tokenization splits text into smaller units called tokens.", "डेटा को train और test सेट में बाँटा जाता है।",
         "The model was evaluated on the held-out test split."]


@FEW
@given(st.lists(st.sampled_from(CODE + MATHS + PROSE), min_size=1, max_size=3), st.sampled_from(CODE + MATHS + PROSE))
def test_text_without_personal_data_comes_out_unchanged(pii, question, answer):
    user = "\n\n".join(question)
    record = Record("x.jsonl:1", [{"role": "user", "content": user}, {"role": "assistant", "content": answer}],
                    label="explain")
    (out,), ctx = run_pii(pii, [record])
    assert out.messages == [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    assert out.label == "explain" and not ctx.counts


@pytest.mark.parametrize("text", [
    "from peft import get_peft_model, LoraConfig, TaskType",
    "4000/2000 = 2",
    "Is vishay ko samjhaiye",
])
def test_code_maths_and_hinglish_come_out_unchanged(pii, text):
    record = Record("x.jsonl:1", [{"role": "user", "content": text}, {"role": "assistant", "content": "ok"}])
    (out,), _ = run_pii(pii, [record])
    assert out.messages[0]["content"] == text


def test_a_bare_shell_command_comes_out_unchanged(pii):
    text = 'git commit -m "fix: handle empty input"'
    record = Record("x.jsonl:1", [{"role": "user", "content": text}, {"role": "assistant", "content": "ok"}])
    (out,), _ = run_pii(pii, [record])
    assert out.messages[0]["content"] == text


def test_a_name_in_prose_beside_a_shell_command_is_still_replaced(pii):
    """Only the command line is code: the sentence after it still goes through NER."""
    text = ('$ pip install -U peft\ngit commit -m "bump peft"\n'
            'Then ask Rahul Sharma to review it before Friday.')
    record = Record("x.jsonl:1", [{"role": "user", "content": text}, {"role": "assistant", "content": "ok"}])
    (out,), _ = run_pii(pii, [record])
    content = out.messages[0]["content"]
    assert "Rahul Sharma" not in content
    assert content.startswith('$ pip install -U peft\ngit commit -m "bump peft"\n')


def test_scrubbed_outputs_are_byte_identical_on_a_rerun(pii, tmp_path):
    """Scrubbing file names, keys, group keys and error text keeps the determinism contract
    (the default operator is placeholders; group keys get seed-keyed pseudonyms)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    _place(PLACES, "kiran.desai@gmail.com", raw)
    _curate(pii, raw, tmp_path / "a")
    _curate(pii, raw, tmp_path / "b")
    for name in ("train.jsonl", "validation.jsonl", "test.jsonl", "rejects.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
