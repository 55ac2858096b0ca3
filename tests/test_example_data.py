"""The bundled example's raw data (examples/support-desk): reproducible, and dirty as documented.

The README promises exact counts of planted faults; these tests regenerate raw/ into tmp_path,
compare it byte for byte with the committed files, and re-detect the faults in the committed files
with detectors written here (not the generator's own bookkeeping), so a changed generator, a
hand-edited raw file or a stale README all fail.
"""
from __future__ import annotations

import csv
import importlib.util
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "support-desk"
RAW = EXAMPLE / "raw"
SUPPORT_EMAIL = "care@sahayakbank.in"
MOJIBAKE = re.compile("â€|â‚¹|à¤|à¥|Ã")


@pytest.fixture(scope="module")
def make_data():
    spec = importlib.util.spec_from_file_location("support_desk_make_data", EXAMPLE / "make_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    for name in ("faults", "tickets", "phrasebook", "identifiers", "helpcentre"):
        sys.modules.pop(name, None)          # generic names: do not leak them to other tests
    sys.path.remove(str(EXAMPLE))


@pytest.fixture(scope="module")
def plan(make_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("support-desk") / "raw"
    return make_data.generate(out), out


@pytest.fixture(scope="module")
def rows():
    return read_rows()


# --- an independent reader of the three ticket files -------------------------------------------
def read_rows() -> list[dict]:
    """{id, label, user, reply, text} per ticket row; malformed lines as {id, malformed: True}."""
    out = []
    for name in ("tickets_2025q1.jsonl", "whatsapp_chats.jsonl"):
        for n, line in enumerate((RAW / name).read_text(encoding="utf-8").splitlines(), 1):
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                out.append({"id": f"{name}:{n}", "malformed": True})
                continue
            if "instruction" in row:
                user = row["instruction"] + (f"\n\n{row['input']}" if row["input"] else "")
                out.append(_row(f"{name}:{n}", row["intent"], [user], [row["output"]], row))
            elif "messages" in row:
                turns = [m for m in row["messages"] if m["role"] != "system"]
                out.append(_row(f"{name}:{n}", row["intent"],
                                [m["content"] for m in turns if m["role"] == "user"],
                                [m["content"] for m in turns if m["role"] == "assistant"], row))
            else:
                out.append({"id": f"{name}:{n}", "unmapped": True})
    with open(RAW / "crm_export_2025-04.csv", encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        for row in reader:
            out.append(_row(f"crm:{reader.line_num}", row["category"], [row["question"]],
                            [row["answer"]], row))
    return out


def _row(row_id, label, users, replies, raw) -> dict:
    return {"id": row_id, "label": label, "user": "\n".join(users), "reply": replies[-1],
            "text": "\n".join(users + replies), "raw": raw}


def tickets(rows):
    return [r for r in rows if "label" in r]


def normalised(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join("".join(c for c in text if not unicodedata.category(c).startswith("P")).split())


def shingles(text: str, n: int = 5) -> set:
    words = re.findall(r"(?:[^\W_]|[\u0900-\u0903\u093a-\u094f\u0962\u0963])+", text.casefold())
    return {tuple(words[i:i + n]) for i in range(max(1, len(words) - n + 1))}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b)


def luhn(number: str) -> bool:
    digits = [int(c) for c in reversed(number)]
    return sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(digits)) % 10 == 0


def verhoeff(number: str) -> bool:
    d = _dihedral()
    p = [list(range(10))]
    perm = [1, 5, 7, 6, 2, 8, 3, 0, 9, 4]
    for _ in range(7):
        p.append([perm[x] for x in p[-1]])
    c = 0
    for i, digit in enumerate(reversed(number)):
        c = d[c][p[i % 8][int(digit)]]
    return c == 0


def _dihedral() -> list[list[int]]:
    """Multiplication table of the dihedral group D5 (Verhoeff's d table), built, not copied."""
    def mul(a, b):
        ra, fa = a % 5, a >= 5
        rb, fb = b % 5, b >= 5
        r = (ra - rb) % 5 if fa else (ra + rb) % 5
        return r + 5 * (fa != fb)
    return [[mul(a, b) for b in range(10)] for a in range(10)]


def count(plan_counts, fault: str) -> int:
    return sum(n for (f, _), n in plan_counts.items() if f == fault or f.startswith(fault + ":"))


# --- tests ---------------------------------------------------------------------------------------
def test_regenerating_gives_the_committed_files_byte_for_byte(plan):
    _, out = plan
    for committed_dir, new_dir in ((RAW, out), (EXAMPLE / "help-centre", out.parent / "help-centre")):
        committed = sorted(p.relative_to(committed_dir) for p in committed_dir.rglob("*") if p.is_file())
        regenerated = sorted(p.relative_to(new_dir) for p in new_dir.rglob("*") if p.is_file())
        assert regenerated and regenerated == committed
        for rel in committed:
            assert (new_dir / rel).read_bytes() == (committed_dir / rel).read_bytes(), rel


def test_readme_states_the_generated_tables(make_data, plan):
    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    assert make_data.summary(plan[0]) in readme


def test_intents_are_imbalanced_like_real_traffic_and_every_language_is_present(rows):
    labels = Counter(r["label"] for r in tickets(rows))
    total = sum(labels.values())
    assert 8 <= len(labels) <= 12 and 800 <= total <= 1500
    shares = sorted(n / total for n in labels.values())
    assert shares[-1] >= 0.2 and 0.02 <= shares[0] <= 0.04
    by_label = defaultdict(Counter)
    for r in tickets(rows):
        script = "hi" if re.search("[\u0900-\u097f]", r["user"]) else "latin"
        by_label[r["label"]][script] += 1
    assert all(c["hi"] and c["latin"] for c in by_label.values())


def test_broken_rows_empty_replies_and_refusals(plan, rows):
    counts = plan[0].counts
    assert sum(1 for r in rows if r.get("malformed")) == count(counts, "malformed_line") == 3
    assert sum(1 for r in rows if r.get("unmapped")) == count(counts, "unmapped_row") == 1
    assert sum(1 for r in tickets(rows) if not r["reply"].strip()) == count(counts, "empty_reply")
    refusals = [r for r in tickets(rows) if "as an ai language model" in r["reply"].casefold()]
    assert len(refusals) == count(counts, "refusal") > 0
    assert (RAW / "tickets_2024q4.jsonl").stat().st_size == 0
    assert (RAW / "crm_export_2025-04.csv").read_bytes().startswith(b"\xef\xbb\xbfticket_id,")


def test_mojibake_is_planted_and_ftfy_can_undo_it(plan, rows):
    import ftfy

    broken = [r for r in tickets(rows) if MOJIBAKE.search(r["text"])]
    assert len(broken) == count(plan[0].counts, "mojibake") >= 20
    assert any(re.search("à¤|à¥", r["text"]) for r in broken)          # Devanagari too
    for r in broken:
        assert not MOJIBAKE.search(ftfy.fix_text(r["text"], uncurl_quotes=False)), r["id"]


def test_html_wrapped_replies_and_html_as_content(make_data, plan, rows):
    wrapped = [r for r in tickets(rows) if re.match(r"<(p|div)[ >]", r["reply"])]
    assert len(wrapped) == count(plan[0].counts, "html_wrapped")
    assert any("&#8377;" in r["reply"] or "&nbsp;" in r["reply"] for r in wrapped)
    for _, _, question, reply in make_data.ABOUT_HTML.values():
        hits = [r for r in tickets(rows) if question in r["user"]]
        assert len(hits) == 1 and hits[0]["reply"] == reply
        assert re.search(r"<(div|a|button)\b", question + reply)


def test_duplicates_are_exactly_the_planted_ones(plan, rows):
    counts = plan[0].counts
    seen, exact = set(), 0
    for r in tickets(rows):
        key = normalised(r["text"])
        exact += key in seen
        seen.add(key)
    assert exact == count(counts, "exact_duplicate") == 18
    near = 0
    by_label = defaultdict(list)
    for r in tickets(rows):
        by_label[r["label"]].append((normalised(r["text"]), shingles(r["user"]), shingles(r["reply"])))
    for group in by_label.values():
        for i, (key_a, user_a, reply_a) in enumerate(group):
            for key_b, user_b, reply_b in group[i + 1:]:
                if key_a != key_b and min(jaccard(user_a, user_b), jaccard(reply_a, reply_b)) >= 0.8:
                    near += 1
    assert near == count(counts, "near_duplicate") == 17


def test_planted_pii_is_valid_present_once_and_allow_listed_address_is_there(plan):
    planted, _ = plan
    text = "\n".join(p.read_text(encoding="utf-8") for p in RAW.glob("*.*") if p.suffix in (".jsonl", ".csv"))
    kinds = Counter(entity for entity, _, _ in planted.pii_values)
    assert len(kinds) == 16 and set(kinds.values()) == {9}
    for entity, lang, value in planted.pii_values:
        assert text.count(json.dumps(value, ensure_ascii=False)[1:-1]) == 1, (entity, value)
        digits = re.sub(r"\D", "", value)
        if entity == "CREDIT_CARD":
            assert luhn(digits), value
        if entity == "IN_AADHAAR":
            assert verhoeff(digits) and digits[0] in "23456789", value
    assert {lang for _, lang, _ in planted.pii_values} == {"en", "hi", "hl"}
    assert SUPPORT_EMAIL in text


def test_lookalikes_fail_the_checksums_they_imitate(plan, rows):
    planted, _ = plan
    assert Counter(kind for kind, _ in planted.lookalikes) == {"order_12": 6, "reference_16": 6}
    for kind, value in planted.lookalikes:
        digits = re.sub(r"\D", "", value)
        assert not luhn(digits)
        windows = [digits] if kind == "order_12" else [digits[:12], digits[4:]]
        assert not any(verhoeff(w) for w in windows), value
    aadhaar = {re.sub(r"\D", "", v) for e, _, v in planted.pii_values if e == "IN_AADHAAR"}
    utrs = set(re.findall(r"\b\d{12}\b", "\n".join(r["user"] for r in tickets(rows)))) - aadhaar
    assert len(utrs) >= 50 and not any(verhoeff(u) or luhn(u) for u in utrs)


def test_verhoeff_and_luhn_helpers_catch_real_errors():
    assert verhoeff("2363") and not verhoeff("2364")            # textbook Verhoeff example
    assert luhn("79927398713") and not luhn("79927398710")      # textbook Luhn example


def test_recipe_uses_only_existing_options_and_allow_lists_the_support_address():
    from curate.recipe import load_recipe

    recipe = load_recipe(EXAMPLE / "recipe.yaml")
    passes = {p.name: p for p in recipe.build_passes()}
    assert SUPPORT_EMAIL in passes["pii"].config.allow_list
    assert set(passes["language"].config.allow) == {"en", "hi"}
    assert passes["template"].config.format == "chatml"
