# The two commands a newcomer needs: `make run` (the site) and `make test` (the tests).
VENV   ?= .venv
PYTHON ?= python3
PY      = $(VENV)/bin/python
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: help run init test lint bench clean chromium virtuoso messages compile fuzz

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

# running needs the package alone; the tests (and lint) add the test extras
$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

init: $(VENV)/.installed ## load vocabularies and the demo catalogue into the embedded store
	$(VENV)/bin/catalogue init

run: init ## set up, load the demo catalogue and serve the site on http://$(HOST):$(PORT)/
	$(VENV)/bin/catalogue serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test chromium virtuoso ## install what the tests need and run them all
	$(PY) -m pytest

chromium: ## Debian's chromium for the browser tests (Playwright drives it; no browser download)
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

virtuoso: ## Debian's Virtuoso 7 for the store contract tests (the tests start it on 127.0.0.1)
	@command -v virtuoso-t >/dev/null 2>&1 || { \
	  echo "installing Debian's virtuoso-opensource-7-bin for the store tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq virtuoso-opensource-7-bin; }

fuzz: $(VENV)/.installed-test ## a longer fuzzing run of the parse guards and the upload API (2,000 cases each, random)
	FUZZ_EXAMPLES=2000 FUZZ_RANDOM=1 $(PY) -m pytest tests/test_fuzz.py -q

lint: $(VENV)/.installed-test ## ruff over the code, mypy over catalogue/ and catalogue_cli/
	$(VENV)/bin/ruff check catalogue webapp catalogue_cli tests bench
	$(VENV)/bin/mypy catalogue catalogue_cli

BABEL    = $(VENV)/bin/pybabel
REPORTS  = catalogue/reports/translations

messages: $(VENV)/.installed ## after changing UI or report sentences: extract them, update the .po files
	$(BABEL) extract -F webapp/babel.cfg -k lazy_gettext -k _ -c Translators: -o webapp/translations/messages.pot .
	$(BABEL) update --ignore-obsolete -i webapp/translations/messages.pot -d webapp/translations
	$(BABEL) extract -F catalogue/reports/babel.cfg -k t -c Translators: -o $(REPORTS)/reports.pot .
	$(BABEL) update --ignore-obsolete -D reports -i $(REPORTS)/reports.pot -d $(REPORTS)

compile: $(VENV)/.installed ## after translating in the .po files: compile them to .mo
	$(BABEL) compile --statistics -d webapp/translations
	$(BABEL) compile --statistics -D reports -d $(REPORTS)

bench: $(VENV)/.installed-test ## benchmarks that print figures: ingest, dereferencing, SPARQL, search (wrk needed)
	$(PY) bench/ingest.py --sizes 1000 10000
	$(PY) bench/deref.py && $(PY) bench/sparql.py
	$(PY) bench/search.py --solutions 10000

clean: ## remove the environment and the local store
	rm -rf $(VENV) var
