"""BM25 over train examples or document passages, for the few-shot and RAG systems.

Why our own tokenizer: bm25s' default regex splits Devanagari words at their vowel signs (they are
combining marks, not `\\w`), so a Hindi query would match fragments; we keep letters, digits and
the marks of the Indic blocks together and case-fold, so "Refund" and "refund" meet.

Why rank with `get_scores` over the whole corpus instead of `retrieve`: ties (common with short
queries) are broken by corpus position, so the same corpus and query always give the same list.

A test item must never retrieve itself or a copy of itself from the train split: passages whose
normalised text equals the query's normalised text are excluded (identical text after case-folding
and collapsing whitespace; near-duplicates are the curate pipeline's dedup/decontaminate job).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from tunecraft.text import fold_space

TOKEN = re.compile(r"[\w\u0300-\u036F\u0900-\u0DFF\u200C\u200D]+")


def tokenize(text: str) -> list[str]:
    """Case-folded word tokens that keep Devanagari (and other Indic) words whole."""
    return TOKEN.findall(text.casefold())


@dataclass(frozen=True)
class Hit:
    index: int       # position of the passage in the corpus the index was built from
    score: float
    text: str


class BM25Index:
    """A bm25s index (Lucene BM25, k1=1.5, b=0.75) over a fixed list of texts."""

    def __init__(self, texts: list[str], keys: list[str] | None = None):
        """`keys[i]` is what passage i is compared with to exclude copies of the query (default:
        the passage itself; RAG over the train split passes each record's instruction)."""
        import bm25s

        self.texts = list(texts)
        self._normalised = [fold_space(t) for t in (self.texts if keys is None else keys)]
        self._retriever = bm25s.BM25() if self.texts else None
        if self._retriever is not None:
            self._retriever.index([tokenize(t) for t in self.texts], show_progress=False)

    def __len__(self) -> int:
        return len(self.texts)

    def scores(self, query: str) -> np.ndarray:
        if self._retriever is None:
            return np.zeros(0, dtype=np.float32)
        tokens = tokenize(query)
        if not tokens:
            return np.zeros(len(self.texts), dtype=np.float32)
        return np.asarray(self._retriever.get_scores(tokens), dtype=np.float64)

    def search(self, query: str, k: int, exclude: tuple[str, ...] = ()) -> list[Hit]:
        """Top-k passages, best first; ties go to the earlier passage.

        `exclude` holds texts (e.g. the test item's own input) whose identical copies must not be
        returned; the query itself is always excluded.
        """
        banned = {fold_space(query), *(fold_space(e) for e in exclude)}
        scores = self.scores(query)
        order = np.lexsort((np.arange(len(scores)), -scores))   # score desc, then position asc
        hits: list[Hit] = []
        for i in order:
            if len(hits) >= k:
                break
            if self._normalised[i] in banned:
                continue
            hits.append(Hit(int(i), float(scores[i]), self.texts[i]))
        return hits

    def allowed(self, query: str, exclude: tuple[str, ...] = ()) -> list[int]:
        """Positions a random pick may use: everything except copies of the query (in order)."""
        banned = {fold_space(query), *(fold_space(e) for e in exclude)}
        return [i for i, t in enumerate(self._normalised) if t not in banned]
