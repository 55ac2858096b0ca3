"""Capitalised words a document uses as the name of a thing: software, a key, a button, a heading.

Why: docs, help pages and how-to answers name products and controls with a capital letter ("the
Silverlight plugin", "Microsoft Silverlight", "press the Tab key", "Click Add.", "the Add
dialog"), and a page converted from HTML sets its section headings on lines of their own
("⏎⏎Metadata⏎⏎", "⏎⏎Copy and paste⏎⏎"). spaCy's small model reads these words as persons, and on
W3C's technique pages one product name alone made half the false placeholders. Three signals
from the text itself, not from a list of products:

- the word modifies a noun of software or of a user interface ("X plugin", "X application", "X
  button", "X key", "X toolkit"; "X's Insert ribbon"), or a software vendor's name leads it
  ("Microsoft X", "Adobe X"), or it is what one clicks or presses ("Click Add.", "press Tab");
  once the text uses a word so, its other mentions are the same thing ("Silverlight does not
  detect the change"); a span that ends in a tool's noun ("Colour Contrast Analyser") or is a
  menu path ("Insert ← Fields") is a thing too;
- a heading line of a document: a short line of its own between blank lines, no sentence (no
  closing full stop), not after a sign-off ("Regards,");
- a temperature scale or a historical event named after a place ("Fahrenheit", "the Battle
  of Waterloo");
- the value of a "Title:" field (a review's or a post's title names a work or a subject).

People keep their evidence (`person_evidence`): a cue, a person verb, a given name + surname
outweigh all of these; a possessive ("Kowalski's plugin") and the nouns of records about a
person ("the Sharma file", "the Kowalski account") are no signal.
"""
from __future__ import annotations

from functools import lru_cache

import regex

from curate.pii.names import given_names
from curate.pii.tool_lists import listed_tools
from curate.pii.tool_names import a_lone_heading, tool_words

_THING_NOUNS = (r"applications?|plug-?ins?|content|controls?|toolkit|runtime|SDK|APIs?|framework|"
                r"extensions?|browser|editor|keys?|buttons?|dialog|dialogs|dialog[ \t]+box|menus?|"
                r"ribbon|toolbar|panel|pane|icons?|checkbox|command|settings|library|templates?|"
                r"themes?|components?|module|package|platform|UI|XAML|markup|syntax|tags?|"
                r"elements?|attributes?|widgets?|shortcut|cmdlet|CLI|IDE|versions?|codebase|docs|documentation|"
                r"instances?|schema|indices|nodes?|clusters?|servers?|database|archive|engine|agents?|puzzles?|"
                r"accounts|tickets|boards|feeds|posts")
_WORD = r"\p{Lu}[\p{L}\p{M}]+"
_MODIFIER = regex.compile(rf"(?<![\p{{L}}\p{{M}}'’-])({_WORD})[ \t]+(?:{_THING_NOUNS})\b")
_VENDOR = regex.compile(rf"\b(?:Microsoft|Adobe|Google|Apple|Apache|Mozilla|Oracle|IBM|Amazon|"
                        rf"Atlassian|JetBrains|Autodesk|Salesforce)[ \t]+({_WORD})")
_OWNED_UI = regex.compile(rf"(?<![\p{{L}}\p{{M}}'’-])({_WORD})['’]s[ \t]+(?:\p{{Lu}}[\p{{L}}\p{{M}}]*[ \t]+){{1,2}}"
                          rf"(?:{_THING_NOUNS}|tools?)\b")
_TOOL_HEAD = regex.compile(r"Analy[sz]er|Checker|Validator|Inspector|Viewer|Simulator|Emulator|Toolkit|"
                           r"Studio|Converter|Generator")
_MENU_PATH = regex.compile(r"[←→›»▸]")
_CAPITALISED_RUN = regex.compile(r"\p{Lu}[\p{L}\p{M}]*(?:[ \t]+\p{Lu}[\p{L}\p{M}]*)*")
_CLICKED = regex.compile(rf"\b(?i:click|clicks|clicking|press|presses|pressing|tap|taps|hit)"
                         rf"(?:[ \t]+(?i:on|the))?[ \t]+({_WORD})(?=[ \t]*(?:[.,;)]|$))", regex.M)
_SCALES = frozenset({"Fahrenheit", "Celsius", "Kelvin"})
_EVENT = regex.compile(r"(?i:\b(?:battle|siege|treaty|war|fall|sack|congress|council|edict|peace)"
                       r"[ \t]+of)[ \t]+$")
_SIGN_OFF = regex.compile(r"[,:][ \t]*$|(?i:\b(?:thanks|thank you|regards|sincerely|cheers|best|warmly|yours|"
                          r"from|by|signed|love))[ \t!.]*$")
_HEADING_WORDS = 8
_TITLE_FIELD = regex.compile(r"(?im)^[ \t]*(?:title|headline|heading)[ \t]*:[^\n]*")


def a_doc_term(text: str, start: int, end: int) -> bool:
    """Whether the PERSON span [start, end) names a thing by the signals above."""
    words = text[start:end].split()
    if not words:
        return False
    capitalised = _CAPITALISED_RUN.match(text[start:end])   # "Colour Ratio Analyser" of "… - online"
    head = capitalised.group().split() if capitalised else words
    if _MENU_PATH.search(text[start:end]) or _TOOL_HEAD.fullmatch(head[-1]) and head[0] not in given_names():
        return True
    if all(w in _things(text) or w.isupper() for w in words) and any(w in _things(text) for w in words):
        return True
    if len(words) == 1 and _EVENT.search(text, max(0, start - 24), start) or _a_scale(words):
        return True
    return heading_line(text, start, end) or a_lone_heading(text, start, end) or any(
        m.start() <= start and end <= m.end() for m in _TITLE_FIELD.finditer(text))


def _a_scale(words: list[str]) -> bool:
    """A temperature scale, alone or after a verb the model took along ("Convert Fahrenheit")."""
    from curate.pii.person_evidence import _word

    return words[-1] in _SCALES and all(_word(w.lower()) for w in words[:-1])


@lru_cache(maxsize=256)
def _things(text: str) -> frozenset[str]:
    """The capitalised words the text uses as a product or a control, anywhere in it."""
    found = {m.group(1) for r in (_MODIFIER, _VENDOR, _CLICKED, _OWNED_UI) for m in r.finditer(text)}
    found |= tool_words(text)   # installed, run, "includes", "is a tool" (tool_names.py)
    found |= listed_tools(text)   # "HTML, SVG and XForms" (tool_lists.py)
    return frozenset(w for w in found if w not in given_names())


def heading_line(text: str, start: int, end: int) -> bool:
    """The span is on a short line of its own between blank lines of a document (400 characters
    or more): a heading of a converted page, not a sentence, not a name after a sign-off."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    line = text[line_start:line_end].strip()
    if len(text) < 400 or not line or len(line.split()) > _HEADING_WORDS or line.endswith((".", ",", ":")):
        return False
    before, after = text[:line_start], text[line_end:]
    if not (before.endswith("\n\n") or not before.strip()) or not (after.startswith("\n\n") or not after.strip()):
        return False
    return not _SIGN_OFF.search(before.rstrip()) and line.split()[0] not in given_names()
