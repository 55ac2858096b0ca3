"""Blinded human-evaluation sheets: export an XLSX for raters, import the filled copies.

Export: one row per test item with the prompt, the reference and every system's output under a
blind label (A, B, C, ...) in an order shuffled per item with the seed, so raters cannot learn
which column is the fine-tuned model. Drop-downs restrict the ratings: the best output (a label
or "tie") and 1–5 correctness and fluency per output. The key that un-blinds the labels goes to a
separate JSON, with a digest of each output so a key from another export is caught on import.

Import: any number of filled copies (one per rater); every rating is validated and a bad one is
reported as "<file>: Ratings!<cell>: <problem>". Results: per-system win rate and mean scores
with item-level bootstrap intervals, and agreement between raters (Cohen's κ for two, and
Krippendorff's α — nominal for preferences, ordinal for scores — for two or more).
"""
from __future__ import annotations

import json
import random
import string
from pathlib import Path

import numpy as np

from tunecraft.files import atomic_write_json
from tunecraft.hashing import text_sha256
from tunecraft.text import finite_or_none

from . import stats
from .agreement import rating_agreement

SHEET = "Ratings"
TIE = "tie"
ASPECTS = ("correctness", "fluency")
MAX_CELL = 32_000  # Excel holds at most 32,767 characters per cell
INSTRUCTIONS = """How to rate
Each row of the Ratings tab is one request: the prompt, a reference answer, and up to {k} answers
labelled {labels}. The labels are shuffled on every row, so the same letter is not the same system.
1. best: pick the answer you would rather send to the user, or "tie" if you cannot choose.
2. correctness <label>: 1 = wrong or harmful, 3 = partly right, 5 = fully right and complete.
3. fluency <label>: 1 = unreadable, 3 = understandable with effort, 5 = natural.
Leave a cell empty to skip it. Judge against the reference but accept other correct answers.
Do not reorder or edit the prompt, reference or answer columns; rows may be sorted."""


class SheetError(ValueError):
    """A malformed filled sheet or key (one line naming the file and cell)."""


def _digest(text: str) -> str:
    return text_sha256(text)[:16]


def _cell_text(text: str | None) -> str:
    """What can be stored in a cell: no XML-illegal control characters, at most MAX_CELL chars."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text or "")
    return text if len(text) <= MAX_CELL else text[:MAX_CELL] + " …[truncated]"


def _put(ws, row: int, col: int, text: str | None):
    """Write text as text: an output starting with '=' must not become a formula."""
    cell = ws.cell(row=row, column=col, value=_cell_text(text))
    cell.data_type = "s"
    return cell


def _blind(rows: list[dict], seed: int, systems: list[str] | None):
    """[(item id, first row, {blind label: row})] in first-seen order, shuffled per item."""
    items: dict[str, dict[str, dict]] = {}
    for row in rows:
        if systems is None or row["system"] in systems:
            items.setdefault(row["id"], {})[row["system"]] = row
    blinded = []
    for item_id, by_system in items.items():
        names = sorted(by_system)
        random.Random(f"{seed}:{item_id}").shuffle(names)  # str seed: stable across processes
        labelled = {string.ascii_uppercase[i]: by_system[s] for i, s in enumerate(names)}
        blinded.append((item_id, next(iter(by_system.values())), labelled))
    return blinded


def _shown_prompt(row: dict) -> str | None:
    """The user's request, not a system's full prompt: a RAG or few-shot prompt would show one
    system's retrieved passages or examples and give the blinding away."""
    return row.get("input") or row.get("prompt")


def _columns(labels: list[str]) -> list[str]:
    heads = ["item", "prompt", "reference", *(f"output {x}" for x in labels), "best"]
    return heads + [f"{aspect} {x}" for x in labels for aspect in ASPECTS]


def _add_validation(ws, labels: list[str], n_rows: int) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    heads = _columns(labels)
    choice = DataValidation(type="list", formula1='"' + ",".join([*labels, TIE]) + '"',
                            allow_blank=True, showErrorMessage=True)
    score = DataValidation(type="list", formula1='"1,2,3,4,5"', allow_blank=True,
                           showErrorMessage=True)
    for validation, pick in ((choice, lambda h: h == "best"), (score, lambda h: h[:4] in ("corr", "flue"))):
        for col, head in enumerate(heads, start=1):
            if pick(head):
                letter = get_column_letter(col)
                validation.add(f"{letter}2:{letter}{n_rows + 1}")
        ws.add_data_validation(validation)


def _write_ratings(ws, blinded: list, labels: list[str]) -> tuple[dict, dict]:
    """Header and one row per item; returns the key's {item: {label: system}} and digests."""
    from openpyxl.styles import Alignment, Font

    for col, head in enumerate(_columns(labels), start=1):
        ws.cell(row=1, column=col, value=head).font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    key_items, digests = {}, {}
    for r, (item_id, first, labelled) in enumerate(blinded, start=2):
        texts = [item_id, _shown_prompt(first), first.get("reference")]
        texts += [row.get("output") for row in labelled.values()]
        for col, text in enumerate(texts, start=1):
            _put(ws, r, col, text).alignment = wrap
        key_items[item_id] = {label: row["system"] for label, row in labelled.items()}
        digests[item_id] = {label: _digest(_comparable(_cell_text(row.get("output"))))
                            for label, row in labelled.items()}
    ws.freeze_panes = "B2"
    for col in range(2, 4 + len(labels)):
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = 50
    return key_items, digests


def export_sheet(rows: list[dict], out_xlsx, key_json, *, seed: int = 0,
                 systems: list[str] | None = None) -> dict:
    """Write the blinded sheet and its key; returns the key."""
    from openpyxl import Workbook

    blinded = _blind(rows, seed, systems)
    widest = max((len(b[2]) for b in blinded), default=0)
    if not widest or widest > len(string.ascii_uppercase):
        raise SheetError(f"{out_xlsx}: need 1–26 systems per item to blind, found {widest}"
                         + (f" (systems asked for: {', '.join(systems)})" if systems else ""))
    labels = list(string.ascii_uppercase[:widest])
    wb = Workbook()
    wb.active.title = "Instructions"
    for n, line in enumerate(INSTRUCTIONS.format(k=widest, labels=", ".join(labels)).splitlines(), 1):
        wb.active.cell(row=n, column=1, value=line)
    ws = wb.create_sheet(SHEET)
    key_items, digests = _write_ratings(ws, blinded, labels)
    _add_validation(ws, labels, len(blinded))
    Path(out_xlsx).parent.mkdir(parents=True, exist_ok=True)
    wb.save(out_xlsx)
    key = {"format": "evalkit-sheet-key/1", "sheet": SHEET, "seed": seed, "labels": labels,
           "items": key_items, "digests": digests}
    atomic_write_json(key_json, key, indent=1)
    return key


def _comparable(text) -> str:
    """Outputs compared with the key's digest modulo what spreadsheet apps may rewrite."""
    return " ".join(str(text or "").split())


def _score(value, where: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        number = None
    if number is None or not number.is_integer() or not 1 <= number <= 5:
        raise SheetError(f"{where}: {value!r} is not 1–5")
    return int(number)


def _best(value, labelled: dict, where: str) -> str | None:
    if value is None or not str(value).strip():
        return None
    said = str(value).strip()
    if said.lower() == TIE:
        return TIE
    if said.upper() in labelled:
        return labelled[said.upper()]
    raise SheetError(f"{where}: {value!r} is not one of {', '.join([*labelled, TIE])}")


def _open(path: Path):
    """The Ratings sheet as written: a formula cell holds its formula (see `_rating_values`)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path)
    except Exception as error:  # openpyxl raises zipfile/KeyError/InvalidFileException variants
        raise SheetError(f"{path}: not a readable .xlsx workbook ({type(error).__name__})") from None
    if SHEET not in wb.sheetnames:
        raise SheetError(f"{path}: no '{SHEET}' sheet (found {', '.join(wb.sheetnames)})")
    return wb[SHEET]


def _rating_values(ws, columns: list[int], path: Path):
    """A rating typed as a formula (=5, =B2) is read as the value the app saved with it; a
    formula with no saved value (a sheet written by a script, never opened in an app) would read
    as blank, i.e. as 'unrated', so it is refused. Without formulas the sheet is read once."""
    from openpyxl import load_workbook

    formulas = [row[i] for row in ws.iter_rows(min_row=2) for i in columns
                if i < len(row) and row[i].data_type == "f"]
    if not formulas:
        return ws
    values = load_workbook(path, data_only=True)[SHEET]
    for cell in formulas:
        if values[cell.coordinate].value is None:
            raise SheetError(f"{path}: {SHEET}!{cell.coordinate}: formula {cell.value} has no "
                             "saved value; open and save the sheet in a spreadsheet app, or "
                             "paste the ratings as values")
    return values


def _is_rated(judged: dict) -> bool:
    return judged["best"] is not None or any(
        value is not None for aspects in judged["scores"].values() for value in aspects.values())


def _read_row(cells, col: dict, key: dict, path: Path) -> tuple[str, dict] | None:
    item_cell = cells[col["item"]]
    if item_cell.value is None or not str(item_cell.value).strip():
        return None
    item = str(item_cell.value)
    if item not in key["items"]:
        raise SheetError(f"{path}: {SHEET}!{item_cell.coordinate}: item {item!r} is not in the key")
    labelled = key["items"][item]
    for label in labelled:
        cell = cells[col[f"output {label}"]]
        if _digest(_comparable(cell.value)) != key["digests"][item][label]:
            raise SheetError(f"{path}: {SHEET}!{cell.coordinate}: output {label} differs from the "
                             "exported one (edited, or a key from another export?)")
    best_cell = cells[col["best"]]
    judged = {"best": _best(best_cell.value, labelled, f"{path}: {SHEET}!{best_cell.coordinate}"),
              "scores": {}}
    for label, system in labelled.items():
        for aspect in ASPECTS:
            cell = cells[col[f"{aspect} {label}"]]
            judged["scores"].setdefault(system, {})[aspect] = _score(
                cell.value, f"{path}: {SHEET}!{cell.coordinate}")
    return item, judged


def read_sheet(path, key: dict) -> dict[str, dict]:
    """{item: {"best": system | "tie" | None, "scores": {system: {aspect: 1–5 | None}}}}.

    Rows left blank are not in it: an item nobody rated is not an item rated "nothing"."""
    path = Path(path)
    ws = _open(path)
    header = [cell.value for cell in ws[1]]
    col = {str(h).strip(): i for i, h in enumerate(header) if h is not None}
    for head in _columns(key["labels"]):
        if head not in col:
            raise SheetError(f"{path}: {SHEET}!1: missing column {head!r}")
    ws = _rating_values(ws, [i for h, i in col.items() if h == "best" or
                             h.split(" ")[0] in ASPECTS], path)
    judged: dict[str, dict] = {}
    seen: set[str] = set()
    for cells in ws.iter_rows(min_row=2):
        read = _read_row(cells, col, key, path)
        if read and read[0] in seen:
            raise SheetError(f"{path}: {SHEET}!{cells[col['item']].coordinate}: item "
                             f"{read[0]!r} appears twice")
        if read:
            seen.add(read[0])
            if _is_rated(read[1]):
                judged[read[0]] = read[1]
    if not judged:
        raise SheetError(f"{path}: no rating filled in (a blank sheet?); nothing was imported")
    return judged


def _rated_items(ratings: dict, key: dict) -> list[str]:
    return [item for item in key["items"] if any(item in judged for judged in ratings.values())]


def _tallies(ratings: dict, key: dict, items: list[str], systems: list[str]) -> dict:
    """Per measure, a (system, item, [sum, count]) array: wins over judgements shown, and the
    sums of each aspect's scores. Items are the bootstrap unit (all raters of an item together)."""
    at = {s: i for i, s in enumerate(systems)}
    tally = {m: np.zeros((len(systems), len(items), 2)) for m in ("win_rate", *ASPECTS)}
    for judged in ratings.values():
        for j, item in enumerate(items):
            if item not in judged:
                continue
            best, scores = judged[item]["best"], judged[item]["scores"]
            if best is not None:
                for system in key["items"][item].values():
                    tally["win_rate"][at[system], j] += [float(best == system), 1.0]
            for system, aspects in scores.items():
                for aspect, value in aspects.items():
                    if value is not None:
                        tally[aspect][at[system], j] += [value, 1.0]
    return tally


def _ratio(totals: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return totals[..., 0] / totals[..., 1]


def _load_key(key_json) -> dict:
    try:
        key = json.loads(Path(key_json).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SheetError(f"{key_json}: cannot read the sheet key ({error})") from None
    if key.get("format") != "evalkit-sheet-key/1":
        raise SheetError(f"{key_json}: not an evalkit sheet key")
    return key


def import_sheets(paths, key_json, *, seed: int = 0, resamples: int = 1000) -> dict:
    """Read filled sheets (one per rater), un-blind them and summarise. Returns
    {"raters", "n_items", "systems": {system: {"win_rate"|"correctness"|"fluency":
    {"value", "low", "high"}, "judgements": n}}, "tie_rate", "agreement", "ratings",
    "bootstrap"}."""
    key = _load_key(key_json)
    names = [Path(p).name for p in paths]
    names = names if len(set(names)) == len(names) else [str(p) for p in paths]
    ratings = {name: read_sheet(path, key) for name, path in zip(names, paths)}
    items = _rated_items(ratings, key)
    if not items:
        raise SheetError(f"{', '.join(map(str, paths))}: no rated item matches the key")
    systems = sorted({s for item in items for s in key["items"][item].values()})
    tally = _tallies(ratings, key, items, systems)
    weights = stats.resample_weights(len(items), resamples, seed)
    summary = {}
    for i, system in enumerate(systems):
        summary[system] = {"judgements": int(tally["win_rate"][i, :, 1].sum())}
        for measure, table in tally.items():
            point = float(_ratio(table[i].sum(axis=0)))
            summary[system][measure] = stats.summarise(point, _ratio(weights @ table[i]))
    bests = [j["best"] for judged in ratings.values() for j in judged.values() if j["best"]]
    result = {"raters": names, "n_items": len(items), "systems": summary,
              "tie_rate": bests.count(TIE) / len(bests) if bests else None,
              "agreement": rating_agreement(ratings, items, key["items"], ASPECTS),
              "ratings": ratings,   # per rater and item, un-blinded: the judge's κ reads them
              "bootstrap": {"seed": seed, "resamples": resamples, "unit": "item"}}
    return finite_or_none(result)
