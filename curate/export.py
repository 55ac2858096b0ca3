"""`curate export`: a clean folder → the exact files one trainer reads, one per split.

The clean splits carry everything (id, messages, label, lang, meta, prompt/completion); trainers
want only their own columns, and some refuse any other key. Each format here is the documented one:

- openai: OpenAI chat fine-tuning lines, `{"messages": [...]}` with `tool_calls`, `name`,
  `tool_call_id` and per-assistant-turn `weight` kept, and the row's `tools` when it had them.
- trl-messages: TRL's conversational language-modelling rows, `{"messages": [...]}` (+ `tools`);
  every assistant turn is kept, so multi-turn rows train on all of them.
- trl-prompt-completion: TRL's conversational prompt-completion rows, `{"prompt": [messages],
  "completion": [the target assistant message]}`.
- alpaca: `{"instruction", "input", "output"}`; earlier turns of a multi-turn row (and a system
  prompt) become `input` as a `role: text` transcript, so no turn is lost.

A record with no assistant turn to learn has no row in any of these; it is counted, not hidden.
An empty split gets no file (datasets cannot load an empty JSON Lines file).
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Callable

from curate.writers import SPLITS, OutputError, _dumps, atomic_dir
from tunecraft.conversation import split_turns, turn_text
from tunecraft.records import Record, read_jsonl

FORMATS = ("openai", "trl-messages", "trl-prompt-completion", "alpaca")
ROW_KEYS = ("tools", "parallel_tool_calls")     # OpenAI row-level keys a schema put in meta


def _conversation(record: Record) -> list[dict[str, Any]]:
    """The record's turns, with the template pass's system prompt when it added one, and the
    label as the answer of a classification row that has none (as the template pass does)."""
    messages = [dict(m) for m in record.messages]
    if record.label is not None and not any(m["role"] == "assistant" for m in messages):
        messages.append({"role": "assistant", "content": str(record.label)})
    prompt = record.prompt if isinstance(record.prompt, list) else []
    if prompt and prompt[0]["role"] == "system" and not any(m["role"] == "system" for m in messages):
        messages.insert(0, dict(prompt[0]))
    return messages


def _row_keys(record: Record) -> dict[str, Any]:
    return {k: record.meta[k] for k in ROW_KEYS if record.meta.get(k) is not None}


def _openai_message(m: dict[str, Any]) -> dict[str, Any]:
    """OpenAI wants no empty content beside tool calls."""
    if m["role"] == "assistant" and m.get("tool_calls") and not m["content"]:
        return {k: v for k, v in m.items() if k != "content"}
    return m


def to_openai(record: Record) -> dict[str, Any] | None:
    messages = _conversation(record)
    if not any(m["role"] == "assistant" for m in messages):
        return None
    return {"messages": [_openai_message(m) for m in messages], **_row_keys(record)}


def to_trl_messages(record: Record) -> dict[str, Any] | None:
    row = to_openai(record)
    if row is not None:
        row["messages"] = [{k: v for k, v in m.items() if k != "weight"} for m in row["messages"]]
    return row


def _turns(record: Record):
    if isinstance(record.prompt, list) and isinstance(record.completion, list):
        return record.prompt, record.completion[0]
    return split_turns(_conversation(record), label=record.label)


def to_trl_prompt_completion(record: Record) -> dict[str, Any] | None:
    turns = _turns(record)
    if turns is None:
        return None
    prior, target = turns
    strip = lambda m: {k: v for k, v in m.items() if k != "weight"}    # noqa: E731
    return {"prompt": [strip(m) for m in prior], "completion": [strip(target)], **_row_keys(record)}


def to_alpaca(record: Record) -> dict[str, Any] | None:
    turns = _turns(record)
    if turns is None:
        return None
    prior, target = turns
    last_user = max((i for i, m in enumerate(prior) if m["role"] == "user"), default=None)
    instruction = prior[last_user]["content"] if last_user is not None else ""
    earlier = [m for i, m in enumerate(prior) if i != last_user]
    transcript = "\n".join(f"{m['role']}: {turn_text(m)}" for m in earlier)
    return {"instruction": instruction, "input": transcript, "output": turn_text(target)}


CONVERTERS: dict[str, Callable[[Record], dict[str, Any] | None]] = {
    "openai": to_openai, "trl-messages": to_trl_messages,
    "trl-prompt-completion": to_trl_prompt_completion, "alpaca": to_alpaca}


def export(clean: Path, out: Path, fmt: str, force: bool = False) -> dict[str, Counter]:
    """Write out/<split>.jsonl in `fmt` for each split of `clean`; returns per-split counts of
    rows written and of records with nothing to learn (skipped)."""
    if fmt not in CONVERTERS:
        raise OutputError(f"unknown format '{fmt}'; choose one of {', '.join(FORMATS)}")
    if not (Path(clean) / "manifest.json").is_file():
        raise OutputError(f"{clean}: not a folder written by `curate run` (no manifest.json)")
    counts: dict[str, Counter] = {}
    with atomic_dir(Path(out), force) as tmp:
        for split in SPLITS:
            path = Path(clean) / f"{split}.jsonl"
            records = read_jsonl(path) if path.is_file() else []
            counts[split] = _write(tmp / f"{split}.jsonl", records, CONVERTERS[fmt])
    return counts


def _write(path: Path, records: list[Record], convert) -> Counter:
    rows = [row for row in map(convert, records) if row is not None]
    if rows:
        with open(path, "wb") as f:
            for row in rows:
                f.write(_dumps(row))
    return Counter(rows=len(rows), skipped=len(records) - len(rows))
