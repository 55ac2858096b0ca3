"""The pii pass: every planted identifier leaves every field, in English, Hindi and Hinglish.

One analyzer (spaCy + Presidio, ~4 s) is built per module, with the network forbidden.
"""
import json
import re
import socket

import pytest

from curate.passes.base import Context, RecipeError
from curate.passes.pii import PiiPass
from curate.pii.operators import pseudonym
from curate.records import Record

# entity -> (value, how people name it in English, in Devanagari Hindi, in Hinglish)
PLANTED = {
    "EMAIL": ("priya.sharma@gmail.com", "email", "ईमेल", "email"),
    "PHONE": ("+91 98765 43210", "phone number", "मोबाइल नंबर", "mobile number"),
    "CREDIT_CARD": ("4111 1111 1111 1111", "card number", "कार्ड नंबर", "card number"),
    "IBAN": ("GB82 WEST 1234 5698 7654 32", "IBAN", "IBAN", "IBAN"),
    "IP_ADDRESS": ("192.168.10.42", "IP address", "IP address", "IP"),
    "US_SSN": ("536-22-8173", "SSN", "SSN", "SSN"),
    "IN_AADHAAR": ("2345 6789 0124", "Aadhaar", "आधार", "aadhaar"),
    "IN_PAN": ("ABCPE1234F", "PAN", "पैन", "PAN"),
    "IN_UPI": ("priya.sharma@okaxis", "UPI ID", "UPI", "UPI"),
    "IN_IFSC": ("HDFC0001234", "IFSC", "IFSC", "IFSC code"),
    "IN_GSTIN": ("27AAPFU0939F1ZV", "GSTIN", "GSTIN", "GST number"),
    "IN_VOTER": ("ABC1234567", "voter ID", "वोटर ID", "voter id"),
    "IN_PASSPORT": ("A1234567", "passport number", "पासपोर्ट नंबर", "passport"),
    "IN_VEHICLE_REGISTRATION": ("MH12AB1234", "vehicle number", "गाड़ी नंबर", "gaadi ka RTO number"),
}
TEMPLATES = {
    "en": "Hi, my {label} is {value}, please update it in my profile.",
    "hi": "नमस्ते, मेरा {label} {value} है, कृपया इसे अपडेट करें।",
    "hinglish": "bhai mera {label} {value} hai, jaldi update kar do please",
}
NAMES = {  # NER entities: the English model finds Latin-script names, also inside Hindi text
    "PERSON": ("Rahul Gupta", {"en": "My name is Rahul Gupta and my card was blocked.",
                               "hi": "मेरा नाम Rahul Gupta है और मेरा कार्ड ब्लॉक हो गया।",
                               "hinglish": "Hello, main Rahul Gupta bol raha hoon, card block ho gaya"}),
    "LOCATION": ("Lisbon", {"en": "I am travelling in Lisbon and the card was declined.",
                            "hi": "मैं अभी Lisbon में हूं और कार्ड काम नहीं कर रहा।",
                            "hinglish": "main abhi Lisbon mein hoon aur card decline ho gaya"}),
}


def _cases():
    for entity, (value, *labels) in PLANTED.items():
        for (lang, template), label in zip(TEMPLATES.items(), labels):
            yield entity, value, template.format(label=label, value=value)
    for entity, (value, sentences) in NAMES.items():
        for sentence in sentences.values():
            yield entity, value, sentence


CASES = list(_cases())


@pytest.fixture(scope="module")
def pii():
    """The default pass, set up while any network connection attempt fails loudly."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network disabled in tests")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket, "create_connection", refuse)
        mp.setattr(socket.socket, "connect", refuse)
        p = PiiPass()
        p.ensure_setup()
        _run(p, [_record(0, "Email me at test.user@example.co.uk")])
    assert attempts == []
    return p


def _record(i, text, meta=None):
    return Record(f"t.jsonl:{i}", [{"role": "user", "content": text},
                                   {"role": "assistant", "content": "Thanks, noted."}],
                  meta=meta if meta is not None else {})


def _run(p, records, seed=0):
    ctx = Context("pii", seed=seed)
    return p.apply_batch(records, ctx), ctx


def test_english_ner_does_not_eat_hindi_and_hinglish_words(pii):
    # Regression: en_core_web_sm on Hinglish tagged "ho gaya", "kal", "Namaste" as names and cut
    # Devanagari words in half ("<PERSON>ा"); the replies then taught the model to say <PERSON>.
    texts = ["Debit card 9305 block kar diya gaya hai, ab koi transaction nahi hoga.",
             "Namaste, mere number pe ₹719 recharge kiya, kal se wait kar raha hu",
             "पिछले 2 दिनों की नेटवर्क परेशानी के लिए खेद है; तब नेटवर्क मोड 4G/5G auto करें।",
             "जी, मैंने ₹719 का रिचार्ज किया, राशि कट गई पर डेटा नहीं मिला।"]
    out, _ = _run(pii, [_record(i, t) for i, t in enumerate(texts)])
    assert [r.messages[0]["content"] for r in out] == texts


def test_every_planted_entity_leaves_every_field(pii):
    records = [_record(i, text, meta={"raw": json.dumps({"q": text}, ensure_ascii=False),
                                      "nested": {"notes": ["see below", text]}})
               for i, (_, _, text) in enumerate(CASES)]
    out, ctx = _run(pii, records)
    leaked = [(entity, text) for (entity, value, text), r in zip(CASES, out)
              if value in r.to_json()]
    assert leaked == []
    for entity in {c[0] for c in CASES} - {"PERSON", "LOCATION"}:
        assert ctx.counts[f"entity:{entity}"] >= 3 * 3, entity  # 3 languages x 3 fields
    # The small English model may call a place in a Hindi sentence a person: both are replaced.
    assert ctx.counts["entity:PERSON"] + ctx.counts["entity:LOCATION"] >= 2 * 3 * 3
    assert ctx.counts["changed"] == len(CASES)


def test_placeholders_are_typed(pii):
    out, _ = _run(pii, [_record(0, "Mail priya.sharma@gmail.com or call +91 98765 43210.")])
    assert out[0].messages[0]["content"] == "Mail <EMAIL> or call <PHONE>."


def test_counts_carry_no_values(pii):
    _, ctx = _run(pii, [_record(i, text) for i, (_, _, text) in enumerate(CASES)])
    keys = " ".join(ctx.counts)
    assert all(value not in keys for value, *_ in PLANTED.values())
    assert ctx.info == {}


def test_phone_inside_devanagari_and_hinglish(pii):
    texts = ["मेरा नंबर 98765-43210 है, कृपया कॉल करें।", "mera number 9876543210 hai, call karo"]
    out, _ = _run(pii, [_record(i, t) for i, t in enumerate(texts)])
    assert [r.messages[0]["content"] for r in out] == [
        "मेरा नंबर <PHONE> है, कृपया कॉल करें।", "mera number <PHONE> hai, call karo"]


def test_invalid_lookalikes_left_alone(pii):
    texts = ["Your order number is 123456789012, it ships Monday.",   # fails Verhoeff
             "The card number 4111 1111 1111 1112 was declined.",      # fails Luhn
             "मेरा ऑर्डर नंबर 987654321098 है।"]                      # fails Verhoeff
    records = [_record(i, t) for i, t in enumerate(texts)]
    out, ctx = _run(pii, records)
    assert [r.messages[0]["content"] for r in out] == texts
    assert ctx.counts["changed"] == 0


def test_clean_hindi_passes_through_unchanged(pii):
    text = "मेरा कार्ड अभी तक नहीं आया है, कृपया बताएं कि यह कब तक पहुंचेगा।"
    out, _ = _run(pii, [_record(0, text)])
    assert out[0].messages[0]["content"] == text


def test_us_phone_is_a_phone_not_uk_nhs(pii):
    from presidio_analyzer.predefined_recognizers import NhsRecognizer

    number = "(201) 555-0143"  # its 10 digits also pass the NHS checksum
    assert NhsRecognizer().validate_result(re.sub(r"\D", "", number))
    text = f"Call me at {number} after 5pm."
    (spans,) = pii._analyzer.analyze([text])
    assert [(text[s.start:s.end], s.entity) for s in spans] == [(number, "PHONE")]


# spaCy's small model tags "Email" PERSON and "UPI"/"hai" GPE in these; none is a name or place.
@pytest.mark.parametrize("text", ["Email", "SSN", "Email me at priya.sharma@gmail.com",
                                  "Hi Email support, my SSN is 536-22-8173",
                                  "mera UPI priya.sharma@okaxis hai, IFSC HDFC0001234"])
def test_field_words_are_not_names(pii, text):
    (spans,) = pii._analyzer.analyze([text])
    assert [s.entity for s in spans if s.entity in ("PERSON", "LOCATION")] == []
    kept = _run(pii, [_record(0, text)])[0][0].messages[0]["content"]
    assert all(word in kept for word in re.findall(r"Email|SSN|UPI|IFSC|hai", text))


def test_overlapping_detections_become_one_span(pii):
    text = "Aadhaar 2345 6789 0124 and phone +91 98765 43210"
    (spans,) = pii._analyzer.analyze([text])
    assert [(s.start, s.end) for s in spans] == sorted({(s.start, s.end) for s in spans})
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))
    out, _ = _run(pii, [_record(0, text)])
    assert out[0].messages[0]["content"] == "Aadhaar <IN_AADHAAR> and phone <PHONE>"


def test_allow_listed_value_survives(pii):
    p = PiiPass.from_options({"allow_list": ["support@tunecraft.example"]})
    out, _ = _run(p, [_record(0, "Write to support@tunecraft.example, not priya.sharma@gmail.com")])
    assert out[0].messages[0]["content"] == "Write to support@tunecraft.example, not <EMAIL>"


def _pseudonymised(options, texts, seed=0):
    p = PiiPass.from_options({"default_operator": "pseudonym", **options})
    out, _ = _run(p, [_record(i, t) for i, t in enumerate(texts)], seed=seed)
    return [r.messages[0]["content"] for r in out]


def test_pseudonyms_consistent_across_records_and_formats():
    texts = ["My email is priya.sharma@gmail.com, phone +91 98765 43210.",
             "Again: PRIYA.SHARMA@gmail.com and 98765 43210 from Rahul Gupta",
             "Rahul Gupta here, email priya.sharma@gmail.com"]
    first, second, third = _pseudonymised({}, texts)
    fake_email = pseudonym(0, "EMAIL", "priya.sharma@gmail.com")
    assert fake_email in first and fake_email in second and fake_email in third
    assert "priya" not in " ".join([first, second, third]).lower()
    fake_phone = pseudonym(0, "PHONE", "98765 43210")
    assert fake_phone in second and fake_phone.split()[-1] in first
    fake_name = pseudonym(0, "PERSON", "Rahul Gupta")
    assert fake_name in second and fake_name in third


def test_pseudonyms_stable_across_runs_and_seeded():
    # Literal expectations: a pure function of (seed, type, value), so any process, any run.
    assert pseudonym(0, "EMAIL", "priya.sharma@gmail.com") == "david.kapoor72@example.com"
    assert pseudonym(0, "PHONE", "+91 98765 43210") == "+91 71921 23388"
    assert pseudonym(0, "IN_AADHAAR", "2345 6789 0124") == "6870 1450 2057"
    assert pseudonym(1, "EMAIL", "priya.sharma@gmail.com") != "david.kapoor72@example.com"


def test_pseudonyms_keep_checksums():
    from presidio_analyzer.predefined_recognizers import CreditCardRecognizer, InAadhaarRecognizer

    card = pseudonym(3, "CREDIT_CARD", "4111 1111 1111 1111")
    assert re.fullmatch(r"4\d{3} \d{4} \d{4} \d{4}", card) and card != "4111 1111 1111 1111"
    assert CreditCardRecognizer().validate_result(card.replace(" ", ""))
    aadhaar = pseudonym(3, "IN_AADHAAR", "2345 6789 0124")
    assert InAadhaarRecognizer().validate_result(aadhaar)


def test_redact_and_salted_hash_per_entity(pii):
    salt = "a-secret-salt-of-16+bytes"
    p = PiiPass.from_options({"operators": {"EMAIL": "hash", "PHONE": "redact"},
                              "hash_salt": salt})
    out, _ = _run(p, [_record(0, "Mail priya.sharma@gmail.com or call +91 98765 43210.")])
    text = out[0].messages[0]["content"]
    import hashlib

    digest = hashlib.sha256(b"priya.sharma@gmail.com" + salt.encode()).hexdigest()
    assert text == f"Mail {digest} or call ."


def test_meta_strings_and_numbers_anonymised_keys_kept(pii):
    meta = {"raw": '{"q": "call 9876543210"', "customer": {"phone": 9876543210, "tier": "gold",
            "emails": ["priya.sharma@gmail.com"]}, "count": 3}
    out, _ = _run(pii, [_record(0, "no pii here", meta=meta)])
    assert out[0].meta == {"raw": '{"q": "call <PHONE>"', "customer": {
        "phone": "<PHONE>", "tier": "gold", "emails": ["<EMAIL>"]}, "count": 3}


def test_name_columns_are_persons_wherever_their_values_occur(pii):
    """A bare "Sneha Deshmukh" in `customer_name` has no sentence for NER to read; the column
    says what it is. Found in the batch's text too, and in a rejected raw JSON line."""
    records = [
        _record(0, "Hi team, Sneha Deshmukh here, my card is blocked",
                meta={"customer_name": "Sneha Deshmukh", "product_name": "Platinum Rewards",
                      "agent": {"firstName": "Kiran"}, "channel": "app"}),
        _record(1, "Kiran said the refund will come", meta={"Full Name": "Vikram Reddy"}),
        _record(2, "Account statement chahiye", meta={
            "raw": '{"customer_name": "Imran Sheikh", "note": "Imran Sheikh called twice"}'}),
        _record(3, "Bank name: Sneha Co-operative Bank", meta={"bank_name": "Sahayak Bank"}),
    ]
    out, ctx = _run(pii, records)
    assert out[0].meta == {"customer_name": "<PERSON>", "product_name": "Platinum Rewards",
                           "agent": {"firstName": "<PERSON>"}, "channel": "app"}
    assert out[0].messages[0]["content"] == "Hi team, <PERSON> here, my card is blocked"
    assert out[1].messages[0]["content"] == "<PERSON> said the refund will come"
    assert out[1].meta == {"Full Name": "<PERSON>"}
    assert "Imran" not in out[2].meta["raw"] and out[2].meta["raw"].count("<PERSON>") == 2
    assert out[3].meta == {"bank_name": "Sahayak Bank"}              # not a person's column
    assert "Sahayak Bank" not in ctx.counts and ctx.counts["entity:PERSON"] >= 6


def test_reruns_are_byte_identical(pii):
    texts = [text for _, _, text in CASES]
    runs = [[r.to_json() for r in _run(pii, [_record(i, t) for i, t in enumerate(texts)])[0]]
            for _ in range(2)]
    split = [r.to_json() for r in _run(pii, [_record(i, t) for i, t in enumerate(texts[:7])])[0]]
    assert runs[0] == runs[1] and runs[0][:7] == split


@pytest.mark.parametrize("options, message", [
    ({"entities": ["EMAIL", "FAX"]}, "unknown entity FAX"),
    ({"default_operator": "encrypt"}, "unknown operator encrypt"),
    ({"hash_salt": "short"}, "at least 16 bytes"),
    ({"colour": "red"}, "unknown option(s) colour"),
])
def test_bad_options_name_the_problem(options, message):
    with pytest.raises(RecipeError, match=re.escape(message)):
        PiiPass.from_options(options)


def test_missing_spacy_model_is_one_clear_error():
    from curate.pii.ner import SpacyNotInstalled, load_ner_pipeline

    with pytest.raises(SpacyNotInstalled, match="spaCy model 'en_core_web_xx' is not installed"):
        load_ner_pipeline("en_core_web_xx")


def test_planted_values_leave_every_output_file(pii, tmp_path):
    """End to end through the default pipeline: splits, rejects (a malformed line and a row the
    quality pass drops), manifest and report carry no planted value."""
    from curate.pipeline import curate_folder
    from curate.recipe import Recipe

    raw = tmp_path / "raw"
    raw.mkdir()
    rows = [{"question": text, "answer": f"Thanks, we have noted the details (ticket {i})."}
            for i, (_, _, text) in enumerate(CASES)]
    rows.append({"question": "My email is priya.sharma@gmail.com", "answer": ""})  # quality reject
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    lines.insert(3, '{"question": "call +91 98765 43210", "answer": ')                # parse error
    (raw / "tickets.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    recipe = Recipe(skip=("dedup_near",))
    curate_folder(raw, tmp_path / "clean", recipe.build_passes(), recipe=recipe)
    outputs = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "clean").iterdir()}
    assert {"train.jsonl", "rejects.jsonl", "manifest.json", "report.html"} <= set(outputs)
    assert "read" in outputs["rejects.jsonl"] and "<PHONE>" in outputs["rejects.jsonl"]
    leaks = [(name, value) for name, text in outputs.items()
             for value in [v for v, *_ in PLANTED.values()] + ["Rahul Gupta", "Lisbon"]
             if value in text]
    assert leaks == []


def test_grouped_numbers_are_phones_only_with_phone_context(pii):
    phones = ["Can someone call me on 9472 7916?", "Name: Emilie Broberg Phone: 72 128 827",
              "APO AA 61487 416 60 039 office, ask for Emilie"]
    others = ["Please quote reference 1934 252 in your reply.",
              "I paid 4543.57 on 2019-05-23 and the code was 12 34 56."]
    found = pii._analyzer.analyze(phones + others)
    assert [[s.entity for s in spans if s.entity == "PHONE"] for spans in found] == [
        ["PHONE"], ["PHONE"], ["PHONE"], [], []]


def test_devanagari_name_after_self_introduction_is_replaced_whole(pii):
    # No English NER reads Devanagari; "मेरा नाम <name> है" is the one cue trusted for it, and the
    # whole name goes (vowel signs are combining marks: "शर्मा" must not leave its final "ा").
    texts = ["नमस्ते, मेरा नाम राहुल शर्मा है और मेरा कार्ड खो गया।",
             "मेरा नाम सीता है। मेरा बैलेंस बताइए।"]
    out, ctx = _run(pii, [_record(i, t) for i, t in enumerate(texts)])
    assert [r.messages[0]["content"] for r in out] == [
        "नमस्ते, मेरा नाम <PERSON> है और मेरा कार्ड खो गया।", "मेरा नाम <PERSON> है। मेरा बैलेंस बताइए।"]


@pytest.mark.parametrize("text", ["मेरा नाम गलत है, इसे ठीक करें।", "मेरा नाम अपडेट करना है",
                                  "मेरा नाम में गलती है", "आपका नाम और जन्मतिथि भेजें।"])
def test_tickets_about_the_name_keep_their_words(pii, text):
    out, _ = _run(pii, [_record(0, text)])
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
