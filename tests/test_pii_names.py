"""The pii pass and person names: name columns, the Devanagari self-introduction, the rules of
curate.pii.names for names spaCy's small model misses, the name cues, and support-ticket words
that must not become persons.
"""
import pytest
from _pii_util import run_pii, ticket


def test_name_columns_are_persons_wherever_their_values_occur(pii):
    """A bare "Sneha Deshmukh" in `customer_name` has no sentence for NER to read; the column
    says what it is. Found in the batch's text too, and in a rejected raw JSON line."""
    records = [
        ticket(0, "Hi team, Sneha Deshmukh here, my card is blocked",
                meta={"customer_name": "Sneha Deshmukh", "product_name": "Platinum Rewards",
                      "agent": {"firstName": "Kiran"}, "channel": "app"}),
        ticket(1, "Kiran said the refund will come", meta={"Full Name": "Vikram Reddy"}),
        ticket(2, "Account statement chahiye", meta={
            "raw": '{"customer_name": "Imran Sheikh", "note": "Imran Sheikh called twice"}'}),
        ticket(3, "Bank name: Sneha Co-operative Bank", meta={"bank_name": "Sahayak Bank"}),
    ]
    out, ctx = run_pii(pii, records)
    assert out[0].meta == {"customer_name": "<PERSON>", "product_name": "Platinum Rewards",
                           "agent": {"firstName": "<PERSON>"}, "channel": "app"}
    assert out[0].messages[0]["content"] == "Hi team, <PERSON> here, my card is blocked"
    assert out[1].messages[0]["content"] == "<PERSON> said the refund will come"
    assert out[1].meta == {"Full Name": "<PERSON>"}
    assert "Imran" not in out[2].meta["raw"] and out[2].meta["raw"].count("<PERSON>") == 2
    assert out[3].meta == {"bank_name": "Sahayak Bank"}              # not a person's column
    assert "Sahayak Bank" not in ctx.counts and ctx.counts["entity:PERSON"] >= 6


def test_devanagari_name_after_self_introduction_is_replaced_whole(pii):
    # No English NER reads Devanagari; "मेरा नाम <name> है" is the one cue trusted for it, and the
    # whole name goes (vowel signs are combining marks: "शर्मा" must not leave its final "ा").
    texts = ["नमस्ते, मेरा नाम राहुल शर्मा है और मेरा कार्ड खो गया।",
             "मेरा नाम सीता है। मेरा बैलेंस बताइए।"]
    out, ctx = run_pii(pii, [ticket(i, t) for i, t in enumerate(texts)])
    assert [r.messages[0]["content"] for r in out] == [
        "नमस्ते, मेरा नाम <PERSON> है और मेरा कार्ड खो गया।", "मेरा नाम <PERSON> है। मेरा बैलेंस बताइए।"]


@pytest.mark.parametrize("text", ["मेरा नाम गलत है, इसे ठीक करें।", "मेरा नाम अपडेट करना है",
                                  "मेरा नाम में गलती है", "आपका नाम और जन्मतिथि भेजें।"])
def test_tickets_about_the_name_keep_their_words(pii, text):
    out, _ = run_pii(pii, [ticket(0, text)])
    assert out[0].messages[0]["content"] == text


# ------------------------------------------------------------------ person names spaCy misses
# Rule by rule on given spaCy entities (no model run), each with the look-alike it must leave.
def _persons(text, ents=()):
    from curate.pii.names import find_person_names

    return [text[s:e] for s, e, label in find_person_names(text, list(ents)) if label == "PERSON"]


def test_name_lists_leave_out_common_words():
    from curate.pii.names import given_names, lone_given_names, surnames

    assert {"Derek", "Maureen", "Hannah"} <= given_names()
    assert not {"Will", "May", "Grace", "Mark", "June", "My", "China"} & given_names()
    assert "Derek" in lone_given_names()
    # Rare census entries and names more common as a surname do not count alone.
    assert not {"Hae", "Alexa", "Johnson", "Jordan", "Morgan"} & lone_given_names()
    assert {"Cazares", "Smith"} <= surnames()


def test_given_name_heading_a_mislabelled_span_is_a_person():
    assert _persons("Scott is a very sympathetic person.", [(0, 5, "ORG")]) == ["Scott"]
    text = "Verses from Faina D. Yefremova's Cautionary Tales"
    assert _persons(text, [(12, 32, "WORK_OF_ART")]) == ["Faina D. Yefremova"]
    # An organisation named after people stays one, and a rare name alone is not enough.
    assert _persons("Johnson & Johnson shares were not credited.", [(0, 17, "ORG")]) == []
    assert _persons("Russell Investments moved my pension.", [(0, 19, "ORG")]) == []
    assert _persons("Alexa is not connecting to my Jio Fiber router.", [(0, 5, "ORG")]) == []


def test_census_surname_ending_a_mislabelled_span_is_a_person():
    text = "Have you been to a Calquín Cazares concert before?"
    assert _persons(text, [(19, 34, "ORG")]) == ["Calquín Cazares"]
    text = "I changed Russian Ruble to UK pounds and was charged too much!"
    assert _persons(text, [(10, 23, "ORG")]) == []            # a currency, not a surname
    assert _persons("The Morgan Stanley wire has not arrived.", [(0, 18, "ORG")]) == []


def test_middle_initial_makes_a_name():
    assert _persons("Have you heard Tamara T Stanković speak yet?") == ["Tamara T Stanković"]
    assert _persons("Directed By: Sari J. Paavolainen") == ["Sari J. Paavolainen"]
    assert _persons("Can I Transfer from SWIFT?") == []                   # "I" is no initial
    assert _persons("Can I get a refund? The Plan A Option is wrong.") == []


def test_given_name_and_surname_without_ner():
    assert _persons("Maureen Thibault\n\n41086 Kiannonkatu 98") == ["Maureen Thibault"]
    assert _persons("Lincoln Financial transfer is delayed.") == []
    assert _persons("Grace Period for credit card payment is over?") == []
    assert _persons("Ola Money wallet refund pending.") == []


def test_common_given_name_alone_without_ner():
    text = "They had 6: Gaetane, Hannah, Anthony, Derek."
    assert _persons(text) == ["Hannah", "Anthony", "Derek"]
    assert _persons("Hae there, my transfer is still pending.") == []
    assert _persons("Will my account stay active? May I close it in June?") == []
    # spaCy's place wins over a name list: "Victoria" is a city too.
    assert _persons("I am in Victoria this week.", [(8, 16, "GPE")]) == []


def test_a_name_found_once_is_a_name_everywhere_in_the_text():
    text = "Aantje Mourik here, but everyone knows me as Aantje"
    assert _persons(text, [(0, 13, "PERSON")]) == ["Aantje Mourik", "Aantje"]
    # Found by the name cue only (that recognizer reports it); spaCy took the second for a place.
    text = "My name is Ján Novák. Ján is my first name."
    assert _persons(text, [(22, 25, "GPE")]) == ["Ján"]
    assert _persons("Rose Byrne bought a rose.", [(0, 10, "PERSON")]) == ["Rose Byrne"]


def test_items_listed_with_a_person_are_persons():
    text = "They had 6: Efimiya, Mary, Ariana and Jodi."
    found = _persons(text, [(21, 25, "PERSON"), (27, 33, "GPE")])
    assert found == ["Efimiya", "Mary", "Ariana", "Jodi"]
    text = "I visited Paris and London with John."
    assert _persons(text, [(10, 15, "GPE"), (20, 26, "GPE"), (32, 36, "PERSON")]) == ["John"]
    assert _persons("Visa and Mastercard both declined.") == []


def test_speakers_of_a_dialogue_with_a_person_are_persons():
    text = "Ubul: What a wife.\nNicole: Remember me? When I killed your brother!"
    assert _persons(text) == ["Ubul", "Nicole"]
    text = "Agent: Hello, how can I help?\nNicole: My card is blocked.\nAgent: Sorry."
    assert _persons(text) == ["Nicole"]
    assert _persons("Note: Hello there.\nUpdate: Card sent.") == []


@pytest.mark.parametrize("text, name", [
    ("My name is Ludmiła", "Ludmiła"),                       # any cased script
    ("Name:    Nayla Montero\nAddress: 12 Main Road", "Nayla Montero"),  # any run of spaces
    ("Sometimes people call me Csanád", "Csanád"),
    ("Maybe it's under Elita B Desaulniers", "Elita B Desaulniers"),  # langdetect: "de"
])
def test_names_after_cues_and_in_name_heavy_english(pii, text, name):
    (spans,) = pii._analyzer.analyze([text])
    assert [text[s.start:s.end] for s in spans if s.entity == "PERSON"] == [name]


# Support-ticket look-alikes: capitalised words that are not people. "ATMs. Can" once matched the
# "ms." cue; "call me Monday" is a time; the Hinglish line stays gated from English NER.
@pytest.mark.parametrize("text", [
    "Please reset my UPI PIN", "Account Statement for March",
    "Dear Customer, your request has been received.", "Please call me Monday after 5 pm.",
    "The ATM keeps declining my card. I tried at two different ATMs. Can you tell me why?",
    "Will my account stay active after the merger?", "Johnson & Johnson shares were not credited.",
    "mera Account Block Ho Gaya Hai, Kripya Madad Karein",
])
def test_support_ticket_words_are_not_persons(pii, text):
    (spans,) = pii._analyzer.analyze([text])
    assert [text[s.start:s.end] for s in spans if s.entity == "PERSON"] == []


def test_ner_skips_only_sentences_that_can_hold_no_name():
    """NER is most of the pass's cost: a sentence with no capitalised word (bar "I" and a
    sentence-initial common word) and no lower-case given name never reaches the model."""
    from curate.pii.common_words import holds_no_name
    from curate.pii.ner import SentenceNer

    seen = []

    class CountingNlp:
        max_length = 1_000_000

        def pipe(self, sentences, batch_size):
            seen.extend(sentences)
            return [type("Doc", (), {"ents": ()})() for _ in sentences]

    ner = SentenceNer(CountingNlp(), {"PERSON": "PERSON"}, skip=holds_no_name)
    ner.entities(["How long will my transfer take? I'm at work and it failed.",
                  "Hello, this is derek writing about my card.", "Ask Rahul about the refund.",
                  "Withdrawal failed at the ATM today.", "Hunter said the refund never came.",
                  "aksel kristensen"])
    assert seen == ["Hello, this is derek writing about my card.", "Ask Rahul about the refund.",
                    "Withdrawal failed at the ATM today.", "Hunter said the refund never came.",
                    "aksel kristensen"]


def test_a_lower_case_given_name_is_still_found(pii):
    out, _ = run_pii(pii, [ticket(0, "my friend derek smith sent me money")])
    assert "derek smith" not in out[0].messages[0]["content"]
