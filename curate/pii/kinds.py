"""Records of a kind known to hold no personal names: worked maths (`skip_kinds: [maths]`).

Why: grade-school word problems name fictional people ("Natalia sold clips to 48 of her
friends"), and no detector can tell a fictional name from a real one, so by default they are
replaced (GSM8K: ~2,700 placeholders per 1,000 records). A user who curates a maths set can say
so; in such records the person and place detectors (NER, name rules) do not apply, the
structured ones (e-mail, phone, card, keys, ...) still do.

Off by default: a support ticket can hold arithmetic too ("charged 2 x 499 = 998"). Even with
the option on, a record is maths only when one of its strings is worked maths
(`curate.textkind.looks_like_maths`) and none carries a sign of a person writing: a greeting or
sign-off with a name, a name cue ("my name is", "मेरा नाम", "the Landlord Rahul Sharma"), or a structured value (an e-mail or a
phone number is never in a word problem).
"""
from __future__ import annotations

import regex

from curate.pii.recognizers import NAME_CUE, NER_LABELS
from curate.pii.roles import ROLE_NAME
from curate.textkind import looks_like_maths

KINDS = ("maths",)
_PERSONAL = regex.compile(
    r"(?i:^|\n)[ \t]*(?i:hi|hello|hey|dear|namaste|namaskar|good (?:morning|afternoon|evening))\b"
    r"|(?i:thanks|thank you|regards|cheers|best|sincerely|dhanyavaad)[,!.]?[ \t\n]+\p{Lu}\p{Ll}+")


def maths_record(texts: list[str], spans: list[list]) -> bool:
    """Whether a record (its strings and their spans) is worked maths and nothing personal."""
    if not any(looks_like_maths(t) for t in texts):
        return False
    if any(s.entity not in NER_LABELS for found in spans for s in found):
        return False
    return not any(_PERSONAL.search(t) or NAME_CUE.search(t) or ROLE_NAME.search(t) for t in texts)


def without_names(spans: list) -> list:
    return [s for s in spans if s.entity not in NER_LABELS]
