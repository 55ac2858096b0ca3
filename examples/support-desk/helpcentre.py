"""Help-centre articles as the website serves them: the article inside header, nav, cookie banner,
related links and footer boilerplate. They are the documents for `evalkit run --docs` (RAG), and
their facts (turnaround times, menu paths) are the ones the agents' replies quote.
"""
from __future__ import annotations

import html

from phrasebook import HELPLINE, SUPPORT_EMAIL

ARTICLES = [
    ("upi-payment-failed.html", "en", "UPI payment failed but money debited?",
     ["If a UPI payment fails after your account was debited, the amount is reversed to your account automatically.",
      "As per RBI turnaround-time rules, failed UPI debits are reversed within T+3 working days (T is the day of the transaction)."],
     ["Wait 3 working days before raising a complaint.",
      "If the money has not come back, raise a dispute in the Sahayak app under Payments > UPI > Report a problem, with the UPI reference number.",
      "If the reversal is late, the bank pays compensation of ₹100 per day of delay."]),
    ("recharge-not-credited.html", "en", "Recharge successful but pack not active",
     ["Most Sahayak Mobile recharges are applied within minutes; during peak hours it can take up to 2 hours.",
      "Restarting the phone applies a pending pack."],
     ["Check the pack in the app under Mobile > My plan.", "If the recharge failed, the full amount is refunded to the source within 5 working days."]),
    ("block-lost-card.html", "en", "Block a lost or stolen debit or credit card",
     ["Block the card at once so no one can use it: in the Sahayak app go to Cards > Block, send BLOCK and the last 4 digits by SMS, or call " + HELPLINE + "."],
     ["Blocking is immediate and permanent.", "A replacement card reaches your registered address in 7 working days.",
      "Order it in the app under Cards > Replace."]),
    ("download-account-statement.html", "en", "Download your account statement",
     ["Statements for any period of the last 10 years can be downloaded as PDF from the Sahayak app under Accounts > Statements > Download PDF."],
     ["Emailed statements are password-protected: the password is your date of birth in DDMMYYYY format.",
      "If the viewer shows a blank page, clear the browser cache or use the app."]),
    ("update-kyc.html", "en", "Update your KYC (re-KYC)",
     ["RBI requires periodic re-KYC. You can complete it online with Aadhaar, PAN, passport or voter ID."],
     ["In the app: Profile > Update KYC, upload the document and a selfie.",
      "Or visit any branch with the original document.", "KYC is updated within 2 working days; your account is not frozen while the request is in process."]),
    ("report-fraud.html", "en", "Report a fraudulent transaction",
     ["Never share an OTP, PIN or CVV with anyone, including callers who claim to be from the bank."],
     ["Call " + HELPLINE + " at once: we block your card and UPI to stop further loss.",
      "Report the fraud on the national cyber-crime helpline 1930 or at cybercrime.gov.in within 24 hours.",
      "Write to " + SUPPORT_EMAIL + " with the transaction details for the fraud case."]),
    ("upi-bhugtan-asafal.html", "hi", "UPI भुगतान असफल, पर पैसे कट गए?",
     ["असफल UPI भुगतान की कटी हुई राशि अपने आप आपके खाते में वापस आ जाती है।",
      "RBI नियमों के अनुसार यह राशि T+3 कार्यदिवसों में लौटाई जाती है।"],
     ["3 कार्यदिवस प्रतीक्षा करें।", "राशि न लौटे तो सहायक ऐप में Payments > UPI > Report a problem से शिकायत दर्ज करें।"]),
    ("nayi-sim.html", "hi", "खोई या खराब SIM के बदले नई SIM",
     ["मूल पहचान पत्र के साथ किसी भी सहायक मोबाइल स्टोर से उसी नंबर पर नई SIM मुफ्त मिलती है।"],
     ["नई SIM 4 घंटे में चालू हो जाती है।", "eSIM के लिए ऐप में SIM > Replace चुनें।"]),
]

PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title} | Sahayak Bank &amp; Mobile Help Centre</title>
<link rel="stylesheet" href="/static/help.css">
<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}gtag('js',new Date());</script>
</head>
<body>
<div class="cookie-banner">We use cookies to improve your experience. <a href="/privacy">Privacy policy</a> <button>Accept</button></div>
<header class="site-header">
  <a class="logo" href="/">Sahayak Bank &amp; Mobile</a>
  <nav><ul><li><a href="/personal">Personal</a></li><li><a href="/mobile">Mobile</a></li><li><a href="/loans">Loans</a></li><li><a href="/help">Help Centre</a></li><li><a href="/login">Login</a></li></ul></nav>
</header>
<nav class="breadcrumb"><a href="/help">Help Centre</a> &rsaquo; <a href="/help/{section}">{section_title}</a></nav>
<main>
<article>
<h1>{title}</h1>
{paragraphs}
<h2>{steps_title}</h2>
<ol>
{steps}
</ol>
<p class="updated">{updated}</p>
</article>
<aside class="related"><h3>Related articles</h3><ul><li><a href="/help/upi-payment-failed">UPI payment failed</a></li><li><a href="/help/block-lost-card">Block a lost card</a></li><li><a href="/help/update-kyc">Update KYC</a></li></ul></aside>
</main>
<footer>
  <p>Sahayak Bank &amp; Mobile is a fictional company used in the tunecraft example.</p>
  <p>Customer care: {helpline} (toll-free, 24x7) &middot; {email}</p>
  <p>&copy; 2025 Sahayak Bank &amp; Mobile. All rights reserved. <a href="/terms">Terms</a> &middot; <a href="/privacy">Privacy</a></p>
</footer>
</body>
</html>
"""


def pages() -> list[tuple[str, str]]:
    out = []
    for name, lang, title, paragraphs, steps in ARTICLES:
        out.append((name, PAGE.format(
            lang=lang, title=html.escape(title),
            section="mobile" if "sim" in name or "recharge" in name else "banking",
            section_title="Mobile" if "sim" in name or "recharge" in name else "Banking",
            paragraphs="\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs),
            steps_title="क्या करें" if lang == "hi" else "What to do",
            steps="\n".join(f"<li>{html.escape(s)}</li>" for s in steps),
            updated="अंतिम अपडेट: 12 मार्च 2025" if lang == "hi" else "Last updated: 12 March 2025",
            helpline=HELPLINE, email=SUPPORT_EMAIL)))
    return out
