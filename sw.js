// The app's service worker (registered by static/offline.js): keeps one complete version of the app's files and
// serves them cache-first, so a return visit asks the network for nothing that did not change, and the app starts
// with the network off.
//
// - The files and their sha256 come from the build: static/generated/assets.js (scripts/assets.py). The browser
//   compares this script and that one on each visit (registered with updateViaCache "none"); a deploy that
//   changed anything is a new service worker that fetches the new version into a cache of its own, checking every
//   file against its hash (a file changed again mid-download fails the install, which is retried later), and
//   copying the files that did not change from the old cache instead of downloading them.
// - A new version waits while a page of the old one is open: static/offline.js offers "reload", which activates it
//   and reloads. A page is served by one version from start to end, never a mix.
// - Only the listed files (and config.json, network first) are answered here. Everything else, the Directus and
//   the model providers above all, goes to the network untouched and is never stored.
// All paths are relative to this script's folder: the app works from a sub-path, and two copies of it on one
// host keep their caches apart.
"use strict";

importScripts("./static/generated/assets.js");

const BASE = new URL("./", self.location.href);
const PREFIX = "da-assets " + BASE.pathname + " ";
const CACHE = PREFIX + self.ASSETS.version;
const CONFIG_CACHE = "da-config " + BASE.pathname;
const FILES = self.ASSETS.files;
const HASH_HEADER = "x-asset-sha256";

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
      await cache.put(url, (await fromOlder(url, hash)) || (await fetchChecked(url, hash)));
    }
  }
  await Promise.all([worker(), worker(), worker(), worker()]);
}

self.addEventListener("install", (event) => {
  event.waitUntil(install());
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
    })(),
  );
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

async function asset(path, request) {
  const hit = await (await caches.open(CACHE)).match(siteUrl(path));
  return hit || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== BASE.origin || !url.pathname.startsWith(BASE.pathname)) return;
  let path = decodeURIComponent(url.pathname.slice(BASE.pathname.length));
  if (path === "" && request.mode === "navigate") path = "index.html";
  if (path === "config.json") {
    event.respondWith(config(request));
  } else if (Object.prototype.hasOwnProperty.call(FILES, path)) {
    event.respondWith(asset(path, request));
  }
});
