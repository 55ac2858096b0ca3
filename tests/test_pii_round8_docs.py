"""Issue 12, round 8 (docs, HTML pages, general-English instructions): example values that
documentation writes are kept; real ones in the same places still go.

Each KEPT text is a kind the pass damaged on the round's tune halves or the held-out WCAG pages'
regression (counted, not read): example credentials of docs (AWS's `…EXAMPLE` keys, `sk-xxxx…`,
`Bearer YOUR_ACCESS_TOKEN`, a key block that holds "..."), autocomplete tokens in prose about
forms ("the token current-password"). STILL_PERSONAL puts a real-looking value in the same shape.
"""
import pytest
from _pii_util import anonymised

from curate.pii.secrets import find_secrets

KEPT = [
    "Set the keys in `~/.aws/credentials`:\n\n```ini\n[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n```",
    "Export your key before running the script:\n\n```bash\nexport OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxx\n```",
    "Send the header `Authorization: Bearer YOUR_ACCESS_TOKEN` with every request.",
    "For the login form, use the autocomplete token current-password on the password field and the "
    "token organization-title on the job title field.",
    "The password is case-sensitive, and the user name is not.",
    "Paste the key between the markers:\n\n```\n-----BEGIN RSA PRIVATE KEY-----\n...\n"
    "-----END RSA PRIVATE KEY-----\n```",
]

STILL_PERSONAL = [
    ("AKIA4HZQ7WNB3KPX2M6T", "```ini\n[default]\naws_access_key_id = AKIA4HZQ7WNB3KPX2M6T\n```"),
    ("sk-proj-4fG7hJ2kL9mN3pQ8rS1tV6wX0yZ5aB", "My key is failing: OPENAI_API_KEY=sk-proj-4fG7hJ2kL9mN3pQ8rS1tV6wX0yZ5aB"),
    ("8f3kQz1LmT0pVx9RwY2nB7cD", "Send the header `Authorization: Bearer 8f3kQz1LmT0pVx9RwY2nB7cD` with every request."),
    ("hunter2", "For the staging login, the password is hunter2 and the user name is admin."),
    ("correct-horse-battery-staple", "wifi password: correct-horse-battery-staple"),
    ("MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
     "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
     "-----END RSA PRIVATE KEY-----"),
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
