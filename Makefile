# The front door: `make run` starts the app on the offline engine, `make test` runs the suite.
# Both create .venv and install on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: run test test-slow lint lock clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	# the pip that ships with the venv fails to resolve this dependency set
	$(BIN)/python -m pip install -q -U pip

$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install -q -c requirements.lock -e .
	touch $@

$(DEVSTAMP): $(STAMP)
	$(BIN)/pip install -q -c requirements.lock -e '.[dev]'
	touch $@

run: $(STAMP)
	$(BIN)/mockloop serve

test: $(DEVSTAMP)
	$(BIN)/python -m pytest -q

# Browser, crash, load and fuzz suites: slower, and CI runs them too.
test-slow: $(DEVSTAMP)
	$(BIN)/python -m pytest -q -m slow

lint: $(DEVSTAMP)
	$(BIN)/ruff check .

# Refresh the lock of exact versions after changing dependencies.
lock: $(DEVSTAMP)
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

clean:
	rm -rf $(VENV)
