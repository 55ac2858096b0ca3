"""Where a text is code, and which words are identifiers: NER (PERSON, LOCATION) never applies there.

Why: spaCy's English model reads identifiers as names and places (`LoraConfig`, `filterEvenNumbers`,
`num1`, `range`, "Java"); on one code-instruction set 41% of the kept rows carried placeholders.
Inside fenced or inline code, on lines that are code, and in a text that is mostly code, only the
structured detectors (e-mail, phone, card, keys, ...) run: a phone number in a code comment or a
string is still a phone number, a capitalised identifier is not a person, and a number written
as a literal (`assert f(1234567890) == 3`) is a number. Outside code, a NER span with an
identifier-shaped word (camelCase, snake_case, digits, brackets) or a programming-language name
is not a person or a place either.
"""
from __future__ import annotations

import re

from curate.textkind import FENCE as _FENCE     # one definition of a fenced block (quality, html too)

_INLINE = re.compile(r"`[^`\n]+`")
# A shell command line: a prompt ("$ git status"), or a tool that is no English word followed by an
# option ("git commit -m ...", "pip install -U peft"); prose that names a tool has no option.
_SHELL = (r"(?:git|pip3?|npm|npx|yarn|pnpm|docker|kubectl|helm|curl|wget|python3?|conda|apt-get|apt"
          r"|brew|cargo|rustup|ssh|scp|rsync|chmod|chown|mkdir|tar|grep|sed|awk|bash|zsh|uv|poetry"
          r"|pytest|torchrun|accelerate|huggingface-cli|gcloud|aws|az|terraform|ffmpeg|java|javac)")
# Any lower-case command followed by an option is a shell line too ("dpkg -S file", "find . -type f");
# an option is never a capitalised word: "thanks -Rahul" is a sign-off.
_OPTION = r"[ \t](?:--[a-z][\w-]*|-[A-Za-z]{1,2}(?![\w-])|-[a-z][\w-]*)(?=[ \t=]|$)"
_SHELL_LINE = re.compile(r"^[ \t]*(?:\$[ \t]+[a-z]|sudo[ \t]+[a-z]|" + _SHELL + r"\b[^\n]*[ \t]--?[A-Za-z]"
                         r"|[a-z][\w.+-]*(?=[ \t])[^\n]*?" + _OPTION + ")", re.M)
# A line that is code: a statement keyword at its start, or code punctuation in it.
_CODE_START = re.compile(
    r"^[ \t]*(?:from[ \t]+[\w.]+[ \t]+import\b|import[ \t]+[\w{*'\"]|(?:async[ \t]+)?def[ \t]+\w+"
    r"|class[ \t]+\w+[ \t]*[:({]|function\b[ \t]*\w*[ \t]*\(|return\b|const[ \t]+\w|let[ \t]+\w"
    r"|var[ \t]+\w|(?:public|private|protected|static)[ \t]|#include\b|using[ \t]+namespace"
    r"|package[ \t]+[\w.]+;|export[ \t]|for[ \t]*\(|for[ \t]+[\w, ()]+[ \t]+in[ \t].*:[ \t]*$"
    r"|while[ \t]*\(|if[ \t]*\(|elif\b|else\b[ \t]*[:{]|try[ \t]*[:{]|except\b|catch[ \t]*\("
    r"|print[ \t]*\(|console\.log|System\.out|>>>[ \t]|(?:SELECT|INSERT[ \t]+INTO|UPDATE|DELETE"
    r"[ \t]+FROM|CREATE[ \t]+TABLE)[ \t]|\"\"\"|'''|//|/\*|\*/|[})\]][;,)]*[ \t]*$)")
_CODE_INSIDE = re.compile(r"[;{][ \t]*$|=>|==|!=|&&|\|\||->|::|\+=|\w\([^)\n]*\)[ \t]*[:;{]"
                          r"|^[ \t]*\w+(?:\.\w+)*[ \t]*=[ \t]*\S|\w+\.\w+\(")


def _code_line(line: str) -> bool:
    return bool(_CODE_START.match(line) or _CODE_INSIDE.search(line))


_DOCSTRING = re.compile(r"(\"\"\"|''').*?(?:\1|\Z)", re.S)


def code_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of `text` that are code: the whole text when it starts with a line of
    code or when a third of its lines are code (a docstring inside a function is code too);
    else fenced blocks, inline code, docstrings and the code lines."""
    if "\n" not in text and "`" not in text:
        return [(0, len(text))] if _code_line(text) or _SHELL_LINE.match(text) else []
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]*\S[^\n]*", text)]
    code = [(s, e) for s, e in lines if _code_line(text[s:e])]
    if code and (code[0] == lines[0] or len(code) * 3 >= len(lines) and len(code) >= 2):
        return [(0, len(text))]
    # Shell lines are code themselves, never a sign that the prose around them is.
    shell = [(s, e) for s, e in lines if (s, e) not in code and _SHELL_LINE.match(text[s:e])]
    blocks = (_FENCE, _INLINE, _DOCSTRING) if code else (_FENCE, _INLINE)
    return [m.span() for r in blocks for m in r.finditer(text)] + code + shell


def number_literal(text: str, start: int, end: int) -> bool:
    """Whether the digits text[start:end] (in code) are number literals: digits, decimal points,
    brackets and operators only (a phone matcher takes the brackets of `f(1234567890)` along, or
    reads `(123.456) - 0.456` as a grouped number), outside
    any string or comment on their line, no phone word on the line before them."""
    if not _NUMERIC.fullmatch(text, start, end):
        return False
    before = text[text.rfind("\n", 0, start) + 1:start]
    if before.count('"') % 2 or before.count("'") % 2 or "#" in before or "//" in before:
        return False
    return not _PHONE_WORD.search(before)


def code_number(text: str, start: int, end: int) -> bool:
    """Whether digits inside code are no phone number: a number literal, or a digit string in a
    string literal or assertion ("0123456789", "12345654321", '2 3 4 6 9') with no phone word on
    its line, no "+" before it and not the ten digits of an Indian mobile number. A phone number
    in code is a constant someone named or formatted as one: `SUPPORT_PHONE = "..."`,
    `"+44 20 7946 0958"`, `"9820123456"`."""
    if number_literal(text, start, end):
        return True
    line_start, line_end = text.rfind("\n", 0, start) + 1, text.find("\n", end)
    if _PHONE_WORD.search(text, line_start, line_end if line_end >= 0 else len(text)):
        return False
    if "+" in text[max(line_start, start - 2):end]:
        return False
    return not _MOBILE.fullmatch(re.sub(r"\D", "", text[start:end]))


_MOBILE = re.compile(r"(?:0|91)?[6-9]\d{9}")
_NUMERIC = re.compile(r"[\d\s.,()\[\]{}+*/<>=-]*\d[\d\s.,()\[\]{}+*/<>=-]*")
_PHONE_WORD = re.compile(r"(?i)phone|mobile|\bmob\b|\bcell|\btel\b|whatsapp|contact|\bfax\b")


# camelCase / PascalCase compounds ("getLength", "LoraConfig", "TaskType": an upper-case letter
# after three lower-case ones; "McDonald", "MacKenzie", "DeAndre" have at most two), snake_case,
# a digit, brackets, a dot or slash between letters: an identifier, not a name.
# A word that starts with a dash and a letter is a command-line option ("-exec", "-S"), never
# part of a name.
# A word ending in a capital after a small letter is an abbreviation ("IaC", "GiB", "DoT"): no name
# ends so.
_IDENTIFIER = re.compile(r"^[a-z]+[A-Z]|[a-z]{3}[A-Z]|[_\d()\[\]{}<>=/\\]|[A-Za-z]\.[A-Za-z]{2}|^--?[A-Za-z]"
                         r"|[a-z][A-Z]$")

PROGRAMMING = frozenset("""
java javascript typescript python kotlin scala perl php haskell rust golang fortran cobol matlab
pascal lisp clojure erlang elixir django flask fastapi react angular vue node nodejs numpy pandas
pytorch tensorflow keras scikit sklearn linux ubuntu debian fedora centos windows macos android
ios excel postgresql postgres mysql sqlite mongodb redis docker kubernetes git github gitlab
jupyter spark hadoop kafka selenium jenkins ansible terraform bash powershell html css json xml
yaml markdown latex arduino unix jquery bootstrap laravel spring hibernate maven gradle npm pip
conda anaconda huggingface transformers peft lora qlora bert gpt llama mistral gemma sql nosql
""".split())
# Language names that are also given names or words: not a name only where the text is about
# programming.
_AMBIGUOUS = frozenset("ruby julia swift go dart ada lua crystal elm nim r c".split())
_ABOUT_CODE = re.compile(r"\b(?:program\w*|code|coding|function|language|script|library|syntax|"
                         r"compiler?|developer|install\w*|framework|variable|loop|array)\b", re.I)


def identifier_like(span: str) -> bool:
    """Whether a word of `span` is shaped like an identifier."""
    words = (w.strip(_QUOTING) for w in span.split())
    return any(_IDENTIFIER.search(w[1:-1] if w[:1] + w[-1:] == "()" else w) for w in words)


# Quoting and sentence punctuation around a word: "> Alberico", "Rizzo,", "'Tracy'".
_QUOTING = ">\"'“”‘’.,;:!?"


def technical_term(text: str, word: str) -> bool:
    """A programming language, library or tool name ("Java", "Django"; "Ruby" only in a text
    about programming)."""
    plain = word.casefold().strip(".'’")
    return plain in PROGRAMMING or (plain in _AMBIGUOUS and bool(_ABOUT_CODE.search(text)))


def variable_or_path(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is a shell or template variable (`$TEMPFILE`, `${SERVER}`,
    `%USERPROFILE%`) or a lower-case part of a path (`/dev/null`): the word names a value."""
    before = text[max(0, start - 2):start]
    if before.endswith(("$", "%")) or before == "${":
        return True
    value = text[start:end]
    return value == value.lower() and (before.endswith("/") or text[end:end + 1] == "/")


_URL = re.compile(r"https?://[^\s)\]>\"']+|\{#[\w-]+\}|</?[A-Z]\w*")


def named_in_code(text: str, value: str, code=()) -> bool:
    """Whether a one-word span is also written as a web address, a heading anchor or a tag in the
    same text (`[Vite](https://vitejs.dev/)`, `{#deferred-teleport}`, `<Teleport>`), or as a
    command, file or domain in its code (`cradle elastic flush`, `bin/inkscape`,
    `email@gmail.com`): the name of a tool or a component, which docs link and run; a person's
    name in a ticket is not. A mailbox's user part (`rahul@host`) and a home folder
    (`/home/rahul`) name a person, so they do not count."""
    word = value.strip(".'’,:!?").casefold()
    if " " in word or len(word) < 3 or not word.isalpha():
        return False
    written = [m.group() for m in _URL.finditer(text)] + [
        _PERSONAL_PARTS.sub(" ", text[s:e]) for s, e in code]
    for part in written:
        for token in re.split(r"[^a-z]+", part.casefold()):
            if token.startswith(word) and len(token) <= len(word) + 2:   # "vitejs", "teleport"
                return True
    return False


# The parts of code that hold a person's name: a mailbox's user part, a home folder's name.
_PERSONAL_PARTS = re.compile(r"[\w.+-]+@|(?:/home|/Users|\\Users)[/\\][\w.-]+", re.I)


_AND = re.compile(r"^(?:and|or|&)\s+|\s*(?:etc\.?)?[.)\]:]*$")


def listed_with_tools(text: str, start: int, end: int) -> bool:
    """Whether the one word text[start:end] is an item of a comma list (three items or more on
    its line) in which another item is one word written as code (`rbash`), a tool's name (npm)
    or in lower case (shapefile), or shaped like an identifier (vLLM, Next.js): coordinated items are of one kind ("Bash, Zsh, `rbash`, and
    `ksh`"; "supports Geoparquet, shapefile, geojson"), and a list of people holds neither."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end) % (len(text) + 1)
    items = text[line_start:line_end].split(",")
    if len(items) < 3 or " " in text[start:end].strip():
        return False
    offset, mine = line_start, None
    for k, item in enumerate(items):
        if offset <= start < offset + len(item):
            mine = k
        offset += len(item) + 1
    if mine is None or not _AND.sub("", items[mine].strip()).endswith(text[start:end].strip()):
        return False
    others = [_AND.sub("", x.strip()) for k, x in enumerate(items) if k != mine]
    return any(" " not in x and x and (x.startswith("`") or x == x.lower() and x.isalpha()
                                        or technical_term(text, x) or identifier_like(x)) for x in others)
