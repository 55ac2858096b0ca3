"""WhatsApp chat exports (`.txt`): one conversation record per session, not one record per line.

Why: support desks in India run on WhatsApp Business, and "Export chat" is how their history
reaches a data team. Read line by line, an export became one "assistant" document per message,
timestamp and sender name included, and the lines of one conversation were spread over train
and test. Here:

- A message starts with WhatsApp's header — Android `12/01/24, 10:15 am - Name: text`, iOS
  `[12/01/24, 10:15:32 AM] Name: text` — and lines without one continue it (multi-line messages).
- Messages less than SESSION_GAP apart form one conversation; a quiet gap starts the next. Every
  conversation of a file shares `meta.conversation_id` (the file), so the split keeps one
  customer's chats in one split.
- Roles: the file WhatsApp names "WhatsApp Chat with <contact>.txt" was exported by the business,
  so `<contact>` is the user and everyone else the assistant; in a renamed file the first sender
  is the user (in a support chat the customer writes first). Consecutive messages of one role
  join with a newline.
- Lines that are no message (the end-to-end encryption notice, "X joined", "<Media omitted>",
  "This message was deleted") are read rejects with their line: nothing to learn, nothing lost.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable, Iterator

import regex

from curate.schemas import read_reject
from tunecraft.records import Record, Reject

SESSION_GAP = timedelta(hours=6)
_TIME = r"(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?:[:.]\d{2})?(?:[\s\u202f]*(?P<ampm>[AaPp]\.?[Mm]\.?))?"
_DATE = r"(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<y>\d{2,4}),?\s"
_HEADER = regex.compile(rf"^[\u200e\u200f]?(?:\[{_DATE}{_TIME}\]\s|{_DATE}{_TIME}\s-\s)(?P<rest>.*)$")
# A sender is a short name before ": " (system lines have no such prefix).
_SENDER = regex.compile(r"^[\u200e\u202a\u202c~ ]*(?P<who>[^:\n]{1,60}?):\s(?P<text>.*)$", regex.DOTALL)
_NO_TEXT = regex.compile(r"^[\u200e\s]*(?:<Media omitted>|<attached: .*>|(?:image|video|audio|sticker|GIF|document)"
                         r" omitted|This message was deleted|You deleted this message|null)[\u200e\s]*$",
                         regex.IGNORECASE)
_EXPORT_NAME = regex.compile(r"^WhatsApp Chat (?:with|-) (?P<contact>.+?)(?: \(\d+\))?\.txt$", regex.IGNORECASE)


def is_chat_export(first_line: str) -> bool:
    """Whether a text file's first non-empty line is a WhatsApp message or notice header."""
    return bool(_HEADER.match(first_line))


def read_chat_export(rel: str, file_name: str, lines: Iterable[tuple[int, str, str | None]]
                     ) -> Iterator[Record | Reject]:
    """Conversation records (and line rejects) of one export; `lines` as textio.text_lines."""
    messages = []                       # (line, header, sender, text)
    continues = False                   # whether a line without a header extends a message
    for line, text, error in lines:
        header = None if error else _HEADER.match(text)
        if error or header is None and not continues:
            if error or text.strip():
                yield read_reject(f"{rel}:{line}", text, "parse_error",
                                  error or "a line that continues no message")
            continue
        if header is None:
            first, when, who, body = messages[-1]
            messages[-1] = (first, when, who, f"{body}\n{text}")
            continue
        sender = _SENDER.match(header.group("rest"))
        continues = sender is not None and not _NO_TEXT.match(sender.group("text"))
        if not continues:
            yield read_reject(f"{rel}:{line}", text, "chat_notice",
                              "a WhatsApp notice or media placeholder, no message text")
            continue
        messages.append((line, header, sender.group("who").strip(), sender.group("text")))
    yield from _conversations(rel, file_name, messages)


def _conversations(rel: str, file_name: str, messages: list) -> Iterator[Record]:
    if not messages:
        return
    order = _date_order([header for _, header, _, _ in messages])
    user = _user(file_name, messages[0][2])
    session: list = []
    last = None
    for line, header, who, text in messages:
        when = _when(header, order)
        if session and (when is None or last is None or when - last > SESSION_GAP):
            yield _record(rel, session, user)
            session = []
        session.append((line, who, text))
        last = when
    yield _record(rel, session, user)


def _user(file_name: str, first_sender: str) -> str:
    named = _EXPORT_NAME.match(file_name)
    return named.group("contact").strip() if named else first_sender


def _record(rel: str, session: list, user: str) -> Record:
    turns: list[dict[str, str]] = []
    for _, who, text in session:
        role = "user" if who == user else "assistant"
        text = text.strip("\n")
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"] += "\n" + text
        else:
            turns.append({"role": role, "content": text})
    return Record(id=f"{rel}:{session[0][0]}", messages=turns,
                  meta={"conversation_id": rel, "chat_export": "whatsapp"})


def _date_order(headers: list) -> str:
    """"dmy" or "mdy": a first field above 12 is a day, a second above 12 is a day; WhatsApp
    writes the phone's locale, and day first is the common one where our users are."""
    if any(int(h.group("b")) > 12 for h in headers):
        return "mdy"
    return "dmy"


def _when(header, order: str) -> datetime | None:
    a, b, year = int(header.group("a")), int(header.group("b")), int(header.group("y"))
    day, month = (a, b) if order == "dmy" else (b, a)
    hour, ampm = int(header.group("h")), (header.group("ampm") or "").lower().replace(".", "")
    if ampm:
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    try:
        return datetime(year + 2000 if year < 100 else year, month, day, hour, int(header.group("mi")))
    except ValueError:
        return None
