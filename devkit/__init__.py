"""What the tests and the benchmarks share (CPython only; the app never imports it).

- `fake_provider/`: the fake model provider server (all four wire protocols), its scripted steps, and the
  app's settings pointed at it (`fake_provider.settings`);
- `transports.py`: the `app.transport.Transport` port over httpx, and a mock one;
- `o200k.py`: OpenAI's o200k_base token counter, offline;
- `directus.py`: starting a local Directus instance (scripts/directus) on a free port;
- `chromium.py`: launching Debian's Chromium through Playwright, opening the app, running Python in the page.

pytest fixtures over these live in tests/fixtures/.
"""
