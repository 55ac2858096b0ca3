"""The real SmolLM2-135M-Instruct (offline alias) runs all four systems on a handful of items."""
import importlib.util
import json

import pytest

from _evalkit_util import TEST, make_adapter, write_clean

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


def test_smollm2_judges_fine_tuned_against_zero_shot_in_both_orders(smollm2, tmp_path, monkeypatch):
    """The real model as the judge (through evalkit.local_chat): every reply is read as a verdict
    or counted as unparseable, and the prompt it was given is the one the report shows. Replies
    are cut at 24 tokens to keep the test short (most then end before a verdict: unparseable)."""
    from evalkit import judge
    from evalkit.runner import RunConfig, run

    monkeypatch.setattr(judge, "JUDGE_MAX_NEW_TOKENS", 24)
    clean = write_clean(tmp_path / "clean", test=TEST[:2])
    run_dir = make_adapter(smollm2, tmp_path / "runs" / "v1", scale=0.05)
    metrics = run(RunConfig(data=clean, out=tmp_path / "out", model=smollm2, adapter=run_dir,
                            systems="zero-shot,fine-tuned", judge="zero-shot", max_new_tokens=6,
                            batch_size=4, resamples=100, primary="chrf"))
    judged = [json.loads(line) for line in (tmp_path / "out" / "judgements.jsonl").read_text(
        encoding="utf-8").splitlines()]
    assert len(judged) == 2
    replies = [j[order]["reply"] for j in judged for order in ("finetuned_as_a", "finetuned_as_b")]
    assert all(reply.strip() for reply in replies)                    # the real model answers
    assert all(j[o]["verdict"] == judge.parse_verdict(j[o]["reply"])
               for j in judged for o in ("finetuned_as_a", "finetuned_as_b"))
    said = metrics["judge"]["baselines"]["zero-shot"]
    assert said["judged"] + said["unparseable"] == 2
    assert metrics["judge"]["system_prompt"] == judge.JUDGE_SYSTEM
