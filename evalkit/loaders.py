"""What `evalkit` reads: the curated splits, the run card (train.card.RunCard), the model +
adapter, and outputs produced elsewhere. Every failure is a one-line LoadError naming the file (and line).
"""
from __future__ import annotations

import json
from pathlib import Path

from evalkit.systems import SystemsError, EvalItem
from train.card import CardError, RunCard
from tunecraft.records import Record, read_jsonl
from tunecraft.text import first_line


class LoadError(ValueError):
    """A user error in evalkit's inputs; the message is one line."""


def read_records(path: Path) -> list[Record]:
    if not path.is_file():
        raise LoadError(f"{path}: missing (expected curate's output folder)")
    try:
        return read_jsonl(path)
    except ValueError as exc:
        raise LoadError(str(exc)) from None


def load_items(data: str | Path, limit: int | None = None):
    """(test items, train records, label set): the first `limit` test records, in file order.

    The label set is every label in train + test, sorted, so outputs map onto the same classes
    whatever the limit; None when the data has no labels."""
    if limit is not None and limit < 1:
        raise LoadError(f"--limit must be at least 1, got {limit} (leave it out for every item)")
    data = Path(data)
    test = read_records(data / "test.jsonl")
    train = read_records(data / "train.jsonl") if (data / "train.jsonl").is_file() else []
    if not test:
        raise LoadError(f"{data / 'test.jsonl'}: no test records")
    try:
        items = [EvalItem.from_record(r) for r in test[:limit]]
    except SystemsError as exc:
        raise LoadError(f"{data / 'test.jsonl'}: {exc}") from None
    labels = sorted({r.label for r in train + test if r.label})
    return items, train, labels or None


def adapter_dir(adapter: str | Path) -> Path:
    """`runs/NAME` (holding adapter/ and run.json) or the adapter folder itself."""
    adapter = Path(adapter)
    for folder in (adapter / "adapter", adapter):
        if (folder / "adapter_config.json").is_file():
            check_adapter(folder)
            return folder
    raise LoadError(f"--adapter {adapter}: no adapter_config.json in it or in its adapter/ folder")


def check_adapter(folder: Path) -> None:
    """A broken adapter fails here, before the minutes of loading the base model, with the file
    named: peft would raise KeyError('peft_type') on an empty config and a SafetensorError on a
    truncated weights file, deep inside from_pretrained."""
    config_path = folder / "adapter_config.json"
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LoadError(f"{config_path}: not a readable JSON adapter config ({exc})") from None
    if not isinstance(config, dict) or not config.get("peft_type"):
        raise LoadError(f"{config_path}: no 'peft_type' (not a peft adapter config)")
    weights = folder / "adapter_model.safetensors"
    if not weights.is_file():
        if (folder / "adapter_model.bin").is_file():
            return
        raise LoadError(f"{folder}: no adapter_model.safetensors (an incomplete adapter folder)")
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(weights), "pt") as f:
            f.keys()
    except SafetensorError as exc:
        raise LoadError(f"{weights}: truncated or corrupt ({exc})") from None


def load_train_card(adapter: str | Path) -> RunCard | None:
    """run.json next to the adapter (runs/NAME/run.json, or inside the adapter folder); None
    when there is none (an adapter trained elsewhere)."""
    folder = adapter_dir(adapter)
    where = next((d for d in (folder, folder.parent) if (d / "run.json").is_file()), None)
    if where is None:
        return None
    try:
        return RunCard.read(where)
    except CardError as exc:
        raise LoadError(str(exc)) from None


def trained_template(card: RunCard | None) -> tuple[str, str | None]:
    """(template kind, training's chat template text) for the fine-tuned system; without a card
    the model's own chat template is assumed."""
    return (card.template.kind, card.template.chat_template) if card else ("chat", None)


def card_warnings(model_name: str, card: RunCard | None, tokenizer) -> list[str]:
    """What makes the comparison not like for like: another base model, another chat template,
    or no card at all (for an adapter that was given)."""
    if card is None:
        return ["no run.json next to the adapter: the tokenizer's chat template is assumed and "
                "training cost is unknown"]
    from tunecraft.models import resolve

    warnings = []
    loaded = resolve(model_name).identity().get("sha256")
    if card.base_model.sha256 and loaded and loaded != card.base_model.sha256:
        warnings.append(f"--model {model_name} is not the base the adapter was trained on "
                        f"({card.base_model.name}): the comparison is not like for like")
    kind, chat_template = trained_template(card)
    if kind == "chat" and chat_template and chat_template != tokenizer.chat_template:
        warnings.append("the model's chat template differs from the one training used: the "
                        "fine-tuned system uses training's, the prompting systems the model's")
    return warnings


DTYPES = ("float32", "bfloat16", "float16")


def load(model_name: str, adapter: str | Path | None, dtype: str = "float32"):
    """(model, tokenizer, identity): the base model, wrapped with the adapter when one is given."""
    from tunecraft.models import ModelError, load_model, resolve

    from evalkit.generate import files_digest

    import torch

    if dtype not in DTYPES:
        raise LoadError(f"--dtype {dtype}: choose one of {', '.join(DTYPES)}")
    try:
        model, tokenizer = load_model(model_name, dtype=getattr(torch, dtype))
        base_identity = resolve(model_name).identity()
    except ModelError as exc:
        raise LoadError(str(exc)) from None
    identity = {"model": base_identity.get("sha256") or base_identity.get("path"), "dtype": dtype,
                "adapter": None}
    if adapter is not None:
        from peft import PeftModel

        folder = adapter_dir(adapter)
        try:
            model = PeftModel.from_pretrained(model, str(folder))
        except (RuntimeError, ValueError, KeyError, OSError) as exc:   # e.g. another base's shapes
            raise LoadError(f"{folder}: cannot load the adapter onto {model_name} "
                            f"({first_line(exc)})") from None
        model.eval()
        identity["adapter"] = files_digest(folder)
    if torch.cuda.is_available():     # on a cluster node; batches follow the model to its device
        model.to("cuda")
    return model, tokenizer, identity


def read_hyps(path: str | Path, known_ids: set[str]) -> dict[str, str]:
    """{"id", "output"} JSON lines → {id: output}; unknown or repeated ids are errors."""
    path = Path(path)
    if not path.is_file():
        raise LoadError(f"{path}: missing")
    outputs: dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                item_id, output = row["id"], row["output"]
            except (json.JSONDecodeError, KeyError, TypeError):
                raise LoadError(f"{path}:{line_no}: expected a JSON object with \"id\" and \"output\"") from None
            if item_id not in known_ids:
                raise LoadError(f"{path}:{line_no}: id {item_id!r} is not in the test set")
            if item_id in outputs:
                raise LoadError(f"{path}:{line_no}: id {item_id!r} appears twice")
            outputs[item_id] = _output_text(output, item_id, f"{path}:{line_no}")
    return outputs


def _output_text(output, item_id: str, where: str) -> str:
    """A null output is a failed call, not the answer "None": scoring it as text (or as empty)
    would quietly count a crash as a wrong answer, so it is an error the user resolves."""
    if output is None:
        raise LoadError(f"{where}: id {item_id!r} has a null output (a failed generation?); "
                        'write "" to score it as an empty answer')
    if isinstance(output, (dict, list)):
        raise LoadError(f"{where}: id {item_id!r}: output must be a string, got "
                        f"{type(output).__name__}")
    return output if isinstance(output, str) else str(output)
