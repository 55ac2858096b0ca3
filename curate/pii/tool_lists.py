"""Capitalised words listed beside the name of a technology: "HTML, SVG, SMIL and XForms",
"HTML or XHTML", "a search tool (like Tavily or DuckDuckGo)", "Milvus, or Qdrant aur GPT-4o".

Why: docs and AI notes name products in runs of "A, B and C" with no verb around them, so
nothing in the sentence says what they are (round 9 left exactly these). spaCy's small model
reads a lone unfamiliar capitalised word there as a person. The list itself says it: the words
of one coordination are the same kind of thing, and a member shaped like a technology's name
(an acronym "SVG", an inner capital "DuckDuckGo", letters with digits "GPT-4o") makes them all
names of things. A list of people has no such member ("Mary, Fred and Bob"); role acronyms
("Ravi, CEO", "ask Heera or HR") are no technology, and a census or Indian given name or surname
is never taken ("Priya and SQL" keeps Priya a person).
"""
from __future__ import annotations

import regex

from curate.pii.tool_names import _a_name_word

_MEMBER = r"\**[\p{L}\p{N}][\p{L}\p{N}.+#-]*\**(?:[ \t]+\([^()\n]{1,30}\))?"
_JOIN = r"(?:[ \t]*,[ \t]*(?:(?:and|or|aur|ya)[ \t]+)?|[ \t]+(?:and|or|aur|ya|&)[ \t]+|[ \t]*/[ \t]*)"
_LIST = regex.compile(rf"(?<![\p{{L}}\p{{N}}])({_MEMBER}(?:{_JOIN}{_MEMBER})+)")
_SPLIT = regex.compile(_JOIN)
_ACRONYM = regex.compile(r"\p{Lu}{2,}[\p{Lu}\p{N}.+#-]*\p{Ll}?")
_INNER_CAPITAL = regex.compile(r"\p{Lu}?\p{Ll}+\p{Lu}[\p{L}\p{N}]*|\p{Lu}\p{Lu}\p{Ll}+[\p{L}\p{N}]*")
_WITH_DIGITS = regex.compile(r"\p{L}+[-.]?\p{N}[\p{L}\p{N}.-]*")
_ROLES = frozenset({"CEO", "CTO", "CFO", "COO", "CIO", "VP", "HR", "IT", "PM", "MD", "QA", "PA", "GM", "SVP",
                    "EVP", "MP", "MLA", "IAS", "IPS", "DR", "MR", "MRS", "MS", "JR", "SR"})
_WORD = regex.compile(r"\p{Lu}")
_OR = regex.compile(r"[ \t](?:or|ya)[ \t]|/")
_LEAD = regex.compile(r"(?i:\b(?:like|such[ \t]+as|including|e\.g\.,?|eg|jaise)[ \t]*\(?|\()[ \t]*$")


def listed_tools(text: str) -> set[str]:
    """The capitalised words of a list that also names a technology (module docstring)."""
    found: set[str] = set()
    for run in _LIST.finditer(text):
        members = [_bare(m) for m in _SPLIT.split(run.group(1))]
        if any(_technology(m) for m in members) and _a_list(text, run, members):
            found |= {m for m in members if _WORD.match(m) and not _a_name_word(m)}
    return found


def _a_list(text: str, run: regex.Match, members: list[str]) -> bool:
    """Three members or more, or two joined by "or"/"/" or after "like", "such as", "including":
    two joined by "and" may be two clauses ("sent the PDF and Zehe replied")."""
    if len(members) > 2 or _OR.search(run.group(1)):
        return True
    return bool(_LEAD.search(text, max(0, run.start() - 16), run.start()))


def _bare(member: str) -> str:
    """A member without its markdown emphasis or a bracketed aside ("Pinecone (Managed)")."""
    return member.split("(")[0].strip().strip("*")


def _technology(word: str) -> bool:
    """An acronym, an inner capital or letters with digits, and no role ("HR", "CEO")."""
    if word.upper() in _ROLES or word.rstrip(".").upper() in _ROLES:
        return False
    return any(r.fullmatch(word) for r in (_ACRONYM, _INNER_CAPITAL, _WITH_DIGITS))
