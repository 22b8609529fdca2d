# Both `make demo` and `make test` bootstrap .venv from nothing; the stamp file is
# rebuilt whenever pyproject.toml changes, so a stale environment is refreshed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO_DIR ?= build/gallery

.PHONY: demo test test-fast warmup prebuilt bench lint docs dist clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[all,test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/pixelsmith gallery --out $(DEMO_DIR)

# kernels are compiled first, in parallel processes, into numba's cache: the tests then load them
# (and a test's hang guard never waits on the compiler)
test: warmup
	$(BIN)/python -m pytest -n 2 -q

# the quick lane while working: everything but the slow end-to-end checks (memory, scale, signals)
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q -m "not slow"

# compile every kernel for this machine (numba's on-disk cache); fast when already cached
warmup: $(STAMP)
	$(BIN)/pixelsmith warmup --quiet

# rebuild the kernels' machine code shipped in the package (src/pixelsmith/_kernels/prebuilt.zip),
# after changing a kernel or numba; tests/test_prebuilt.py says when it is due
prebuilt: $(STAMP)
	$(BIN)/python tools/build_prebuilt.py

# the API reference (docstrings), cookbook, conventions and gallery as one HTML site
docs: $(STAMP)
	rm -rf build/docs build/docs-extra
	$(BIN)/pixelsmith gallery --out build/docs-extra/gallery --quiet
	PIXELSMITH_DOCS_GALLERY=$(CURDIR)/build/docs-extra $(BIN)/sphinx-build -q -W --keep-going -b html docs build/docs
	@echo "site written to $(CURDIR)/build/docs/index.html"

bench: $(STAMP)
	@set -e; for script in benchmarks/bench_*.py; do \
		echo "== $$script"; $(BIN)/python $$script; done

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools
	$(BIN)/python tools/check_docstrings.py
	$(BIN)/mypy --follow-imports=silent --ignore-missing-imports tests/typing/public_api.py

# an sdist and a wheel built from it (so a file missing from the sdist is caught), in dist/
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	@ls dist

clean:
	rm -rf build dist .pytest_cache
