"""Blinded sheets: export, fill programmatically as two or three raters, import; agreement."""
import json

import pytest
from openpyxl import load_workbook

from evalkit.agreement import cohen_kappa, krippendorff_alpha
from evalkit.sheets import SheetError, export_sheet, import_sheets

SYSTEMS = ["zero-shot", "few-shot", "rag", "fine-tuned"]
PROMPTS = ["मेरा ऑर्डर कहाँ है?", "How do I close a <div> tag?", "Refund kab milega?",
           "Reset my password", "=SUM(A1) shows an error", "Cancel order #12"]


def _rows():
    return [{"id": f"test.jsonl:{i + 1}", "system": s, "prompt": p, "reference": f"ref {i}",
             "output": p if s == "rag" and p.startswith("=") else f"{s} says {i}:\r\n  {p}\n\n- done"}
            for i, p in enumerate(PROMPTS) for s in SYSTEMS]


@pytest.fixture()
def exported(tmp_path):
    key = export_sheet(_rows(), tmp_path / "sheet.xlsx", tmp_path / "key.json", seed=0)
    return tmp_path, key


def _fill(tmp_path, key, name, pick_best, score=lambda item, system: 4):
    """A rater: `pick_best(item index) → system or 'tie'`; correctness from `score`."""
    wb = load_workbook(tmp_path / "sheet.xlsx")
    ws = wb["Ratings"]
    head = {c.value: c.column for c in ws[1]}
    for r in range(2, ws.max_row + 1):
        item = ws.cell(r, head["item"]).value
        label_of = {system: label for label, system in key["items"][item].items()}
        choice = pick_best(int(item.split(":")[1]) - 1)
        ws.cell(r, head["best"]).value = "tie" if choice == "tie" else label_of[choice]
        for label, system in key["items"][item].items():
            ws.cell(r, head[f"correctness {label}"]).value = score(item, system)
            ws.cell(r, head[f"fluency {label}"]).value = "5"
    wb.save(tmp_path / name)
    return tmp_path / name


def test_export_blinds_each_item_in_its_own_seeded_order(exported, tmp_path):
    tmp, key = exported
    orders = {tuple(labels.values()) for labels in key["items"].values()}
    assert len(orders) > 1 and all(sorted(o) == sorted(SYSTEMS) for o in orders)
    again = export_sheet(_rows(), tmp_path / "again.xlsx", tmp_path / "again.json", seed=0)
    assert again["items"] == key["items"]
    ws = load_workbook(tmp / "sheet.xlsx")["Ratings"]
    head = {c.value: c.column for c in ws[1]}
    by_item = {(r["id"], r["system"]): r["output"] for r in _rows()}
    for r in range(2, ws.max_row + 1):
        item = ws.cell(r, 1).value
        for label, system in key["items"][item].items():
            assert ws.cell(r, head[f"output {label}"]).value == by_item[(item, system)]
    assert json.loads((tmp / "key.json").read_text())["items"] == key["items"]


def test_export_has_instructions_dropdowns_and_keeps_formula_like_text(exported):
    tmp, _ = exported
    wb = load_workbook(tmp / "sheet.xlsx", data_only=True)
    assert wb.sheetnames == ["Instructions", "Ratings"]
    formulas = {v.formula1 for v in wb["Ratings"].data_validations.dataValidation}
    assert formulas == {'"A,B,C,D,tie"', '"1,2,3,4,5"'}
    values = [c.value for row in wb["Ratings"].iter_rows() for c in row]
    assert "=SUM(A1) shows an error" in values  # text, not a formula with no cached value


def test_two_raters_give_expected_win_rates_and_kappa(exported):
    tmp, key = exported
    # rater a prefers fine-tuned on all 6 items; rater b on items 0-3, rag on 4, tie on 5
    a = _fill(tmp, key, "filled-a.xlsx", lambda i: "fine-tuned")
    b_choices = ["fine-tuned"] * 4 + ["rag", "tie"]
    b = _fill(tmp, key, "filled-b.xlsx", b_choices.__getitem__, score=lambda item, system: 5 if system == "fine-tuned" else 4)
    human = import_sheets([a, b], tmp / "key.json", resamples=300)
    systems = human["systems"]
    assert systems["fine-tuned"]["win_rate"]["value"] == pytest.approx(10 / 12)
    assert systems["rag"]["win_rate"]["value"] == pytest.approx(1 / 12)
    assert systems["zero-shot"]["win_rate"]["value"] == 0.0
    assert human["tie_rate"] == pytest.approx(1 / 12)
    assert systems["fine-tuned"]["correctness"]["value"] == pytest.approx(4.5)
    low, high = systems["fine-tuned"]["win_rate"]["low"], systems["fine-tuned"]["win_rate"]["high"]
    assert low <= 10 / 12 <= high and low < high
    # preference: a = ft×6; b = ft×4, rag, tie → p_o = 4/6, p_e = 1 · 4/6 → κ = 0
    assert human["agreement"]["preference"]["cohen_kappa"] == pytest.approx(0.0)
    assert human["raters"] == ["filled-a.xlsx", "filled-b.xlsx"]


def test_three_raters_report_krippendorff_alpha_only(exported):
    tmp, key = exported
    paths = [_fill(tmp, key, f"r{k}.xlsx", lambda i: "fine-tuned") for k in range(3)]
    agreement = import_sheets(paths, tmp / "key.json", resamples=50)["agreement"]
    assert agreement["raters"] == 3 and "cohen_kappa" not in agreement["preference"]
    assert agreement["correctness"]["alpha_level"] == "ordinal"


@pytest.mark.parametrize("column, value, message", [
    ("correctness B", "seven", "'seven' is not 1–5"),
    ("fluency A", 6, "6 is not 1–5"),
    ("correctness C", 2.5, "2.5 is not 1–5"),
    ("best", "E", "'E' is not one of A, B, C, D, tie"),
])
def test_malformed_value_names_file_sheet_and_cell(exported, column, value, message):
    tmp, key = exported
    path = _fill(tmp, key, "filled-a.xlsx", lambda i: "fine-tuned")
    wb = load_workbook(path)
    ws = wb["Ratings"]
    col = next(c.column_letter for c in ws[1] if c.value == column)
    ws[f"{col}7"] = value
    wb.save(path)
    with pytest.raises(SheetError) as error:
        import_sheets([path], tmp / "key.json")
    assert str(error.value) == f"{path}: Ratings!{col}7: {message}"


def test_unknown_item_edited_output_and_wrong_file_are_clear_errors(exported):
    tmp, key = exported
    path = _fill(tmp, key, "filled-a.xlsx", lambda i: "fine-tuned")
    wb = load_workbook(path)
    wb["Ratings"]["A3"] = "other.jsonl:9"
    wb.save(path)
    with pytest.raises(SheetError, match=r"Ratings!A3: item 'other.jsonl:9' is not in the key"):
        import_sheets([path], tmp / "key.json")
    wb["Ratings"]["A3"], wb["Ratings"]["D3"] = "test.jsonl:2", "rewritten by a rater"
    wb.save(path)
    with pytest.raises(SheetError, match=r"Ratings!D3: output A differs"):
        import_sheets([path], tmp / "key.json")
    (tmp / "notes.xlsx").write_text("not a workbook")
    with pytest.raises(SheetError, match=r"notes.xlsx: not a readable .xlsx"):
        import_sheets([tmp / "notes.xlsx"], tmp / "key.json")


def test_cohen_kappa_by_hand_and_against_nltk():
    a, b = list("aabb"), list("abbb")
    assert cohen_kappa(a, b) == pytest.approx(0.5)   # p_o = 3/4, p_e = 1/2
    nltk_agreement = pytest.importorskip("nltk.metrics.agreement")
    a = ["ft", "ft", "rag", "tie", "ft", "rag", "ft", "zs"]
    b = ["ft", "rag", "rag", "ft", "ft", "rag", "tie", "zs"]
    data = [(r, i, v) for r, values in (("a", a), ("b", b)) for i, v in enumerate(values)]
    assert cohen_kappa(a, b) == pytest.approx(nltk_agreement.AnnotationTask(data).kappa())
    assert cohen_kappa([1, 2, 3, 4], [1, 2, 3, 5], "quadratic") > cohen_kappa([1, 2, 3, 4], [1, 2, 3, 5])


def test_krippendorff_alpha_by_hand():
    # units (a,a) (a,b) (b,b) (b,b): o_aa=2, o_ab=o_ba=1, o_bb=4; n_a=3, n_b=5, n=8
    # α = 1 − (n − 1)·(o_ab + o_ba) / (2·n_a·n_b) = 1 − 7·2/30
    assert krippendorff_alpha([["a", "a"], ["a", "b"], ["b", "b"], ["b", "b"]]) == pytest.approx(1 - 14 / 30)
    assert krippendorff_alpha([["a", "a"], ["a"]]) is None


def test_krippendorff_alpha_matches_krippendorffs_worked_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 observers, 12 units
    rows = [[1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
            [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]]
    units = [[r[u] for r in rows if r[u] is not None] for u in range(12)]
    assert krippendorff_alpha(units, "nominal") == pytest.approx(0.743, abs=5e-4)
    assert krippendorff_alpha(units, "ordinal") == pytest.approx(0.815, abs=5e-4)
    assert krippendorff_alpha(units, "interval") == pytest.approx(0.849, abs=5e-4)


def test_sheet_shows_the_request_not_a_systems_full_prompt(tmp_path):
    rows = [{"id": "t:1", "system": s, "input": "Where is my order?", "reference": "Tomorrow.",
             "prompt": f"<|im_start|>system {s} passages…", "output": f"{s} answer"} for s in SYSTEMS]
    export_sheet(rows, tmp_path / "s.xlsx", tmp_path / "k.json")
    assert load_workbook(tmp_path / "s.xlsx")["Ratings"]["B2"].value == "Where is my order?"
    with pytest.raises(SheetError, match="found 0"):
        export_sheet(rows, tmp_path / "s.xlsx", tmp_path / "k.json", systems=["gpt"])
