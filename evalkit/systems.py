"""The four systems. Each turns a test item into a prompt for the same base model.

Every system renders its messages with the tokenizer's own chat template (`add_generation_prompt`),
the template `train` uses by default, so the only thing that differs between systems is what the
messages hold:
- zero-shot: the item's input turns, with the optional system prompt in front; on a labelled
  task it is also told the label set (LABEL_INSTRUCTION), or its answers cannot be scored as any
  label and "fine-tuning wins" would be a win over a baseline that never knew the question;
- few-shot: k train examples as prior user/assistant turns, then the item's input;
- rag: the top-k passages in the system message, then the item's input;
- fine-tuned: exactly zero-shot's prompt, run with the adapter on — unless run.json says the
  trainer used the record's `prompt` field ("prompt-completion"), then that string is the prompt.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from evalkit.docs import Passage
from evalkit.retrieval import BM25Index
from tunecraft.conversation import generation_prompt, split_turns
from tunecraft.records import Record

RAG_INSTRUCTION = "Answer using the following passages where they are relevant."
LABEL_INSTRUCTION = "Answer with exactly one of these labels and nothing else: {labels}."
SYSTEM_NAMES = ("zero-shot", "few-shot", "rag", "fine-tuned")


class SystemsError(ValueError):
    """A user error in choosing or configuring systems (one line)."""


@dataclass(frozen=True)
class EvalItem:
    """A test record split into what the model sees and what it should answer."""
    id: str
    input_messages: list[dict]      # every turn before the target (tunecraft.conversation)
    reference: str                  # the target assistant turn: the last with a non-zero weight
    label: str | None = None
    prompt_field: str | None = None  # the template pass's `prompt`, for prompt-completion runs

    @property
    def instruction(self) -> str:
        return "\n".join(m["content"] for m in self.input_messages if m["role"] == "user")

    @classmethod
    def from_record(cls, record: Record) -> "EvalItem":
        turns = split_turns(record.messages)
        if turns is None:
            raise SystemsError(f"test record {record.id}: has no assistant turn to use as reference")
        prior, target = turns
        return cls(record.id, prior, target["content"], record.label, record.prompt)


def with_system_prompt(messages: list[dict], system_prompt: str | None) -> list[dict]:
    """Prepend `system_prompt`; an item's own system turn is kept and follows it."""
    if not system_prompt:
        return list(messages)
    if messages and messages[0]["role"] == "system":
        merged = f"{system_prompt}\n\n{messages[0]['content']}"
        return [{"role": "system", "content": merged}, *messages[1:]]
    return [{"role": "system", "content": system_prompt}, *messages]


class System:
    name = "system"
    uses_adapter = False

    def __init__(self, system_prompt: str | None = None):
        self.system_prompt = system_prompt

    def messages(self, item: EvalItem) -> list[dict]:
        return with_system_prompt(item.input_messages, self.system_prompt)

    def prompt(self, item: EvalItem, tokenizer) -> str:
        return generation_prompt(tokenizer, self.messages(item))

    def sources(self, item: EvalItem) -> list[str]:
        """Ids of the train examples or passages put into the prompt (for inspection)."""
        return []


class ZeroShot(System):
    name = "zero-shot"

    def __init__(self, system_prompt: str | None = None, labels: list[str] | None = None):
        super().__init__(system_prompt)
        self.labels = list(labels or [])

    def messages(self, item: EvalItem) -> list[dict]:
        told = LABEL_INSTRUCTION.format(labels=", ".join(self.labels)) if self.labels else None
        parts = [p for p in (self.system_prompt, told) if p]
        return with_system_prompt(item.input_messages, "\n\n".join(parts) or None)


class FewShot(System):
    """k train examples: the most BM25-similar to the item's input, or k at random (seeded)."""
    name = "few-shot"

    def __init__(self, train: list[Record], k: int = 3, mode: str = "bm25", seed: int = 0,
                 system_prompt: str | None = None):
        super().__init__(system_prompt)
        if mode not in ("bm25", "random"):
            raise SystemsError(f"few-shot selection must be 'bm25' or 'random', not {mode!r}")
        self.examples = [r for r in train if r.instruction and r.response]
        self.index = BM25Index([r.instruction for r in self.examples])
        self.k, self.mode, self.seed = k, mode, seed

    def shots(self, item: EvalItem) -> list[Record]:
        """Chosen examples, most similar last so the closest one sits next to the question."""
        if self.mode == "random":
            allowed = self.index.allowed(item.instruction)
            rng = random.Random(f"{self.seed}:{item.id}")
            picks = rng.sample(allowed, min(self.k, len(allowed)))
            return [self.examples[i] for i in picks]
        hits = self.index.search(item.instruction, self.k)
        return [self.examples[h.index] for h in reversed(hits)]

    def sources(self, item: EvalItem) -> list[str]:
        return [shot.id for shot in self.shots(item)]

    def messages(self, item: EvalItem) -> list[dict]:
        turns = []
        for shot in self.shots(item):
            turns += [{"role": "user", "content": shot.instruction},
                      {"role": "assistant", "content": shot.response}]
        own = with_system_prompt(item.input_messages, self.system_prompt)
        head = own[:1] if own and own[0]["role"] == "system" else []
        return head + turns + own[len(head):]


class Rag(System):
    """Top-k passages by BM25 (train split or a docs folder), numbered, in the system message."""
    name = "rag"

    def __init__(self, passages: list[Passage], k: int = 3, system_prompt: str | None = None):
        super().__init__(system_prompt)
        self.passages = passages
        self.index = BM25Index([p.text for p in passages], keys=[p.key for p in passages])
        self.k = k

    def retrieve(self, item: EvalItem) -> list[Passage]:
        return [self.passages[h.index] for h in self.index.search(item.instruction, self.k)]

    def sources(self, item: EvalItem) -> list[str]:
        return [p.source for p in self.retrieve(item)]

    def messages(self, item: EvalItem) -> list[dict]:
        found = self.retrieve(item)
        context = "\n\n".join(f"[{n}] {p.text}" for n, p in enumerate(found, start=1))
        block = f"{RAG_INSTRUCTION}\n\n{context}" if found else ""
        parts = [p for p in (self.system_prompt, block) if p]
        return with_system_prompt(item.input_messages, "\n\n".join(parts) or None)


class FineTuned(System):
    """Base model + adapter, prompted the way the trainer formatted its inputs (run.json)."""
    name = "fine-tuned"
    uses_adapter = True

    def __init__(self, template: str = "chat", system_prompt: str | None = None,
                 chat_template: str | None = None):
        super().__init__(system_prompt)
        self.chat_template = chat_template   # training's template text (run.json), if recorded
        if template not in ("chat", "prompt-completion"):
            raise SystemsError(f"run.json template {template!r}: expected 'chat' or 'prompt-completion'")
        self.template = template

    def prompt(self, item: EvalItem, tokenizer) -> str:
        if self.template == "chat":
            return generation_prompt(tokenizer, self.messages(item), self.chat_template)
        if item.prompt_field is None:
            raise SystemsError(f"test record {item.id}: the adapter was trained on `prompt` fields "
                               "but this record has none (re-run curate with the template pass)")
        return item.prompt_field


def parse_systems(spec: str) -> list[str]:
    names = [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [n for n in names if n not in SYSTEM_NAMES]
    if unknown or not names:
        raise SystemsError(f"--systems: unknown {', '.join(unknown) or '(empty)'}; "
                           f"choose from {', '.join(SYSTEM_NAMES)}")
    return list(dict.fromkeys(names))
