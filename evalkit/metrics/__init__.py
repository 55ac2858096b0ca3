"""evalkit metrics: one class per metric with a reproducibility signature (see base.py).

`build_metrics(rows, labels)` returns the metrics that make sense for a run; each one is then
applied per system only when that system's rows carry what it needs (an API system scored with
`evalkit score` has no NLL, so no perplexity).
"""
from __future__ import annotations

from .base import MeanMetric, Metric, make_signature
from .labels import UNMAPPED, Accuracy, MacroF1, UnmappedRate, label_set, map_output
from .perplexity import BitsPerByte, BytePerplexity, TokenPerplexity
from .text import Bleu, Chrf, ExactMatch, Rouge, UnicodeWordTokenizer, normalise_text

__all__ = [
    "Metric", "MeanMetric", "make_signature", "build_metrics", "has_labels",
    "Rouge", "Bleu", "Chrf", "ExactMatch", "UnicodeWordTokenizer", "normalise_text",
    "Accuracy", "MacroF1", "UnmappedRate", "map_output", "label_set", "UNMAPPED",
    "TokenPerplexity", "BytePerplexity", "BitsPerByte",
]


def has_labels(rows: list[dict]) -> bool:
    """Labelled task: every row has a gold label."""
    return bool(rows) and all(row.label not in (None, "") for row in rows)


def is_classification(rows: list[dict]) -> bool:
    """The reference IS the label (text → intent): accuracy is then the task's own measure. A
    labelled reply-writing task (support tickets tagged with an intent) is judged on the reply."""
    if not has_labels(rows):
        return False
    same = sum(normalise_text(r.reference) == normalise_text(str(r.label)) for r in rows)
    return same >= 0.9 * len(rows)


def build_metrics(rows: list[dict], labels: list[str] | None = None) -> list[Metric]:
    """Text metrics always; label metrics when the data is labelled; perplexity when NLLs exist."""
    metrics: list[Metric] = [Rouge("rouge1"), Rouge("rouge2"), Rouge("rougeL"), Bleu(), Chrf(),
                             ExactMatch()]
    if has_labels(rows) or labels:
        names = label_set([r for r in rows if r.label is not None], labels)
        metrics += [Accuracy(names), MacroF1(names), UnmappedRate(names)]
    metrics += [TokenPerplexity(), BytePerplexity(), BitsPerByte()]
    return metrics
