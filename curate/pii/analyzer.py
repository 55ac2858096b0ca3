"""Batch PII detection: Presidio's AnalyzerEngine fed by batched, cached spaCy NER.

Why not `AnalyzerEngine.analyze` per string (the baseline) or `BatchAnalyzerEngine` as is:
- spaCy dominates the cost, and NER needs only spaCy's `ner` component (it has its own
  tok2vec in the small/medium models), so tagger, parser, attribute ruler and lemmatizer are not
  loaded. Context words are matched on lower-cased tokens instead of lemmas.
- NER runs in one `nlp.pipe` per batch over the distinct sentences not seen before in this
  process (`curate.pii.ner`), and only on sentences with a Latin letter (the English model finds
  nothing meaningful in Devanagari-only or digit-only text), and not on sentences that can
  hold nothing the pass keeps (`common_words.holds_no_name`: a third of support text). Presidio then gets a tokenizer-only
  doc carrying those entities, so context words still count.
- Each recognizer runs only on strings that could hold its entity (a phone needs 7 digits, an
  email an "@"): Presidio's `entities` argument selects the recognizers per string.
- spaCy's small model misses a third of person names or files them under ORG, GPE, PRODUCT; on
  strings where NER is trusted, `curate.pii.names` adds those with a second sign (a census name,
  a middle initial, the name found elsewhere in the text, a list or dialogue with a person).
- NER spans that are terms, not names or places, are dropped before Presidio sees them
  (`_a_term`: code, identifiers, tool names, acronyms; `curate.pii.common_words`: "My
  Landlord", "Russian Ruble"); so are places that identify no one under
  the LOCATION policy (`curate.pii.places`). In romanised Hindi and Hindi/English text a person
  needs a cue (`curate.pii.romanised`). Only the structured recognizers run inside code.
Results then pass through our false-positive filter and a single-span overlap resolution.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import regex

from curate.pii.common_words import common_word, holds_no_name, imperative, not_a_person
from curate.pii.code import (code_number, code_spans, identifier_like, listed_with_tools, named_in_code,
                             technical_term, variable_or_path)
from curate.pii.dialogue import business_phone
from curate.pii.venue_facts import business_contact
from curate.pii.doc_examples import doc_example
from curate.pii.intervals import overlaps
from curate.pii.markdown import code_table_cell, defined_abbreviation, heading_term, versioned
from curate.pii.indian_names import devanagari_name_pairs, indian_name_pairs
from curate.pii.names import DESIGNATORS, EXTRA_LABELS, find_person_names, given_names, surnames
from curate.pii.ner import SentenceNer, load_ner_pipeline
from curate.pii.person_evidence import greeted_names, weigh_persons
from curate.pii.places import personal_place, residence_places
from curate.pii.romanised import (cued_names, ordinary_word, romanised_context, romanised_word_span,
                                  without_romanised_words)
from curate.pii.recognizers import NAME_CUE, NER_LABELS, build_recognizers, trim_ner_span
from curate.pii.roles import HAS_TITLE, ROLE_NAME
from curate.pii.titles_of_works import a_romanised_title

# Minimum count of digits a string needs before a recognizer for the entity can match.
MIN_DIGITS = {"PHONE": 6, "CREDIT_CARD": 12, "IN_AADHAAR": 12, "US_SSN": 9, "IBAN": 2,
              "IN_PAN": 4, "IN_IFSC": 1, "IN_GSTIN": 2, "IN_VOTER": 7, "IN_PASSPORT": 7,
              "IN_VEHICLE_REGISTRATION": 3}
NEEDS_AT = ("EMAIL", "IN_UPI")
_LATIN = re.compile(r"[A-Za-z]")
_CAPITALISED = regex.compile(r"(?<![\p{L}\p{M}])\p{Lu}[\p{L}\p{M}'’.-]*")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    entity: str
    score: float


def _nlp_engine(model: str, context_words: set[str]):
    from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine
    from spacy.attrs import IDX, LENGTH, LOWER

    mapping = {label: ours for ours, labels in NER_LABELS.items() for label in labels}

    class NerOnlySpacyNlpEngine(SpacyNlpEngine):
        """Presidio's spaCy engine over a NER-only pipeline (no lemmatizer: lemma = lower text)."""

        def load(self) -> None:
            self.nlp = {"en": load_ner_pipeline(model)}

        @lru_cache(maxsize=100_000)
        def is_stopword(self, word: str, language: str) -> bool:
            # spaCy lists "call", "phone"-adjacent words as stop words; context must see them.
            return word not in context_words and super().is_stopword(word, language)

        @lru_cache(maxsize=100_000)
        def is_punct(self, word: str, language: str) -> bool:
            return super().is_punct(word, language)

        def _doc_to_nlp_artifact(self, doc, language):
            """Token offsets, texts and lower-case forms read as arrays, not as Token objects
            (building those was a tenth of the pass): Presidio's context enhancer needs only
            each token's start, length and lower-case form."""
            ents = [e for e in doc.ents if e.label_ in mapping]
            for ent in ents:
                ent.label_ = mapping[ent.label_]
            rows = doc.to_array([IDX, LENGTH, LOWER]).tolist()
            strings, text = doc.vocab.strings, doc.text
            return NlpArtifacts(
                entities=ents, tokens=[text[i:i + n] for i, n, _ in rows],
                tokens_indices=[i for i, _, _ in rows], lemmas=[strings[h] for _, _, h in rows],
                nlp_engine=self, language=language,
                scores=[self.ner_model_configuration.default_score] * len(ents))

    engine = NerOnlySpacyNlpEngine(models=[{"lang_code": "en", "model_name": model}])
    engine.load()
    return engine


@lru_cache(maxsize=4)
def get_analyzer(entities: tuple[str, ...], score_threshold: float, spacy_model: str,
                 batch_size: int, ner_languages: tuple[str, ...] = ("en", "und"),
                 locations: str = "address") -> "BatchPiiAnalyzer":
    """One analyzer per configuration per process (the pipeline re-runs pii on rejects)."""
    return BatchPiiAnalyzer(entities, score_threshold, spacy_model, batch_size, ner_languages,
                            locations)


class BatchPiiAnalyzer:
    """Finds PII spans in many strings at once; built once per process (it holds spaCy)."""

    def __init__(self, entities, score_threshold, spacy_model, batch_size=64,
                 ner_languages=("en", "und"), locations="address"):
        self.locations = locations
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer

        from curate.passes.language import LanguageDetector

        # Per string, not per record: a chat's English question may get a Hinglish reply.
        self.ner_languages = set(ner_languages)
        self.language = LanguageDetector(seed=0, min_letters=4, min_prob=0.90)

        self.entities = list(entities)
        self.score_threshold = score_threshold
        self.batch_size = batch_size
        recognizers = build_recognizers(self.entities)
        context_words = {w.lower() for r in recognizers for w in (r.context or [])}
        self.nlp_engine = _nlp_engine(spacy_model, context_words)
        self.nlp = self.nlp_engine.nlp["en"]
        labels = {label: ours for ours, labels in NER_LABELS.items() for label in labels}
        if "PERSON" in self.entities:  # spans where the model files names it does not know
            labels.update({label: label for label in EXTRA_LABELS})
        # Sentences with no capitalised word hold nothing the pass would keep from the English
        # model; skipped unless every place counts ("Paris is lovely" starts with a word).
        skip = holds_no_name if locations == "address" else None
        self.ner = SentenceNer(self.nlp, labels, batch_size, skip=skip)
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
            if entity in NER_LABELS:   # Devanagari names and places: only after cues
                ok = latin or (entity == "PERSON" and ("नाम" in text or HAS_TITLE.search(text)
                                                     or devanagari_name_pairs(text))) or (
                    entity == "LOCATION" and "रह" in text)
            elif entity in NEEDS_AT:
                ok = has_at
            elif entity == "IP_ADDRESS":
                ok = digits >= 2 or "::" in text
            else:
                ok = digits >= MIN_DIGITS.get(entity, 1)
            if ok:
                out.append(entity)
        return out

    def _ner_applies(self, text: str) -> bool:
        """Whether the string is in a language of `ner_languages`. Names belong to no language,
        but langdetect's character n-grams read them as one ("Maybe it's under Elita B
        Desaulniers" -> de, "Dexter lives on Ziegelgasse 19 street." -> nl), so a langdetect
        verdict is checked again without the capitalised words. Verdicts from the script, the
        Hinglish markers or the function words stand: they do not read names."""
        lang, _, method = self.language.detect(text)
        if not self._trusted(lang) and method == "langdetect":
            lang = self.language.detect(_CAPITALISED.sub(" ", text))[0]
        return self._trusted(lang)

    def _trusted(self, lang: str) -> bool:
        return lang in self.ner_languages or lang.split("-")[0] in self.ner_languages

    def analyze(self, texts: list[str]) -> list[list[Span]]:
        plans = [self.candidate_entities(t) for t in texts]
        needs_ner = [i for i, plan in enumerate(plans)
                     if any(e in NER_LABELS for e in plan)]
        ents = dict(zip(needs_ner, self.ner.entities([texts[i] for i in needs_ner])))
        for i in needs_ner:
            if not self._ner_applies(texts[i]):
                ents[i] = [(*part, label) for s0, e0, label in ents[i] if label in NER_LABELS
                           and (part := _name_part(texts[i], s0, e0))]
            elif "PERSON" in plans[i]:   # persons weighed before they seed the name rules, and after
                found = weigh_persons(texts[i], ents[i]) + greeted_names(texts[i])
                ents[i] = weigh_persons(texts[i], find_person_names(texts[i], found))
            else:
                ents[i] = [x for x in ents[i] if x[2] in NER_LABELS]
            ents[i] = self._credible(texts[i], ents[i], "PERSON" in plans[i])
        out = []
        for i, (text, plan) in enumerate(zip(texts, plans)):
            plan = _without_absent_names(text, plan, ents.get(i, ()))
            if not plan:
                out.append([])
                continue
            artifacts = self._artifacts(text, ents.get(i, ()))
            found = self.engine.analyze(
                text, language="en", entities=plan, nlp_artifacts=artifacts,
                score_threshold=self.score_threshold)
            code = code_spans(text) if found else []
            found = [r for r in found if not _fraction(text, r.start, r.entity_type)
                     and not doc_example(text, r.start, r.end, r.entity_type) and (
                not overlaps((r.start, r.end), code) or r.entity_type not in NER_LABELS
                and not (r.entity_type == "PHONE" and code_number(text, r.start, r.end)))
                and not (r.entity_type == "PHONE" and business_phone(text, r.start, r.end))]
            out.append(resolve_spans(text, found))
        return out

    def _credible(self, text: str, ents, persons: bool) -> list[tuple[int, int, str]]:
        """The NER entities that are names and personal places (`_a_term` says which are not);
        where capitalisation means nothing (Hinglish, Hindi/English) a person needs a cue
        (`curate.pii.romanised`), and a place must be personal under the LOCATION policy."""
        code = code_spans(text)
        romanised = romanised_context(text)
        cued = sorted(cued_names(text) + indian_name_pairs(text)) if romanised and persons else []
        cued = [x for x in cued if not a_romanised_title(text, *x)]   # "Lal Singh Chaddha (PG-13)"
        cues = [m.span() for m in NAME_CUE.finditer(text)] if persons else []
        kept = []
        for s, e, label in ents:
            if _a_term(text, s, e, code) or (label == "PERSON" and (
                    _common_words(text, s, e, cues) or _doc_term(text, s, e, code, cues))):
                continue
            if label == "PERSON" and romanised and not overlaps((s, e), cued):
                if not personal_place(text, s, e, "address"):
                    continue
                label = "LOCATION"   # "main Lisbon mein rehta hoon": NER's person is a place
            elif label == "PERSON" and romanised:
                s, e = without_romanised_words(text, s, e)
            if label == "LOCATION" and (not personal_place(text, s, e, self.locations) or self.locations
                                        == "address" and business_contact(text, s, e)):   # venue_facts.py
                continue
            kept.append((s, e, label))
        kept += [(s, e, "PERSON") for s, e in cued if not overlaps((s, e), kept)
                 and not _a_term(text, s, e, code) and not _common_words(text, s, e, cues)
                 and not _doc_term(text, s, e, code, cues)]
        kept += [(s, e, "PERSON") for s, e in (devanagari_name_pairs(text) if persons else [])
                 if not overlaps((s, e), kept) and not overlaps((s, e), code)   # no case to judge
                 and not a_romanised_title(text, s, e)]
        places = [(s, e) for s, e in residence_places(text) if not overlaps((s, e), code)]
        kept = [x for x in kept if not overlaps(x, places)]   # the longer span wins
        return sorted(kept + [(s, e, "LOCATION") for s, e in places])

    def _artifacts(self, text: str, ents):
        """Presidio's NlpArtifacts: the tokenizer's doc carrying the sentence-level entities."""
        from spacy.util import filter_spans

        doc = self.nlp.tokenizer(text)   # not make_doc: no max_length (E088) for tokens only
        spans = (doc.char_span(s, e, label=label, alignment_mode="expand") for s, e, label in ents)
        doc.ents = filter_spans([x for x in spans if x is not None])
        return self.nlp_engine._doc_to_nlp_artifact(doc, "en")


@lru_cache(maxsize=1)
def _census_names() -> frozenset[str]:
    return given_names() | surnames()


def _a_term(text: str, start: int, end: int, code) -> bool:
    """Whether a NER span is no name or place: inside code, shaped like an identifier or a
    variable or path (`$SERVER`, `/dev/null`), named after a programming tool, all lower case in a text that capitalises (unless census names),
    or alone an acronym or a designator ("ATM", "NEFT", "Euros"). The span is judged as
    trim_ner_span leaves it."""
    bounds = trim_ner_span(text, start, end)
    if bounds is None or overlaps((start, end), code):
        return True
    value = text[slice(*bounds)]
    if identifier_like(value) or variable_or_path(text, *bounds) or named_in_code(text, value, code) \
            or all(technical_term(text, w) for w in value.split()):
        return True
    if value == value.lower():   # "nacho", "vishay ko", "max"; not "john"
        return not _lower_case_name(value, text)
    if romanised_word_span(text, value) or listed_with_tools(text, *bounds):
        return True
    return " " not in value and (value.isupper() and len(value) <= 4
                                 or value.casefold() in DESIGNATORS)


def _lower_case_name(value: str, text: str) -> bool:
    """A lower-case span is a name when none of its words is ordinary ("max", "ko", "ek timer")
    or a dictionary word that is no census name ("convert string", "decode json": code intents
    written in lower case) and, in a text that capitalises, all are census names ("derek"; in a
    text all in lower case, forms and address blocks, "aksel kristensen" counts too)."""
    words = value.split()
    if any(ordinary_word(w) or common_word(w.capitalize()) for w in words):
        return False
    return text == text.lower() or all(w.capitalize() in _census_names() for w in words)


NUMBERS = ("CREDIT_CARD", "IN_AADHAAR", "PHONE", "US_SSN", "IN_VOTER", "IN_PASSPORT")


def _fraction(text: str, start: int, entity: str) -> bool:
    """Digits right after "<digit>." are the fraction of a decimal number (`1256.6370614359173`,
    `2.5358983848622456`), never a card, Aadhaar or phone number."""
    return (entity in NUMBERS and start >= 2 and text[start - 1] == "." and text[start - 2].isdigit()
            and text[start:start + 1].isdigit())


def _common_words(text: str, start: int, end: int, cues) -> bool:
    """A person span that is an ordinary capitalised word ("My Landlord"), an acronym ("Atm"), a
    currency/organisation name ("Russian Ruble") or an imperative ("- Ping a host"), unless a
    name cue introduces it."""
    bounds = trim_ner_span(text, start, end)
    return (bounds is not None and not overlaps(bounds, cues)
            and (not_a_person(text[slice(*bounds)]) or imperative(text, *bounds)))


def _doc_term(text: str, start: int, end: int, code, cues) -> bool:
    """A person span that the document's structure calls a term (`curate.pii.markdown`): in a
    heading of a page with code unless a census given name leads it, in a table row documenting
    code, before a version number, or an abbreviation defined in brackets; a name cue overrides
    them."""
    bounds = trim_ner_span(text, start, end)
    if bounds is None or overlaps(bounds, cues):
        return False
    first = text[slice(*bounds)].split()[0].strip(".'’,:")
    return (heading_term(text, *bounds, code) and first not in given_names()
            or code_table_cell(text, *bounds) or versioned(text, bounds[1])
            or defined_abbreviation(text, *bounds))


def _name_part(text: str, start: int, end: int) -> tuple[int, int] | None:
    """On text the English model does not understand (Hindi, Hinglish) keep only the part of a
    span that looks like a Latin-script proper name: leading capitalised words, none of them a
    Hindi function word or greeting, ending at a word boundary (never half a Devanagari word)."""
    from curate.passes.language import HINGLISH

    match = _PROPER_NAME.match(text, start, end)
    if not match:
        return None
    after = text[match.end():match.end() + 1]
    if after and (after.isalnum() or unicodedata.category(after).startswith("M")):
        return None
    words = [w.rstrip(".").casefold() for w in match.group().split()]
    if any(w in HINGLISH or w in _GREETINGS for w in words):
        return None
    return start, match.end()


_PROPER_NAME = re.compile(r"[A-Z][a-z]+\.?(?: [A-Z][a-z]+\.?)*")
_GREETINGS = {"namaste", "namaskar", "sir", "madam", "ji", "hello", "hi", "dear", "thanks", "plz"}


def _without_absent_names(text: str, plan: list[str], ents) -> list[str]:
    """Drop PERSON/LOCATION when NER found none and no name cue matches: most prose then needs
    no Presidio call at all, and the result is the same as asking."""
    found = {label for _, _, label in ents}
    return [e for e in plan if e not in NER_LABELS or e in found
            or (e == "PERSON" and (NAME_CUE.search(text) or ROLE_NAME.search(text)))]


def resolve_spans(text: str, results) -> list[Span]:
    """Drop known false positives, then keep one span per overlap (highest score, then longest;
    overlapping spans of one entity are joined)."""
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
        hit = [c for c in chosen if span.start < c.end and c.start < span.end]
        if not hit:
            chosen.append(span)
        elif len(hit) == 1 and hit[0].entity == span.entity:
            # Two detectors found parts of one value ("Shri Ramesh Chandra Verma": the cue the
            # whole name, NER "Chandra Verma"): replace all of it.
            merged = Span(min(span.start, hit[0].start), max(span.end, hit[0].end), span.entity,
                          hit[0].score)
            if all(c is hit[0] or merged.end <= c.start or merged.start >= c.end for c in chosen):
                chosen[chosen.index(hit[0])] = merged
    return sorted(chosen, key=lambda s: s.start)
