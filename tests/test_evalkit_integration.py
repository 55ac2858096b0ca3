"""The real SmolLM2-135M-Instruct (offline alias) runs all four systems on a handful of items."""
import importlib.util
import json

import pytest

from _evalkit_util import make_adapter, write_clean

pytestmark = pytest.mark.integration

SYSTEMS = ["zero-shot", "few-shot", "rag", "fine-tuned"]


@pytest.fixture(scope="module")
def smollm2():
    if importlib.util.find_spec("tunecraft.models") is None:
        pytest.skip("tunecraft.models is missing (the core model loader)")
    from tunecraft.models import ModelError, local_folder, resolve

    try:
        local_folder(resolve("smollm2-135m"))      # builds the safetensors cache once (~20 s)
    except ModelError as exc:
        pytest.skip(f"SmolLM2 alias unavailable: {exc}")
    return "smollm2-135m"


def test_all_four_systems_on_smollm2(smollm2, tmp_path):
    from evalkit.runner import RunConfig, run

    clean = write_clean(tmp_path / "clean")
    run_dir = make_adapter(smollm2, tmp_path / "runs" / "v1", scale=0.05)
    metrics = run(RunConfig(data=clean, out=tmp_path / "out", model=smollm2, adapter=run_dir,
                            systems=",".join(SYSTEMS), max_new_tokens=6, batch_size=4, k=2,
                            resamples=200))
    rows = [json.loads(line) for line in (tmp_path / "out" / "results.jsonl").read_text(
        encoding="utf-8").splitlines()]
    assert len(rows) == 4 * len(SYSTEMS)
    assert set(metrics["systems"]) == set(SYSTEMS)
    assert all(r["output"].strip() for r in rows)                  # the real model answers
    assert all(r["prompt"].startswith("<|im_start|>") for r in rows)   # SmolLM2's chat template
    zero = [m for m in metrics["systems"]["zero-shot"] if "perplexity" in m]
    assert zero and all(metrics["systems"]["zero-shot"][m]["value"] > 1 for m in zero)
    assert metrics["adapter_check"]["max_logit_change"] > 0
    assert not any("not the base" in w for w in metrics["warnings"])
    assert (tmp_path / "out" / "report.html").is_file()
