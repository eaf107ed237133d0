// The interpreter module PyScript loads (pyscript.toml `interpreter`), started by index.html before PyScript itself
// (the first import runs this module; PyScript's import gets the same one): Pyodide downloads and compiles while
// PyScript starts, instead of after it.
//
// What it loads, all precompiled by scripts/app_config.py, each a zip of stored entries gzipped whole (one stream is
// ~15% smaller than entries deflated one by one), gunzipped here:
// - the vendored Pyodide, with static/generated/python_stdlib.zip.gz as its standard library: only what the app
//   imports, as .pyc, and the pure-Python packages (pydantic, markdown-it, ...); Pyodide's own zip has every source,
//   and compiling them took ~1 s per start;
// - pydantic_core (it has a binary part): pydantic_core.zip.gz, its binary and its modules compiled, written into
//   site-packages here (Pyodide's package loader, and the modules it imports, are not needed);
// - static/generated/app.zip.gz, the app/ package, imported from the zip where it lies (no unpacking);
// - the finder of the rest (app/web/stdlib_rest.py, shipped in the zip as _stdlib_rest), which fetches
//   static/generated/python_stdlib_rest.zip the first time a module of it is imported.
// A file that cannot be fetched fails the start with "[status] Unable to fetch <url>" (static/boot.js shows it).
// URLs are relative to this file, so the site works from any sub-path.
import * as pyodide from "./vendor/pyodide/pyodide.mjs";

export * from "./vendor/pyodide/pyodide.mjs";

const VENDOR = new URL("./vendor/pyodide/", import.meta.url);
const GENERATED = new URL("./generated/", import.meta.url);
const APP_PATH = "/home/pyodide/app.zip";

// One of our zips, gunzipped. A host that sends it with "Content-Encoding: gzip" (some do for .gz) has the browser
// gunzip it already: then it is taken as it comes. Anything else (a cut download, a host's page sent for a missing
// file) is refused here with its name, not deep inside Python.
async function fetchZip(name) {
  const url = new URL(name, GENERATED);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`[${response.status}] Unable to fetch ${url}`);
  let bytes = new Uint8Array(await response.arrayBuffer());
  try {
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      const stream = new Response(bytes).body.pipeThrough(new DecompressionStream("gzip"));
      bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    }
    if (bytes[0] !== 0x50 || bytes[1] !== 0x4b) throw new Error("not a zip");
  } catch (error) {
    throw new Error(`${url} is damaged (${error.message})`);
  }
  return bytes;
}

// The entries of a zip of stored entries, {name: bytes}, read from its central directory.
function storedEntries(zip) {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const end = zip.length - 22; // the end record, when the zip has no comment (ours have none)
  if (view.getUint32(end, true) !== 0x06054b50) throw new Error("no end record");
  const entries = {};
  let at = view.getUint32(end + 16, true);
  for (let left = view.getUint16(end + 10, true); left > 0; left--) {
    const [method, size] = [view.getUint16(at + 10, true), view.getUint32(at + 20, true)];
    const [nameLength, skip] = [view.getUint16(at + 28, true), view.getUint16(at + 30, true) + view.getUint16(at + 32, true)];
    const name = new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLength));
    if (method !== 0) throw new Error(`${name} is compressed`);
    const local = view.getUint32(at + 42, true);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    entries[name] = zip.subarray(start, start + size);
    at += 46 + nameLength + skip;
  }
  return entries;
}

async function boot() {
  const [stdlib, core, app] = ["python_stdlib.zip.gz", "pydantic_core.zip.gz", "app.zip.gz"].map(fetchZip);
  core.catch(() => {}); // these two are reported below, once Pyodide is up to await them
  app.catch(() => {});
  const stdLibURL = URL.createObjectURL(new Blob([await stdlib])); // Pyodide fetches its standard library by URL
  let py;
  try {
    py = await pyodide.loadPyodide({ indexURL: VENDOR.href, stdLibURL });
  } finally {
    URL.revokeObjectURL(stdLibURL);
  }
  py.pyimport("_stdlib_rest").install(new URL("python_stdlib_rest.zip", GENERATED).href);
  const site = py.runPython("import sys; next(p for p in sys.path if p.endswith('/site-packages'))");
  const coreZip = await core;
  let files;
  try {
    files = storedEntries(coreZip);
  } catch (error) {
    throw new Error(`${new URL("pydantic_core.zip.gz", GENERATED)} is damaged (${error.message})`);
  }
  for (const [name, data] of Object.entries(files)) {
    const path = `${site}/${name}`;
    py.FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
    py.FS.writeFile(path, data);
    // Compiled and loaded now, in the background: an import would compile it at once, blocking the page.
    // (Pyodide's package loader does the same through this function.)
    if (name.endsWith(".so")) await py._api.loadDynlib(path);
  }
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
