"""PII precision: false placeholders per 1,000 records on text that holds no personal data.

    .venv/bin/python bench/pii_precision.py --scratch /tmp/scratch-pii-precision [--n 1000]

Every record of a PII-free corpus that the pass changes is a false replacement: the count per
1,000 records is the damage a user trains on. Each corpus is read as the pass reads it (every
message's content), through the pass's analyzer with its default config, and the detected spans
are counted per entity. `--show K` prints K examples per corpus. `--pass` runs the whole pass instead (decoded views,
secrets, spread, operators) and counts the placeholders it writes: what a user gets;
`--skip-kinds maths` does so with that option.

Corpora (`--scratch` holds the public files fetched with the `fetch` tool; missing ones are
skipped and said so):
- banking77-train, banking77-test: BANKING77 intent queries (CC BY 4.0, PolyAI), from
  ../shared/datasets/banking77. Both were read while tuning (examples of test were printed once).
- gsm8k-test, gsm8k-train: grade-school maths, openai/grade-school-math
  `grade_school_math/data/{test,train}.jsonl` (MIT), question and worked answer as two messages.
  Its word problems name fictional people ("Natalia sold clips"), which a detector cannot tell
  from real ones, so PERSON is reported apart and the goal applies to the other types. The
  test split was read while tuning; the train split (first --n rows) is held out.
- humaneval: openai/human-eval `data/HumanEval.jsonl.gz` (MIT), prompt (signature + docstring)
  and canonical solution; read while tuning. humaneval-tests: the `test` code of the same
  rows, held out.
- hinglisheval: mrigankpawagi/HinglishEval `HinglishEval.json.gz` (HumanEval with Hinglish
  docstrings; the repository states no licence), prompt and solution; read while tuning.
- mbpp: google-research MBPP `mbpp/mbpp.jsonl` (974 Python tasks, CC BY 4.0): task text, code
  and its asserts as three messages; held out in round two until its hits were read (12.3 after).
- nl2bash-a, nl2bash-b: TellinaTool/nl2bash `data/bash/all.nl` + `all.cm` (MIT; English
  requests and the bash one-liners that answer them, with paths, hosts and users), copied as
  `nl2bash_all.nl`/`nl2bash_all.cm`: even rows are -a, odd rows -b.
- svamp: arkilpatel/SVAMP `SVAMP.json` (MIT), body + question, and the equation.
- asdiv: chaochun/nlu-asdiv-dataset `dataset/ASDiv.xml` (CC BY-NC 4.0), body + question, and
  the formula. Maths word problems name fictional people: PERSON is reported apart, as gsm8k.
- vue-hinglish: aakashbathla/hinglish-vue-documentation `src/guide` + `src/api` (CC BY 4.0), the
  Vue docs in romanised Hindi with English terms and code; one record per markdown section.
- rust-hinglish: RustGalaxy/Rust-in-Hinglish (MIT), the Rust book in romanised Hindi; one
  record per markdown section.
  Issue 12's third round read the hits of nl2bash-a, svamp and vue-hinglish only; nl2bash-b,
  asdiv and rust-hinglish were never printed.
- Issue 12's fourth round (fetched into the scratch folder, split before any record was read:
  even records are -a and were tuned on, odd records are -b and held out, counts only):
  tldr-a/-b: tldr-pages/tldr `pages/common` + `pages/linux` (CC BY 4.0), one record per page,
  copied as `tldr.jsonl` ({"path", "text"}); linux-hinglish-a/-b:
  techaijaz/linux-rhcsa-rhcse-learnig-hinglish `Day-*.md` (Linux/RHCSA lessons in Hinglish and
  Hindi; no licence stated), one record per markdown section; leetcode-hinglish-a/-b:
  LearnerAman02/LEETCODE_HINGLISH `*.java` (Java solutions with Hinglish comments; no licence
  stated), one record per file; hinglish-top-a/-b: google-research-datasets/Hinglish-TOP-Dataset
  `Dataset/Human Annotated Data/test.tsv` (Apache-2.0, its LICENSE.md), the code-switched
  query of the alarm, timer and weather domains (which name no contact or artist by design).
- Issue 12's fifth round (fetched into the scratch folder, split the same way before any record
  was read; -a tuned on, -b held out, counts only): cheatsheets-a/-b: rstacruz/cheatsheets
  (devhints.io; no licence stated) top-level `*.md`, one record per section, even/odd by file;
  react-hi-a/-b: reactjs/hi.react.dev `src/content/{learn,reference,errors,warnings}` pages with
  Devanagari in them (the React docs in Hindi, CC BY 4.0), one record per section, by file;
  susa-hinglish-a/-b: Sameer-Malik20/SusaGPT-Build-LLM-From-Scratch-With-Hinglish-Learning-Material
  `docs/**/*.md` (AI-engineering notes in Hinglish; no licence stated), one record per section, by
  file; odex-a/-b: zorazrw/odex `data/en_test.jsonl` (CC BY-SA 4.0; code intents), intent, code
  and tests as three messages, even/odd by row.
- seed-tasks, user-oriented-a/-b, t0-qa-a/-b: general English instructions and QA from
  yizhongw/self-instruct (Apache-2.0); see `_general_english`.
- Issue 12's sixth round, task-oriented dialogues (`_sixth_round_dialogue`): one record per
  dialogue, its turns as messages; split by file before any was read, -a tuned on, -b held out.
- Issue 12's seventh round (docs and general-English instructions): see bench/pii_corpora7.py.
- Issue 12's eighth round (dialogues): WOZ 2.0, see bench/pii_corpora8b.py.
- Issue 12's eighth round (typer and httpx docs): see bench/pii_corpora8.py.
- Issue 12's ninth round (starlette and click docs): see bench/pii_corpora9b.py.
- Issue 12's ninth round (code/shell/config cheat sheets): see bench/pii_corpora9a.py.
- written: the PII-free Hindi/English prose, Hinglish chat, code and maths written for
  tests/test_pii_precision.py (in-sample: the rules were tuned on it).
"""
from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

from pii_corpora6 import file_sections as _file_sections
from pii_corpora6 import sixth_round, sixth_round_dialogue
from pii_corpora7 import seventh_round_docs
from pii_corpora7b import seventh_round_dialogue
from pii_corpora8b import eighth_round_dialogue
from pii_corpora8 import eighth_round_docs
from pii_corpora9b import ninth_round_docs
from pii_corpora9a import ninth_round_code

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
REPO = Path(__file__).resolve().parents[1]
# ../shared from the main checkout; /work/shared from a sibling worktree (../../shared).
BANKING = next((p / "shared" / "datasets" / "banking77" for p in Path(__file__).resolve().parents[1:4]
                if (p / "shared" / "datasets" / "banking77").exists()), Path("banking77"))
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))


# Corpora never looked at while tuning the rules (their examples are never printed).
HELD_OUT = ("gsm8k-train", "humaneval-tests", "nl2bash-b", "asdiv", "rust-hinglish",
            "tldr-b", "linux-hinglish-b", "leetcode-hinglish-b", "hinglish-top-b",
            "cheatsheets-b", "react-hi-b", "susa-hinglish-b", "odex-b",
            "user-oriented-b", "t0-qa-b", "tm4-b", "sgd-b", "tm3-b",
            "wcag-html-b", "flask-docs-b", "edevhindi-b", "cpp-hinglish-b", "kvret-b",
            "rust-book-b", "gpteacher-tools-b", "gpteacher-code-b", "woz-b", "typer-docs-b",
            "httpx-docs-b", "starlette-docs-b", "click-docs-b", "awesome-cheatsheets-b",
            "secret-knowledge-b")


def _jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def corpora(scratch: Path) -> dict[str, list[list[str]]]:
    """name -> records, each a list of message texts."""
    out: dict[str, list[list[str]]] = {}
    for split in ("train", "test"):
        path = BANKING / f"{split}.csv"
        if path.exists():
            with path.open(encoding="utf-8") as f:
                out[f"banking77-{split}"] = [[row["text"]] for row in csv.DictReader(f)]
    loaders = {
        "gsm8k-test": ("gsm8k_test.jsonl", lambda r: [r["question"], r["answer"]]),
        "humaneval": ("humaneval.jsonl", lambda r: [r["prompt"], r["canonical_solution"]]),
        "hinglisheval": ("hinglisheval.json", lambda r: [r["prompt"], r["canonical_solution"]]),
        "gsm8k-train": ("gsm8k_train.jsonl", lambda r: [r["question"], r["answer"]]),
        "humaneval-tests": ("humaneval.jsonl", lambda r: [r["test"]]),
        "mbpp": ("mbpp.jsonl", lambda r: [r["text"], r["code"], "\n".join(r["test_list"])]),
    }
    for name, (file, fields) in loaders.items():
        path = scratch / file
        if not path.exists():
            print(f"(skipped {name}: {path} not found)")
            continue
        rows = (json.loads(path.read_text(encoding="utf-8")) if path.suffix == ".json"
                else _jsonl(path))
        out[name] = [fields(r) for r in rows]
    out.update(_third_round(scratch))
    out.update(_fourth_round(scratch))
    out.update(_fifth_round(scratch))
    out.update(_general_english(scratch))
    out.update(sixth_round_dialogue(scratch))
    out.update(sixth_round(scratch))
    out.update(seventh_round_docs(scratch))   # bench/pii_corpora7.py
    out.update(seventh_round_dialogue(scratch))
    out.update(eighth_round_dialogue(scratch))   # bench/pii_corpora8b.py
    out.update(eighth_round_docs(scratch))   # bench/pii_corpora8.py
    out.update(ninth_round_docs(scratch))   # bench/pii_corpora9b.py
    out.update(ninth_round_code(scratch))   # bench/pii_corpora9a.py
    from test_pii_precision import PII_FREE

    out["written"] = [[t] for texts in PII_FREE.values() for t in texts]
    return out


def _sections(folder: Path) -> list[list[str]]:
    """A markdown tree as one record per heading's section (fences kept whole)."""
    return [r for path in sorted(folder.rglob("*.md")) for r in _file_sections(path)]


def _third_round(scratch: Path) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    nl, cm = scratch / "nl2bash_all.nl", scratch / "nl2bash_all.cm"
    if nl.exists() and cm.exists():
        pairs = list(zip(nl.read_text(encoding="utf-8").splitlines(),
                         cm.read_text(encoding="utf-8").splitlines()))
        out["nl2bash-a"], out["nl2bash-b"] = [list(p) for p in pairs[::2]], [list(p) for p in pairs[1::2]]
    if (scratch / "SVAMP.json").exists():
        rows = json.loads((scratch / "SVAMP.json").read_text(encoding="utf-8"))
        out["svamp"] = [[f"{r['Body']} {r['Question']}", r["Equation"]] for r in rows]
    if (scratch / "ASDiv.xml").exists():
        import xml.etree.ElementTree as ET
        problems = ET.parse(scratch / "ASDiv.xml").getroot().iter("Problem")
        out["asdiv"] = [[f"{p.findtext('Body')} {p.findtext('Question')}", p.findtext("Formula") or ""]
                        for p in problems]
    for name in ("vue-hinglish", "rust-hinglish"):
        if (scratch / name).is_dir():
            out[name] = _sections(scratch / name)
    return out


def _halves(name: str, records: list[list[str]]) -> dict[str, list[list[str]]]:
    """Even records tune (-a), odd records are held out (-b): split before any was read."""
    return {f"{name}-a": records[::2], f"{name}-b": records[1::2]}


# Hinglish-TOP domains whose queries name no contact or artist by design (messaging, reminder,
# music and event do), chosen before any row was read.
_TOP_DOMAINS = ("alarm", "timer", "weather")


def _fourth_round(scratch: Path) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    for name, file in (("tldr", "tldr.jsonl"), ("leetcode-hinglish", "leetcode_hinglish.jsonl")):
        if (scratch / file).exists():
            out.update(_halves(name, [[r["text"]] for r in _jsonl(scratch / file)]))
    if (scratch / "linux-hinglish").is_dir():
        out.update(_halves("linux-hinglish", _sections(scratch / "linux-hinglish")))
    top = scratch / "hinglish_top_test.tsv"
    if top.exists():
        rows = [line.split("\t") for line in top.read_text(encoding="utf-8").splitlines()[1:]]
        out.update(_halves("hinglish-top", [[r[1]] for r in rows
                                            if len(r) == 5 and r[4].strip() in _TOP_DOMAINS]))
    return out


def _file_halves(name: str, paths: list[Path]) -> dict[str, list[list[str]]]:
    """Even files tune (-a), odd files are held out (-b): a page's sections stay on one side."""
    paths = sorted(paths)
    return {f"{name}-{side}": [r for p in paths[k::2] for r in _file_sections(p)]
            for side, k in (("a", 0), ("b", 1))}


_DEVANAGARI = re.compile(r"[\u0900-\u097F]")
_NOT_SHEETS = {"README.md", "AGENTS.md", "CONTRIBUTING.md"}


def _fifth_round(scratch: Path) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    sheets = scratch / "cheatsheets"
    if sheets.is_dir():
        out.update(_file_halves("cheatsheets", [p for p in sheets.glob("*.md") if p.name not in _NOT_SHEETS]))
    react = scratch / "react-hi" / "src" / "content"
    if react.is_dir():   # pages translated into Hindi; blog/community (people's bios) left out
        pages = [p for d in ("learn", "reference", "errors", "warnings") for p in (react / d).rglob("*.md")
                 if _DEVANAGARI.search(p.read_text(encoding="utf-8"))]
        out.update(_file_halves("react-hi", pages))
    if (scratch / "susa-hinglish").is_dir():
        out.update(_file_halves("susa-hinglish", list((scratch / "susa-hinglish").rglob("*.md"))))
    if (scratch / "odex_en_test.jsonl").exists():
        rows = [[r["intent"], r["prompt"] + r["canonical_solution"] + r["suffix"], r["test_start"] + "\n".join(r["test"])]
                for r in _jsonl(scratch / "odex_en_test.jsonl")]
        out.update(_halves("odex", rows))
    return out


def measure(analyzer, records: list[list[str]], show: int) -> tuple[Counter, int, list[str]]:
    texts = [t for r in records for t in r]
    unique = list(dict.fromkeys(texts))   # each distinct text analysed once
    spans = dict(zip(unique, analyzer.analyze(unique)))
    per_entity, changed, examples = Counter(), 0, []
    for record in records:
        found = [(t, s) for t in record for s in spans[t]]
        for text, s in found:
            per_entity[s.entity] += 1
            if len(examples) < show:
                examples.append(f"{s.entity}: {text[max(0, s.start - 30):s.end + 30]!r}")
        changed += bool(found)
    return per_entity, changed, examples


_PLACEHOLDER = re.compile(r"<([A-Z_]+)>")


def measure_pass(pii, records: list[list[str]], show: int = 0) -> tuple[Counter, int, list[str]]:
    """Placeholders the whole pass writes (each record's texts as user/assistant turns)."""
    from curate.passes.base import Context
    from tunecraft.records import Record

    rows = [Record(f"p.jsonl:{i + 1}", [{"role": "user" if k % 2 == 0 else "assistant", "content": t}
                                         for k, t in enumerate(texts)]) for i, texts in enumerate(records)]
    per_entity, changed, examples = Counter(), 0, []
    for before, after in zip(records, pii.run(rows, Context("pii", 0))):
        text = "\n".join(m["content"] for m in after.messages)
        written = Counter(_PLACEHOLDER.findall(text)) - Counter(_PLACEHOLDER.findall("\n".join(before)))
        hits = [m for m in _PLACEHOLDER.finditer(text) if written[m.group(1)]]   # kinds the pass wrote
        per_entity.update(written)
        changed += bool(written)
        examples += [f"{m.group(1)}: {text[max(0, m.start() - 40):m.end() + 40]!r}"
                     for m in hits][:max(0, show - len(examples))]
    return per_entity, changed, examples


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scratch", type=Path, default=Path("/tmp/scratch-pii-precision"))
    ap.add_argument("--n", type=int, default=0, help="first N records per corpus (0: all)")
    ap.add_argument("--show", type=int, default=0)
    ap.add_argument("--only", nargs="*", default=[], help="these corpora only")
    ap.add_argument("--locations", default="address", choices=["address", "all"])
    ap.add_argument("--pass", dest="whole_pass", action="store_true",
                    help="count the placeholders the whole pass writes, not the analyzer's spans")
    ap.add_argument("--skip-kinds", nargs="*", default=[],
                    help="the pass's skip_kinds (e.g. maths); implies --pass")
    args = ap.parse_args()
    from curate.passes.pii import PiiConfig, PiiPass

    fields = PiiConfig.__dataclass_fields__
    options = {"locations": args.locations} if "locations" in fields else {}
    if args.skip_kinds:
        options["skip_kinds"] = args.skip_kinds
    pii = PiiPass(PiiConfig(**options))
    pii.ensure_setup()
    print("| corpus | records | placeholders / 1,000 | non-PERSON / 1,000 | records changed | "
          "by type |\n|---|---|---|---|---|---|")
    shown = []
    for name, records in corpora(args.scratch).items():
        if args.only and name not in args.only:
            continue
        records = records[:args.n] if args.n else records
        per_entity, changed, examples = (measure_pass(pii, records, args.show) if args.whole_pass or args.skip_kinds
                                         else measure(pii._analyzer, records, args.show))
        total = sum(per_entity.values())
        other = total - per_entity["PERSON"]
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(per_entity.items())) or "-"
        print(f"| {name} | {len(records)} | {1000 * total / len(records):.1f} | "
              f"{1000 * other / len(records):.1f} | {changed} | {kinds} |")
        if name not in HELD_OUT:   # never read while tuning: counts only
            shown += [f"{name}: {e}" for e in examples]
    print("\n".join(shown))


def _general_english(scratch: Path) -> dict[str, list[list[str]]]:
    """Issue 12's general-English round: yizhongw/self-instruct @0b26cca (Apache-2.0), one record
    per instance (instruction + input, output). seed-tasks (`data/seed_tasks.jsonl`) was read
    while tuning; user-oriented-a/-b (`human_eval/user_oriented_instructions.jsonl`) and
    t0-qa-a/-b (five templates of `data/finetuning/t0_train_50k/data_per_template/`, chosen by
    name before any row was read, copied into `si_templates/`) are split even/odd before reading:
    -a tuned on, -b held out."""
    def instances(file: str) -> list[list[str]]:
        return [["\n\n".join(x for x in (r["instruction"], i["input"]) if x), i["output"]]
                for r in _jsonl(scratch / file) for i in r["instances"]]

    out: dict[str, list[list[str]]] = {}
    if (scratch / "seed_tasks.jsonl").exists():
        out["seed-tasks"] = instances("seed_tasks.jsonl")
    if (scratch / "user_oriented_instructions.jsonl").exists():
        out.update(_halves("user-oriented", instances("user_oriented_instructions.jsonl")))
    templates = sorted((scratch / "si_templates").glob("*.jsonl"))
    if templates:
        rows = [[r["prompt"].strip(), r["completion"].replace("<|endoftext|>", "").strip()]
                for path in templates for r in _jsonl(path)]
        out.update(_halves("t0-qa", rows))
    return out


if __name__ == "__main__":
    main()
