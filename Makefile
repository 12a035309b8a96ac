# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: run test install bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The stamp holds a digest of what the install depends on (the build system, [project], setuptools'
# package lists): an edit elsewhere in pyproject.toml, such as pytest's options, or a fresh clone's
# new file date, does not reinstall (half a minute to a minute) when nothing installed would change.
INSTALLED = import hashlib, json, tomllib; p = tomllib.load(open("pyproject.toml", "rb")); \
	print(hashlib.sha256(json.dumps([p.get("build-system"), p["project"], p.get("tool", {}).get("setuptools")], \
	sort_keys=True).encode()).hexdigest())

$(STAMP): pyproject.toml | $(BIN)/python
	@digest=$$($(BIN)/python -c '$(INSTALLED)'); \
	if [ "$$(cat $(STAMP) 2>/dev/null)" = "$$digest" ]; then touch $(STAMP); \
	else $(BIN)/pip install --quiet -e '.[test]' && echo "$$digest" > $(STAMP); fi

install: $(STAMP)

run: install
	$(BIN)/minsheng db upgrade
	$(BIN)/minsheng district load --if-empty
	$(BIN)/minsheng staff init
	$(BIN)/minsheng serve

# The suite starts Python some ninety times (CLI commands, servers, three xdist workers): with
# PYTHONDONTWRITEBYTECODE set, as on some machines and containers, each one compiled the project's
# sources again and pytest rewrote every test module in every worker, about a minute of CPU in all.
test: install
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/cases.py

clean:
	rm -rf $(VENV) var
