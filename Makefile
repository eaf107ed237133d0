# The two commands: `make run` and `make test`. Everything else is what they need.
.PHONY: run test setup directus

run: setup directus
	.venv/bin/python scripts/run.py

test: setup directus
	.venv/bin/python -m pytest

setup:
	scripts/setup

directus:
	scripts/directus install
