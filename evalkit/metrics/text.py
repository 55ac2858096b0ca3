"""Reference-based text metrics: ROUGE-1/2/L (rouge-score), BLEU and chrF (sacrebleu), exact match.

Each class follows sacrebleu's shape: `sentence_score(hyp, ref)`, `corpus_score(hyps, refs)` and
`signature()`, plus the `Metric` hooks the bootstrap uses (see base.py).

Why a custom ROUGE tokenizer: rouge-score's default lowercases and then replaces everything that is
not `[a-z0-9]` with a space, so Hindi (Devanagari) text has no tokens and every Hindi pair scores 0.
`UnicodeWordTokenizer` keeps runs of Unicode letters, combining marks and digits. The marks matter:
Devanagari vowel signs (matras) and the virama are category \\p{M}, so a `\\w`-only or letters-only
pattern would split "नमस्ते" into fragments. On ASCII text it produces exactly the default tokens.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np
import regex

from tunecraft.text import fold_punctuation_and_symbols as normalise_text  # evalkit.metrics' name

from .base import MeanMetric, Metric, make_signature

# letters, combining marks, digits, and the zero-width (non-)joiners used inside Indic words
WORD_RE = regex.compile(r"[\p{L}\p{M}\p{N}\u200c\u200d]+")


class UnicodeWordTokenizer:
    """rouge-score tokenizer (duck-typed `tokenize(text)`) that keeps non-ASCII words."""

    name = "unicode-words"

    def tokenize(self, text: str) -> list[str]:
        return WORD_RE.findall(unicodedata.normalize("NFC", text).lower())


ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")


@lru_cache(maxsize=1)
def _rouge_scorer():
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(list(ROUGE_TYPES), tokenizer=UnicodeWordTokenizer())


@lru_cache(maxsize=1 << 14)  # holds references to strings the rows hold anyway
def _rouge_all(hyp: str, ref: str) -> dict[str, float]:
    """All three variants in one pass (one tokenization); cached because each variant asks."""
    return {name: score.fmeasure for name, score in _rouge_scorer().score(ref, hyp).items()}


class _SentenceMean(MeanMetric):
    """A mean of sentence scores: the corpus score is the mean of `sentence_score` over items."""

    def sentence_score(self, hyp: str, ref: str) -> float:
        raise NotImplementedError

    def corpus_score(self, hyps: list[str], refs: list[str]) -> float:
        return float(np.mean([self.sentence_score(h, r) for h, r in zip(hyps, refs)]))

    def item_score(self, row: dict) -> float:
        return self.sentence_score(row.output, row.reference)


class Rouge(_SentenceMean):
    """ROUGE-N / ROUGE-L F-measure on a 0–1 scale; the corpus score is the mean over items."""

    def __init__(self, variant: str = "rougeL"):
        if variant not in ROUGE_TYPES:
            raise ValueError(f"unknown ROUGE variant {variant!r}; one of {', '.join(ROUGE_TYPES)}")
        self.name = variant

    def sentence_score(self, hyp: str, ref: str) -> float:
        return _rouge_all(hyp, ref)[self.name]

    def signature(self) -> str:
        from importlib.metadata import version

        return make_signature(self.name, measure="f", tok=UnicodeWordTokenizer.name, case="lc",
                              stem="no", agg="mean", version=f"rouge-score-{version('rouge-score')}")


class _Sacre(Metric):
    """Shared wrapper: corpus scores from sacrebleu's own sufficient statistics, so a resample's
    score is exactly what sacrebleu would report for that resample (0–100 scale)."""

    def __init__(self, corpus_metric, sentence_metric):
        self._corpus = corpus_metric
        self._sentence = sentence_metric

    def sentence_score(self, hyp: str, ref: str) -> float:
        return self._sentence.sentence_score(hyp, [ref]).score

    def corpus_score(self, hyps: list[str], refs: list[str]) -> float:
        return self._corpus.corpus_score(list(hyps), [list(refs)]).score

    def item_stats(self, rows: list[dict]) -> np.ndarray:
        hyps = [row.output for row in rows]
        refs = [row.reference for row in rows]
        return np.asarray(self._corpus._extract_corpus_statistics(hyps, [refs]), dtype=float)

    def from_stats(self, totals: np.ndarray) -> np.ndarray:
        totals = np.asarray(totals, dtype=float)
        flat = totals.reshape(-1, totals.shape[-1])
        scores = [self._corpus._compute_score_from_stats(list(row)).score for row in flat]
        return np.asarray(scores, dtype=float).reshape(totals.shape[:-1])

    def item_scores(self, rows: list[dict], stats: np.ndarray | None = None) -> list[float | None]:
        """Sentence scores from the same statistics (what sacrebleu's sentence_score does)."""
        stats = self.item_stats(rows) if stats is None else stats
        return [self._sentence._compute_score_from_stats(list(row)).score for row in stats]

    def signature(self) -> str:
        if not hasattr(self._corpus, "num_refs") or self._corpus.num_refs is None:
            self._corpus.corpus_score(["a"], [["a"]])  # sacrebleu signs only after a first score
        return f"{self.name}|{self._corpus.get_signature().format()}"


class Bleu(_Sacre):
    """Corpus BLEU (sacrebleu defaults: 13a tokenizer, exp smoothing). Per-item scores use
    effective order, since sentence BLEU without it is 0 whenever a 4-gram is missing."""

    name = "bleu"

    def __init__(self):
        from sacrebleu.metrics import BLEU

        super().__init__(BLEU(), BLEU(effective_order=True))


class Chrf(_Sacre):
    """chrF (sacrebleu defaults: character 6-grams, beta 2, no word n-grams)."""

    name = "chrf"

    def __init__(self):
        from sacrebleu.metrics import CHRF

        super().__init__(CHRF(), CHRF())


class ExactMatch(_SentenceMean):
    """1 when output and reference are equal after `normalise_text`, else 0."""

    name = "exact_match"

    def sentence_score(self, hyp: str, ref: str) -> float:
        return float(normalise_text(hyp) == normalise_text(ref))

    def signature(self) -> str:
        return make_signature(self.name, norm="nfkc+casefold+strip-punct+ws", agg="mean")
