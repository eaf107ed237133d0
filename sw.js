// The app's service worker (registered by static/offline.js): keeps one complete version of the app's files and
// serves them cache-first, so a return visit asks the network for nothing that did not change, and the app starts
// with the network off.
//
// - The files and their sha256 come from the build: static/generated/assets.js (scripts/assets.py). The browser
//   compares this script and that one on each visit (registered with updateViaCache "none"); a deploy that
//   changed anything is a new service worker that fetches the new version into a cache of its own, checking every
//   file against its hash (a file changed again mid-download fails the install, which is retried later), and
//   copying the files that did not change from the old cache instead of downloading them. The "lazy" files (the
//   rarely needed rest of the standard library, Chart.js, PyScript's chunks the page does not load at start) are
//   fetched, checked and cached on first use instead, when the browser asks here at all (Chromium does not for the
//   synchronous request the page makes for the rest: the page checks its hash itself, app/web/stdlib_rest.py).
// - A new version waits while a page of the old one is open: static/offline.js offers "reload", which activates it
//   and reloads. A page is served by one version from start to end, never a mix: the pages still open when a new
//   version activates (other tabs) keep being served from their own version's cache, which is deleted only once
//   none of them is left (and they are offered the reload); a file their cache lacks is refused, never taken from
//   the new version.
// - Only the app's own files (index.html, static/) and config.json (network first) are answered here. Everything
//   else, the Directus and the model providers above all, goes to the network untouched and is never stored.
// All paths are relative to this script's folder: the app works from a sub-path, and two copies of it on one
// host keep their caches apart.
"use strict";

importScripts("./static/generated/assets.js");

const BASE = new URL("./", self.location.href);
const PREFIX = "da-assets " + BASE.pathname + " ";
const CACHE = PREFIX + self.ASSETS.version;
const CONFIG_CACHE = "da-config " + BASE.pathname;
const FILES = self.ASSETS.files;
const LAZY = new Set(self.ASSETS.lazy || []);
const HASH_HEADER = "x-asset-sha256";
// Which version each page still open from an older version was loaded from: "<BASE>.client/<id>" -> its cache's
// name, and "<BASE>.active" -> the version that was active last (the one such pages were loaded from).
const OWNERS = "da-owners " + BASE.pathname;

function siteUrl(path) {
  return new URL(path, BASE).href;
}

async function sha256(buffer) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", buffer));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function stored(body, type, hash) {
  const headers = { [HASH_HEADER]: hash };
  if (type) headers["content-type"] = type;
  return new Response(body, { status: 200, headers });
}

// A file of this version from an older version's cache, when its hash is the same (no download).
async function fromOlder(url, hash) {
  for (const name of await caches.keys()) {
    if (!name.startsWith(PREFIX) || name === CACHE) continue;
    const hit = await (await caches.open(name)).match(url);
    if (hit && hit.headers.get(HASH_HEADER) === hash) return hit;
  }
  return null;
}

async function fetchChecked(url, hash) {
  const response = await fetch(url, { cache: "no-cache" });
  if (!response.ok) throw new Error("could not fetch " + url + ": HTTP " + response.status);
  const body = await response.arrayBuffer();
  if ((await sha256(body)) !== hash) throw new Error(url + " changed while this version was being installed");
  return stored(body, response.headers.get("content-type"), hash);
}

async function install() {
  const cache = await caches.open(CACHE);
  const paths = Object.keys(FILES);
  let next = 0;
  async function worker() {
    while (next < paths.length) {
      const path = paths[next++];
      const url = siteUrl(path);
      const hash = FILES[path];
      const have = await cache.match(url);
      if (have && have.headers.get(HASH_HEADER) === hash) continue; // an interrupted install resumes
      const older = await fromOlder(url, hash);
      if (older || !LAZY.has(path)) await cache.put(url, older || (await fetchChecked(url, hash)));
    }
  }
  await Promise.all([worker(), worker(), worker(), worker()]);
}

self.addEventListener("install", (event) => {
  event.waitUntil(install());
});

const ACTIVE_KEY = siteUrl(".active");
const CLIENT_KEY = siteUrl(".client/");

function clientKey(id) {
  return CLIENT_KEY + encodeURIComponent(id);
}

async function readOwners(store) {
  const map = new Map();
  for (const request of await store.keys()) {
    if (request.url.startsWith(CLIENT_KEY)) {
      map.set(decodeURIComponent(request.url.slice(CLIENT_KEY.length)), await (await store.match(request)).text());
    }
  }
  return map;
}

let owners = null; // Promise of Map(client id -> cache name), read once per start of this worker

function ownerMap() {
  if (!owners) owners = caches.open(OWNERS).then(readOwners);
  return owners;
}

async function openClients() {
  const all = await self.clients.matchAll({ includeUncontrolled: true, type: "all" });
  return all.filter((client) => client.url.startsWith(BASE.href)); // not another copy of the app on this host
}

// Forget the pages that are gone, and delete every older version's cache no open page was loaded from.
async function prune() {
  const store = await caches.open(OWNERS);
  const alive = new Set((await openClients()).map((client) => client.id));
  const kept = new Set([CACHE]);
  for (const [id, name] of await readOwners(store)) {
    if (alive.has(id)) kept.add(name);
    else await store.delete(clientKey(id));
  }
  for (const name of await caches.keys()) {
    if (name.startsWith(PREFIX) && !kept.has(name)) await caches.delete(name);
  }
  owners = null;
}

// Every page open now was loaded from the version active until now (a version older than that was deleted, or
// its pages are known already): it stays theirs.
async function activate() {
  const store = await caches.open(OWNERS);
  const last = await store.match(ACTIVE_KEY);
  let previous = last ? await last.text() : null;
  if (!previous) {
    // Activated over a worker that did not keep this record: its cache is the one other cache left.
    const others = (await caches.keys()).filter((name) => name.startsWith(PREFIX) && name !== CACHE);
    if (others.length === 1) previous = others[0];
  }
  if (previous && previous !== CACHE) {
    for (const client of await openClients()) {
      if (!(await store.match(clientKey(client.id)))) await store.put(clientKey(client.id), new Response(previous));
    }
  }
  await store.put(ACTIVE_KEY, new Response(CACHE));
  await prune();
}

self.addEventListener("activate", (event) => {
  event.waitUntil(activate());
});

self.addEventListener("message", (event) => {
  if (event.data === "take-over") self.skipWaiting();
});

// config.json is the deployment's settings, not a versioned file: the network first, the last copy when offline.
async function config(request) {
  const cache = await caches.open(CONFIG_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request.url, response.clone());
    return response;
  } catch (error) {
    const copy = await cache.match(request.url);
    if (copy) return copy;
    throw error;
  }
}

async function asset(path, request, clientId) {
  const own = clientId ? (await ownerMap()).get(clientId) : undefined;
  if (own && own !== CACHE) {
    // A page of an older version: its own files only, never one of this version.
    const old = await caches.has(own) && await (await caches.open(own)).match(siteUrl(path));
    return old || Response.error();
  }
  if (!Object.prototype.hasOwnProperty.call(FILES, path)) return fetch(request);
  const cache = await caches.open(CACHE);
  const hit = await cache.match(siteUrl(path));
  if (hit) return hit;
  // A lazy file's first use (or a cache the browser evicted): this version's bytes or an error, never another's.
  const fresh = await fetchChecked(siteUrl(path), FILES[path]);
  await cache.put(siteUrl(path), fresh.clone());
  return fresh;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== BASE.origin || !url.pathname.startsWith(BASE.pathname)) return;
  let path = decodeURIComponent(url.pathname.slice(BASE.pathname.length));
  const navigation = request.mode === "navigate";
  if (path === "" && navigation) path = "index.html";
  if (path === "config.json") {
    event.respondWith(config(request));
  } else if (path === "index.html" || path.startsWith("static/")) {
    // A navigation is a new page: this version's. Pages of an older version still open are looked up.
    event.respondWith(asset(path, request, navigation ? "" : event.clientId));
    if (navigation) event.waitUntil(ownerMap().then((map) => map.size && prune()));
  }
});
