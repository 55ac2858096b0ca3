"""An endpoint system against the local llama.cpp server (SmolLM2-135M-Instruct Q4_1 GGUF): items/s
at concurrency 1, 4 and 8, and evalkit's overhead over the same requests made with the raw
`openai` client (same messages, same parameters, same thread pool size).

    .venv/bin/python bench/evalkit_endpoint.py [--items 24] [--max-new-tokens 16] [--threads 2]

No cache is used for the timed requests (every number is a real request). Raw and evalkit runs
send the same messages (greedy: the same work) and alternate, the fastest of `--repeats` each
kept. On a loaded machine that end-to-end difference is mostly noise, so evalkit's own work per
item is also measured apart: the same EndpointSystem with its generation cache on and a client
that answers instantly, over 500 items; divided by the raw client's time per item it is the
overhead. Prints a markdown table.
"""
from __future__ import annotations

import argparse
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

QUESTIONS = [
    "How can I reset the PIN for UPI?", "मेरा खाता बंद है, मदद करें।", "Block my debit card please.",
    "Recharge fail ho gaya, paisa wapas chahiye.", "Why was my card charged twice?",
    "What is the balance of my savings account?", "Mera OTP nahi aa raha hai.",
    "How do I close a <div> tag in the help page editor?",
]


def conversations(n: int) -> list[list[dict]]:
    return [[{"role": "user", "content": f"{QUESTIONS[i % len(QUESTIONS)]} (ticket {i})"}]
            for i in range(n)]


def raw_run(url: str, model: str, batch, max_tokens: int, concurrency: int) -> float:
    from openai import OpenAI

    client = OpenAI(base_url=url, api_key="not-needed", max_retries=5)

    def one(messages):
        client.chat.completions.create(model=model, messages=messages, temperature=0.0, top_p=1.0,
                                       max_tokens=max_tokens, seed=0)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, batch))
    return time.perf_counter() - started


def evalkit_run(url: str, model: str, batch, max_tokens: int, concurrency: int) -> float:
    from evalkit.endpoint import EndpointSystem
    from evalkit.generate import GenerationParams
    from evalkit.systems_file import SystemSpec

    spec = SystemSpec("served", endpoint=url, model=model, max_concurrency=concurrency)
    system = EndpointSystem(spec, GenerationParams(max_new_tokens=max_tokens), cache=None)
    started = time.perf_counter()
    system.replies(batch)
    return time.perf_counter() - started


class _Instant:
    """A client whose every chat completion returns at once: what is left is evalkit's own work
    per item (cache key, messages JSON, cache write, thread pool, usage), free of server noise."""

    def __init__(self):
        from types import SimpleNamespace as NS

        reply = NS(choices=[NS(message=NS(content="Your card has been blocked."))],
                   usage=NS(prompt_tokens=40, completion_tokens=8))
        self.chat = NS(completions=NS(create=lambda **_: reply))


def own_cost_ms(items: int, concurrency: int) -> float:
    """evalkit's own milliseconds per item, with the generation cache on (as in a real run)."""
    import tempfile

    import openai  # noqa: F401  (imported on first use inside evalkit: not part of the timing)

    from evalkit.endpoint import EndpointSystem
    from evalkit.generate import GenerationParams, JsonlCache
    from evalkit.systems_file import SystemSpec

    with tempfile.TemporaryDirectory() as tmp:
        spec = SystemSpec("served", endpoint="http://127.0.0.1:9/v1", model="m",
                          max_concurrency=concurrency)
        system = EndpointSystem(spec, GenerationParams(max_new_tokens=16),
                                JsonlCache(Path(tmp) / "cache.jsonl"))
        system._client = _Instant()
        started = time.perf_counter()
        system.replies(conversations(items))
        return 1000 * (time.perf_counter() - started) / items


def main() -> None:
    from evalkit.llama_server import serve

    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=24)
    parser.add_argument("--max-new-tokens", type=int, default=16)
    parser.add_argument("--threads", type=int, default=None, help="llama.cpp threads")
    parser.add_argument("--concurrency", default="1,4,8")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))   # `kill` stops the server too
    with serve("smollm2-135m", threads=args.threads) as server:
        warm = conversations(2)
        raw_run(server.base_url, server.model, warm, args.max_new_tokens, 1)
        print("| concurrency | items | raw client items/s | evalkit items/s | end to end | "
              "evalkit's own work per item | own work / raw time per item |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for concurrency in (int(c) for c in args.concurrency.split(",")):
            batch, raw, ours = conversations(args.items), [], []
            for _ in range(args.repeats):         # alternated; the fastest of each is kept
                raw.append(raw_run(server.base_url, server.model, batch, args.max_new_tokens,
                                   concurrency))
                ours.append(evalkit_run(server.base_url, server.model, batch,
                                        args.max_new_tokens, concurrency))
            raw_s, ours_s = min(raw), min(ours)
            own = own_cost_ms(500, concurrency)
            print(f"| {concurrency} | {args.items} | {args.items / raw_s:.2f} | "
                  f"{args.items / ours_s:.2f} | {100 * (ours_s - raw_s) / raw_s:+.1f}% | "
                  f"{own:.2f} ms | {100 * own / 1000 / (raw_s / args.items):.2f}% |", flush=True)


if __name__ == "__main__":
    main()
