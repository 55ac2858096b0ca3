"""Issue 12, round 7 (docs, HTML pages, general-English instructions): titles in documents are
kept; people named in the same places still go.

KEPT holds the kinds the pass damaged on the tune halves of the round's corpora (the Rust book,
W3C's WCAG pages after the html pass): a Title Case section heading ("Reading Files with Sherlock
Holmes") and a term set in emphasis ("_Rc_"). STILL_PERSONAL puts people and contact details in
the same shapes: a heading led by a given name, a heading with a cue, a sentence quoted in
curly quotes, a person named after a quoted title.
"""
import pytest
from _pii_util import anonymised

from curate.pii.doc_titles import doc_title

KEPT = [
    "## Reading Files with Sherlock Holmes\n\nWe load the text of _The Hound of the Baskervilles_ into a "
    "`String` and search it.\n\n```rust\nlet text = fs::read_to_string(path)?;\n```",
    "Use _Cow_ when you need clone-on-write data, and _Rc_ for shared ownership.\n\n```rust\n"
    "let s: Cow<str> = Cow::Borrowed(\"hi\");\n```",
]

STILL_PERSONAL = [
    ("Derek", "## Notes from Derek Hansen\n\n```\nmake test\n```\nDerek ran the suite twice."),
    ("Kowalski", "\u201cI told Kowalski about the outage,\u201d wrote Priya in the ticket."),
    ("Kowalski", "### Call with Mr. Kowalski\n\n```\nssh prod-3\n```\nHe asked for the logs."),
    ("kavita.rao@gmail.com", "## Contact\n\nWrite to kavita.rao@gmail.com for access.\n\n`make deploy`"),
    ("98201", "## Support\n\nCall +91 98201 23456 if the build fails.\n\n```\ncargo build\n```"),
    ("Tony Hoare", "In his 2009 presentation \u201cNull References: The Billion Dollar Mistake,\u201d "
                   "Tony Hoare, the inventor of null, has this to say."),
]


@pytest.mark.parametrize("text", KEPT, ids=[t[:40] for t in KEPT])
def test_titles_in_documents_come_out_unchanged(pii, text):
    assert anonymised(pii, text) == text


@pytest.mark.parametrize("value,text", STILL_PERSONAL, ids=[f"{v}:{t[:20]}" for v, t in STILL_PERSONAL])
def test_people_in_the_same_places_are_still_replaced(pii, value, text):
    assert value not in anonymised(pii, text)


def test_doc_title_judges_structure_not_words():
    doc = "## Reading Files with Sherlock Holmes\n\nSome text.\n\n```\nx = 1\n```"
    assert doc_title(doc, doc.index("Sherlock"), doc.index("Sherlock") + 15)
    note = "## Reading Files with Sherlock Holmes"           # a bare line is no document
    assert not doc_title(note, note.index("Sherlock"), note.index("Sherlock") + 15)
    led = "## Notes from Derek Hansen\n\n```\nx\n```"        # a census given name leads it
    assert not doc_title(led, led.index("Derek"), led.index("Derek") + 12)
    quoted = "\u201cI told Kowalski about it,\u201d she wrote."  # a sentence quoted, not a title
    assert not doc_title(quoted, quoted.index("Kowalski"), quoted.index("Kowalski") + 8)
    titled = "Read \u201cThe Costly Mistake of Kowalski Pointers\u201d first."
    assert doc_title(titled, titled.index("Kowalski"), titled.index("Kowalski") + 8)
    setext = "Running Flask with Gunicorn\n---------------------------\n\nUse `gunicorn app:app`."
    assert doc_title(setext, setext.index("Gunicorn"), setext.index("Gunicorn") + 8)
