"""Restaurant-search dialogues, round 8: a venue's listed phone, its address and what it is stay;
the customer's own name, number and address still go, in every turn.

Each KEPT text is of a kind the pass damaged on the tune half of issue 12's eighth round (WOZ 2.0's
restaurant search, woz-a), written anew for the test with other venues, towns and numbers, and
each was changed by the pass at 51d5614 (checked against a `git archive` of it). STILL_PERSONAL
puts a customer's name, number or address in the same sentences.
"""
import pytest
from _pii_util import anonymised, run_pii

from curate.pii.venue_facts import a_venue, business_contact
from tunecraft.records import Record

KEPT = [
    "Saravana Bhavan is a cheap South Indian restaurant in the north. The phone number is 044 2434 2222.",
    "Copper Chimney is located at 12 Mill Lane Thornbury, phone number is 0117 496 0123.",
    "Taj Mahal is a cheap Indian restaurant. Its address is 3 High Street, Oxford.",
    "The Bombay Brasserie is located at 3 High Street, Oxford.",
    "Chutney Mary serves Indian food in the centre of town.",
    "Mama Mia is in the moderate price range and is on the west side.",
    "Ganga Dhaba is a moderately priced Punjabi restaurant on the east side.",
]

STILL_PERSONAL = [
    ("Priya Shah", "My name is Priya Shah. The phone number is 98201 23456."),
    ("98201 23456", "I am at the hotel. The number is 98201 23456."),
    ("98201 23456", "Copper Chimney is a nice restaurant. My number is 98201 23456."),
    ("Oxford", "Order from the Copper Chimney restaurant. The delivery address is 12 Mill Lane, Oxford."),
    ("Oxford", "I live at 12 Mill Lane, Oxford."),
    ("Oxford", "The Bombay Brasserie is great. My address is 3 High Street, Oxford."),
    ("Ravi Kumar", "Book a table at Copper Chimney for Ravi Kumar, he is a regular at the restaurant."),
    ("Meera Pillai", "Meera Pillai is a chef at a restaurant in town."),
    ("98201 23456", "Kavita Rao\nAirport shuttle driver\nPhone:\n98201 23456"),
    ("Raj Malhotra", "Raj Malhotra is a restaurant owner in Oxford."),
]


@pytest.mark.parametrize("text", KEPT, ids=[t[:40] for t in KEPT])
def test_a_venues_facts_come_out_unchanged(pii, text):
    assert anonymised(pii, text) == text


@pytest.mark.parametrize("value,text", STILL_PERSONAL, ids=[f"{v}:{t[:20]}" for v, t in STILL_PERSONAL])
def test_a_customers_name_number_and_address_beside_a_venue_still_go(pii, value, text):
    assert value not in anonymised(pii, text)


def test_the_customer_goes_in_every_turn_while_the_restaurant_stays(pii):
    turns = ["I want a cheap restaurant in the north, I'm Anil Deshmukh.",
             "Saravana Bhavan is a cheap South Indian restaurant in the north. The phone number is 044 2434 2222.",
             "Great. Book it for Anil Deshmukh, my number is 98201 23456.",
             "Done, Anil. Saravana Bhavan serves South Indian food and is at 21 Mill Lane Thornbury.",
             "Thanks! Anil"]
    record = Record("d.jsonl:1", [{"role": "user" if k % 2 == 0 else "assistant", "content": t}
                                  for k, t in enumerate(turns)])
    out, _ = run_pii(pii, [record])
    text = "\n".join(m["content"] for m in out[0].messages)
    assert "Anil" not in text and "Deshmukh" not in text and "98201 23456" not in text
    assert text.count("Saravana Bhavan") == 2 and "044 2434 2222" in text


def test_a_contact_is_a_businesss_when_its_sentence_or_the_one_before_names_a_venue():
    def contact(text, value):
        i = text.index(value)
        return business_contact(text, i, i + len(value))

    assert contact("Dosa Plaza is a restaurant in the east. Phone is 0117 496 0123.", "0117 496 0123")
    assert contact("It's phone number is 0117 496 0123.", "0117 496 0123")
    assert contact("The phone number is 0117 496 0123, is there anything else I can help you with?",
                   "0117 496 0123") is False          # says neither: replaced
    assert not contact("The restaurant is nice. I live at 4 Mill Lane, Thornbury.", "Thornbury")
    assert not contact("Dosa Plaza is a restaurant. Their son can be reached at 0117 496 0123.", "0117 496 0123")


def test_a_venue_is_told_by_what_only_a_business_is_or_does():
    def venue(text, value):
        i = text.index(value)
        return a_venue(text, i, i + len(value))

    assert venue("Hotel du Vin is an expensive French restaurant.", "Hotel du Vin")
    assert venue("Kohinoor serves Indian food.", "Kohinoor")
    assert venue("Kohinoor is in the cheap price range.", "Kohinoor")
    assert not venue("Meera is a chef at a restaurant.", "Meera")
    assert not venue("Meera is a regular at the cafe.", "Meera")
    assert not venue("Meera serves on the board.", "Meera")


def _dialogue(pii, turns):
    record = Record("d.jsonl:1", [{"role": "user" if k % 2 == 0 else "assistant", "content": t}
                                  for k, t in enumerate(turns)])
    out, _ = run_pii(pii, [record])
    return [m["content"] for m in out[0].messages]


def test_a_venue_one_turn_names_plainly_stays_in_every_turn_the_customer_goes(pii):
    """Main replaced "Zafran" in all three turns: "I found Zafran in the centre" read as a person
    and spread, though another turn says it is a restaurant."""
    turns = ["I'm Anil Deshmukh, any cheap place in the centre?",
             "I found Zafran in the centre part of town.",
             "Where is Zafran? Anil again.",
             "Zafran is a cheap Persian restaurant at 4 Mill Road."]
    out = _dialogue(pii, turns)
    assert sum(t.count("Zafran") for t in out) == 3
    assert not any("Anil" in t or "Deshmukh" in t for t in out)


def test_a_businesss_number_given_when_asked_for_stays_a_persons_goes(pii):
    turns = ["Can I get their phone number?", "The phone number is 0117 496 0123.",
             "Thanks. Please call me back, what number should I give?", "What is your phone number?",
             "The number is 98201 23456.", "Noted, the number is 98201 23456."]
    out = _dialogue(pii, turns)
    assert out[1] == turns[1]
    assert not any("98201 23456" in t for t in out)


def test_a_number_given_for_a_booking_at_a_venue_is_the_customers(pii):
    turns = ["I'd like a room at the Grand Hotel.", "Can you give me a contact number for the hotel booking?",
             "Sure, the number is 98201 23456."]
    assert not any("98201 23456" in t for t in _dialogue(pii, turns))


def test_a_number_someone_called_theirs_elsewhere_is_not_a_businesss(pii):
    turns = ["My number is 98201 23456, what is their phone number?", "The phone number is 98201 23456."]
    assert not any("98201 23456" in t for t in _dialogue(pii, turns))


ROMANISED_TITLES = [
    "Yes, Lal Singh Chaddha (लाल सिंह चड्डा) (coming Aug 11) is now showing.",
    "4 tickets to Laal Singh Chaddha (लाल सिंह चड्डा) at Cinemark.",
]


@pytest.mark.parametrize("text", ROMANISED_TITLES, ids=["label", "tickets-to"])
def test_a_film_title_holding_an_indian_name_and_its_devanagari_pair_stay(pii, text):
    """Main replaced "Lal Singh" and "लाल सिंह": the Indian-name-pair path of a text with
    Devanagari (analyzer._credible) never asked whether the sentence called them a work."""
    assert anonymised(pii, text) == text


@pytest.mark.parametrize("value,text", [
    ("Rahul Sharma", "Rahul Sharma (राहुल शर्मा) ne 2 tickets book kiye."),
    ("राहुल शर्मा", "Rahul Sharma (राहुल शर्मा) ne 2 tickets book kiye."),
    ("Rahul Sharma", "Mera naam Rahul Sharma hai, 2 tickets to Dune (लाल) chahiye."),
], ids=["latin", "devanagari", "cued"])
def test_an_indian_customers_name_beside_a_title_still_goes(pii, value, text):
    assert value not in anonymised(pii, text)



@pytest.mark.parametrize("value,text", [
    ("Mani Ratnam", "I found 4 movies directed by Mani Ratnam, starring Aishwarya Rai."),
    ("Ed Sheeran", "Would you like to hear Shape of You by Ed Sheeran from the album Divide?"),
], ids=["directed-by", "from-the-album"])
def test_a_works_maker_stays_a_person(pii, value, text):
    """Decided in round 8 (docs/DESIGN.md): makers of works are replaced like any name; Presidio's
    labelled set counts "film directed by X and starring X" as persons (18 of its 857)."""
    assert value not in anonymised(pii, text)
