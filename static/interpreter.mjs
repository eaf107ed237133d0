// The interpreter module PyScript loads (pyscript.toml `interpreter`): the vendored Pyodide, with the standard
// library that scripts/app_config.py precompiled (static/generated/python_stdlib.zip: the same sources plus the .pyc
// of the modules the app imports; Pyodide's own zip has sources only, and compiling them took ~0.7 s per start).
// URLs are relative to this file, so the site works from any sub-path.
import * as pyodide from "./vendor/pyodide/pyodide.mjs";

export * from "./vendor/pyodide/pyodide.mjs";

export function loadPyodide(options = {}) {
  return pyodide.loadPyodide({
    ...options,
    indexURL: new URL("./vendor/pyodide/", import.meta.url).href,
    stdLibURL: new URL("./generated/python_stdlib.zip", import.meta.url).href,
  });
}
