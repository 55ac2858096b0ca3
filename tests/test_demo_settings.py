"""The demo reuses an adapter only when it was trained with the demo's flags: numbers compare as
numbers and words as words (`--gradient-checkpointing off` once crashed the float comparison)."""
import importlib.util
from pathlib import Path

DEMO = Path(__file__).resolve().parents[1] / "examples" / "support-desk" / "demo.py"


def _demo():
    spec = importlib.util.spec_from_file_location("support_desk_demo", DEMO)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_flag_values_compare_with_the_card_as_numbers_or_words():
    same = _demo()._same
    assert same(0.001, "1e-3") and same(4, "4") and same(360.0, 360.0)
    assert same("off", "off") and not same("on", "off")
    assert not same(0.0005, "1e-3")


def test_every_flag_of_the_demo_is_a_setting_the_card_records():
    """adapter_is_current reads each flag back from the card's config (a flag that is not a
    TrainConfig field, say a misspelt --lora-layer, would crash the demo's second run)."""
    from dataclasses import fields

    from train.config import TrainConfig

    demo = _demo()
    known = {f.name for f in fields(TrainConfig)}
    for size in (demo.FULL, demo.QUICK):
        flags = size["train"][::2]
        assert all(flag.startswith("--") for flag in flags)
        assert {flag[2:].replace("-", "_") for flag in flags} <= known
