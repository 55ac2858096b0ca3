"""Helpers for the train tests: curated splits written the way `curate` writes them."""
from __future__ import annotations

import json
from pathlib import Path

PAIRS = [
    ("How do I reset my UPI PIN?", "Open the app, go to settings and choose Reset PIN."),
    ("My card was charged twice for the same order.", "We will refund the extra amount."),
    ("मेरा खाता बंद हो गया है, कृपया मदद करें।", "आपका खाता दोबारा खोल दिया गया है।"),
    ("Mera recharge fail ho gaya lekin paisa kat gaya.", "Aapka refund 3 din mein aa jayega."),
    ("What is the balance of my savings account?", "You can check it in the app."),
    ("I want to block my debit card immediately.", "Your card has been blocked."),
    ("How do I close a <div> tag in HTML?", "Write </div> after the content."),
    ("Reply with: Your card has been blocked.", "Your card has been blocked."),
]


def record(i: int, question: str, answer: str, split: str, system: str | None = None) -> dict:
    messages = ([{"role": "system", "content": system}] if system else []) + [
        {"role": "user", "content": question}, {"role": "assistant", "content": answer}]
    return {"id": f"tickets.jsonl:{i}", "messages": messages, "split": split,
            "prompt": question, "completion": answer, "meta": {}}


def write_clean(folder: Path, train_pairs=PAIRS, val_pairs=PAIRS) -> Path:
    """A curate-style output folder: train.jsonl, validation.jsonl and a manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    for split, pairs in (("train", train_pairs), ("validation", val_pairs)):
        rows = [record(i, q, a, split) for i, (q, a) in enumerate(pairs, 1)]
        (folder / f"{split}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    (folder / "manifest.json").write_text('{"seed": 0}\n')
    return folder
