"""`--systems systems.yaml`: one entry per system, local or served, parsed into SystemSpecs.

Why a file: the comparison a team makes is a fine-tuned small model against prompted large models
served elsewhere (a hosted API, vLLM, llama.cpp), each with its own URL, key and price; the comma
list (`zero-shot,few-shot,rag,fine-tuned`) cannot say that. The comma list stays as the short form
and becomes the same specs (`from_names`).

Why PyYAML's nodes rather than `yaml.safe_load`: a mistyped key must be reported at its line, and
only the composed node tree still knows where each key was written.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from evalkit.systems import SystemsError

PROMPTS = ("zero-shot", "few-shot", "rag")
PRICE_KEYS = ("prompt_per_1m", "completion_per_1m")
DEFAULT_CONCURRENCY = 4
DEFAULT_TIMEOUT_S = 60.0


class SystemsFileError(SystemsError):
    """A systems file that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class SystemSpec:
    """One system of the comparison. `endpoint` set: served (evalkit.endpoint), else local.

    `price` stays a plain {prompt_per_1m, completion_per_1m} dict (USD per million tokens) for the
    cost model; `api_key_env` names the variable holding the key, never the key itself."""
    name: str
    prompt: str = "zero-shot"
    model: str | None = None
    adapter: Path | None = None
    endpoint: str | None = None
    api_key_env: str | None = None
    k: int | None = None
    docs: Path | None = None
    price: dict | None = None
    max_concurrency: int = DEFAULT_CONCURRENCY
    system_prompt: str | None = None
    timeout: float = DEFAULT_TIMEOUT_S
    line: int | None = field(default=None, compare=False)

    @property
    def is_endpoint(self) -> bool:
        return self.endpoint is not None

    @property
    def is_finetuned(self) -> bool:
        return self.adapter is not None or (self.name == "fine-tuned" and not self.is_endpoint)

    def describe(self) -> dict:
        """What metrics.json records about the system (no secret: the key's variable name only)."""
        said = {"prompt": self.prompt, "model": self.model,
                "adapter": str(self.adapter) if self.adapter else None}
        if self.is_endpoint:
            said.update(endpoint=self.endpoint, api_key_env=self.api_key_env, price=self.price,
                        max_concurrency=self.max_concurrency, timeout_s=self.timeout)
        return said


def is_systems_file(value: str) -> bool:
    return str(value).endswith((".yaml", ".yml")) or Path(str(value)).is_file()


def from_names(spec: str, adapter: Path | None) -> list[SystemSpec]:
    """The short form: `zero-shot,few-shot,rag,fine-tuned` on the run's model (and --adapter)."""
    from evalkit.systems import parse_systems

    return [SystemSpec(name, prompt="zero-shot" if name == "fine-tuned" else name,
                       adapter=adapter if name == "fine-tuned" else None)
            for name in parse_systems(spec)]


def load_systems_file(path: str | Path) -> list[SystemSpec]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SystemsFileError(f"{path}: cannot read the systems file ({exc})") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise SystemsFileError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(root, yaml.MappingNode) or not root.value:
        raise SystemsFileError(f"{path}: expected one entry per system (name: {{model: …}})")
    specs, seen = [], set()
    for key_node, value_node in root.value:
        name = str(_value(key_node)).strip()
        if name in seen:
            raise SystemsFileError(f"{path}:{_line(key_node)}: system {name!r} appears twice")
        seen.add(name)
        specs.append(_spec(path, name, key_node, value_node))
    return specs


def finetuned_name(specs: list[SystemSpec]) -> str:
    """The system the others are compared with: the one named fine-tuned, else the first with an
    adapter, else the first served model named like one (`vllm fine-tuned`), else fine-tuned."""
    names = [s.name for s in specs]
    if "fine-tuned" in names:
        return "fine-tuned"
    picked = next((s.name for s in specs if s.adapter is not None), None)
    return picked or next((n for n in names if "fine-tuned" in n), "fine-tuned")


def with_defaults(specs: list[SystemSpec], model: str | None, k: int, docs: Path | None,
                  system_prompt: str | None) -> list[SystemSpec]:
    """Fill what an entry leaves out from the run's settings (--model, --k, --docs, …)."""
    return [replace(s, model=s.model or (None if s.is_endpoint else model),
                    k=s.k if s.k is not None else k, docs=s.docs or docs,
                    system_prompt=s.system_prompt if s.system_prompt is not None else system_prompt)
            for s in specs]


def _spec(path: Path, name: str, key_node, node) -> SystemSpec:
    line = _line(key_node)
    if not isinstance(node, yaml.MappingNode):
        raise SystemsFileError(f"{path}:{line}: system {name!r}: expected a mapping of settings "
                               "({model: …, prompt: …})")
    values = {}
    for k_node, v_node in node.value:
        key = str(_value(k_node))
        where = f"{path}:{_line(k_node)}: system {name!r}"
        if key not in _CHECKS:
            raise SystemsFileError(f"{where}: unknown key {key!r} (known: {', '.join(_CHECKS)})")
        try:
            values[key] = _CHECKS[key](_value(v_node))
        except (TypeError, ValueError) as exc:
            raise SystemsFileError(f"{where}: {key} {exc}") from None
    values.setdefault("prompt", name if name in PROMPTS else "zero-shot")
    spec = SystemSpec(name, line=line, **values)
    _check_combination(spec, f"{path}:{line}: system {name!r}")
    return spec


def _check_combination(spec: SystemSpec, where: str) -> None:
    if spec.is_endpoint and not spec.model:
        raise SystemsFileError(f"{where}: an endpoint needs model: (the name the server serves)")
    if spec.is_endpoint and spec.adapter:
        raise SystemsFileError(f"{where}: adapter: is for local systems; serve the adapter "
                               "(vLLM --enable-lora --lora-modules) and name it in model:")
    if spec.adapter and spec.prompt != "zero-shot":
        raise SystemsFileError(f"{where}: a system with an adapter is prompted as it was trained "
                               f"(prompt: zero-shot), not {spec.prompt}")
    if not spec.is_endpoint and (spec.api_key_env or spec.price):
        raise SystemsFileError(f"{where}: api_key_env and price are for endpoint systems")
    if spec.name == "fine-tuned" and not spec.is_endpoint and spec.adapter is None:
        raise SystemsFileError(f"{where}: fine-tuned needs adapter: (a train run folder)")


def _value(node):
    loader = yaml.SafeLoader("")
    return loader.construct_object(node, deep=True)


def _line(node) -> int:
    return node.start_mark.line + 1


def _text(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be a non-empty string, got {value!r}")
    return value.strip()


def _prompt(value) -> str:
    if value not in PROMPTS:
        raise ValueError(f"must be one of {', '.join(PROMPTS)}, got {value!r}")
    return value


def _endpoint(value) -> str:
    url = _text(value)
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"must be an http(s) URL such as https://api.example.com/v1, got {url!r}")
    return url.rstrip("/")


def _positive_int(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"must be an integer ≥ 1, got {value!r}")
    return value


def _seconds(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"must be a number of seconds > 0, got {value!r}")
    return float(value)


def _price(value) -> dict:
    if not isinstance(value, dict) or set(value) - set(PRICE_KEYS) or not value:
        raise ValueError(f"must be {{prompt_per_1m: …, completion_per_1m: …}} (USD per million "
                         f"tokens), got {value!r}")
    for key, number in value.items():
        if isinstance(number, bool) or not isinstance(number, (int, float)) or number < 0:
            raise ValueError(f"{key} must be a number ≥ 0, got {number!r}")
    return {key: float(value.get(key, 0.0)) for key in PRICE_KEYS}


_CHECKS = {
    "model": _text, "adapter": lambda v: Path(_text(v)), "endpoint": _endpoint,
    "api_key_env": _text, "prompt": _prompt, "k": _positive_int, "docs": lambda v: Path(_text(v)),
    "price": _price, "max_concurrency": _positive_int, "system_prompt": _text, "timeout": _seconds,
}
