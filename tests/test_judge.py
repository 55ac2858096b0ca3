"""The pairwise judge: verdict parsing, both orders, self-contradiction, unparseable replies,
the cache, κ against human raters, and `--primary judge` in the verdict. Fake judges only."""
import json

import pytest
from _results_util import result_row

from evalkit.judge import (JUDGE_SYSTEM, agreement_with_humans, combine, human_preference,
                           judge_pairs, parse_verdict)
from evalkit.scoring import ScoringError, score_results

ITEMS = [("मेरा ऑर्डर कहाँ है?", "आपका ऑर्डर कल पहुँचेगा।"),
         ("Refund kab milega?", "Refund 3 din mein aa jayega."),
         ("How do I close a <div> tag?", "Type </div> after the content."),
         ("What is 2^10?", "2^10 = 1024."),
         ("def f(x): return x*2 — f(4)?", "f(4) returns 8.")]


def _by_system(n=25, ft_right=True):
    rows = {"fine-tuned": [], "few-shot": []}
    for i in range(n):
        question, reference = ITEMS[i % len(ITEMS)]
        for system in rows:
            right = (system == "fine-tuned") == ft_right
            rows[system].append(result_row(id=f"test.jsonl:{i + 1}", system=system, input=question,
                                           reference=reference, latency_s=0.2 if right else 0.4,
                                           output=reference if right else f"Sorry, no idea ({i})."))
    return rows


def always(reply):
    calls = []

    def chat(batch):
        calls.append(len(batch))
        return [reply] * len(batch)
    chat.calls = calls
    return chat


def knows_the_reference(batch):
    """A judge that sees which answer repeats the reference, in whichever position."""
    replies = []
    for messages in batch:
        text = messages[1]["content"]
        reference = text.split("[Reference answer]\n")[1].split("\n[End")[0]
        a = text.split("[Assistant A's answer]\n")[1].split("\n[End")[0]
        replies.append("A repeats the reference. [[A]]" if a == reference else "B is right. [[B]]")
    return replies


@pytest.mark.parametrize("reply,verdict", [
    ("Both miss the refund window.\n[[C]]", "tie"), ("[[A]]", "A"), ("Verdict: [[ B ]]", "B"),
    ("[[A]] at first, but on reflection [[B]]", None), ("A is better.", None), ("", None),
    ("[[A]] [[A]]", "A")])
def test_a_verdict_is_read_only_when_the_reply_names_exactly_one(reply, verdict):
    assert parse_verdict(reply) == verdict


def test_a_judge_that_always_says_a_contradicts_itself_on_every_item_and_wins_nothing():
    judged = judge_pairs(always("[[A]]"), {"judge": "fake"}, _by_system(), finetuned="fine-tuned",
                         resamples=100).summary["baselines"]["few-shot"]
    assert judged["self_contradiction"] == 1.0 and judged["self_contradictions"] == 25
    assert judged["win"]["value"] == 0 and judged["tie"]["value"] == 1.0
    assert judged["net"]["diff"] == 0


def test_a_judge_that_always_ties_gives_no_wins_and_no_contradictions():
    judged = judge_pairs(always("Equally good. [[C]]"), {"judge": "fake"}, _by_system(),
                         finetuned="fine-tuned", resamples=100).summary["baselines"]["few-shot"]
    assert judged["win"]["value"] == 0 and judged["loss"]["value"] == 0
    assert judged["tie"]["value"] == 1.0 and judged["self_contradiction"] == 0


def test_a_consistent_judge_wins_in_both_orders_with_an_interval():
    out = judge_pairs(knows_the_reference, {"judge": "fake"}, _by_system(ft_right=True),
                      finetuned="fine-tuned", resamples=200)
    judged = out.summary["baselines"]["few-shot"]
    assert judged["win"] == {"value": 1.0, "low": 1.0, "high": 1.0}
    assert judged["self_contradiction"] == 0 and judged["unparseable"] == 0
    first = out.rows[0]
    assert first["finetuned_as_a"]["verdict"] == "A" and first["finetuned_as_b"]["verdict"] == "B"
    lost = judge_pairs(knows_the_reference, {"judge": "fake"}, _by_system(ft_right=False),
                       finetuned="fine-tuned", resamples=200).summary["baselines"]["few-shot"]
    assert lost["loss"]["value"] == 1.0 and lost["net"]["diff"] == -1.0


def test_unparseable_replies_are_counted_never_guessed():
    judged = judge_pairs(always("I think the first one is better."), {"judge": "fake"},
                         _by_system(5), finetuned="fine-tuned").summary["baselines"]["few-shot"]
    assert judged["unparseable"] == 5 and judged["judged"] == 0 and judged["win"] is None
    assert combine("A", None) == (None, False)


def test_judgements_are_cached_so_a_resumed_run_asks_nothing(tmp_path):
    cache = tmp_path / "cache" / "judgements.jsonl"
    first = always("[[C]]")
    judge_pairs(first, {"judge": "fake"}, _by_system(6), finetuned="fine-tuned", cache_path=cache,
                batch_size=4)
    assert sum(first.calls) == 12                             # 6 items × 2 orders

    def must_not_be_called(batch):
        raise AssertionError("asked the judge again")
    again = judge_pairs(must_not_be_called, {"judge": "fake"}, _by_system(6),
                        finetuned="fine-tuned", cache_path=cache)
    assert again.summary["baselines"]["few-shot"]["tie"]["value"] == 1.0
    other = always("[[A]]")                                   # another judge: its own cache keys
    judge_pairs(other, {"judge": "other"}, _by_system(6), finetuned="fine-tuned", cache_path=cache)
    assert sum(other.calls) == 12


def test_a_raters_pair_preference_comes_from_best_then_correctness():
    rating = {"best": "rag", "scores": {"fine-tuned": {"correctness": 4}, "few-shot": {"correctness": 2}}}
    assert human_preference(rating, "fine-tuned", "few-shot") == "win"
    assert human_preference({**rating, "best": "few-shot"}, "fine-tuned", "few-shot") == "loss"
    assert human_preference({**rating, "best": "tie"}, "fine-tuned", "few-shot") == "tie"
    assert human_preference({"best": None, "scores": {}}, "fine-tuned", "few-shot") is None


def test_kappa_between_judge_and_a_rater_on_a_known_table():
    """Judge: win win loss tie; rater: win loss loss tie. p_o = 3/4; marginals (win, loss, tie)
    judge (.5, .25, .25), rater (.25, .5, .25): p_e = .125 + .125 + .0625 = .3125;
    κ = (.75 − .3125) / (1 − .3125) = 0.63636."""
    outcomes = ["win", "win", "loss", "tie"]
    said = ["fine-tuned", "few-shot", "few-shot", "tie"]
    rows = [{"id": f"t:{i}", "baseline": "few-shot", "outcome": o} for i, o in enumerate(outcomes)]
    rows.append({"id": "t:9", "baseline": "few-shot", "outcome": None})       # unparseable: skipped
    human = {"ratings": {"rater-a.xlsx": {f"t:{i}": {"best": b, "scores": {}}
                                          for i, b in enumerate(said)}}}
    out = agreement_with_humans(rows, human, "fine-tuned")["rater-a.xlsx"]
    assert out["units"] == 4 and out["agreement"] == 0.75
    assert out["cohen_kappa"] == pytest.approx(0.7 / 1.1)


def test_primary_judge_drives_the_verdict_and_needs_a_judge():
    by_system = _by_system(25)
    rows = by_system["fine-tuned"] + by_system["few-shot"]
    judge = judge_pairs(knows_the_reference, {"judge": "fake"}, by_system, finetuned="fine-tuned",
                        resamples=200, judge_name="big few-shot").summary
    scored = score_results(rows, primary="judge", judge=judge, resamples=200)
    verdict = scored.metrics["verdict"]
    assert verdict["decision"] == "fine-tuning wins" and verdict["primary"] == "judge"
    assert "win 100%, tie 0%, loss 0%" in verdict["text"]
    assert scored.metrics["judge"]["system_prompt"] == JUDGE_SYSTEM
    with pytest.raises(ScoringError, match="--judge"):
        score_results(rows, primary="judge", resamples=50)


def test_report_shows_the_frontier_the_judge_and_its_prompt(tmp_path):
    from evalkit.runner import write_outputs

    by_system = _by_system(25)
    rows = by_system["fine-tuned"] + by_system["few-shot"]
    judged = judge_pairs(knows_the_reference, {"judge": "fake"}, by_system,
                         finetuned="fine-tuned", resamples=100, judge_name="few-shot")
    scored = score_results(rows, judge=judged.summary, resamples=100, requests_per_month=5000,
                           cost_model={"usd_per_hour": 1.0})
    (tmp_path / "judgements.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in judged.rows), encoding="utf-8")
    ratings = {r.id: {"best": "fine-tuned", "scores": {}} for r in by_system["fine-tuned"]}
    (tmp_path / "human.json").write_text(json.dumps({"raters": ["a"], "ratings": {"a": ratings}}))
    write_outputs(tmp_path, scored.rows, scored.metrics)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "<svg role=\"img\"" in html and "<circle" in html and "Quality against cost" in html
    assert "Which system to use at your volume" in html and "5,000 requests a month" in html
    assert "at most the cost: few-shot (by fine-tuned)" in markdown      # dominated, listed
    assert "impartial judge" in html and "[[A]]" in html and "Judge prompt" in markdown
    assert "[Assistant A&#x27;s answer]" in html                 # the template, escaped
    assert "Judge agreement with the human raters" in markdown
    assert "<svg" not in markdown


def test_an_endpoint_system_judges_through_its_own_chat(tmp_path, monkeypatch):
    """The contract with endpoint systems: the judge asks through EndpointSystem.chat
    (messages_batch -> list[str]); its replies are keyed by the endpoint and model, and written
    to judgements.jsonl."""
    from types import SimpleNamespace

    from evalkit.endpoint import EndpointSystem
    from evalkit.judge import run_judge
    from evalkit.systems_file import SystemSpec

    by_system = _by_system(4)
    asked, built = [], []

    def chat(self, batch):
        built.append(self.identity)
        asked.append(batch)
        return knows_the_reference(batch)
    monkeypatch.setattr(EndpointSystem, "chat", chat)
    big = SystemSpec(name="big", endpoint="http://127.0.0.1:8080/v1", model="smollm2")
    config = SimpleNamespace(judge="big", seed=0, resamples=50, batch_size=8, out=tmp_path)
    rows = by_system["fine-tuned"] + by_system["few-shot"]
    summary = run_judge(config, [big], "fine-tuned", rows, None, None)
    assert sum(len(b) for b in asked) == 8 and asked[0][0][0]["content"] == JUDGE_SYSTEM
    assert built[0] == {"endpoint": "http://127.0.0.1:8080/v1", "model": "smollm2"}
    assert summary["baselines"]["few-shot"]["win"]["value"] == 1.0
    assert len((tmp_path / "judgements.jsonl").read_text(encoding="utf-8").splitlines()) == 4
    run_judge(config, [big], "fine-tuned", rows, None, None)
    assert sum(len(b) for b in asked) == 8                   # the second run asked nothing
