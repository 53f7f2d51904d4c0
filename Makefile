# Two commands for a fresh machine: `make run` (the app on the demo data) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8501
PYTEST_ARGS ?= -n 2

.PHONY: run test install bench boundaries demo england clean-cache

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

# Two malloc arenas: sessions' threads then reuse freed memory instead of each growing its own (docs/operations.md).
MALLOC_ARENA_MAX ?= 2
# Bound to localhost: without sign-in configured the app must not be reachable from other machines.
run: install
	MALLOC_ARENA_MAX=$(MALLOC_ARENA_MAX) $(PY) -m streamlit run app.py --server.address localhost --server.port $(PORT)

# pytest exits 5 when it collected nothing: for us that is a broken suite, never a pass.
test: install
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests - treating as a failure"; exit 1; fi; \
	exit $$rc

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
