"""One line of results.jsonl: a test item answered by one system, and later its scores.

`evalkit run` builds rows from its generations and reference NLLs, `evalkit score` from outputs
made elsewhere (no model: no NLL, no token counts, no latency); both through `build_row`, so the
two files have the same keys. Scoring does not change a row; it returns a scored copy
(`ResultRow.scored`). Field order is the file's key order.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class ResultRow:
    id: str
    system: str
    input: str                       # the user's words (what a reader of the report sees)
    prompt: str                      # what the model was given (the template, shots, passages)
    output: str
    reference: str
    label: str | None
    nll: float | None                # of the reference given the prompt; None without a model
    ref_tokens: int | None
    ref_bytes: int
    prompt_tokens: int | None
    completion_tokens: int | None
    latency_s: float | None
    cached: bool | None              # generation came from the cache; None: not generated here
    sources: list[str] | None        # shots or passages put into the prompt; None: unknown
    scores: dict[str, float | None] | None = None    # per-item metric values, once scored
    predicted_label: str | None = None               # the label the output names (labelled data)
    tokens_from: str | None = None   # endpoint rows: "usage" (the server's) or "tokenizer:NAME"
    machine_share: float | None = None   # generated in one of several --workers processes

    def scored(self, scores: dict | None, predicted_label: str | None) -> "ResultRow":
        return replace(self, scores=scores, predicted_label=predicted_label)

    def to_dict(self) -> dict:
        """A row not (yet) scored has no `scores` / `predicted_label` keys at all; a row evalkit
        generated itself has no `tokens_from` (its counts are the model's own tokenizer's)."""
        row = asdict(self)
        for key in ("scores", "predicted_label", "tokens_from", "machine_share"):
            if row[key] is None:
                del row[key]
        return row

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


def build_row(item, system: str, prompt: str, output: str, *, gen=None, nll=None,
              sources: list[str] | None = None) -> ResultRow:
    """The one place a row is made. `gen` (evalkit.generate's result) and `nll` (the reference's
    likelihood) exist only when evalkit ran the model itself."""
    share = getattr(gen, "machine_share", 1.0)
    return ResultRow(
        id=item.id, system=system, input=item.instruction, prompt=prompt, output=output,
        reference=item.reference, label=item.label,
        nll=nll.nll if nll else None, ref_tokens=nll.ref_tokens if nll else None,
        ref_bytes=nll.ref_bytes if nll else len(item.reference.encode("utf-8")),
        prompt_tokens=gen.prompt_tokens if gen else None,
        completion_tokens=gen.completion_tokens if gen else None,
        latency_s=gen.latency_s if gen else None, cached=gen.cached if gen else None,
        sources=sources, tokens_from=getattr(gen, "tokens_from", None),
        machine_share=share if share != 1.0 else None)


def read_results(path) -> list[dict]:
    """results.jsonl as plain dicts (the report and the DataFrame of `evalkit.load` read it)."""
    text = Path(path).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]
