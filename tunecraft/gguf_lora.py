"""A peft LoRA adapter as a GGUF LoRA file, so llama.cpp can run the fine-tuned system on the same
GGUF base the transformers backend was dequantised from (`tunecraft.models`).

What llama.cpp's `convert_lora_to_gguf.py` does for a Llama-architecture model, written out for
the one case `train lora` produces (plain LoRA on linear layers, no DoRA, no embeddings), so it
needs only the `gguf` package and not llama.cpp's source tree:
- tensor names follow llama.cpp's map (`model.layers.3.self_attn.q_proj` → `blk.3.attn_q`),
  with `.lora_a` (rank × in) and `.lora_b` (out × rank) suffixes, float32;
- q and k rows are permuted the way the base GGUF's q/k weights were (llama.cpp's rotary layout:
  per head, the two interleaved halves), which touches only B's rows (ΔW = B·A, rows = B's rows);
  transformers un-permutes them when it reads the GGUF, so the peft adapter has the HF order;
- `adapter.lora.alpha` carries alpha; llama.cpp scales by alpha / rank like peft.

    python -m tunecraft.gguf_lora RUN/adapter OUT.gguf [--base smollm2-135m]
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

_NAME = re.compile(r"^(?:base_model\.model\.)?(?P<base>.+)\.lora_(?P<part>[AB])\.weight$")


class AdapterError(ValueError):
    """An adapter this converter does not handle; the message is one line."""


def _permute(rows, n_head: int):
    """llama.cpp's q/k row order (convert_hf_to_gguf's LlamaModel.permute) applied to B's rows."""
    return (rows.reshape(n_head, 2, rows.shape[0] // n_head // 2, *rows.shape[1:])
            .swapaxes(1, 2).reshape(rows.shape))


def lora_tensors(adapter_dir: Path, config: dict) -> dict[str, "object"]:
    """GGUF tensor name → float32 numpy array, for every lora_A/lora_B pair of the adapter."""
    import gguf
    from safetensors.torch import load_file

    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, config["num_hidden_layers"])
    pairs: dict[str, dict[str, object]] = {}
    for key, tensor in load_file(str(adapter_dir / "adapter_model.safetensors")).items():
        match = _NAME.match(key)
        if match is None:
            raise AdapterError(f"{adapter_dir}: {key} is not a LoRA A/B weight (embeddings, DoRA "
                               "magnitudes and biases are not converted)")
        pairs.setdefault(match["base"], {})[match["part"]] = tensor.float()
    out = {}
    for base, parts in sorted(pairs.items()):
        target = names.get_name(base + ".weight", try_suffixes=(".weight",))
        if target is None or set(parts) != {"A", "B"}:
            raise AdapterError(f"{adapter_dir}: no llama.cpp tensor for {base}")
        a, b = parts["A"], parts["B"]
        if base.endswith("q_proj"):
            b = _permute(b, config["num_attention_heads"])
        elif base.endswith("k_proj"):
            b = _permute(b, config.get("num_key_value_heads") or config["num_attention_heads"])
        out[target + ".lora_a"] = a.contiguous().numpy()
        out[target + ".lora_b"] = b.contiguous().numpy()
    return out


def convert(adapter_dir: str | Path, out: str | Path, base_config: dict) -> Path:
    """Write the GGUF LoRA of a peft adapter folder for a Llama-architecture base."""
    import gguf

    adapter_dir, out = Path(adapter_dir), Path(out)
    settings = json.loads((adapter_dir / "adapter_config.json").read_text())
    if settings.get("use_dora") or settings.get("use_rslora"):
        raise AdapterError(f"{adapter_dir}: DoRA/rsLoRA adapters are not converted")
    if base_config.get("model_type") != "llama":
        raise AdapterError(f"{adapter_dir}: only Llama-architecture bases are converted "
                           f"(this one is {base_config.get('model_type')!r})")
    writer = gguf.GGUFWriter(str(out), "llama")
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(settings["lora_alpha"]))
    for name, array in lora_tensors(adapter_dir, base_config).items():
        writer.add_tensor(name, array)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out


def main(argv: list[str]) -> int:
    import argparse

    from tunecraft.models import local_folder, resolve

    parser = argparse.ArgumentParser(prog="python -m tunecraft.gguf_lora", description=__doc__)
    parser.add_argument("adapter", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--base", default="smollm2-135m", help="the base model the adapter is for")
    args = parser.parse_args(argv)
    config = json.loads((Path(local_folder(resolve(args.base))) / "config.json").read_text())
    try:
        print(convert(args.adapter, args.out, config))
    except AdapterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
