"""What train and evalkit choose on a CUDA machine — precision, device, process group, 4-bit
config, where evalkit puts the model — checked on a CPU with torch.cuda's answers stubbed, so the
GPU paths that no test machine runs still cannot drift unnoticed."""
import sys
import types

import pytest


@pytest.fixture
def cuda(monkeypatch):
    """torch.cuda says there are GPUs; `bf16(True/False)` sets what the GPU supports natively."""
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    state = types.SimpleNamespace(bf16=True, emulated=False)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported",
                        lambda including_emulation=True: state.bf16 or (including_emulation
                                                                        and state.emulated))
    return state


def test_auto_precision_is_bf16_on_a_gpu_with_bf16_and_fp32_without(cuda):
    from train.modeling import pick_precision

    assert pick_precision("auto") == "bf16"
    cuda.bf16 = False                          # e.g. a V100
    assert pick_precision("auto") == "fp32"
    assert pick_precision("bf16") == "bf16"    # what the user typed wins
    assert pick_precision("fp32") == "fp32"


def test_auto_precision_on_a_cpu_follows_its_bf16_instructions(monkeypatch):
    import torch

    from train.modeling import pick_precision

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: False)
    assert pick_precision("auto") == "fp32"
    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: True)
    assert pick_precision("auto") == "bf16"


@pytest.mark.parametrize("world, local_rank, expected", [("1", "0", "cuda"), ("2", "1", "cuda:1"),
                                                         ("4", "3", "cuda:3")])
def test_each_process_takes_its_own_gpu(cuda, monkeypatch, world, local_rank, expected):
    from train import distributed

    monkeypatch.setenv("WORLD_SIZE", world)
    monkeypatch.setenv("LOCAL_RANK", local_rank)
    assert distributed.device() == expected


def test_processes_without_cuda_train_on_the_cpu_with_gloo(monkeypatch):
    import torch
    import torch.distributed as dist

    from train import distributed

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("LOCAL_RANK", "1")
    assert distributed.device() == "cpu"
    backends = []
    monkeypatch.setattr(dist, "is_initialized", lambda: False)
    monkeypatch.setattr(dist, "init_process_group", lambda backend: backends.append(backend))
    distributed.init()
    assert backends == ["gloo"]


def test_gpu_processes_use_nccl_each_on_its_local_rank(cuda, monkeypatch):
    import torch
    import torch.distributed as dist

    from train import distributed

    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("LOCAL_RANK", "1")
    calls = []
    monkeypatch.setattr(torch.cuda, "set_device", lambda i: calls.append(("set_device", i)))
    monkeypatch.setattr(dist, "is_initialized", lambda: False)
    monkeypatch.setattr(dist, "init_process_group", lambda backend: calls.append(("init", backend)))
    distributed.init()
    assert calls == [("set_device", 1), ("init", "nccl")]     # the device first: NCCL binds it


def test_qlora_on_a_gpu_without_bitsandbytes_is_one_line(cuda, monkeypatch):
    from train.modeling import HardwareError, quantization_config

    monkeypatch.setitem(sys.modules, "bitsandbytes", None)
    with pytest.raises(HardwareError, match=r"^--qlora needs bitsandbytes: pip install bitsandbytes$"):
        quantization_config()


def test_qlora_on_a_gpu_is_nf4_with_double_quantization_and_bf16_compute(cuda, monkeypatch):
    import torch
    import transformers

    from train.modeling import quantization_config

    monkeypatch.setitem(sys.modules, "bitsandbytes", types.ModuleType("bitsandbytes"))
    made = {}
    monkeypatch.setattr(transformers, "BitsAndBytesConfig", lambda **kw: made.update(kw) or kw)
    quantization_config()
    assert made == {"load_in_4bit": True, "bnb_4bit_quant_type": "nf4",
                    "bnb_4bit_use_double_quant": True, "bnb_4bit_compute_dtype": torch.bfloat16}


def test_evalkit_moves_the_model_and_its_adapter_to_the_gpu(tiny_model_dir, tmp_path, monkeypatch):
    """Generation and scoring put their inputs on `model.device`; the model must be there. (CUDA
    is said to exist to evalkit.loaders only: peft would pin memory for a CUDA it cannot find.)"""
    import torch
    from _evalkit_util import make_adapter

    from evalkit import loaders

    monkeypatch.setattr(torch.cuda, "is_available",
                        lambda: sys._getframe(1).f_globals.get("__name__") == "evalkit.loaders")
    moved = []
    monkeypatch.setattr(torch.nn.Module, "to", lambda self, *a, **k: moved.append(a) or self)
    run_dir = make_adapter(tiny_model_dir, tmp_path / "run")
    model, _, identity = loaders.load(str(tiny_model_dir), run_dir, "bfloat16")
    assert ("cuda",) in moved and identity["adapter"]
    assert type(model).__name__.startswith("PeftModel")


def test_a_gpu_that_only_emulates_bf16_trains_in_fp32_and_qlora_computes_in_fp16(cuda, monkeypatch):
    """A T4 or V100: torch's default `is_bf16_supported()` says yes (emulation), which is slower
    than fp32 there."""
    import torch
    import transformers

    from train.modeling import pick_precision, quantization_config

    cuda.bf16, cuda.emulated = False, True
    assert torch.cuda.is_bf16_supported()          # the trap: emulation counts by default
    assert pick_precision("auto") == "fp32"
    monkeypatch.setitem(sys.modules, "bitsandbytes", types.ModuleType("bitsandbytes"))
    made = {}
    monkeypatch.setattr(transformers, "BitsAndBytesConfig", lambda **kw: made.update(kw) or kw)
    quantization_config()
    assert made["bnb_4bit_compute_dtype"] == torch.float16


def test_more_processes_than_gpus_is_one_line_naming_the_gpu_count(cuda, monkeypatch):
    import torch.distributed as dist

    from train import distributed

    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("LOCAL_RANK", "2")          # the stub node has 2 GPUs
    monkeypatch.setattr(dist, "is_initialized", lambda: False)
    monkeypatch.setattr(dist, "init_process_group", lambda backend: pytest.fail("must stop first"))
    with pytest.raises(SystemExit, match=r"process 2 of this node has no GPU: the node has 2; "
                                         r"use --nproc 2"):
        distributed.init()


def test_a_checkpoint_on_a_gpu_keeps_the_gpu_random_state(cuda, monkeypatch, tmp_path):
    """Dropout on the GPU draws from CUDA's generator; a resume without it is not the same run."""
    import torch

    from train import loop

    cuda_states = [torch.ByteTensor([1, 2, 3]), torch.ByteTensor([4, 5, 6])]
    monkeypatch.setattr(torch.cuda, "get_rng_state_all", lambda: cuda_states)
    model = torch.nn.Linear(2, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    monkeypatch.setattr(loop, "trainable_state", lambda m: {})
    monkeypatch.setattr(loop, "asdict", lambda cfg: {})
    path = tmp_path / "checkpoint.pt"
    loop._save_checkpoint(path, None, model, optimizer, scheduler, {"step": 3}, {})
    saved = torch.load(path, weights_only=True)
    assert [t.tolist() for t in saved["cuda_rng"]] == [[1, 2, 3], [4, 5, 6]]
