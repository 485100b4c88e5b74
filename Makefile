# Confide. A new user needs two targets: `make demo` and `make test`. `make help` lists the rest.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.confide-installed
PORT   ?= 8000

.DEFAULT_GOAL := help
.PHONY: help system system-pdf system-test demo test lint typecheck mutation bench lock clean

help: ## List the targets and what each does
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-9s %s\n", $$1, $$2}'

system: ## Install the Debian packages Confide needs (as root): Pango and the Noto fonts for PDFs, Chromium for browser tests
	@bash .ci/system-packages --browser

system-pdf:
	@bash .ci/system-packages

system-test:
	@bash .ci/system-packages --browser

$(STAMP): pyproject.toml requirements/lock.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Confide needs Python 3.11 or newer; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

demo: system-pdf $(STAMP) ## Set up, create the demo organisation on SQLite under var/ and serve it on http://127.0.0.1:8000 (another port: make demo PORT=8001)
	@$(BIN)/confide demo --port $(PORT)

test: system-test $(STAMP) ## Set up and run the whole test suite (browser tests skip, saying so, where no Chromium is installed)
	$(BIN)/python -m pytest

lint: $(STAMP) ## Run ruff over the code
	$(BIN)/ruff check .

typecheck: $(STAMP) ## Run mypy over the trusted core (policy, audit, keys, the gate; pyproject.toml [tool.mypy])
	$(BIN)/mypy

mutation: $(STAMP) ## Mutation testing of the trusted core, 100 sampled mutants per target against its own tests (about 30 min; docs/mutation.md)
	$(BIN)/python bench/mutation.py

bench: $(STAMP) ## Run the benchmarks and write bench/RESULTS.md (slow; not part of the tests)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/bench-lock.txt
	$(BIN)/python bench/run.py

lock: ## Re-resolve requirements/*.txt from pyproject.toml (needs uv on PATH)
	uv pip compile pyproject.toml --extra test --python-version 3.11 --generate-hashes -o requirements/lock.txt
	uv pip compile pyproject.toml --extra test --extra bench --python-version 3.11 --generate-hashes -o requirements/bench-lock.txt
	@# WeasyPrint asks for fonttools[woff]: pinned with its extra, or pip's hash-checking install looks past the pin
	@# for the newest fonttools whenever a release newer than the lock's appears.
	sed -i 's/^fonttools==/fonttools[woff]==/' requirements/lock.txt requirements/bench-lock.txt

clean: ## Remove the virtual environment (keeps var/, which holds your data and secret key)
	rm -rf $(VENV)
