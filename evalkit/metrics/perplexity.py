"""Conditional perplexity of the reference completion given each system's prompt.

The model side (generate.py) supplies, per item, the summed token negative log-likelihood `nll`
(natural log) of the reference completion, its token count and its UTF-8 byte count. Aggregation
follows lm-evaluation-harness: sums over the corpus first, then one exponential —
    token_perplexity = exp(Σ nll / Σ ref_tokens)
    byte_perplexity  = exp(Σ nll / Σ ref_bytes)        (comparable across tokenizers)
    bits_per_byte    = Σ nll / Σ ref_bytes / ln 2
— not a mean of per-item perplexities, which long and short items would weight unequally.
"""
from __future__ import annotations

import math

import numpy as np

from .base import Metric, make_signature


class _Perplexity(Metric):
    higher_is_better = False
    denominator = "ref_tokens"

    @property
    def needs(self):
        return ("nll", self.denominator)

    def applies(self, rows: list[dict]) -> bool:
        """An empty reference (0 tokens, nll 0) adds nothing to the sums and is fine; only a
        corpus with no reference tokens at all has no perplexity."""
        return super().applies(rows) and sum(getattr(row, self.denominator) for row in rows) > 0

    def item_stats(self, rows: list[dict]) -> np.ndarray:
        return np.array([[float(row.nll), float(getattr(row, self.denominator))] for row in rows])

    def from_stats(self, totals: np.ndarray) -> np.ndarray:
        return np.exp(self._nll_per_unit(totals))

    @staticmethod
    def _nll_per_unit(totals: np.ndarray) -> np.ndarray:
        """Σ nll / Σ units; NaN (not a warning) for an item or resample with no units."""
        totals = np.asarray(totals, dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            return totals[..., 0] / totals[..., 1]

    def signature(self) -> str:
        unit = self.denominator.removeprefix("ref_")
        return make_signature(self.name, norm=f"exp(sum_nll/sum_{unit})", nll="ln",
                              target="reference completion | system prompt", agg="corpus")


class TokenPerplexity(_Perplexity):
    name = "token_perplexity"


class BytePerplexity(_Perplexity):
    name = "byte_perplexity"
    denominator = "ref_bytes"


class BitsPerByte(_Perplexity):
    name = "bits_per_byte"
    denominator = "ref_bytes"

    def from_stats(self, totals: np.ndarray) -> np.ndarray:
        return self._nll_per_unit(totals) / math.log(2)

    def signature(self) -> str:
        return make_signature(self.name, norm="sum_nll/sum_bytes/ln2", nll="ln",
                              target="reference completion | system prompt", agg="corpus")
