"""Credentials found in text: the SECRET entity of the pii pass.

Why: a support ticket or a code-help chat that carries an API key, a bearer token or a database
URL with its password gives access to someone's account, which is worse than a phone number. The
patterns are ported from the maintained scanners rather than invented: Yelp's detect-secrets
(plugins aws.py, github_token.py, slack.py, jwt.py, private_key.py, openai.py, basic_auth.py,
keyword.py; Apache-2.0) and gitleaks (config/gitleaks.toml: gcp-api-key, generic bearer; MIT).
Only shapes with a fixed prefix or an explicit label are kept ("password: …", "Bearer …"): a
high-entropy-string rule would take hashes, UUIDs and base64 data in code for secrets.

Plain regexes, not Presidio recognizers: they need no NLP, so they run on every string, in code
and in any language, at the cost of one combined scan.
"""
from __future__ import annotations

import re

from curate.pii.doc_examples import code_reference, placeholder_secret
from curate.pii.secret_examples import example_secret, key_material, rule_list, stock_password, wordy

# (name, pattern, group): `group` is the part replaced (0 = the whole match). Labelled forms keep
# their label so the text still reads "password: <SECRET>".
PATTERNS = [
    # detect-secrets PrivateKeyDetector (header) — the whole block goes, header to footer.
    ("private_key", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
                    r"[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\Z)", 0),
    # detect-secrets AWSKeyDetector
    ("aws_access_key", r"\b(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{16}\b", 0),
    ("aws_secret_key", r"(?i)aws.{0,20}?(?:secret|key).{0,20}?['\"=:]\s*['\"]?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])", 1),
    # detect-secrets GitHubTokenDetector (+ gitleaks github-fine-grained-pat)
    ("github_token", r"\b(?:gh[pousr]_[A-Za-z0-9_]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b", 0),
    # detect-secrets SlackDetector
    ("slack_token", r"\bxox(?:a|b|p|o|s|r)-(?:\d+-)+[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\b", 0),
    ("slack_webhook", r"https://hooks\.slack\.com/services/T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/[A-Za-z0-9_]+", 0),
    # detect-secrets OpenAIDetector, widened to the current sk-proj-/sk-svcacct- keys (gitleaks openai-api-key)
    ("openai_key", r"\bsk-(?:proj-|svcacct-|admin-|ant-api\d\d-)?[A-Za-z0-9_-]{20,}\b", 0),
    # gitleaks gcp-api-key
    ("google_api_key", r"\bAIza[0-9A-Za-z_-]{35}\b", 0),
    # detect-secrets JwtTokenDetector
    ("jwt", r"\beyJ[A-Za-z0-9_-]{8,}={0,2}\.eyJ[A-Za-z0-9_-]{8,}={0,2}\.[A-Za-z0-9_-]*={0,2}", 0),
    # gitleaks generic bearer / Authorization headers
    ("bearer", r"(?i)\b(?:bearer|token)\s+([A-Za-z0-9_\-.~+/]{16,}=*)", 1),
    # detect-secrets BasicAuthDetector: scheme://user:password@host (connection strings)
    ("url_credentials", r"[A-Za-z][A-Za-z0-9+.-]*://[^\s:/?#\[\]@]+:([^\s/?#\[\]@]+)@", 1),
    # detect-secrets KeywordDetector, reduced to explicit "password: value" / "api_key = value".
    # The value is on the label's line, as detect-secrets scans line by line: after "a password:"
    # that ends a line comes the next step of a how-to ("...a password:\n\n`ansible-vault create`").
    ("keyword", r"(?i)\b(?:pass(?:word|wd|phrase)?|pwd|secret|api[_-]?key|access[_-]?token|"
                r"auth[_-]?token|client[_-]?secret|private[_-]?key)\b[\"']?[ \t]*(?:[:=]|=>|\bis\b)[ \t]*"
                r"[\"']?([^\s\"',;()\[\]{}<>]{4,})(?=[\s\"',;)}>]|$)", 1),
]
_COMPILED = [(name, re.compile(pattern), group) for name, pattern, group in PATTERNS]
# Values after a keyword that are not secrets: the field left blank, a template slot, a placeholder.
_NOT_A_VALUE = re.compile(r"^(?:<[^>]*>?|\*+|x+|\.+|null|none|true|false|required|optional|"
                          r"string|your[_-].*|\{.*|\$.*|%.*)$", re.IGNORECASE)
_HINT = re.compile(r"(?i)PRIVATE KEY|AKIA|ASIA|ABIA|ACCA|A3T|aws|gh[pousr]_|github_pat_|xox|hooks\.|"
                   r"sk-|AIza|eyJ|bearer|token|://|pass|pwd|secret|api.?key|private.?key")


def _keyword_value(label: str, value: str) -> bool:
    """After "password:" anything but a blank or a template slot is the password; after
    "password is" only a word with a digit or a symbol ("… is hunter2", not "… is required.")."""
    value = value.rstrip(".!?")
    if not value or _NOT_A_VALUE.match(value) or placeholder_secret(value) or code_reference(value) \
            or stock_password(value) or rule_list(value):   # secret_examples.py
        return False
    if re.match(r"(?i)secret\b", label) and re.search(r"\bis\b", label):
        return False   # "the secret is 24-hour support": prose; "api key is …", "password is …" stay
    if re.match(r"(?i)pass\b", label):   # a verb in prose ("can pass is 24-by-24", "Pass: 4.5:1")
        return "=" in label or ":" in label and _mixed(value) and not wordy(value)
    if "=" in label and not label.rstrip().endswith(("'", '"')) and wordy(value):
        return False   # `self.access_token = access_token`: a variable, unquoted (detect-secrets wants quotes in code)
    return any(c in label for c in ":=") or not (value.isalpha() or wordy(value))


def _mixed(value: str) -> bool:
    """Letters with digits or symbols, not opening with a digit: "hunter2", not "4.5:1"."""
    return value[:1].isalpha() and not value.isalpha() and any(c.isalpha() for c in value)


def find_secrets(text: str) -> list[tuple[int, int]]:
    """(start, end) of every credential in `text`, left to right, not overlapping (the longest
    wins where two patterns overlap: a JWT after "Bearer" is one secret)."""
    if not _HINT.search(text):
        return []
    found = []
    for name, pattern, group in _COMPILED:
        for match in pattern.finditer(text):
            start, end = match.span(group)
            if name == "keyword" and not _keyword_value(text[match.start():start], text[start:end]):
                continue
            if name == "url_credentials" and placeholder_secret(text[start:end]):
                continue   # "postgresql://user:pass@localhost/db": the docs' stand-in
            if name == "bearer" and (placeholder_secret(text[start:end]) or wordy(text[start:end])):
                continue   # "Bearer YOUR_ACCESS_TOKEN", "the autocomplete token current-password"
            if not key_material(text[start:end]) if name == "private_key" else example_secret(text[start:end]):
                continue   # AKIAIOSFODNN7EXAMPLE, sk-xxxx…, a key block that holds no key
            found.append((start, end))
    found.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
    chosen: list[tuple[int, int]] = []
    for start, end in found:
        if all(end <= s or start >= e for s, e in chosen):
            chosen.append((start, end))
    return sorted(chosen)
