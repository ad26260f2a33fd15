# The two commands of the quick start: `make serve` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test lint bench clean update-axe

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

serve: $(VENV)/.installed
	$(BIN)/ficarchive serve

test: $(VENV)/.installed-dev
	$(BIN)/pytest -n auto

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy ficarchive tests $(wildcard bench)

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) build *.egg-info

# The accessibility tests' axe-core (tests/vendor/axe-core): the newest release from npm.
update-axe:
	cd /tmp && rm -rf axe-update && mkdir axe-update && cd axe-update && npm pack axe-core && tar xzf axe-core-*.tgz
	cp /tmp/axe-update/package/axe.min.js /tmp/axe-update/package/LICENSE /tmp/axe-update/package/package.json tests/vendor/axe-core/
