// The interpreter module PyScript loads (pyscript.toml `interpreter`), started by index.html before PyScript itself
// (the first import runs this module; PyScript's import gets the same one): Pyodide downloads and compiles while
// PyScript starts, instead of after it.
//
// What it loads, all precompiled by scripts/app_config.py:
// - the vendored Pyodide, with static/generated/python_stdlib.zip as its standard library: only what the app
//   imports, as .pyc, and the pure-Python packages (pydantic, markdown-it, ...); Pyodide's own zip has every source,
//   and compiling them took ~1 s per start;
// - pydantic_core's wheel (it has a binary part), the one package loaded as a wheel: the copy in static/generated/,
//   which also holds its modules compiled;
// - static/generated/app.zip, the app/ package, imported from the zip where it lies (no unpacking);
// - the finder of the rest (app/web/stdlib_rest.py, shipped in the zip as _stdlib_rest), which fetches
//   static/generated/python_stdlib_rest.zip the first time a module of it is imported.
// A file that cannot be fetched fails the start with "[status] Unable to fetch <url>" (static/boot.js shows it).
// URLs are relative to this file, so the site works from any sub-path.
import * as pyodide from "./vendor/pyodide/pyodide.mjs";

export * from "./vendor/pyodide/pyodide.mjs";

const VENDOR = new URL("./vendor/pyodide/", import.meta.url);
const APP = new URL("./generated/app.zip", import.meta.url);
const APP_PATH = "/home/pyodide/app.zip";

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`[${response.status}] Unable to fetch ${url}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function boot() {
  const app = fetchBytes(APP);
  app.catch(() => {}); // reported below, once Pyodide is up to be awaited
  const py = await pyodide.loadPyodide({
    indexURL: VENDOR.href,
    stdLibURL: new URL("./generated/python_stdlib.zip", import.meta.url).href,
  });
  py.pyimport("_stdlib_rest").install(new URL("./generated/python_stdlib_rest.zip", import.meta.url).href);
  // By URL, not by name: by name Pyodide would also load its dependencies' wheels, already in the zip above.
  const core = new URL(`./generated/${py.lockfile.packages["pydantic-core"].file_name}`, import.meta.url);
  let error = "";
  const loaded = await py.loadPackage(core.href, { messageCallback() {}, errorCallback: (text) => (error += text) });
  if (!loaded.length) throw new Error(`Unable to load ${core.href}: ${error}`); // Pyodide itself only logs it
  py.FS.writeFile(APP_PATH, await app);
  py.runPython(`import sys; sys.path.insert(0, "${APP_PATH}")`);
  return py;
}

const booting = boot();

// PyScript's entry point. Its options (stdout and stderr hooks) are not taken: the interpreter is already loading,
// and Pyodide's default sends print() to the console, as PyScript's would.
export function loadPyodide() {
  return booting;
}
