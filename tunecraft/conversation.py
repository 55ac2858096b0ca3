"""The conversation contract, written once: which turn a record teaches, how its turns become a
prompt and a completion, and how those become token ids.

curate's template pass, `curate export`, train and evalkit all split a record here, so the turn
trained on is the turn scored, and train and evalkit encode here, so a perplexity is computed with
the prompt encoding the adapter was trained on (a different BOS is a silent error otherwise).

- Split: the target is the LAST assistant turn whose OpenAI `weight` is not 0; everything before
  it is the prompt. A row with a label and no target (text classification) may take the label as
  its target; a row with neither has no target (None).
- Render: chatml, alpaca, openai (the message lists themselves, TRL's conversational
  prompt-completion), or the model's own chat template (prompt = template(prior turns,
  add_generation_prompt=True), completion = the rest of template(all turns)).
- Encode: prompt and completion are tokenized separately and concatenated, so the boundary is
  known by construction; the prompt gets the tokenizer's special tokens (its BOS) unless the text
  already starts with the BOS string, and never two BOS; the completion gets none.
"""
from __future__ import annotations

import json

ALPACA_PREAMBLE = ("Below is an instruction that describes a task. "
                   "Write a response that appropriately completes the request.")
END_MARKERS = {"chatml": "<|im_end|>", "alpaca": "</s>", "openai": ""}


# Names the prompt encoding below; caches of generations and likelihoods key on it, so outputs
# computed under another encoding are never reused.
PROMPT_ENCODING = "special-tokens-unless-bos-in-text|one-bos|v1"


class TemplateMismatch(ValueError):
    """A chat template that rewrites earlier turns once a later one is added: no prompt prefix."""


def split_turns(messages: list[dict], system: str | None = None,
                label: str | None = None) -> tuple[list[dict], dict] | None:
    """(copies of the turns before the target, the target message), or None without a target.
    `system` is put first when the conversation has no system turn; `label` is the target of a
    conversation without an assistant turn."""
    messages = [dict(m) for m in messages]
    if system and not any(m["role"] == "system" for m in messages):
        messages.insert(0, {"role": "system", "content": system})
    for i in range(len(messages) - 1, -1, -1):
        if messages[i]["role"] == "assistant" and messages[i].get("weight", 1) != 0:
            return messages[:i], messages[i]
    if label is not None:
        return messages, {"role": "assistant", "content": str(label)}
    return None


def turn_text(message: dict) -> str:
    """A turn's content followed by its tool calls, one Hermes/Qwen `<tool_call>` block each."""
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


RENDERERS = {"chatml": render_chatml, "alpaca": render_alpaca, "openai": render_openai}


def render(fmt: str, prior: list[dict], target: dict, end: str | None = None) -> tuple:
    """(prompt, completion) in one of the built-in formats; `end` None: the format's own marker."""
    return RENDERERS[fmt](prior, target, END_MARKERS[fmt] if end is None else end)


def generation_prompt(tokenizer, messages: list[dict], chat_template: str | None = None) -> str:
    """The model's chat template over `messages`, ending where the assistant's answer begins."""
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True,
                                         chat_template=chat_template)


def render_with_template(tokenizer, prior: list[dict], target: dict) -> tuple[str, str]:
    """(prompt, completion) by the model's chat template; the completion carries the template's
    end-of-turn marker, so the model learns to stop. TemplateMismatch if there is no prefix."""
    prompt = generation_prompt(tokenizer, prior)
    full = tokenizer.apply_chat_template(prior + [target], tokenize=False)
    if not full.startswith(prompt):
        raise TemplateMismatch("the chat template does not render the conversation as prompt + "
                               "completion (it rewrites earlier turns)")
    return prompt, full[len(prompt):]


def encode_prompt(tokenizer, prompt: str) -> list[int]:
    """A prompt's ids with the tokenizer's special tokens, unless its text already starts with
    the BOS string (a template that writes it); never two BOS. Training, scoring and generation
    all encode prompts here."""
    bos = tokenizer.bos_token
    ids = tokenizer(prompt, add_special_tokens=not (bos and prompt.startswith(bos)))["input_ids"]
    bos_id = tokenizer.bos_token_id
    return ids[1:] if bos_id is not None and ids[:2] == [bos_id, bos_id] else ids


def encode_pair(tokenizer, prompt: str, completion: str, *, eos: bool = False) -> tuple[list, list]:
    """Token ids of prompt and completion, tokenized separately (the completion without special
    tokens); `eos` appends the EOS id to a completion that does not already end with it."""
    completion_ids = tokenizer(completion, add_special_tokens=False)["input_ids"]
    if eos and (not completion_ids or completion_ids[-1] != tokenizer.eos_token_id):
        completion_ids = completion_ids + [tokenizer.eos_token_id]
    return encode_prompt(tokenizer, prompt), completion_ids
