"""The pii pass: every planted identifier leaves every field, in English, Hindi and Hinglish.

One analyzer (spaCy + Presidio, ~4 s) is built per test session, with the network forbidden (the
`pii` fixture in conftest.py). Person names have their own module, test_pii_names.py.
"""
import json
import re

import pytest
from _pii_util import run_pii, ticket

from curate.passes.base import RecipeError
from curate.passes.pii import PiiPass
from curate.pii.operators import pseudonym

# entity -> (value, how people name it in English, in Devanagari Hindi, in Hinglish)
PLANTED = {
    "EMAIL": ("priya.sharma@gmail.com", "email", "ईमेल", "email"),
    "PHONE": ("+91 98765 43210", "phone number", "मोबाइल नंबर", "mobile number"),
    "CREDIT_CARD": ("4111 1111 1111 1111", "card number", "कार्ड नंबर", "card number"),
    "IBAN": ("GB82 WEST 1234 5698 7654 32", "IBAN", "IBAN", "IBAN"),
    "IP_ADDRESS": ("49.36.122.17", "IP address", "IP address", "IP"),   # public: a private one is kept
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
    # A place counts where it is where someone lives (the default `locations: address` policy).
    "LOCATION": ("Lisbon", {"en": "I live in Lisbon and the card was declined.",
                            "hi": "मैं Lisbon में रहता हूं और कार्ड काम नहीं कर रहा।",
                            "hinglish": "main Lisbon mein rehta hoon aur card decline ho gaya"}),
}


def _cases():
    for entity, (value, *labels) in PLANTED.items():
        for (lang, template), label in zip(TEMPLATES.items(), labels):
            yield entity, value, template.format(label=label, value=value)
    for entity, (value, sentences) in NAMES.items():
        for sentence in sentences.values():
            yield entity, value, sentence


CASES = list(_cases())


def test_english_ner_does_not_eat_hindi_and_hinglish_words(pii):
    # Regression: en_core_web_sm on Hinglish tagged "ho gaya", "kal", "Namaste" as names and cut
    # Devanagari words in half ("<PERSON>ा"); the replies then taught the model to say <PERSON>.
    texts = ["Debit card 9305 block kar diya gaya hai, ab koi transaction nahi hoga.",
             "Namaste, mere number pe ₹719 recharge kiya, kal se wait kar raha hu",
             "पिछले 2 दिनों की नेटवर्क परेशानी के लिए खेद है; तब नेटवर्क मोड 4G/5G auto करें।",
             "जी, मैंने ₹719 का रिचार्ज किया, राशि कट गई पर डेटा नहीं मिला।"]
    out, _ = run_pii(pii, [ticket(i, t) for i, t in enumerate(texts)])
    assert [r.messages[0]["content"] for r in out] == texts


def test_every_planted_entity_leaves_every_field(pii):
    records = [ticket(i, text, meta={"raw": json.dumps({"q": text}, ensure_ascii=False),
                                      "nested": {"notes": ["see below", text]}})
               for i, (_, _, text) in enumerate(CASES)]
    out, ctx = run_pii(pii, records)
    leaked = [(entity, text) for (entity, value, text), r in zip(CASES, out)
              if value in r.to_json()]
    assert leaked == []
    for entity in {c[0] for c in CASES} - {"PERSON", "LOCATION"}:
        assert ctx.counts[f"entity:{entity}"] >= 3 * 3, entity  # 3 languages x 3 fields
    # The small English model may call a place in a Hindi sentence a person: both are replaced.
    assert ctx.counts["entity:PERSON"] + ctx.counts["entity:LOCATION"] >= 2 * 3 * 3
    assert ctx.counts["changed"] == len(CASES)


def test_placeholders_are_typed(pii):
    out, _ = run_pii(pii, [ticket(0, "Mail priya.sharma@gmail.com or call +91 98765 43210.")])
    assert out[0].messages[0]["content"] == "Mail <EMAIL> or call <PHONE>."


def test_counts_carry_no_values(pii):
    _, ctx = run_pii(pii, [ticket(i, text) for i, (_, _, text) in enumerate(CASES)])
    keys = " ".join(ctx.counts)
    assert all(value not in keys for value, *_ in PLANTED.values())
    assert ctx.info == {}


def test_phone_inside_devanagari_and_hinglish(pii):
    texts = ["मेरा नंबर 98765-43210 है, कृपया कॉल करें।", "mera number 9876543210 hai, call karo"]
    out, _ = run_pii(pii, [ticket(i, t) for i, t in enumerate(texts)])
    assert [r.messages[0]["content"] for r in out] == [
        "मेरा नंबर <PHONE> है, कृपया कॉल करें।", "mera number <PHONE> hai, call karo"]


def test_invalid_lookalikes_left_alone(pii):
    texts = ["Your order number is 123456789012, it ships Monday.",   # fails Verhoeff
             "The card number 4111 1111 1111 1112 was declined.",      # fails Luhn
             "मेरा ऑर्डर नंबर 987654321098 है।"]                      # fails Verhoeff
    records = [ticket(i, t) for i, t in enumerate(texts)]
    out, ctx = run_pii(pii, records)
    assert [r.messages[0]["content"] for r in out] == texts
    assert ctx.counts["changed"] == 0


def test_clean_hindi_passes_through_unchanged(pii):
    text = "मेरा कार्ड अभी तक नहीं आया है, कृपया बताएं कि यह कब तक पहुंचेगा।"
    out, _ = run_pii(pii, [ticket(0, text)])
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
    kept = run_pii(pii, [ticket(0, text)])[0][0].messages[0]["content"]
    assert all(word in kept for word in re.findall(r"Email|SSN|UPI|IFSC|hai", text))


def test_overlapping_detections_become_one_span(pii):
    text = "Aadhaar 2345 6789 0124 and phone +91 98765 43210"
    (spans,) = pii._analyzer.analyze([text])
    assert [(s.start, s.end) for s in spans] == sorted({(s.start, s.end) for s in spans})
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))
    out, _ = run_pii(pii, [ticket(0, text)])
    assert out[0].messages[0]["content"] == "Aadhaar <IN_AADHAAR> and phone <PHONE>"


def test_allow_listed_value_survives(pii):
    p = PiiPass.from_options({"allow_list": ["support@tunecraft.example"]})
    out, _ = run_pii(p, [ticket(0, "Write to support@tunecraft.example, not priya.sharma@gmail.com")])
    assert out[0].messages[0]["content"] == "Write to support@tunecraft.example, not <EMAIL>"


def _pseudonymised(options, texts, seed=0):
    p = PiiPass.from_options({"default_operator": "pseudonym", **options})
    out, _ = run_pii(p, [ticket(i, t) for i, t in enumerate(texts)], seed=seed)
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
    out, _ = run_pii(p, [ticket(0, "Mail priya.sharma@gmail.com or call +91 98765 43210.")])
    text = out[0].messages[0]["content"]
    import hashlib

    digest = hashlib.sha256(b"priya.sharma@gmail.com" + salt.encode()).hexdigest()
    assert text == f"Mail {digest} or call ."


def test_meta_strings_and_numbers_anonymised_keys_kept(pii):
    meta = {"raw": '{"q": "call 9876543210"', "customer": {"phone": 9876543210, "tier": "gold",
            "emails": ["priya.sharma@gmail.com"]}, "count": 3}
    out, _ = run_pii(pii, [ticket(0, "no pii here", meta=meta)])
    assert out[0].meta == {"raw": '{"q": "call <PHONE>"', "customer": {
        "phone": "<PHONE>", "tier": "gold", "emails": ["<EMAIL>"]}, "count": 3}


def test_reruns_are_byte_identical(pii):
    texts = [text for _, _, text in CASES]
    runs = [[r.to_json() for r in run_pii(pii, [ticket(i, t) for i, t in enumerate(texts)])[0]]
            for _ in range(2)]
    split = [r.to_json() for r in run_pii(pii, [ticket(i, t) for i, t in enumerate(texts[:7])])[0]]
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


def test_tool_call_arguments_and_tool_turns_are_scrubbed(pii):
    """OpenAI tool turns are kept through to the outputs, so their strings are scrubbed too."""
    call = {"id": "call_7", "type": "function", "function": {
        "name": "send_receipt", "arguments": json.dumps({"email": "priya.sharma@gmail.com", "amount": 499})}}
    record = ticket(0, "Receipt bhej do please")
    record.messages[1:] = [{"role": "assistant", "content": "", "tool_calls": [call], "weight": 1},
                           {"role": "tool", "tool_call_id": "call_7",
                            "content": "sent to priya.sharma@gmail.com, +91 98765 43210"},
                           {"role": "assistant", "content": "रसीद भेज दी गई है।"}]
    (out,), _ = run_pii(pii, [record])
    text = json.dumps(out.messages, ensure_ascii=False)
    assert "priya.sharma@gmail.com" not in text and "98765 43210" not in text
    args = json.loads(out.messages[1]["tool_calls"][0]["function"]["arguments"])
    assert args["amount"] == 499 and args["email"] != "priya.sharma@gmail.com"
    assert out.messages[1]["weight"] == 1 and out.messages[2]["tool_call_id"] == "call_7"
