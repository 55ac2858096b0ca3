"""--workers N: local systems evaluated side by side in processes with one torch thread each
(evalkit/parallel.py). The rows must be those of one process with one thread — outputs, NLLs,
scores, in the same order — whatever the workers' order of finishing; the cache written by the
workers must serve a re-run without generating."""
import json

import pytest
from _evalkit_util import lively_model_dir, make_adapter  # noqa: F401 (a fixture)
from _evalkit_util import write_clean as write_eval_clean

from evalkit.config import RunConfig

SYSTEMS = "zero-shot,few-shot,rag,fine-tuned"


def run(tmp_path, clean, adapter, model_dir, out, **overrides):
    from evalkit.runner import run as evalkit_run

    config = RunConfig(data=clean, systems=SYSTEMS, adapter=adapter, out=tmp_path / out,
                       model=str(model_dir), max_new_tokens=6, k=2, resamples=50,
                       dtype="bfloat16", **overrides)
    evalkit_run(config)
    rows = [json.loads(line) for line in (tmp_path / out / "results.jsonl").read_text().splitlines()]
    for row in rows:
        row.pop("latency_s", None)
    return rows


def test_workers_give_the_rows_of_one_single_threaded_process(tmp_path, lively_model_dir,
                                                              monkeypatch):
    import torch

    clean = write_eval_clean(tmp_path / "clean")
    adapter = make_adapter(lively_model_dir, tmp_path / "runs" / "v1")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        alone = run(tmp_path, clean, adapter, lively_model_dir, "alone")
    finally:
        torch.set_num_threads(threads)
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr("torch.get_num_threads", lambda: 2)    # the threads the run holds in all
    side_by_side = run(tmp_path, clean, adapter, lively_model_dir, "workers", workers=2)
    # each of the two one-thread workers held half of the two threads (its requests cost half)
    assert {row.pop("machine_share") for row in side_by_side} == {0.5}
    assert [r["system"] for r in side_by_side] == [r["system"] for r in alone]
    assert len({r["system"] for r in alone}) == 4 and any(r["output"] for r in alone)
    assert side_by_side == alone

    cache = tmp_path / "workers" / "cache" / "generations.jsonl"
    written = cache.read_text()
    assert len(written.splitlines()) == len(alone)     # every worker's rows reached the cache
    again = run(tmp_path, clean, adapter, lively_model_dir, "workers", workers=2)
    assert cache.read_text() == written                # a re-run generated nothing
    assert all(row.pop("cached") for row in again)
    assert {row.pop("machine_share") for row in again} == {0.5}     # kept by the cache
    assert again == [{k: v for k, v in row.items() if k != "cached"} for row in alone]


def test_workers_must_be_at_least_one():
    with pytest.raises(ValueError, match="workers"):
        RunConfig(data="clean", out="ev", systems=SYSTEMS, workers=0)


def test_jobs_start_with_the_longest_prompts_so_no_worker_runs_alone_at_the_end():
    """The demo's four systems on two workers: RAG (passages) and few-shot (shots) first."""
    from evalkit.parallel import longest_first

    class Prompted:
        def __init__(self, name, extra):
            self.name, self.extra = name, extra

        def messages(self, item):
            return [{"role": "system", "content": "पासवर्ड " * self.extra},
                    {"role": "user", "content": item}]

    items = ["mera refund kab aayega?", "How do I reset my UPI PIN?"]
    jobs = [(None, Prompted(name, extra), items) for name, extra in
            (("zero-shot", 5), ("few-shot", 40), ("rag", 60), ("fine-tuned", 0), ("twin", 5))]
    assert [system.name for _, system, _ in longest_first(jobs)] == \
        ["rag", "few-shot", "zero-shot", "twin", "fine-tuned"]       # ties keep their order
