# Two commands: `make demo` and `make test`. Both work on a fresh clone with Python 3.11.
# `make test` also starts a real Elasticsearch node (Java 17 + Maven, from Maven Central).
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install clean fuzz mutation load

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Нужен Python 3.11 ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/mcu demo

test: $(STAMP)
	PY=$(BIN)/python scripts/run-tests.sh

# Outside `make test`: many more Hypothesis examples, mutation testing, the load run.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz PY=$(BIN)/python scripts/run-tests.sh -m fuzz -p no:cacheprovider

mutation: $(STAMP)
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev,mutation]"
	$(BIN)/python scripts/mutation.py $(GROUPS)

LOAD_MINUTES ?= 10
LOAD_POSTS ?= 100000
load: $(STAMP)
	LOAD_MINUTES=$(LOAD_MINUTES) LOAD_POSTS=$(LOAD_POSTS) $(BIN)/python bench/load/run.py --json bench/load/last-run.json

clean:
	rm -rf $(VENV) data .pytest_cache
