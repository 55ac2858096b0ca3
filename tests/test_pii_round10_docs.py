"""Issue 12, round 10: products named in a list beside a technology ("HTML, SVG, SMIL and X",
"a search tool (like X or DuckDuckGo)", "X, or LanceDB") stay; a person's name in a list of the
same shape still goes.

Each KEPT text is of a kind the pass damaged on the round's tune halves (wcag-html-a,
susa-hinglish-a), written anew for the test with other product names; each was changed by the
pass at dbb8f14 (checked against a `git archive` of it). STILL_PERSONAL puts a person's name in
the same shape: beside an acronym that is a role ("HR", "CTO"), in two clauses joined by "and",
or a census given name in the list itself.
"""
import pytest
from _pii_util import anonymised

from curate.pii.tool_lists import listed_tools

KEPT = [
    "A page that includes HTML, SVG, SMIL and Velora may need several plug-ins.",
    "Examine the source of the HTML or XHTML document for a table element.",
    "Check the HTML or Zubrix document for a table element.",
    "It calls a search tool (like Tavily or DuckDuckGo) to find up-to-date data.",
    "It calls a search tool (like Brevik or DuckDuckGo) to find up-to-date data.",
    "Hinglish Answer: Chroma (Local), Milvus, or LanceDB (Embedded) best rahenge.",
]

STILL_PERSONAL = [
    ("Kavita Deshpande", "Kavita Deshpande, SQL and HTML were on the agenda."),
    ("Zehe", "Please ask Zehe or HR about the laptop."),
    ("Marco Zehe", "Marco Zehe, CTO, wrote the HTML examples."),
    ("Lauke", "I sent the PDF and Lauke replied within an hour."),
    ("Meera Pillai", "Thanks to Meera Pillai, the AWS team and QA."),
    ("Priya Sharma", "We invited Priya Sharma, SQL or HTML experts."),
    # a name, "and the", an acronym: read as a title's shape ("X and the Y") until the lead's fix
    ("Rohan Gupta", "Thanks to Rohan Gupta and the AWS team."),
    ("Anjali Mehta", "Anjali Mehta and the HR desk approved the refund."),
]


@pytest.mark.parametrize("text", KEPT, ids=[t[:40] for t in KEPT])
def test_products_listed_beside_a_technology_come_out_unchanged(pii, text):
    assert anonymised(pii, text) == text


@pytest.mark.parametrize("value,text", STILL_PERSONAL, ids=[f"{v}:{t[:20]}" for v, t in STILL_PERSONAL])
def test_a_person_in_a_list_of_the_same_shape_still_goes(pii, value, text):
    assert value not in anonymised(pii, text)


def test_a_list_with_a_technology_names_its_members_as_things():
    assert listed_tools("includes HTML, SVG, SMIL and XForms") == {"HTML", "SVG", "SMIL", "XForms"}
    assert listed_tools("a tool (like Tavily or DuckDuckGo)") == {"Tavily", "DuckDuckGo"}
    assert listed_tools("Is project mein Flask, Jinja2 aur Celerix use hue") == {"Flask", "Jinja2", "Celerix"}


def test_no_technology_no_list_or_a_name_takes_nothing():
    assert listed_tools("Mary sold 3.1 Million; Fred, 2.6 Million; and Andrew, 3.4 Million") == set()
    assert listed_tools("Ask Zehe or HR, or Lauke, CEO") == set()
    assert listed_tools("I sent the PDF and Lauke replied") == set()   # two clauses
    assert listed_tools("Tools like Devin or OpenDevin") == {"OpenDevin"}   # Devin: a census given name
