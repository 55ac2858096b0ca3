"""Render `messages` into `prompt` + `completion`, so training can mask the prompt.

The completion is the LAST assistant turn (the last with a non-zero OpenAI `weight`); everything
before it is the prompt. Tool calls are rendered in the Hermes/Qwen `<tool_call>` convention. A row with a label
and no assistant turn (text classification) gets the label as the completion; a row with neither
cannot be trained on and is rejected ("no_completion"). `system` adds a system prompt to records
that have none. The completion ends with the format's end-of-turn marker so the model learns to stop:

- chatml (default): `<|im_start|>{role}\n{content}<|im_end|>\n` per turn; the prompt ends with
  `<|im_start|>assistant\n`; the completion ends with `<|im_end|>`.
- alpaca: the Stanford Alpaca preamble (or the system prompt in its place), then
  `### Instruction:` / `### Response:` blocks per turn; completion ends with `end_marker`, default
  `</s>` as in Alpaca's LLaMA training: set it to your tokenizer's EOS token.
- openai: TRL's conversational prompt-completion (`prompt` = the list of message dicts before the
  target turn, `completion` = [the target assistant message]); the record's `messages` is already
  the OpenAI chat fine-tuning row. Tool turns, `tool_calls`, `name` and `weight` are kept as they
  are; `curate export` writes the exact file each trainer reads.
- tokenizer:<model>: the model's own chat template (`train.models.load_tokenizer`, which takes an
  alias or a local HF folder); prompt = template(prior turns, add_generation_prompt=True),
  completion = the rest of template(all turns), which carries the template's own end marker.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from curate.passes.base import Context, Pass, RecipeError
from curate.records import Record

ALPACA_PREAMBLE = ("Below is an instruction that describes a task. "
                   "Write a response that appropriately completes the request.")
END_MARKERS = {"chatml": "<|im_end|>", "alpaca": "</s>", "openai": ""}


@dataclass
class TemplateConfig:
    format: str = "chatml"
    system: str | None = None
    end_marker: str | None = None  # None: the format's own (see END_MARKERS)

    def __post_init__(self):
        if self.format not in END_MARKERS and not (
                self.format.startswith("tokenizer:") and len(self.format) > len("tokenizer:")):
            raise ValueError(f"format must be one of chatml, alpaca, openai, tokenizer:<model>; "
                             f"got {self.format!r}")


def split_turns(record: Record, system: str | None) -> tuple[list[dict], dict] | None:
    """(turns before the target, target assistant message) or None when there is no target."""
    messages = [dict(m) for m in record.messages]
    if system and not any(m["role"] == "system" for m in messages):
        messages.insert(0, {"role": "system", "content": system})
    for i in range(len(messages) - 1, -1, -1):
        if messages[i]["role"] == "assistant" and messages[i].get("weight", 1) != 0:
            return messages[:i], messages[i]
    if record.label is not None:
        return messages, {"role": "assistant", "content": str(record.label)}
    return None


def turn_text(message: dict) -> str:
    """A turn's content followed by its tool calls, one `<tool_call>` block each."""
    calls = [json.dumps(c.get("function", c), ensure_ascii=False) for c in message.get("tool_calls") or ()]
    blocks = [message["content"]] if message["content"] else []
    return "\n".join(blocks + [f"<tool_call>\n{c}\n</tool_call>" for c in calls])


def render_chatml(prior: list[dict], target: dict, end: str) -> tuple[str, str]:
    prompt = "".join(f"<|im_start|>{m['role']}\n{turn_text(m)}<|im_end|>\n" for m in prior)
    return prompt + "<|im_start|>assistant\n", turn_text(target) + end


def render_alpaca(prior: list[dict], target: dict, end: str) -> tuple[str, str]:
    system = [m["content"] for m in prior if m["role"] == "system"]
    blocks = ["\n".join(system) if system else ALPACA_PREAMBLE]
    for m in prior:
        if m["role"] != "system":
            heading = {"user": "### Instruction:", "tool": "### Input:"}.get(m["role"], "### Response:")
            blocks.append(f"{heading}\n{turn_text(m)}")
    blocks.append("### Response:\n")
    return "\n\n".join(blocks), turn_text(target) + end


def render_openai(prior: list[dict], target: dict, end: str) -> tuple[list[dict], list[dict]]:
    return prior, [target]


class TemplatePass(Pass):
    name = "template"
    Config = TemplateConfig

    def setup(self) -> None:
        if self.config.format.startswith("tokenizer:"):
            from train.models import ModelError, load_tokenizer

            try:
                self._tokenizer = load_tokenizer(self.config.format.split(":", 1)[1])
            except ModelError as e:
                raise RecipeError(f"pass 'template': {e}") from None

    def render(self, prior: list[dict], target: dict) -> tuple:
        fmt = self.config.format
        if fmt.startswith("tokenizer:"):
            return self._render_tokenizer(prior, target)
        end = self.config.end_marker if self.config.end_marker is not None else END_MARKERS[fmt]
        renderer = {"chatml": render_chatml, "alpaca": render_alpaca, "openai": render_openai}[fmt]
        return renderer(prior, target, end)

    def _render_tokenizer(self, prior: list[dict], target: dict) -> tuple[str, str]:
        tok = self._tokenizer
        prompt = tok.apply_chat_template(prior, tokenize=False, add_generation_prompt=True)
        full = tok.apply_chat_template(prior + [target], tokenize=False)
        if not full.startswith(prompt):
            raise ValueError(f"the chat template of {self.config.format[10:]} does not render the "
                             "conversation as prompt + completion (it rewrites earlier turns)")
        return prompt, full[len(prompt):]

    def apply(self, record: Record, ctx: Context) -> Record | None:
        self.ensure_setup()
        turns = split_turns(record, self.config.system)
        if turns is None:
            ctx.reject(record, "no_completion")
            return None
        record.prompt, record.completion = self.render(*turns)
        ctx.count("changed")
        return record
