"""The phrasebook of the fictional "Sahayak Bank & Mobile" help desk: what customers write and how
agents answer, per intent and language, as templates with `{slot}` fields.

Languages: "en" English, "hi" Hindi in Devanagari, "hl" Hinglish (romanised Hindi mixed with
English, typed the way customers type it: no diacritics, "plz", "kr do", English nouns).
Replies are deliberately formulaic (a few templates per intent, slot values copied from the
ticket) so that a fine-tuned model can learn them and beat a zero-shot one.
"""
from __future__ import annotations

SUPPORT_EMAIL = "care@sahayakbank.in"      # the bank's own address: allow-listed in recipe.yaml
HELPLINE = "1800-266-0199"                 # toll-free helpline, appears in replies

SYSTEM_PROMPT = ("You are Sahayak, the support assistant of Sahayak Bank & Mobile. "
                 "Reply briefly and politely in the customer's language.")

# Share of traffic per intent (sums to 1): UPI failures dominate, fraud reports are rare.
INTENT_WEIGHTS = {
    "upi_payment_failed": 0.25, "recharge_not_credited": 0.15, "card_block": 0.12,
    "account_statement": 0.10, "kyc_update": 0.09, "network_issue": 0.08, "loan_emi": 0.07,
    "sim_replacement": 0.06, "bill_dispute": 0.05, "fraud_report": 0.03,
}
LANG_WEIGHTS = {"en": 0.5, "hl": 0.3, "hi": 0.2}

OPENERS = {
    "en": ["", "Hi,", "Hello team,", "Dear Sahayak support,", "Good morning,", "Hi there,",
           "Urgent:", "Sir/Madam,", "Hello,"],
    "hi": ["", "नमस्ते,", "नमस्कार,", "महोदय,", "सहायता चाहिए,", "जी,"],
    "hl": ["", "Hi,", "Hello sir,", "Namaste,", "Sir,", "hello team,", "bhai,"],
}
CLOSERS = {
    "en": ["", "Please help.", "Please resolve asap.", "Thanks.", "What should I do?",
           "This is the second time I am writing.", "Kindly look into it.", "Need an update today."],
    "hi": ["", "कृपया मदद करें।", "जल्दी समाधान करें।", "धन्यवाद।", "अब मैं क्या करूँ?",
           "दूसरी बार लिख रहा हूँ।"],
    "hl": ["", "plz help", "jaldi solve karo please", "kya karu ab?", "thanks", "urgent hai",
           "2 din ho gaye koi reply nahi aaya", "plz check kro"],
}

# Slot values (none of them personal data; PII is planted separately by make_data.py).
SLOTS = {
    "amount": ["₹250", "₹499", "₹750", "₹1,200", "₹1,499", "₹2,000", "₹3,250", "₹4,999",
               "₹5,000", "₹7,800", "₹12,000", "₹15,500", "₹340", "₹899", "₹2,750"],
    "plan": ["₹199", "₹239", "₹299", "₹349", "₹479", "₹599", "₹719", "₹839"],
    "app": ["PhonePe", "Google Pay", "Paytm", "the Sahayak app", "BHIM"],
    "merchant": ["a grocery store", "my landlord", "an electricity bill", "Swiggy", "a petrol pump",
                 "my friend", "a medical shop", "IRCTC"],
    "card": ["debit card", "credit card"],
    "period": ["last 3 months", "last 6 months", "April to June", "the last financial year",
               "January", "last month"],
    "doc": ["Aadhaar", "PAN", "passport", "voter ID"],
    "problem": ["no signal at home", "very slow 4G data", "calls dropping every few minutes",
                   "no internet after the recharge", "5G not showing on my phone"],
    "since": ["2", "3", "4", "5"],
    "loan": ["home loan", "personal loan", "car loan", "two-wheeler loan"],
    "emi": ["₹4,350", "₹8,900", "₹12,480", "₹2,199", "₹21,000", "₹6,725"],
    "month": ["March", "April", "May", "June", "July", "August"],
    "bill": ["₹1,180", "₹2,340", "₹899", "₹1,560", "₹3,020"],
    "reason": ["my phone was stolen", "the SIM is damaged", "I want to move to an eSIM",
                  'the SIM shows "No service"'],
}
# Per-language renderings of slots whose words differ by language.
SLOT_TRANSLATIONS = {
    "card": {"hi": {"debit card": "डेबिट कार्ड", "credit card": "क्रेडिट कार्ड"}},
    "loan": {"hi": {"home loan": "होम लोन", "personal loan": "पर्सनल लोन", "car loan": "कार लोन",
                    "two-wheeler loan": "टू-व्हीलर लोन"}},
    "period": {"hi": {"last 3 months": "पिछले 3 महीने", "last 6 months": "पिछले 6 महीने",
                      "April to June": "अप्रैल से जून", "the last financial year": "पिछला वित्त वर्ष",
                      "January": "जनवरी", "last month": "पिछला महीना"},
               "hl": {"last 3 months": "last 3 mahine", "last 6 months": "pichle 6 mahine",
                      "the last financial year": "last financial year", "last month": "pichla mahina"}},
    "month": {"hi": {"March": "मार्च", "April": "अप्रैल", "May": "मई", "June": "जून", "July": "जुलाई",
                     "August": "अगस्त"}},
    "merchant": {"hi": {"a grocery store": "किराना दुकान", "my landlord": "मकान मालिक",
                        "an electricity bill": "बिजली बिल", "a petrol pump": "पेट्रोल पंप",
                        "my friend": "दोस्त", "a medical shop": "मेडिकल स्टोर"},
                 "hl": {"a grocery store": "kirana store", "my landlord": "landlord",
                        "an electricity bill": "bijli bill", "a petrol pump": "petrol pump",
                        "my friend": "dost", "a medical shop": "medical shop"}},
    "app": {"hl": {"the Sahayak app": "Sahayak app"}, "hi": {"the Sahayak app": "सहायक ऐप"}},
}

# Customer messages. Every template of an intent uses the slots its replies use. "[a|b|c]" is a
# paraphrase choice drawn per ticket, so long word runs are rarely shared by two tickets (a shared
# 13-word run between a test and a train prompt is what the decontaminate pass calls a leak).
QUESTIONS = {
    "upi_payment_failed": {
        "en": ["[My|The] UPI [payment|transfer] of {amount} to {merchant} [failed|did not go through|shows failed] but [the money was debited from my account|my account was debited|the amount got deducted].",
               "UPI [transaction|payment] failed on {app}, {amount} [deducted|debited|cut from my account]. [UPI ref no|Reference|Ref number] {utr}.",
               "I [sent|paid|transferred] {amount} [via|using|through] {app} and it [shows failed|says failed|is showing failed], but my [balance is reduced|account was debited|money is gone].",
               "[Payment|My payment|UPI payment] of {amount} to {merchant} is [stuck as pending|still pending|showing pending] [since yesterday|for 2 days|since morning] and [the money is gone|my balance is lower|it was debited].",
               "{amount} [was debited|got deducted|was taken] for a UPI [payment|transfer] that failed. [Ref|UPI ref|Txn ref] {utr}. [When will I get it back?|When is the refund?|How long for the reversal?]"],
        "hi": ["मैंने {app} से {merchant} को {amount} का UPI [भुगतान|पेमेंट] किया, [भुगतान असफल हुआ|पेमेंट फेल हो गया] [पर|लेकिन] [पैसे कट गए।|खाते से राशि कट गई।]",
               "UPI [ट्रांजैक्शन|भुगतान] [फेल हो गया|असफल रहा] [लेकिन|पर] खाते से {amount} कट गए। [रेफरेंस नंबर|UPI रेफ नंबर] {utr} है।",
               "{amount} का UPI [भुगतान|पेमेंट] [पेंडिंग दिखा रहा है|अटका हुआ है] और [पैसा खाते से निकल गया है।|राशि कट चुकी है।]",
               "{app} पर {amount} [भेजे थे|ट्रांसफर किए], [फेल दिखा रहा है|असफल बता रहा है] [पर|लेकिन] [बैलेंस कम हो गया।|पैसे कट गए।]"],
        "hl": ["mera UPI [payment|transfer] {amount} ka [fail ho gaya|failed dikha raha] [but|par|lekin] [paisa account se kat gaya|amount debit ho gaya]",
               "{app} se {merchant} ko {amount} [bheje|transfer kiye], [failed dikha raha hai|fail bata raha] par [amount debit ho gaya|paise kat gaye]. [ref no|UTR] {utr}",
               "UPI [txn|payment] fail hua {amount} ka, [paise kab wapas aayenge?|refund kab milega?|paisa kab aayega?]",
               "{amount} ka [payment|UPI] [pending me atka hai|pending dikha raha] [kal se|2 din se|subah se], [account se paisa chala gaya|paise kat chuke hai]"],
    },
    "recharge_not_credited": {
        "en": ["I recharged my [Sahayak Mobile number|prepaid number|number] with the {plan} plan but the [pack|plan] is not [active|activated] yet.",
               "Did a {plan} recharge [through|on|using] {app}, [money deducted|amount debited|paid] but [no data or validity added|the pack is not showing|nothing got added].",
               "{plan} recharge [successful as per|shows success on|is marked done in] {app}, but my [balance still shows the old plan|plan has not changed|data is not added].",
               "[Recharge|My recharge|Prepaid recharge] of {plan} [not credited to my number|not received|not reflecting] even after [3 hours|half a day|a whole night]."],
        "hi": ["मैंने {plan} का रिचार्ज किया [लेकिन|पर] [प्लान अभी तक चालू नहीं हुआ।|पैक नहीं मिला।|वैलिडिटी नहीं बढ़ी।]",
               "{app} से {plan} का रिचार्ज किया, [पैसे कट गए|राशि कट गई] [पर|लेकिन] [डेटा नहीं मिला।|प्लान नहीं आया।]",
               "{plan} वाला रिचार्ज [मेरे प्रीपेड नंबर पर|नंबर पर] [नहीं आया।|क्रेडिट नहीं हुआ।] [3 घंटे हो गए।|कल से इंतज़ार है।|]"],
        "hl": ["{plan} ka recharge kiya tha par [plan activate nahi hua|pack nahi aaya|validity nahi badhi] [abhi tak|ab tak|]",
               "{app} se {plan} recharge kiya, [paise kat gaye|amount debit ho gaya] [but|par] [data nahi aaya|plan nahi mila]",
               "mere number pe {plan} wala recharge [credit nahi hua|nahi aaya], [3 ghante ho gaye|kal se wait kar raha|subah se]",
               "recharge {plan} ka [successful dikha raha|success bata raha] but [validity same hai|data add nahi hua]"],
    },
    "card_block": {
        "en": ["I [lost|have lost|misplaced] my {card} ending {last4}, please block it [immediately|right away|now].",
               "My [wallet|bag|purse] was stolen with my Sahayak {card} (last 4 digits {last4}). [Block the card.|Please block it.|Stop all transactions.]",
               "Please block my {card} ending with {last4}, I [can't find it anywhere|think I dropped it|left it somewhere].",
               "Someone may have [copied|skimmed|cloned] my {card} {last4} at an ATM, I want it [blocked now|blocked immediately|stopped]."],
        "hi": ["मेरा {card} खो गया है, [आखिरी|अंतिम] चार अंक {last4} हैं, [कृपया तुरंत ब्लॉक करें।|अभी बंद कर दीजिए।]",
               "मेरा [बटुआ|पर्स|बैग] चोरी हो गया, उसमें {card} था जिसके अंतिम अंक {last4} हैं। [कार्ड बंद करें।|ब्लॉक कर दीजिए।]",
               "{last4} पर खत्म होने वाला मेरा {card} [ब्लॉक कर दीजिए।|तुरंत बंद करें।] [मिल नहीं रहा।|शायद गिर गया।|]"],
        "hl": ["mera {card} [kho gaya hai|gum ho gaya], last 4 digit {last4}, [turant block karo|abhi block kar do]",
               "[wallet|purse|bag] chori ho gaya, usme {card} tha ending {last4}, [block kar do plz|jaldi block karo]",
               "{card} {last4} wala block karna hai, [mil nahi raha|kahin gir gaya]"],
    },
    "account_statement": {
        "en": ["I need my [savings account|bank|account] statement for {period} [as a PDF|in PDF format|as a file].",
               "Please [email|send|mail] me the account statement for {period} for my [visa application|loan application|tax filing].",
               "How [can|do] I download the bank statement for {period}? [The app keeps failing.|I can't find the option.|]",
               "Send the statement of {period}, the [app download|download option|website] is not working."],
        "hi": ["मुझे {period} का खाता विवरण (स्टेटमेंट) [PDF में चाहिए।|चाहिए।] [वीज़ा के लिए ज़रूरी है।|लोन के लिए चाहिए।|]",
               "{period} का बैंक स्टेटमेंट [ईमेल पर भेज दीजिए।|मेल कर दीजिए।]",
               "{period} का स्टेटमेंट [कैसे डाउनलोड करें?|कहाँ से डाउनलोड होगा?] [ऐप में एरर आ रहा है।|]"],
        "hl": ["mujhe {period} ka account statement chahiye [pdf me|pdf format me|]",
               "{period} ka statement mail kar do [visa ke liye chahiye|loan ke liye chahiye|ITR ke liye]",
               "{period} ka [bank|account] statement download kaise karu? [app me error aa raha|option nahi mil raha]"],
    },
    "kyc_update": {
        "en": ["[My account|The app|Net banking] [shows|says] KYC [pending|incomplete|due]. How [do|can|should] I [update it|complete it|finish it] with my {doc}?",
               "[I got an SMS|An SMS came|I received a message] that my account will be [frozen|blocked|restricted] [unless I complete|if I don't do|without] re-KYC. [Can I use|Is it okay to give|Will you accept] my {doc}?",
               "[Want|I want|Need] to [update|change|refresh] my KYC [details|documents|records] with a new {doc}, [what is the process?|what are the steps?|how?]"],
        "hi": ["[मेरे खाते में|ऐप में|नेट बैंकिंग में] KYC [पेंडिंग|अधूरा] [दिखा रहा है|बता रहा है], {doc} से [कैसे अपडेट करूँ?|KYC कैसे होगा?]",
               "re-KYC का [SMS|मैसेज] आया है, क्या मैं {doc} से [KYC पूरा कर सकता हूँ?|re-KYC कर सकता हूँ?|काम चला सकता हूँ?]",
               "नया {doc} से KYC अपडेट करना है, [प्रक्रिया क्या है?|क्या करना होगा?]"],
        "hl": ["KYC [pending|incomplete] [dikha raha hai|bata raha] [account me|app me], {doc} se [update kaise karu|kaise hoga]",
               "re-KYC ka sms aaya hai, {doc} [de sakte hai kya?|chalega kya?]",
               "{doc} se KYC update karna hai, [process batao|kya karna padega]"],
    },
    "network_issue": {
        "en": ["Facing {problem} for the last {since} days [on my Sahayak Mobile number|at home|in my area].",
               "{problem} for {since} days now. I have [restarted the phone many times|tried another handset|reset network settings].",
               "There is {problem} since {since} days, please [fix the network|check the tower|do something]."],
        "hi": ["पिछले {since} दिनों से [नेटवर्क|सिग्नल] नहीं आ रहा, [कॉल भी कट जाती है।|बात नहीं हो पाती।]",
               "{since} दिन से इंटरनेट बहुत धीमा है, [फोन रीस्टार्ट करके देख लिया।|दूसरा फोन भी आज़माया।]",
               "मेरे सहायक मोबाइल नंबर पर {since} दिन से [सिग्नल नहीं है।|नेटवर्क गायब है।]"],
        "hl": ["{since} din se network nahi aa raha [ghar pe|office me], [call bhi drop ho rahi|baat nahi ho pa rahi]",
               "net bahut slow hai {since} din se, [phone restart bhi kiya|dusra phone bhi try kiya]",
               "{since} din se signal gayab hai, [kya issue hai?|kab theek hoga?]"],
    },
    "loan_emi": {
        "en": ["My {loan} EMI of {emi} for {month} was [debited twice|deducted two times|charged twice].",
               "I want to know the {loan} EMI date, {emi} was not [deducted|debited] this {month}.",
               "Can I [prepay|foreclose|part-pay] my {loan}? The EMI is {emi} and I [want|plan|would like] to close it after {month}."],
        "hi": ["मेरे {loan} की {month} की {emi} की EMI [दो बार कट गई।|दोबारा कट गई।]",
               "{month} में {loan} की {emi} EMI नहीं कटी, [अब क्या करना है?|पेनल्टी लगेगी क्या?]",
               "{loan} का प्रीपेमेंट करना है, EMI {emi} है, {month} के बाद बंद करना है।"],
        "hl": ["{loan} ki EMI {emi} {month} me [do baar kat gayi|double deduct ho gayi]",
               "{month} ki EMI {emi} deduct nahi hui {loan} ki, [penalty lagega kya?|ab kya karu?]",
               "{loan} prepay karna hai, EMI {emi} hai, {month} ke baad close karna hai"],
    },
    "sim_replacement": {
        "en": ["I need a [replacement|new] SIM because {reason}.",
               "How [do|can] I get a [new|replacement|fresh] SIM on [the same|my existing|my old] number? {reason}.",
               "Please help with SIM replacement, {reason}."],
        "hi": ["मेरा [फोन|मोबाइल] [चोरी हो गया है|खो गया है], उसी नंबर पर [नई|दूसरी] SIM [चाहिए।|कैसे मिलेगी?]",
               "SIM खराब हो गई है, [नई SIM कैसे मिलेगी?|बदलवानी है।]",
               "मुझे eSIM पर [शिफ्ट होना है|जाना है], क्या करना होगा?",
               "SIM में [नो सर्विस|नेटवर्क नहीं] [आ रहा है|दिखा रहा है], [नई SIM चाहिए।|बदलनी है।]"],
        "hl": ["[phone|mobile] [chori ho gaya|kho gaya], [same|wahi] number pe nayi SIM [chahiye|kaise milegi]",
               "SIM damage ho gayi hai, [replacement kaise milega|nayi kaise milegi]",
               "eSIM pe shift karna hai, [kya process hai|kaise hoga]",
               "SIM me [no service|network nahi] [aa raha|dikha raha], [nayi SIM chahiye|replace karna hai]"],
    },
    "bill_dispute": {
        "en": ["My postpaid bill for {month} is {bill}, which is [much higher than my plan|way more than usual|not what I expected].",
               "I was charged {bill} in the {month} bill for [roaming I never used|international calls I never made|a service I never subscribed to].",
               "Wrong amount in my {month} postpaid bill: {bill}. [Please correct it.|Fix it please.|Send a revised bill.]"],
        "hi": ["मेरा {month} का पोस्टपेड बिल {bill} आया है जो [प्लान से बहुत ज़्यादा है।|हमेशा से ज़्यादा है।]",
               "{month} के बिल में {bill} का गलत चार्ज लगा है। [रोमिंग इस्तेमाल ही नहीं की।|ठीक करें।]"],
        "hl": ["{month} ka postpaid bill {bill} aaya hai, [plan se bahut zyada hai|itna kabhi nahi aata]",
               "bill me {bill} extra charge laga {month} me, [roaming use hi nahi kiya|ye service li hi nahi]",
               "{month} ka bill {bill} galat hai, [correct karo|theek karke bhejo]"],
    },
    "fraud_report": {
        "en": ["Someone called [pretending to be from the bank|claiming to be my bank|as bank staff], I shared an OTP and {amount} was taken.",
               "I clicked a [KYC|reward|bill payment] link in an [SMS|email|WhatsApp message] and {amount} was [debited|taken] without my [consent|permission].",
               "[Unauthorised|Fraud|Unknown] transaction of {amount} on my account [just now|this morning|last night]. I did not [do it|make it|authorise it]."],
        "hi": ["[बैंक के नाम से|बैंक अधिकारी बनकर] [फोन|कॉल] आया, मैंने OTP [बता दिया|दे दिया] और {amount} कट गए।",
               "मेरे खाते से {amount} का [अनधिकृत लेनदेन|फ्रॉड ट्रांजैक्शन] हुआ है, मैंने नहीं किया।"],
        "hl": ["bank [ke naam se|wala banke] [call|phone] aaya, OTP [bata diya|de diya] aur {amount} [kat gaye|nikal gaye]",
               "[sms|whatsapp] me link pe click kiya aur {amount} [debit ho gaye|kat gaye], maine [nahi kiya|koi payment nahi kiya]",
               "mere account se {amount} ka [fraud|unknown] transaction hua [abhi|aaj subah|raat ko]"],
    },
}

# Agent replies: a few templates per intent and language; slots copied from the ticket.
REPLIES = {
    "upi_payment_failed": {
        "en": ["We're sorry your UPI payment of {amount} did not go through. A failed UPI debit is reversed to your account automatically within 3 working days; if it is not, reply here and we will raise a dispute.",
               "Sorry for the trouble with your {amount} UPI payment. As per RBI rules a failed UPI debit is auto-reversed within T+3 working days, so no action is needed from you yet."],
        "hi": ["असुविधा के लिए खेद है। आपकी {amount} की असफल UPI राशि 3 कार्यदिवसों में अपने आप आपके खाते में वापस आ जाएगी।",
               "हमें खेद है कि {amount} का UPI भुगतान पूरा नहीं हुआ। RBI नियमों के अनुसार यह राशि T+3 कार्यदिवसों में लौट आएगी; न आए तो यहीं जवाब दें।"],
        "hl": ["Sorry for the inconvenience. Aapke {amount} ke failed UPI payment ka paisa 3 working days me automatically account me wapas aa jayega.",
               "{amount} ka UPI payment fail hone ka humein khed hai. RBI rules ke hisaab se amount T+3 working days me reverse ho jayega, nahi aaye to yahin reply karein."],
    },
    "recharge_not_credited": {
        "en": ["Sorry about the delay with your {plan} recharge. The pack usually activates within 2 hours; if it still isn't active, restart your phone and it will be applied, otherwise the amount is refunded in 5 working days.",
               "We've checked your {plan} recharge: it is queued and will be credited to your number within 2 hours. If it fails, the full amount is refunded to the source within 5 working days."],
        "hi": ["{plan} के रिचार्ज में देरी के लिए खेद है। पैक 2 घंटे में चालू हो जाएगा; ऐसा न होने पर राशि 5 कार्यदिवसों में वापस कर दी जाएगी।",
               "आपका {plan} का रिचार्ज प्रक्रिया में है और 2 घंटे में नंबर पर दिख जाएगा। असफल होने पर पूरी राशि 5 कार्यदिवसों में लौटा दी जाएगी।"],
        "hl": ["{plan} recharge me delay ke liye sorry. Pack 2 ghante me activate ho jayega, warna amount 5 working days me refund ho jayega.",
               "Aapka {plan} ka recharge process me hai, 2 ghante me number pe credit ho jayega. Fail hua to poora amount 5 working days me wapas aa jayega."],
    },
    "card_block": {
        "en": ["Your {card} ending {last4} has been blocked with immediate effect. A replacement card will reach your registered address in 7 working days.",
               "Done — we have hot-listed the {card} ending {last4}, so no further transactions can go through. You can order a new card from the Sahayak app under Cards > Replace."],
        "hi": ["आपका {last4} पर खत्म होने वाला {card} तुरंत प्रभाव से ब्लॉक कर दिया गया है। नया कार्ड 7 कार्यदिवसों में आपके पंजीकृत पते पर पहुँच जाएगा।",
               "{last4} वाला {card} ब्लॉक कर दिया गया है, अब इससे कोई लेनदेन नहीं होगा। नया कार्ड सहायक ऐप में Cards > Replace से मँगा सकते हैं।"],
        "hl": ["Aapka {card} ending {last4} turant block kar diya gaya hai. Naya card 7 working days me registered address pe aa jayega.",
               "{card} {last4} block ho gaya hai, ab koi transaction nahi hoga. Naya card Sahayak app me Cards > Replace se order kar sakte hain."],
    },
    "account_statement": {
        "en": ["You can download the statement for {period} in the Sahayak app under Accounts > Statements > Download PDF. We have also emailed it to your registered email ID.",
               "The statement for {period} has been sent to your registered email ID as a password-protected PDF; the password is your date of birth in DDMMYYYY format."],
        "hi": ["{period} का स्टेटमेंट सहायक ऐप में Accounts > Statements > Download PDF से डाउनलोड कर सकते हैं। हमने इसे आपके पंजीकृत ईमेल पर भी भेज दिया है।",
               "{period} का स्टेटमेंट आपके पंजीकृत ईमेल पर पासवर्ड वाली PDF के रूप में भेज दिया गया है; पासवर्ड आपकी जन्मतिथि (DDMMYYYY) है।"],
        "hl": ["{period} ka statement Sahayak app me Accounts > Statements > Download PDF se download kar sakte hain. Registered email pe bhi bhej diya hai.",
               "{period} ka statement aapke registered email pe password wali PDF me bhej diya gaya hai, password aapki DOB (DDMMYYYY) hai."],
    },
    "kyc_update": {
        "en": ["You can complete KYC with your {doc} in the Sahayak app under Profile > Update KYC, or visit any branch with the original {doc}. It is updated within 2 working days.",
               "Yes, {doc} is accepted for re-KYC. Upload it in the app under Profile > Update KYC; your account will not be frozen while the request is in process."],
        "hi": ["आप {doc} से सहायक ऐप में Profile > Update KYC पर जाकर KYC पूरा कर सकते हैं, या मूल {doc} लेकर किसी भी शाखा में जाएँ। 2 कार्यदिवसों में अपडेट हो जाएगा।",
               "हाँ, re-KYC के लिए {doc} मान्य है। ऐप में Profile > Update KYC पर अपलोड करें; प्रक्रिया के दौरान खाता बंद नहीं होगा।"],
        "hl": ["Aap {doc} se Sahayak app me Profile > Update KYC pe jaake KYC complete kar sakte hain, ya original {doc} leke branch visit karein. 2 working days me update ho jayega.",
               "Haan, re-KYC ke liye {doc} valid hai. App me Profile > Update KYC pe upload karein, process ke dauraan account freeze nahi hoga."],
    },
    "network_issue": {
        "en": ["Sorry for the network trouble over the last {since} days. We have raised a complaint with the tower team; meanwhile please set the network mode to 4G/5G auto and restart the phone. It should be fixed within 48 hours.",
               "We're sorry about the network problem you've had for {since} days. Our engineers are working on the site near you and service should be normal within 48 hours."],
        "hi": ["पिछले {since} दिनों की नेटवर्क परेशानी के लिए खेद है। हमने टावर टीम को शिकायत भेज दी है; तब तक नेटवर्क मोड 4G/5G auto करके फोन रीस्टार्ट करें। 48 घंटे में ठीक हो जाएगा।",
               "{since} दिनों से नेटवर्क की दिक्कत के लिए हमें खेद है। हमारे इंजीनियर आपके पास के टावर पर काम कर रहे हैं, 48 घंटे में सेवा सामान्य हो जाएगी।"],
        "hl": ["{since} din se network problem ke liye sorry. Tower team ko complaint bhej di hai, tab tak network mode 4G/5G auto karke phone restart karein. 48 ghante me theek ho jayega.",
               "{since} din ki network dikkat ke liye khed hai. Engineers aapke area ke tower pe kaam kar rahe hain, 48 ghante me service normal ho jayegi."],
    },
    "loan_emi": {
        "en": ["We have checked your {loan}: the EMI of {emi} is due on the 5th of every month. Any extra debit for {month} is refunded within 7 working days.",
               "Thanks for writing about your {loan} EMI of {emi}. For {month}, our loans team will review the debit and update you within 7 working days; prepayment can be requested in the app under Loans > Prepay."],
        "hi": ["आपके {loan} की {emi} की EMI हर महीने की 5 तारीख को कटती है। {month} की किसी भी अतिरिक्त कटौती की राशि 7 कार्यदिवसों में लौटा दी जाएगी।",
               "{loan} की {emi} EMI के बारे में लिखने के लिए धन्यवाद। {month} की कटौती की जाँच करके लोन टीम 7 कार्यदिवसों में जानकारी देगी।"],
        "hl": ["Aapke {loan} ki {emi} EMI har mahine 5 tareekh ko katti hai. {month} ka extra debit 7 working days me refund ho jayega.",
               "{loan} ki {emi} EMI ke baare me likhne ke liye thanks. {month} ka debit loan team check karke 7 working days me update degi."],
    },
    "sim_replacement": {
        "en": ["You can get a replacement SIM on the same number at any Sahayak Mobile store with an original ID proof; it is free and activates within 4 hours.",
               "Sorry to hear that. Visit a Sahayak Mobile store with your ID proof for a free replacement SIM on the same number, or request an eSIM in the app under SIM > Replace."],
        "hi": ["मूल पहचान पत्र के साथ किसी भी सहायक मोबाइल स्टोर से उसी नंबर पर नई SIM मुफ्त मिल जाएगी, जो 4 घंटे में चालू हो जाती है।",
               "पहचान पत्र लेकर सहायक मोबाइल स्टोर जाएँ, उसी नंबर पर नई SIM मुफ्त मिलेगी; eSIM के लिए ऐप में SIM > Replace चुनें।"],
        "hl": ["Original ID proof leke kisi bhi Sahayak Mobile store se same number pe nayi SIM free me mil jayegi, 4 ghante me activate ho jati hai.",
               "ID proof ke saath Sahayak Mobile store jaiye, same number pe free replacement SIM milegi, ya app me SIM > Replace se eSIM le sakte hain."],
    },
    "bill_dispute": {
        "en": ["We have raised a bill dispute for the {month} bill of {bill}. Our billing team will review it within 5 working days and any excess charge will be adjusted in your next bill.",
               "Sorry for the confusion over your {month} bill of {bill}. The disputed amount is on hold, so you only need to pay your plan rental until the review is done."],
        "hi": ["हमने {month} के {bill} के बिल पर शिकायत दर्ज कर दी है। बिलिंग टीम 5 कार्यदिवसों में जाँच करेगी और अतिरिक्त राशि अगले बिल में समायोजित होगी।",
               "{month} के {bill} के बिल की उलझन के लिए खेद है। विवादित राशि रोक दी गई है, जाँच पूरी होने तक केवल प्लान का किराया भरें।"],
        "hl": ["{month} ke {bill} wale bill pe dispute raise kar diya hai. Billing team 5 working days me check karegi aur extra charge next bill me adjust hoga.",
               "{month} ke {bill} bill ke confusion ke liye sorry. Disputed amount hold pe hai, review hone tak sirf plan rental pay karein."],
    },
    "fraud_report": {
        "en": ["We have blocked your debit card and UPI to stop further loss and registered a fraud complaint for {amount}. Please also report it at cybercrime.gov.in or call 1930 within 24 hours.",
               "Sorry this happened. Your account is now frozen for outgoing payments and a fraud case for {amount} is open; file a report on 1930 as well, and never share an OTP with anyone."],
        "hi": ["आगे नुकसान रोकने के लिए हमने आपका डेबिट कार्ड और UPI बंद कर दिया है और {amount} की धोखाधड़ी की शिकायत दर्ज की है। कृपया 24 घंटे में 1930 पर भी शिकायत करें।",
               "हमें खेद है। आपके खाते से बाहर जाने वाले भुगतान रोक दिए गए हैं और {amount} का फ्रॉड केस दर्ज है; 1930 पर भी रिपोर्ट करें और OTP किसी को न बताएँ।"],
        "hl": ["Aage ka loss rokne ke liye humne aapka debit card aur UPI block kar diya hai aur {amount} ki fraud complaint register kar di hai. 24 ghante me 1930 pe bhi complaint karein.",
               "Ye sunke dukh hua. Account se outgoing payments rok diye gaye hain aur {amount} ka fraud case open hai; 1930 pe bhi report karein aur OTP kisi ko na batayein."],
    },
}

# A second user turn and the agent's answer, for multi-turn chats.
FOLLOW_UPS = {
    "en": [("ok, and how will I know it is done?",
            "You will get an SMS on your registered number as soon as it is done. For anything else, write to " + SUPPORT_EMAIL + "."),
           ("thanks. can I call someone instead?",
            "Yes, you can call our 24x7 helpline " + HELPLINE + " (toll-free) and quote this chat.")],
    "hi": [("ठीक है, मुझे कैसे पता चलेगा कि काम हो गया?",
            "काम पूरा होते ही आपके पंजीकृत नंबर पर SMS आ जाएगा। किसी और सहायता के लिए " + SUPPORT_EMAIL + " पर लिखें।"),
           ("धन्यवाद। क्या मैं फोन पर बात कर सकता हूँ?",
            "जी हाँ, हमारी 24x7 टोल-फ्री हेल्पलाइन " + HELPLINE + " पर कॉल करें और इस चैट का ज़िक्र करें।")],
    "hl": [("ok, pata kaise chalega ki ho gaya?",
            "Kaam hote hi aapke registered number pe SMS aa jayega. Aur kisi help ke liye " + SUPPORT_EMAIL + " pe likhein."),
           ("thanks. kisi se call pe baat ho sakti hai?",
            "Haan, hamari 24x7 toll-free helpline " + HELPLINE + " pe call karein aur is chat ka reference dein.")],
}

# Account context the CRM puts in the Alpaca `input` field of some tickets.
CONTEXTS = ["Segment: salary account", "Plan: postpaid ₹599", "Customer since 2016",
            "Segment: senior citizen", "Segment: NRI account", "Plan: prepaid"]

# Extra context customers add; varies tickets beyond the template grid.
FRAGMENTS = {
    "en": ["I have been a customer for years.", "I already tried the app.",
           "Nobody picked up the helpline.", "This happened yesterday evening.",
           "I am a senior citizen.", "I am travelling right now.", "My son uses the same account.",
           "The branch asked me to write here."],
    "hi": ["मैं कई सालों से ग्राहक हूँ।", "ऐप में कोशिश कर चुका हूँ।", "हेल्पलाइन पर किसी ने फोन नहीं उठाया।",
           "यह कल शाम को हुआ।", "मैं वरिष्ठ नागरिक हूँ।", "मैं अभी यात्रा पर हूँ।", "शाखा ने यहाँ लिखने को कहा।"],
    "hl": ["app me try kar liya", "helpline pe koi phone nahi utha raha", "kal shaam ko hua ye",
           "main senior citizen hu", "abhi travel kar raha hu", "purana customer hu",
           "branch wale bole yaha likho"],
}

# How customers volunteer personal data, per entity type (Presidio's names) and language.
PII_PHRASES = {
    "EMAIL": {"en": "You can reach me at {v}.", "hi": "मेरा ईमेल {v} है।",
                      "hl": "mera email {v} hai, wahan reply karo"},
    "PHONE": {"en": "Call me back on {v}.", "hi": "मेरा मोबाइल नंबर {v} है।",
                     "hl": "mera number {v} hai call kar lena"},
    "CREDIT_CARD": {"en": "The card number is {v}.", "hi": "कार्ड नंबर {v} है।",
                    "hl": "card no {v} hai"},
    "IBAN": {"en": "I am an NRI and the money came from my account {v}.",
                  "hi": "पैसा मेरे विदेशी खाते {v} से भेजा गया था।",
                  "hl": "NRI hu, paisa mere account {v} se aaya tha"},
    "IP_ADDRESS": {"en": "Your site showed a security alert for a login from {v}.",
                   "hi": "नेट बैंकिंग में {v} से लॉगिन का अलर्ट आया।",
                   "hl": "net banking me {v} se login ka alert aaya"},
    "US_SSN": {"en": "For the FATCA form, my US SSN is {v}.", "hi": "FATCA फॉर्म के लिए मेरा US SSN {v} है।",
               "hl": "FATCA form ke liye mera US SSN {v} hai"},
    "PERSON": {"en": "My name is {v}.", "hi": "मेरा नाम {v} है।", "hl": "mera naam {v} hai"},
    "LOCATION": {"en": "I live in {v}.", "hi": "मैं {v} में रहता हूँ।", "hl": "main {v} me rehta hu"},
    "IN_AADHAAR": {"en": "My Aadhaar number is {v}.", "hi": "मेरा आधार नंबर {v} है।",
                   "hl": "mera aadhaar no {v} hai"},
    "IN_PAN": {"en": "PAN: {v}.", "hi": "मेरा PAN {v} है।", "hl": "PAN card {v} hai"},
    "IN_UPI": {"en": "My UPI ID is {v}.", "hi": "मेरी UPI ID {v} है।", "hl": "meri UPI id {v} hai"},
    "IN_IFSC": {"en": "The beneficiary branch IFSC is {v}.", "hi": "लाभार्थी शाखा का IFSC {v} है।",
                "hl": "beneficiary ka IFSC {v} hai"},
    "IN_GSTIN": {"en": "It is my shop's current account, GSTIN {v}.",
                 "hi": "यह मेरी दुकान का चालू खाता है, GSTIN {v}।",
                 "hl": "ye meri dukaan ka current account hai, GSTIN {v}"},
    "IN_VOTER": {"en": "I can also give my voter ID {v}.", "hi": "मेरा वोटर आईडी {v} है।",
                 "hl": "voter id {v} bhi de sakta hu"},
    "IN_PASSPORT": {"en": "My passport number is {v}.", "hi": "मेरा पासपोर्ट नंबर {v} है।",
                    "hl": "passport no {v} hai mera"},
    "IN_VEHICLE_REGISTRATION": {"en": "The FASTag is on my car {v}.", "hi": "FASTag मेरी गाड़ी {v} पर है।",
                                "hl": "FASTag meri gaadi {v} pe laga hai"},
}
LOOKALIKE_PHRASES = {
    "order_12": {"en": "Order ID {v}.", "hi": "ऑर्डर आईडी {v} है।", "hl": "order id {v} hai"},
    "reference_16": {"en": "Complaint reference {v} from the branch.",
                     "hi": "शाखा से मिला शिकायत संदर्भ {v} है।", "hl": "branch ka complaint ref {v} hai"},
}
