// Under `mkdocs serve`: replace each snippet placeholder by its result once it has run.
// The engine's background worker keeps assets/engine/queue.json up to date and writes each
// finished result to assets/engine/fragments/KEY-LANG.html (see engine/site/stream.py).
(function () {
  "use strict";
  var SELECTOR = ".snippet-pending[data-snippet-key]";
  var first = document.querySelector(SELECTOR);
  if (!first) return;
  var base = first.getAttribute("data-stream");

  function setState(el, text, extra) {
    var p = el.querySelector(".snippet-pending-state");
    if (p && p.textContent !== text) p.textContent = text;
    if (extra !== undefined && !el.querySelector("pre")) {
      var pre = document.createElement("pre");
      pre.textContent = extra;
      el.appendChild(pre);
    }
  }

  function swap(el) {
    if (el.getAttribute("data-loading")) return;
    el.setAttribute("data-loading", "1");
    var key = el.getAttribute("data-snippet-key");
    var lang = el.getAttribute("data-lang");
    fetch(base + "fragments/" + key + "-" + lang + ".html", { cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.className = "snippet-streamed";
        holder.innerHTML = html.split("__SITE_PREFIX__").join(el.getAttribute("data-prefix"));
        el.replaceWith(holder);
      })
      .catch(function () { el.removeAttribute("data-loading"); });
  }

  function poll() {
    fetch(base + "queue.json", { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (q) {
        var left = document.querySelectorAll(SELECTOR);
        left.forEach(function (el) {
          var key = el.getAttribute("data-snippet-key");
          if (q.done.indexOf(key) >= 0) {
            swap(el);
          } else if (q.failed[key]) {
            setState(el, el.getAttribute("data-label-failed"), q.failed[key]);
          } else if (q.running === key) {
            setState(el, el.getAttribute("data-label-running"));
          } else if (q.queued.indexOf(key) >= 0) {
            var n = String(q.queued.indexOf(key) + 1);
            setState(el, el.getAttribute("data-label-queued").replace("{n}", n));
          }
        });
        if (left.length) setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }

  poll();
})();
