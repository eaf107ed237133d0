"""Entry point: index.html runs `await main()` once Python is up. It starts the app, or shows why it could not.

Keep module-level imports to the boot module: every import costs start-up time in Pyodide, and imports done
inside `start()` are reported on the page if they fail.
"""

from app.web.boot import run_boot


async def start() -> None:
    """Build the browser adapters, restore state, start the UI. Later steps are added here."""
    from app.web.boot import enable_composer

    enable_composer()


async def main() -> None:
    await run_boot(start)
