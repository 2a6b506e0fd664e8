# Siaga: two commands for a new user.
#   make demo   install, migrate the embedded SQLite database, load the Kutai Timur demo, serve :8000
#   make test   install test tools, run the whole suite on SQLite, then on PostgreSQL when reachable
.PHONY: demo test install lint format messages clean

VENV := .venv
BIN := $(VENV)/bin
PYTHON_FOR_VENV = $(shell scripts/find-python)

install: $(VENV)/.runtime node_modules/.installed

$(VENV)/bin/python:
	@py="$(PYTHON_FOR_VENV)"; test -n "$$py" || exit 1; \
	  echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV)

$(VENV)/.runtime: $(VENV)/bin/python requirements.txt pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

$(VENV)/.test: $(VENV)/.runtime requirements-test.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

demo: install
	$(BIN)/siaga demo --serve

test: install $(VENV)/.test
	scripts/run-tests

lint: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	cd siaga && ../$(BIN)/django-admin makemessages -l en --no-obsolete && ../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) node_modules var
