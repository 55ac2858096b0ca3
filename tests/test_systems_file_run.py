"""`evalkit run --systems systems.yaml` with local systems only (the tiny model; the served ones are
in tests/test_endpoint_server.py): names from the file, one base model loaded once with its
adapter switched on and off, the system with the adapter compared with the others."""
import json

from _evalkit_util import lively_model_dir, make_adapter, write_clean  # noqa: F401


def test_a_systems_file_of_local_systems(lively_model_dir, tmp_path, monkeypatch):
    from evalkit import loaders
    from evalkit.runner import RunConfig, run

    clean = write_clean(tmp_path / "clean")
    run_dir = make_adapter(lively_model_dir, tmp_path / "runs" / "v1")
    systems = tmp_path / "systems.yaml"
    systems.write_text(
        f"plain:      {{model: {lively_model_dir}}}\n"
        f"two shots:  {{model: {lively_model_dir}, prompt: few-shot, k: 2}}\n"
        f"support v1: {{model: {lively_model_dir}, adapter: {run_dir},\n"
        "              system_prompt: 'आप सहायता डेस्क हैं।'}\n", encoding="utf-8")
    loads = []
    real_load = loaders.load
    monkeypatch.setattr(loaders, "load", lambda *a, **k: loads.append(a) or real_load(*a, **k))
    metrics = run(RunConfig(data=clean, out=tmp_path / "out", systems=str(systems),
                            max_new_tokens=4, batch_size=2, resamples=50))
    rows = [json.loads(line) for line in (tmp_path / "out" / "results.jsonl").read_text(
        encoding="utf-8").splitlines()]
    by = {(r["system"], r["id"]): r for r in rows}
    assert {r["system"] for r in rows} == {"plain", "two shots", "support v1"} and len(rows) == 12
    assert len(loads) == 1                                   # one base model, adapter on and off
    assert metrics["verdict"]["finetuned"] == "support v1"
    assert set(metrics["comparisons"]) == {"plain", "two shots"}
    assert len(by[("two shots", "test.jsonl:1")]["sources"]) == 2
    assert "आप सहायता डेस्क हैं।" in by[("support v1", "test.jsonl:1")]["prompt"]
    assert "आप सहायता" not in by[("plain", "test.jsonl:1")]["prompt"]
    assert "Answer with exactly one of these labels" in by[("plain", "test.jsonl:1")]["prompt"]
    assert metrics["run"]["systems"]["support v1"]["adapter"] == str(run_dir)
    assert metrics["adapter_check"]["max_logit_change"] > 0
    assert "tokens_from" not in rows[0]                      # a local row: its own tokenizer
