"""`evalkit run --curve`: adapters trained on stratified shares of train, scored on the same items."""
import json
from collections import Counter

import pytest

from evalkit.curve import CurveError, parse_fractions, subset_folder
from tunecraft.records import read_jsonl

INTENTS = {
    "refund": ["Mera refund kab aayega?", "रिफंड कब मिलेगा?", "Refund status for order 4411",
               "Paisa wapas nahi aaya abhi tak", "I want my money back for the broken mixer",
               "Refund nahi mila 5 din ho gaye"],
    "card_block": ["Block my debit card now", "मेरा कार्ड ब्लॉक करो", "Card chori ho gaya, block karo",
                   "Lost my credit card at the mall", "Please freeze card ending 0042",
                   "Card band karna hai turant"],
}


def write_labelled(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for split, take in (("train", slice(0, 6)), ("validation", slice(0, 2)), ("test", slice(3, 6))):
        rows = [{"id": f"{split}.jsonl:{n}", "split": split, "label": label, "meta": {},
                 "messages": [{"role": "user", "content": text},
                              {"role": "assistant", "content": label}]}
                for n, (label, text) in enumerate(
                    ((lab, t) for lab, texts in INTENTS.items() for t in texts[take]), 1)]
        (folder / f"{split}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    (folder / "manifest.json").write_text('{"seed": 0}\n')
    return folder


@pytest.mark.parametrize("spec,expected", [("0.25,0.5,1.0", (0.25, 0.5, 1.0)), ("1,0.5", (0.5, 1.0)),
                                           (None, ())])
def test_fractions_parse_sorted(spec, expected):
    assert parse_fractions(spec) == expected


@pytest.mark.parametrize("spec", ["0,1", "half", "1.5"])
def test_bad_fractions_are_one_line_errors(spec):
    with pytest.raises(CurveError, match="must be fractions"):
        parse_fractions(spec)


def test_a_subset_keeps_every_label_and_the_other_splits(tmp_path):
    data = write_labelled(tmp_path / "clean")
    n = subset_folder(data, 0.5, 0, tmp_path / "half")
    kept = read_jsonl(tmp_path / "half" / "train.jsonl")
    assert n == 6 and Counter(r.label for r in kept) == {"refund": 3, "card_block": 3}
    for name in ("validation.jsonl", "test.jsonl"):
        assert (tmp_path / "half" / name).read_bytes() == (data / name).read_bytes()


def test_curve_trains_the_fractions_and_reports_them(tiny_model_dir, tmp_path):
    from evalkit.runner import RunConfig, run
    from train.loop import TrainConfig, train

    data = write_labelled(tmp_path / "clean")
    train(TrainConfig(data=str(data), out=str(tmp_path / "run"), model=str(tiny_model_dir),
                      max_steps=2, batch_size=4, lr=1e-2, precision="fp32"), quiet=True)
    metrics = run(RunConfig(data=data, out=tmp_path / "eval", adapter=tmp_path / "run",
                            systems="zero-shot,fine-tuned", max_new_tokens=4, resamples=50,
                            curve=(0.5, 1.0)))
    half, full = metrics["curve"]
    assert (half["fraction"], half["train_records"]) == (0.5, 6)
    assert (full["fraction"], full["train_records"]) == (1.0, 12)
    assert full["accuracy"] == metrics["systems"]["fine-tuned"]["accuracy"]
    assert half["steps"] == 2 and half["stop"] == "max_steps"
    assert (tmp_path / "eval" / "curve" / "0.5" / "run" / "adapter").is_dir()
    assert "Learning curve" in (tmp_path / "eval" / "report.md").read_text(encoding="utf-8")
