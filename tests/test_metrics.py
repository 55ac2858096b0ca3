"""Text, label and perplexity metrics against the reference implementations, in English and Hindi."""
import math
import re

import pytest
import sacrebleu
from _results_util import result_row
from rouge_score import rouge_scorer

from evalkit.metrics import (Accuracy, BitsPerByte, Bleu, BytePerplexity, Chrf, ExactMatch,
                             MacroF1, Rouge, TokenPerplexity, UnicodeWordTokenizer, UnmappedRate,
                             build_metrics, map_output)

ENGLISH = [
    ("The refund was issued to your card on Monday.", "Your refund was issued on Monday to the card."),
    ("Please reset the password via the link (valid 24h).", "Reset your password using the link; it is valid for 24 hours."),
    ("Use a <div> tag, not a <span>_wrapper.", "Wrap it in a <div> tag instead of a span wrapper."),
    ("I can't help with that.", "Order #4411 ships tomorrow."),
]
HINDI_REF = "मेरा ऑर्डर अभी तक नहीं आया है, कृपया जल्दी भेजें।"
HINDI_PARTIAL = "मेरा ऑर्डर अभी तक नहीं पहुँचा, कृपया जाँच करें।"


@pytest.mark.parametrize("variant", ["rouge1", "rouge2", "rougeL"])
def test_rouge_matches_rouge_score_on_english(variant):
    reference = rouge_scorer.RougeScorer([variant])
    ours = Rouge(variant)
    for hyp, ref in ENGLISH:
        assert ours.sentence_score(hyp, ref) == pytest.approx(reference.score(ref, hyp)[variant].fmeasure)


def test_rouge_default_tokenizer_zeroes_hindi_and_ours_does_not():
    default = rouge_scorer.RougeScorer(["rouge1"]).score(HINDI_REF, HINDI_REF)["rouge1"].fmeasure
    assert default == 0.0  # the bug this tokenizer exists for
    for variant in ("rouge1", "rouge2", "rougeL"):
        assert Rouge(variant).sentence_score(HINDI_REF, HINDI_REF) == 1.0
        assert 0.0 < Rouge(variant).sentence_score(HINDI_PARTIAL, HINDI_REF) < 1.0


def test_tokenizer_keeps_matras_and_virama_inside_words():
    word = "नमस्ते"  # न म स ् त े : virama and vowel sign are combining marks (\p{M})
    assert re.findall(r"\w+", word) != [word]  # a \w-only tokenizer splits it
    assert UnicodeWordTokenizer().tokenize(f"{word}, दुनिया! किताबें।") == [word, "दुनिया", "किताबें"]
    assert UnicodeWordTokenizer().tokenize("Mera order kab aayega? मेरा ऑर्डर") == [
        "mera", "order", "kab", "aayega", "मेरा", "ऑर्डर"]


def test_bleu_and_chrf_match_sacrebleu_on_english():
    hyps, refs = [h for h, _ in ENGLISH], [r for _, r in ENGLISH]
    assert Bleu().corpus_score(hyps, refs) == pytest.approx(sacrebleu.corpus_bleu(hyps, [refs]).score)
    assert Chrf().corpus_score(hyps, refs) == pytest.approx(sacrebleu.corpus_chrf(hyps, [refs]).score)
    assert Bleu().sentence_score(*ENGLISH[0]) == pytest.approx(
        sacrebleu.sentence_bleu(*ENGLISH[0][:1], [ENGLISH[0][1]]).score)


def test_summed_statistics_reproduce_corpus_scores():
    rows = [result_row(output=h, reference=r) for h, r in ENGLISH]
    for metric in (Bleu(), Chrf()):
        assert metric.score_rows(rows) == pytest.approx(
            metric.corpus_score([h for h, _ in ENGLISH], [r for _, r in ENGLISH]))


def test_identical_hindi_scores_100_and_partial_overlap_in_between():
    for metric in (Bleu(), Chrf()):
        assert metric.corpus_score([HINDI_REF], [HINDI_REF]) == pytest.approx(100.0)
        assert 0.0 < metric.corpus_score([HINDI_PARTIAL], [HINDI_REF]) < 100.0


def test_signatures_name_tokenizer_and_version():
    assert "tok:unicode-words" in Rouge("rougeL").signature()
    assert "version:rouge-score-" in Rouge("rougeL").signature()
    assert Bleu().signature().startswith("bleu|nrefs:1|") and "tok:13a" in Bleu().signature()
    assert f"version:{sacrebleu.__version__}" in Chrf().signature() and "nc:6" in Chrf().signature()
    assert "exp(sum_nll/sum_bytes)" in BytePerplexity().signature()


def test_exact_match_normalises_case_punctuation_and_danda():
    em = ExactMatch()
    assert em.sentence_score("  Refund! ", "refund") == 1.0
    assert em.sentence_score("धन्यवाद।", "धन्यवाद") == 1.0
    assert em.sentence_score("refund please", "refund") == 0.0


LABELS = ["refund", "refund status", "billing_issue", "रिफंड"]


@pytest.mark.parametrize("output, expected", [
    ("Refund.", "refund"),                                     # exact after normalisation
    ("billing issue", "billing_issue"),                        # _ and space are the same
    ("The intent is: refund status", "refund status"),         # longest label at a position
    ("Intent: billing-issue, not refund", "billing_issue"),    # earliest mention wins
    ("यह रिफंड का मामला है", "रिफंड"),                            # Hindi label mentioned
    ("refunded", "unmapped"),                                  # whole words only
    ("", "unmapped"),
])
def test_map_output(output, expected):
    assert map_output(output, LABELS) == expected


def test_accuracy_macro_f1_and_unmapped_rate_by_hand():
    rows = [result_row(output=o, label=g) for o, g in [
        ("refund", "refund"), ("refund", "billing"), ("billing", "billing"),
        ("no idea", "billing"), ("billing", "delivery")]]
    labels = ["billing", "delivery", "refund"]
    assert Accuracy(labels).score_rows(rows) == pytest.approx(2 / 5)
    assert UnmappedRate(labels).score_rows(rows) == pytest.approx(1 / 5)
    # refund: tp1 fp1 fn0 → 2/3; billing: tp1 fp1 fn2 → 2/5; delivery: tp0 fn1 → 0
    assert MacroF1(labels).score_rows(rows) == pytest.approx((2 / 3 + 2 / 5 + 0) / 3)


def test_perplexity_is_corpus_level_not_a_mean_of_items():
    rows = [result_row(nll=2.0, ref_tokens=1, ref_bytes=4), result_row(nll=30.0, ref_tokens=10, ref_bytes=40)]
    assert TokenPerplexity().score_rows(rows) == pytest.approx(math.exp(32 / 11))
    assert BytePerplexity().score_rows(rows) == pytest.approx(math.exp(32 / 44))
    assert BitsPerByte().score_rows(rows) == pytest.approx(32 / 44 / math.log(2))
    assert TokenPerplexity().item_scores(rows) == pytest.approx([math.exp(2.0), math.exp(3.0)])
    assert not TokenPerplexity().applies([result_row(nll=None, ref_tokens=3)])


def test_build_metrics_adds_label_metrics_only_for_labelled_rows():
    plain = [m.name for m in build_metrics([result_row(label=None)])]
    labelled = [m.name for m in build_metrics([result_row(label="refund")])]
    assert "accuracy" not in plain and {"accuracy", "macro_f1"} <= set(labelled)


def test_per_item_scores_equal_sacrebleu_sentence_scores():
    rows = [result_row(output=h, reference=r) for h, r in ENGLISH + [(HINDI_PARTIAL, HINDI_REF)]]
    bleu = [sacrebleu.sentence_bleu(r.output, [r.reference]).score for r in rows]
    chrf = [sacrebleu.sentence_chrf(r.output, [r.reference]).score for r in rows]
    assert Bleu().item_scores(rows) == pytest.approx(bleu)
    assert Chrf().item_scores(rows) == pytest.approx(chrf)


def test_an_empty_reference_does_not_remove_perplexity():
    rows = [result_row(nll=0.0, ref_tokens=0, ref_bytes=0), result_row(nll=6.0, ref_tokens=3, ref_bytes=9)]
    assert TokenPerplexity().applies(rows)
    assert TokenPerplexity().score_rows(rows) == pytest.approx(math.exp(2.0))
    assert math.isnan(TokenPerplexity().item_scores(rows)[0])
