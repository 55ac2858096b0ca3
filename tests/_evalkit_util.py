"""Helpers for evalkit's model-side tests: a small curated folder and a tiny LoRA adapter."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from _card_util import make_card

TRAIN = [
    ("How do I reset my UPI PIN?", "Open the app, go to settings and choose Reset PIN.", "pin"),
    ("My card was charged twice for the same order.", "We will refund the extra amount.", "refund"),
    ("मेरा खाता बंद हो गया है, कृपया मदद करें।", "आपका खाता दोबारा खोल दिया गया है।", "account"),
    ("Mera recharge fail ho gaya lekin paisa kat gaya.", "Aapka refund 3 din mein aa jayega.", "refund"),
    ("What is the balance of my savings account?", "You can check it in the app.", "account"),
    ("I want to block my debit card immediately.", "Your card has been blocked.", "card"),
    ("How do I close a <div> tag in the help page editor?", "Type </div> after the content.", "card"),
]
TEST = [
    ("How can I reset the PIN for UPI?", "Go to settings and choose Reset PIN.", "pin"),
    ("मेरा खाता बंद है, मदद करें।", "आपका खाता खोल दिया गया है।", "account"),
    ("Block my debit card please.", "Your card has been blocked.", "card"),
    ("Recharge fail ho gaya, paisa wapas chahiye.", "Refund 3 din mein aayega.", "refund"),
]


def chat_prompt(tokenizer, question: str) -> str:
    """A user turn rendered the way evalkit's zero-shot system renders it."""
    return tokenizer.apply_chat_template([{"role": "user", "content": question}], tokenize=False,
                                         add_generation_prompt=True)


def record(i: int, split: str, question: str, answer: str, label: str) -> dict:
    return {"id": f"{split}.jsonl:{i}", "messages": [{"role": "user", "content": question},
                                                   {"role": "assistant", "content": answer}],
            "label": label, "split": split, "meta": {}}


def write_clean(folder: Path, train=TRAIN, test=TEST) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for split, rows in (("train", train), ("test", test)):
        lines = [json.dumps(record(i, split, *row), ensure_ascii=False)
                 for i, row in enumerate(rows, 1)]
        (folder / f"{split}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def make_adapter(model_dir, run_dir: Path, *, trained: bool = True, seed: int = 0,
                 scale: float = 0.5) -> Path:
    """runs/NAME/adapter + run.json like train writes, with LoRA B weights made non-zero (a
    freshly initialised LoRA is an exact no-op) unless `trained` is False."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoConfig, AutoModelForCausalLM

    from tunecraft.models import local_folder, resolve

    # LoRA weights are all an adapter holds: a randomly initialised base of the same architecture
    # gives the same adapter files without loading the real weights.
    config = AutoConfig.from_pretrained(local_folder(resolve(str(model_dir))))
    base = AutoModelForCausalLM.from_config(config)
    peft_model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
    if trained:
        generator = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for name, param in peft_model.named_parameters():
                if "lora_B" in name:
                    param.copy_(torch.randn(param.shape, generator=generator) * scale)
    peft_model.save_pretrained(run_dir / "adapter")
    make_card(reason="early_stopping", model=str(model_dir), train_time_s=12.5, tokens=(200, 1000),
              base_sha256=resolve(str(model_dir)).identity()["sha256"]).write(run_dir / "run.json")
    return run_dir


@pytest.fixture(scope="session")
def lively_model_dir(tiny_model_dir, tmp_path_factory):
    """The tiny model with its weights scaled ×8: the random model as built greedily repeats one
    whitespace token, so outputs would all be empty and tests of outputs could not fail."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = tmp_path_factory.mktemp("lively-model")
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    with torch.no_grad():
        for param in model.parameters():
            param.mul_(8)
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(tiny_model_dir).save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def lively_model(lively_model_dir):
    """(model, tokenizer) of the lively model, loaded once for the modules that generate with it."""
    from tunecraft.models import load_model

    return load_model(str(lively_model_dir))


@pytest.fixture(scope="module")
def model_and_tokenizer(lively_model):
    return lively_model


@pytest.fixture(scope="module")
def prompts(request, model_and_tokenizer):
    """The requesting module's QUESTIONS, rendered with the lively model's chat template."""
    _, tokenizer = model_and_tokenizer
    return [chat_prompt(tokenizer, q) for q in request.module.QUESTIONS]
