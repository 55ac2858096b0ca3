"""BM25 retrieval: Hindi words stay whole, ties break by position, the query's copies are excluded,
and docs folders (txt/md/html) are read and chunked."""
import pytest

from evalkit.docs import (CHUNK_OVERLAP, CHUNK_WORDS, DocsError, chunk_words, passages_from_docs,
                          passages_from_records)
from evalkit.retrieval import BM25Index, tokenize

CORPUS = [
    "How do I reset my UPI PIN?",
    "My card was charged twice for the same order.",
    "मेरा खाता बंद हो गया है, कृपया मदद करें।",
    "Mera recharge fail ho gaya lekin paisa kat gaya.",
    "I want to block my debit card immediately.",
]


def test_tokenize_keeps_devanagari_words_whole():
    assert tokenize("मेरा खाता बंद") == ["मेरा", "खाता", "बंद"]
    assert tokenize("Refund <div> PIN!") == ["refund", "div", "pin"]


def test_search_ranks_the_relevant_passage_first_for_hindi_english_and_hinglish():
    index = BM25Index(CORPUS)
    assert index.search("खाता बंद है", 1)[0].index == 2
    assert index.search("reset UPI pin", 1)[0].index == 0
    assert index.search("recharge fail paisa", 1)[0].index == 3


def test_ties_break_by_corpus_position():
    index = BM25Index(["refund please", "please refund", "refund please now"][:2] + ["other text"])
    hits = index.search("refund", 3)
    assert [h.index for h in hits[:2]] == [0, 1]          # equal scores: earlier first
    assert hits[0].score == pytest.approx(hits[1].score)


def test_query_and_its_identical_copies_are_never_retrieved():
    corpus = CORPUS + ["how do I  RESET my upi pin?"]       # same text up to case and spaces
    hits = BM25Index(corpus).search("How do I reset my UPI PIN?", 3)
    texts = [h.text for h in hits]
    assert all("reset" not in t.lower() for t in texts)
    assert len(hits) == 3


def test_keys_exclude_passages_built_from_the_query_record():
    index = BM25Index(["How do I reset my PIN?\nOpen settings.", "Block card\nDone."],
                      keys=["How do I reset my PIN?", "Block card"])
    assert [h.index for h in index.search("How do I reset my PIN?", 2)] == [1]


def test_empty_corpus_and_empty_query():
    assert BM25Index([]).search("anything", 3) == []
    assert len(BM25Index(CORPUS).search("!!!", 2)) == 2      # no tokens: zero scores, by position


def test_chunks_overlap_and_cover_every_word():
    words = [f"w{i}" for i in range(300)]
    chunks = chunk_words(" ".join(words))
    assert all(len(c.split()) <= CHUNK_WORDS for c in chunks)
    assert chunks[1].split()[:CHUNK_OVERLAP] == chunks[0].split()[-CHUNK_OVERLAP:]
    assert {w for c in chunks for w in c.split()} == set(words)
    assert chunk_words("") == [] and chunk_words("एक दो") == ["एक दो"]


def test_docs_folder_reads_txt_md_html_in_sorted_order(tmp_path):
    (tmp_path / "b.md").write_text("# Refunds\nRefunds take 3 days.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("खाता खोलने के लिए शाखा जाएँ।", encoding="utf-8")
    (tmp_path / "c.html").write_text(
        "<html><head><script>var x=1;</script></head><body><article><p>To close a section, "
        "type &lt;/div&gt; after the content of the &lt;div&gt; tag.</p></article></body></html>",
        encoding="utf-8")
    (tmp_path / "skip.pdf").write_bytes(b"%PDF")
    passages = passages_from_docs(tmp_path)
    assert [p.source for p in passages] == ["a.txt#1", "b.md#1", "c.html#1"]
    assert "खाता" in passages[0].text
    assert "</div>" in passages[2].text and "var x" not in passages[2].text


def test_docs_folder_errors_are_one_line(tmp_path):
    with pytest.raises(DocsError, match="no .txt"):
        passages_from_docs(tmp_path)
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(DocsError, match="bad.txt: not UTF-8"):
        passages_from_docs(tmp_path)
    with pytest.raises(DocsError, match="not a folder"):
        passages_from_docs(tmp_path / "missing")


def test_train_passages_are_keyed_by_their_instruction():
    from tunecraft.records import Record

    record = Record("train.jsonl:1", [{"role": "user", "content": "Q?"},
                                      {"role": "assistant", "content": "A."}])
    [passage] = passages_from_records([record])
    assert (passage.source, passage.text, passage.key) == ("train.jsonl:1", "Q?\nA.", "Q?")
