"""Hinglish chats name people without the cues English has, and spaCy's person spans swallow
romanised pronouns.

On main before this change (4f88fb1) the NAMED texts kept "Neha", "Arjun", "Meera" and "Rohan"
(a capitalised given name next to a postposition or "aur" was no cue), and "Main Karan bol raha
hoon" lost the pronoun "Main" into `<PERSON>`. The KEPT texts hold capitalised English terms and
sentence-initial Hinglish words in the same positions and must come out unchanged.
"""
import pytest
from _pii_util import anonymised

NAMED = [
    ("Kal Neha aur Arjun dono office nahi aaye.", "Kal <PERSON> aur <PERSON> dono office nahi aaye."),
    ("Refund ke liye Meera ko mail karo, woh approve karegi.",
     "Refund ke liye <PERSON> ko mail karo, woh approve karegi."),
    ("Kal tak Rohan se baat karke batata hoon.", "Kal tak <PERSON> se baat karke batata hoon."),
    ("Main Karan bol raha hoon, HDFC se.", "Main <PERSON> bol raha hoon, HDFC se."),
]

KEPT = [
    "Is Function ko call karo aur result print karo.",
    "Pehle Python aur Java dono seekho, phir Spring Boot ka setup karo.",
    "Sach mein, Shayad kal tak ho jayega.",
    "Maine bola tha na, Kyunki server down tha.",
    "Settings mein jaake Reset ko dabao aur UPI PIN dobara banao.",
]


@pytest.mark.parametrize("text,expected", NAMED)
def test_a_listed_given_name_by_a_postposition_is_replaced_and_the_pronoun_stays(pii, text, expected):
    assert anonymised(pii, text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_capitalised_terms_by_a_postposition_are_kept(pii, text):
    assert anonymised(pii, text) == text
