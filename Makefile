# simorg: `make demo` and `make test` each set up .venv when it is missing, then do their job.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
export SOLARA_TELEMETRY_MIXPANEL_ENABLE := False

.PHONY: demo test test-load test-fast lint format explore bench validate clean venv mutants readme results results-sweeps docs

venv: $(STAMP)

$(STAMP): pyproject.toml
	@PYTHON=$$(bash .ci/find-python) || exit 1; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$PYTHON"; $$PYTHON -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/simorg demo

test: $(STAMP)
	$(BIN)/pytest -q -m "not load"

# 30 browser pages playing on one server, and a 30-page workshop (minutes; figures in
# docs/explorer.md and docs/workshop/README.md)
test-load: $(STAMP)
	$(BIN)/pytest -q -m load

test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not browser and not slow"

# rewrite the README's `$ simorg ...` example output from what the code prints now
readme: $(STAMP)
	$(PY) .ci/readme.py --write

# docs/results.md's tables and figures from the sweeps' folders in $(RUNS) (.ci/results.py);
# results-sweeps runs (or resumes) every experiment those tables read, at low priority
RUNS ?= results
RESULTS_SWEEPS := social_media_vs_social_business vision_and_walk big_bang_vs_stepwise role_modeling \
	silo_permeability turnover levers_morris distributions reverse_media_team reverse_boundaries \
	reverse_vision reverse_turnover reverse_change_horizon
OPEN_CULTURE_SWEEPS := open_culture_innovation open_culture_innovation_in_context
results: $(STAMP)
	$(PY) .ci/results.py --runs $(RUNS)
	$(PY) .ci/results_open_culture.py $(RUNS)/open_culture_innovation --write docs/results.md
	$(PY) .ci/results_open_culture.py $(RUNS)/open_culture_innovation_in_context --write docs/results.md --marker open-culture-reverse

results-sweeps: $(STAMP)
	for e in $(RESULTS_SWEEPS) $(OPEN_CULTURE_SWEEPS); do nice -n 10 $(BIN)/simorg sweep experiments/$$e.toml --out $(RUNS)/$$e --workers 2 || exit 1; done

# regenerate docs/odd.md's parameter and outcome tables from the schema (tests/test_docs.py checks them)
docs: $(STAMP)
	$(PY) .ci/odd_tables.py

# break the code on purpose (a scratch copy) and show the tests fail on each breakage
mutants: $(STAMP)
	$(PY) .ci/mutants.py

lint: $(STAMP)
	$(BIN)/ruff check simorg tests benchmarks
	$(BIN)/ruff format --check simorg tests benchmarks
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format simorg tests benchmarks
	$(BIN)/ruff check --fix simorg tests benchmarks

explore: $(STAMP)
	$(BIN)/simorg explore

bench: $(STAMP)
	$(BIN)/simorg bench

validate: $(STAMP)
	$(BIN)/simorg validate march1991

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
