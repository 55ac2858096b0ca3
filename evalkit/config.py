"""The evaluation config: every setting of `evalkit run` declared once, with its default, its help
text and its validation. The CLI's flags, the keys of `--config eval.yaml` and the keyword
arguments of `evalkit.run(...)` are generated from these fields (train/options.py).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

from evalkit.cost import check_cost_model
from evalkit.curve import parse_fractions
from train.options import ConfigError, parse_fields, setting

BACKENDS = ("transformers", "llamacpp", "vllm")

__all__ = ["ConfigError", "RunConfig", "ScoreConfig", "parse_cost_model"]


def parse_cost_model(value) -> dict | None:
    """Prices as a mapping, inline JSON or a .json file (evalkit.cost's keys)."""
    if value is None or isinstance(value, dict):
        return check_cost_model(value)
    value = str(value)
    try:
        text = Path(value).read_text(encoding="utf-8") if value.endswith(".json") else value
        parsed = json.loads(text)
    except (json.JSONDecodeError, OSError) as exc:
        raise ValueError(f"must be JSON, inline or a .json file: {value} ({exc})") from None
    if not isinstance(parsed, dict):
        raise ValueError(f"must be a JSON object: {value}")
    return check_cost_model(parsed)


def _backend(value) -> str:
    if value not in BACKENDS:
        raise ValueError(f"must be one of {', '.join(BACKENDS)}, got {value!r}")
    return value


def _path(value) -> Path | None:
    return None if value is None else Path(value)


def _strings(value) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _paths(value) -> tuple[Path, ...]:
    return (Path(value),) if isinstance(value, (str, Path)) else tuple(Path(v) for v in value)


# The verdict's settings, declared once for `evalkit run` and `evalkit score` (a factory each: a
# dataclass field object belongs to one class).
def _primary():
    return setting(None, help="primary metric for the verdict (default per task)")


def _min_effect():
    return setting(0.0, help="fine-tuning wins only if the 95% CI of its lead on the primary "
                             "metric lies above this")


def _resamples():
    return setting(1000, help="bootstrap resamples")


def _check_at_least(cfg, lows: tuple[tuple[str, int], ...]) -> None:
    """Integer settings with a floor (None allowed only for --limit); one line naming the flag."""
    for name, low in lows:
        value = getattr(cfg, name)
        if value is None and name == "limit":
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ConfigError(name, f"must be an integer ≥ {low}, got {value!r}")


@dataclass
class RunConfig:
    data: Path = setting(help="curate's output folder (test.jsonl, train.jsonl); required (here "
                              "or in --config)", parse=Path)
    out: Path = setting(help="folder for results.jsonl, metrics.json, report.*; required (here "
                             "or in --config)", parse=Path)
    model: str | None = setting(None, help="base model: alias, HF folder or .gguf "
                                           "(default: the base named in the adapter's run.json)")
    adapter: Path | None = setting(None, help="train's run folder (runs/NAME) or adapter folder",
                                   parse=_path)
    systems: str = setting("zero-shot,few-shot,rag,fine-tuned",
                           help="comma-separated, or a systems.yaml of local and served systems")
    limit: int | None = setting(None, help="N test items, every label in proportion "
                                           "(a seeded sample; a quick look)")
    seed: int = setting(0, help="seeds random few-shot picks and the bootstrap")
    docs: Path | None = setting(None, help="RAG over .txt/.md/.html files here instead of the "
                                           "train split", parse=_path)
    k: int = setting(3, help="few-shot examples / RAG passages per prompt")
    few_shot: str = setting("bm25", help="few-shot selection: bm25 (most similar) or random")
    max_new_tokens: int = setting(128, help="longest answer generated, in tokens")
    batch_size: int = setting(8, help="prompts generated or scored together")
    backend: str = setting("transformers", help="local systems on transformers (the reference), "
                                                "llamacpp: llama.cpp's server on the GGUF and "
                                                "the adapter as a GGUF LoRA (outputs differ), or "
                                                "vllm: GPU machines, the adapter as a vLLM LoRA "
                                                "request",
                           parse=_backend)
    workers: int = setting(1, help="local systems evaluated side by side, each in its own "
                                   "process with one torch thread (CPU, transformers backend; "
                                   "at most one per core): outputs then do not depend on the "
                                   "machine's core count")
    dtype: str = setting("float32", help="float32, or bfloat16 (faster on CPUs with bf16 "
                                         "matmul; likelihoods then carry bf16 rounding)")
    primary: str | None = _primary()
    min_effect: float = _min_effect()
    system_prompt: str | None = setting(None, help="system message for every system")
    stop: tuple[str, ...] = setting(help="stop string (repeatable)", factory=tuple,
                                    cli_type=List[str], parse=_strings)
    resamples: int = _resamples()
    cost_model: dict | None = setting(
        None, help="prices as JSON (inline or a .json file): usd_per_hour (local compute), "
                   "train_usd_per_hour or train_usd, usd_per_1k_prompt_tokens, "
                   "usd_per_1k_completion_tokens, build_usd {system: usd}, horizon_months; "
                   "default: compute-seconds",
        cli_type=Optional[str], parse=parse_cost_model)
    served_perplexity: bool = setting(
        False, help="endpoint systems: the reference's perplexity from the server's prompt "
                    "log-probs (two more requests per item; vLLM and llama.cpp can)")
    requests_per_month: int | None = setting(
        None, help="the verdict names the system to use at this volume (monthly cost with "
                   "training spread over the cost model's horizon_months, default 12)")
    judge: str | None = setting(None, help="a system of this run that judges fine-tuned against "
                                           "each baseline, item by item, in both orders")
    curve: tuple[float, ...] = setting(
        (), help="learning curve: train at these fractions of the train split with the "
                 "adapter's settings, e.g. 0.25,0.5,1.0",
        cli_type=Optional[str], cli_default=None, parse=parse_fractions)

    def __post_init__(self):
        """Flags that would crash after the model load, or silently change the test set (a
        negative --limit used to slice off the last items), fail here with one line."""
        parse_fields(self)
        _check_at_least(self, (("batch_size", 1), ("workers", 1), ("k", 1), ("max_new_tokens", 1),
                               ("resamples", 1), ("seed", 0), ("limit", 1)))
        if self.requests_per_month is not None:
            _check_at_least(self, (("requests_per_month", 1),))


@dataclass
class ScoreConfig:
    """`evalkit score`: outputs made elsewhere, scored against the test split; no model."""
    hyps: tuple[Path, ...] = setting(help='{"id", "output"} JSON lines; one file per system '
                                          "(named by its stem)", cli_type=List[Path],
                                     cli_default=..., parse=_paths)
    refs: Path = setting(help="the test split (clean/test.jsonl)", cli_default=..., parse=Path)
    out: Path = setting(help="folder for results.jsonl, metrics.json, report.*", cli_default=...,
                        parse=Path)
    primary: str | None = _primary()
    min_effect: float = _min_effect()
    seed: int = setting(0, help="seeds the bootstrap")
    resamples: int = _resamples()

    def __post_init__(self):
        parse_fields(self)
        _check_at_least(self, (("resamples", 1), ("seed", 0)))
