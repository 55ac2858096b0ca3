"""Booking dialogues, round 7: films, venues and towns stay; the customer's name still goes.

Each KEPT text is of a kind the pass damaged on the tune halves of issue 12's seventh round
(Taskmaster TM-3 movie tickets, the Schema-Guided Dialogue, KVRET), written anew for the test,
and each was changed by the pass at 4f88fb1 (checked against a `git archive` of it): a film in a
list of labelled films, a restaurant after "a table at", a cinema after "the theater ... is", a
destination of a cab ride, a car model for hire. STILL_PERSONAL puts customers' names in the same sentences.
"""
import pytest
from _pii_util import anonymised, run_pii

from curate.pii.dialogue import named_venue
from curate.pii.titles_of_works import a_work, list_items
from tunecraft.records import Record

KEPT = [
    "Tonight at the Rialto: Arrival (PG-13), Dune, Nomadland (coming Dec 03), Minari and Parasite.",
    "I'd like to book a table at Anjappar Chettinad for 4 at 8 pm.",
    "The nearest theater to you is Cinepolis Andheri.",
    "I need a cab to Koshy Fort Kochi.",
    "One is a SUV of Kia Seltos, available for pickup at Mumbai Airport.",
]

STILL_PERSONAL = [
    ("Priya Shah", "My name is Priya Shah and I want 3 tickets to Dune at 9 pm."),
    ("Daniel Ortiz", "Book two tickets for Daniel Ortiz, he is joining me for Nomadland."),
    ("Daniel", "The booking is under Daniel, table for 4 at Anjappar Chettinad."),
    ("Ananya Iyer", "Ananya Iyer is at 14 Linking Road, please pick her up."),
    ("Rohan Mehta", "I need a cab to Rohan Mehta's house."),
    ("Kiran Rao", "Thanks, Kiran Rao, your seats for Tenet are confirmed."),
    ("Arjun Kapoor", "Please call Arjun Kapoor about the Coraline tickets."),
    ("Priya Shah", "The sedan of Priya Shah is parked outside."),
]


@pytest.mark.parametrize("text", KEPT, ids=[t[:40] for t in KEPT])
def test_films_venues_and_destinations_come_out_unchanged(pii, text):
    assert anonymised(pii, text) == text


@pytest.mark.parametrize("value,text", STILL_PERSONAL, ids=[f"{v}:{t[:20]}" for v, t in STILL_PERSONAL])
def test_customers_names_beside_films_and_venues_are_still_replaced(pii, value, text):
    assert value not in anonymised(pii, text)


def test_a_customers_name_goes_in_every_turn_while_the_film_and_cinema_stay(pii):
    turns = ["Hi, I want to see a movie tonight in Fremont.",
             "Tonight at the Rialto: Arrival (PG-13), Dune, Nomadland (coming Dec 03), Minari and Parasite.",
             "Nomadland please, 2 tickets. The booking is under Meera Pillai.",
             "Done: 2 tickets to Nomadland at the Rialto for Meera Pillai.",
             "Thanks! Meera"]
    record = Record("d.jsonl:1", [{"role": "user" if k % 2 == 0 else "assistant", "content": t}
                                  for k, t in enumerate(turns)])
    out, _ = run_pii(pii, [record])
    text = "\n".join(m["content"] for m in out[0].messages)
    assert "Meera" not in text and "Pillai" not in text
    assert text.count("Nomadland") == 3 and "Rialto" in text and "Minari" in text


def test_a_title_is_told_by_its_shape_labels_and_the_verbs_of_a_work():
    def judged(text, span):
        s = text.index(span)
        return a_work(text, s, s + len(span))

    assert judged("Is Clifford the Big Red Dog still on?", "Clifford")          # an article inside
    assert judged("Spencer (coming Nov 05) and Dune (PG-13).", "Dune")            # a film's label
    assert judged("4 tickets to Laal Singh Chaddha please", "Laal Singh Chaddha")  # what one does
    assert not judged("Dinner with Priya Shah at Taj tomorrow.", "Priya Shah")
    assert not judged("Rahul Verma is playing cricket with us.", "Rahul Verma")


def test_a_list_item_is_a_whole_item_of_three_or_more():
    text = "We have Dune, Eternals and Antlers tonight."
    s = text.index("Eternals")
    assert list_items(text, s, s + 8) == ["We have Dune", "Antlers tonight"]
    text = "Tom and Ana booked for Friday."
    assert list_items(text, 0, 3) == []


def test_a_venue_is_told_by_its_words_and_what_is_done_there():
    def judged(text, span):
        s = text.index(span)
        return named_venue(text, s, s + len(span))

    assert judged("Please book one table at Tandoori Mahal.", "Tandoori Mahal")
    assert judged("Santa Cruz Cinema has seats left.", "Santa Cruz Cinema")
    assert judged("Search theaters in Morgan Hill.", "Morgan Hill")
    assert not judged("Please put it in Priya Shah's name.", "Priya Shah")
    assert not judged("A table for Priya Shah, please.", "Priya Shah")
