"""Issue 12, round 8 (docs, HTML pages, general-English instructions): example values that
documentation writes are kept; real ones in the same places still go.

Each KEPT text is a kind the pass damaged on the round's tune halves or the held-out WCAG pages'
regression (counted, not read): example credentials of docs (AWS's `…EXAMPLE` keys, `sk-xxxx…`,
`Bearer YOUR_ACCESS_TOKEN`, a key block that holds "..."), autocomplete tokens in prose about
forms ("the token current-password"). STILL_PERSONAL puts a real-looking value in the same shape.
"""
import pytest
from _pii_util import anonymised

from curate.pii.doc_terms import a_doc_term, heading_line
from curate.pii.sample_names import sample_name
from curate.pii.secrets import find_secrets

KEPT = [
    "Set the keys in `~/.aws/credentials`:\n\n```ini\n[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n```",
    "Export your key before running the script:\n\n```bash\nexport OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxx\n```",
    "Send the header `Authorization: Bearer YOUR_ACCESS_TOKEN` with every request.",
    "For the login form, use the autocomplete token current-password on the password field and the "
    "token organization-title on the job title field.",
    "The password is case-sensitive, and the user name is not.",
    "In the second row the only way the undersized target can pass is 24-by-24 pixels of spacing.",
    "Results\n\nPass: 4.5:1 contrast for body text\nPass: Content-Type header present",
    "```python\nclass TokenAuth(httpx.Auth):\n    def __init__(self, access_token):\n"
    "        self.access_token = access_token\n```",
    "Paste the key between the markers:\n\n```\n-----BEGIN RSA PRIVATE KEY-----\n...\n"
    "-----END RSA PRIVATE KEY-----\n```",
    # sample data of coding exercises: the examples' cast in literals, Lorem ipsum
    "Write a function that returns the oldest person.\n\n[{'name': 'Alice', 'age': 30}, {'name': 'Bob', "
    "'age': 41}, {'name': 'Carol', 'age': 25}]",
    'Build the full name from the record.\n\nfirst_name: "John", last_name: "Doe", age: 30',
    "Count the words in this text.\n\nLorem ipsum dolor sit amet, consectetur adipiscing elit.",
    # products and controls of a how-to, a review's title, a temperature scale
    "To check the page in a browser that supports Shockwave, open an HTML page that references a "
    "Shockwave application through an object tag. Shockwave does not detect the change after the "
    "Shockwave plugin is loaded.",
    "Press the Tab key to move focus. Tab focus moves in numerical order.\n\n- Click Add.\n"
    "- In the Add dialog, enter a URL.",
    "Create a template in markdown to create scope for Jira tickets. The Sudoku puzzle is below.",
    "Title: Henrietta explains It All for You\nReview: My daughter asks for this every night, five stars.",
    "Here is some information on the Battle of Hastings: wikipedia('Battle of Hastings').",
    "Convert Fahrenheit to Celsius for a temperature of 95 degrees.",
    "Resources\n\n-  Hue Contrast Analyser (HCA) – Application\n-  Colour Ratio Analyser - online service\n"
    "-  Atypical colour response",
    "In the footer, choose Insert ← Fields ← Page Number. Shockwave's Layout ribbon holds the Columns tool.",
]

STILL_PERSONAL = [
    ("AKIA4HZQ7WNB3KPX2M6T", "```ini\n[default]\naws_access_key_id = AKIA4HZQ7WNB3KPX2M6T\n```"),
    ("sk-proj-4fG7hJ2kL9mN3pQ8rS1tV6wX0yZ5aB", "My key is failing: OPENAI_API_KEY=sk-proj-4fG7hJ2kL9mN3pQ8rS1tV6wX0yZ5aB"),
    ("8f3kQz1LmT0pVx9RwY2nB7cD", "Send the header `Authorization: Bearer 8f3kQz1LmT0pVx9RwY2nB7cD` with every request."),
    ("hunter2", "For the staging login, the password is hunter2 and the user name is admin."),
    ("Tr0ub4dor", "VPN login for the new laptop - user: admin pass: Tr0ub4dor"),
    ("correct-horse-battery-staple", "wifi password: correct-horse-battery-staple"),
    ("staple_battery_horse", "```python\nclient = Client(url)\nclient.password = 'staple_battery_horse'\n```"),
    ("MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
     "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
     "-----END RSA PRIVATE KEY-----"),
    ("Meera Pillai", 'Sort the customers by age.\n\n[{"name": "Meera Pillai", "age": 30}, {"name": "Arjun Nair", "age": 41}]'),
    ("Alice Kowalski", "Alice Kowalski called about her refund; her order never arrived."),
    ("Meera Pillai", "Subject: Call with Meera Pillai about the renewal\n\nShe asked for the new quote."),
    ("Kowalski", "Our Shockwave application crashed again and Mr. Kowalski wants a fix by Friday."),
]


@pytest.mark.parametrize("text", KEPT, ids=[t[:40] for t in KEPT])
def test_doc_examples_come_out_unchanged(pii, text):
    assert anonymised(pii, text) == text


@pytest.mark.parametrize("value,text", STILL_PERSONAL, ids=[f"{v[:12]}:{t[:20]}" for v, t in STILL_PERSONAL])
def test_real_values_in_the_same_places_are_still_replaced(pii, value, text):
    assert value not in anonymised(pii, text)


def test_example_secrets_are_judged_by_their_value():
    assert find_secrets("aws_access_key_id = AKIAIOSFODNN7EXAMPLE") == []
    assert find_secrets("aws_access_key_id = AKIA0000000000000000") == []     # a run, not a key
    real = "aws_access_key_id = AKIA4HZQ7WNB3KPX2M6T"
    assert find_secrets(real) == [(real.index("AKIA"), len(real))]
    assert find_secrets("the token organization-title") == []                 # words of a spec
    assert find_secrets("the token organization-title9x") != []               # a digit: random


def test_sample_names_need_the_cast_and_a_literal():
    data = "[{'name': 'Alice', 'age': 30}]"
    assert sample_name(data, data.index("Alice"), data.index("Alice") + 5)
    prose = "Alice called about her refund."                       # prose: the convention does not hold
    assert not sample_name(prose, 0, 5)
    real = "[{'name': 'Meera', 'age': 30}]"                        # not of the cast
    assert not sample_name(real, real.index("Meera"), real.index("Meera") + 5)
    row = "Name,Age\nJohn Doe,34\nJane Doe,28"
    assert sample_name(row, row.index("John"), row.index("John") + 8)


def test_doc_terms_read_the_text_not_a_list():
    text = "The Xamarin plugin is loaded late. Xamarin does not see the change."
    assert a_doc_term(text, text.rindex("Xamarin"), text.rindex("Xamarin") + 7)   # spread from "plugin"
    owned = "Kowalski's plugin is loaded late. Kowalski does not see the change."
    assert not a_doc_term(owned, owned.rindex("Kowalski"), owned.rindex("Kowalski") + 8)
    record = "The Kowalski account is overdue. Kowalski has not paid."     # a record about a person
    assert not a_doc_term(record, record.rindex("Kowalski"), record.rindex("Kowalski") + 8)
    body = "x" * 400
    page = f"{body}\n\nMetadata\n\nThe objective of this technique is to help."
    assert heading_line(page, page.index("Metadata"), page.index("Metadata") + 8)
    letter = f"{body}\n\nWarm regards\n\nKowalski\n\nSent from my phone"          # a sign-off, not a heading
    assert not heading_line(letter, letter.index("Kowalski"), letter.index("Kowalski") + 8)
    assert not heading_line("Metadata\n\nshort note", 0, 8)                        # no document
