"""Names after a role word or a Hindi title: "The Landlord Rahul Sharma is waiting", "Advocate
Meera Iyer", "श्री रमेश चंद्र वर्मा ने शिकायत की".

Why: spaCy's small model reads a capitalised role word as part of a heading or an organisation
and then misses the name after it, and it reads no Devanagari at all; Indian names are outside the
census lists that back up the model elsewhere. A role word is strong evidence only for what follows
it directly, and only when that looks like a name: two or more capitalised words, none of them an
English word ("Tenant Rights Act", "Landlord Says Hello" are headings), so role cues live here and
not among the honorifics of `recognizers.NAME_CUE` (after "Mr." or "Smt." one capitalised word is
enough).
"""
from __future__ import annotations

import regex

# People's roles in the tickets, leases, court papers and hospital notes our users curate.
_ROLES = ("landlord", "landlady", "tenant", "owner", "lawyer", "counsel", "professor", "doctor",
          "nurse", "inspector", "constable", "officer", "manager", "patient", "client", "applicant",
          "petitioner", "respondent", "complainant", "plaintiff", "defendant", "accused", "witness",
          "judge", "justice", "agent", "executive", "engineer", "teacher", "principal", "director",
          "vakil", "sahab", "saheb")
ROLE_NAME = regex.compile(
    r"(?<=(?<![\p{L}\p{M}])(?i:" + "|".join(_ROLES) + r")[ \t]+)"
    r"(?-i:\p{Lu}[\p{Ll}\p{M}]+(?: \p{Lu}\.?)?(?: \p{Lu}[\p{Ll}\p{M}]+){1,2})(?![\p{L}\p{M}])")

# Hindi titles before a Devanagari name: 1-3 words up to a postposition or verb ("ने", "का", "है").
_TITLES = ("श्रीमती", "सुश्री", "श्री", "कुमारी", "डॉ.", "डॉ", "डॉक्टर", "एडवोकेट", "वकील", "प्रोफेसर")
_STOP = ("ने", "का", "की", "के", "को", "से", "में", "पर", "है", "हैं", "था", "थे", "थी", "और", "जी",
         "भी", "तो", "ही", "द्वारा", "साहब", "नहीं", "क्या", "आज", "कल", "सोमवार", "मंगलवार", "बुधवार",
         "गुरुवार", "शुक्रवार", "शनिवार", "रविवार")
_WORD = r"(?!(?:" + "|".join(_STOP) + r")(?![\u0900-\u097F]))[\u0900-\u097F]+"
DEVANAGARI_TITLED_NAME = (r"(?<=(?<![\u0900-\u097F])(?:" + "|".join(map(regex.escape, _TITLES))
                          + r") )" + _WORD + r"(?: " + _WORD + r"){0,2}")
HAS_TITLE = regex.compile("|".join(map(regex.escape, _TITLES)))


def role_recognizer():
    from presidio_analyzer import Pattern, PatternRecognizer

    class RoleNameRecognizer(PatternRecognizer):
        def validate_result(self, pattern_text: str):
            from curate.pii.common_words import english_words

            words = english_words()
            english = any(w.lower() in words or w.upper() in words for w in pattern_text.split())
            return False if english else None

    return RoleNameRecognizer("PERSON", name="RoleNameRecognizer",
                              patterns=[Pattern("name after a role word", ROLE_NAME.pattern, 0.6)])
