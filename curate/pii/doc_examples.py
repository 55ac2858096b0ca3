"""Values that documentation, lessons and sample code write in place of real ones.

Why: library docs, HTML pages and code notes are full of values shaped like PII that belong to no
one: `password='test'` in a test fixture, `password: process.env.DB_PASSWORD` in a config file,
`postgresql://user:pass@localhost/db` in a connection example, section numbers ("Section
12.7.3.1") read as IP addresses, the sample input of a loop exercise ("7 8 9 10 11") read as a
card or social-security number, SVG path data ("c0.359-0.375 0.797-0.594") read as phone numbers,
and HTML tag names ("<li>", `nav ul li a`) read as persons. Replacing them damages the text a
user trains on and protects nobody; a real credential, number or name in the same places is
still replaced (tests/test_pii_round6_docs.py holds both sides).

Secrets follow the false-positive filters of Yelp's detect-secrets (`filters/heuristic.py`:
is_sequential_string, is_templated_secret, is_indirect_reference; its keyword plugin wants a
quoted value in code) and the stopwords of gitleaks' allowlists: a value that is a run of the
keyboard or the alphabet, a template name, the label's own word ("password: password"), words
that mean "a password goes here" ("my_secret_pass", "changeme"), or a reference to where the
secret lives (a variable, an environment lookup, an attribute) is no secret.
"""
from __future__ import annotations

import re
import string

from curate.pii.sample_names import sample_name

# Words a documentation author writes where a credential goes; a value made only of these (and
# digits or punctuation: "Password123!", "secret123", "my_secret_pass") is a placeholder.
_PLACEHOLDER_WORDS = frozenset("""
password passwords passwd pass pwd secret secrets token key apikey api changeme change me my your
the some test testing tests demo dev example sample dummy fake default admin root user
username guest foo bar baz qux xxx xxxx letmein qwerty abc abcd hashed hash value here
insert put replace enter new old super top s3cret
""".split())
# detect-secrets' is_sequential_string: runs of the alphabet, the digits and base64's alphabet.
_SEQUENCES = (string.ascii_uppercase * 2 + string.digits + "+/", string.digits + string.ascii_uppercase * 2 + "+/",
              (string.digits + string.ascii_uppercase) * 2, string.digits * 2,
              string.hexdigits.upper() * 2, string.ascii_uppercase + "=/")
# Names code gives a value it reads from somewhere else: keywords that open an expression.
_EXPRESSION_WORDS = frozenset("""
await new this self null undefined none nil true false function lambda os process env getenv
environ input request req config settings options opts args kwargs params
""".split())
_MEMBER = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+")     # process.env.X, var.db_password
_CAMEL = re.compile(r"[a-z]+(?:[A-Z][a-z]+)+")                      # hashedPassword
_CONSTANT = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")            # SESSION_SECRET, HASH, ^PASS^


def placeholder_secret(value: str) -> bool:
    """Whether a value after a credential label (or in a URL's password slot) is a stand-in: a
    run of the alphabet or the digits, an upper-case template name, or words that only say
    "password here"."""
    core = value.strip("`'\"^{}<>[]%$")
    if not core:
        return True
    if len(core) >= 3 and any(core.upper() in run for run in _SEQUENCES):
        return True
    if _CONSTANT.fullmatch(core) and not any(c.isdigit() for c in core):
        return True
    words = [w for w in re.split(r"[^A-Za-z]+", core) if w]
    return bool(words) and all(w.lower() in _PLACEHOLDER_WORDS for w in words)


def code_reference(value: str) -> bool:
    """Whether a value after `password:` / `secret =` is code that names where the secret is (an
    attribute, a camelCase variable, an environment lookup), not the secret: detect-secrets asks
    for a quoted value in code for this reason."""
    return bool(_MEMBER.fullmatch(value) or _CAMEL.fullmatch(value)) or value.lower() in _EXPRESSION_WORDS


_DOTTED_RUN = re.compile(r"\d+(?:\.\d+){4,}")
_SECTION_CUE = re.compile(r"(?i)(?:\b(?:section|sections|sec|chapter|clause|part|paragraph|article|"
                          r"appendix|version|release|rule|step|item|figure|table)|§)\s*$")


def outline_number(text: str, start: int, end: int) -> bool:
    """An IPv4-shaped number that is the numbering of a document (Section 12.7.3.1, §4.1.2.1) or
    four parts of a longer dotted run (1.3.1.2.4): a document's outline, not a host."""
    line_start = text.rfind("\n", 0, start) + 1
    run = _DOTTED_RUN.match(text, _run_start(text, start))
    if run and run.end() >= end and run.group().count(".") >= 4:
        return True
    return bool(_SECTION_CUE.search(text, max(line_start, start - 24), start))


def _run_start(text: str, start: int) -> int:
    while start > 0 and (text[start - 1].isdigit() or text[start - 1] == "." and start > 1
                         and text[start - 2].isdigit()):
        start -= 1
    return start


_INTEGER = re.compile(r"\d+")
_DECIMAL_LIST = re.compile(r"-?\d+\.\d+(?:(?:[\s,]+-?|-)\d+\.\d+)+")   # not "555.123.4567"
_WHITESPACE_LIST = re.compile(r"\d+(?:[\s,]+\d+)+")


def counting_numbers(value: str) -> bool:
    """Numbers that count or draw, not identify: four or more integers apart by spaces in a constant
    step ("7 8 9 10", "10 20 30 40"; the sample input of an exercise), a triangle of digits ("1 12 123
    1234"), or a list of decimal fractions (SVG path data "0.438-0.203 0.797-0.594")."""
    if _DECIMAL_LIST.fullmatch(value.strip()):
        return True
    groups = _INTEGER.findall(value)
    if len(groups) < 4 or not _WHITESPACE_LIST.fullmatch(value.strip()):
        return False   # a phone's groups ("123-456-7890", "(555) 234 5678") never count
    numbers = [int(g) for g in groups]
    steps = {b - a for a, b in zip(numbers, numbers[1:])}
    if len(steps) == 1 and 0 not in steps:
        return True
    return all(b.startswith(a) and len(b) == len(a) + 1 for a, b in zip(groups, groups[1:]))


_HTML_ELEMENTS = frozenset("""
a abbr address area article aside b bdi bdo blockquote body br button caption cite code col dd
del details dfn div dl dt em figure footer form h1 h2 h3 h4 h5 h6 head header hr html i img input
ins kbd label legend li link main mark meta nav ol option p pre q s samp section select small
span strong sub summary sup table tbody td th thead time title tr u ul var video
""".split())


def in_markup(text: str, start: int, end: int) -> bool:
    """A name span that runs into an HTML tag ("Example 1</h3" of "<h3>Example 1</h3>"), is a
    tag's name ("li" of "<li>If …") or is an element name in lower case (a CSS selector `nav ul
    li a`): markup, not a person. A name between tags ("<b>Rahul Sharma</b>") is not."""
    value = text[start:end]
    return ("<" in value or ">" in value or all(w in _HTML_ELEMENTS for w in value.split())
            or text[max(0, start - 1):start] == "<" or text[max(0, start - 2):start] == "</")


_DEVANAGARI = re.compile(r"[\u0900-\u097F]")


def english_term_in_hindi(text: str, start: int, end: int) -> bool:
    """In Devanagari prose, a Latin-script span made only of English dictionary words whose first
    word is no census given name is a technical term ("Primary Key", "High Throughput", "MS
    Office"): Hindi notes write their terms in English, and capitals there mark a term, not a
    name. A romanised Indian name ("Heera Singh Lodhi") is no dictionary word and stays a name."""
    from curate.pii.common_words import _given, english_words
    from curate.pii.person_evidence import _short_words

    if not _DEVANAGARI.search(text):
        return False
    words = re.findall(r"[A-Za-z]+", text[start:end])
    known = english_words()
    return bool(words) and words[0] not in _given() and all(
        w.lower() in known or w.lower() in _short_words() or w.isupper() for w in words)


NUMBERS = ("CREDIT_CARD", "IN_AADHAAR", "PHONE", "US_SSN", "IN_VOTER", "IN_PASSPORT")


def doc_example(text: str, start: int, end: int, entity: str) -> bool:
    """Whether a detected span is one of the example values above (the analyzer drops it)."""
    if entity == "IP_ADDRESS":
        return outline_number(text, start, end)
    if entity in NUMBERS:
        return counting_numbers(text[start:end])
    if entity in ("PERSON", "LOCATION"):
        return in_markup(text, start, end) or english_term_in_hindi(text, start, end) or sample_name(text, start, end)
    return False
