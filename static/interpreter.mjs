// The interpreter module PyScript loads (pyscript.toml `interpreter`), started by index.html before PyScript itself
// (the first import runs this module; PyScript's import gets the same one): Pyodide downloads and compiles while
// PyScript starts, instead of after it.
//
// What it loads, all precompiled by scripts/app_config.py:
// - the vendored Pyodide, with static/generated/python_stdlib.zip as its standard library: only what the app
//   imports, as .pyc, and the pure-Python packages (pydantic, markdown-it, ...); Pyodide's own zip has every source,
//   and compiling them took ~1 s per start;
// - pydantic_core (it has a binary part): pydantic_core.zip.gzip, its binary and its modules compiled, written into
//   site-packages here (Pyodide's package loader, and the modules it imports, are not needed);
// - static/generated/app.zip.gzip, the app/ package, imported from the zip where it lies (no unpacking);
// - the finder of the rest (app/web/stdlib_rest.py, shipped in the zip as _stdlib_rest), which fetches
//   static/generated/python_stdlib_rest.zip the first time a module of it is imported.
// The two .gzip files are zips of stored entries gzipped whole (~15% smaller than entries deflated one by one),
// gunzipped by Python's zlib once Pyodide is up. (Not by the browser's DecompressionStream: with it, the page's
// renderer crashed about once in fifty cold starts here.)
// A file that cannot be fetched fails the start with "[status] Unable to fetch <url>", a damaged one with
// "<url> is damaged (...)" (static/boot.js shows both).
// URLs are relative to this file, so the site works from any sub-path.
import * as pyodide from "./vendor/pyodide/pyodide.mjs";

export * from "./vendor/pyodide/pyodide.mjs";

const VENDOR = new URL("./vendor/pyodide/", import.meta.url);
const GENERATED = new URL("./generated/", import.meta.url);
const APP_PATH = "/home/pyodide/app.zip";

async function fetchBytes(name) {
  const url = new URL(name, GENERATED);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`[${response.status}] Unable to fetch ${url}`);
  return new Uint8Array(await response.arrayBuffer());
}

// One of our zips, gunzipped by Python. A host that sends it with "Content-Encoding: gzip" has the browser gunzip it
// already: then it is taken as it comes. Anything else (a cut download, a host's page sent for a missing file) is
// refused here with its name, not deep inside Python.
function gunzippedZip(py, bytes, name) {
  const url = new URL(name, GENERATED);
  try {
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      py.FS.writeFile("/tmp/in.gz", bytes);
      py.runPython(`import zlib
with open("/tmp/in.gz", "rb") as f:
    data = zlib.decompress(f.read(), 31)
with open("/tmp/out.zip", "wb") as f:
    f.write(data)
del data`);
      bytes = py.FS.readFile("/tmp/out.zip");
      py.FS.unlink("/tmp/in.gz");
      py.FS.unlink("/tmp/out.zip");
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // a zip's first local header, and its end record where ours have it (they carry no comment)
    if (view.getUint32(0, true) !== 0x04034b50 || view.getUint32(bytes.length - 22, true) !== 0x06054b50) {
      throw new Error("not a whole zip");
    }
  } catch (error) {
    const message = String(error.message || error).trim().split("\n").pop();
    throw new Error(`${url} is damaged (${message})`);
  }
  return bytes;
}

// The entries of one of our zips (checked whole by gunzippedZip), {name: bytes}, read from its central directory.
function storedEntries(zip) {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const end = zip.length - 22;
  const entries = {};
  let at = view.getUint32(end + 16, true);
  for (let left = view.getUint16(end + 10, true); left > 0; left--) {
    const [method, size] = [view.getUint16(at + 10, true), view.getUint32(at + 20, true)];
    const [nameLength, skip] = [view.getUint16(at + 28, true), view.getUint16(at + 30, true) + view.getUint16(at + 32, true)];
    const name = new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLength));
    if (method !== 0 || !name.startsWith("pydantic_core/") || name.includes("..")) throw new Error(`entry ${name}`);
    const local = view.getUint32(at + 42, true);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    entries[name] = zip.subarray(start, start + size);
    at += 46 + nameLength + skip;
  }
  return entries;
}

async function boot() {
  const [core, app] = ["pydantic_core.zip.gzip", "app.zip.gzip"].map(fetchBytes);
  core.catch(() => {}); // reported below, once Pyodide is up to await them
  app.catch(() => {});
  const py = await pyodide.loadPyodide({
    indexURL: VENDOR.href,
    stdLibURL: new URL("python_stdlib.zip", GENERATED).href,
  });
  py.pyimport("_stdlib_rest").install(new URL("python_stdlib_rest.zip", GENERATED).href);
  const site = py.runPython("import sys; next(p for p in sys.path if p.endswith('/site-packages'))");
  const coreZip = gunzippedZip(py, await core, "pydantic_core.zip.gzip");
  const coreURL = new URL("pydantic_core.zip.gzip", GENERATED);
  try {
    for (const [name, data] of Object.entries(storedEntries(coreZip))) {
      const path = `${site}/${name}`;
      py.FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
      py.FS.writeFile(path, data);
      // Compiled and loaded now, in the background: an import would compile it at once, blocking the page.
      // (Pyodide's package loader does the same through this function.)
      if (name.endsWith(".so")) await py._api.loadDynlib(path);
    }
  } catch (error) {
    throw new Error(`${coreURL} is damaged (${error.message})`);
  }
  py.FS.writeFile(APP_PATH, gunzippedZip(py, await app, "app.zip.gzip"));
  py.runPython(`import sys; sys.path.insert(0, "${APP_PATH}")`);
  return py;
}

const booting = boot();

// PyScript's entry point. Its options (stdout and stderr hooks) are not taken: the interpreter is already loading,
// and Pyodide's default sends print() to the console, as PyScript's would.
export function loadPyodide() {
  return booting;
}
