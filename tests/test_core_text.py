"""tunecraft.text and tunecraft.hashing: the helpers curate, train and evalkit share."""
from __future__ import annotations

import hashlib
import json
import math
import os

import numpy as np

from tunecraft.hashing import cached_file_sha256, file_sha256, text_sha256
from tunecraft.text import (finite_or_none, first_line, fold_punctuation, fold_punctuation_and_symbols,
                            fold_space, html_fragment_to_text, html_page_to_text, json_value)


def test_the_three_comparison_forms_differ_where_they_say():
    text = "  Don’t   STOP—now!  ₹500 = 2+3 "
    assert fold_space(text) == "don’t stop—now! ₹500 = 2+3"
    assert fold_punctuation(text) == "don t stop now ₹500 = 2+3"       # symbols are content
    assert fold_punctuation_and_symbols(text) == "don t stop now 500 2 3"
    hindi = "मेरा   खाता, बंद है।"
    assert fold_punctuation(hindi) == fold_punctuation_and_symbols(hindi) == "मेरा खाता बंद है"
    assert fold_punctuation("ＡＢＣ１") == "abc1"                          # NFKC: full-width forms


def test_finite_or_none_makes_strict_json():
    value = {"ppl": float("nan"), "ci": (np.float64(1.5), np.float32("inf")), "n": np.int64(3),
             "ok": True, "name": "zero-shot", "nested": [[-math.inf, 2]]}
    out = finite_or_none(value)
    assert out == {"ppl": None, "ci": [1.5, None], "n": 3, "ok": True, "name": "zero-shot",
                   "nested": [[None, 2]]}
    assert json.dumps(out, allow_nan=False)
    assert type(out["n"]) is int and out["ok"] is True


def test_json_value_for_cells_and_numpy_metrics():
    import datetime
    import decimal

    cell = {"created": datetime.date(2024, 3, 4), "amount": decimal.Decimal("499.50"),
            "raw": "शिकायत".encode("utf-8"), "turns": [{"role": "user", "tool_calls": None}],
            "ci": np.array([0.12, 0.4])}
    assert json_value(cell) == {"created": "2024-03-04", "amount": "499.50", "raw": "शिकायत",
                                "turns": [{"role": "user"}], "ci": [0.12, 0.4]}
    assert json_value(None) is None and json_value(datetime.timedelta(minutes=90)) == "1:30:00"
    text = json.dumps({"delta": np.array([1, 2]), "n": np.int64(7)}, default=json_value)
    assert text == '{"delta": [1, 2], "n": 7}'


def test_first_line_of_an_exception():
    assert first_line(ValueError("while parsing a block mapping\n  in \"run.yaml\", line 3")) \
        == "while parsing a block mapping"
    assert first_line(OSError()) == "OSError"
    assert first_line(RuntimeError("\n  size mismatch for lora_A: copying a param\n...")) \
        == "size mismatch for lora_A: copying a param"


def test_a_fragment_keeps_its_lines_and_a_page_keeps_its_main_text():
    fragment = "<p>Steps:</p><ul><li>Open the app</li><li>Tap <code>Cards</code></li></ul>"
    assert html_fragment_to_text(fragment) == "Steps:\n\n- Open the app\n- Tap `Cards`"
    page = ("<html><head><title>t</title><script>var x=1;</script></head><body>"
            "<nav>Home | Login</nav><article><h1>Reset your UPI PIN</h1>"
            + "<p>Open the app, go to settings and choose Reset PIN to set a new four digit PIN.</p>" * 3
            + "</article></body></html>")
    text = html_page_to_text(page)
    assert "Reset PIN" in text and "var x" not in text


def test_file_hash_reads_in_blocks_and_the_cache_sees_a_change(tmp_path):
    path = tmp_path / "model.safetensors"
    data = os.urandom((1 << 20) * 2 + 17)               # more than two read blocks
    path.write_bytes(data)
    assert file_sha256(path) == cached_file_sha256(path) == hashlib.sha256(data).hexdigest()
    path.write_bytes(data[:-1])
    assert cached_file_sha256(path) == hashlib.sha256(data[:-1]).hexdigest()
    assert text_sha256("नमस्ते") == hashlib.sha256("नमस्ते".encode("utf-8")).hexdigest()
