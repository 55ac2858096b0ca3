"""PII in the strings a run writes outside its records: file names and error messages.

Why: a file named `export_kiran.desai@gmail.com.jsonl` becomes the prefix of every record id
(`<file>:<line>`) and a row of the manifest's inputs table; a skipped `passport_scan_9876123450.png`
is listed by name; a reader's error quotes the raw value (`unknown role 'agent.meera@helpdesk.in'`).
So the pii pass runs over them too: ids are built from the file name with its PII replaced
(`export_<EMAIL>.jsonl:17`), the manifest marks such inputs `"path_scrubbed": true`, and reject
details are anonymised like the record they describe. Two names that become one get `~2`, `~3`
before the extension, in input order, so ids stay unique.
"""
from __future__ import annotations

from typing import Any

# Reject details that hold record ids (already built from scrubbed names) or numbers, not text.
_ID_DETAILS = ("duplicate_of", "overlaps_with", "copy_of")


def scrub_inventory(inventory, pii, seed: int) -> None:
    """Rename inputs and skipped files whose path holds PII, in place; file contents are read
    from `InputFile.path`, which keeps the real name."""
    paths = [f.rel for f in inventory.files] + [s["path"] for s in inventory.skipped]
    if not paths:
        return
    scrubbed = pii.scrub_names(paths, seed)
    taken = {old for old, new in zip(paths, scrubbed) if old == new}
    for source, new in zip(inventory.files, scrubbed):
        if new != source.rel:
            source.rel, source.path_scrubbed = _unique(new, taken), True
    for skipped, new in zip(inventory.skipped, scrubbed[len(inventory.files):]):
        if new != skipped["path"]:
            old_name, new_name = skipped["path"].rpartition("/")[2], _unique(new, taken)
            skipped["reason"] = skipped["reason"].replace(old_name, new_name.rpartition("/")[2])
            skipped["path"] = new_name
    reasons = pii.scrub_texts([s["reason"] for s in inventory.skipped], seed)
    for skipped, reason in zip(inventory.skipped, reasons):
        skipped["reason"] = reason


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot or "/" in ext:
        stem, dot, ext = name, "", ""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}~{n}{dot}{ext}"
    taken.add(candidate)
    return candidate


def scrub_details(rejects, pii, seed: int) -> None:
    """Anonymise the strings in the rejects' details (error messages quote raw values)."""
    texts = sorted({t for r in rejects for k, v in r.details.items() if k not in _ID_DETAILS
                    for t in _strings(v)})
    if not texts:
        return
    replaced = dict(zip(texts, pii.scrub_texts(texts, seed)))
    for reject in rejects:
        reject.details = {k: v if k in _ID_DETAILS else _apply(v, replaced)
                          for k, v in reject.details.items()}


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _apply(value: Any, replaced: dict[str, str]) -> Any:
    if isinstance(value, str):
        return replaced.get(value, value)
    if isinstance(value, (list, tuple)):
        return [_apply(item, replaced) for item in value]
    if isinstance(value, dict):
        return {k: _apply(item, replaced) for k, item in value.items()}
    return value
