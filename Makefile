# The two commands: `make run` and `make test`; `make check` (lint, format, types) runs before the tests in CI.
# Everything else is what they need.
.PHONY: run test test-compat check setup venv directus

PY_DIRS := app devkit tests bench scripts

run: setup directus
	.venv/bin/python scripts/run.py

test: setup directus
	.venv/bin/python -m pytest

# The integration tests that talk to Directus, on each version of the compatibility matrix (README), one after
# the other; fails if any version failed. COMPAT_VERSIONS="10.13.4 12.4.0" picks some.
COMPAT_VERSIONS ?= 10.13.4 11.13.4 11.17.4 12.4.0
test-compat: setup
	@status=0; for v in $(COMPAT_VERSIONS); do \
	  echo "== Directus $$v"; \
	  scripts/directus install --version $$v && .venv/bin/python -m pytest tests/integration --directus-version $$v \
	    || status=1; \
	done; exit $$status

# Every tool runs, even when one before it failed; the target fails if any did. Needs only .venv.
check: venv
	@status=0; \
	echo "ruff check"; .venv/bin/ruff check $(PY_DIRS) || status=1; \
	echo "ruff format --check"; .venv/bin/ruff format --check $(PY_DIRS) || status=1; \
	echo "mypy"; .venv/bin/mypy || status=1; \
	exit $$status

setup:
	scripts/setup

venv:
	scripts/setup --venv

directus:
	scripts/directus install
