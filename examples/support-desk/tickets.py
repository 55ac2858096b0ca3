"""Clean tickets drawn from the phrasebook, unique by construction.

Variety comes from the template grid (opener x question x context fragment x closer x slot
values x reply template). Two tickets must never be duplicates or near-duplicates by accident,
because the README promises that every duplicate in raw/ was planted: a draft is redrawn when its
normalised text was seen before or when its word 5-gram Jaccard with an earlier ticket of the same
intent and language reaches ACCIDENTAL_MAX.
"""
from __future__ import annotations

import random
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

import identifiers as ids
import phrasebook as pb

ACCIDENTAL_MAX = 0.6      # planted near-duplicates are >= 0.8, so the two never mix
SHINGLE = 5


@dataclass(eq=False)          # identity: two equal-looking rows are still two rows
class Ticket:
    intent: str
    lang: str
    parts: list[str]                    # opener, question, fragment, closer (some empty)
    reply: str
    turns: list[tuple[str, str]] = field(default_factory=list)   # follow-up (user, assistant)
    faults: list[str] = field(default_factory=list)              # what was planted in it
    slots: dict[str, str] = field(default_factory=dict)

    @property
    def question(self) -> str:
        return " ".join(p for p in self.parts if p)

    def messages_text(self) -> str:
        """User and assistant contents, the text near-duplicate detection compares."""
        texts = [self.question, self.reply] + [t for pair in self.turns for t in pair]
        return "\n".join(texts)


def normal_key(text: str) -> str:
    """Case, whitespace, punctuation and Unicode form folded: what an exact-dedup pass compares."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("P"))
    return " ".join(text.split())


def shingles(text: str, n: int = SHINGLE) -> frozenset[tuple[str, ...]]:
    words = re.findall(r"\w+", text.casefold())
    return frozenset(tuple(words[i:i + n]) for i in range(max(1, len(words) - n + 1)))


def jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def _render_slots(values: dict[str, str], lang: str) -> dict[str, str]:
    out = {}
    for name, value in values.items():
        out[name] = pb.SLOT_TRANSLATIONS.get(name, {}).get(lang, {}).get(value, value)
    return out


class TicketFactory:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.keys: set[str] = set()
        self.buckets: dict[tuple[str, str], list[frozenset]] = defaultdict(list)

    def draft(self, intent: str, lang: str, multi_turn: bool) -> Ticket:
        rng = self.rng
        values = {name: rng.choice(options) for name, options in pb.SLOTS.items()}
        values["last4"] = f"{rng.randint(0, 9999):04d}"
        values["utr"] = ids.reference_12(rng)
        slots = _render_slots(values, lang)
        parts = [rng.choice(pb.OPENERS[lang]), rng.choice(pb.QUESTIONS[intent][lang]).format(**slots),
                 rng.choice(pb.FRAGMENTS[lang]) if rng.random() < 0.5 else "",
                 rng.choice(pb.CLOSERS[lang])]
        reply = rng.choice(pb.REPLIES[intent][lang]).format(**slots)
        reply = reply[:1].upper() + reply[1:]
        turns = [rng.choice(pb.FOLLOW_UPS[lang])] if multi_turn else []
        planted = {"utr": values["utr"]} if values["utr"] in parts[1] else {}
        return Ticket(intent, lang, parts, reply, turns, slots=planted)

    def unique(self, intent: str, lang: str, multi_turn: bool = False) -> Ticket:
        for _ in range(500):
            ticket = self.draft(intent, lang, multi_turn)
            if self.accept(ticket):
                return ticket
        raise RuntimeError(f"template grid too small for {intent}/{lang}: add phrasebook variety")

    def accept(self, ticket: Ticket) -> bool:
        key = normal_key(ticket.messages_text())
        sig = shingles(ticket.messages_text())
        bucket = self.buckets[(ticket.intent, ticket.lang)]
        if key in self.keys or any(jaccard(sig, other) >= ACCIDENTAL_MAX for other in bucket):
            return False
        self.keys.add(key)
        bucket.append(sig)
        return True


def quotas(total: int) -> list[tuple[str, str]]:
    """(intent, lang) pairs in traffic proportions, deterministic, in a fixed order."""
    pairs = []
    for intent, w_intent in pb.INTENT_WEIGHTS.items():
        for lang, w_lang in pb.LANG_WEIGHTS.items():
            pairs += [(intent, lang)] * max(1, round(total * w_intent * w_lang))
    return pairs
