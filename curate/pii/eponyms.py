"""Names that stand for a thing in medical, legal and scientific text: eponyms, drugs, case names.

Why: the users who prepare medical and legal assistants ask about "the Miranda rule", "the
Heimlich maneuver", "Atorvastatin 20 mg" and "Kesavananda Bharati v. State of Kerala". spaCy's
small model reads these as persons, and a `<PERSON>` there erases the very subject of the
question. None of these identifies a person the record is about:

- an eponym: a name followed by the thing named after it ("Miranda rule", "Glasgow Coma
  Scale", "Heimlich maneuver"). Possessives are left alone ("Priya's test results" is a
  patient's), so only the bare form counts;
- a drug: a name followed by a dose ("Atorvastatin 20 mg", "Dolo 650 tablets");
- a case name: a party of a published judgment's citation — the other party is the state or an
  institution ("v. State of Kerala", "v. Union of India") or a law report follows ("[1932] UKHL
  100", "AIR 1973 SC 1461", "410 U.S. 113"). A case name is how a judgment is cited; a private
  dispute named without either ("Sharma vs Verma over the flat") is still treated as names.
"""
from __future__ import annotations

import regex

_HEADS = ("rule|law|theorem|principle|doctrine|effect|syndrome|disease|disorder|palsy|test|scale|"
          "score|sign|manoeuvre|maneuver|equation|formula|constant|algorithm|distribution|method|"
          "criteria|criterion|classification|procedure|reflex|triad|fracture|index|hypothesis|"
          "conjecture|paradox|lemma|inequality|transform|cycle|curve|coefficient|number|"
          "postulate|limit|paradigm|protocol|technique|position|incision|operation|maneuvre")
_EPONYM_HEAD = regex.compile(rf"[ \t]+(?:\p{{Lu}}\p{{Ll}}+[ \t]+)?(?i:{_HEADS})s?\b")
_DOSE = regex.compile(r"[ \t]*\d+(?:[.,]\d+)?[ \t]*(?:mg|mcg|µg|μg|g|ml|mL|IU|units?|%|tablets?|"
                      r"tabs?|capsules?|caps?)\b")
_VERSUS = r"[ \t]+(?:v|vs|versus)\.?[ \t]+"
_INSTITUTION = (r"(?:the[ \t]+)?(?:State|Union|Government|Govt|Republic|People|Commonwealth|"
                r"Commissioner|Collector|Crown|Regina|Rex|R|United[ \t]+States|Municipal|"
                r"Corporation|University|Board|Council|Bank|Company|Registrar|Secretary|Director|"
                r"Attorney[ \t]+General|Union[ \t]+of[ \t]+India)\b")
_REPORT = (r"[^\n]{0,80}?(?:\[\d{4}\]|\(\d{4}\)[ \t]+\d+[ \t]+\p{Lu}|AIR[ \t]+\d{4}|"
           r"\d+[ \t]+U\.?[ \t]?S\.?[ \t]+\d+|\d+[ \t]+S\.?[ \t]?Ct\.?|\d{4}[ \t]+SCC|SCC[ \t]+\d+|"
           r"\d+[ \t]+F\.(?:[ \t]?\dd|[ \t]Supp))")
_PARTY_BEFORE = regex.compile(rf"{_VERSUS}(?:{_INSTITUTION}|[^\n]{{1,60}}?{_REPORT})")
_PARTY_AFTER = regex.compile(rf"(?:{_INSTITUTION}[^\n]{{0,40}}?){_VERSUS}$")
_CITED_AFTER = regex.compile(rf"[^\n]{{1,60}}?{_VERSUS}$")


def names_a_thing(text: str, start: int, end: int) -> bool:
    """The PERSON span [start, end) is an eponym, a drug before its dose, or a party of a case's
    citation."""
    if text[end:end + 1] in "'’":
        return False
    if _DOSE.match(text, end):
        return True
    return bool(_EPONYM_HEAD.match(text, end)) or a_case_party(text, start, end)


def a_case_party(text: str, start: int, end: int) -> bool:
    """The span names a party of a cited case: "X v. State of Kerala", "Union of India v. X",
    "X v. Y, AIR 1978 SC 597"."""
    if _PARTY_BEFORE.match(text, end) or _PARTY_AFTER.search(text, max(0, start - 60), start):
        return True
    return bool(_CITED_AFTER.search(text, max(0, start - 60), start)
                and regex.match(_REPORT, text[end:end + 120]))
