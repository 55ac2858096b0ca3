"""The one span-overlap test the PII detectors share (names, places, code regions, cues)."""
from curate.pii.intervals import overlaps

TEXT = "Mera naam Rahul Sharma hai, `getUser()` se dekho."


def test_touching_spans_do_not_overlap():
    name = (TEXT.index("Rahul"), TEXT.index(" hai"))
    assert not overlaps(name, [(name[1], name[1] + 4)])         # " hai" starts where the name ends
    assert not overlaps(name, [(0, name[0])])                   # "Mera naam " ends where it starts


def test_labelled_spans_and_one_shared_character_overlap():
    code = (TEXT.index("`"), TEXT.index("se") - 1)
    assert overlaps((code[1] - 1, code[1] + 3, "PERSON"), [(*code, "CODE", 0.9)])
    assert not overlaps((0, 4), [])
