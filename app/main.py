"""Entry point: index.html runs `await main()` once Python is up. It starts the app, or shows why it could not.

Keep module-level imports to the boot module: every import costs start-up time in Pyodide, and imports done
inside `start()` are reported on the page if they fail. Providers and the Directus tools are imported on first
use (a send, the settings dialog), not here.
"""

from app.web.boot import run_boot

controller = None  # the running app.web.controller.Controller (for debugging from the console and tests)


async def start() -> None:
    """Build the browser adapters, restore state, start the UI."""
    global controller
    from app.web.controller import Controller

    controller = Controller()
    await controller.start()


async def main() -> None:
    await run_boot(start)
