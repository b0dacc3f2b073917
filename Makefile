# Two commands do all set-up on a fresh machine: `make run` and `make test`.
# `make run` installs only what the bot needs; `make test` adds the test tools on top
# (pytest, ruff, Synapse, …). Each install runs once, and again only when pyproject.toml
# changes, so the second `make run` starts the bot at once.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
PIP := $(BIN)/python -m pip install -q --disable-pip-version-check

.PHONY: run test lint bench clean

$(RUN_STAMP): pyproject.toml
	@echo "Installerar boten i $(VENV) (första gången, ungefär en minut) …"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(PIP) --upgrade pip
	@$(PIP) -e .
	@touch $@

# The test extras on top of the bot's own packages: after `make run` only they are added.
$(TEST_STAMP): $(RUN_STAMP)
	@echo "Installerar testverktygen i $(VENV) (pytest, ruff, Synapse; första gången, ungefär en minut) …"
	@$(PIP) -e '.[test]'
	@touch $@

run: $(RUN_STAMP)
	$(BIN)/bot console $(ARGS)

test: $(TEST_STAMP)
	PYTHON=$(BIN)/python bash scripts/ensure-postgres.sh
	bash scripts/ensure-browser.sh
	$(BIN)/ruff check .
	$(BIN)/pytest -q $(PYTEST_ARGS)

bench: $(TEST_STAMP)
	PYTHON=$(BIN)/python bash scripts/ensure-postgres.sh
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

# Removes the virtualenv and the console's SQLite database (finsam-bot.db): everything
# recorded with `make run` is gone afterwards.
clean:
	rm -rf $(VENV) .pytest_cache finsam-bot.db finsam-bot.db.lock
