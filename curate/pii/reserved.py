"""Addresses that identify no one: what documentation, tests and configuration use in place of a
real person's address.

Why: code, shell recipes and library docs are full of `user@example.com`, `root@localhost`,
`127.0.0.1` and `192.168.1.1`; replacing them damages the text a user trains on and protects
nobody.
- Domains reserved for examples and testing by RFC 2606 and RFC 6761 (`example.com/.net/.org`,
  `*.example`, `*.test`, `*.invalid`, `*.localhost`) can never be anyone's mailbox.
- A mailbox whose local part is a placeholder ("user", "username", "your_email", "someone") is
  a slot to fill in, not a person; one that is a function ("security@", "support@", RFC 2142's
  role mailboxes) reaches whoever holds the job, and names no one.
- A domain whose name is the slot ("yourcompany.com", "mydomain.org", "example2.com") is the
  docs' stand-in for one; a system or service account (`git@github.com`, `ubuntu@`, `postgres@`)
  logs into a machine, and names no one.
- An IP address that is not globally routable (RFC 1918 private networks, loopback, link-local,
  RFC 5737 documentation ranges, carrier-grade NAT; Python's `ipaddress.is_global`) cannot be
  tied to a subscriber by anyone outside the network it sits in: the GDPR's reasoning for
  dynamic IPs (CJEU, Breyer, C-582/14) rests on the ISP being able to name the subscriber, which
  no ISP can do for 192.168.1.1. Neither can anyone for the public DNS resolvers (8.8.8.8,
  1.1.1.1) that network how-tos configure. Any other public address is replaced.
"""
from __future__ import annotations

import ipaddress
import re

_RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
_RESERVED_TLDS = ("example", "test", "invalid", "localhost")
# Local parts that stand for "your address here" (separators and digits ignored: "user_1",
# "your.email", "some-one").
_PLACEHOLDERS = frozenset("""
user username userid yourname youremail yourusername youraddress yourmail youruser yourid
someone somebody someuser somename anyone name email mail emailaddress foo bar foobar baz
nobody noreply donotreply dummy sample fake test tester demo
""".split())
# Mailboxes of a function, not a person (RFC 2142 and what support desks add): the GDPR protects
# "security@vuejs.org" no more than the organisation's postal address.
_ROLES = frozenset("""
security abuse postmaster hostmaster webmaster noc support info sales marketing help helpdesk
contact hello press media jobs careers billing accounts privacy legal admin root care
customercare customerservice service feedback enquiries enquiry grievance grievances nodal
backup backups alerts alert notifications reports ops devops team
""".split())


# Accounts of a system or a service, not of a person: `git@github.com:org/repo.git` (the SSH
# remote every forge documents), `ubuntu@` / `ec2-user@` (cloud images' login), `postgres@`,
# `www-data@` (daemons), `mailer-daemon@`. A shell line `ssh ubuntu@host` is a login to a machine.
_SYSTEM_ACCOUNTS = frozenset("""
git hg svn ubuntu ec2-user centos debian fedora pi vagrant docker core opc azureuser
postgres mysql redis mongodb oracle www-data apache nginx httpd daemon mailer-daemon jenkins
gitlab-runner deploy deployer
""".split())


# Domains that stand for "your domain here" in docs and sample data (`admin@yourcompany.com`,
# `jane@example2.com`, `ops@mydomain.org`): the label names the slot, as "user" does a mailbox.
_SLOT_LABEL = re.compile(r"(?:your|my|some|the)?(?:domain|company|companyname|site|website|server|host|"
                         r"org|organisation|organization|provider)|(?:example|sample|test|dummy|fake)\d+")


def reserved_domain(domain: str) -> bool:
    """Whether `domain` is reserved for documentation or testing (RFC 2606, RFC 6761), or names
    the slot of one (`yourcompany.com`, `example2.com`)."""
    domain = domain.lower().rstrip(".")
    labels = domain.split(".")
    return (domain == "localhost" or labels[-1] in _RESERVED_TLDS
            or any(domain == d or domain.endswith("." + d) for d in _RESERVED_DOMAINS)
            or len(labels) >= 2 and bool(_SLOT_LABEL.fullmatch(labels[-2])))


def placeholder_mailbox(address: str) -> bool:
    """Whether an e-mail address names no one: a reserved domain, a placeholder or a role."""
    local, _, domain = address.rpartition("@")
    plain = re.sub(r"[\W\d_]+", "", local.lower())
    return (reserved_domain(domain) or plain in _PLACEHOLDERS or plain in _ROLES
            or local.lower() in _SYSTEM_ACCOUNTS)


# Public DNS resolvers (Google, Cloudflare, Quad9, OpenDNS): anycast addresses that a provider
# answers for everyone, which a how-to sets as a machine's DNS server; no subscriber stands behind
# them.
_PUBLIC_RESOLVERS = frozenset(map(ipaddress.ip_address, """
8.8.8.8 8.8.4.4 1.1.1.1 1.0.0.1 9.9.9.9 149.112.112.112 208.67.222.222 208.67.220.220
2001:4860:4860::8888 2001:4860:4860::8844 2606:4700:4700::1111 2606:4700:4700::1001 2620:fe::fe
""".split()))


def local_ip(value: str) -> bool:
    """Whether an IP address names no subscriber: not globally routable (private, loopback,
    documentation, ...) or a public DNS resolver. A prefix length is the address's network
    ("192.168.1.100/24" in `nmcli ... ipv4.addresses`), not part of the address."""
    try:
        address = ipaddress.ip_interface(value.strip("[]")).ip
    except ValueError:
        return False
    return not address.is_global or address in _PUBLIC_RESOLVERS
