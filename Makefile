# The two commands: `make run` and `make test`; `make check` (lint, format, types) runs before the tests in CI.
# Everything else is what they need.
.PHONY: run test check setup venv directus

PY_DIRS := app devkit tests bench scripts

run: setup directus
	.venv/bin/python scripts/run.py

test: setup directus
	.venv/bin/python -m pytest

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
