"""What a detected value becomes: placeholder, consistent pseudonym, redaction or salted hash.

The pseudonym is a pure function of (seed, entity type, normalised value): the same customer
email becomes the same fake address in every record, every worker process and every rerun, so
conversations stay coherent without any shared state. Fakes keep the value's shape (separators,
length, country code, check digits for cards and Aadhaar) so training text still looks real, and
use reserved ranges where one exists (example.com mail, 10.x addresses). Different values can
collide on one fake; that only merges two customers' placeholders, it never leaks a value.
"""
from __future__ import annotations

import hashlib
import random
import re

from tunecraft.text import fold_space

OPERATORS = ("placeholder", "pseudonym", "redact", "hash")

FIRST = ["Aarav", "Diya", "Ishaan", "Kavya", "Rohan", "Meera", "Kabir", "Saanvi", "Vivaan", "Anika",
         "James", "Maria", "David", "Sarah", "Daniel", "Laura", "Ahmed", "Yuki", "Lena", "Pablo"]
LAST = ["Mehta", "Kapoor", "Joshi", "Verma", "Bose", "Menon", "Desai", "Chopra", "Rao", "Kulkarni",
        "Miller", "Davis", "Lopez", "Wilson", "Moore", "Taylor", "Khan", "Sato", "Fischer", "Costa"]
CITIES = ["Nagpur", "Indore", "Surat", "Kochi", "Mysuru", "Leeds", "Porto", "Graz", "Tampere",
          "Ghent", "Halifax", "Tucson", "Adelaide", "Bergen", "Valencia", "Nantes"]
UPI_HANDLES = ["okaxis", "oksbi", "okhdfcbank", "ybl", "paytm", "upi"]


def rng_for(seed: int, entity: str, value: str) -> random.Random:
    digest = hashlib.sha256(f"{seed}\x1f{entity}\x1f{value}".encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


def normalise(entity: str, value: str) -> str:
    """One key per real-world value: '+91 98765 43210' and '9876543210' are one phone."""
    if entity in ("PHONE", "CREDIT_CARD", "IN_AADHAAR", "US_SSN"):
        digits = re.sub(r"\D", "", value)
        return digits[-10:] if entity == "PHONE" else digits
    return fold_space(value)


def _shape(value: str, rng: random.Random, keep: int = 0) -> str:
    """Same shape: digits→digits, letters→letters of the same case; the first `keep` kept."""
    out = list(value[:keep])
    for ch in value[keep:]:
        if ch.isdigit():
            out.append(str(rng.randrange(10)))
        elif ch.isalpha():
            letter = chr(ord("a") + rng.randrange(26))
            out.append(letter.upper() if ch.isupper() else letter)
        else:
            out.append(ch)
    return "".join(out)


def _with_check_digit(value: str, rng: random.Random, first: str, valid) -> str:
    """Shape-preserving fake whose digits (first digit fixed) pass the `valid` checksum."""
    digits = [first] + [str(rng.randrange(10)) for _ in range(sum(c.isdigit() for c in value) - 2)]
    body = "".join(digits)
    check = next((d for d in "0123456789" if valid(body + d)), "0")
    it = iter(body + check)
    return "".join(next(it) if c.isdigit() else c for c in value)


def _luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _verhoeff_ok(number: str) -> bool:
    from presidio_analyzer.predefined_recognizers import InAadhaarRecognizer

    return InAadhaarRecognizer._is_verhoeff_number(int(number))


def _person(rng):
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _phone(value, rng):
    prefix = re.match(r"\+\d{1,3}", value)
    return _shape(value, rng, keep=prefix.end() if prefix else 0)


def _ip(value, rng):
    if ":" in value:
        return "fd00::" + ":".join(f"{rng.randrange(65536):x}" for _ in range(3))
    return f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


FAKERS = {
    "PERSON": lambda v, r: _person(r),
    "LOCATION": lambda v, r: r.choice(CITIES),
    "EMAIL": lambda v, r: f"{_person(r).replace(' ', '.').lower()}{r.randrange(100)}@example.com",
    "IN_UPI": lambda v, r: f"{r.choice(FIRST).lower()}{r.randrange(1000)}@{r.choice(UPI_HANDLES)}",
    "PHONE": _phone,
    "IP_ADDRESS": _ip,
    "CREDIT_CARD": lambda v, r: _with_check_digit(v, r, next(c for c in v if c.isdigit()), _luhn_ok),
    "IN_AADHAAR": lambda v, r: _with_check_digit(v, r, str(r.randrange(2, 10)), _verhoeff_ok),
    "IBAN": lambda v, r: _shape(v, r, keep=2),
    "IN_GSTIN": lambda v, r: _shape(v, r, keep=2),
}


def pseudonym(seed: int, entity: str, value: str) -> str:
    rng = rng_for(seed, entity, normalise(entity, value))
    return FAKERS.get(entity, lambda v, r: _shape(v, r))(value, rng)


def operator_configs(entities, choice: dict, default: str, seed: int, salt: str) -> dict:
    """Presidio OperatorConfig per entity type, from the recipe's per-entity operator choice."""
    from presidio_anonymizer.entities import OperatorConfig

    def config_for(entity: str, op: str) -> OperatorConfig:
        if op == "placeholder":
            return OperatorConfig("replace", {"new_value": f"<{entity}>"})
        if op == "redact":
            return OperatorConfig("redact", {})
        if op == "hash":
            return OperatorConfig("hash", {"hash_type": "sha256", "salt": salt})
        return OperatorConfig("custom", {"lambda": _Pseudonymizer(seed, entity)})

    return {e: config_for(e, choice.get(e, default)) for e in entities}


class _Pseudonymizer:
    """A callable bound to one entity type (Presidio's custom operator passes only the text)."""

    def __init__(self, seed: int, entity: str):
        self.seed, self.entity = seed, entity

    def __call__(self, value: str) -> str:
        return pseudonym(self.seed, self.entity, value)
