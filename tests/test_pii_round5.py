"""Cheat sheets, option tables, model versions and code instructions that name no one stay; real
names in the same shapes of text still go.

Each KEPT case is of a kind the pass damaged on the tune halves of issue 12's fifth round
(devhints-style cheat sheets, Hinglish AI-engineering notes, ODEX code intents): a section
heading or a table row describing an option read as a person ("## Elastic Beanstalk",
"| `-b` | Run in background |"), a model with its version ("Claude 3.5 Sonnet"), a product
listed with identifiers ("vLLM, Blackwell"), an abbreviation defined in brackets ("(CoVe)"), a
code intent in lower case ("convert string `user_input` ..."). STILL_PERSONAL holds real names
in the same shapes, which the new rules must not let through.
"""
import pytest
from _pii_util import anonymised

from curate.pii.markdown import code_table_cell, defined_abbreviation, heading_term, versioned

KEPT = [
    # Headings of a page that holds code.
    "## Elastic Beanstalk\n\n```bash\neb init && eb deploy\n```",
    "### Keypath check\n\n```js\nhasKeypaths(state, ['user.name'])\n```",
    # A table row that documents code.
    "### Options\n\n| `-R` | Recursive |\n| `-a` | Include hidden (dotfiles) |\n| `-b` | Run in background |",
    "| Shortcut | Description |\n| --- | --- |\n| `^⇧9` | Split pane |\n| `⌥⌘↓` | Jump to declaration |",
    # A model with its version.
    "Most modern models (GPT-4o, Claude 3.5, Gemini 1.5) support parallel tool calls.",
    "Use a cheap model for summaries and Claude 3.5 Sonnet for the coding tasks.",
    # A list whose other items are identifiers; an abbreviation defined in brackets.
    "Every sheet covers the latest tools (Next.js 15, vLLM, Blackwell).",
    "- **Chain-of-Verification (CoVe):** After the reasoning chain, the model checks each claim.",
    # Code intents written in lower case: dictionary words that are no census names.
    "convert string `user_input` into a list of integers `user_list`",
    "decode json string `request_body` to python dict",
]

STILL_PERSONAL = [
    # A table of people, and a maintainers table whose code cell is a handle.
    ("Rahul Sharma", "| Name | Phone |\n| --- | --- |\n| Rahul Sharma | on leave |\n\n`make test` fails"),
    ("Priya Malhotra", "| Handle | Maintainer |\n| --- | --- |\n| `@priyam` | Priya Malhotra |"),
    # A heading about a person: a possessive, or a census given name leading it.
    ("Derek", "## Derek's setup\n\n```bash\nssh build-box\n```"),
    ("Derek Smith", "### Derek Smith\n\n`kubectl get pods` restarts on his cluster."),
    # An amount after a name is no version; speakers of a Hinglish chat.
    ("Derek", "Please pay Derek 2.50 dollars for the cable."),
    ("Priya", "Rahul: kal `git pull` kar lena\nPriya: haan, 5 baje"),
    # Lower-case names in lower-case text: census names, or words of no dictionary.
    ("derek smith", "my colleague derek smith says `pip install` fails"),
    ("kristensen", "aksel kristensen\nstillwater supercomputing inc.\nconvert the invoice"),
    # People in a list with no tool in it.
    ("Priya", "Reviewers for the vLLM patch: Derek, Maria, Priya and Rahul."),
]


@pytest.mark.parametrize("text", KEPT, ids=[t[:40] for t in KEPT])
def test_docs_and_instructions_come_out_unchanged(pii, text):
    assert anonymised(pii, text) == text


@pytest.mark.parametrize("value,text", STILL_PERSONAL, ids=[f"{v}:{t[:20]}" for v, t in STILL_PERSONAL])
def test_real_names_in_the_same_shapes_are_still_replaced(pii, value, text):
    assert value not in anonymised(pii, text)


def test_headings_count_only_in_pages_with_code_and_only_where_they_open():
    code = [(0, 1)]
    page = "### Recursive\n\n```\nls -R\n```"
    assert heading_term(page, 4, 13, code)
    assert not heading_term(page, 4, 13, [])                     # no code: not a docs page
    notes = "## Notes from Rahul"
    assert not heading_term(notes, 14, 19, code)                  # not where the heading opens


def test_a_table_cell_is_a_term_only_beside_a_code_cell_that_is_no_handle():
    row = "| `-R` | Recursive |"
    assert code_table_cell(row, 9, 18)
    assert not code_table_cell("| Rahul | Recursive |", 2, 7)
    assert not code_table_cell("| `@rahul` | Rahul Sharma |", 12, 24)


def test_a_version_is_dotted_and_no_amount():
    assert versioned("Claude 3.5 Sonnet", 6)
    assert versioned("(Gemini 1.5)", 7)
    assert not versioned("Derek 2.50 dollars", 5)
    assert not versioned("Derek 42 Main Street", 5)


def test_an_abbreviation_counts_only_after_the_words_it_abbreviates():
    text = "Chain-of-Verification (CoVe) checks each claim."
    assert defined_abbreviation(text, 23, 27)
    other = "I spoke to Deshawn (DeShawn) today."
    assert not defined_abbreviation(other, 20, 27)
