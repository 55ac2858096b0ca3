"""tunecraft.files: the one atomic writer every package uses."""
import json

import pytest

from tunecraft.files import (atomic_folder, atomic_path, atomic_write_json, atomic_write_text,
                             replace_folder)

RATINGS = {"items": [{"id": "test.jsonl:3", "prompt": "खाता बंद करना है", "score": 4}],
           "note": "Hinglish: refund kab milega?"}


def test_json_keeps_devanagari_legible_and_ends_with_one_newline(tmp_path):
    path = tmp_path / "evals" / "human.json"
    atomic_write_json(path, RATINGS)
    raw = path.read_bytes()
    assert raw == (json.dumps(RATINGS, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    assert "खाता".encode("utf-8") in raw and raw.endswith(b"}\n") and not raw.endswith(b"\n\n")


def test_json_shape_is_the_callers(tmp_path):
    atomic_write_json(tmp_path / "key.json", {"b": 1, "a": [1, 2]}, indent=1, sort_keys=True)
    assert (tmp_path / "key.json").read_text(encoding="utf-8") == '{\n "a": [\n  1,\n  2\n ],\n "b": 1\n}\n'


def test_text_newlines_are_not_translated(tmp_path):
    atomic_write_text(tmp_path / "report.md", "| a | b |\n|---|---|\n")
    assert (tmp_path / "report.md").read_bytes() == b"| a | b |\n|---|---|\n"


def test_a_writer_that_fails_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    path = tmp_path / "checkpoint.pt"
    path.write_bytes(b"step 40")
    with pytest.raises(OSError, match="No space"):
        with atomic_path(path) as tmp:
            tmp.write_bytes(b"step 4")                      # half of the new checkpoint
            raise OSError(28, "No space left on device")
    assert path.read_bytes() == b"step 40"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.pt"]


def test_unserialisable_json_leaves_the_old_file(tmp_path):
    path = tmp_path / "metrics.json"
    path.write_text('{"rouge_l": 0.41}\n', encoding="utf-8")
    with pytest.raises(TypeError):
        atomic_write_json(path, {"rouge_l": object()})
    assert path.read_text(encoding="utf-8") == '{"rouge_l": 0.41}\n'


def test_folder_replaces_the_old_one_whole(tmp_path):
    adapter = tmp_path / "run" / "adapter"
    adapter.mkdir(parents=True)
    (adapter / "stale.bin").write_bytes(b"old weights")
    with atomic_folder(adapter) as tmp:
        (tmp / "adapter_config.json").write_text('{"r": 8}', encoding="utf-8")
    assert [p.name for p in adapter.iterdir()] == ["adapter_config.json"]
    assert [p.name for p in adapter.parent.iterdir()] == ["adapter"]


def test_folder_interrupted_keeps_the_old_one_and_no_temp(tmp_path):
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "train.jsonl").write_text('{"prompt": "Card kho gaya?"}\n', encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        with atomic_folder(clean) as tmp:
            (tmp / "train.jsonl").write_text("", encoding="utf-8")
            raise KeyboardInterrupt
    assert (clean / "train.jsonl").read_text(encoding="utf-8") == '{"prompt": "Card kho gaya?"}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["clean"]


def test_a_failed_swap_puts_the_old_folder_back(tmp_path, monkeypatch):
    old, new = tmp_path / "merged", tmp_path / ".merged.tmp-1"
    old.mkdir()
    new.mkdir()
    (old / "config.json").write_text("{}", encoding="utf-8")
    real_rename = type(new).rename

    def rename(self, target):
        if self == new:
            raise OSError(18, "Invalid cross-device link")
        return real_rename(self, target)

    monkeypatch.setattr(type(new), "rename", rename)
    with pytest.raises(OSError):
        replace_folder(new, old)
    assert (old / "config.json").is_file()
    assert not list(tmp_path.glob(".merged.old-*"))
