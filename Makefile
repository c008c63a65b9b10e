# Every target sets up what it needs in a local virtual environment, .venv:
# skgd in editable mode with what the target uses (the demo: skgd's own
# dependencies; the tests: the test, torch, Dask and array-API extras;
# EXTRAS=test skips torch, Dask and array_api_strict, whose tests are then
# skipped).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
EXTRAS ?= test,torch,dask,array-api

BASE_STAMP := $(VENV)/.base-installed
STAMP := $(VENV)/.installed
DOCS_STAMP := $(VENV)/.docs-installed

.DEFAULT_GOAL := help
.PHONY: help demo test lint bench bench-dask bench-device docs docs-zh docs-catalogues docs-check precompile clean

help:
	@echo "skgd: gradient descent you can see, for scikit-learn."
	@echo
	@echo "  make demo        set up .venv (skgd and its dependencies) and run the demo"
	@echo "  make test        set up .venv with the test extras; ruff and the whole test suite"
	@echo "  make docs        build the HTML documentation (runs every tutorial)"
	@echo "  make docs-zh     build its Chinese edition (docs/_build/html/zh_CN)"
	@echo "  make docs-check  check the Chinese catalogues: complete and up to date"
	@echo "  make bench       time the kernels and the start-up against their peers"
	@echo "  make bench-dask  time the Dask batch epoch against the in-memory one"
	@echo "  make bench-device  time epochs on PyTorch tensors (a CUDA GPU if any)"
	@echo "  make precompile  compile the kernels into numba's cache ahead"
	@echo "  make clean       remove .venv, the builds and the compiled kernels"
	@echo
	@echo "EXTRAS=test make test skips the torch and Dask extras (and their tests)."

$(BASE_STAMP): pyproject.toml
	@echo "Setting up $(VENV): skgd and its dependencies (numpy, scipy, scikit-learn, numba, pandas, matplotlib)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e .
	touch $(BASE_STAMP)

$(STAMP): $(BASE_STAMP)
	@echo "Installing the extras [$(EXTRAS)] into $(VENV)"
	$(PY) -m pip install -e ".[$(EXTRAS)]"
	touch $(STAMP)

demo: $(BASE_STAMP)
	$(PY) -m skgd demo --out skgd-demo.png

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest

# The HTML documentation in docs/_build/html; every tutorial in examples/ runs,
# and any Sphinx warning fails the build (-E: every page is read again, so a
# warning is never hidden by an earlier build).
$(DOCS_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[$(EXTRAS),docs]"
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	$(PY) -m sphinx -E -W --keep-going -b html docs docs/_build/html

# The Chinese edition of the teaching part, in docs/_build/html/zh_CN (the
# language switch links the two); its catalogues: docs/locale/zh_CN.
docs-zh: $(DOCS_STAMP)
	$(PY) -m sphinx -E -W --keep-going -b html -D language=zh_CN docs docs/_build/html/zh_CN

# New and changed English messages into the catalogues, for translating.
docs-catalogues: $(DOCS_STAMP)
	$(PY) docs/translations.py update

# Fails on an untranslated or out-of-date message (CI).
docs-check: $(DOCS_STAMP)
	$(PY) docs/translations.py check

bench: $(STAMP)
	$(PY) benchmarks/run.py

# The batch solver on a two-worker Dask LocalCluster (docs: Scaling out).
bench-dask: $(STAMP)
	$(PY) benchmarks/scaling_out.py

# Epochs on PyTorch tensors: a CUDA GPU where there is one, else the CPU
# (docs: Performance).
bench-device: $(STAMP)
	$(PY) benchmarks/device_epoch.py

precompile: $(BASE_STAMP)
	$(PY) -m skgd precompile

clean:
	rm -rf $(VENV) build *.egg-info docs/_build docs/generated docs/auto_examples
	find skgd -name '*.nbi' -delete -o -name '*.nbc' -delete -o -name 'skgd-kernels.stamp' -delete
