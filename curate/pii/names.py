"""Person names that spaCy's small English model misses or files under another label.

Why: on presidio-research's synthetic sentences (bench/pii_eval.py) `en_core_web_sm` finds 64% of
the person names. Of the names it misses, about a third it labels ORG, GPE, PRODUCT or
WORK_OF_ART ("I want to add Irenke Sörös as a beneficiary": ORG) and half it labels nothing
("They had 6: Gaetane, Hannah, Anthony, Derek, ..."). Capitalisation alone is no evidence in
support text (product names, headings, "Dear Customer"), so each rule here needs a second sign:

- a known name: a census given name heading a span spaCy labelled ORG/PRODUCT/WORK_OF_ART or
  followed by a capitalised surname ("Sigrid Nyström"), two name words ending in a census
  surname inside such a span ("Calquín Cazares"), or a common given name alone ("Derek");
- a middle initial between two capitalised words ("Ravil G Yefimov", "Faina D. Yefremova");
- the same word found as a person elsewhere in the text ("My name is Aantje Mourik but everyone
  calls me Aantje");
- being listed with a person ("Efimiya, Mary, Ariana and Jodi"), or being another speaker of a
  dialogue one of whose speakers is a person ("Ubul: What a wife.\nNicole: Remember me?").

Names are never: English function words, months and weekdays, identifier words (NOT_NAMES), or
spans that run into an organisation, product tier, currency or address word (DESIGNATORS).
The rules run only where the pass trusts English NER (`ner_languages`), on one text at a time.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import regex

from curate.pii.common_word_names import COMMON_WORD_NAMES
from curate.pii.indian_names import indian_name_pairs
from curate.pii.intervals import overlaps
from curate.pii.recognizers import NAME_CUE, NOT_NAMES

# spaCy labels under which the small model files person names it does not recognise as such.
# Not GPE/LOC/NORP/FAC/EVENT/DATE: there a given name is usually a place, a people, a building,
# a storm or a month ("France", "Victoria", "German", "Shelly Park", "Katrina", "June").
HOST_LABELS = ("ORG", "PRODUCT", "WORK_OF_ART")
_PLACE_LABELS = ("LOCATION", "GPE", "LOC", "FAC", "NORP", "EVENT", "DATE")
# The spaCy labels this module reads besides PERSON and the location labels.
EXTRA_LABELS = HOST_LABELS + ("FAC", "NORP", "EVENT", "DATE")

# A capitalised word of a name, any script with case: "Nyström", "Šušulić", "O'Brien",
# "McDonald", "LeBatelier", "Jean-Luc". An initial: "G", "D.".
_WORD = r"\p{Lu}(?:\p{Ll}{0,2}\p{Lu}|['’]\p{Lu})?[\p{Ll}\p{M}]+(?:-\p{Lu}[\p{Ll}\p{M}]+)?"
_INITIAL = r"\p{Lu}\.?"
NAME_WORD = regex.compile(_WORD + r"$")
# Up to four name words and initials on one line: the candidate names of a text.
_RUN = regex.compile(rf"(?<![\p{{L}}\p{{M}}\p{{N}}_.@-])(?:{_WORD}|{_INITIAL}(?!\p{{L}}))"
                     rf"(?:[ \t](?:{_WORD}|{_INITIAL}(?!\p{{L}}))){{0,3}}"
                     rf"(?![\p{{L}}\p{{M}}\p{{N}}_@-])")
_TOKEN = regex.compile(rf"(?<![\p{{L}}\p{{M}}])(?:{_WORD}|{_INITIAL}(?!\p{{L}}))")

# Words that end a candidate name: organisation, product tier, software, currency and address designators,
# and the identifier and greeting words that are never names (recognizers.NOT_NAMES). "Johnson
# Inc.", "Lincoln Financial", "Zomato Gold", "Russian Ruble", "Kent Street".
DESIGNATORS = frozenset("""
inc ltd llc llp plc corp corporation co company group bank investments partners solutions
technologies services systems insurance holdings capital markets associates foundation trust
financial finance securities money pay wallet motors airlines airways energy power pharma
telecom mobile fiber digital media network networks labs software global international
industries enterprises ventures consulting store stores shop mart market travels tours
university college school hospital clinic airport station club hotel street road avenue lane
boulevard drive apt suite fort falls bay park square city county state district
gold silver platinum premium prime plus pro max lite elite select
cloud engine machine framework core api sdk cli platform toolkit basics server
rupee rupees ruble rubles rouble franc francs pound pounds dollar dollars euro euros yen yuan
peso pesos dirham riyal lira krona krone kroner dinar baht ringgit rand shekel zloty forint
""".split())

# English function words, capitalised at the start of a sentence or a heading: never a name.
_FUNCTION_WORDS = frozenset("""
the a an this that these those my our your his her their its and or but of for in on at to by
with from as is are was were be been can could will would should may might must do does did
have has had not no yes if then than so when where why how what which who whom whose there
here it we they he she you i me us them all any some each every both either neither
""".split())

# Months and weekdays: several are also given names in the census list ("April", "June").
_CALENDAR = frozenset("""
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
""".split())

# A given name alone (no surname, no context) counts only if at least this share of the census
# population has it (1,555 names): rare entries are often something else ("Hae" for "hey").
LONE_NAME_MIN_PERCENT = 0.01


def _census(part: str) -> dict[str, float]:
    """Name -> percent of the 1990 US census population with it (package `names`)."""
    out: dict[str, float] = {}
    for line in resources.files("names").joinpath(part).read_text(encoding="ascii").splitlines():
        if line.strip():
            name, percent = line.split()[:2]
            name = name.capitalize()
            out[name] = max(out.get(name, 0.0), float(percent))
    return out


@lru_cache(maxsize=1)
def _name_lists() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    given = _census("dist.male.first")
    for name, percent in _census("dist.female.first").items():
        given[name] = max(given.get(name, 0.0), percent)
    drop = {w.capitalize() for w in COMMON_WORD_NAMES | _CALENDAR}
    names = {name: percent for name, percent in given.items() if name not in drop}
    surnames = _census("dist.all.last")
    lone = {name for name, percent in names.items()
            if percent >= LONE_NAME_MIN_PERCENT and percent > surnames.get(name, 0.0)}
    return frozenset(names), frozenset(lone), frozenset(n for n, p in surnames.items() if p > 0)


def given_names() -> frozenset[str]:
    """Given names of the US census 1990 (5,163 male and female first names, public domain,
    shipped by the `names` package), less those that are also ordinary English words ("Will",
    "May", "Grace", "Mark"; `common_word_names`) or months: those need more than the name
    list to count as a person."""
    return _name_lists()[0]


def lone_given_names() -> frozenset[str]:
    """The given names that count without a surname or a cue: common ones (`LONE_NAME_MIN_PERCENT`)
    that are more often a given name than a surname ("Derek", not "Johnson", "Jordan", "Morgan",
    which alone are as likely a company, a place or a surname of someone else)."""
    return _name_lists()[1]


def surnames() -> frozenset[str]:
    """Surnames of the US census 1990 held by at least 0.001% of the population (18,839)."""
    return _name_lists()[2]


def _plain(word: str) -> str:
    return word.rstrip(".").casefold()


def _is_name_word(word: str) -> bool:
    """A capitalised word that may be part of a name: not an identifier word, a greeting, a
    designator, a month or weekday, or an English function word ("The", "Can")."""
    plain = _plain(word)
    return (bool(NAME_WORD.match(word)) and plain not in NOT_NAMES and plain not in DESIGNATORS
            and plain not in _CALENDAR and plain not in _FUNCTION_WORDS)


def _name_tokens(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The name words and initials of text[start:end], in order (positions in `text`)."""
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)]


def _leading_name(text: str, start: int, end: int) -> list[tuple[int, int]] | None:
    """The spans of the name-shaped words heading text[start:end] on its first line (at most
    four, at most one an initial, never ending in one); None when the words run into a
    designator ("Russell Investments", "Kent Street") or nothing name-shaped leads."""
    line_end = text.find("\n", start, end)
    end = end if line_end < 0 else line_end
    words = _name_tokens(text, start, end)
    if not words or text[start:words[0][0]].strip() or not _is_name_word(text[slice(*words[0])]):
        return None
    kept = [words[0]]
    initials = 0
    for s, e in words[1:4]:
        if text[kept[-1][1]:s].strip():   # something other than spaces between: the name ended
            break
        word = text[s:e]
        if len(word.rstrip(".")) == 1:
            initials += 1
            if initials > 1:
                break
        elif not _is_name_word(word):
            if _plain(word) in DESIGNATORS:
                return None
            break
        kept.append((s, e))
    while len(text[slice(*kept[-1])].rstrip(".")) == 1:   # a name does not end in an initial
        kept.pop()
    return kept


def _given_name_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The person name heading text[start:end] when it starts with a given name: "Faina D.
    Yefremova's" -> the name; "Julieta S Almeida\n\nStaff" -> "Julieta S Almeida";
    "Morgan Stanley Inc." -> None."""
    words = _leading_name(text, start, end)
    if not words or text[slice(*words[0])] not in given_names():
        return None
    return words[0][0], words[-1][1]


def find_person_names(text: str, ents: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """spaCy's entities of one text with the person names it missed or mislabelled added as
    PERSON; only our labels (PERSON, LOCATION) come back."""
    persons = [(s, e) for s, e, label in ents if label == "PERSON"]
    places = [(s, e) for s, e, label in ents if label in _PLACE_LABELS]
    hosts = [(s, e) for s, e, label in ents if label in HOST_LABELS]
    cued = [m.span() for m in NAME_CUE.finditer(text)]  # also a Presidio recognizer: see below
    persons += _relabelled(text, hosts)
    persons += [span for span in _initialled(text) if not overlaps(span, persons)]
    persons += [span for span in _given_and_surname(text) + indian_name_pairs(text)
                if not overlaps(span, persons) and not overlaps(span, places)]
    persons += [span for span in _lone_given_names(text)
                if not overlaps(span, persons) and not overlaps(span, places)
                and not overlaps(span, hosts)]
    persons += _repeated(text, persons + cued)
    persons += _listed_with(text, persons + cued)
    persons += _fellow_speakers(text, persons + cued)
    kept = [(s, e, label) for s, e, label in ents if label == "LOCATION"
            and not overlaps((s, e), persons)]
    return sorted({(s, e, "PERSON") for s, e in persons} | set(kept))


def _relabelled(text: str, hosts) -> list[tuple[int, int]]:
    """ORG/PRODUCT/WORK_OF_ART spans that begin with a person's name: a given name and what
    follows it ("Sigrid Nyström"), or two or three name words ending in a census surname
    ("Calquín Cazares"). A name alone must be a common given name ("Scott", not the "Johnson"
    of "Johnson & Johnson")."""
    out = []
    for s, e in hosts:
        words = _leading_name(text, s, e)
        if not words:
            continue
        first, last = text[slice(*words[0])], text[slice(*words[-1])]
        if len(words) == 1 and first in lone_given_names() or len(words) > 1 and (
                first in given_names() or last in surnames()):
            out.append((words[0][0], words[-1][1]))
    return out


# The pronoun "I" and the article "A" are not initials ("Can I Transfer", "Plan A Trip").
_INITIALLED = regex.compile(rf"(?<![\p{{L}}\p{{M}}\p{{N}}_.@-])({_WORD})[ \t]+"
                            rf"(?:(?![IA][ \t])\p{{Lu}}|\p{{Lu}}\.)[ \t]+({_WORD})"
                            rf"(?![\p{{L}}\p{{M}}\p{{N}}_@-])")


def _initialled(text: str) -> list[tuple[int, int]]:
    """Two capitalised name words around a middle initial: "Ravil G Yefimov", "Sari J.
    Paavolainen"."""
    out = []
    for m in _INITIALLED.finditer(text, overlapped=True):
        if _is_name_word(m.group(1)) and _is_name_word(m.group(2)):
            out.append((m.start(), m.end()))
    return out


def _given_and_surname(text: str) -> list[tuple[int, int]]:
    """A given name followed by a capitalised surname on the same line: "Maureen Thibault"."""
    out = []
    for run in _RUN.finditer(text):
        span = _given_name_span(text, run.start(), run.end())
        if span and len(text[span[0]:span[1]].split()) >= 2:
            out.append(span)
    return out


def _lone_given_names(text: str) -> list[tuple[int, int]]:
    """A common given name standing alone, not heading a longer proper noun ("They had 6:
    Gaetane, Hannah, Anthony, Derek, ..."; not "Ola Money")."""
    names = lone_given_names()
    return [run.span() for run in _RUN.finditer(text) if run.group() in names]


def _repeated(text: str, persons) -> list[tuple[int, int]]:
    """Other occurrences of a word of a name already found in this text ("Aantje Mourik ...
    calls me Aantje"), with the name words that follow them; also where spaCy called the other
    occurrence a place: one text rarely uses one word for a person and a place."""
    words = {text[m.start():m.end()] for s, e in persons for m in _TOKEN.finditer(text, s, e)}
    words = {w for w in words if len(w) > 2 and _is_name_word(w)}
    if not words:
        return []
    out = []
    for run in _RUN.finditer(text):
        tokens = _name_tokens(text, run.start(), run.end())
        for i, (s, e) in enumerate(tokens):
            if text[s:e] in words and not overlaps((s, e), persons):
                stop = e
                for s2, e2 in tokens[i + 1:i + 3]:
                    if not _is_name_word(text[s2:e2]):
                        break
                    stop = e2
                out.append((s, stop))
                break
    return out


# "A, B and C", "A and B", "A & B": capitalised items of one to three words.
_ITEM = rf"{_WORD}(?:[ \t](?:{_WORD}|{_INITIAL})){{0,2}}"
_LIST = regex.compile(rf"(?<![\p{{L}}\p{{M}}\p{{N}}_-])(?:{_ITEM})(?:,[ \t]+(?:{_ITEM}))*,?[ \t]+"
                      rf"(?:and|&|or)[ \t]+(?:{_ITEM})(?![\p{{L}}\p{{M}}\p{{N}}_-])")
_ITEM_RE = regex.compile(_ITEM)


def _listed_with(text: str, persons) -> list[tuple[int, int]]:
    """The other items of a list that names a person ("Efimiya, Mary, Ariana and Jodi"), also
    where spaCy called one a place ("Ariana": GPE): coordinated proper nouns are of one kind."""
    out = []
    for m in _LIST.finditer(text):
        items = [(x.start(), x.end()) for x in _ITEM_RE.finditer(text, m.start(), m.end())]
        if len(items) < 2 or not any(overlaps(item, persons) for item in items):
            continue
        for s, e in items:
            words = text[s:e].split()
            if overlaps((s, e), persons):
                continue
            if all(_is_name_word(w) or len(w.rstrip(".")) == 1 for w in words):
                out.append((s, e))
    return out


# "Nicole: Remember me, Mary?" - a speaker label at the start of a line of a dialogue.
_SPEAKER = regex.compile(rf"^[ \t>]*({_WORD}):", regex.MULTILINE)
# What a speaker says: a quotation or a sentence that starts with a word.
_SPEECH = regex.compile(r"[ \t]*(?:[\"“']|\p{L}+[\p{L}']*[ \t,?!.])")
# Roles that label chat turns; never a person's name.
_ROLES = frozenset("""
agent customer user bot support me system assistant rep representative executive admin operator
staff team caller client you q a question answer note subject re fwd date time from to cc
""".split())


def _fellow_speakers(text: str, persons) -> list[tuple[int, int]]:
    """In a dialogue where one speaker label is a person, the other speaker labels are persons
    too ("Ubul: What a wife.\nNicole: Remember me, Mary?"). Form fields ("Name:", "Phone:")
    are not speakers: what follows them is a value, not a sentence."""
    labels = [m.span(1) for m in _SPEAKER.finditer(text)
              if _plain(m.group(1)) not in _ROLES and _is_name_word(m.group(1))
              and _SPEECH.match(text, m.end())]
    if len(labels) < 2 or not any(overlaps(span, persons) for span in labels):
        return []
    return [span for span in labels if not overlaps(span, persons)]
