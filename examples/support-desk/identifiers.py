"""Fake but checksum-valid identifiers for planting PII, and look-alikes that fail the checksum.

The pii pass is only tested honestly if the planted values pass the same validation a real
recogniser applies (Luhn for cards, Verhoeff for Aadhaar, ISO 7064 mod 97 for IBAN, the GSTIN
mod-36 check character), and if the look-alikes (order numbers, UPI reference numbers) fail it.
"""
from __future__ import annotations

import random
import string

_VERHOEFF_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_VERHOEFF_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]
_VERHOEFF_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]
_GSTIN_CHARS = string.digits + string.ascii_uppercase


def verhoeff_valid(number: str) -> bool:
    c = 0
    for i, digit in enumerate(reversed(number)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[i % 8][int(digit)]]
    return c == 0


def verhoeff_check_digit(payload: str) -> str:
    c = 0
    for i, digit in enumerate(reversed(payload)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[(i + 1) % 8][int(digit)]]
    return str(_VERHOEFF_INV[c])


def luhn_valid(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def luhn_check_digit(payload: str) -> str:
    return next(str(d) for d in range(10) if luhn_valid(payload + str(d)))


def iban_valid(iban: str) -> bool:
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def iban_with_check(country: str, bban: str) -> str:
    moved = bban + country + "00"
    check = 98 - int("".join(str(int(ch, 36)) for ch in moved)) % 97
    return f"{country}{check:02d}{bban}"


def gstin_check_char(first14: str) -> str:
    """GSTIN check character: mod-36 weighted sum with alternating factors 1 and 2."""
    total = 0
    for i, ch in enumerate(first14):
        product = _GSTIN_CHARS.index(ch) * (2 if i % 2 else 1)
        total += product // 36 + product % 36
    return _GSTIN_CHARS[(36 - total % 36) % 36]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _letters(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.ascii_uppercase) for _ in range(n))


def _group(number: str, size: int, sep: str) -> str:
    return sep.join(number[i:i + size] for i in range(0, len(number), size))


# --- PII values (each takes the generator's seeded rng) ------------------------------------
FIRST_NAMES = ["Priya", "Rohit", "Ananya", "Vikram", "Sneha", "Arjun", "Kavita", "Imran", "Meera",
               "Sandeep", "Farah", "Rajesh", "Lakshmi", "Harpreet", "Deepak", "Nisha"]
SURNAMES = ["Raghavan", "Verma", "Iyer", "Chatterjee", "Kulkarni", "Sheikh", "Nair", "Gill",
            "Patel", "Deshmukh", "Bose", "Reddy", "Malhotra", "Khan", "Joshi", "Pillai"]
DEVANAGARI_NAMES = ["राहुल शर्मा", "सुनीता यादव", "अमित त्रिपाठी"]
PLACES = ["Indiranagar, Bengaluru", "Kothrud, Pune", "Salt Lake, Kolkata", "Andheri East, Mumbai",
          "Gomti Nagar, Lucknow", "Banjara Hills, Hyderabad", "Anna Nagar, Chennai",
          "Karol Bagh, New Delhi"]
DEVANAGARI_PLACES = ["कोथरूड, पुणे", "गोमती नगर, लखनऊ", "करोल बाग, नई दिल्ली"]
EMAIL_DOMAINS = ["gmail.com", "yahoo.co.in", "rediffmail.com", "outlook.com", "hotmail.com"]
UPI_HANDLES = ["okaxis", "okhdfcbank", "oksbi", "ybl", "paytm", "ibl"]
VEHICLES = ["MH12AB1234", "KA05MN4321", "DL3CAF5031", "TN09BX7788", "UP32HK1020", "GJ01RT6650",
            "MH14GH0987", "KA03NP2219", "HR26DQ5512"]


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def email(rng: random.Random) -> str:
    first, last = rng.choice(FIRST_NAMES).lower(), rng.choice(SURNAMES).lower()
    local = rng.choice([f"{first}.{last}", f"{first}{last[:1]}{rng.randint(10, 99)}",
                        f"{first}_{last}{rng.randint(1980, 2004)}"])
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"


def mobile(rng: random.Random) -> str:
    """An Indian mobile number in one of the shapes customers type."""
    number = rng.choice("6789") + _digits(rng, 9)
    shapes = [f"+91 {number[:5]} {number[5:]}", f"{number[:5]}-{number[5:]}", number,
              f"+91-{number}", f"0{number[:5]} {number[5:]}"]
    return rng.choice(shapes)


def credit_card(rng: random.Random) -> str:
    payload = rng.choice(["4", "5" + rng.choice("12345"), "6521"])
    payload += _digits(rng, 15 - len(payload))
    return _group(payload + luhn_check_digit(payload), 4, rng.choice([" ", "-", ""]))


def iban(rng: random.Random) -> str:
    country, bban = rng.choice([("GB", lambda: _letters(rng, 4) + _digits(rng, 14)),
                                ("DE", lambda: _digits(rng, 18)),
                                ("AE", lambda: _digits(rng, 19))])
    return iban_with_check(country, bban())


def ip_address(rng: random.Random) -> str:
    return f"{rng.choice([49, 103, 117, 157, 182])}.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"


def us_ssn(rng: random.Random) -> str:
    return f"{rng.randint(101, 665):03d}-{rng.randint(10, 99):02d}-{rng.randint(1001, 9899):04d}"


def aadhaar(rng: random.Random) -> str:
    while True:
        payload = rng.choice("23456789") + _digits(rng, 10)
        number = payload + verhoeff_check_digit(payload)
        if number != number[::-1]:
            return _group(number, 4, rng.choice([" ", ""]))


def pan(rng: random.Random) -> str:
    return _letters(rng, 3) + "P" + _letters(rng, 1) + _digits(rng, 4) + _letters(rng, 1)


def upi_id(rng: random.Random) -> str:
    first = rng.choice(FIRST_NAMES).lower()
    local = rng.choice([f"{first}{rng.randint(1, 999)}", f"{first}.{rng.choice(SURNAMES).lower()}",
                        rng.choice("6789") + _digits(rng, 9)])
    return f"{local}@{rng.choice(UPI_HANDLES)}"


def ifsc(rng: random.Random) -> str:
    return rng.choice(["SBIN", "HDFC", "ICIC", "SHYK", "UTIB"]) + "0" + _digits(rng, 6)


def gstin(rng: random.Random) -> str:
    first14 = f"{rng.randint(1, 37):02d}" + _letters(rng, 3) + rng.choice("PCF") + _letters(rng, 1) \
        + _digits(rng, 4) + _letters(rng, 1) + rng.choice("123") + "Z"
    return first14 + gstin_check_char(first14)


def voter_id(rng: random.Random) -> str:
    return _letters(rng, 3) + _digits(rng, 7)


def passport(rng: random.Random) -> str:
    return rng.choice("JKLMNPRSTUVZ") + str(rng.randint(1, 9)) + _digits(rng, 5) + str(rng.randint(1, 9))


def vehicle(rng: random.Random) -> str:
    return rng.choice(VEHICLES)


# --- look-alikes that are NOT personal data ------------------------------------------------
def reference_12(rng: random.Random) -> str:
    """A 12-digit UPI/order reference: fails Verhoeff (not an Aadhaar number) and Luhn (12 digits
    is a possible Maestro card length, so a Luhn-valid one would be a fair card detection)."""
    while True:
        number = rng.choice("2345") + _digits(rng, 11)
        if not verhoeff_valid(number) and not luhn_valid(number):
            return number


def reference_16(rng: random.Random) -> str:
    """A 16-digit complaint reference in groups of 4 that fails Luhn (not a card number), and whose
    12-digit windows at group boundaries fail Verhoeff (so no "dddd dddd dddd" inside is Aadhaar)."""
    while True:
        number = "77" + _digits(rng, 14)
        if not luhn_valid(number) and not verhoeff_valid(number[:12]) and not verhoeff_valid(number[4:]):
            return _group(number, 4, " ")
