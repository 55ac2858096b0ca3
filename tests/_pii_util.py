"""Helpers shared by the pii tests (the `pii` fixture itself is in conftest.py)."""
from curate.passes.base import Context
from tunecraft.records import Record


def ticket(i, text, meta=None):
    """A one-turn support ticket whose user message is `text`."""
    return Record(f"t.jsonl:{i}", [{"role": "user", "content": text},
                                   {"role": "assistant", "content": "Thanks, noted."}],
                  meta=meta if meta is not None else {})


def run_pii(p, records, seed=0):
    ctx = Context("pii", seed=seed)
    return p.apply_batch(records, ctx), ctx


def anonymised(p, text, seed=0):
    """The user message of a one-turn ticket holding `text`, after the pass."""
    out, _ = run_pii(p, [ticket(0, text)], seed=seed)
    return out[0].messages[0]["content"]
