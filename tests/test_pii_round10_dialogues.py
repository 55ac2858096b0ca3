"""Issue 12, round 10: venues in restaurant-search dialogues that the small English model reads as
persons — a venue's name of which spaCy takes only the head ("la margherita", "Frankie and
Bennys"), one that begins with a given name ("Charlie Chan"), one listed beside other venues
("They are Cocum and India House") — stay in every turn; a customer's or a contact's name in the
same shapes still goes.

Each KEPT dialogue is of a kind the pass damaged on woz-a (the round's tune half), written anew
for the test with other names; each was changed by the pass at dbb8f14 (checked against a
`git archive` of it). STILL_PERSONAL puts a person's name in the same shapes.
"""
import pytest
from _pii_util import run_pii

from curate.pii.dialogue_places import listed_with_a_venue
from curate.pii.venue_facts import a_venue
from tunecraft.records import Record

KEPT = [
    # a venue's name led by a given name, said to be one of the restaurants, then asked for
    ["Could you look for Thai restaurants instead?",
     "There are 2 in the north. Oliver Twist is one of the cheap Thai restaurants in the north.",
     "Can I get the address and phone number of Oliver Twist, please?",
     "Oliver Twist's phone number is 01223 355012 and the address is 12 Mill Road.",
     "Thanks, that is all."],
    # the head of a longer name, the rest of which the predicate's subject carries
    ["I want an expensive place in the south.",
     "Jimmy and Sons is an expensive Italian eatery in the south part of town.",
     "What is their address?",
     "Jimmy and Sons is at 21 Hills Road."],
    # names listed beside venues
    ["I want an expensive Indian place in the west.",
     "There are two. They are Tandoor Mahal and Spice House.",
     "The phone for Tandoor Mahal please."],
    ["I want french food.",
     "Two options: Maison Blanc and Restaurant Two Two. Want more?",
     "Maison Blanc please."],
    ["Anything in the north?",
     "Nandos, Pizza Express, and Saint Johns Chop House are all in that area."],
    # a venue led by a given name, which the next sentence calls a business
    ["Anything cheap in the north?", "How about Charlie Wong? It is cheap and delicious.", "Sounds good."],
]

STILL_PERSONAL = [
    # a customer who gives the name of the booking, in a restaurant dialogue that says "a regular at the restaurant"
    ("Charlie Chan", ["Book a table for two at a cheap restaurant in the centre.",
                      "Done. Is it under Charlie Chan?",
                      "Yes, my name is Charlie Chan. Charlie Chan is a regular at the restaurant."]),
    # a person whose relative is the restaurant's owner: a person noun runs into the predicate
    ("Ravi", ["I need to call Ravi.", "Ravi's wife is a restaurant owner in the centre.", "Call Ravi Kumar now."]),
    # a person listed beside a venue's staff, not beside a venue
    ("Arjun Mehta", ["Who is coming?", "Invite Arjun Mehta and Spice House staff to the party."]),
    ("Rohan Verma", ["Who is coming?", "Meet Rohan Verma, Sunita Rao and the Golden House manager at six."]),
    # a list of people
    ("Arjun Mehta", ["Who is on the list?", "They are Arjun Mehta and Rohan Verma."]),
]


def _run(pii, turns):
    record = Record("d.jsonl:1", [{"role": "user" if k % 2 == 0 else "assistant", "content": t}
                                  for k, t in enumerate(turns)])
    out, _ = run_pii(pii, [record])
    return [m["content"] for m in out[0].messages]


@pytest.mark.parametrize("turns", KEPT, ids=[t[1][:40] for t in KEPT])
def test_venues_of_a_restaurant_dialogue_stay_in_every_turn(pii, turns):
    assert _run(pii, turns) == turns


@pytest.mark.parametrize("value,turns", STILL_PERSONAL, ids=[v for v, _ in STILL_PERSONAL])
def test_a_person_in_the_same_shapes_still_goes(pii, value, turns):
    out = "\n".join(_run(pii, turns))
    assert value not in out and "<PERSON>" in out


def test_a_venue_predicate_reads_past_the_head_of_the_name():
    text = "la margherita is an italian restaurant in the west. dojo noodle bar is a cheap restaurant."
    assert a_venue(text, 0, 2)
    at = text.index("dojo")
    assert a_venue(text, at, at + 4)
    text = "Ravi's wife is a restaurant owner. Priya really is cheap."
    assert not a_venue(text, 0, 4)
    assert not a_venue(text, text.index("Priya"), text.index("Priya") + 5)


def test_a_list_needs_a_venue_beside_the_span():
    text = "They are Tandoor Mahal and Spice House."
    at = text.index("Tandoor")
    assert listed_with_a_venue(text, at, at + len("Tandoor Mahal"))
    text = "They are Tandoor Mahal and Rohan Verma."
    assert not listed_with_a_venue(text, at, at + len("Tandoor Mahal"))
    text = "Invite Arjun Mehta and Spice House staff to the party."
    at = text.index("Arjun")
    assert not listed_with_a_venue(text, at, at + len("Arjun Mehta"))
