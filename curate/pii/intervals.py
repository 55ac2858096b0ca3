"""Character spans are half-open [start, end): the one overlap test the PII detectors share (code
regions, names, places, cues), so "touching is not overlapping" is decided in one place."""
from __future__ import annotations

from typing import Iterable, Sequence


def overlaps(span: Sequence, spans: Iterable[Sequence]) -> bool:
    """Whether `span` shares a character with any of `spans`; each is (start, end, ...), any
    further items (a label, a score) are ignored."""
    start, end = span[0], span[1]
    return any(s < end and start < e for s, e, *_ in spans)
