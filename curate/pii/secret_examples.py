"""Credential-shaped values that documentation writes as examples: no one's secret.

Why: docs, HTML technique pages and tutorials show where a key goes and what one looks like. AWS
documents its keys with `AKIAIOSFODNN7EXAMPLE` and `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`,
READMEs write `sk-xxxxxxxxxxxxxxxxxxxx` and `Bearer YOUR_ACCESS_TOKEN`, and prose about forms reads
"the autocomplete token current-password" or "the password is case-sensitive". gitleaks allows
such values in its allowlists (the `EXAMPLE` keys, stopwords, `^(?i:a+|b+|…|x+)$` runs and an
entropy floor on generic rules); detect-secrets drops templated and low-entropy values. A key
a user pasted is random: it has digits or mixed case and many distinct characters, and is not a
word of the language.
"""
from __future__ import annotations

import re

# gitleaks' allowlisted example keys end in EXAMPLE / EXAMPLEKEY; READMEs write the others.
_EXAMPLE_WORD = re.compile(r"(?i)example|sample|dummy|placeholder|redacted|your[_-]?|x{4,}|\.\.\.|<|>")
_PREFIX = re.compile(r"^(?:sk-(?:proj-|svcacct-|admin-)?|AKIA|ASIA|ABIA|ACCA|A3T.|gh[pousr]_|github_pat_|"
                     r"xox[abposr]-|AIza)")
_MIN_DISTINCT = 5   # distinct characters a random value of 16+ characters cannot fall below


def example_secret(value: str) -> bool:
    """A value that says it is an example, or that is a run of a few characters after its
    prefix (`sk-xxxxxxxx…`, `AKIA0000000000000000`)."""
    if _EXAMPLE_WORD.search(value):
        return True
    body = _PREFIX.sub("", value)
    return len(body) >= 8 and len(set(body.lower()) - set("-_")) < _MIN_DISTINCT


def wordy(value: str) -> bool:
    """Words of the language joined by hyphens, underscores or dots, no digit ("current-password",
    "organization-title", "case-sensitive"): prose, or a name from a spec, never a random token."""
    from curate.pii.common_words import english_words
    from curate.pii.person_evidence import _short_words

    core = value.strip(".,;:!?")
    if not core or any(c.isdigit() for c in core):
        return False
    parts = [p for p in re.split(r"[-_.]+", core.lower()) if p]
    return bool(parts) and all(p.isalpha() and (p in english_words() or p in _short_words())
                               for p in parts)


_BASE64_LINE = re.compile(r"[A-Za-z0-9+/=]{16,}")


def key_material(block: str) -> bool:
    """Whether a private-key block holds key material: a run of base64 (PEM wraps it at 64
    characters a line; a pasted fragment has 16 or more); a docs block reads "...", "<your key>"
    or nothing between header and footer."""
    return bool(_BASE64_LINE.search(block))


# The passwords every tutorial and breach list shows (SecLists' top entries), spelled in
# leetspeak ("P@ssw0rd1", "myp@ssw0rd", "Passw0rd!"): an example of a weak password, not anyone's.
_LEET = str.maketrans("@4310$5!7", "aaeiosslt")
_STOCK = re.compile(r"(?:my|new|old|your|the)?(?:password|passwd|pass|secret|changeme|letmein|qwerty|"
                    r"welcome|admin|iloveyou|abc|test)[\d!?#*.@$_-]*")


def stock_password(value: str) -> bool:
    """A tutorial's stock password: "password", "P@ssw0rd1", "myp@ssw0rd", "admin123"."""
    core = re.sub(r"[\d!?#*.$_-]+$", "", value.lower())   # "P@ssw0rd1": the 1 is a suffix, not an i
    return bool(core) and bool(_STOCK.fullmatch(core.translate(_LEET)) or _STOCK.fullmatch(value.lower()))


_ALTERNATION = re.compile(r"\|?[a-z_]+(?:[:=][\w.,-]*)?(?:\|[a-z_]+(?:[:=][\w.,-]*)?){2,}\|?")


def rule_list(value: str) -> bool:
    """Tokens joined by "|": a validation rule ("required|min:6|max:30") or a grep alternation
    ("pass=|pwd=|login="), not a value typed as a password."""
    return bool(_ALTERNATION.fullmatch(value))
