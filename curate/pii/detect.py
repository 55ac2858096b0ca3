"""Every detector the pii pass runs over a batch of strings, merged into one span list per string.

Three sources: the Presidio + spaCy analyzer (`curate.pii.analyzer`), the credential patterns
(`curate.pii.secrets`, entity SECRET), and both again on the decoded view of a string when it
differs from the string (`curate.pii.views`: URL-encoded, full-width, HTML entities, a value
broken over lines), mapped back to the original. A span of the original wins over an
overlapping span of the view; allow-listed values are dropped last.
"""
from __future__ import annotations

import re

from curate.pii.analyzer import Span
from curate.pii.machine_values import machine_value
from curate.pii.secrets import find_secrets
from curate.pii.views import decoded_view, map_back


def detect(analyzer, texts: list[str], allowed: set[str], secrets: bool = True) -> dict[str, list[Span]]:
    """text -> its spans, sorted and not overlapping, for each distinct string of `texts`."""
    texts = list(dict.fromkeys(texts))
    views = {t: v for t in texts if (v := decoded_view(t)) is not None}
    batch = list(dict.fromkeys(texts + [v[0] for v in views.values()]))
    found = dict(zip(batch, analyzer.analyze(batch)))
    out = {}
    for text in texts:
        spans = list(found[text])
        if secrets:
            spans = _merge(spans, [Span(s, e, "SECRET", 1.0) for s, e in find_secrets(text)])
        if text in views:
            view, starts, ends = views[text]
            mapped = [Span(*map_back(s.start, s.end, starts, ends), s.entity, s.score)
                      for s in found[view] if not _unsupported_join(s, view, starts, ends)]
            if secrets:
                mapped += [Span(*map_back(s, e, starts, ends), "SECRET", 1.0) for s, e in find_secrets(view)]
            spans = _merge(spans, mapped)
        out[text] = [s for s in spans if text[s.start:s.end] not in allowed
                     and not machine_value(text, s.start, s.end, s.entity)]   # grids, servers, {{slots}}
    return out


# Words before a number that say it is a phone number (English, Hinglish, Hindi).
_PHONE_CUE = re.compile(r"(?i)phone|mobile|\bmob\b|\bcell|call|contact|whatsapp|\bsms\b|\btel\b|"
                        r"\bnumber\b|\bno\b|\bnum\b|reach|नंबर|नम्बर|फ़ोन|फोन|मोबाइल")


def _unsupported_join(span: Span, view: str, starts: list[int], ends: list[int]) -> bool:
    """A phone number the view made by joining digits across a line break needs a phone cue
    just before it: two numbers on consecutive lines of a maths answer are not one phone."""
    if span.entity != "PHONE":
        return False
    joined = any(starts[k] != ends[k - 1] and view[k - 1].isdigit() and view[k].isdigit()
                 for k in range(span.start + 1, span.end))
    return joined and not _PHONE_CUE.search(view, max(0, span.start - 48), span.start)


def _merge(first: list[Span], second: list[Span]) -> list[Span]:
    """`first`, plus each span of `second` that overlaps nothing already kept (SECRET spans
    replace the detections inside them: a key's digits are not a phone number)."""
    kept = list(first)
    for span in sorted(second, key=lambda s: (-(s.end - s.start), s.start)):
        overlapping = [k for k in kept if k.start < span.end and span.start < k.end]
        if span.entity == "SECRET" and all(span.start <= k.start and k.end <= span.end for k in overlapping):
            kept = [k for k in kept if k not in overlapping] + [span]
        elif not overlapping:
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)
