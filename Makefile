# Two commands for a fresh machine: `make run` (the app on the demo data) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PORT ?= 8501
PYTEST_ARGS ?= -n 2
# The DfE 903 validator, the oracle of tests/test_dfe_validator.py: its own virtualenv, since it needs pandas < 2.
VALIDATOR_VENV ?= .venv-validator
VALIDATOR_PIN := csc-validator-be-903==0.1.17
VALIDATOR_STAMP := $(VALIDATOR_VENV)/.installed

.PHONY: run test lint install validator bench boundaries demo england clean-cache

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $(STAMP)

# Test and lint tools: developers and CI only, never a council's machine.
$(TEST_STAMP): $(STAMP) requirements-test.txt
	$(PY) -m pip install -q -r requirements-test.txt
	touch $(TEST_STAMP)

install: $(STAMP)

# Two malloc arenas: sessions' threads then reuse freed memory instead of each growing its own (docs/operations.md).
MALLOC_ARENA_MAX ?= 2

$(VALIDATOR_STAMP): Makefile
	test -x $(VALIDATOR_VENV)/bin/python || $(PYTHON) -m venv $(VALIDATOR_VENV)
	$(VALIDATOR_VENV)/bin/python -m pip install -q "$(VALIDATOR_PIN)"
	touch $(VALIDATOR_STAMP)

validator: $(VALIDATOR_STAMP)

# Bound to localhost: without sign-in configured the app must not be reachable from other machines.
run: install
	MALLOC_ARENA_MAX=$(MALLOC_ARENA_MAX) $(PY) -m streamlit run app.py --server.address localhost --server.port $(PORT)

# Lint and types first (settings in pyproject.toml): zero findings is part of passing.
lint: $(TEST_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

# pytest exits 5 when it collected nothing: for us that is a broken suite, never a pass.
test: lint validator
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests - treating as a failure"; exit 1; fi; \
	exit $$rc

# The long hunt (not in `make test`): every property-based test at FUZZ_EXAMPLES generated cases each, no per-test
# time limit, under a 6 GB address-space cap so that a file which blows memory up fails as MemoryError and is shrunk.
FUZZ_EXAMPLES ?= 10000
fuzz: $(TEST_STAMP)
	CARE_MAP_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) prlimit --as=6000000000 $(PY) -m pytest -p no:cacheprovider --timeout=0 \
		-n 2 -q -W ignore::hypothesis.errors.HypothesisWarning $$(grep -l "from hypothesis" tests/test_*.py)

bench: install
	$(PY) -m bench

boundaries: install
	$(PY) -m geo build-boundaries

demo: install
	$(PY) -m data.demo --la "$(or $(LA),Kent)" --seed $(or $(SEED),1) --out $(or $(OUT),data/demo_data)

# A synthetic whole-England year (all 153 authorities, pooled files) for the scale benchmarks; not committed.
england: install
	$(PY) -m data.england --out england_demo

clean-cache:
	$(PY) -m geo clear-cache
