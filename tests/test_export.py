"""curate.export converters: each trainer's documented row, nothing of a multi-turn row lost."""
from curate.export import to_alpaca, to_openai, to_trl_messages, to_trl_prompt_completion
from tunecraft.records import Record

CHAT = [{"role": "system", "content": "Aap ek bank sahayak hain."},
        {"role": "user", "content": "Mera card block ho gaya"},
        {"role": "assistant", "content": "Kya aapne teen baar galat PIN daala tha?", "weight": 0},
        {"role": "user", "content": "हाँ, शायद।"},
        {"role": "assistant", "content": "24 घंटे बाद card apne aap unblock ho jayega.", "weight": 1}]


def record(**kw):
    return Record("chats.jsonl:4", [dict(m) for m in CHAT], **kw)


def test_openai_keeps_every_turn_and_weight_trl_messages_drops_only_weight():
    assert to_openai(record())["messages"] == CHAT
    assert to_trl_messages(record())["messages"] == [{k: v for k, v in m.items() if k != "weight"} for m in CHAT]


def test_trl_prompt_completion_targets_the_last_weighted_turn():
    row = to_trl_prompt_completion(record())
    assert [m["content"] for m in row["prompt"]] == [m["content"] for m in CHAT[:4]]
    assert row["completion"] == [{"role": "assistant", "content": CHAT[4]["content"]}]


def test_alpaca_keeps_earlier_turns_as_input_and_a_label_is_the_output():
    row = to_alpaca(record())
    assert row["instruction"] == "हाँ, शायद।" and row["output"] == CHAT[4]["content"]
    assert row["input"] == ("system: Aap ek bank sahayak hain.\nuser: Mera card block ho gaya\n"
                            "assistant: Kya aapne teen baar galat PIN daala tha?")
    labelled = Record("intents.json:3", [{"role": "user", "content": "PIN badalna hai"}], label="change_pin")
    assert to_alpaca(labelled) == {"instruction": "PIN badalna hai", "input": "", "output": "change_pin"}
    assert to_openai(labelled)["messages"][-1] == {"role": "assistant", "content": "change_pin"}


def test_a_record_with_nothing_to_learn_has_no_row():
    unanswered = Record("u.jsonl:1", [{"role": "user", "content": "hello?"}])
    assert to_openai(unanswered) is None and to_alpaca(unanswered) is None
