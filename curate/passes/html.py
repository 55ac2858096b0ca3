"""Strip HTML from fields that ARE markup; leave text that is ABOUT markup alone.

Support-desk exports often carry the agent's rich-text editor output (`<p>`, `<br>`, `&nbsp;`),
while the same data holds questions like "How do I center a `<div>`?" whose tags are the content.
So each message is tested first (cheap regexes, no parse) and only a field that looks like a
rendered document is converted:

- markup: after dropping code spans/fences (and a static-site page's YAML front matter), the text starts with a known tag and later has a closing
  tag, a `<br>` or another `<p>` (what rich-text editors and web forms produce), or a `<br>` is glued
  between words ("Line one<br>Line two");
- but markup that IS the content is kept as written, whole record or field:
  - the instruction asks for web code (HTML, CSS, JavaScript, JSX, PHP, SVG, XML, a web page):
    "Write an HTML+JS stopwatch" must train on the page, not on "0.00 Start Stop Reset" (a user
    turn that is itself a rendered page asks for nothing: a docs page about HTML is no request);
  - the field holds code no editor writes: <script>, <button>, <input>, <form>, <canvas>, <svg>,
    <iframe>, PHP/ERB tags, event handlers; or it is source with some markup in it (a PHP
    `echo "<br />";`, curate/textkind.py).
- except a page that reads as prose (>= 50 words of visible text once <script>, <style>, <svg> and
  <noscript> blocks are set aside): a scraped help-centre or docs page carries analytics scripts,
  icon SVGs and a search form as furniture, and kept raw it trains on (and the pii pass scans)
  markup; a generated widget ("0.00 Start Stop Reset") has a handful of words and stays code.
- anything else is content: tags mentioned in prose ("use the <br> tag", "<div> vs <span>"), tags in
  backticks or fenced code, and an answer that shows an HTML snippet after some prose. (A field
  that starts with a raw snippet, "<div class=c><p>x</p></div> centers it", is taken as markup.)
- no tags but >= 2 entities outside code ("don&#39;t &amp; can&#39;t", an escaped CSV export): the
  entities are decoded and nothing else changes; one lone entity is left alone (ambiguous).

Conversion (`tunecraft.text.html_fragment_to_text`) walks the selectolax (lexbor) tree: block
elements and `<br>` become line breaks, `<li>` a "- " bullet, `<pre>` a fenced code block with
newlines and indentation kept (so the unicode pass leaves it alone), inline `<code>` a backtick
span; script/style/head are dropped; entities are decoded by the parser.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from curate.passes.base import Context, Pass
from curate.textkind import looks_like_code
from tunecraft.records import Record
from tunecraft.text import html_fragment_to_text

_TAG_NAMES = (
    "a|abbr|article|b|blockquote|body|br|caption|center|code|dd|div|dl|dt|em|font|footer|h[1-6]|head|"
    "header|hr|html|i|img|li|main|meta|nav|ol|p|pre|s|section|small|span|strong|style|script|sub|sup|"
    "table|tbody|td|th|thead|title|tr|u|ul"
)
_CLOSE_OR_BR = re.compile(rf"</(?:{_TAG_NAMES})\s*>|<br\s*/?>|<p[\s>]", re.IGNORECASE)
_GLUED_BR = re.compile(r"[^\s`]<br\s*/?>[^\s`]", re.IGNORECASE)
_LEADING_TAG = re.compile(rf"\s*<(?:{_TAG_NAMES}|!doctype)[\s/>]", re.IGNORECASE)
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---[ \t]*\n", re.DOTALL)   # a static-site page's YAML header
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,7});")
_CODE = re.compile(r"```.*?(?:```|$)|`[^`\n]*`", re.DOTALL)

_ASKS_FOR_WEB_CODE = re.compile(
    r"\b(?:html5?|css3?|scss|javascript|js|jsx|tsx|typescript|php|svg|xml|xhtml|markup|jquery|"
    r"bootstrap|tailwind|web ?page|web ?form|landing page|react(?:\.?js| component)|vue\.?js)\b",
    re.IGNORECASE)
_PAGE_CODE = re.compile(r"<(?:script|button|input|form|canvas|svg|iframe|textarea|select|template)\b|"
                        r"<\?php|<%|<[a-z][^<>]*\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)
_FURNITURE = re.compile(r"<(script|style|svg|noscript)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_SERVER_CODE = re.compile(r"<\?php|<%")
_ANY_TAG = re.compile(r"<[^<>]*>")
_PAGE_PROSE_WORDS = 50
_TAG_LINE = re.compile(r"^\s*<[^\n]*>\s*$", re.MULTILINE)


def is_markup(text: str) -> bool:
    """Whether `text` is a rendered HTML fragment rather than prose that mentions tags."""
    if "<" not in text:
        return False
    prose = _CODE.sub(" ", _FRONT_MATTER.sub("", text, count=1))
    if _GLUED_BR.search(prose):
        return True
    leading = _LEADING_TAG.match(prose)
    return bool(leading and _CLOSE_OR_BR.search(prose, leading.end()))


def asks_for_web_code(instruction: str) -> bool:
    """The user asks for HTML/CSS/JS (or another markup language): markup in the record is content."""
    return bool(_ASKS_FOR_WEB_CODE.search(_CODE.sub(" ", instruction)))


def _asked(record: Record) -> str:
    """The user turns that are not themselves a rendered page: a scraped page that mentions HTML,
    CSS or JavaScript as its topic asks for nothing, so it must not keep itself raw."""
    return "\n".join(m["content"] for m in record.messages
                     if m["role"] == "user" and not is_markup(m["content"]))


def is_code_content(text: str) -> bool:
    """Markup no rich-text editor writes (scripts, controls, templates), or source code with tags,
    unless the field is a page of prose that merely carries such furniture."""
    if reads_as_page(text):
        return False
    return bool(_PAGE_CODE.search(text)) or looks_like_code(_TAG_LINE.sub("", text))


def reads_as_page(text: str) -> bool:
    """>= 50 words of visible text outside script/style/svg blocks: a document, not a widget."""
    if _SERVER_CODE.search(text):
        return False
    visible = _ANY_TAG.sub(" ", _FURNITURE.sub(" ", text))
    return len(re.findall(r"\w+", visible)) >= _PAGE_PROSE_WORDS


def is_escaped_text(text: str) -> bool:
    """Plain text whose special characters were HTML-escaped (no tags, >= 2 entities)."""
    return "&" in text and len(_ENTITY.findall(_CODE.sub(" ", text))) >= 2


@dataclass
class HtmlConfig:
    pass


class HtmlPass(Pass):
    name = "html"
    Config = HtmlConfig

    def apply(self, record: Record, ctx: Context) -> Record:
        changed = False
        web_code = None                           # asks_for_web_code, computed when first needed
        for message in record.messages:
            content = message["content"]
            if not content:
                continue
            if is_markup(content):
                if web_code is None:
                    web_code = asks_for_web_code(_asked(record))
                if web_code or is_code_content(content):
                    ctx.count("markup_kept_as_content")
                    continue
                message["content"] = html_fragment_to_text(content)
            elif is_escaped_text(content):
                message["content"] = html.unescape(content)
            else:
                continue
            changed = True
        if changed:
            ctx.count("changed")
        return record
