"""tunecraft.gguf_lora: a peft adapter written as a llama.cpp GGUF LoRA. The check of the q/k row
order is independent of the converter: transformers' own GGUF reader un-permutes llama.cpp's q/k
rows (`LlamaTensorProcessor`), so B·A read back through it must equal the peft adapter's B·A."""
import json

import numpy as np
import pytest


@pytest.fixture(scope="module")
def adapter(tiny_model_dir, tmp_path_factory):
    """A LoRA on q, k, v and down of the tiny Llama (4 heads, 2 KV heads) with random B."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_model_dir),
                           LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "k_proj", "v_proj", "down_proj"]))
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.copy_(torch.randn(param.shape, generator=generator))
    folder = tmp_path_factory.mktemp("adapter")
    model.save_pretrained(folder)
    deltas = {name.removeprefix("base_model.model."):       # HF module name → B·A (peft's order)
              (module.lora_B["default"].weight @ module.lora_A["default"].weight).detach().numpy()
              for name, module in model.named_modules() if hasattr(module, "lora_B")}
    config = json.loads((tiny_model_dir / "config.json").read_text())
    return folder, deltas, config


def read(path):
    from gguf import GGUFReader

    reader = GGUFReader(str(path))
    fields = {name: field.contents() for name, field in reader.fields.items()}
    return fields, {t.name: np.array(t.data) for t in reader.tensors}


def test_lora_gguf_carries_type_alpha_and_llama_cpp_names(adapter, tmp_path):
    from tunecraft.gguf_lora import convert

    folder, deltas, config = adapter
    fields, tensors = read(convert(folder, tmp_path / "lora.gguf", config))
    assert fields["general.architecture"] == "llama"
    assert fields["general.type"] == "adapter" and fields["adapter.type"] == "lora"
    assert fields["adapter.lora.alpha"] == 8.0
    layers = config["num_hidden_layers"]
    expected = {f"blk.{i}.{kind}.weight.lora_{part}" for i in range(layers)
                for kind in ("attn_q", "attn_k", "attn_v", "ffn_down") for part in "ab"}
    assert set(tensors) == expected
    assert tensors["blk.0.attn_q.weight.lora_a"].shape == (4, config["hidden_size"])   # rank × in


def test_q_and_k_rows_match_what_transformers_reads_back_from_a_gguf(adapter, tmp_path):
    from transformers.modeling_gguf_pytorch_utils import LlamaTensorProcessor

    from tunecraft.gguf_lora import convert

    folder, deltas, config = adapter
    _, tensors = read(convert(folder, tmp_path / "lora.gguf", config))
    reader = LlamaTensorProcessor(config=config)
    kinds = {"attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj",
             "attn_v": "self_attn.v_proj", "ffn_down": "mlp.down_proj"}
    for i in range(config["num_hidden_layers"]):
        for kind, hf in kinds.items():
            name = f"blk.{i}.{kind}.weight"
            gguf_delta = tensors[name + ".lora_b"] @ tensors[name + ".lora_a"]
            read_back = reader.process(gguf_delta, name).weights
            np.testing.assert_allclose(read_back, deltas[f"model.layers.{i}.{hf}"], rtol=1e-5, atol=1e-6)


def test_dora_adapter_is_refused_in_one_line(adapter, tmp_path):
    from tunecraft.gguf_lora import AdapterError, convert

    folder, _, config = adapter
    settings = json.loads((folder / "adapter_config.json").read_text())
    dora = tmp_path / "dora"
    dora.mkdir()
    (dora / "adapter_config.json").write_text(json.dumps({**settings, "use_dora": True}))
    with pytest.raises(AdapterError, match="DoRA"):
        convert(dora, tmp_path / "x.gguf", config)
