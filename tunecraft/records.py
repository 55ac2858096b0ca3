"""The Record: the one shape every row takes from the moment it is read until it is written;
the Reject: a record curate dropped, with the pass and the reason (a line of rejects.jsonl).

Every stage after `curate` reads Records as JSON lines, so the field order of `to_dict` is fixed
(byte-identical reruns depend on it). Schema mapping of input rows lives in `curate.schemas`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

ROLES = ("system", "user", "assistant", "tool")


@dataclass
class Record:
    id: str                                   # "<path relative to the input folder>:<1-based line>"
    messages: list[dict[str, Any]]            # [{"role", "content", OpenAI extras}], canonical content
    label: str | None = None                  # intent / class, when the data has one
    lang: str | None = None                   # set by the language pass ("und" when unknown)
    meta: dict[str, Any] = field(default_factory=dict)  # unknown columns + what passes learn
    split: str | None = None                  # train / validation / test, set by the split pass
    prompt: str | list | None = None          # set by the template pass (openai: message lists)
    completion: str | list | None = None      # set by the template pass

    # --- views used by many passes -------------------------------------------------------
    @property
    def instruction(self) -> str:
        """All user turns joined: what the model is asked."""
        return "\n".join(m["content"] for m in self.messages if m["role"] == "user")

    @property
    def response(self) -> str:
        """The last assistant turn: what the model should learn to say (its tool calls, as JSON,
        when it only calls tools, so passes that judge the response see what it does)."""
        for m in reversed(self.messages):
            if m["role"] == "assistant":
                if not m["content"] and m.get("tool_calls"):
                    return json.dumps(m["tool_calls"], ensure_ascii=False)
                return m["content"]
        return ""

    def texts(self) -> list[str]:
        return [m["content"] for m in self.messages]

    # --- (de)serialisation -----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "messages": self.messages}
        for key in ("label", "lang", "split", "prompt", "completion"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        out["meta"] = self.meta
        return out

    def __reduce__(self):
        # Positional fields instead of pickle's default state dict: 40% less time moving records
        # to and from worker processes, where a fast curate run spends much of its overhead.
        return Record, (self.id, self.messages, self.label, self.lang, self.meta, self.split,
                        self.prompt, self.completion)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=False)

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> "Record":
        return cls(
            id=row["id"],
            messages=[_message(m) for m in row["messages"]],
            label=row.get("label"),
            lang=row.get("lang"),
            meta=dict(row.get("meta") or {}),
            split=row.get("split"),
            prompt=row.get("prompt"),
            completion=row.get("completion"),
        )

    @classmethod
    def from_json(cls, line: str) -> "Record":
        return cls.from_dict(json.loads(line))


def _message(m: dict[str, Any]) -> dict[str, Any]:
    """role and content first (both required), then the OpenAI extras (tool_calls, name, weight)."""
    return {"role": m["role"], "content": m["content"],
            **{k: v for k, v in m.items() if k not in ("role", "content")}}


def read_jsonl(path) -> list[Record]:
    """Read a split written by `curate`. train and evalkit both read splits through this, so a
    hand-edited split fails the same way everywhere: ValueError naming the file and line."""
    records = []
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                records.append(Record.from_json(line))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{line_no}: not a curated record ({exc})") from None
    return records


@dataclass
class Reject:
    record: Record
    pass_name: str
    reason: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.record.id, "pass": self.pass_name, "reason": self.reason,
                "details": self.details, "record": self.record.to_dict()}
