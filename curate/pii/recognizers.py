"""Which Presidio recognizers the pii pass runs, under the entity names the pass reports.

Presidio ships most of what we need (email, phone, card, IBAN, IP, SSN, and the India set that is
off by default: Aadhaar with Verhoeff, PAN, GSTIN, voter ID, passport, vehicle registration). We
load only the recognizers for the configured entities (fewer regex scans, and no UK_NHS recognizer
to mislabel US phone numbers) and add the two Indian identifiers Presidio lacks: UPI IDs and IFSC.
Every recognizer emits our entity name directly (`EMAIL`, not `EMAIL_ADDRESS`).
"""
from __future__ import annotations

import re

import regex

from curate.pii.reserved import local_ip, placeholder_mailbox
from curate.pii.roles import DEVANAGARI_TITLED_NAME, role_recognizer

# Our entity name -> the spaCy labels that feed it (NER entities) or None (pattern/validator based).
NER_LABELS = {"PERSON": ("PERSON", "PER"), "LOCATION": ("GPE", "LOC", "LOCATION")}

ENTITIES = (
    "EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "IP_ADDRESS", "US_SSN", "PERSON", "LOCATION",
    "IN_AADHAAR", "IN_PAN", "IN_UPI", "IN_IFSC", "IN_GSTIN", "IN_VOTER", "IN_PASSPORT",
    "IN_VEHICLE_REGISTRATION",
)

# Words that spaCy's English model tags PERSON/GPE in support tickets but that are never a name
# or a place: identifier kinds ("Email", "SSN"), greetings, and Hinglish function words ("hai").
# A NER span made only of these words is dropped.
NOT_NAMES = frozenset("""
email e-mail mail id ssn pan aadhaar aadhar upi ifsc gstin gst epic voter passport phone mobile
tel telephone cell number no iban ip address card credit debit visa mastercard amex cvv otp pin
name dob kyc account acct ref hi hello dear thanks regards sir madam
hai hain mera meri mere kya nahi nahin mein bhi karo kijiye kripya haan yaar abhi kaise kyun
please pls plz
""".split())  # short Hinglish words that are also surnames ("Ho", "Se") stay out of this list

# A UPI ID is `handle@psp` with no dot after the PSP (which would make it an email address).
# `user@host`, `root@localhost` and `vue@latest` have that shape too, so the ID counts on its own
# only with a PSP handle that NPCI has issued (the apps' and banks' handles below) or a mobile
# number before the "@"; any other `x@y` needs a UPI word near it ("my UPI id is x@newbank").
_UPI_TAIL = r"(?![\w\-]|\.[A-Za-z0-9])"
_UPI = r"\b[\w.\-]{2,64}@(?-i:[a-z][a-z0-9]{1,31})" + _UPI_TAIL
_PSP_HANDLES = """
okaxis okhdfcbank okicici oksbi okbizaxis ybl ibl axl paytm ptyes ptaxis pthdfc ptsbi upi apl
yapl rapl waaxis wahdfcbank wasbi waicici ikwik freecharge airtel apb jio axisb sliceaxis naviaxis
jupiteraxis fifederal fbl postbank sbi icici hdfcbank hdfcbankjd axisbank axis kotak kmbl pnb
barodampay unionbank uboi unionbankofindia cnrb boi idbi idbibank indus federal yesbank yesbankltd
yesg rbl aubank kbl kvb sib scb hsbc citi citigold dbs idfcbank idfcfirst iob indianbank
centralbank cbin mahb psb ucobank uco jkb dlb equitas tjsb dcb csbpay obc andb allbank vijb
pingpay abfspay timecosmos ezeepay payzapp pockets myicici okpnb oksbi
""".split()
_UPI_KNOWN_PSP = (r"\b[\w.\-]{2,64}@(?:" + "|".join(sorted(set(_PSP_HANDLES), key=len, reverse=True))
                  + ")" + _UPI_TAIL)
_UPI_MOBILE = r"(?<![\w.\-])(?:\+?91)?[6-9]\d{9}@(?-i:[a-z][a-z0-9]{1,31})" + _UPI_TAIL
# IFSC: 4 bank letters, a literal zero, 6 branch characters; upper case only (case-sensitive).
_IFSC = r"\b(?-i:[A-Z]{4}0[A-Z0-9]{6})\b"
# PAN: five upper-case letters, four digits, one upper-case letter; the fourth letter is the
# holder type (P person, C company, H HUF, F firm, A AOP, T trust, B BOI, L local authority,
# J artificial juridical person, G government). Case-sensitive: Presidio's own PAN patterns are
# case-insensitive and its weakest one matches any 10-character word on a line with 4 digits
# ("successful", "production").
_PAN = r"\b(?-i:[A-Z]{3}[PCHFATBLJG][A-Z][0-9]{4}[A-Z])\b"


# Digit groups that may be a phone number in any country's format: "9472 7916", "(99) 645-791",
# "+46 (0)8 928 571 38". Too loose to trust alone, so it scores below the default threshold
# and only counts next to a phone context word ("Phone:", "call me on", "Mobile").
_GROUPED_PHONE = (r"(?<![\w+/.:-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?"
                  r"\d{1,4}(?:[ .-]\d{2,6}){1,4}(?:\s?(?:x|ext\.?)\s?\d{1,5})?"
                  r"(?![\w/:]|-\d|[.,]\d)")
_PLUS_DIGITS = r"(?<![\w+])\+\d{8,14}(?![\w-])"  # "+447700677662"
PHONE_CONTEXT = ["phone", "telephone", "tel", "mobile", "mob", "cell", "call", "fax", "office",
                 "desk", "whatsapp", "contact", "dial", "sms", "text", "reach", "ring", "answering",
                 "registered", "landline"]
_LABEL_AFTER = re.compile(r"[\s,(-]{0,3}(?:office|fax|mobile|cell|phone|tel|desk|home|work)\b",
                          re.IGNORECASE)
_DATE_LIKE = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$")
# 12-19 digits, contiguous or in groups: card numbers of every scheme (Maestro, JCB, RuPay, ...).
_ANY_CARD = r"(?<![\w-])(?:\d[ -]?){11,18}\d(?![\w-])"


def _generic_phone_recognizer():
    from presidio_analyzer import Pattern, PatternRecognizer

    class GroupedPhoneRecognizer(PatternRecognizer):
        def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
            found = super().analyze(text, entities, nlp_artifacts, regex_flags)
            return [r for r in found if not _arithmetic(text, r.start, r.end)
                    and not _stand_in(text, r.start, r.end)]

        def validate_result(self, pattern_text: str):
            digits = sum(c.isdigit() for c in pattern_text)
            ok = 7 <= digits <= 15 and not _DATE_LIKE.match(pattern_text) and \
                not _DOTTED_QUAD.fullmatch(pattern_text.strip())
            return None if ok else False  # None keeps the low pattern score

        def enhance_using_context(self, text, raw_recognizer_results, *args, **kwargs):
            """Contact lists label a number after it ("416 60 039 office", "8211-Fax");
            Presidio's suffix window starts inside a multi-token match, so look here."""
            from presidio_analyzer import RecognizerResult

            for result in raw_recognizer_results:
                if _LABEL_AFTER.match(text, result.end):
                    result.score = max(result.score, 0.65)
                    result.recognition_metadata[
                        RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY] = True
            return raw_recognizer_results

    return GroupedPhoneRecognizer(
        "PHONE", name="GroupedPhoneRecognizer", context=PHONE_CONTEXT,
        patterns=[Pattern("grouped digits", _GROUPED_PHONE, 0.3),
                  Pattern("plus and digits", _PLUS_DIGITS, 0.3)])


# Arithmetic around a digit run: "4000/2000 = 2", "12 * 3456789", "x = 1234567". Presidio's
# phonenumbers matcher reads "4000/2000" as a valid number of some region, at a score that
# passes the default threshold without any context word.
_OPERATORS = ("=", "*", "×", "÷", "^", "<", ">", "/", "+", "-", "−")


_ONE_DECIMAL = re.compile(r"\d\.\d(?!\d)")


def _arithmetic(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] sits in arithmetic and no phone word comes before it: an operator
    right before or after it (a sign before it only when spaced: "+91 ..." is a phone; a '/'
    after it only before a short number: "98201 23456/98201 23457" are two phones), or a '/'
    inside it ("Tel. 089/1234567" has its phone word, "4000/2000" has none)."""
    if _phone_word_before(text, start):
        return False
    if _ONE_DECIMAL.search(text, start, end):
        return True        # "( 300.0 - 280.0 )": no phone has a one-digit group after a dot
    before = text[max(0, start - 3):start]
    after = text[end:end + 12].lstrip()
    if before.rstrip().endswith(_OPERATORS[:8]) or before.endswith((" + ", " - ", " − ")):
        return True
    if after.startswith("/"):
        return len(re.match(r"/\s*([\d ]*)", after).group(1).replace(" ", "")) < 7
    # A sign after it only before a number: "788-063-Office" is a contact list's label.
    operator_after = after.startswith(_OPERATORS[:7]) or (
        after.startswith(_OPERATORS[8:]) and after[1:].lstrip()[:1].isdigit())
    return operator_after or "/" in text[start:end] or bool(_DATE_LIKE.match(text[start:end]))


def filler_digits(value: str) -> bool:
    """Digits a person types as a stand-in when no phone word comes before them: fewer than four
    distinct digits ("123 123 123", "1111111111"; "Phone: 9469 9966" is a phone); or an IPv4
    address ("192.168.10.42", which phonenumbers reads as a phone once the IP recognizer keeps it
    as local)."""
    return len({c for c in value if c.isdigit()}) < 4 or bool(_DOTTED_QUAD.fullmatch(value.strip()))


def _stand_in(text: str, start: int, end: int) -> bool:
    return filler_digits(text[start:end]) and not _phone_word_before(text, start)


_DOTTED_QUAD = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")   # an IPv4 address (kept or not), never a phone


def _bare_short_number(text: str, start: int, end: int) -> bool:
    """A run of fewer than ten digits with no separator, "+" or brackets ("168000", "#### 2500")
    and no phone word before it: a quantity, not a phone number (a mobile number has ten)."""
    value = text[start:end]
    return value.isdigit() and len(value) < 10 and not _phone_word_before(text, start)


def _phone_word_before(text: str, start: int) -> bool:
    words = re.findall(r"[^\W\d_]+", text[max(0, start - 40):start].lower())
    return any(w in PHONE_CONTEXT for w in words[-5:])


def _phone_recognizer():
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    class ShapedPhoneRecognizer(PhoneRecognizer):
        """Presidio's phonenumbers-based recognizer, less the matches that sit in arithmetic:
        a phone number needs the shape and the context of one."""

        def analyze(self, text, entities, nlp_artifacts=None):
            found = super().analyze(text, entities, nlp_artifacts)
            return [r for r in found if not _arithmetic(text, r.start, r.end)
                    and not _bare_short_number(text, r.start, r.end)
                    and not _stand_in(text, r.start, r.end)]

    return ShapedPhoneRecognizer(supported_entity="PHONE",
                                 context=PhoneRecognizer.CONTEXT + ["mob", "whatsapp"])


def _ip_recognizer():
    from presidio_analyzer.predefined_recognizers import IpRecognizer

    class FullIpRecognizer(IpRecognizer):
        """Presidio's IP recognizer without addresses that are not globally routable
        (`curate.pii.reserved`) and IPv6 forms of fewer than three groups: those are slices in
        code (`l[::3]`, `l[1::2]`)."""

        def invalidate_result(self, pattern_text: str):
            if local_ip(pattern_text):
                return True   # 192.168.1.1, 127.0.0.1, 203.0.113.7 name no subscriber
            if ":" in pattern_text and "." not in pattern_text and \
                    sum(bool(g) for g in pattern_text.split(":")) < 3:
                return True
            return super().invalidate_result(pattern_text)

    return FullIpRecognizer()


def _luhn_card_recognizer():
    from presidio_analyzer import Pattern, PatternRecognizer

    class LuhnCardRecognizer(PatternRecognizer):
        """Any Luhn-valid 12-19 digit number, kept only next to a card context word."""

        def validate_result(self, pattern_text: str):
            digits = [int(c) for c in pattern_text if c.isdigit()]
            total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2)
                        for i, d in enumerate(reversed(digits)))
            return None if total % 10 == 0 else False

    return LuhnCardRecognizer(
        "CREDIT_CARD", name="LuhnCardRecognizer", patterns=[Pattern("any card", _ANY_CARD, 0.3)],
        context=["card", "cc", "credit", "debit", "visa", "mastercard", "amex", "rupay", "maestro"])


# A capitalised name right after a cue that introduces a person. spaCy's small model misses many
# of these ("Account holder: Lucas Mensah.", "mera naam Rahul Gupta hai", "मेरा नाम Rahul है",
# "everyone calls me Csanád"). Names in any cased script ("Ludmiła", "Åsa Laine"), after any run
# of spaces ("Name:    Nayla Montero"); never a weekday, month or "today" ("call me Monday").
_NAME_CUES = ["name is", "name:", "naam", "नाम", "holder:", "holder", r"mrs?\.?", r"ms\.?", r"mx\.?",
              "miss", r"dr\.?", r"prof\.?", r"adv\.", "advocate", "shri", "sri", r"smt\.?", "shrimati",
              "kumari", "calls? me"]
_NOT_A_NAME_AFTER_CUE = ("monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow"
                         "|tonight|january|february|march|april|may|june|july|august|september"
                         "|october|november|december")
_NAME_AFTER_CUE = (r"(?<=(?<![\p{L}\p{M}])(?:" + "|".join(_NAME_CUES) + r")[ \t]+)"
                   rf"(?!(?:{_NOT_A_NAME_AFTER_CUE})(?![\p{{L}}\p{{M}}]))"
                   r"(?-i:\p{Lu}[\p{Ll}\p{M}]+(?: \p{Lu}\.?)?(?: \p{Lu}[\p{Ll}\p{M}]+){0,2})"
                   r"(?![\p{L}\p{M}])")

# A name in Devanagari, which no English NER model reads: only in the self-introduction
# "मेरा नाम <1-3 words> है/था" ("my name is ..."), and not when the first word says the ticket is
# ABOUT the name ("मेरा नाम गलत है", "मेरा नाम अपडेट करना है": a KYC request, not a name).
_NOT_A_HINDI_NAME = ("में", "और", "का", "की", "के", "से", "पर", "क्या", "नहीं", "गलत", "सही",
                     "अपडेट", "बदल", "चेंज", "ठीक", "भी", "तो", "आधार", "पैन")
_DEVANAGARI_NAME = (r"(?<=मेरा नाम )(?!(?:" + "|".join(_NOT_A_HINDI_NAME) + r")[\s।,])"
                    r"[\u0900-\u097F]+(?: [\u0900-\u097F]+){0,2}?(?= (?:है|हैं|था)(?:[\s।.,!?]|$))")
NAME_CUE = regex.compile(_NAME_AFTER_CUE + "|" + _DEVANAGARI_NAME + "|" + DEVANAGARI_TITLED_NAME,
                        regex.IGNORECASE | regex.MULTILINE | regex.DOTALL)


def _name_cue_recognizer():
    from presidio_analyzer import Pattern, PatternRecognizer

    return PatternRecognizer("PERSON", name="NameCueRecognizer",
                             patterns=[Pattern("name after cue", _NAME_AFTER_CUE, 0.6),
                                       Pattern("devanagari self-introduction", _DEVANAGARI_NAME, 0.6),
                                       Pattern("hindi title", DEVANAGARI_TITLED_NAME, 0.6)])


# Context words as Hindi speakers write them (Devanagari), added to the English ones.
HINDI_CONTEXT = {
    "PHONE": ["फ़ोन", "फोन", "मोबाइल", "नंबर", "कॉल"], "CREDIT_CARD": ["कार्ड"],
    "IN_AADHAAR": ["आधार"], "IN_PAN": ["पैन"], "IN_PASSPORT": ["पासपोर्ट"],
    "IN_VOTER": ["वोटर", "मतदाता"], "EMAIL": ["ईमेल"], "IN_UPI": ["यूपीआई"],
    "IN_VEHICLE_REGISTRATION": ["गाड़ी", "वाहन"], "IN_IFSC": ["बैंक", "शाखा"],
}


def _offline_tld_extractor():
    """tldextract without the network: the public-suffix snapshot bundled with the package."""
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


def _email_recognizer():
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    class OfflineEmailRecognizer(EmailRecognizer):
        """Presidio's email recognizer validated against the bundled suffix list (no download),
        less the mailboxes that name no one (`curate.pii.reserved`: user@example.com)."""

        _extract = _offline_tld_extractor()

        def validate_result(self, pattern_text: str) -> bool:
            return self._extract(pattern_text).fqdn != "" and not placeholder_mailbox(pattern_text)

    return OfflineEmailRecognizer(supported_entity="EMAIL")


def _india_recognizers(entities: set[str]) -> list:
    from presidio_analyzer import Pattern, PatternRecognizer
    from presidio_analyzer.predefined_recognizers import (
        InAadhaarRecognizer, InGstinRecognizer, InPanRecognizer, InPassportRecognizer,
        InVehicleRegistrationRecognizer, InVoterRecognizer,
    )

    built = {
        "IN_AADHAAR": lambda: InAadhaarRecognizer(context=["aadhaar", "aadhar", "uidai"]),
        "IN_PAN": lambda: PatternRecognizer(
            "IN_PAN", name="InPanRecognizer", patterns=[Pattern("PAN", _PAN, 0.5)],
            context=InPanRecognizer.CONTEXT),
        "IN_GSTIN": InGstinRecognizer,
        "IN_VOTER": InVoterRecognizer,
        "IN_PASSPORT": InPassportRecognizer,
        "IN_VEHICLE_REGISTRATION": InVehicleRegistrationRecognizer,
        "IN_UPI": lambda: PatternRecognizer(
            "IN_UPI", name="InUpiRecognizer",
            patterns=[Pattern("UPI ID, NPCI handle", _UPI_KNOWN_PSP, 0.5),
                      Pattern("UPI ID, mobile number", _UPI_MOBILE, 0.5),
                      Pattern("UPI ID, other handle", _UPI, 0.3)],
            context=["upi", "vpa", "gpay", "phonepe", "paytm", "bhim", "pay"]),
        "IN_IFSC": lambda: PatternRecognizer(
            "IN_IFSC", name="InIfscRecognizer", patterns=[Pattern("IFSC", _IFSC, 0.6)],
            context=["ifsc", "branch", "bank", "neft", "rtgs", "imps"]),
    }
    return [make() for name, make in built.items() if name in entities]


def build_recognizers(entities: list[str]) -> list:
    """Presidio recognizers for `entities`, each emitting our entity name."""
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer, IbanRecognizer, IpRecognizer, PhoneRecognizer, SpacyRecognizer,
        UsSsnRecognizer,
    )

    wanted = set(entities)
    built = {
        "EMAIL": _email_recognizer,
        "PHONE": _phone_recognizer,
        "CREDIT_CARD": CreditCardRecognizer,
        # Case-insensitive, as in Presidio's default registry: people type "gb82west...".
        "IBAN": lambda: IbanRecognizer(supported_entity="IBAN",
                                       regex_flags=re.DOTALL | re.MULTILINE | re.IGNORECASE),
        "IP_ADDRESS": _ip_recognizer,
        "US_SSN": UsSsnRecognizer,
    }
    recognizers = [make() for name, make in built.items() if name in wanted]
    if "PHONE" in wanted:
        recognizers.append(_generic_phone_recognizer())
    if "CREDIT_CARD" in wanted:
        recognizers.append(_luhn_card_recognizer())
    recognizers += _india_recognizers(wanted)
    for recognizer in recognizers:
        extra = HINDI_CONTEXT.get(recognizer.supported_entities[0], [])
        recognizer.context = list(recognizer.context or []) + extra
    ner_entities = [e for e in NER_LABELS if e in wanted]
    if ner_entities:
        recognizers.append(SpacyRecognizer(supported_entities=ner_entities))
    if "PERSON" in wanted:
        recognizers += [_name_cue_recognizer(), role_recognizer()]
    return recognizers


# A word: a letter, then letters, combining marks (Devanagari vowel signs are marks, not letters:
# without them "शर्मा" would end at "शर्म"), digits and ' . -
_NAME_WORD = regex.compile(r"\p{L}[\p{L}\p{M}\p{N}_'.-]*")


def trim_ner_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Trim words that are never names off a NER span's ends ("Leigha Mackay\nPhone" -> the
    name); None when nothing name-like is left ("Email", "SSN", "hai", "288")."""
    all_words = list(_NAME_WORD.finditer(text[start:end]))
    words = [m for m in all_words if m.group().lower().strip(".'") not in NOT_NAMES]
    if not words:
        return None
    after = text[start + words[-1].end():start + all_words[-1].end()]
    if words[-1] is not all_words[-1] and "\n" not in after and \
            all_words[-1].group().lower() in _IDENTIFIER_KINDS:
        return None   # "choose Reset PIN", "Enter Card number": a control, not a name
    return start + words[0].start(), start + words[-1].end()


# Identifier kinds that make the capitalised word before them on the same line a term.
_IDENTIFIER_KINDS = frozenset("pin otp cvv card number id account upi ifsc pan aadhaar passport "
                              "email mail phone mobile ssn iban kyc".split())
