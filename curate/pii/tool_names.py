"""Capitalised words a text uses as the name of software: what is installed, run or imported,
what includes or ships things, what "is a tool"; and a markdown heading that is one word.

Why: a library's own docs name it on every page ("After installing Typer in your project",
"Starlette includes several middleware classes", "Systemd ka centralized logging system hai",
"running RAGAS on a 1% sample"), and a page's section often opens with a one-word heading
("# Virtualenv", "### Firefox 16 (Oct 2012)"). The small English model reads these as persons;
nothing else in the sentence says otherwise, and the name is too new or too odd for a dictionary.
The grammar does: one installs, runs, imports or deploys software, depends on it, reads a
version or the docs of it, not a person; software
includes, ships, exposes or vendors things; and "X is a <adjectives> tool" says what X is.
`doc_terms` takes these words as things, and every other mention in the same text with them.

A census or Indian given name or surname is never taken so ("running Priya's script", "Kowalski
includes a note"), and the evidence of a person (a cue, a person verb) still wins (person_evidence).
"""
from __future__ import annotations

import regex

_WORD = r"\p{Lu}[\p{L}\p{M}]+"
_SOFTWARE = (r"tools?|library|libraries|framework|package|database|system|service|plugin|plug-in|engine|"
             r"language|protocol|format|platform|runtime|SDK|API|CLI|utility|command|program|application|"
             r"app|server|client|editor|compiler|interpreter|shell|extension|module|toolkit")
# One installs, runs, imports or deploys software, depends on it, reads its docs or a version of
# it: "After installing Typer", "running RAGAS on", "the version of Typer installed".
_DONE_TO = regex.compile(
    rf"\b(?i:install|installs|installing|installed|uninstall|uninstalling|reinstall|upgrade|upgrading|"
    rf"download|downloading|deploy|deploying|configure|configuring|import|importing|running|launch|"
    rf"launching|(?:version|versions|release|releases|fork|codebase|docs|documentation)[ \t]+of|"
    rf"depends?[ \t]+on|depending[ \t]+on)[ \t]+(?:the[ \t]+)?({_WORD})(?![\p{{L}}'’-])")
# What software does: "Starlette includes", "Typer has vendored Click", "Typer installed in".
_DOES = regex.compile(
    rf"(?<![\p{{L}}\p{{M}}'’-])({_WORD})[ \t]+(?:includes|ships|exposes|implements|vendors|has[ \t]+vendored|"
    rf"is[ \t]+compatible|is[ \t]+installed|installed[ \t]+in|releases)\b")
# What it is: "Metadata is a powerful tool", "Systemd ka centralized logging system hai".
_IS_A = regex.compile(
    rf"(?<![\p{{L}}\p{{M}}'’-])({_WORD})[ \t]+(?:is|are)[ \t]+(?:a|an|the)[ \t]+(?:[\p{{L}}-]+[ \t]+){{0,3}}?"
    rf"(?:{_SOFTWARE})(?=[ \t]*(?:[.,;:!?)\n]|$|that\b|for\b|which\b|used\b|to\b|in\b|with\b))"
    rf"|(?<![\p{{L}}\p{{M}}'’-])({_WORD})[ \t]+(?:ka|ki|ke)[ \t]+(?:[\p{{L}}-]+[ \t]+){{0,3}}?(?:{_SOFTWARE})"
    rf"[ \t]+(?:hai|hain|he)\b")
_HEADING = regex.compile(r"(?m)^[ \t]{0,3}#{1,6}[ \t]+")
_HEADING_REST = regex.compile(r"(?:[ \t]+v?\d[\w.]*)?(?:[ \t]+\([^()\n]*\))?[ \t#]*$", regex.M)


def tool_words(text: str) -> set[str]:
    """The capitalised words the text uses as software (module docstring), names aside."""
    found = {w for r in (_DONE_TO, _DOES, _IS_A) for m in r.finditer(text) for w in m.groups() if w}
    return {w for w in found if not _a_name_word(w)}


def a_lone_heading(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is a markdown heading's only word, a version or a bracket aside
    ("# Virtualenv", "### Firefox 16 (Oct 2012)"), and no given name ("## Ravi" is a person's
    section)."""
    value = text[start:end]
    if " " in value.strip() or _a_name_word(value):
        return False
    line_start = text.rfind("\n", 0, start) + 1
    heading = _HEADING.match(text, line_start)
    return bool(heading and heading.end() == start and _HEADING_REST.match(text, end))


def _a_name_word(word: str) -> bool:
    """A census or Indian given name or surname ("Kowalski includes a note in every parcel")."""
    from curate.pii.indian_names import _lists
    from curate.pii.names import given_names, surnames

    return word in given_names() or word in surnames() or word in _lists()[0] or word in _lists()[1]
