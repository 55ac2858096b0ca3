"""Text helpers more than one package needs: HTML to text, comparison forms, JSON-safe values.

Two HTML converters, on purpose: curate converts a *fragment that is content* (a support agent's
rich-text answer) and must keep every line, bullet and code block; evalkit reads *whole pages*
for RAG and wants their main text without navigation and footers (trafilatura's job).

Three comparison forms, on purpose, from the loosest promise to the strictest:
- `fold_space`: case and runs of whitespace do not matter (retrieval's "is this the same text",
  a PII value's replacement key);
- `fold_punctuation`: also Unicode compatibility forms and punctuation (exact dedup: "Don't stop!"
  and "dont stop" are one example, but "2+2" and "2=2" stay two, since symbols are content);
- `fold_punctuation_and_symbols`: also symbols (exact-match scoring: "₹500" answers "500").
"""
from __future__ import annotations

import math
import numbers
import re
import unicodedata
from functools import lru_cache

_DROP = frozenset({"script", "style", "head", "noscript", "template", "title", "meta", "-comment"})
_BLOCK = frozenset({"p", "div", "ul", "ol", "table", "tr", "blockquote", "section", "article",
                    "header", "footer", "main", "nav", "h1", "h2", "h3", "h4", "h5", "h6", "dl",
                    "dt", "dd", "hr", "caption", "body", "html", "center"})
_SPACE = re.compile(r"[ \t\r\n\f\u00a0]+")
_NL_PAD = re.compile(r" *\n *")
_MANY_NL = re.compile(r"\n{3,}")
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")


def html_fragment_to_text(markup: str) -> str:
    """Readable text of an HTML fragment: line breaks, bullets and code blocks kept.

    Walks the selectolax (lexbor) tree instead of calling `.text()`, whose defaults run words
    together across `<br>`/`<p>`: blocks and `<br>` become line breaks, `<li>` a "- " bullet,
    `<pre>` a fenced code block with its indentation, inline `<code>` a backtick span."""
    from selectolax.lexbor import LexborHTMLParser

    root = LexborHTMLParser(markup).body
    if root is None:
        return ""
    parts: list[str] = []
    code_blocks: list[str] = []
    _walk(root, parts, code_blocks)
    text = _MANY_NL.sub("\n\n", _NL_PAD.sub("\n", "".join(parts))).strip()
    # <pre> content was held aside so the whitespace clean-up above cannot touch its indentation.
    return _PLACEHOLDER.sub(lambda m: code_blocks[int(m.group(1))], text)


def _walk(node, parts: list[str], code_blocks: list[str]) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            parts.append(_SPACE.sub(" ", child.text_content or ""))
        elif tag in _DROP:
            continue
        elif tag == "br":
            parts.append("\n")
        elif tag == "pre":
            code = (child.text(deep=True, strip=False) or "").strip("\n")
            parts.append(f"\n\ue000{len(code_blocks)}\ue001\n")
            code_blocks.append(f"```\n{code}\n```")
        elif tag == "code":
            parts.append(f"`{child.text(deep=True, strip=False)}`")
        elif tag == "li":
            parts.append("\n- ")
            _walk(child, parts, code_blocks)
        elif tag in ("td", "th"):
            _walk(child, parts, code_blocks)
            parts.append(" ")
        elif tag in _BLOCK:
            parts.append("\n")
            _walk(child, parts, code_blocks)
            parts.append("\n")
        else:
            _walk(child, parts, code_blocks)


def html_page_to_text(html: str) -> str:
    """The main text of a whole page (trafilatura), or its visible text when trafilatura finds
    no main content (selectolax, scripts and styles dropped)."""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=True)
    if text:
        return text
    from selectolax.parser import HTMLParser

    tree = HTMLParser(html)
    for node in tree.css("script, style, noscript"):
        node.decompose()
    body = tree.body or tree.root
    return body.text(separator="\n") if body is not None else ""


@lru_cache(maxsize=2)
def _unicode_class(pattern: str):
    import regex  # the stdlib `re` has no Unicode categories

    return regex.compile(pattern)


def fold_space(text: str) -> str:
    """Case-folded, whitespace runs collapsed to one space."""
    return " ".join(text.casefold().split())


def fold_punctuation(text: str) -> str:
    """NFKC, case-folded, punctuation (Unicode category P) replaced by space, whitespace collapsed."""
    return _fold(text, r"\p{P}+")


def fold_punctuation_and_symbols(text: str) -> str:
    """As `fold_punctuation`, and symbols (category S) too. No English-only steps (SQuAD also
    drops articles), so Hindi and Hinglish fold the same way."""
    return _fold(text, r"[\p{P}\p{S}]+")


def _fold(text: str, drop: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_unicode_class(drop).sub(" ", folded).split())


def finite_or_none(value):
    """A copy with NaN/inf as None (strict JSON has no NaN) and numpy scalars as Python numbers;
    tuples become lists. Booleans stay booleans."""
    if isinstance(value, dict):
        return {k: finite_or_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_none(v) for v in value]
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    return float(value) if math.isfinite(value) else None


def json_value(value):
    """`value` as JSON holds it: dates and times as ISO text, bytes as UTF-8 text, numpy arrays
    and scalars as lists and numbers, anything else unknown as its str(). For cells of Parquet,
    saved datasets and spreadsheets (rows are JSON like every other input's) and as json.dumps'
    `default` for metrics holding numpy values.

    Arrow stores a list of dicts (chat turns) as a list of structs, which gives every dict every
    key any of them had, set to None; those None fields are dropped again (a None cell stays
    None), so a turn without `tool_calls` does not come back with `tool_calls: null`."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if hasattr(value, "tolist"):
        return json_value(value.tolist())
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def first_line(exc: BaseException) -> str:
    """An exception as one line for a user-facing error (libraries' messages can run to pages);
    its type's name when it says nothing."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
