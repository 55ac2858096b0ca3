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
LEAK_N = 13               # no two prompts share a 13-word run (nor hold a shorter prompt whole)
_CHOICE = re.compile(r"\[([^\[\]]*)\]")
# Words as curate tokenises them: runs of letters, combining marks (Devanagari matras) and digits.
_WORD = re.compile(r"(?:[^\W_]|[\u0900-\u0903\u093a-\u094f\u0951-\u0957\u0962\u0963])+")


@dataclass(eq=False)          # identity: two equal-looking rows are still two rows
class Ticket:
    intent: str
    lang: str
    parts: list[str]                    # opener, question, fragment, closer (some empty)
    reply: str
    turns: list[tuple[str, str]] = field(default_factory=list)   # follow-up (user, assistant)
    faults: list[str] = field(default_factory=list)              # what was planted in it
    slots: dict[str, str] = field(default_factory=dict)
    context: str = ""                   # Alpaca `input`: account context curate appends to the prompt

    @property
    def question(self) -> str:
        return " ".join(p for p in self.parts if p)

    @property
    def prompt(self) -> str:
        """The first user turn as curate reads it (Alpaca: instruction, blank line, input)."""
        return f"{self.question}\n\n{self.context}" if self.context else self.question

    def user_text(self) -> str:
        """All user turns: what dedup_near and decontaminate compare as the instruction."""
        return "\n".join([self.prompt] + [user for user, _ in self.turns])

    def final_reply(self) -> str:
        """The last assistant turn: what curate calls the response."""
        return self.turns[-1][1] if self.turns else self.reply

    def messages_text(self) -> str:
        """User and assistant contents in order: what exact dedup compares."""
        return "\n".join([self.prompt, self.reply] + [t for pair in self.turns for t in pair])


def normal_key(text: str) -> str:
    """Case, whitespace, punctuation and Unicode form folded: what an exact-dedup pass compares."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("P"))
    return " ".join(text.split())


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def shingles(text: str, n: int = SHINGLE) -> frozenset[tuple[str, ...]]:
    words = _WORD.findall(text.casefold())
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
        self.gram_owners: dict[tuple[str, ...], set[int]] = defaultdict(set)
        self.prompts: dict[int, str] = {}      # id(ticket) -> " w1 w2 ... " of its prompt

    def draft(self, intent: str, lang: str, multi_turn: bool, context_rate: float) -> Ticket:
        rng = self.rng
        values = {name: rng.choice(options) for name, options in pb.SLOTS.items()}
        values["last4"] = f"{rng.randint(0, 9999):04d}"
        values["utr"] = ids.reference_12(rng)
        slots = _render_slots(values, lang)
        question = _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")),
                               rng.choice(pb.QUESTIONS[intent][lang]))
        parts = [rng.choice(pb.OPENERS[lang]), " ".join(question.format(**slots).split()),
                 rng.choice(pb.FRAGMENTS[lang]) if rng.random() < 0.5 else "",
                 rng.choice(pb.CLOSERS[lang])]
        reply = rng.choice(pb.REPLIES[intent][lang]).format(**slots)
        reply = reply[:1].upper() + reply[1:]
        turns = [rng.choice(pb.FOLLOW_UPS[lang])] if multi_turn else []
        planted = {"utr": values["utr"]} if values["utr"] in parts[1] else {}
        context = rng.choice(pb.CONTEXTS) if rng.random() < context_rate else ""
        return Ticket(intent, lang, parts, reply, turns, slots=planted, context=context)

    def unique(self, intent: str, lang: str, multi_turn: bool = False,
               context_rate: float = 0.0) -> Ticket:
        for _ in range(500):
            ticket = self.draft(intent, lang, multi_turn, context_rate)
            if self.accept(ticket):
                return ticket
        raise RuntimeError(f"template grid too small for {intent}/{lang}: add phrasebook variety")

    def accept(self, ticket: Ticket) -> bool:
        key = normal_key(ticket.messages_text())
        sig = shingles(ticket.messages_text())
        bucket = self.buckets[(ticket.intent, ticket.lang)]
        if key in self.keys or any(jaccard(sig, other) >= ACCIDENTAL_MAX for other in bucket):
            return False
        if not self.register_prompt(ticket, ticket.user_text()):
            return False
        self.keys.add(key)
        bucket.append(sig)
        return True

    def register_prompt(self, ticket: Ticket, prompt_text: str) -> bool:
        """Index the ticket's prompt unless it would leak into (or from) another ticket's prompt.

        `prompt_text` is the prompt as curate's decontaminate pass will see it, i.e. with planted
        PII already replaced by its placeholder. A ticket re-registers when a fault edits it.
        """
        prompt = words(prompt_text)
        grams = {tuple(prompt[i:i + LEAK_N]) for i in range(len(prompt) - LEAK_N + 1)}
        joined = " " + " ".join(prompt) + " "
        me = id(ticket)
        if any(self.gram_owners[g] - {me} for g in grams if g in self.gram_owners):
            return False
        for owner, other in self.prompts.items():
            if owner != me and ((len(prompt) < LEAK_N and joined in other)
                                or (other.count(" ") - 1 < LEAK_N and other in joined)):
                return False
        old = self.prompts.get(me)
        if old is not None:
            old_words = old.split()
            for i in range(len(old_words) - LEAK_N + 1):
                self.gram_owners[tuple(old_words[i:i + LEAK_N])].discard(me)
        for g in grams:
            self.gram_owners[g].add(me)
        self.prompts[me] = joined
        return True


def quotas(total: int) -> list[tuple[str, str]]:
    """(intent, lang) pairs in traffic proportions, deterministic, in a fixed order."""
    pairs = []
    for intent, w_intent in pb.INTENT_WEIGHTS.items():
        for lang, w_lang in pb.LANG_WEIGHTS.items():
            pairs += [(intent, lang)] * max(1, round(total * w_intent * w_lang))
    return pairs
