"""Drop records a model should not learn from, each for its own reason (stable strings):

empty_response, response_equals_prompt, too_short, too_long, refusal_boilerplate, repetition.

What is checked depends on the record's shape (curate/schemas.py maps every schema onto messages):
- chat (a user turn and an assistant turn): the response is checked, the prompt only for equality;
- document (no user turn, e.g. a `text` row mapped to one assistant/system message): the whole text;
- classification (a `label`, no assistant turn or one that is just the label): the user text, and
  `too_short` does NOT apply, so 1-3 word intent queries ("card not working") are kept; only an
  empty query is dropped.
Length limits default to keeping everything non-empty (min 1 word): a support answer "Yes." is a
valid example. Repetition follows Gopher (Rae et al. 2021, table A1) and only runs on text of at
least `repetition_min_words` words; on short text the ratios are noise. Gopher's rules were made
for web pages, so code and maths get their own (curate/textkind.py tells them apart):
- code (fenced blocks, or a text that is mostly source lines) is checked only for a degenerate
  loop: one line of >= 8 visible characters making more than `max_code_duplicate_line_fraction`
  of those lines. Brace lines, `fi`, `return x;` and C#/C++ boilerplate are code, not spam;
  the prose around the fences gets the Gopher rules;
- a worked maths solution keeps Gopher's duplicate-line rules but not the n-gram ones: "Roque
  takes 2*3 = 6 hours a week to walk to work" repeats its phrasing with new numbers by design.
The refusal list is matched case-insensitively as substrings of the response. The bare "I'm sorry,
but I cannot" is not a default: support agents legitimately say "... cannot share your PIN over chat".
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from curate.passes.base import Context, Pass
from curate.textkind import looks_like_code, looks_like_maths, split_fenced
from tunecraft.records import Record

DEFAULT_REFUSALS = [
    "as an ai language model",
    "as a large language model",
    "as an ai developed by",
    "i'm sorry, but i cannot assist",
    "i'm sorry, but i cannot help with that",
    "i'm sorry, but i can't assist",
    "i cannot fulfill this request",
    "i cannot fulfill that request",
    "i'm unable to comply with",
]


@dataclass
class QualityConfig:
    min_chars: int = 1
    min_words: int = 1
    max_chars: int = 100_000
    max_words: int | None = None
    refusals: list[str] = field(default_factory=lambda: list(DEFAULT_REFUSALS))
    repetition_min_words: int = 50
    max_duplicate_line_fraction: float = 0.30
    max_duplicate_line_char_fraction: float = 0.20
    max_top_ngram_fraction: list[float] = field(default_factory=lambda: [0.20, 0.18, 0.16])  # n=2,3,4
    max_duplicate_ngram_fraction: list[float] = field(
        default_factory=lambda: [0.15, 0.14, 0.13, 0.12, 0.11, 0.10])  # n=5..10
    max_code_duplicate_line_fraction: float = 0.7

    def __post_init__(self):
        if self.min_chars < 0 or self.min_words < 0:
            raise ValueError("min_chars and min_words must be >= 0")
        if self.max_words is not None and self.max_words < self.min_words:
            raise ValueError("max_words must be >= min_words")
        self.refusals = [_fold(r) for r in self.refusals if str(r).strip()]


def _squash(words: list[str]) -> str:
    return " ".join(words).casefold()


def _fold(text: str) -> str:
    return text.casefold().replace("\u2019", "'")


def record_shape(record: Record) -> tuple[str, str]:
    """(shape, text the model learns from): 'chat', 'document' or 'classification'."""
    roles = {m["role"] for m in record.messages}
    if "user" not in roles:
        return "document", "\n".join(m["content"] for m in record.messages)
    response = record.response
    # A labelled row is a classification row when its "response" is the label itself (or absent);
    # a labelled chat row whose reply is empty is an empty response, not a classification row.
    has_reply = "assistant" in roles
    if record.label is not None and (not has_reply or response.strip() == str(record.label)):
        return "classification", record.instruction
    return "chat", response


def repetition(text: str, cfg: QualityConfig) -> dict | None:
    """The first repetition statistic over its threshold, as reject details (module docstring)."""
    prose, blocks = split_fenced(text)
    if looks_like_code(prose):
        prose, blocks = "", blocks + [prose]
    for block in blocks:
        found = code_repetition(block, cfg.max_code_duplicate_line_fraction)
        if found:
            return found
    words = prose.split()
    if len(words) < cfg.repetition_min_words:
        return None
    return gopher_repetition(prose, words, cfg, ngrams=not looks_like_maths(prose))


def code_repetition(code: str, limit: float) -> dict | None:
    """A degenerate loop: one substantial line repeated through most of the block."""
    lines = [ln.strip() for ln in code.splitlines() if len(ln.strip()) >= 8]
    if len(lines) < 4:
        return None
    top = max(Counter(lines).values())
    fraction = top / len(lines)
    if top > 2 and fraction > limit:
        return {"statistic": "code_duplicate_line_fraction", "value": round(fraction, 3)}
    return None


def gopher_repetition(text: str, words: list[str], cfg: QualityConfig,
                      ngrams: bool = True) -> dict | None:
    """The first Gopher repetition statistic over its threshold (n-gram ones only if `ngrams`)."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    line_counts = Counter(lines)
    dup_lines = [(ln, c) for ln, c in line_counts.items() if c > 1]
    fraction = sum(c for _, c in dup_lines) / max(len(lines), 1)
    if fraction > cfg.max_duplicate_line_fraction:
        return {"statistic": "duplicate_line_fraction", "value": round(fraction, 3)}
    char_fraction = sum(len(ln) * c for ln, c in dup_lines) / max(sum(map(len, lines)), 1)
    if char_fraction > cfg.max_duplicate_line_char_fraction:
        return {"statistic": "duplicate_line_char_fraction", "value": round(char_fraction, 3)}
    if not ngrams:
        return None
    total = sum(map(len, words)) or 1
    for n, limit in enumerate(cfg.max_top_ngram_fraction, start=2):
        grams = Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))
        if grams:
            top, count = max(grams.items(), key=lambda kv: (kv[1], kv[0]))
            value = sum(map(len, top)) * count / total if count > 1 else 0.0
            if value > limit:
                return {"statistic": f"top_{n}gram_char_fraction", "value": round(value, 3)}
    for n, limit in enumerate(cfg.max_duplicate_ngram_fraction, start=5):
        value = _duplicate_ngram_chars(words, n) / total
        if value > limit:
            return {"statistic": f"duplicate_{n}gram_char_fraction", "value": round(value, 3)}
    return None


def _duplicate_ngram_chars(words: list[str], n: int) -> int:
    """Characters inside repeated n-grams, each word counted once even where n-grams overlap."""
    seen: set[tuple[str, ...]] = set()
    covered = [False] * len(words)
    for i in range(len(words) - n + 1):
        gram = tuple(words[i:i + n])
        if gram in seen:
            covered[i:i + n] = [True] * n
        else:
            seen.add(gram)
    return sum(len(w) for w, hit in zip(words, covered) if hit)


class QualityPass(Pass):
    name = "quality"
    Config = QualityConfig

    def apply(self, record: Record, ctx: Context) -> Record | None:
        verdict = self.check(record)
        if verdict is None:
            return record
        reason, details = verdict
        ctx.reject(record, reason, **details)
        return None

    def check(self, record: Record) -> tuple[str, dict] | None:
        cfg = self.config
        shape, text = record_shape(record)
        stripped = text.strip()
        if not stripped:
            return "empty_response", {"shape": shape}
        words = stripped.split()
        if shape == "chat" and _squash(words) == _squash(record.instruction.split()):
            return "response_equals_prompt", {}
        if shape != "classification" and (len(stripped) < cfg.min_chars or len(words) < cfg.min_words):
            return "too_short", {"shape": shape, "chars": len(stripped), "words": len(words)}
        if len(stripped) > cfg.max_chars or (cfg.max_words is not None and len(words) > cfg.max_words):
            return "too_long", {"shape": shape, "chars": len(stripped), "words": len(words)}
        folded = _fold(stripped) if shape != "classification" else ""
        refusal = next((phrase for phrase in cfg.refusals if phrase in folded), None)
        if refusal:
            return "refusal_boilerplate", {"phrase": refusal}
        if len(words) >= cfg.repetition_min_words:
            found = repetition(stripped, cfg)
            if found:
                return "repetition", found
        return None
