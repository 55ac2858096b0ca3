"""Task-oriented dialogues and support chats: products, venues, titles and a venue's phone.

Why: on booking and ordering dialogues (Taskmaster's coffee orders and movie tickets, the
Schema-Guided Dialogue's restaurants and hotels) the small English model reads the things being
ordered, booked or watched as persons: "can I have a Chai with Oat milk", "a decaf Americano",
"Book 1 table at Kaiser Family Restaurant", "Ac Hotel By Marriott Porte Maillot", "Sunnyvale,
CA". Signals of English grammar and of how businesses are named tell them apart without a list of
products:

- a determiner or a quantity before the span, with at most a few lower-case modifiers between
  ("a Latte", "two large Mochas", "the 11 Howard", "your decaf Americano"): English puts no
  article before a person's name, and the modifiers are no person noun ("a customer Ravi" is not
  this case);
- the span sits in a run of capitalised words that holds a business designator ("... Family
  Restaurant", "Hotel By ...", "... Theatre", names.DESIGNATORS and the venue words below): the
  run is an organisation's name, as "Axis Bank" is;
- a state or country after a comma ("Sunnyvale, CA", "Paris, France"): under the address policy
  a town named in a query identifies no one (curate.pii.places).

Evidence that the span is a name still outweighs these doubts (person_evidence: a cue, a greeting,
a verb of a person, a census given name and surname), so "my name is Priya Shah" and "Thanks,
Rahul" go whatever comes before them.

A phone number said to be a business's ("their phone number is", "you can reach the hotel at",
"they can be reached at") is the venue's public line, not personal data: GDPR and HIPAA protect
natural persons, and a restaurant's listed number identifies none. It is kept when its sentence
points at a third party (they/them/their/its, or a venue word) and at no person (no first
person, no he/she, no family or customer noun): "my number is", "call me at", "his cell",
"their son's number" are still replaced. When a sentence says neither, the number is replaced.
"""
from __future__ import annotations

import regex

from curate.pii.names import DESIGNATORS

# Words that name a kind of venue or business (beside names.DESIGNATORS' organisation words).
VENUE_WORDS = frozenset("""
restaurant restaurants cafe café caffe bistro brasserie grill grille bar pub tavern kitchen diner
bakery pizzeria steakhouse eatery cantina trattoria taqueria inn suites resort resorts lodge motel
hostel hotels theatre theater theatres theaters cinema cinemas cineplex multiplex imax museum
gallery zoo aquarium stadium arena mall plaza center centre bridge tower salon spa studio studios
dental dentistry pharmacy gym fitness garage cabs rentals galleria drafthouse playhouse depot
""".split())
_DETERMINERS = ("a an the your our another any some each every one two three four five six seven "
                "eight nine ten twelve dozen couple pair").split()   # not "that": "so that Kaczmarek was"
# Lower-case words between the determiner and the span that make it no product: a person noun
# ("a customer Ravi", "the agent Meera"), or a function word ("that is Priya", "this was Ravi").
_PERSON_NOUNS = frozenset("""
customer customers client clients patient guest user agent friend friends wife husband son
daughter mother father mom dad mum brother sister colleague boss manager doctor nurse driver
courier technician guy man woman lady girl boy kid child baby person people mr mrs ms dr sir
madam named called
""".split())
_FUNCTION = frozenset("""
is are was were be been am will would can could should may might must do does did has have had
not and or but of for in on at to by with from as if so than then who whom whose which what
""".split())
_BEFORE = regex.compile(
    r"(?i:(?<![\p{L}\p{N}])(?:" + "|".join(_DETERMINERS) + r"|\d+))"
    r"((?:[ \t]+[\p{Ll}\d][\p{L}\d%'’-]*){0,3})[ \t]+$")
_AFTER_PRODUCT = frozenset("please instead too then now here there".split())
_RUN_WORD = regex.compile(r"\p{Lu}[\p{L}\p{M}'’.&-]*|\d[\p{L}\d]*|&|(?i:by|of|de|the|on|at)")
# A state or country after a comma ("Sunnyvale, CA", "Paris, France"), then the clause ends.
_AFTER_COMMA = regex.compile(r",[ \t]*(\p{Lu}[\p{L}.]*(?:[ \t]\p{Lu}[\p{L}.]*){0,2})(?=[ \t]*(?:[.,;:!?)\n]|$))")
_US_STATES = frozenset("""AL AK AZ AR CA CO CT DE FL GA IA ID IL KS KY LA MA MD MI MN MO MS MT NC ND NE
NH NJ NM NV NY OH PA RI SC SD TN TX UT VA VT WA WI WV WY DC""".split())   # not OK HI ME IN OR
# State codes typed in lower case that are no English word ("Davis, ca"; not "in", "me", "or").
_LOWER_STATE = regex.compile(r",[ \t]*(?:ca|ny|tx|fl|nj|az|nv|ga|nc|sc|va|md|mn|tn|wi|ut|nm|ct|ky|ks)"
                             r"(?=[ \t]*(?:[.,;:!?)\n]|$))")
_STATE_CODE = regex.compile(r",[ \t]*([A-Z]{2})(?=[ \t]+[\p{Ll}\d]|[ \t]*(?:[.,;:!?)\n]|$))")
_THIRD_PARTY = regex.compile(r"(?i)(?<![\p{L}'’])(?:they|them|their|theirs|its)(?![\p{L}'’])")
_PERSONAL = regex.compile(r"(?i)(?<![\p{L}'’])(?:i|i'm|i’m|i've|me|my|mine|we|us|our|he|she|him|her|his|hers)(?![\p{L}])")
_SENTENCE = regex.compile(r"[.!?\n](?=\s|$)")


# What is booked or visited at a venue, or what names one: "a table at X", "the hotel called X".
_PLACES = frozenset("hotel hospital clinic airport station club store shop school college place spot".split())
_AT_VENUE = regex.compile(
    r"(?i:\b(?:table|tables|reservation|reservations|booking|bookings|room|rooms|stay|staying|dinner|"
    r"lunch|breakfast|brunch|eat|dine|dining|eating|showing|showings|playing|tickets)[ \t]+at"
    r"|\b(?:" + "|".join(sorted(VENUE_WORDS | _PLACES)) + r")(?:[ \t]+(?:called|named)"
    r"|(?:[ \t]+(?:to|near)[ \t]+you|[ \t]+nearby)?[ \t]+(?:is|was)))[ \t]+(?:the[ \t]+)?(?:\d+[ \t]+)?$")
# Things sought in a town ("theaters in Davis", "restaurants in Morgan Hill"): the town is a place.
_SOUGHT = ("movies films shows showtimes showings playing showing events concerts tickets weather forecast places "
           "options things rides cabs cars flights buses trains houses apartments attractions")
_IN_TOWN = regex.compile(r"(?i:\b(?:" + "|".join(sorted(VENUE_WORDS | frozenset(_SOUGHT.split())))
                         + r")[ \t]+(?:in|near|around)(?:[ \t]+downtown)?)[ \t]+$")


def named_venue(text: str, start: int, end: int) -> bool:
    """A venue however much it looks like a person's name ("Ac Hotel By Marriott Beverly Hills",
    "Santa Cruz Cinema", "a table at Tandoori Mahal", "a hotel called 11 Howard"), or a town where
    venues or shows are sought ("theaters in Davis"): weighed after cues, before the name lists.
    A venue word ends few names: the census surnames among them (Kitchen, Plaza, Tower, Center,
    Bridge, Lodge, Arena, Grill) are held by 0.001-0.006% of people each."""
    if text[end:end + 2] in ("'s", "’s"):
        return _venue_run(text, start, end, own=False)
    from curate.pii.venue_facts import a_venue

    if _AT_VENUE.search(text, max(0, start - 40), start) or _IN_TOWN.search(text, max(0, start - 40), start) \
            or a_venue(text, start, end):   # "X is a cheap Indian restaurant", "X serves Thai food"
        return True
    own = [w.strip(".,'’").casefold() for w in text[start:end].split()]
    return len(own) > 1 and any(w in VENUE_WORDS for w in own) or _venue_run(text, start, end, own=False)


def venue_name_words(text: str, ents) -> set[str]:
    """The words of the organisations and buildings named in a text whose last word is a venue
    word ("The Davis Varsity Theatre"): the same word alone elsewhere in the text is the venue's
    town or a short name of it, not a person, unless a name's evidence says so."""
    out = set()
    for s, e, label in ents:
        words = text[s:e].split()
        if label in ("ORG", "FAC") and len(words) > 1 and words[-1].strip(".,").casefold() in VENUE_WORDS | _PLACES:
            out |= {w for w in words[:-1] if w[:1].isupper() and w.casefold() not in ("the", "a", "an")}
    return out


def product_or_venue(text: str, start: int, end: int) -> bool:
    """Whether a PERSON span is what is ordered, booked or visited (see the module docstring)."""
    if text[end:end + 2] in ("'s", "’s") and not _venue_run(text, start, end):
        return False      # "in Priya's name": a possessive is a person's unless a venue's name
    return (_determined(text, start, end) or _venue_run(text, start, end) or _a_place(text, start, end)
            or _visited(text, start, end))


# Where one goes, or where a place is: "a ride to Gum Kuo", "Valero is at 200 Alester Avenue",
# "Chef Chu's is 5 miles away", "Alila Bangsar, a 5 star hotel", "with Oat milk".
# A car model offered for hire ("a Hatchback of Kia Ceed", "a SUV of Skoda Kodiaq"), a town named
# as such ("in the city Morgan Hill").
_MODEL_OR_TOWN = regex.compile(r"(?i:\b(?:car|cars|suv|suvs|sedan|sedans|hatchback|hatchbacks|compact|minivan|"
                               r"convertible|coupe|model)[ \t]+of|\bthe[ \t]+(?:city|town))[ \t]+$")
_TO = regex.compile(r"(?i:\b(?:go|going|goes|went|head|heading|headed|drive|driving|ride|cab|taxi|"
                    r"navigate|navigating|directions|route|way)(?:[ \t]+(?:over|back|down|up))?[ \t]+to"
                    r"(?:[ \t]+the)?)[ \t]+$")
_LOCATED = regex.compile(r"(?:['’]s)?[ \t]+(?:is|are)[ \t]+(?:located[ \t]+)?(?:at[ \t]+\d|(?:only[ \t]+)?"
                         r"\d+(?:\.\d+)?[ \t]+(?:miles?|mi|km|kilometers?|kilometres?|minutes?)[ \t]+away)")
_KIND_AFTER = regex.compile(r",[ \t]+(?:a|an|the)[ \t]+(?:[\w-]+[ \t]+){0,3}?(?:" + "|".join(
    sorted(VENUE_WORDS | _PLACES)) + r")(?=[ \t]*(?:[.,;:!?)\n]|$|in\b|with\b|that\b|which\b|near\b))", regex.I)
# A menu item offered in place of another: "we don't have Mocha, did you mean Macchiato?"
_MEANT = regex.compile(r"(?i:\b(?:did|do)[ \t]+you[ \t]+mean|\binstead[ \t]+of|\bwe[ \t]+(?:don't|do[ \t]+not|"
                       r"only)?[ \t]*(?:have|carry|serve|offer))[ \t]+(?:a[ \t]+|an[ \t]+|the[ \t]+)?$")
_THINGS = regex.compile(r"(?i)[ \t]+(?:milk|tea|coffee|latte|espresso|syrup|sauce|cream|juice|soda|foam|shots?)\b")


def _visited(text: str, start: int, end: int) -> bool:
    """Where one goes or where a place is, for a span that is no lone given name ("a ride to
    Priya" and "Jack is at 864 Almanor Ln" stay names); a drink ("Jin Xuan tea", "Irish Breakfast
    Tea") or a menu item offered in place of another ("Did you mean Cortado?")."""
    from curate.pii.indian_names import _lists
    from curate.pii.names import given_names

    value = text[start:end]
    if " " not in value and (value in given_names() or value in _lists()[0]):
        return False
    words = value.split()
    a_drink = bool(_THINGS.match(text, end)) or len(words) > 1 and bool(_THINGS.fullmatch(" " + words[-1].lower()))
    before = text[max(0, start - 40):start]
    return (a_drink or bool(_MEANT.search(before)) or bool(_TO.search(before)) or bool(_MODEL_OR_TOWN.search(before))
            or bool(_LOCATED.match(text, end))
            or bool(_KIND_AFTER.match(text, end)) or _in_a_list_of_venues(text, start, end))


_LISTED = regex.compile(r"(?i)[ \t](?:" + "|".join(sorted(VENUE_WORDS)) + r"|tea|coffee|latte)\W*$")


def _in_a_list_of_venues(text: str, start: int, end: int) -> bool:
    """An item of a list another item of which ends in a venue word or a drink ("The Davis
    Varsity Theatre, Regal Davis, and Regal Davis Holiday"; "Earl Gray, Ceylon Black Tea")."""
    from curate.pii.titles_of_works import list_items

    return any(_LISTED.search(item) for item in list_items(text, start, end))


def _determined(text: str, start: int, end: int) -> bool:
    """A determiner or quantity before the span belongs to it, not to a noun after it ("a Homero
    Portillo concert", "the Jensen novel": a name as a modifier), and is no initial ("Juliusz A
    Kwiatkowski")."""
    m = _BEFORE.search(text, max(0, start - 60), start)
    if not m or any(w.strip("'’") in _PERSON_NOUNS or w in _FUNCTION for w in m.group(1).lower().split()):
        return False
    if text[m.start():m.start() + 2] in ("A ", "A\t") and regex.search(r"\p{Lu}\p{Ll}+[ \t]+$", text[:m.start()]):
        return False
    after = regex.match(r"[ \t]+(\p{Ll}+)", text[end:end + 30])
    return not after or after.group(1) in _FUNCTION or after.group(1) in _AFTER_PRODUCT


def _venue_run(text: str, start: int, end: int, own: bool = True) -> bool:
    """The span lies in a run of capitalised words (with "By", "of", "&", numbers) that holds a
    business designator, or a venue word follows it: "Left Bank Brasserie", "Ac Hotel By
    Marriott", "New Delhi hotels"."""
    before = text[max(0, start - 80):start].split(" ")[:-1]
    after = text[end:end + 80].split(" ")[1:] if text[end:end + 1] == " " else []
    run = []
    for words, joins in ((reversed(before), True), (after, False)):
        for word in words:   # "of", "by", "&" only before the span: "Ravi Rao of Acme Bank" is a person
            plain = word.rstrip(",.;:!?")
            stop = plain != word      # punctuation ends the run: before the span it is outside it
            if not _RUN_WORD.fullmatch(plain) or not joins and not plain[:1].isupper() and not \
                    plain[:1].isdigit() or joins and stop:
                break
            run.append(plain)
            if stop:
                break
    nxt = after[0].rstrip(",.;:!?").casefold() if after else ""
    mine = [w.strip(".,'’").casefold() for w in text[start:end].split()] if own else []
    return nxt in VENUE_WORDS or len(mine) > 1 and any(w in VENUE_WORDS for w in mine) or any(
        w[:1].isupper() and w.strip(".'’").casefold() in VENUE_WORDS | DESIGNATORS for w in run)


def _a_place(text: str, start: int, end: int) -> bool:
    """Followed by a state or country after a comma ("Sunnyvale, CA"). Not "in X": Presidio's
    "I am in Akureyri for a business trip" is a stay that its labels count as a place to remove."""
    from curate.pii.places import _plain, regions

    from curate.pii.names import given_names

    state = _STATE_CODE.match(text, end)
    if _LOWER_STATE.match(text, end) or state and state.group(1) in _US_STATES:
        return True      # "Davis, ca", "Davis, CA tomorrow"
    m = _AFTER_COMMA.match(text, end)
    return bool(m) and (m.group(1) in _US_STATES or _plain(m.group(1)) in regions()
                        and m.group(1) not in given_names())     # "Efimiya, Mary, Ariana"


def business_phone(text: str, start: int, end: int) -> bool:
    """Whether a phone number's sentence (or the one before it) attributes it to a business and
    to no person: curate.pii.venue_facts."""
    from curate.pii.venue_facts import business_contact

    return business_contact(text, start, end)
