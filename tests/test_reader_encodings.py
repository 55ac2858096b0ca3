"""Inputs that used to be dropped whole or merged: UTF-16 with a BOM, non-UTF-8 CSV exports, a
stray NUL byte, CR-only line ends, integers beyond 64 bits, symbolic links (issue 13 §2)."""
import json

from _curate_util import ShortStub, support_rows, write_jsonl

from curate.pipeline import curate_folder
from curate.readers import discover, read_all
from curate.recipe import Recipe
from tunecraft.records import Record, Reject

HINDI_ROWS = [{"instruction": "मेरा कार्ड ब्लॉक हो गया है, क्या करूँ?", "output": "ऐप में Cards खोलें।"},
              {"instruction": "Refund kab tak aayega?", "output": "5-7 din mein, order #4471."},
              {"instruction": "Is 2 + 2 = 4 in base 3?", "output": "No: 2 + 2 = 11 in base 3."}]


def _read(folder):
    inventory = discover(folder)
    items = list(read_all(inventory))
    return (inventory, [i for i in items if isinstance(i, Record)],
            [i for i in items if isinstance(i, Reject)])


def _jsonl(rows, newline="\n"):
    return "".join(json.dumps(r, ensure_ascii=False) + newline for r in rows)


def test_utf16_files_with_a_bom_are_decoded_like_utf8(tmp_path):
    (tmp_path / "le.jsonl").write_bytes(_jsonl(HINDI_ROWS, "\r\n").encode("utf-16"))   # BOM + LE
    (tmp_path / "be.jsonl").write_bytes(b"\xfe\xff" + _jsonl(HINDI_ROWS).encode("utf-16-be"))
    (tmp_path / "utf8.jsonl").write_text(_jsonl(HINDI_ROWS), encoding="utf-8")
    inventory, records, rejects = _read(tmp_path)
    assert not inventory.skipped and not rejects
    by_file = {}
    for r in records:
        by_file.setdefault(r.id.split(":")[0], []).append((r.id.split(":")[1], r.messages))
    assert by_file["le.jsonl"] == by_file["be.jsonl"] == by_file["utf8.jsonl"]
    assert [f.to_dict().get("encoding") for f in inventory.files] == ["utf-16", "utf-16", None]


def test_excel_unicode_text_export_utf16_tsv(tmp_path):
    text = "question\tanswer\nमेरा पिन रीसेट करें\tCards > Reset PIN\nWhere is my card?\tIn transit.\n"
    (tmp_path / "export.tsv").write_bytes(text.encode("utf-16"))
    _, records, rejects = _read(tmp_path)
    assert not rejects
    assert [r.instruction for r in records] == ["मेरा पिन रीसेट करें", "Where is my card?"]


def test_cp1252_csv_is_detected_and_decoded(tmp_path):
    rows = ["ticket_id,question,answer"] + [
        f"T{i},Où est ma carte ? Le café à côté a refusé mon paiement de {i} €,"
        "Veuillez vérifier les paramètres de sécurité dans l'application." for i in range(1, 6)]
    (tmp_path / "crm.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    inventory, records, rejects = _read(tmp_path)
    assert not rejects and len(records) == 5
    assert records[0].instruction == "Où est ma carte ? Le café à côté a refusé mon paiement de 1 €"
    assert inventory.files[0].to_dict()["encoding"] == "cp1252"


def test_one_nul_byte_rejects_its_line_not_the_file(tmp_path):
    lines = _jsonl(support_rows(6)).splitlines(keepends=True)
    lines[2] = lines[2].replace("ref", "r\x00ef")
    (tmp_path / "tickets.jsonl").write_text("".join(lines), encoding="utf-8")
    inventory, records, rejects = _read(tmp_path)
    assert not inventory.skipped
    assert len(records) == 5 and [r.record.id for r in rejects] == ["tickets.jsonl:3"]


def test_cr_only_line_ends_split_rows(tmp_path):
    (tmp_path / "old_mac.jsonl").write_bytes(_jsonl(HINDI_ROWS, "\r").encode("utf-8"))
    (tmp_path / "faq.csv").write_bytes(b"question,answer\rCard lost?,Block it in the app.\r"
                                       b"PIN kaise badlein?,Cards > PIN.\r")
    _, records, rejects = _read(tmp_path)
    assert not rejects
    assert [r.id for r in records] == ["faq.csv:2", "faq.csv:3", "old_mac.jsonl:1", "old_mac.jsonl:2",
                                       "old_mac.jsonl:3"]


def test_integers_beyond_64_bits_come_out_exact(tmp_path):
    raw = tmp_path / "raw"
    write_jsonl(raw / "orders.jsonl", [
        {"instruction": "Where is order 1?", "output": "Shipped.", "order_id": 123456789012345678901234567890},
        {"instruction": "Balance below zero?", "output": "Yes.", "ledger": -9223372036854775809},
        {"instruction": "Card ending 4242?", "output": "Blocked.", "ref": 18446744073709551615}])
    curate_folder(raw, tmp_path / "clean", [ShortStub()], recipe=Recipe())
    text = (tmp_path / "clean" / "train.jsonl").read_text(encoding="utf-8")
    for number in ("123456789012345678901234567890", "-9223372036854775809", "18446744073709551615"):
        assert f":{number}" in text
    assert "e+" not in text


def test_symlinked_folders_and_broken_links_are_listed(tmp_path):
    raw, elsewhere = tmp_path / "raw", tmp_path / "elsewhere"
    write_jsonl(raw / "a.jsonl", support_rows(2))
    write_jsonl(elsewhere / "b.jsonl", support_rows(2))
    (raw / "linked").symlink_to(elsewhere, target_is_directory=True)
    (raw / "loop").symlink_to(raw, target_is_directory=True)
    (raw / "gone.jsonl").symlink_to(tmp_path / "deleted.jsonl")
    (raw / "file_link.jsonl").symlink_to(elsewhere / "b.jsonl")       # a link to a file is read
    inventory = discover(raw)
    assert [f.rel for f in inventory.files] == ["a.jsonl", "file_link.jsonl"]
    assert inventory.skipped == [
        {"path": "gone.jsonl", "reason": "broken symbolic link"},
        {"path": "linked/", "reason": "symbolic link to a folder (not followed)"},
        {"path": "loop/", "reason": "symbolic link to a folder (not followed)"}]


def test_binary_file_with_a_data_suffix_is_still_skipped(tmp_path):
    (tmp_path / "photo.jsonl").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    inventory, records, rejects = _read(tmp_path)
    assert inventory.skipped == [{"path": "photo.jsonl", "reason": "binary content in a .jsonl file"}]
    assert not records and not rejects


def test_excel_semicolon_csv_in_utf16_and_the_sep_directive(tmp_path):
    """Excel writes `;` where the decimal mark is a comma; read with `,` such a file was one
    column and the whole run stopped as unmappable."""
    rows = ["instruction;response;amount", "मेरा कार्ड ब्लॉक कैसे करें?;ऐप में Cards > Block पर जाएँ।;0,00",
            '"Refund kab tak aayega; kitne din?";5-7 working days mein aa jayega.;1.234,50']
    (tmp_path / "excel.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode("utf-16"))
    (tmp_path / "sep.csv").write_text("sep=|\nquestion|answer\nCard lost?|Block it, then call us.\n")
    _, records, rejects = _read(tmp_path)
    assert not rejects
    by_id = {r.id: r for r in records}
    assert by_id["excel.csv:2"].instruction == "मेरा कार्ड ब्लॉक कैसे करें?"
    assert by_id["excel.csv:2"].meta == {"amount": "0,00"}
    assert by_id["excel.csv:3"].instruction == "Refund kab tak aayega; kitne din?"
    assert by_id["sep.csv:3"].response == "Block it, then call us."
    assert sorted(by_id) == ["excel.csv:2", "excel.csv:3", "sep.csv:3"]


def test_comma_csv_whose_text_holds_semicolons_stays_comma_separated(tmp_path):
    (tmp_path / "faq.csv").write_text("question,answer\n\"a; b; c\",x;y;z\nCard lost?,Block it.\n")
    _, records, rejects = _read(tmp_path)
    assert not rejects
    assert [(r.instruction, r.response) for r in records] == [("a; b; c", "x;y;z"), ("Card lost?", "Block it.")]
