"""dedup_near: planted clusters removed or marked; short paraphrases, tiny texts and Hindi handled."""
import numpy as np
import pytest

from curate.passes.base import Context, RecipeError
from curate.passes.dedup_near import DedupNear
from tunecraft.records import Record

TICKETS = [
    "Hi, I ordered a new debit card two weeks ago and it still has not arrived at my address in Pune. "
    "Can you tell me when it will be delivered or whether I should order another one? I need it "
    "before my trip to Berlin next month because my old card expires at the end of this week and "
    "I have no other way to pay.",
    "My transfer of 250 euros to my landlord has been pending since Monday and the money has left my "
    "account. How long does it usually take before the recipient can see the funds? He says nothing "
    "has arrived yet and he is asking me to pay again, which I do not want to do until I know where "
    "the first payment went.",
    "I was charged twice for the same coffee at the airport cafe yesterday morning, please refund "
    "the second payment because I only bought one cup and the receipt shows one item. Both "
    "charges appear on my statement with the same time and the same amount, so it looks like a "
    "mistake by the card terminal rather than a real second purchase.",
    "The app keeps logging me out every time I open the cards tab on my Android phone, I have "
    "already reinstalled it twice and cleared the cache but nothing changes at all.",
]
ANSWER = ("Thanks for reaching out. You can check the current status in the app under the Cards tab. "
          "If the issue persists, contact support and quote your reference number.")


def rec(i, user, answer=ANSWER):
    messages = [{"role": "user", "content": user}]
    if answer is not None:
        messages.append({"role": "assistant", "content": answer})
    return Record(id=f"tickets.jsonl:{i}", messages=messages)


def run(records, seed=0, **options):
    ctx = Context("dedup_near", seed=seed)
    return list(DedupNear.from_options(options).run(records, ctx)), ctx


def planted():
    """Four distinct tickets, each followed later by near copies (one word edited, case/punct)."""
    edits = [TICKETS[0].replace("two weeks", "three weeks"), TICKETS[1].lower().replace(",", ""),
             TICKETS[0].replace("Pune", "Mumbai"), TICKETS[2] + " Thanks."]
    users = TICKETS + edits
    return [rec(i + 1, u) for i, u in enumerate(users)]


def test_planted_near_duplicates_are_rejected_with_representative_and_similarity():
    records = planted()
    kept, ctx = run(records)
    assert [r.id for r in kept] == [r.id for r in records[:4]]  # input order, first kept
    dup_of = {j.record.id: j.details["duplicate_of"] for j in ctx.rejects}
    assert dup_of == {"tickets.jsonl:5": "tickets.jsonl:1", "tickets.jsonl:6": "tickets.jsonl:2",
                      "tickets.jsonl:7": "tickets.jsonl:1", "tickets.jsonl:8": "tickets.jsonl:3"}
    assert {j.reason for j in ctx.rejects} == {"near_duplicate"}
    assert all(0.8 <= j.details["similarity"] <= 1.0 for j in ctx.rejects)
    assert kept[0].meta["cluster_id"] == "tickets.jsonl:1"
    assert "cluster_id" not in kept[3].meta


def test_mark_mode_keeps_everything_and_writes_cluster_ids():
    records = planted()
    kept, ctx = run(records, mode="mark")
    assert [r.id for r in kept] == [r.id for r in records] and not ctx.rejects
    cluster = {r.id: r.meta.get("cluster_id") for r in kept}
    assert cluster["tickets.jsonl:7"] == cluster["tickets.jsonl:5"] == "tickets.jsonl:1"
    assert cluster["tickets.jsonl:6"] == "tickets.jsonl:2"
    assert cluster["tickets.jsonl:4"] is None


def test_short_paraphrases_survive_even_with_one_canned_answer():
    queries = ["what's my balance", "show my balance", "check my balance please",
               "how do I reset my pin", "how can I reset my pin", "block my card",
               "my card is blocked", "where is my card", "when will my card arrive"]
    kept, ctx = run([rec(i, q) for i, q in enumerate(queries)])
    assert len(kept) == len(queries) and not ctx.rejects
    assert not any("cluster_id" in r.meta for r in kept)


def test_texts_shorter_than_a_shingle_do_not_collapse_onto_one_signature():
    tiny = ["hi", "ok", "no", "yes", "why", "?", "!!!", "", "👍", "...", "help", "हाँ", "नहीं"]
    kept, ctx = run([rec(i, t, answer=None) for i, t in enumerate(tiny)])
    assert len(kept) == len(tiny) and not ctx.rejects
    assert ctx.info["no_text"] == 5  # ?, !!!, "", 👍, ... have no letters: never duplicates


def test_same_question_with_a_different_answer_is_kept():
    answers = ["Your card is on its way and should arrive within three working days, "
               "we will send a tracking link by email as soon as it ships.",
               "We cancelled that card because the address could not be verified, please update "
               "your address in the app and order a replacement free of charge."]
    kept, ctx = run([rec(1, TICKETS[0], answers[0]), rec(2, TICKETS[0], answers[1])])
    assert len(kept) == 2
    kept, ctx = run([rec(1, TICKETS[0], answers[0]), rec(2, TICKETS[0], answers[1])],
                    field="instruction")
    assert len(kept) == 1 and ctx.rejects[0].details["similarity"] == 1.0


def test_records_without_a_user_turn_are_compared_on_their_response():
    def reply_only(i, text):
        return Record(id=f"r.jsonl:{i}", messages=[{"role": "assistant", "content": text}])

    records = [reply_only(1, TICKETS[1]), reply_only(2, TICKETS[1] + " Thanks."),
               rec(3, "When will my transfer arrive?", TICKETS[1]), reply_only(4, TICKETS[2])]
    kept, ctx = run(records)
    assert [j.record.id for j in ctx.rejects] == ["r.jsonl:2"]
    assert ctx.rejects[0].details["duplicate_of"] == "r.jsonl:1"


HINDI = ("नमस्ते, मेरा कार्ड अभी तक नहीं आया है, कृपया बताएं कि यह कब तक पहुंचेगा। "
         "मैंने बारह दिन पहले कार्ड ऑर्डर किया था लेकिन वह अभी तक नहीं मिला। धन्यवाद।")


def test_hindi_near_duplicates_found_and_distinct_hindi_queries_kept():
    texts = [HINDI, "मेरा पिन ब्लॉक हो गया है", HINDI.replace("।", ".") + " यह बहुत ज़रूरी है।",
             "मेरा पिन बदलना है", "मैं अपना पासकोड भूल गया हूं"]
    kept, ctx = run([rec(i, t, answer=None) for i, t in enumerate(texts)])
    assert [j.record.id for j in ctx.rejects] == ["tickets.jsonl:2"]
    assert ctx.rejects[0].details["duplicate_of"] == "tickets.jsonl:0"
    assert len(kept) == 4


def test_script_without_spaces_uses_character_shingles():
    thai = "ฉันสั่งบัตรเดบิตใหม่เมื่อสองสัปดาห์ก่อนแต่ยังไม่ได้รับเลยช่วยตรวจสอบให้หน่อยได้ไหมครับขอบคุณมาก"
    texts = [thai, thai + "ค่ะ", "ฉันลืมรหัสผ่านของแอปธนาคารและไม่สามารถเข้าสู่ระบบได้เลย"]
    kept, ctx = run([rec(i, t, answer=None) for i, t in enumerate(texts)])
    assert [j.record.id for j in ctx.rejects] == ["tickets.jsonl:1"]


def test_a_large_bucket_of_copies_joins_one_cluster():
    copies = [rec(i, TICKETS[i % 2] + (" Thanks." if i % 4 > 1 else "")) for i in range(400)]
    kept, ctx = run(copies)
    assert [r.id for r in kept] == ["tickets.jsonl:0", "tickets.jsonl:1"]
    assert {j.details["duplicate_of"] for j in ctx.rejects} == {"tickets.jsonl:0", "tickets.jsonl:1"}
    assert ctx.info["candidate_pairs"] < 4 * len(copies)  # linear in the bucket, not quadratic


def test_deterministic_for_a_seed():
    def outcome(seed):
        kept, ctx = run(planted(), seed=seed, mode="remove")
        return ([(r.id, r.meta.get("cluster_id")) for r in kept],
                [(j.record.id, j.details) for j in ctx.rejects])

    assert outcome(3) == outcome(3)
    assert outcome(3) == outcome(4)  # clear-cut duplicates do not depend on the permutations


@pytest.mark.parametrize("options", [{"mode": "drop"}, {"threshold": 1.5}, {"field": "all"},
                                     {"shingle_size": 0}, {"bands": 4}])
def test_bad_options_are_recipe_errors(options):
    with pytest.raises(RecipeError, match="dedup_near"):
        DedupNear.from_options(options)


def test_empty_input_and_records_without_messages():
    assert run([])[0] == []
    empty = [Record(id=f"e:{i}", messages=[]) for i in range(3)]
    kept, ctx = run(empty)
    assert [r.id for r in kept] == ["e:0", "e:1", "e:2"] and ctx.info["no_text"] == 3


def _edited_pairs(n_pairs, lo, hi, seed=3):
    """(ticket, the ticket with two words replaced) pairs whose exact word-5-gram Jaccard is in
    [lo, hi): 60-70 word support texts, English and Hinglish words mixed."""
    import random

    from curate import minhash

    vocab = sorted({w for t in TICKETS for w in t.split()} | set(
        "mera paisa abhi tak nahi aaya kripya jaldi refund karo account block ho gaya".split()))
    rng, pairs = random.Random(seed), []
    while len(pairs) < n_pairs:
        words = rng.choices(vocab, k=rng.randint(60, 70))
        edited = list(words)
        for at in rng.sample(range(len(words)), 2):
            edited[at] = rng.choice(vocab)
        values, offsets = minhash.shingle_hashes([" ".join(words), " ".join(edited)])
        if lo <= minhash.jaccard_pairs(values, offsets, np.array([[0, 1]]))[0] < hi:
            pairs.append((" ".join(words), " ".join(edited)))
    return pairs


def test_recall_at_the_bottom_of_the_band_above_the_threshold():
    """Pairs just above the default threshold (J 0.80-0.82) are the hardest for LSH; every
    candidate is verified exactly, so the band/row choice may trade candidates for recall."""
    pairs = _edited_pairs(400, 0.80, 0.82)
    records = [rec(i, text) for i, text in enumerate(t for pair in pairs for t in pair)]
    kept, _ = run(records, field="instruction", mode="mark")
    cluster = [r.meta.get("cluster_id", r.id) for r in kept]
    found = sum(cluster[i] == cluster[i + 1] for i in range(0, len(cluster), 2))
    assert found / len(pairs) >= 0.99


def test_near_duplicate_answers_to_one_shared_prompt_are_found():
    """Generated data often asks one prompt many times: every record then shares the instruction's
    LSH buckets, where candidates are only a bucket's first member and sort-order neighbours; the
    responses' own index must find the near-duplicate answers wherever they sit."""
    import random

    pairs = _edited_pairs(30, 0.8, 0.95, seed=5)
    answers = [(k, text) for k, pair in enumerate(pairs) for text in pair]
    random.Random(1).shuffle(answers)
    prompt = "Write a reply to a customer whose card was blocked after a failed payment abroad."
    records = [rec(i, prompt, answer) for i, (_, answer) in enumerate(answers)]
    kept, _ = run(records, mode="mark")
    clusters = {}
    for record, (k, _) in zip(kept, answers):
        clusters.setdefault(k, set()).add(record.meta.get("cluster_id"))
    assert all(len(c) == 1 and None not in c for c in clusters.values())
