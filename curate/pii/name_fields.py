"""Person names the data itself labels: values of columns such as `customer_name`.

Why: a bare "Arjun Nair" in a `customer_name` column has no sentence around it, so spaCy reads it
as anything or nothing, and such columns leaked into `meta` of the clean splits. The column's name
is stronger evidence than any detector: its values are replaced whole, and wherever else in the
same batch a value occurs as a whole word sequence ("Hi Arjun Nair, your card ...") it is a PERSON
too. Reader rejects keep the raw line; when that line is a JSON object its columns count as well.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterable

import orjson

# The key's last word(s) that say "a person's name": customer_name, customerName, "Full Name".
_NAME_ENDINGS = {"name", "surname", "fullname", "firstname", "lastname", "givenname", "middlename"}
# Words that make a *_name column something other than a person's name.
_NOT_A_PERSON = frozenset("""
file host path domain product plan bank branch company org organisation organization business
merchant intent label type channel device app city state country region district tag brand event
field column table model class category queue team department project service feature variable
key scheme item sku package course
""".split())


@lru_cache(maxsize=4096)
def is_name_key(key: str) -> bool:
    words = re.findall(r"[a-z]+", re.sub(r"(?<=[a-z])(?=[A-Z])", "_", key).lower())
    if not words or any(w in _NOT_A_PERSON for w in words):
        return False
    return words[-1] in _NAME_ENDINGS or "".join(words[-2:]) in _NAME_ENDINGS


def name_values(meta: Any, under_name_key: bool = False) -> set[str]:
    """Strings stored under a name key anywhere in `meta` (and in a reject's raw JSON line)."""
    found: set[str] = set()
    if isinstance(meta, str):
        if under_name_key and re.search(r"[^\W\d_]", meta) and len(meta.strip()) > 1:
            found.add(meta.strip())
    elif isinstance(meta, dict):
        pair = _name_value_pair(meta)
        for key, value in meta.items():
            if key == "raw" and isinstance(value, str) and value.lstrip().startswith("{"):
                found |= name_values(_json_object(value))
            found |= name_values(value, under_name_key or is_name_key(str(key)) and not (pair and key == pair))
    elif isinstance(meta, (list, tuple)):
        for value in meta:
            found |= name_values(value, under_name_key)
    return found


def _name_value_pair(obj: dict) -> str | None:
    """The key "name" of a name/value pair ({"name": "request", "value": ...}: Taskmaster's
    annotations, HTTP headers, form fields), where it names the field, not a person; else None.
    Taskmaster's "api_call"/"request"/"response" were replaced as persons in every turn and
    every meta string of a dialogue (28 placeholders per coffee order)."""
    keys = {str(k).casefold(): k for k in obj}
    return keys["name"] if "name" in keys and "value" in keys else None


def _json_object(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None


def name_pattern(names: Iterable[str]) -> re.Pattern | None:
    """One regex for every known name, longest first, matching whole words only."""
    names = sorted(set(names), key=lambda n: (-len(n), n))
    if not names:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)")
