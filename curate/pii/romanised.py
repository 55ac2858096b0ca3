"""Person names in romanised Hindi (Hinglish) and in Hindi/English mixed text, found by cues.

Why: capitalisation is no name signal there. Hinglish writers capitalise the first word of a
sentence ("Sach mein", "Tumhari", "Maine", "Shayad", "Kyunki", "Dhanyavaad") and Hindi technical
prose capitalises English terms ("Grammar", "General Language Understanding"); spaCy's English
model tags both as persons or places. No well-kept public list of Indian given names ships in a
PyPI package under a licence this project can take (gender-guesser's list is GPL-3.0 and
unmaintained since 2016; names-dataset is built from leaked social-network profiles), so a word
counts as a name only with a cue around it:
- a speaker label in a dialogue ("Rahul: kal milte hain"), before words: a table's row label
  ("Swap:   2.0G   0B" in `free -h` output) is no speaker;
- a greeting before it ("Hi Rohan", "Thanks Priya", "Namaste Suresh");
- an honorific or kinship word after it ("Priya ji", "Rohan bhai", "Sunita didi");
- the ergative "ne" after it ("Priya ne bola"): only an agent takes it;
- the self-introductions of recognizers.NAME_CUE ("mera naam ... hai", "मेरा नाम ... है");
- a listed Indian given name (curate/pii/indian_names.py), capitalised inside a sentence, before
  a postposition or "aur", or after "aur" ("Priya ko call karo", "Kal Neha aur Arjun"): inside a
  sentence a Hinglish writer capitalises names, and a postposition shows a noun;
- the same word as a cued name elsewhere in the text.
"""
from __future__ import annotations

import regex

from curate.passes.language import HINGLISH, STOPWORDS

_NAME = r"(?-i:\p{Lu}[\p{Ll}\p{M}]+(?:[ \t]\p{Lu}[\p{Ll}\p{M}]+)?)"
_GREETING = r"(?:hi|hello|hey|hii+|namaste|namaskar|dear|thanks|thank\s+you|shukriya|bye|sorry|ok|okay)"
_HONORIFIC = (r"(?:ji|jee|bhai|bhaiya|bhaiyya|didi|di|sir|madam|ma'?am|sahab|saab|sahib|uncle|aunty"
              r"|auntie|bhabhi|chacha|mama|dada|dadi|nana|nani)")
# A greeting opens a sentence ("Hi Sunita, ..."); inside one, "hi" is Hindi's emphatic particle
# ("waise hi Vue components mein").
_CUES = regex.compile(
    rf"^[ \t>]*(?P<n>{_NAME})[ \t]*:[ \t]*[\p{{L}}\"“']"
    rf"|(?<=(?:^|[.!?,;:(\n])[ \t>]*){_GREETING}[ \t,]+(?P<n>{_NAME})(?![\p{{L}}\p{{M}}])"
    rf"|(?<![\p{{L}}\p{{M}}])(?P<n>{_NAME})[ \t]+(?:{_HONORIFIC}|ne)(?![\p{{L}}\p{{M}}])"
    rf"|(?<![\p{{L}}\p{{M}}])(?:main|mai|mein)[ \t]+(?P<n>{_NAME})[ \t]+"
    rf"(?:bol|baat|hoon|hu|hun)(?![\p{{L}}\p{{M}}])",
    regex.MULTILINE | regex.IGNORECASE)
# A capitalised word inside a sentence, before a postposition or "aur", or after "aur".
_BY_POSTPOSITION = regex.compile(
    r"(?<=[\p{L}\p{M}\p{N},][ \t]+)(?P<n>\p{Lu}\p{Ll}+)(?=[ \t]+(?:ko|ka|ki|ke|se|aur|bhi|wala|wali)"
    r"(?![\p{L}\p{M}]))|(?<=(?<![\p{L}\p{M}])aur[ \t]+)(?P<n>\p{Lu}\p{Ll}+)(?![\p{L}\p{M}])")
_SPEAKERS = regex.compile(rf"^[ \t>]*{_NAME}[ \t]*:", regex.MULTILINE)
_LATIN_WORD = regex.compile(r"(?<![\p{L}\p{M}])[A-Za-z]+(?![\p{L}\p{M}])")
_DEVANAGARI = regex.compile(r"[\u0900-\u097F]")
# E-mail addresses, URLs, file names: their parts are no words ("fleckens.hu", "a.ko/x").
_ADDRESSES = regex.compile(r"\S*[@/.]\S*[A-Za-z]\S*")
# Words the cues catch that are never names: Hinglish function words, greetings, roles.
_NEVER = HINGLISH | STOPWORDS["en"] | frozenset(
    "sir madam ji bhai didi user agent customer support team bot admin note hello hi namaste "
    "thanks shukriya sorry ok okay please plz yes no haan nahi input output example result answer "
    "question solution note hint step explanation reason summary title description details error "
    "warning info total udaharan jaise".split())


# More romanised-Hindi words for telling the context apart (none an English word): verbs of
# requests and commands, numbers, times of day, postpositions. The language pass's list is of
# chat words; short commands to an assistant ("alarm ko band kar do", "subah 5 baje ka alarm
# hata do") have few of those, and spaCy then reads "alarm ko" and "kar" as names.
_MORE_HINGLISH = frozenset("""
kar kare kardo karde karenge karega karegi karta karti karte dena baje bajkar wale aane jaane
hatao hataiye nikaal nikalo nikal saare sabhi mein mei tak liye boliye bolo dikhao dikhaiye
lagao lagaye chalu shuru roko rokey ruko phir wapas kitni agle agla pichle subah shaam raat
dopahar parso hafte ghante ghanta baad pehle aur iss uss teen chaar paanch banayen banaye banao
rakho rakhe chalao bajne jagao uthao hona hota hoti hote rahega rahegi jayegi sakta sakte sakti
wahan yahan toh sirf matlab kyunki isse usse inhe unhe apko aapko hamein humein tumhe kaun kaunsa
ya ek hata rokein rokiye pichley haftey dekho suno chalo
""".split())
_ROMANISED = HINGLISH | _MORE_HINGLISH
# Pronouns that are English words too ("main branch"): romanised only before a name.
_PRONOUNS = frozenset({"main", "mai", "hum", "tum", "yeh", "woh", "vo", "ye"})


def romanised_context(text: str) -> bool:
    """Whether capitalisation means nothing here: Devanagari mixed with Latin words, or more
    Hinglish function words than English ones (or as many, two of them different)."""
    if _DEVANAGARI.search(text):
        return True
    words = [w.casefold() for w in _LATIN_WORD.findall(_ADDRESSES.sub(" ", text))]
    hinglish = [w for w in words if w in _ROMANISED]
    english = sum(w in STOPWORDS["en"] for w in words)
    return len(hinglish) > english or (len(set(hinglish)) >= 2 and len(hinglish) >= english)


def cued_names(text: str) -> list[tuple[int, int]]:
    """Spans of the names that a cue marks (module docstring), with their other occurrences.
    A speaker label counts only in a dialogue: two lines or more that start with a label."""
    found = []
    labels = _SPEAKERS.findall(text)
    for m in _CUES.finditer(text):
        if m.group(0).rstrip()[-2:].startswith(":") and len(labels) < 2:
            continue
        start, end = m.span("n")
        # "Hi Rohan Kal ..." -> the cue names the words before a function word; "Suno Rohan
        # bhai" -> after the romanised words that open it.
        words = [(w.start(), w.end()) for w in regex.finditer(r"\S+", text, pos=start, endpos=end)]
        while words and text[slice(*words[0])].casefold() in _ROMANISED:
            words.pop(0)
        kept = []
        for s, e in words:
            if text[s:e].casefold() in _NEVER:
                break
            kept.append((s, e))
        if kept:
            found.append((kept[0][0], kept[-1][1]))
    found += _listed_by_postposition(text)
    names = {text[s:e] for s, e in found} | {text[s:e].split()[0] for s, e in found}
    for name in names:
        for m in regex.finditer(rf"(?<![\p{{L}}\p{{M}}]){regex.escape(name)}(?![\p{{L}}\p{{M}}])",
                                text):
            if not any(s <= m.start() < e for s, e in found):
                found.append(m.span())
    return sorted(set(found))


def _listed_by_postposition(text: str) -> list[tuple[int, int]]:
    """Listed Indian given names that are neither English nor romanised-Hindi words, capitalised
    inside a sentence next to a postposition or "aur" (module docstring)."""
    from curate.pii.indian_names import listed_given_name

    return [m.span("n") for m in _BY_POSTPOSITION.finditer(text)
            if listed_given_name(m.group("n")) and m.group("n").casefold() not in _ROMANISED]


def without_romanised_words(text: str, start: int, end: int) -> tuple[int, int]:
    """A NER person span less the romanised-Hindi words at its ends: spaCy reads "Main Karan"
    (I, Karan) as one name."""
    words = [m.span() for m in regex.finditer(r"\S+", text, pos=start, endpos=end)]
    while len(words) > 1 and text[slice(*words[0])].casefold() in _ROMANISED | _PRONOUNS:
        words.pop(0)
    while len(words) > 1 and text[slice(*words[-1])].casefold() in _ROMANISED:
        words.pop()
    return (words[0][0], words[-1][1]) if words else (start, end)


def romanised_word_span(text: str, value: str) -> bool:
    """Whether a span starts with a romanised-Hindi word ("Yeh configuration file hai", "Ya
    phir", "ho jaye") in a text that has two such words or more: no name does ("Ho", "Ko" are
    census surnames, and capitalised at a sentence's start they look like names)."""
    words = value.split()
    if not words or words[0].casefold() not in _ROMANISED:
        return False
    return len({w.casefold() for w in _LATIN_WORD.findall(text)} & _ROMANISED) >= 2


def ordinary_word(word: str) -> bool:
    """A lower-case word that is an English word first ("max", "will": `common_word_names`) or
    romanised Hindi ("ko", "ho"), though the census lists it as a name."""
    from curate.pii.common_word_names import COMMON_WORD_NAMES

    word = word.casefold()
    return word in COMMON_WORD_NAMES or word in _ROMANISED
