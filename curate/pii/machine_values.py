"""Structured values in code, shell and docs that are a machine's or a grid's, not a person's.

Why: on code and shell corpora (cheat sheets, tldr pages, C++ lessons) the structured detectors
fired on values that identify no one:
- a number grid (a pattern the program prints, a sample matrix: "4444\\n4444\\n4444\\n4444",
  "7 8 9\\n10 11 12\\n13 14 15") read across its line breaks as a card number (it passes Luhn by
  chance) or an SSN. A value wrapped by an editor ("card 4111 1111\\n1111 1111") sits in a line of
  words; a grid is three or more lines of nothing but numbers around the value.
- the address of a server one connects to or looks up: `dig -x 172.217.16.14`, "nmap.org >
  45.33.49.119", `A => 192.30.252.153`, `ssh ubuntu@231.210.24.48`, a DNS table row pairing an
  address with its provider's URL. GDPR's concern with IP addresses is the subscriber an ISP can
  name behind a device's address (CJEU, Breyer, C-582/14); a server reached by name or as a
  host names none, nor does the host of a URL (`http://52.66.14.9:8080/`: clients have no URL)
  or the target of a network tool (`curl`, `nmap`, `nc`). An address the text ties to a client,
  a user, an owner or a login ("client_ip", "my IP", "our server", "blocked", "logged in from") is
  still replaced.
- a Unix time (a bare ten-digit number of seconds since 1970, in the range of 2001-2038) where the
  text speaks of timestamps, read as a phone number: `unix_timestamp = 1633972405`.
- a value inside a placeholder of a template (`{{FTP_PROXY=http://40.50.60.5:4567}}` in a tldr
  page, where `{{…}}` means "put yours here"): an example to be replaced by the reader.
"""
from __future__ import annotations

import re

_NUMBER_KINDS = frozenset({"CREDIT_CARD", "US_SSN", "IN_AADHAAR", "PHONE", "US_BANK_NUMBER",
                           "US_ITIN", "IN_PAN", "IN_VOTER", "IN_PASSPORT"})
_NUMBER_LINE = re.compile(r"[ \t]*\d[\d \t.,;:|+*/=()\[\]-]*")
_GRID_LINES = 3
_SERVER = re.compile(r"(?i)\b(?:dns|nameservers?|resolvers?|resolve[sd]?|dig|nslookup|whois|host|hosts|hostname|"
                     r"traceroute|tracert|ping|ssh|scp|rsync|sftp|telnet|proxy|proxies|https?_proxy|ftp_proxy|"
                     r"servers?|gateway|curl|wget|nmap|nc|netcat|ncat|mtr|iperf3?|socket|connect|listen)\b|"
                     r"\b(?:A|AAAA)[ \t]*(?:=>|record)|[a-z0-9-]+\.[a-z]{2,}[ \t]*(?:>|=>|->)[ \t]*$")
_CLIENT = re.compile(r"(?i)\b(?:client|clients|visitor|visitors|customer|customers|logged|blocked|banned|"
                     r"attacker|my|our|your|his|her)\b|client_ip|remote_addr|"
                     r"\busers?(?:['’]s?)?[ \t_-]*(?:ip|address)\b|\bfrom[ \t]*$")
_TIME_WORD = re.compile(r"(?i)timestamp|epoch|unix[ _-]?time|\btime\.time\(|datetime|fromtimestamp|\bts\b")
_PHONE_WORD = re.compile(r"(?i)phone|mobile|\bmob\b|\bcell|call|contact|whatsapp|\btel\b|number|"
                         r"नंबर|फ़ोन|फोन|मोबाइल")
_URL_HOST = re.compile(r"[a-z][a-z0-9+.-]*://(?:[^\s/@]+@)?\[?$", re.I)   # http://52.66.14.9:8080/: a host
_URL = re.compile(r"https?://|\b[a-z0-9-]+\.(?:com|org|net|io|dev|info|at|dk|de)\b", re.I)


def machine_value(text: str, start: int, end: int, entity: str) -> bool:
    """Whether the span is a grid's number, a server's address or a template's example (module
    docstring)."""
    if entity in _NUMBER_KINDS and "\n" in text[start:end] and _in_grid(text, start, end):
        return True
    if entity == "IP_ADDRESS" and _server_address(text, start, end):
        return True
    if entity == "PHONE" and _epoch_seconds(text, start, end):
        return True
    return _in_template_slot(text, start, end)


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    s = text.rfind("\n", 0, start) + 1
    e = text.find("\n", end)
    return s, len(text) if e < 0 else e


def _in_grid(text: str, start: int, end: int) -> bool:
    s, e = _line_bounds(text, start, end)
    s = text.rfind("\n", 0, max(s - 1, 0)) + 1 if s else s          # one line before
    e2 = text.find("\n", e + 1) if e < len(text) else -1              # one line after
    lines = text[s:len(text) if e2 < 0 else e2].split("\n")
    return sum(bool(_NUMBER_LINE.fullmatch(line)) for line in lines) >= _GRID_LINES


def _server_address(text: str, start: int, end: int) -> bool:
    s, e = _line_bounds(text, start, end)
    before, after = text[s:start], text[end:e]
    if _CLIENT.search(before + " " + after):
        return False
    if _SERVER.search(before) or _SERVER.search(after) or _URL_HOST.search(before):
        return True
    return before.lstrip().startswith("|") and bool(_URL.search(after))   # | 84.200.69.80 | [dns.watch](…) |


def _epoch_seconds(text: str, start: int, end: int) -> bool:
    """A bare ten-digit number from 1,000,000,000 to 2,147,483,647 (2001 to 2038 in Unix time) where
    the text around it speaks of timestamps: `unix_timestamp = 1633972405` is a time."""
    value = text[start:end]
    return (value.isdigit() and 10**9 <= int(value) < 2**31
            and not _PHONE_WORD.search(text, max(0, start - 40), start)   # "Customer phone: 1698765432"
            and bool(_TIME_WORD.search(text, max(0, start - 200), min(len(text), end + 200))))


def _in_template_slot(text: str, start: int, end: int) -> bool:
    s, e = _line_bounds(text, start, end)
    before, after = text[s:start], text[end:e]
    opened = before.rfind("{{")
    return opened >= 0 and before.rfind("}}") < opened and "}}" in after.split("{{")[0]
