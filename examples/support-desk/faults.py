"""The dirt real exports carry, planted on purpose and counted, so the README can state each count.

Each function modifies tickets in place (or returns new rows) and records what it did in
`Plan`, whose counts make_data.py prints and the README reproduces.
"""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

import identifiers as ids
import phrasebook as pb
from tickets import Ticket, jaccard, normal_key, shingles, words

REFUSALS = [
    "As an AI language model, I cannot access your bank account or transaction details. Please contact your bank directly.",
    "As an AI language model, I am unable to block cards or view personal information.",
    "I'm sorry, but as an AI language model I cannot help with this request.",
    "As an AI language model, I do not have access to your recharge history.",
]
PII_FACTORIES = {
    "EMAIL": ids.email, "PHONE": ids.mobile, "CREDIT_CARD": ids.credit_card,
    "IBAN": ids.iban, "IP_ADDRESS": ids.ip_address, "US_SSN": ids.us_ssn,
    "PERSON": ids.person, "LOCATION": lambda rng: rng.choice(ids.PLACES),
    "IN_AADHAAR": ids.aadhaar, "IN_PAN": ids.pan, "IN_UPI": ids.upi_id, "IN_IFSC": ids.ifsc,
    "IN_GSTIN": ids.gstin, "IN_VOTER": ids.voter_id, "IN_PASSPORT": ids.passport,
    "IN_VEHICLE_REGISTRATION": ids.vehicle,
}
LOOKALIKE_FACTORIES = {"order_12": ids.reference_12, "reference_16": ids.reference_16}


@dataclass
class Plan:
    """What was planted where: counts per (fault, file) and every planted PII value."""
    counts: Counter = field(default_factory=Counter)
    pii_values: list[tuple[str, str, str]] = field(default_factory=list)   # (entity, lang, value)
    lookalikes: list[tuple[str, str]] = field(default_factory=list)        # (kind, value)
    rows: Counter = field(default_factory=Counter)      # (file, intent, lang) of every ticket row

    def add(self, fault: str, file: str, n: int = 1) -> None:
        self.counts[(fault, file)] += n


def clean(tickets: list[Ticket], lang: str | None = None) -> list[int]:
    """Indexes of tickets nothing has been planted in yet (optionally of one language)."""
    return [i for i, t in enumerate(tickets) if not t.faults and (lang is None or t.lang == lang)]


def pick(rng: random.Random, tickets: list[Ticket], fault: str, lang: str | None = None,
         where=lambda t: True) -> Ticket:
    candidates = [i for i in clean(tickets, lang) if where(tickets[i])]
    ticket = tickets[rng.choice(candidates)]
    ticket.faults.append(fault)
    return ticket


def plant_sentence(rng, factory, tickets, fault, lang, sentence, as_seen) -> None:
    """Put `sentence` in a clean ticket's context slot, in a ticket where it leaks no prompt.

    `as_seen` is the sentence as curate's later passes see it (PII replaced by its placeholder):
    two tickets sharing one question template and one PII phrase must not end up sharing a
    13-word run once their values are both "<IN_AADHAAR>".
    """
    candidates = clean(tickets, lang)
    rng.shuffle(candidates)
    for i in candidates:
        ticket = tickets[i]
        parts = list(ticket.parts)
        parts[2] = as_seen
        question = " ".join(p for p in parts if p)
        first = f"{question}\n\n{ticket.context}" if ticket.context else question
        seen_prompt = "\n".join([first] + [u for u, _ in ticket.turns])
        if factory.register_prompt(ticket, seen_prompt):
            ticket.parts[2] = sentence
            ticket.faults.append(fault)
            return
    raise RuntimeError(f"no ticket can take {fault} without a prompt overlap")


def mojibake(text: str) -> str:
    """UTF-8 bytes read back as Windows-1252 (bytes cp1252 lacks pass through as Latin-1)."""
    out = []
    for byte in text.encode("utf-8"):
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out)


def html_wrap(text: str, rng: random.Random) -> str:
    """What a CRM rich-text editor stores: paragraphs, <br>, entities, the odd <strong>."""
    escaped = text.replace("&", "&amp;").replace("₹", "&#8377;").replace("'", "&#39;")
    sentences = [s.strip() for s in escaped.replace("। ", "।\n").replace(". ", ".\n").split("\n")]
    style = rng.randrange(3)
    if style == 0:
        return "".join(f"<p>{s}</p>" for s in sentences)
    if style == 1:
        return '<div style="font-family:Arial">' + "<br>".join(sentences) + "<br></div>"
    head, rest = sentences[0], sentences[1:]
    items = "".join(f"<li>{s}</li>" for s in rest)
    return f"<p><strong>{head}</strong>&nbsp;</p>" + (f"<ul>{items}</ul>" if items else "")


def plant_pii(rng: random.Random, factory, files: dict[str, list[Ticket]], plan: Plan) -> None:
    """Every entity type three times per language, spread over the files, one per ticket."""
    names = list(files)
    seen: set[str] = set()
    for entity, make_value in PII_FACTORIES.items():
        for lang in pb.LANG_WEIGHTS:
            for k in range(3):
                value = _fresh_value(rng, entity, lang, k, make_value, seen)
                file = names[k]
                phrase = pb.PII_PHRASES[entity][lang]
                plant_sentence(rng, factory, files[file], f"pii:{entity}", lang,
                               phrase.format(v=value), phrase.format(v=f"<{entity}>"))
                plan.pii_values.append((entity, lang, value))
                plan.add(f"pii:{entity}", file)


def _fresh_value(rng, entity, lang, k, factory, seen) -> str:
    if lang == "hi" and k == 0 and entity in ("PERSON", "LOCATION"):
        pool = ids.DEVANAGARI_NAMES if entity == "PERSON" else ids.DEVANAGARI_PLACES
        value = pool[len([v for v in seen if v in pool])]
    else:
        value = factory(rng)
        while value in seen:
            value = factory(rng)
    seen.add(value)
    return value


def plant_lookalikes(rng: random.Random, factory, files: dict[str, list[Ticket]], plan: Plan) -> None:
    """Numbers shaped like Aadhaar / card numbers whose check digit fails: they must survive."""
    names = list(files)
    for kind, make_value in LOOKALIKE_FACTORIES.items():
        for k, lang in enumerate(["en", "hi", "hl", "en", "hi", "hl"]):
            value = make_value(rng)
            file = names[k % len(names)]
            sentence = pb.LOOKALIKE_PHRASES[kind][lang].format(v=value)
            plant_sentence(rng, factory, files[file], f"lookalike:{kind}", lang, sentence, sentence)
            plan.lookalikes.append((kind, value))
            plan.add(f"lookalike:{kind}", file)


def plant_in_replies(rng, tickets, file, plan, n_mojibake, n_html, n_empty, n_refusal) -> None:
    for _ in range(n_mojibake):
        ticket = pick(rng, tickets, "mojibake", where=lambda t: not (t.question + t.reply).isascii())
        question_ascii = ticket.question.isascii()
        if not ticket.reply.isascii() and (question_ascii or rng.random() < 0.5):
            ticket.reply = mojibake(ticket.reply)
        else:
            ticket.parts = [mojibake(p) for p in ticket.parts]
        plan.add("mojibake", file)
    for _ in range(n_html):
        ticket = pick(rng, tickets, "html_wrapped")
        ticket.reply = html_wrap(ticket.reply, rng)
        plan.add("html_wrapped", file)
    single_turn = lambda t: not t.turns  # noqa: E731  (the reply is the last assistant turn)
    for k in range(n_empty):
        pick(rng, tickets, "empty_reply", where=single_turn).reply = ["", "   ", "\n", ""][k % 4]
        plan.add("empty_reply", file)
    for k in range(n_refusal):
        refusal = REFUSALS[(k + len(file)) % len(REFUSALS)]
        pick(rng, tickets, "refusal", lang="en", where=single_turn).reply = refusal
        plan.add("refusal", file)


def curl_apostrophes(tickets: list[Ticket], rng: random.Random) -> None:
    """Some English writers' keyboards (phones) type ’ rather than '; mojibake shows on those."""
    for ticket in tickets:
        if ticket.lang == "en" and rng.random() < 0.3:
            ticket.reply = ticket.reply.replace("'", "’")


def exact_duplicates(rng, tickets, file, plan, n) -> list[tuple[int, Ticket]]:
    """(index of the original, copy): byte-identical, case-changed, whitespace-changed copies."""
    out = []
    for k in range(n):
        variant = ("identical", "case", "whitespace")[k % 3]
        lang = None if variant != "case" else rng.choice(["en", "hl"])
        original = pick(rng, tickets, "duplicated", lang)
        copy = Ticket(original.intent, original.lang, list(original.parts), original.reply,
                      list(original.turns), [f"exact_duplicate:{variant}"], context=original.context)
        if variant == "case":
            copy.parts = [p.lower() if k % 2 else p.upper() for p in copy.parts]
        elif variant == "whitespace":
            copy.parts = [p.replace(" ", "  ", 2) + " " if p else p for p in copy.parts]
            copy.reply = copy.reply + "\n"
        out.append((tickets.index(original), copy))
        plan.add(f"exact_duplicate:{variant}", file)
    return out


def field_similarity(a: Ticket, b: Ticket) -> float:
    """The lower of the prompt and the reply Jaccard: curate's dedup_near needs both high."""
    return min(jaccard(shingles(a.user_text()), shingles(b.user_text())),
               jaccard(shingles(a.final_reply()), shingles(b.final_reply())))


def near_duplicates(rng, tickets, file, plan, n) -> list[tuple[int, Ticket]]:
    """A word or two edited at the start or end of the message (or a reply's first word), so that
    prompt and reply each keep a word 5-gram Jaccard of at least 0.85 with the original."""
    out = []
    long_enough = lambda t: len(words(t.user_text())) >= 16  # noqa: E731
    while len(out) < n:
        original = pick(rng, tickets, "near_duplicated", where=long_enough)
        for _ in range(20):
            copy = _edited(rng, original)
            if 0.85 <= field_similarity(original, copy) < 1 and \
                    normal_key(copy.messages_text()) != normal_key(original.messages_text()):
                out.append((tickets.index(original), copy))
                plan.add("near_duplicate", file)
                break
    return out


def _edited(rng: random.Random, original: Ticket) -> Ticket:
    copy = Ticket(original.intent, original.lang, list(original.parts), original.reply,
                  list(original.turns), ["near_duplicate"], context=original.context)
    edit = rng.randrange(3)
    if edit < 2:
        slot, options = (0, pb.OPENERS[copy.lang]) if edit == 0 else (3, pb.CLOSERS[copy.lang])
        copy.parts[slot] = rng.choice([o for o in options if o != copy.parts[slot]])
    else:
        first, _, rest = copy.parts[1].partition(" ")
        dropped, doubled = rest[:1].upper() + rest[1:], f"{first} {first.lower()} {rest}"
        copy.parts[1] = dropped if rng.random() < 0.5 else doubled
    return copy
