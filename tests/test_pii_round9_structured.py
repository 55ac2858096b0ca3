"""Issue 12, round 9: the structured and secret detectors on text that holds no personal data.

Each KEPT case is of a kind the pass damaged on a tune half of the ninth round (woz-a, sgd-a:
venues' numbers read out by the agent; code, shell and docs halves: addresses, keys and digit
runs that identify no one), written anew for the test with other venues, hosts and numbers; each
was changed by the pass at 3982414. Each rule has recall cases in the same shapes: a customer's
own number, a real-looking key, a card number said to be one, still go.
"""
import pytest
from _pii_util import anonymised, run_pii

from tunecraft.records import Record


def _dialogue(turns, first="user"):
    roles = ("user", "assistant") if first == "user" else ("assistant", "user")
    return Record("d.jsonl:1", [{"role": roles[k % 2], "content": t} for k, t in enumerate(turns)])


def _after(pii, turns, first="user"):
    out, _ = run_pii(pii, [_dialogue(turns, first)])
    return "\n".join(m["content"] for m in out[0].messages)


# --- a venue's listing read out by the agent (agent_facts.py) -----------------------------------
AGENT_LISTINGS = [
    ["I want a cheap restaurant in Koramangala.", "Meghana Foods is a cheap Andhra restaurant there.",
     "Phone number please", "It's 080 4112 3344."],
    ["Looking for a hotel near the station with parking.", "I have two hotels near the station.",
     "What is the phone number?", "I have the Grand Residency on MG Road, 0484 236 1234."],
    ["mujhe ek sasta restaurant chahiye Indiranagar mein", "Toit ek achha restaurant hai, sasta bhi.",
     "number de do", "Zaroor, 080 2520 1000 hai."],
    ["I need a hotel in the old town.", "I have Hotel Aurora on the east side.", "Where is it?",
     "It's at 14 Cowley Road, Oxford. Anything else I can help you with?"],
    ["i want the number of the bakery in the north", "There is Baker Street Bakes in the north.",
     "ok and the number?", "Sure, 0117 496 0321."],
    ["Find me a cheap restaurant on the west side.", "La Margherita is in the west, cheap.",
     "the phone number", "The phone number is 01223 315232."],
]


@pytest.mark.parametrize("turns", AGENT_LISTINGS, ids=[t[-1][:30] for t in AGENT_LISTINGS])
def test_a_venues_number_the_agent_reads_out_is_kept(pii, turns):
    assert _after(pii, turns).splitlines()[-1] == turns[-1]   # (a venue name read as PERSON is pii9b's)


CUSTOMERS_OWN = [   # (value, turns): the customer's number in the same dialogues
    ("98201 23456", ["Book a table at Meghana Foods for two.", "Sure. What number can we reach you on?",
                     "98201 23456", "Booked. We have 98201 23456 for the booking."]),
    ("98201 23456", ["I want a cheap restaurant in Koramangala.", "Meghana Foods is a cheap restaurant.",
                     "Phone number please", "I have your number as 98201 23456."]),
    ("98201 23456", ["Is the hotel taxi booked?", "Yes, the driver will call you at 98201 23456."]),
    ("98201 23456", ["Book the hotel for Ravi Kumar.", "Done. Ravi Kumar, 98201 23456, two nights."]),
    ("98201 23456", ["Book a table at the restaurant, call me on 98201 23456 if it's full.", "Sure."]),
    ("Oxford", ["Send the cake from the bakery to my place.",
                "The delivery address is 14 Cowley Road, Oxford."]),
]


@pytest.mark.parametrize("value,turns", CUSTOMERS_OWN, ids=[t[-1][:30] for _, t in CUSTOMERS_OWN])
def test_a_customers_number_in_a_venue_dialogue_still_goes(pii, value, turns):
    assert value not in _after(pii, turns)


def test_an_agents_number_with_no_venue_in_the_dialogue_still_goes(pii):
    turns = ["Who is my account manager?", "It is Mr. Sharma, you can reach him on 98201 23456."]
    assert "98201 23456" not in _after(pii, turns)
    turns = ["What's the number?", "It's 98201 23456."]   # no venue anywhere: someone's number
    assert "98201 23456" not in _after(pii, turns)



# --- grids, servers, template slots (machine_values.py); stock passwords, rule lists (secret_examples.py)
KEPT = [
    # a C++ lesson's pattern output and sample matrix (Hinglish comments): Luhn/SSN shapes by chance
    "/*\nPattern ke liye N = 4\n4444\n4444\n4444\n4444\n*/\nint main() { int n; cin >> n; }",
    "/*\n1111\n2222\n3333\n4444\n*/\n#include <iostream>\nusing namespace std;",
    "Sample Input:\n3 3\n1 2 3\n4 5 6\n7 8 9\n10 11 12\n13 14 15\nSample Output:\n1 4 7",
    # servers one reaches or looks up
    "Reverse look-up:\n\n```bash\ndig -x 142.250.183.46 +short\n```",
    "shell> resolve github.com\ngithub.com > 140.82.121.4",
    "Apex domain records:\n\n    A => 185.199.108.153\n    A => 185.199.109.153",
    'Copy the site to host "52.66.14.9" over ssh:\nrsync -av ./site/ deploy@52.66.14.9:/var/www/site',
    "| IP | provider |\n|---|---|\n| **`185.228.168.9`** | [cleanbrowsing.org](https://cleanbrowsing.org/) |",
    "Point the client at the staging API:\n\n```python\nr = httpx.get('http://52.66.14.9:8080/health')\n```",
    "Scan the box: `nmap -sV 45.79.112.203`, then `nc -zv 45.79.112.203 443`.",
    "Unix timestamp ko readable date mein kaise badlein?\n\n1712345678",
    # a tldr page's placeholder
    "- Build behind a proxy:\n\n`docker build --build-arg {{HTTPS_PROXY=http://52.66.14.9:3128}} .`",
    # stock passwords and rule lists in code
    '<?php\n$password = "S3cr3t!";\n$hash = password_hash($password, PASSWORD_DEFAULT);',
    "def is_strong(p): ...\n\npassword = 'P@ssw0rd2024'\nprint(is_strong(password))",
    'const rules = {\n  email: "required|email",\n  password: "required|min:8|max:64|confirmed",\n};',
    "tcpdump -A port 80 | egrep -i 'pass=|pwd=|passwd=|login='",
]


@pytest.mark.parametrize("text", KEPT, ids=[t[:30] for t in KEPT])
def test_code_shell_and_docs_values_that_identify_no_one_are_kept(pii, text):
    assert anonymised(pii, text) == text


STILL_PERSONAL = [   # (value, text): the same shapes where the value is someone's
    ("4111 1111", "Please charge my card 4111 1111\n1111 1111 today."),
    ("536-22-8744", "SSN of the applicant:\n536-22-8744"),
    ("49.205.17.88", "Failed password for root from 49.205.17.88 port 22 ssh2"),
    ("49.205.17.88", "SELECT * FROM logins WHERE client_ip = '49.205.17.88'"),
    ("49.205.17.88", "mera IP 49.205.17.88 hai, site block ho gayi"),
    ("49.205.17.88", "My IP is 49.205.17.88 and the server keeps blocking me."),
    ("49.205.17.88", "GET /login 403 - visitor 49.205.17.88 via http://shop.in/cart"),
    ("Xk9#mQ2vLp", "db:\n  user: app\n  password: Xk9#mQ2vLp"),
    ("9820123456", "Call me on 9820123456 after the timestamp bug is fixed."),
    ("1698765432", "Customer phone: 1698765432 (timestamp of the call: 10:42)"),
    ("Tr0ub4dor&3", "user: admin pass= Tr0ub4dor&3"),
    ("Kq7|vR2|zT9w", 'password = "Kq7|vR2|zT9w"'),
]


@pytest.mark.parametrize("value,text", STILL_PERSONAL, ids=[v for v, _ in STILL_PERSONAL])
def test_the_same_shapes_holding_someones_value_still_go(pii, value, text):
    assert value not in anonymised(pii, text)


# --- mailboxes that name a slot or a function (reserved.py) -----------------------------------
MAILBOXES_KEPT = [
    'tar czf - /var/lib/mysql | mail -s "nightly dump" backup@mailhub.in',
    "Table: customers\nColumns: id, name, email\n1, Asha, asha@example.com\n2, Vikram, vikram@example2.com",
    "git config --global user.email ops@yourcompany.com",
    "# alerts jaate hain alerts@pagerhub.io pe, cron se",
    "git remote add origin git@github.com:infra/deploy-scripts.git\ngit push -u origin main",
    "scp build.tar.gz ubuntu@ec2-13-232-10-5.ap-south-1.compute.amazonaws.com:/srv/app",
]


@pytest.mark.parametrize("text", MAILBOXES_KEPT, ids=[t[:30] for t in MAILBOXES_KEPT])
def test_slot_and_function_mailboxes_in_code_are_kept(pii, text):
    assert anonymised(pii, text) == text


@pytest.mark.parametrize("value,text", [
    ("vikram.rao@gmail.com", "git config --global user.email vikram.rao@gmail.com"),
    ("asha.k@company.co.in", "Mera email asha.k@company.co.in hai, backup ke liye."),
    ("rahul@example.in", "email rahul@example.in about the nightly backup"),
    ("deepak.git@gmail.com", "git config user.email deepak.git@gmail.com && git push"),
])
def test_a_persons_mailbox_in_the_same_places_still_goes(pii, value, text):
    assert value not in anonymised(pii, text)
