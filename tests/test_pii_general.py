"""General English instructions that name no one stay; names in letters, tickets and word
problems still go.

Each KEPT text was damaged by the pass before `curate.pii.person_evidence` (issue 12, general
English round: Self-Instruct seed tasks, user-oriented instructions, T0 QA templates): spaCy's
small model called a unit, a city, a menu label, a list of exercises or spells, grammar terms, a
product and an initial "PERSON", and the pass believed it. STILL_PERSONAL holds names in the
shapes the new doubts look at (lists, labels, greetings, travel, quantities), which must still go.
"""
import pytest
from _pii_util import anonymised

KEPT = [
    # A unit after a quantity.
    "Convert the temperature.\n\n85 degrees Fahrenheit is equal to 29.44 degrees Celsius.",
    # A country; a city after a word of travel, and the same city called a place elsewhere.
    "Jordan's climate is dry and hot. What is Jordan's average weather over time?",
    "Plan a trip.\n\nDay 1: Arrive in Seattle. Check into your hotel and rest.\nDay 5: Depart Seattle.",
    # Labels and title-cased field values in a menu and a line of facts.
    "Monday:\nMain Dish: Chicken Teriyaki, Side Dish: Fried Rice, Dessert: Fruit Cup\n"
    "Tuesday:\nMain Dish: Beef Stew, Side Dish: Biscuits, Dessert: Ice Cream",
    "Facts:\nTemp: 10 C, pm2.5: 27, Loc: Beijing, Roles: User and Bot",
    # Items of a list of things, not people.
    "Core exercises for beginners:\n1. Lying Leg Raises\n2. Scissor Kicks\n3. Russian Twist\n"
    "4. Burpees\n5. Plank\n6. Side Plank",
    "Spells and what they do:\n1. Accio: This spell summons an object.\n2. Alohomora: This spell "
    "opens locked doors.\n3. Lumos: This spell lights up the wand.",
    # Grammar terms in a comma list.
    "Tag each word. Tags include Adjective, Adverb, Conjunction, Determiner, Noun, Number, "
    "Preposition, Pronoun, Verb.",
    # Terms whose last word is a common noun.
    "Mind Mapping is one of the methods for brainstorming ideas.",
    "Write a product review.\n\n- Product: Persil Discs Laundry Detergent Pacs, Original Scent, "
    "62 Count\n- Sentiment: Positive",
    "Week plan:\n- Chicken & Veggie Stir-Fry\n- Classic Chicken Noodle Soup\n- Low-Carb Eggplant Lasagna",
    # An initial that ends a sentence.
    "Solve the equation and find the value of X. Show your steps.\n\n10X + 5 = 10",
    # A dictionary word the census lists as a rare surname.
    "Glass that hasn't been treated to be extra strong breaks easily.",
]

STILL_PERSONAL = [
    ("Olivia", "Dear Olivia,\n\nYour order has shipped and should arrive on Monday.\n\nBest,\nSupport"),
    ("Aarav Kulkarni", "Please update my address.\n\nThanks,\nAarav Kulkarni"),
    ("Aarav", "Dear Aarav, your KYC is complete."),
    ("Priya Sharma", "Priya Sharma called about the refund twice."),
    ("Jason", "Jason has 5 tennis balls. He buys 2 more cans. How many does he have now?"),
    ("Jenna", "Jenna is training hard to qualify for the marathon. She runs 5 km a day."),
    # A list of people, not things.
    ("Rohan Mehta", "Attendees:\n- Priya Sharma\n- Rohan Mehta\n- Aarav Kulkarni"),
    # A person's field.
    ("Ebony Moore", "Write a cover letter.\n\nName: Ebony Moore\nApplying for: Product Manager"),
    # A person who travels, and a dictionary-word surname with a verb of a person.
    ("Meera Iyer", "Meera Iyer flew to Seattle on Monday and called me from the airport."),
    ("Cook", "Mr. Cook said the invoice was wrong."),
    ("Glass", "Glass told me the parcel was damaged."),
]


@pytest.mark.parametrize("text", KEPT, ids=[t[:40] for t in KEPT])
def test_general_english_comes_out_unchanged(pii, text):
    assert anonymised(pii, text) == text


@pytest.mark.parametrize("value,text", STILL_PERSONAL, ids=[f"{v}:{t[:20]}" for v, t in STILL_PERSONAL])
def test_names_in_the_same_shapes_are_still_replaced(pii, value, text):
    assert value not in anonymised(pii, text)


def test_a_unit_after_a_quantity_is_no_person():
    from curate.pii.person_evidence import weigh_persons

    text = "Ingredients:\n1 tablespoon Worcestershire sauce\n2 cups flour"
    start = text.index("Worcestershire")
    assert weigh_persons(text, [(start, start + 14, "PERSON")]) == []


def test_a_name_never_runs_over_a_line_break():
    from curate.pii.person_evidence import weigh_persons

    text = "Characters:\n- Rohan Mehta\n- The bird makes a nest"
    start = text.index("Rohan")
    assert weigh_persons(text, [(start, len(text), "PERSON")]) == [
        (start, start + len("Rohan Mehta"), "PERSON")]


@pytest.mark.parametrize("text,name", [
    ("Hi Customer, your ticket is closed.", "Customer"),
    ("Dear Hiring Manager,\nI am applying for the role.", "Hiring Manager"),
    ("Thanks again,\nSupport", "Support"),
])
def test_a_greeting_before_a_role_finds_no_name(text, name):
    from curate.pii.person_evidence import greeted_names

    assert all(name not in text[s:e] for s, e, _ in greeted_names(text))
