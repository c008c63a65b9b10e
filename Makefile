# Every target sets up what it needs: a local virtual environment in .venv,
# with skgd installed in editable mode and its test extras (EXTRAS=test skips
# torch and Dask, whose tests are then skipped).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EXTRAS ?= test,torch,dask

DOCS_STAMP := $(VENV)/.docs-installed

.PHONY: demo test lint bench bench-dask docs clean

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

# The HTML documentation in docs/_build/html; every tutorial in examples/ runs,
# and any Sphinx warning fails the build (-E: every page is read again, so a
# warning is never hidden by an earlier build).
$(DOCS_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[$(EXTRAS),docs]"
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	$(PY) -m sphinx -E -W --keep-going -b html docs docs/_build/html

bench: $(STAMP)
	$(PY) benchmarks/run.py

# The batch solver on a two-worker Dask LocalCluster (docs: Scaling out).
bench-dask: $(STAMP)
	$(PY) benchmarks/scaling_out.py

clean:
	rm -rf $(VENV) build *.egg-info docs/_build docs/generated docs/auto_examples
	find skgd -name '*.nbi' -delete -o -name '*.nbc' -delete
