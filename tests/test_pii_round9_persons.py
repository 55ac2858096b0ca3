"""Issue 12, round 9: people-shaped words that are no people — towns, shops and restaurants in
task dialogues; tools and libraries named in their own docs; headings — stay; a person's name in
the same shape of text still goes.

Each KEPT text is of a kind the pass damaged on the round's tune halves (kvret-a, woz-a, sgd-a,
typer-docs-a, starlette-docs-a, wcag-html-a, susa-hinglish-a, linux-hinglish-a), written anew for
the test with other names, towns and tools; each was changed by the pass at 3982414 (checked
against a `git archive` of it). STILL_PERSONAL puts a person's name in the same shape.
"""
import pytest
from _pii_util import anonymised, run_pii

from curate.pii.dialogue_places import a_place_or_venue, answers_a_town_question
from curate.pii.tool_names import a_lone_heading, tool_words
from tunecraft.records import Record

KEPT = [
    # a distance to a shop, a part of town, one of the restaurants, what the next sentence says
    "We're 4 miles away from Harris Sweets and 2 miles away from Walgreens.",
    "We're 4 miles away from Chef Lim's and 2 miles away from Walgreens.",
    "Hamilton is in the west part of town.",
    "Kohli is one of the cheap Indian restaurants in the centre.",
    "How about Dawson? It is cheap and delicious.",
]

STILL_PERSONAL = [
    ("Meera Pillai", "My name is Meera Pillai, is it foggy in Ashbourne today?"),
    ("Kowalski", "Mr. Kowalski is nearby and will meet you at the gate."),
    ("Martha", "Martha is nearby, remind me to call her at 5 pm."),
    ("Arjun Nair", "Arjun Nair is nearby, remind me to call him at 5 pm."),
    ("Kowalski", "Book a table at the Indian restaurant. Kowalski's address is 14 Mill Road."),
    ("Arjun Nair", "Arjun Nair said the restaurant in the west part of town was full."),
]


@pytest.mark.parametrize("text", KEPT, ids=[t[:40] for t in KEPT])
def test_places_and_venues_of_a_dialogue_come_out_unchanged(pii, text):
    assert anonymised(pii, text) == text


@pytest.mark.parametrize("value,text", STILL_PERSONAL, ids=[f"{v}:{t[:20]}" for v, t in STILL_PERSONAL])
def test_a_person_in_the_same_sentences_still_goes(pii, value, text):
    assert value not in anonymised(pii, text)


def _dialogue(turns):
    return Record("d.jsonl:1", [{"role": "user" if k % 2 == 0 else "assistant", "content": t}
                                for k, t in enumerate(turns)])


def _run(pii, turns):
    out, _ = run_pii(pii, [_dialogue(turns)])
    return "\n".join(m["content"] for m in out[0].messages)


def test_a_town_given_in_answer_stays_in_every_turn(pii):
    turns = ["What's the forecast for this week?", "What city are you interested in?", "Hamilton.",
             "It will be foggy in Hamilton on Tuesday and sunny on Friday.", "Thanks"]
    assert _run(pii, turns) == "\n".join(turns)


def _booking(venue):
    return ["I want a cheap restaurant in the north.", "There are three. One is in the centre.",
            f"What is the address for {venue}? Book it for Anil Deshmukh please.",
            f"{venue}'s address is 14 Mill Road. It serves cheap Indian food. Done, Anil.", "Thanks"]


def test_a_name_whose_address_is_asked_still_goes(pii):
    # Faker's en_IN lists lack "Kavita": asking a restaurant dialogue for the address of a name
    # is no sign that it is a venue (a rule keeping those was measured and dropped)
    text = _run(pii, _booking("Kavita Rao"))
    assert "Kavita" not in text and "Rao" not in text and "Anil" not in text


def test_a_contact_in_a_calendar_is_still_a_person(pii):
    turns = ["Schedule a swimming activity with Kowalski on Sunday at 6pm.",
             "Okay, swimming with Kowalski on Sunday at 6pm. Kowalski is nearby today.", "Thanks"]
    assert "Kowalski" not in _run(pii, turns)


def test_dialogue_place_signals():
    text = "Will it be misty on Friday in Exeter?"
    assert a_place_or_venue(text, text.index("Exeter"), text.index("Exeter") + 6)
    given = "Will it be misty on Friday in Martha?"        # a lone given name is never judged so
    assert not a_place_or_venue(given, given.index("Martha"), given.index("Martha") + 6)
    assert answers_a_town_question("Which city do you want?", "For Durham please", 4, 10)
    assert not answers_a_town_question("Which city do you want?", "Durham called me about the order", 0, 6)
    assert not answers_a_town_question("Anything else?", "Durham.", 0, 6)


# Tools and libraries named in their own docs, one-word headings (typer-docs-a, starlette-docs-a,
# click-docs-a, cheatsheets-a, linux-hinglish-a, susa-hinglish-a shapes; names made up or other).
DOCS_KEPT = [
    "After installing Zorvik in your project, run the setup once.\n\nZorvik includes an official skill "
    "for coding agents. When you update Zorvik, the skill updates too.",
    "After installing Quillet in your project, run the setup once.\n\nQuillet includes an official skill for coding agents.",
    "Your project depends on Quillet, so Quillet must be importable before the tests run.",
    "# Virtualenv\n\nA virtual environment keeps the packages of one project apart from the others.",
    "### Firefox 16 (Oct 2012)\n\n * Web app support\n * Full screen support",
    "Metadata is a powerful tool that can be used for describing web pages.\n\n"
    "Metadata can be used to locate alternate pages.",
]

DOCS_STILL_PERSONAL = [
    ("Kowalski", "Ravi is a library volunteer and Kowalski includes a note in every parcel."),
    ("Kowalski", "## Kowalski\n\nHe leads the data team."),
    ("Kowalski", "Tavily includes a search API; Kowalski configured it for the team."),
    ("Kowalski", "After installing the app, Mr. Kowalski said it crashed."),
    ("Meera Pillai", "# Meera Pillai\n\nMeera leads the data team and maintains the library."),
]


@pytest.mark.parametrize("text", DOCS_KEPT, ids=[t[:40] for t in DOCS_KEPT])
def test_tools_in_their_own_docs_and_headings_come_out_unchanged(pii, text):
    assert anonymised(pii, text) == text


@pytest.mark.parametrize("value,text", DOCS_STILL_PERSONAL, ids=[f"{v}:{t[:20]}" for v, t in DOCS_STILL_PERSONAL])
def test_a_person_beside_a_tool_or_in_a_heading_still_goes(pii, value, text):
    assert value not in anonymised(pii, text)


def test_tool_words_read_the_grammar_not_a_list():
    assert tool_words("After installing Zorvik, Quillet includes it. Ragas is a popular evaluation library.") == {
        "Zorvik", "Quillet", "Ragas"}
    assert tool_words("Systemd ka centralized logging system hai.") == {"Systemd"}
    assert tool_words("It stays aligned with the version of Zorvik you use; it depends on Quillet.") == {
        "Zorvik", "Quillet"}
    assert tool_words("A version of Kowalski's story; it depends on Priya.") == set()
    assert tool_words("Kowalski includes a note; Priya is a library volunteer.") == set()   # names
    assert tool_words("Zorvik is a system administrator.") == set()         # the noun phrase goes on
    page = "# Virtualenv\n\ntext"
    assert a_lone_heading(page, 2, 12)
    assert not a_lone_heading("# Virtualenv setup guide\n", 2, 12)            # not the heading's only word
    assert not a_lone_heading("Virtualenv\n", 0, 10)                          # no heading
