# Every target sets up what it needs: a local virtual environment in .venv,
# with skgd installed in editable mode and its test extras (EXTRAS=test skips
# torch, whose tests are then skipped).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EXTRAS ?= test,torch

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m skgd demo --out skgd-demo.png

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info docs/_build
	find skgd -name '*.nbi' -delete -o -name '*.nbc' -delete
