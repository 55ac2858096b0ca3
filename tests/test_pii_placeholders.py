"""Values that identify no one stay; the same kinds of value that do identify someone still go.

Code, shell recipes and library docs are full of stand-ins: `user@example.com`, `root@localhost`,
`192.168.1.1` in a validator's test, `user@host:/path` in an rsync line, `"0123456789"` in a
digit check, `$SERVER` in a script. Each case below was replaced by the pass before this module
was written (issue 12, third round). STILL_PERSONAL guards the other side: real values of the
same kinds (found before too) that the new rules must not let through.
"""
import pytest
from _pii_util import anonymised, run_pii, ticket

KEPT = [
    # RFC 2606 / 6761 reserved domains and placeholder mailboxes.
    'def test_signup(client):\n    r = client.post("/signup", json={"email": "test@example.com"})\n'
    '    assert r.status_code == 201',
    "scp -c blowfish -r user@your.server.example.com:/path/to/foo /home/user/Desktop/",
    "To report a vulnerability, please email [security@vuejs.org](mailto:security@vuejs.org).",
    'ssh -o StrictHostKeyChecking=no YOUR_USERNAME@SOME_SITE.COM -p 2400',
    # Addresses no ISP can tie to a subscriber: RFC 1918, loopback, RFC 5737 documentation.
    'def test_is_valid_ip():\n    assert is_valid_ip("192.168.1.1")\n    assert is_valid_ip("10.0.0.254")\n'
    '    assert not is_valid_ip("256.1.1.1")',
    "Allow ssh from 127.0.0.1 on port 2222 through the bastion at 203.0.113.7",
    "Router ka admin page 192.168.0.1 pe khulta hai, wahan se password badlo.",
    # user@host is an ssh target, vue@latest an npm package: no UPI handle NPCI issued.
    "rsync -avz --ignore-existing /source folder/* user@remoteserver:/dstfolder/",
    "Archive \"user@host1:/directory/\" to \"user@host2:/directory2/\" via ssh",
    "```sh\n$ npm create vue@latest\n$ yarn dlx create-vue@latest\n```",
    # Filler digits and digit strings in code.
    'Count occurrences of "123" in the string "123 123 123"',
    'def is_number(text):\n    return all(c in "0123456789" for c in text)',
    "def test_demlo():\n    assert find_demlo(\"111111\") == '12345654321'",
    "Each pack of dvds costs 300 dollars and the discount is 20 dollars.\n( 300.0 - 280.0 )",
    # Shell variables, options and command lines.
    'Append "& Bytes" to every line of "$TEMPFILE" and format it with column -t',
    "dpkg -S `which command`",
    # Title-cased terms and headings of library docs.
    "## Render Scope {#render-scope}\n\nSlot content has access to the parent scope.",
    "The primary advantage of Composition API is clean logic reuse, unlike React Hooks.",
    "For routing, use the officially-supported Vue Router library; see Vue Router's docs.",
    "Chahe aap Vue ko kis bhi level pe use karo, Vue ka core system har jagah common rehta hai.",
    # Tools and components that the docs link or tag; Hindi's emphatic "hi" is no greeting.
    "- [Jest](https://jestjs.io/) is a popular unit testing framework, and Jest runs in Node.",
    "If using Vite, a custom Vite plugin should be used; see [Vite's docs](https://vitejs.dev/guide/).",
    "HTML elements ke andar content pass karte hain, waise hi Vue components mein bhi hota hai.",
]

STILL_PERSONAL = [
    ("ankit.rai@gmail.com", 'def test_signup(client):\n    r = client.post("/signup", '
                            'json={"email": "ankit.rai@gmail.com"})'),
    ("meera.iyer@vuejs.org", "Ping meera.iyer@vuejs.org about the release notes"),
    ("49.36.122.17", "Login alert: new sign-in from 49.36.122.17 at 2 am"),
    ("priya.sharma@okaxis", "mera UPI priya.sharma@okaxis hai, refund wahan bhejo"),
    ("9820123456@axl", "Pay 9820123456@axl for the order"),
    ("ravi.k@newbank", "my UPI id is ravi.k@newbank, please pay there"),
    ("9820123456", 'def notify():\n    SUPPORT = "9820123456"\n    return SUPPORT'),
    ("+44 20 7946 0958", 'assert format_phone("+44 20 7946 0958") == "UK"'),
    ("98201 23456", "Mera number 98201 23456 hai, call karo"),
    ("9469 9966", "Christophe Bjorklund\nPersonal Info:\nPhone:\n9469 9966\n"),   # 3 distinct digits
    ("Rahul Sharma", "Hi, I am Rahul Sharma and my card is blocked"),
    ("Rohan", "Ho gaya. Hi Rohan, kal milte hain"),
]


@pytest.mark.parametrize("text", KEPT, ids=[t[:40] for t in KEPT])
def test_stand_ins_come_out_unchanged(pii, text):
    assert anonymised(pii, text) == text


@pytest.mark.parametrize("value,text", STILL_PERSONAL, ids=[v for v, _ in STILL_PERSONAL])
def test_real_values_of_the_same_kinds_are_still_replaced(pii, value, text):
    assert value not in anonymised(pii, text)


def test_private_ip_is_kept_but_a_public_one_in_the_same_record_goes(pii):
    text = "Gateway 192.168.1.1 forwards to 49.36.122.17 for the customer"
    out, ctx = run_pii(pii, [ticket(0, text)])
    assert out[0].messages[0]["content"] == "Gateway 192.168.1.1 forwards to <IP_ADDRESS> for the customer"
