"""Result rows: one type for `evalkit run` and `evalkit score`, the same keys in the same order,
and scoring that returns scored copies instead of changing the rows it was given."""
import json

from _evalkit_util import write_clean

from evalkit.generate import Generation
from evalkit.likelihood import NLL
from evalkit.results import build_row
from evalkit.runner import score_outputs
from evalkit.scoring import score_results
from evalkit.systems import EvalItem

KEYS = ["id", "system", "input", "prompt", "output", "reference", "label", "nll", "ref_tokens",
        "ref_bytes", "prompt_tokens", "completion_tokens", "latency_s", "cached", "sources"]
ITEM = EvalItem("test.jsonl:2", [{"role": "user", "content": "मेरा खाता बंद है, मदद करें।"}],
                "आपका खाता खोल दिया गया है।", "account")
PROMPT = "<|im_start|>user\nमेरा खाता बंद है, मदद करें।<|im_end|>\n<|im_start|>assistant\n"


def generated_row(system="rag", output="आपका खाता खोल दिया गया है।"):
    gen = Generation(output, prompt_tokens=31, completion_tokens=9, latency_s=0.42, cached=True)
    nll = NLL(nll=12.5, ref_tokens=14, ref_bytes=len(ITEM.reference.encode("utf-8")))
    return build_row(ITEM, system, PROMPT, output, gen=gen, nll=nll, sources=["train.jsonl:7"])


def test_a_row_with_the_reference_nll_as_results_jsonl_writes_it():
    row = generated_row()
    assert list(row.to_dict()) == KEYS                   # unscored: no scores key yet
    assert row.to_json() == json.dumps(dict(zip(KEYS, [
        "test.jsonl:2", "rag", "मेरा खाता बंद है, मदद करें।", PROMPT, "आपका खाता खोल दिया गया है।",
        "आपका खाता खोल दिया गया है।", "account", 12.5, 14, 68, 31, 9, 0.42, True,
        ["train.jsonl:7"]])), ensure_ascii=False)


def test_a_row_without_a_model_has_the_same_keys_with_nulls():
    row = build_row(ITEM, "api-model", ITEM.instruction, "Account reopened.")
    assert list(row.to_dict()) == KEYS
    assert (row.nll, row.ref_tokens, row.prompt_tokens, row.latency_s, row.cached) == (None,) * 5
    assert row.ref_bytes == generated_row().ref_bytes == 68      # Devanagari: 3 bytes a letter


def test_scored_rows_carry_scores_then_the_predicted_label():
    rows = [generated_row(system, output) for system, output in
            (("rag", "account"), ("fine-tuned", "आपका खाता खोल दिया गया है।"))]
    scored = score_results(rows, labels=["account", "card"], resamples=10).rows
    assert list(scored[0].to_dict()) == KEYS + ["scores", "predicted_label"]
    assert scored[0].predicted_label == "account" and scored[0].scores["accuracy"] == 1.0
    assert rows[0].scores is None and rows[0].predicted_label is None   # the input is unchanged


def test_evalkit_score_writes_rows_of_the_same_type(tmp_path):
    clean = write_clean(tmp_path / "clean")
    hyps = tmp_path / "api-model.jsonl"
    hyps.write_text("".join(json.dumps({"id": f"test.jsonl:{i}", "output": "Mera account band hai"})
                            + "\n" for i in range(1, 5)), encoding="utf-8")
    score_outputs([hyps], clean / "test.jsonl", tmp_path / "out", resamples=10)
    lines = (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == 4 and all(list(r)[:len(KEYS)] == KEYS for r in rows)
    assert all(r["nll"] is None and r["sources"] is None and "scores" in r for r in rows)
