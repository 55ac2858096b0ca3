"""WhatsApp chat exports become conversations, not one record per line.

Before this change (4f88fb1) every line of an export was an "assistant" document of its own,
the timestamp and the sender's name in its text, and the lines of one chat were split across
train and test.
"""
import json

from curate.readers import discover, read_all
from tunecraft.records import Record, Reject

ANDROID = """\
12/01/24, 10:14 am - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.
12/01/24, 10:15 am - Rahul Verma: Hi, mera order abhi tak nahi aaya
12/01/24, 10:15 am - Rahul Verma: Order ID ORD-88123
12/01/24, 10:16 am - Acme Support: Namaste, hum check kar rahe hain.
Kripya 10 minute dijiye.
12/01/24, 10:17 am - Rahul Verma: <Media omitted>
12/01/24, 10:20 am - Acme Support: आपका ऑर्डर कल डिलीवर हो जाएगा।
13/01/24, 6:05 pm - Rahul Verma: Order mil gaya, thanks!
13/01/24, 6:06 pm - Acme Support: Dhanyavaad! Aur kuch madad chahiye toh batayein.
"""


def _read(folder):
    inventory = discover(folder)
    items = list(read_all(inventory, None))
    return (inventory, [i for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, Reject)])


def test_an_android_export_is_one_record_per_session_with_roles_from_the_file_name(tmp_path):
    (tmp_path / "WhatsApp Chat with Rahul Verma.txt").write_text(ANDROID, encoding="utf-8")
    inventory, records, rejects = _read(tmp_path)
    rel = "WhatsApp Chat with Rahul Verma.txt"
    assert [r.id for r in records] == [f"{rel}:2", f"{rel}:8"]
    assert records[0].messages == [
        {"role": "user", "content": "Hi, mera order abhi tak nahi aaya\nOrder ID ORD-88123"},
        {"role": "assistant", "content": "Namaste, hum check kar rahe hain.\nKripya 10 minute dijiye.\n"
                                         "आपका ऑर्डर कल डिलीवर हो जाएगा।"}]
    assert records[1].messages[0] == {"role": "user", "content": "Order mil gaya, thanks!"}
    assert {r.meta["conversation_id"] for r in records} == {rel}
    assert sorted((r.record.id, r.reason) for r in rejects) == [(f"{rel}:1", "chat_notice"), (f"{rel}:6", "chat_notice")]
    assert not any("Rahul Verma" in json.dumps(r.messages) for r in records)
    assert inventory.files[0].schema == "whatsapp" and inventory.files[0].rows == 4


def test_an_ios_export_in_month_first_order_keeps_a_chat_over_midnight_together(tmp_path):
    # 1/12 11:50 PM → 1/13 12:20 AM is 30 minutes; read day first, 13 is no month.
    text = ("\u200e[1/12/24, 11:50:02\u202fPM] Priya: My card got blocked after 3 wrong PINs\n"
            "[1/12/24, 11:52:40\u202fPM] HelpDesk: You can unblock it under Cards > Unblock.\n"
            "[1/13/24, 12:20:11\u202fAM] Priya: Done, it works now\n"
            "[1/14/24, 9:00:00\u202fAM] Priya: One more question about UPI limits\n")
    (tmp_path / "chat.txt").write_text(text, encoding="utf-8")
    _, records, rejects = _read(tmp_path)
    assert not rejects
    assert [r.id for r in records] == ["chat.txt:1", "chat.txt:4"]
    assert [m["role"] for m in records[0].messages] == ["user", "assistant", "user"]
    assert records[1].messages == [{"role": "user", "content": "One more question about UPI limits"}]


def test_plain_text_that_starts_with_a_date_is_still_one_record_per_line(tmp_path):
    (tmp_path / "notes.txt").write_text("12/01/24 was the day the UPI outage began.\n"
                                        "Refunds took 5 days.\n", encoding="utf-8")
    _, records, rejects = _read(tmp_path)
    assert [r.id for r in records] == ["notes.txt:1", "notes.txt:2"] and not rejects


def test_a_line_before_the_first_header_is_a_reject_and_nothing_is_lost(tmp_path):
    (tmp_path / "WhatsApp Chat with Neha.txt").write_text(
        "12/01/24, 10:15 - Neha: refund kab aayega?\n12/01/24, 10:16 - Shop: 5 din mein\n", encoding="utf-8")
    (tmp_path / "x.txt").write_text(
        "12/01/24, 10:15 - This business uses a secure service from Meta to manage this chat.\n"
        "stray text\n12/01/24, 10:16 - Neha: hello\n", encoding="utf-8")
    inventory, records, rejects = _read(tmp_path)
    by_id = {r.id: r for r in records}
    assert [m["role"] for m in by_id["WhatsApp Chat with Neha.txt:1"].messages] == ["user", "assistant"]
    assert sorted((r.record.id, r.reason) for r in rejects) == [("x.txt:1", "chat_notice"), ("x.txt:2", "parse_error")]
    assert by_id["x.txt:3"].messages == [{"role": "user", "content": "hello"}]
    assert sum(f.rows for f in inventory.files) == len(records) + len(rejects)
