"""html pass: markup fields become readable text; text ABOUT html is left exactly as written."""
from curate.passes.base import Context
from curate.passes.html import HtmlPass, is_markup
from tunecraft.text import html_fragment_to_text
from tunecraft.records import Record


def run_html(*contents):
    records = [Record(f"t.jsonl:{i + 1}", [{"role": "user", "content": c},
                                           {"role": "assistant", "content": "ok"}])
               for i, c in enumerate(contents)]
    ctx = Context("html", seed=0)
    out = list(HtmlPass.from_options({}).run(records, ctx))
    return [r.messages[0]["content"] for r in out], ctx


def test_editor_markup_becomes_lines_and_entities_are_decoded():
    texts, ctx = run_html('<div class="message">Hello,<br>My card &amp; PIN don&#39;t work.<br>Thanks.</div>',
                          "<p>First paragraph.</p>\n<p>Second&nbsp;one.</p>")
    assert texts[0] == "Hello,\nMy card & PIN don't work.\nThanks."
    assert texts[1] == "First paragraph.\n\nSecond one."
    assert ctx.counts["changed"] == 2


def test_words_are_not_run_together_across_br_and_p():
    text = html_fragment_to_text("<p>card<br>blocked</p><p>please</p><div>help</div>")
    assert "cardblocked" not in text and "blockedplease" not in text
    assert text.split() == ["card", "blocked", "please", "help"]


def test_lists_become_bullets_and_pre_keeps_indentation():
    html = ("<p>Steps:</p><ul><li>Open the app</li><li>Tap <b>Cards</b></li></ul>"
            "<pre>def fee(amount):\n    return  amount * 0.02</pre><script>track()</script>"
            "<style>p{color:red}</style><p>Use <code>fee(10)</code> to check.</p>")
    assert html_fragment_to_text(html) == ("Steps:\n\n- Open the app\n- Tap Cards\n\n"
                                  "```\ndef fee(amount):\n    return  amount * 0.02\n```\n\n"
                                  "Use `fee(10)` to check.")


def test_text_about_html_survives_unchanged():
    about = ["How do I center a `<div>`?",
             "use the <br> tag to break a line",
             "What is the difference between <div> and <span>?",
             "You can write <b>bold</b> text with the b element.",
             "Wrap it:\n```html\n<div class=\"box\"><p>hi</p></div>\n```\nthen add CSS.",
             "if a<b and c>d then swap them",
             "Fish & chips &amp; more"]
    texts, ctx = run_html(*about)
    assert texts == about
    assert ctx.counts["changed"] == 0


def test_hindi_inside_markup_and_empty_fields():
    texts, _ = run_html("<p>मेरा कार्ड अभी तक नहीं आया है।</p><p>कृपया मदद करें।</p>", "", "<p></p>")
    assert texts == ["मेरा कार्ड अभी तक नहीं आया है।\n\nकृपया मदद करें।", "", ""]


def test_is_markup_needs_real_structure():
    assert is_markup('<div class="msg-body"><span style="font-family:Arial">Hi</span><br/></div>')
    assert not is_markup("the <p> element")
    assert not is_markup("no tags at all")


def test_escaped_plain_text_is_decoded_but_a_lone_entity_is_not():
    texts, ctx = run_html("I don&#39;t know why &quot;Top up&quot; failed", "Use &amp; in URLs",
                          "Write `&lt;` and `&gt;` in HTML")
    assert texts == ['I don\'t know why "Top up" failed', "Use &amp; in URLs",
                     "Write `&lt;` and `&gt;` in HTML"]
    assert ctx.counts["changed"] == 1


def test_answer_showing_an_html_snippet_after_prose_is_content():
    answer = ('Use flexbox on the parent:\n<div class="parent" style="display:flex">\n'
              '  <p>centered</p>\n</div>\nThen set justify-content: center.')
    texts, ctx = run_html(answer, "Line one<br>Line two")
    assert texts == [answer, "Line one\nLine two"]
    assert ctx.counts["changed"] == 1


def test_malformed_markup_does_not_lose_text():
    texts, _ = run_html("<div><p>Card <b>blocked</div> since <i>Monday", "<p>Refund &amp; fees<p>second<br")
    assert texts[0].split() == ["Card", "blocked", "since", "Monday"]
    assert texts[1].startswith("Refund & fees\n\nsecond")


STOPWATCH = """<!DOCTYPE html>
<html>
<head>
<style>
  .stopwatch { font-family: monospace; font-size: 36px; }
</style>
</head>
<body>
  <div class="stopwatch">0.00</div>
  <button id="start">Start</button> <button id="stop">Stop</button> <button id="reset">Reset</button>
  <script>
    let t = 0, timer = null;
    document.getElementById("start").onclick = () => {
      timer = setInterval(() => { t += 0.01; render(); }, 10);
    };
  </script>
</body>
</html>"""


def pair(user, assistant):
    record = Record("w.jsonl:1", [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}])
    ctx = Context("html", seed=0)
    out = list(HtmlPass.from_options({}).run([record], ctx))
    return out[0].messages[1]["content"], ctx


def test_a_page_the_instruction_asks_for_is_kept_intact():
    for ask in ("Write an HTML, CSS and JavaScript stopwatch with start, stop and reset buttons.",
                "Ek stopwatch banao HTML mein jo start/stop kare",
                "Make me a stopwatch web page"):
        answer, ctx = pair(ask, STOPWATCH)
        assert answer == STOPWATCH, ask
        assert ctx.counts["markup_kept_as_content"] == 1 and not ctx.counts["changed"]


def test_a_link_snippet_asked_for_is_kept():
    answer, _ = pair("Write an HTML code snippet to show a hyperlink to an external website.",
                     '<a href="https://example.com">Visit external website</a>')
    assert answer == '<a href="https://example.com">Visit external website</a>'


def test_scripts_and_server_code_are_content_even_when_not_asked_for_by_name():
    php = ('<?php\n$file = fopen("data.txt", "r");\nwhile (($line = fgets($file)) !== false) {\n'
           '    echo $line . "<br />";\n}\nfclose($file);\n?>')
    assert pair("मुझे एक stopwatch बना कर दो", STOPWATCH)[0] == STOPWATCH
    assert pair("Print a text file line by line on the server", php)[0] == php


def test_wrapped_support_replies_are_still_stripped():
    reply = ('<html><body><p>Namaste Ravi ji,</p><p>Aapka card block kar diya gaya hai.'
             '<br>Naya card 5 din mein aayega.</p><p>Regards,<br>Sahayak Bank</p></body></html>')
    answer, ctx = pair("Mera card chori ho gaya, website pe block nahi ho raha", reply)
    assert answer == ("Namaste Ravi ji,\n\nAapka card block kar diya gaya hai.\nNaya card 5 din mein aayega."
                      "\n\nRegards,\nSahayak Bank")
    assert ctx.counts["changed"] == 1


def test_everyday_words_and_template_placeholders_do_not_make_a_reply_content():
    reply = "<p>Dear {{customer_name}},</p><p>Please react quickly to the fraud alert in the app.</p>"
    answer, ctx = pair("How should I react to a fraud alert on my card?", reply)
    assert answer == "Dear {{customer_name}},\n\nPlease react quickly to the fraud alert in the app."


HELP_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Reset your password | Help Centre</title>
<style>.hc-nav{display:flex} .hc-article p{line-height:1.6}</style>
<script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}</script>
</head><body>
<nav><a href="/">Help Centre</a> <svg class="icon" viewBox="0 0 16 16"><path d="M1 1h14v14H1z"/></svg></nav>
<form action="/search"><input type="search" name="q" placeholder="Search articles"><button>Search</button></form>
<article class="hc-article"><h1>Reset your password</h1>
<p>If you forgot the password of your account, open the sign-in page and choose
<strong>Forgot password</strong>. We send a link to the address you registered with; the link works
for thirty minutes. Open it on the same device, pick a new password of at least twelve characters and
sign in again. Saved sessions on other devices are signed out for your safety.</p>
<p>अगर लिंक नहीं आया तो spam folder देखें या दस मिनट बाद फिर से कोशिश करें।</p>
<pre><code>&lt;script src="reset.js"&gt;&lt;/script&gt;</code></pre>
</article>
<script src="https://cdn.example.com/widget.js"></script>
<button onclick="window.scrollTo(0, 0)">Back to top</button>
</body></html>"""


def test_a_help_centre_page_with_scripts_styles_and_svg_is_converted_not_kept_as_markup():
    answer, ctx = pair("How do I reset my password?", HELP_PAGE)
    assert ctx.counts["changed"] == 1 and not ctx.counts["markup_kept_as_content"]
    assert "<" not in answer.replace('<script src="reset.js"></script>', "")
    assert "dataLayer" not in answer and "hc-nav" not in answer
    assert "choose\nForgot password" in answer or "choose Forgot password" in answer
    assert "अगर लिंक नहीं आया" in answer
    assert '<script src="reset.js"></script>' in answer          # the escaped example survives as code


def test_text_about_script_and_div_tags_and_short_widgets_stay_as_written():
    about = ("Where should the <script> tag go: in <head> or at the end of <body>? "
             "And why does my <div> collapse when its children float?")
    widget = '<div id="app"><p>Counter</p><button onclick="n++">Add</button><script>let n = 0;</script></div>'
    assert pair("Quick question", about)[0] == about
    assert pair("क्या यह सही है?", widget)[0] == widget
    assert pair("मुझे एक stopwatch बना कर दो", STOPWATCH)[0] == STOPWATCH


def test_a_docs_page_about_html_is_no_request_for_html_and_is_converted():
    page = HELP_PAGE.replace("Reset your password</h1>", "Accessible HTML and CSS forms</h1>")
    record = Record("docs.jsonl:1", [{"role": "user", "content": page}])
    ctx = Context("html", seed=0)
    text = list(HtmlPass.from_options({}).run([record], ctx))[0].messages[0]["content"]
    assert "Accessible HTML and CSS forms" in text and "<article" not in text and "dataLayer" not in text
    asked = Record("w.jsonl:1", [{"role": "user", "content": "Write the HTML for a password help page"},
                                 {"role": "assistant", "content": page}])
    assert list(HtmlPass.from_options({}).run([asked], Context("html", seed=0)))[0].messages[1]["content"] == page


def test_a_static_site_page_with_front_matter_is_markup_and_a_yaml_note_is_not():
    page = "---\ntitle: Reset your password\nlayout: article\n---\n" + HELP_PAGE
    assert is_markup(page)
    assert pair("Summarise this help article", page)[0].count("<") <= 2    # the escaped example only
    note = "---\ntitle: Notes\n---\nUse the <br> tag for a line break, not <p></p>."
    assert not is_markup(note)
