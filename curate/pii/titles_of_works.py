"""Titles of works in booking dialogues: films, shows, songs and albums are no persons.

Why: on movie-ticket and music dialogues (Taskmaster TM-3, the Schema-Guided Dialogue) the small
English model reads titles as persons: "Dune", "Clifford the Big Red Dog", "Lal Singh Chaddha",
"Ron's Gone Wrong", "Medicine Remixes". The pass then replaces the title in every turn of the
dialogue, and a user's training data loses what was booked. A title is told from a name by the
sentence around it, never by a list of titles:

- a title's shape: a run of three or more capitalised words with a lower-case article inside
  ("Clifford the Big Red Dog", "Shang-Chi and the Legend of the Ten Rings"); a person's name
  holds no "the" or "a";
- a film's labels after it: a rating or a release note in brackets ("Dune (PG-13)", "Eternals
  (coming Nov 05)"), and every item of a list that holds such labels ("Eternals (coming Nov 05),
  Dune, Halloween Kills");
- what one does with a work: "tickets to X", "showtimes for X", "showings of X", "the movie X",
  "the album X", "X is playing", "is X rated PG"; "tickets for X" and "watch X" only when X is
  not a lone given name ("two tickets for Daniel" is a customer).

Names of people stay names, famous or not: an actor, a director or a singer after "by" or
"starring" is a person (persons are not told apart by fame: docs/DESIGN.md), and a cue ("my name
is", "booking under", a greeting) outweighs all of this. A title that holds a full name ("Lal
Singh Chaddha") is kept only where the sentence says it is a work.
"""
from __future__ import annotations

import regex

_ARTICLE = frozenset("the a an".split())
_JOIN = frozenset("the a an of and in to on at for from with".split())
_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}'’:-]*")
# A rating or a release note in brackets after a film's title.
_FILM_LABEL = regex.compile(
    r"[ \t]*\((?:(?:rated[ \t]+)?(?:G|PG|PG-13|R|NC-17|NR|U|UA|U/A|A|TV-\w+)|coming\b[^)]*|"
    r"in theaters\b[^)]*|\d{4})\)")
# The label may follow a bracket of its own: "Lal Singh Chaddha (<the title in Devanagari>) (PG)".
_LABEL_AFTER = regex.compile(r"(?:[ \t]+\p{Lu}[\p{L}'’-]*)*(?:[ \t]*\((?:[^()\n]|\([^()\n]*\))*\))?"
                             + _FILM_LABEL.pattern)
_WHATS = regex.compile(r"(?i:\bwhat(?:['’]s|[ \t]+is)[ \t]+)$")
_STRONG_BEFORE = regex.compile(
    r"(?i:\b(?:tickets?|seats?)[ \t]+(?:to|for[ \t]+(?:the[ \t]+)?(?:movie|film|show))"
    r"|\b(?:showtimes?|show[ \t]+times?|showings?|screenings?)[ \t]+(?:for|of)"
    r"|\b(?:movie|film|album|song|track|musical)[ \t]*[:,]?"
    r"|\b(?:about|plot[ \t]+of|synopsis[ \t]+of|trailer[ \t]+(?:for|of))[ \t]+(?:the[ \t]+)?(?:movie|film))"
    r"[ \t]+[\"“']?$")
_WEAK_BEFORE = regex.compile(
    r"(?i:\b(?:tickets?|seats?)[ \t]+for|\bwatch(?:ing)?|\bsee[ \t]+the[ \t]+movie|\bis|\bstill)[ \t]+$")
_STRONG_AFTER = regex.compile(
    r"[\"”']?[ \t]+(?:is|was)[ \t]+(?:still[ \t]+)?rated\b"
    r"|[\"”']?[ \t]+(?:is|was|also|still|now)[ \t]+(?:still[ \t]+|also[ \t]+)?(?:playing|showing)"
    r"(?:[ \t]+(?:at|in|near|tonight|today|tomorrow|anywhere|there|that|this|the[ \t]+movie)\b|[ \t]*(?:[?.!,]|$))"
    r"|[\"”']?[ \t]+(?:playing|showing|rated)[ \t]+(?:at|in|near|tonight|today|tomorrow|G|PG|R)\b")


def a_work(text: str, start: int, end: int) -> bool:
    """Whether a PERSON span is the title of a work (see the module docstring)."""
    return (_title_shape(text, start, end) or bool(_LABEL_AFTER.match(text, end))
            or bool(_WHATS.search(text, max(0, start - 12), start) and regex.match(r"[ \t]+about\b", text[end:]))
            or _in_a_list_of_films(text, start, end)
            or bool(_STRONG_BEFORE.search(text, max(0, start - 40), start))
            or bool(_STRONG_AFTER.match(text, end)))


def a_weak_work(text: str, start: int, end: int) -> bool:
    """"tickets for X", "watch X", "is X playing": a work unless X is a lone given name."""
    from curate.pii.indian_names import _lists
    from curate.pii.names import given_names

    value = text[start:end]
    if " " not in value and (value in given_names() or value in _lists()[0]):
        return False
    before = _WEAK_BEFORE.search(text, max(0, start - 30), start)
    if not before:
        return False
    if before.group().strip().lower() in ("is", "still"):   # "is Dune playing", "is Dune still on"
        return bool(regex.match(r"[ \t]+(?:still[ \t]+)?(?:playing|showing|on|out|rated)\b", text[end:end + 20]))
    return True


def _title_shape(text: str, start: int, end: int) -> bool:
    """The span lies in a run of three or more capitalised words, joined by lower-case function
    words, one of which is an article between two capitalised words. A title goes on after its
    article in words ("… and the Chamber of Secrets"); an acronym alone there names a team or a
    tool ("Thanks to Rohan Gupta and the AWS team", "Meera Rao and the HR desk"): no title."""
    words = _run(text, start, end)
    caps = [w for w in words if w[:1].isupper() or w[:1].isdigit()]
    articles = [i for i, w in enumerate(words[1:-1], 1) if w in _ARTICLE]
    return len(caps) >= 3 and bool(articles) and not all(
        w.isupper() for w in words[articles[-1] + 1:] if w[:1].isupper())


def _run(text: str, start: int, end: int) -> list[str]:
    """The words of the run of capitalised and joining words around the span, within its clause."""
    left = regex.search(r"[^.,;!?()\n\"“”]*$", text[max(0, start - 80):start]).group()
    right = regex.match(r"[^.,;!?()\n\"“”]*", text[end:end + 80]).group()
    before, after = _WORD.findall(left), _WORD.findall(right)
    run = _WORD.findall(text[start:end])
    for w in reversed(before):
        if not (w[:1].isupper() or w in _JOIN):
            break
        run.insert(0, w)
    for w in after:
        if not (w[:1].isupper() or w[:1].isdigit() or w in _JOIN):
            break
        run.append(w)
    while run and not (run[0][:1].isupper()):
        run.pop(0)
    while run and not (run[-1][:1].isupper() or run[-1][:1].isdigit()):
        run.pop()
    return run


def _in_a_list_of_films(text: str, start: int, end: int) -> bool:
    """An item of a list in a sentence that labels films ("Eternals (coming Nov 05), Dune,
    Halloween Kills"): the span is a whole item and another item carries a label."""
    return any(_FILM_LABEL.search(item) for item in list_items(text, start, end))


# What may follow the span within its item: the rest of a possessive title ("Ron's Gone Wrong"),
# more capitalised words, then a predicate in lower case that ends the list ("... are all in X").
_TITLE_TAIL = regex.compile(r"(?:['’]s)?(?:[ \t]*[\p{Lu}\d][\w'’-]*)*(?:[ \t]+\p{Ll}.*)?")
_ITEM_SPLIT = regex.compile(r"[ \t]*(?:[,;:]|\band\b|\bor\b)[ \t]*|[ \t]+-[ \t]+")
_SENTENCE_END = regex.compile(r"[.!?\n](?=[ \t\n]|$)")


def list_items(text: str, start: int, end: int) -> list[str]:
    """The other items of a list of three or more (commas, "and", "or") in the span's sentence when
    the span is a whole item (a film label, a possessive title's words or "the" may go with it);
    [] otherwise."""
    s = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    stop = _SENTENCE_END.search(text, end)
    e = stop.start() if stop else len(text)
    if e - s > 600:
        return []
    items, pos, mine = [], s, None
    for m in list(_ITEM_SPLIT.finditer(text, s, e)) + [None]:
        a, b = pos, (m.start() if m else e)
        if a < b:
            if a <= start and end <= b:
                mine = (a, b)
            else:
                items.append(text[a:b])
        pos = m.end() if m else e
    if mine is None or len(items) < 2:
        return []
    head = regex.sub(r"^(?:\d+[.)][ \t]*|the[ \t]+)", "", text[mine[0]:start], flags=regex.I)
    tail = _FILM_LABEL.sub("", text[end:mine[1]]).strip()
    whole = not head.strip() and (not tail or bool(_TITLE_TAIL.fullmatch(tail)))
    return items if whole else []


_CAPITALISED_RUN = regex.compile(r"(?:[ \t]+\p{Lu}[\p{L}'’-]*)*")
_OPEN_BRACKET_AFTER_RUN = regex.compile(r"(\p{Lu}[\p{L}'’-]*(?:[ \t]+\p{Lu}[\p{L}'’-]*)*)[ \t]*\($")


def a_romanised_title(text: str, start: int, end: int) -> bool:
    """Whether a name pair found without case (an Indian given name and surname, or a Devanagari
    pair) is part of a film's title: the capitalised run it starts is a work ("4 tickets to Laal
    Singh Chaddha (...) (coming Aug 11)"), or it sits in brackets right after such a run (the
    title in Devanagari: "Lal Singh Chaddha (<Devanagari title>) (PG-13)")."""
    run_end = _CAPITALISED_RUN.match(text, end).end()
    if a_work(text, start, run_end):
        return True
    opening = text.rfind("(", max(0, start - 3), start)
    before = _OPEN_BRACKET_AFTER_RUN.search(text, max(0, start - 80), opening + 1) if opening >= 0 else None
    return bool(before) and a_work(text, before.start(1), before.end(1))

