"""Loaders of issue 12's sixth-round corpora for bench/pii_precision.py (kept apart: that script
holds the counting and the earlier rounds' loaders)."""
from __future__ import annotations

import json
import re
from pathlib import Path

_HEADING = re.compile(r"^#{1,6} ", re.M)


def file_sections(path: Path) -> list[list[str]]:
    text, parts, start, fenced = path.read_text(encoding="utf-8"), [], 0, False
    for line in re.finditer(r"^.*$", text, re.M):
        fenced ^= line.group().lstrip().startswith("```")
        if not fenced and _HEADING.match(line.group()) and line.start() > start:
            parts.append(text[start:line.start()])
            start = line.start()
    parts.append(text[start:])
    return [[p.strip()] for p in parts if p.strip()]


def sixth_round_dialogue(scratch: Path) -> dict[str, list[list[str]]]:
    """Issue 12's sixth round: task-oriented dialogues, one record per dialogue (its turns' texts),
    halves by file (even files -a, tuned on; odd files -b, held out), chosen before any was read.
    tm4: google-research-datasets/Taskmaster @d92cb6a `TM-4-2024/data/data_0*.json` (coffee
    orders, CC BY 4.0), copied into `tm4/`; data_00/02/04/06 are -b (data_07, read by the lead,
    is -a). sgd: google-research-datasets/dstc8-schema-guided-dialogue @e852981
    `test/dialogues_*.json` (CC BY-SA 4.0; the files present in the stored snapshot) in `sgd/`.
    tm3: Taskmaster `TM-3-2020/reward/reward_0*.json` (movie tickets; the context's turns) in
    `tm3/`. Names of customers do occur in such turns (fictional, written by crowd workers)."""
    def tm4(path: Path) -> list[list[str]]:
        return [[u["text"] for u in r["utterances"] if u.get("text")] for r in json.loads(path.read_text())]

    def sgd(path: Path) -> list[list[str]]:
        return [[t["utterance"] for t in r["turns"]] for r in json.loads(path.read_text())]

    def tm3(path: Path) -> list[list[str]]:
        return [[t["text"] for t in json.loads(r["context"]) if t.get("text")]
                for r in json.loads(path.read_text())]

    out: dict[str, list[list[str]]] = {}
    for name, pattern, read in (("tm4", "data_0*.json", tm4), ("sgd", "dialogues_*.json", sgd),
                                ("tm3", "reward_0*.json", tm3)):
        paths = sorted((scratch / name).glob(pattern))
        if paths:
            out.update({f"{name}-{side}": [r for p in paths[k::2] for r in read(p)]
                        for side, k in (("a", 1 if name == "tm4" else 0), ("b", 0 if name == "tm4" else 1))})
    return out


_RST_RULE = re.compile(r"^([=\-~^\"'`#*+]{3,})\s*$")


def _rst_sections(path: Path) -> list[list[str]]:
    """An reStructuredText file as one record per section (a title line over a rule of = - ~ ^)."""
    lines, parts, start = path.read_text(encoding="utf-8").splitlines(), [], 0
    for i in range(1, len(lines)):
        if _RST_RULE.match(lines[i]) and lines[i - 1].strip() and not _RST_RULE.match(lines[i - 1]) \
                and len(lines[i]) >= len(lines[i - 1].rstrip()) and i - 1 > start:
            parts.append("\n".join(lines[start:i - 1]))
            start = i - 1
    parts.append("\n".join(lines[start:]))
    return [[p.strip()] for p in parts if p.strip()]


def _html_page(path: Path) -> list[str]:
    """An HTML page as the default recipe's html pass leaves it (converted unless it is code)."""
    from curate.passes.base import Context
    from curate.passes.html import HtmlPass
    from tunecraft.records import Record

    record = Record(path.name, [{"role": "user", "content": path.read_text(encoding="utf-8")}])
    return [m["content"] for m in HtmlPass().apply(record, Context("html", 0)).messages]


def sixth_round(scratch: Path) -> dict[str, list[list[str]]]:
    """Issue 12's sixth round (docs, HTML docs, Hindi docs, Hinglish code notes), fetched into the
    scratch folder and split even/odd by file before any record was read (-a tuned on, -b held
    out, counts only): wcag-html: w3c/wcag @58080bd `understanding/**/*.html` +
    `techniques/**/*.html` (W3C Document License), one record per page after the html pass;
    flask-docs: pallets/flask @2ac8988 `docs/**/*.rst` (BSD-3-Clause), one record per section;
    edevhindi: heera9331/edevhindi-docs @f112049 `docs/**/*.md` (computer-science notes in Hindi,
    Devanagari with English terms; no licence stated), one record per section; cpp-hinglish:
    mdatif796/Coding-Ninjas-Introduction-to-Cpp-and-DSA-in-HINGLISH @7b4b8dc `*.cpp`/`*.h` (C++
    lessons with Hinglish comments; no licence stated), one record per file."""
    out: dict[str, list[list[str]]] = {}
    folders = {"wcag-html": ("wcag", "*.html", lambda p: [_html_page(p)]),
               "flask-docs": ("flask", "*.rst", _rst_sections),
               "edevhindi": ("edevhindi", "*.md", file_sections),
               "cpp-hinglish": ("cpp-hinglish", "*.[ch]*", lambda p: [[p.read_text(encoding="utf-8", errors="replace")]])}
    for name, (folder, pattern, read) in folders.items():
        if not (scratch / folder).is_dir():
            continue
        paths = sorted(p for p in (scratch / folder).rglob(pattern) if p.is_file())
        for side, k in (("a", 0), ("b", 1)):
            out[f"{name}-{side}"] = [r for p in paths[k::2] for r in read(p)]
    return out
