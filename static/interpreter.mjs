// The interpreter module PyScript loads (pyscript.toml `interpreter`): the vendored Pyodide, with the standard
// library that scripts/app_config.py precompiled (static/generated/python_stdlib.zip: only the modules the app
// imports, as .pyc; Pyodide's own zip has every source, and compiling them took ~0.7 s per start). The other modules
// are in static/generated/python_stdlib_rest.zip, fetched by the finder installed here (app/web/stdlib_rest.py,
// shipped in the zip as _stdlib_rest) the first time one of them is imported.
// URLs are relative to this file, so the site works from any sub-path.
import * as pyodide from "./vendor/pyodide/pyodide.mjs";

export * from "./vendor/pyodide/pyodide.mjs";

export async function loadPyodide(options = {}) {
  const py = await pyodide.loadPyodide({
    ...options,
    indexURL: new URL("./vendor/pyodide/", import.meta.url).href,
    stdLibURL: new URL("./generated/python_stdlib.zip", import.meta.url).href,
  });
  py.pyimport("_stdlib_rest").install(new URL("./generated/python_stdlib_rest.zip", import.meta.url).href);
  return py;
}
