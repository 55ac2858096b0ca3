"""Write examples/support-desk/raw/: the support-desk tickets of the fictional Sahayak Bank & Mobile.

    python examples/support-desk/make_data.py            # rewrites raw/ byte-identically
    python examples/support-desk/make_data.py --summary  # also prints the planted-fault counts

Everything is generated here from a seeded RNG (no public data set is copied): clean tickets from
the phrasebook (tickets.py), then the faults real exports carry (faults.py), then one writer per
export format. The README's fault table is this script's `--summary` output.
"""
from __future__ import annotations

import csv
import io
import json
import random
import shutil
import struct
import sys
import zlib
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import faults  # noqa: E402
import helpcentre  # noqa: E402
import identifiers as ids  # noqa: E402
import phrasebook as pb  # noqa: E402
from tickets import Ticket, TicketFactory, quotas  # noqa: E402

SEED = 20250401
ALPACA, CSV_FILE, CHAT = "tickets_2025q1.jsonl", "crm_export_2025-04.csv", "whatsapp_chats.jsonl"
BASE_ROWS = {ALPACA: 480, CSV_FILE: 350, CHAT: 300}
ABOUT_HTML = {
    ALPACA: ("account_statement", "en",
             'The statement page shows the text <div class="pdf-viewer"></div> where the PDF should be. Is something broken?',
             "Thanks for flagging it. When the raw <div> tag shows instead of the statement, the viewer script did not load: clear the browser cache or download the PDF from the Sahayak app under Accounts > Statements."),
    CSV_FILE: ("bill_dispute", "en",
               "Your bill email shows <a href=...> code instead of a link to the PDF, so I can't open my June bill.",
               "Sorry about that. Some mail apps show the <a> tag as text; you can open the June bill in the Sahayak app under Bills > Download, and we have fixed the email template."),
    CHAT: ("upi_payment_failed", "hl",
           'app me Pay button ki jagah <button id="pay-now"> likha aa raha hai, payment kaise karu?',
           "Ye <button> code dikhna app ka display bug hai. App ko latest version pe update karke dobara try karein."),
}
STRAY_LINE = "----- export page 2 of 3 (generated 2025-04-01 09:12 IST) -----"


def build_tickets(rng: random.Random, factory: TicketFactory) -> dict[str, list[Ticket]]:
    files = {}
    for name, total in BASE_ROWS.items():
        pairs = quotas(total)
        rng.shuffle(pairs)
        files[name] = [factory.unique(i, l, multi_turn=name == CHAT and rng.random() < 0.25,
                                      context_rate=0.15 if name == ALPACA else 0.0)
                       for i, l in pairs]
    return files


def plant(rng: random.Random, factory: TicketFactory, files: dict[str, list[Ticket]]) -> tuple[faults.Plan, dict]:
    plan = faults.Plan()
    for tickets in files.values():
        faults.curl_apostrophes(tickets, rng)
    faults.plant_pii(rng, factory, files, plan)
    faults.plant_lookalikes(rng, factory, files, plan)
    for name, (moji, html, empty, refusal) in {ALPACA: (8, 12, 5, 2), CSV_FILE: (20, 45, 4, 1),
                                               CHAT: (4, 0, 3, 1)}.items():
        faults.plant_in_replies(rng, files[name], name, plan, moji, html, empty, refusal)
    extras = {}
    for name, (n_exact, n_near) in {ALPACA: (9, 8), CSV_FILE: (6, 5), CHAT: (3, 4)}.items():
        extras[name] = faults.exact_duplicates(rng, files[name], name, plan, n_exact)
        extras[name] += faults.near_duplicates(rng, files[name], name, plan, n_near)
    for name, tickets in files.items():
        plan.counts[("utr_lookalike", name)] = sum(1 for t in tickets if "utr" in t.slots)
        plan.counts[("rows_clean_base", name)] = len(tickets)
    return plan, extras


def interleave(rng: random.Random, tickets: list, extras: list[tuple[int, object]]) -> list:
    """Insert each extra row at a random position after its original (or anywhere if -1)."""
    rows = list(tickets)
    for after, row in extras:
        anchor = rows.index(tickets[after]) if after >= 0 else -1
        rows.insert(rng.randint(anchor + 1, len(rows)), row)
    return rows


def count_rows(plan: faults.Plan, file: str, rows: list[Ticket]) -> None:
    for t in rows:
        plan.rows[(file, t.intent, t.lang)] += 1


def timestamps(rng: random.Random, n: int, start: datetime) -> list[datetime]:
    return sorted(start + timedelta(seconds=rng.randrange(0, 90 * 86400)) for _ in range(n))


# --- writers --------------------------------------------------------------------------------
def alpaca_lines(rng: random.Random, tickets: list[Ticket], extras, plan: faults.Plan) -> list[str]:
    meta = {}
    planted_names = {value for entity, _, value in plan.pii_values if entity == "PERSON"}
    for t, ts in zip(tickets, timestamps(rng, len(tickets), datetime(2025, 1, 1, 8))):
        meta[id(t)] = {"channel": rng.choice(["email", "app", "app", "twitter", "ivr_transcript"]),
                       "ticket_ts": ts.strftime("%Y-%m-%dT%H:%M:%S+05:30")}
        if rng.random() < 0.2:
            meta[id(t)]["customer_name"] = name = ids.person(rng)
            while name in planted_names:       # each planted value occurs once in raw/
                meta[id(t)]["customer_name"] = name = ids.person(rng)
    for original, copy in extras:
        meta[id(copy)] = meta[id(tickets[original])]
    intent, lang, q, a = ABOUT_HTML[ALPACA]
    about = Ticket(intent, lang, ["", q, "", ""], a, faults=["about_html"])
    meta[id(about)] = {"channel": "app", "ticket_ts": "2025-02-11T19:02:44+05:30"}
    rows = interleave(rng, tickets, extras + [(-1, about)])
    count_rows(plan, ALPACA, rows)
    lines = []
    for t in rows:
        m = meta[id(t)]
        plan.add("pii_column:customer_name", ALPACA, "customer_name" in m)
        record = {"instruction": t.question, "input": t.context, "output": t.reply,
                  "intent": t.intent, **m}
        lines.append(json.dumps(record, ensure_ascii=False))
    truncated = lines[rng.choice([k for k, t in enumerate(rows) if not t.faults])]
    lines.insert(rng.randrange(len(lines)), truncated[: len(truncated) * 3 // 5])
    lines.insert(len(lines) * 2 // 3, STRAY_LINE)
    return lines


def csv_text(rng: random.Random, tickets: list[Ticket], extras, plan: faults.Plan) -> str:
    multiline = [t for t in tickets if not t.faults and t.parts[0] and t.parts[3]]
    for t in rng.sample(multiline, 20):
        t.faults.append("multiline")
        plan.add("multiline_field", CSV_FILE)
    intent, lang, q, a = ABOUT_HTML[CSV_FILE]
    about = Ticket(intent, lang, ["", q, "", ""], a, faults=["about_html"])
    rows = interleave(rng, tickets, extras + [(-1, about)])
    count_rows(plan, CSV_FILE, rows)
    out = io.StringIO()
    writer = csv.writer(out)          # Excel dialect: CRLF, quotes only where needed
    writer.writerow(["ticket_id", "created_at", "customer_email", "customer_phone", "category",
                     "question", "answer", "agent", "status"])
    stamps = timestamps(rng, len(rows), datetime(2025, 4, 1, 8))
    for n, (t, ts) in enumerate(zip(rows, stamps)):
        email, phone = ids.email(rng) if rng.random() < 0.6 else "", ids.mobile(rng) if rng.random() < 0.4 else ""
        plan.add("pii_column:customer_email", CSV_FILE, bool(email))
        plan.add("pii_column:customer_phone", CSV_FILE, bool(phone))
        question = "\n".join(p for p in t.parts if p) if "multiline" in t.faults else t.question
        writer.writerow([f"SR25{400000 + n * 7:07d}", ts.strftime("%d/%m/%Y %H:%M"),
                         email, phone,
                         t.intent, question, t.reply, f"AG-{rng.randint(100, 160)}",
                         rng.choice(["Resolved", "Closed", "Resolved"])])
    return "\ufeff" + out.getvalue()   # Excel's "CSV UTF-8" writes a byte-order mark


def chat_lines(rng: random.Random, tickets: list[Ticket], extras, plan: faults.Plan) -> list[str]:
    system = {"role": "system", "content": pb.SYSTEM_PROMPT}
    conv = {id(t): f"wa-{250000 + k * 13}" for k, t in enumerate(tickets)}
    for original, copy in extras:
        conv[id(copy)] = f"wa-{conv[id(tickets[original])][3:]}-r"
    intent, lang, q, a = ABOUT_HTML[CHAT]
    about = Ticket(intent, lang, ["", q, "", ""], a, faults=["about_html"])
    conv[id(about)] = "wa-249999"
    # Some conversations were exported turn by turn: the first turn alone, then the whole chat.
    prefixes = rng.sample([i for i, t in enumerate(tickets) if t.turns and not t.faults], 8)
    prefix_rows = []
    for i in prefixes:
        first = Ticket(tickets[i].intent, tickets[i].lang, tickets[i].parts, tickets[i].reply,
                       faults=["conversation_prefix"])
        conv[id(first)] = conv[id(tickets[i])]
        prefix_rows.append((i, first))
        plan.add("conversation_prefix", CHAT)
    rows = interleave(rng, tickets, extras + [(-1, about)])
    for i, first in prefix_rows:       # directly before the full conversation
        rows.insert(rows.index(tickets[i]), first)
    count_rows(plan, CHAT, rows)
    lines = []
    for t in rows:
        messages = [system, {"role": "user", "content": t.question},
                    {"role": "assistant", "content": t.reply}]
        for user, assistant in t.turns:
            messages += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
        lines.append(json.dumps({"messages": messages, "intent": t.intent,
                                 "conversation_id": conv[id(t)], "channel": "whatsapp"},
                                ensure_ascii=False))
    full = lines[rng.choice([k for k, t in enumerate(rows) if not t.faults])]
    lines.insert(rng.randrange(len(lines)), full[: len(full) // 2])
    lines.insert(rng.randrange(len(lines)), json.dumps(
        {"event": "chat_closed", "conversation_id": "wa-250013", "closed_by": "customer"}))
    return lines


def tiny_png() -> bytes:
    """A 1x1 grey PNG: the screenshot attachment an export drags along (not a text format)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x80", 9)) + chunk(b"IEND", b""))


def generate(out_dir: Path) -> faults.Plan:
    """Write every raw file under out_dir (replacing it) and return what was planted.

    The help-centre pages go beside it, in `help-centre/`: they are documents for RAG
    (`evalkit run --docs`), not tickets to train on, so `curate run raw/` must not read them.
    """
    rng = random.Random(SEED)
    factory = TicketFactory(rng)
    files = build_tickets(rng, factory)
    plan, extras = plant(rng, factory, files)
    docs_dir = out_dir.parent / "help-centre"
    for folder in (out_dir, docs_dir):
        if folder.exists():
            shutil.rmtree(folder)
    docs_dir.mkdir(parents=True)
    (out_dir / "attachments").mkdir(parents=True)
    write = lambda name, text: (out_dir / name).write_text(text, encoding="utf-8", newline="")  # noqa: E731
    write(ALPACA, "\n".join(alpaca_lines(rng, files[ALPACA], extras[ALPACA], plan)) + "\n")
    write(CSV_FILE, csv_text(rng, files[CSV_FILE], extras[CSV_FILE], plan))
    write(CHAT, "\n".join(chat_lines(rng, files[CHAT], extras[CHAT], plan)) + "\n")
    write("tickets_2024q4.jsonl", "")       # the Q4 export that came back empty
    (out_dir / "attachments" / "SR25400147_screenshot.png").write_bytes(tiny_png())
    for name, html in helpcentre.pages():
        (docs_dir / name).write_text(html, encoding="utf-8", newline="")
    for name in (ALPACA, CSV_FILE, CHAT):
        plan.add("malformed_line", name, {ALPACA: 2, CSV_FILE: 0, CHAT: 1}[name])
        plan.add("about_html", name)
    plan.add("unmapped_row", CHAT)
    return plan


def summary(plan: faults.Plan) -> str:
    """The README's tables: ticket rows per file, language and intent; then the planted faults."""
    langs = list(pb.LANG_WEIGHTS)
    files = sorted({f for f, _, _ in plan.rows})
    total = sum(plan.rows.values())
    out = ["| file | " + " | ".join(langs) + " | rows |", "|---" * (len(langs) + 2) + "|"]
    for f in files:
        n = [sum(v for (f2, _, l), v in plan.rows.items() if f2 == f and l == lang) for lang in langs]
        out.append(f"| {f} | " + " | ".join(map(str, n)) + f" | {sum(n)} |")
    out += ["", "| intent | " + " | ".join(langs) + " | rows | share |", "|---" * (len(langs) + 3) + "|"]
    for intent in pb.INTENT_WEIGHTS:
        n = [sum(v for (_, i, l), v in plan.rows.items() if i == intent and l == lang) for lang in langs]
        out.append(f"| {intent} | " + " | ".join(map(str, n)) + f" | {sum(n)} | {100 * sum(n) / total:.1f}% |")
    out += ["", "| fault | file | count |", "|---|---|---|"]
    for (fault, file), n in sorted(plan.counts.items()):
        if n:
            out.append(f"| `{fault}` | {file} | {n} |")
    return "\n".join(out)


if __name__ == "__main__":
    result = generate(HERE / "raw")
    if "--summary" in sys.argv:
        print(summary(result))
