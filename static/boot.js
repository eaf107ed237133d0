// Boot watcher: runs before PyScript, shows start-up progress, and puts any failure on the page in plain
// words. Python calls appBoot.ready() when the app is up (app/web/boot.py) or appBoot.fail() when it is not.
"use strict";
(function () {
  var SLOW_MS = 30000;
  var t0 = performance.now();
  var done = false;
  var failed = false;

  function $(id) { return document.getElementById(id); }

  function setStatus(text) {
    var el = $("boot-status");
    if (el) el.textContent = text;
  }

  // Show the error box. `summary` is one plain sentence; `details` (optional) is the technical part.
  function fail(summary, details) {
    if (done) return;
    failed = true;
    var box = $("boot-error");
    if (!box) {  // page not parsed yet: show it once it is
      document.addEventListener("DOMContentLoaded", function () { failed = false; fail(summary, details); });
      return;
    }
    if (!box.hidden) {
      // Keep the first summary (usually the cause); add later details only.
      if (details) appendDetails(box, String(details));
      return;
    }
    box.textContent = "";
    var title = document.createElement("strong");
    title.textContent = "The assistant could not start.";
    var text = document.createElement("p");
    text.textContent = summary;
    var hint = document.createElement("p");
    hint.textContent = "Reload the page to try again. If it keeps failing, the technical details below say what broke.";
    box.append(title, text, hint);
    if (details) appendDetails(box, String(details));
    box.hidden = false;
    document.body.classList.remove("booting");
    document.body.dataset.bootFailed = "1";
    setStatus("Start-up failed");
    window.dispatchEvent(new Event("app-failed")); // static/offline.js: a fixed version may be waiting
  }

  function appendDetails(box, details) {
    var pre = box.querySelector("pre");
    if (!pre) {
      var more = document.createElement("details");
      var label = document.createElement("summary");
      label.textContent = "Technical details";
      pre = document.createElement("pre");
      more.append(label, pre);
      box.append(more);
    }
    pre.textContent += (pre.textContent ? "\n\n" : "") + details;
  }

  // Returns false when a failure was already shown: then the page stays "failed", not "ready".
  function ready() {
    if (failed) return false;
    done = true;
    performance.mark("app-ready");
    document.body.classList.remove("booting");
    setStatus("");
    window.dispatchEvent(new Event("app-ready")); // static/offline.js registers the service worker now
    return true;
  }

  function describeResource(target) {
    var url = target.src || target.href || "";
    return "A file of the app could not be loaded: " + url +
      ". If you host the app yourself, copy static/vendor/ and static/generated/ too (created by scripts/setup).";
  }

  // Resource load failures (a missing script) do not bubble: listen in the capture phase.
  window.addEventListener("error", function (event) {
    if (done) return;
    var t = event.target;
    if (t && t !== window && (t.tagName === "SCRIPT" || t.tagName === "LINK")) {
      // A preload is only a head start: the loader that needs the file says what failed, in its own words.
      if (t.tagName === "LINK" && /(^|\s)(module)?preload(\s|$)/.test(t.rel)) return;
      fail(describeResource(t));
    } else if (event.message) {
      fail(plain(event.message), event.error && event.error.stack || event.message);
    }
  }, true);

  window.addEventListener("unhandledrejection", function (event) {
    if (done) return;
    var reason = event.reason;
    var text = reason && (reason.message || String(reason)) || "unknown error";
    fail(plain(text), reason && reason.stack || text);
  });

  // PyScript reports loading steps ("Loading Pyodide", "Loading files", ...).
  window.addEventListener("py:progress", function (event) {
    if (!done && !failed && typeof event.detail === "string") setStatus(event.detail + "…");
  });

  // PyScript's error plugin shows Python errors as .py-error elements; fold them into our box.
  var observer = new MutationObserver(function (records) {
    records.forEach(function (r) {
      r.addedNodes.forEach(function (node) {
        if (node.nodeType === 1 && node.classList.contains("py-error")) {
          if (!done) fail(plain(node.textContent), node.textContent);
          node.remove();
        }
      });
    });
  });
  document.addEventListener("DOMContentLoaded", function () {
    observer.observe(document.body, { childList: true });
  });

  setTimeout(function () {
    if (!done && !failed) setStatus("Still loading Python… this is taking longer than usual (slow network?).");
  }, SLOW_MS);

  // One line a user can read, from an error text that may hold a whole traceback.
  function plain(text) {
    text = String(text).trim();
    var lines = text.split("\n").filter(function (l) { return l.trim(); });
    var last = lines.length ? lines[lines.length - 1].trim() : text;
    var m = /^\[(\d+)\] Unable to fetch (\S+)/.exec(text);
    if (m) return "A file of the app could not be loaded (HTTP " + m[1] + "): " + m[2] + ".";
    m = /No module named '([^']+)'/.exec(text);
    if (m) return "A part of the app is missing: the Python module '" + m[1] + "' was not found.";
    m = /(\S+) is damaged/.exec(text);
    if (m) {
      return "A file of the app is damaged or incomplete (" + m[1] + "). Run scripts/setup and copy static/vendor/ " +
        "and static/generated/ again.";
    }
    if (/Traceback/.test(text)) last = "Python raised an error while starting: " + last;
    return last.length > 300 ? last.slice(0, 300) + "…" : last;
  }

  window.appBoot = { ready: ready, fail: fail, startedAt: t0 };
})();
