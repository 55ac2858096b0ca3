"""Result rows for scoring and metric tests: only the fields a test is about, the rest as a row
of `evalkit score` (outputs made elsewhere) would have them."""
from __future__ import annotations

from evalkit.results import ResultRow


def result_row(**fields) -> ResultRow:
    reference = fields.get("reference", "")
    values = dict(id="test.jsonl:1", system="zero-shot", input="", prompt="", output="",
                  reference=reference, label=None, nll=None, ref_tokens=None,
                  ref_bytes=len(reference.encode("utf-8")), prompt_tokens=None,
                  completion_tokens=None, latency_s=None, cached=None, sources=None)
    return ResultRow(**{**values, **fields})
