# Two commands a newcomer needs: `make run` and `make test`. Everything else is for the team.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# uv must never download an interpreter: use the machine's Python (>= 3.11).
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Compile the dependencies' bytecode once at install: without it every Python process of the
# tests (`journal run`, notifiers, xdist workers) compiled aiogram and SQLAlchemy again, about
# 2.5 s each, on machines that set PYTHONDONTWRITEBYTECODE.
export UV_COMPILE_BYTECODE := 1
# The test suite's workers: parallel processes, each with its own PostgreSQL and Redis. More
# than the cores pays, since many tests wait on a subprocess or on a messenger's rate limit.
TEST_WORKERS ?= 4

.PHONY: install run test test-sqlite lint format bench bench-region locales locales-compile clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Installs exactly the versions in uv.lock (fails if pyproject.toml and the lock disagree).
$(STAMP): $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(STAMP) locales-compile

locales-compile: $(STAMP)
	$(BIN)/pybabel compile -d locales -D messages

# Extracts every marked string, merges it into the .po files, compiles. Translate what is new
# (tests/project/test_locales.py fails on an untranslated or fuzzy string).
locales: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k __ -k N_ -k lazy_gettext -k ngettext:1,2 -o locales/messages.pot --no-location --omit-header --sort-output core handlers bot
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --no-wrap
	$(BIN)/pybabel compile -d locales -D messages

run: install
	$(BIN)/journal run

# PYTHONDONTWRITEBYTECODE is lifted for the tests: our own modules and pytest's rewritten test
# modules are then compiled once, not again in every worker and subprocess.
test: install
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal --durations=20

test-sqlite: install
	PYTHONDONTWRITEBYTECODE= JOURNAL_TEST_BACKENDS=sqlite $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal --durations=20

lint: install
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --no-cache --check .
	$(BIN)/mypy .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python -m bench

# The family questions at 10^7 marks: the demo school and 95 copies of it (about 20 minutes).
bench-region: install
	JOURNAL_BENCH_SCHOOLS=96 $(BIN)/python -m bench queries

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
