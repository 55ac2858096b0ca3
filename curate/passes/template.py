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
- tokenizer:<model>: the model's own chat template (`tunecraft.models.load_tokenizer`, which takes
  an alias or a local HF folder); prompt = template(prior turns, add_generation_prompt=True),
  completion = the rest of template(all turns), which carries the template's own end marker.

The split and the renderers are the conversation contract, shared with train and evalkit
(`tunecraft/conversation.py`); this pass only configures and applies them.
"""
from __future__ import annotations

from dataclasses import dataclass

from curate.passes.base import Context, Pass, RecipeError
from tunecraft.conversation import (END_MARKERS, TemplateMismatch, render, render_with_template,
                                    split_turns)
from tunecraft.records import Record


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


class TemplatePass(Pass):
    name = "template"
    Config = TemplateConfig

    def setup(self) -> None:
        if self.config.format.startswith("tokenizer:"):
            from tunecraft.models import ModelError, load_tokenizer

            try:
                self._tokenizer = load_tokenizer(self.config.format.split(":", 1)[1])
            except ModelError as e:
                raise RecipeError(f"pass 'template': {e}") from None

    def render(self, prior: list[dict], target: dict) -> tuple:
        fmt = self.config.format
        if not fmt.startswith("tokenizer:"):
            return render(fmt, prior, target, self.config.end_marker)
        try:
            return render_with_template(self._tokenizer, prior, target)
        except TemplateMismatch:
            raise ValueError(f"the chat template of {fmt[10:]} does not render the conversation "
                             "as prompt + completion (it rewrites earlier turns)") from None

    def apply(self, record: Record, ctx: Context) -> Record | None:
        self.ensure_setup()
        turns = split_turns(record.messages, self.config.system, record.label)
        if turns is None:
            ctx.reject(record, "no_completion")
            return None
        record.prompt, record.completion = self.render(*turns)
        ctx.count("changed")
        return record
