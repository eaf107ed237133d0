// Offline support, in the page: registers the service worker (sw.js, next to index.html) once the app is ready,
// offers a new version ("A new version is ready: Reload") instead of mixing two, and says when the network is gone.
// Where a service worker cannot run (file://, a sandboxed frame, a browser without them) the app simply runs
// without one: every step here may fail silently.
"use strict";
(function () {
  var CHECK_EVERY_MS = 30 * 60 * 1000; // a page left open looks for a new version this often
  var takingOver = false;

  function $(id) { return document.getElementById(id); }

  function bar(id, text, button) {
    var el = $(id);
    if (!el) {
      el = document.createElement("div");
      el.id = id;
      el.className = "site-bar";
      el.setAttribute("role", "status");
      document.body.append(el);
    }
    el.textContent = "";
    var span = document.createElement("span");
    span.textContent = text;
    el.append(span);
    if (button) el.append(button);
    el.hidden = false;
    return el;
  }

  function hide(id) {
    var el = $(id);
    if (el) el.hidden = true;
  }

  // The network: the app keeps its conversations and settings, but cannot reach the Directus or the provider.
  function showNetwork() {
    if (navigator.onLine === false) {
      bar("offline-bar", "You are offline: the Directus and the model provider cannot be reached. " +
        "Your conversations and settings are here; sending waits for the network.");
    } else {
      hide("offline-bar");
    }
  }

  function reloadButton(onClick) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "primary";
    button.textContent = "Reload";
    button.addEventListener("click", function () { onClick(button); });
    return button;
  }

  function offer(worker) {
    bar("update-bar", "A new version is ready: ", reloadButton(function (button) {
      takingOver = true;
      button.disabled = true;
      worker.postMessage("take-over");
    }));
  }

  // Another tab took the new version: this one keeps being served its own version's files until it reloads.
  function reloadOffer() {
    bar("update-bar", "A new version is open in another tab: ", reloadButton(function () { location.reload(); }));
  }

  function watch(registration) {
    if (!registration) return; // refused without an error (some embedders, test browsers)
    if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
    registration.addEventListener("updatefound", function () {
      var worker = registration.installing;
      if (!worker) return;
      worker.addEventListener("statechange", function () {
        // "installed" with a controller: a new version waits for this page (without one: the first install).
        if (worker.state === "installed" && navigator.serviceWorker.controller) offer(worker);
      });
    });
    setInterval(function () { registration.update().catch(function () {}); }, CHECK_EVERY_MS);
  }

  var registered = false;

  function register() {
    if (registered) return;
    registered = true;
    try {
      if (!("serviceWorker" in navigator) || !/^https?:$/.test(location.protocol)) return;
      var workers = navigator.serviceWorker;
      workers.addEventListener("controllerchange", function () {
        if (takingOver) location.reload(); // the new version is active: load the page from it, whole
        else reloadOffer();
      });
      workers.register("./sw.js", { updateViaCache: "none" }).then(watch, function () {});
    } catch (e) {
      // A sandboxed frame or a locked-down browser: no service worker, the app works as before.
    }
  }

  window.addEventListener("online", showNetwork);
  window.addEventListener("offline", showNetwork);
  document.addEventListener("DOMContentLoaded", showNetwork);
  // After the app is ready (static/boot.js): the first visit's downloads and start come first. After a failed
  // start too: a version that cannot start must still be able to take the fixed one.
  window.addEventListener("app-ready", register);
  window.addEventListener("app-failed", register);
})();
