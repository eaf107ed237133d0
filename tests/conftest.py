"""Shared fixtures. Each fixture family lives in its own module under tests/fixtures/."""

pytest_plugins = [
    "tests.fixtures.directus",
    "tests.fixtures.providers",
    "tests.fixtures.browser",
    "tests.fixtures.app",
    "tests.fixtures.tools",
    "tests.fixtures.axe",
]
