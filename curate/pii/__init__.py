"""PII detection and anonymisation for the `pii` pass (Presidio + spaCy, offline).

- `recognizers`: which Presidio recognizers run, under our entity names (+ UPI, IFSC).
- `analyzer`: batch detection (one `nlp.pipe` per batch, NER-only spaCy, per-string prefilter).
- `operators`: placeholder / consistent pseudonym / redact / salted hash.
- `detect`: every detector over a batch of strings; `secrets` (SECRET: keys, tokens, passwords);
  `views` (URL-encoded, full-width, HTML entities, values broken over lines).
- `fields`: every string of a record and its kind; `spread`: a value found once is replaced
  everywhere in its record and conversation; `outside`: file names and error text.
- `code`, `places`, `romanised`: where NER must not apply (code), which places are personal
  (the LOCATION policy), and which romanised-Hindi words are names (cues, not capitals).
"""
from curate.pii.recognizers import ENTITIES

__all__ = ["ENTITIES"]
