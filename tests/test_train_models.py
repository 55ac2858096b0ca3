"""tunecraft.models: resolving names, clear errors, and an atomic GGUF cache."""
import pytest

from tunecraft import models
from tunecraft.models import ModelError, load_model, load_tokenizer, resolve


def test_local_folder_resolves_with_its_weights_hash(tiny_model_dir):
    source = resolve(tiny_model_dir)
    assert source.kind == "hf_dir"
    assert source.weights_file.endswith("model.safetensors")
    assert len(source.identity()["sha256"]) == 64


def test_alias_resolves_to_the_packaged_gguf():
    source = resolve("smollm2-135m")
    assert source.kind == "alias" and source.path.endswith("SmolLM2-135M-Instruct.Q4_1.gguf")


@pytest.mark.parametrize("name", ["./no-such-model", "/nope/model.gguf", "missing.gguf"])
def test_missing_paths_fail_with_one_line(name):
    with pytest.raises(ModelError, match="not found") as info:
        resolve(name)
    assert "\n" not in str(info.value) and "smollm2-135m" in str(info.value)


def test_hub_id_offline_says_what_to_pass(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError, match="offline.*local HF model folder"):
        resolve("HuggingFaceTB/SmolLM2-135M-Instruct")


def test_folder_without_config_is_refused(tmp_path):
    with pytest.raises(ModelError, match="no config.json"):
        resolve(tmp_path)


def test_load_model_and_tokenizer_from_a_local_folder(tiny_model_dir):
    model, tokenizer = load_model(tiny_model_dir)
    assert not model.training and tokenizer.pad_token is not None
    assert load_tokenizer(tiny_model_dir).chat_template == tokenizer.chat_template


def test_gguf_cache_is_atomic_and_built_once(tmp_path, monkeypatch):
    monkeypatch.setenv("TUNECRAFT_CACHE", str(tmp_path / "cache"))
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF fake weights")
    calls = []

    def crash(src, out):
        (out / "model.safetensors").write_bytes(b"half")
        raise RuntimeError("killed")

    monkeypatch.setattr(models, "_write_dequantized", crash)
    with pytest.raises(RuntimeError):
        models.ensure_cached(gguf)
    assert list((tmp_path / "cache" / "models").iterdir()) == []  # no half cache left behind

    def write(src, out):
        calls.append(src)
        (out / "model.safetensors").write_bytes(b"ok")

    monkeypatch.setattr(models, "_write_dequantized", write)
    first = models.ensure_cached(gguf)
    assert models.ensure_cached(gguf) == first and len(calls) == 1
    assert (first / "model.safetensors").read_bytes() == b"ok"
