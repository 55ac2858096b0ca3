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
