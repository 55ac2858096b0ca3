"""Is this text prose, code or a worked maths solution? Cheap line-level tests, no parsing.

Two passes need the answer: quality (Gopher's repetition rules were tuned on web pages; a C#
method ends in lines of braces and a step-by-step solution repeats its phrasing with new numbers,
and neither is spam) and html (markup inside a code fence is the content, not a wrapper).

- code: a fenced block (```), or a text most of whose non-empty lines look like source: they end
  in `{ } ; ( ) [ ] , : \\` or `=>`, start with a keyword, an assignment, a comment/preprocessor
  mark or a LaTeX command (\\hline), are punctuation only ("}", "});"), or are one line of
  markup (<div class="cell"></div>). Prose rarely does: its lines end in . ? ! or a word.
- maths: at least two lines, or a third of them, hold a calculation: digits joined by an operator
  and "=", a GSM8K calculator note <<48/2=24>>, or LaTeX (\\frac, $x^2$, \\( ... \\)).
"""
from __future__ import annotations

import re

FENCE = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n(.*?)(?:^[ \t]*\1[ \t]*$|\Z)", re.DOTALL | re.MULTILINE)
_KEYWORD = re.compile(
    r"(?:def|class|import|from|return|if|elif|else|for|while|do|switch|case|try|catch|except|finally|"
    r"public|private|protected|static|void|int|long|float|double|bool|char|string|var|let|const|"
    r"function|fn|func|package|using|namespace|struct|enum|interface|template|typedef|echo|fi|done|"
    r"then|end|begin|exit|shift|break|continue|local|export|cd|select|insert|update|delete|create|"
    r"where|print|printf|console|System|std)\b")
_CODE_END = re.compile(r"(?:[{}();\[\],:]|=>|\\)\s*$")
_CODE_START = re.compile(r"(?://|#|/\*|\*|--|<!--|<\?|@|\$ |\\[A-Za-z]+|[\w.$\[\]'\"]+\s*[-+*/|&]?=[^=])")
_PUNCT_ONLY = re.compile(r"^[\W_]+$")
_MARKUP_LINE = re.compile(r"^<[!/?]?[A-Za-z][^\n]*>$")
_CALC = re.compile(r"\d\s*[-+*/×÷^x]\s*\(?\d[^\n]*=|=\s*\$?-?\d|<<[^<>\n]*=[^<>\n]*>>|"
                   r"\\frac|\\sqrt|\\times|\\cdot|\$[^$\n]*[\^_=][^$\n]*\$|\\\(.*\\\)")


def split_fenced(text: str) -> tuple[str, list[str]]:
    """(text outside fenced code blocks, the blocks' bodies)."""
    blocks = [m.group(2) for m in FENCE.finditer(text)]
    return (FENCE.sub("\n", text) if blocks else text), blocks


def _code_like(line: str) -> bool:
    return bool(_CODE_END.search(line) or _KEYWORD.match(line) or _CODE_START.match(line)
                or _PUNCT_ONLY.match(line) or _MARKUP_LINE.match(line))


def looks_like_code(text: str) -> bool:
    """Most (>= 60%) of at least 3 non-empty lines look like source code."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return len(lines) >= 3 and sum(map(_code_like, lines)) >= 0.6 * len(lines)


def looks_like_maths(text: str) -> bool:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    calc = sum(1 for ln in lines if _CALC.search(ln))
    return calc >= 2 or (lines and calc >= len(lines) / 3)
