// paperfeed serve: reloads the page after a rebuild, swaps stylesheets
// after a CSS-only change, and shows build errors over the page. Injected
// by the dev server only; never part of `paperfeed build` output.
(function () {
  "use strict";
  var script = document.currentScript;
  var base = (script && script.getAttribute("data-base")) || "/";
  var overlay = null;

  function hideOverlay() {
    if (overlay) { overlay.remove(); overlay = null; }
  }

  // Built with DOM calls and CSSOM styles: no innerHTML, and nothing the
  // theme's Content-Security-Policy forbids.
  function showOverlay(report) {
    hideOverlay();
    overlay = document.createElement("div");
    overlay.id = "paperfeed-error-overlay";
    overlay.setAttribute("role", "alert");
    var s = overlay.style;
    s.position = "fixed"; s.inset = "0"; s.zIndex = "2147483647"; s.overflow = "auto";
    s.background = "rgba(20, 10, 10, 0.92)"; s.color = "#fff"; s.padding = "32px";
    s.font = "14px/1.5 ui-monospace, Menlo, Consolas, monospace";
    var title = document.createElement("h2");
    title.textContent = "paperfeed: the site has errors — still showing the last good build";
    title.style.color = "#ff8a80"; title.style.marginTop = "0";
    overlay.appendChild(title);
    (report.diagnostics || []).forEach(function (d) {
      var pre = document.createElement("pre");
      pre.textContent = d.text;
      pre.style.whiteSpace = "pre-wrap";
      pre.style.background = "rgba(255, 255, 255, 0.06)";
      pre.style.padding = "12px"; pre.style.borderRadius = "6px";
      overlay.appendChild(pre);
    });
    document.body.appendChild(overlay);
  }

  function swapStylesheets() {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    Array.prototype.forEach.call(links, function (link) {
      var url = new URL(link.href);
      url.searchParams.set("paperfeed-reload", String(Date.now()));
      var fresh = link.cloneNode();
      fresh.href = url.toString();
      fresh.addEventListener("load", function () { link.remove(); });
      link.after(fresh);
    });
  }

  var events = new EventSource(base + "__paperfeed/events");
  // Lets tools (and our browser test) see that the page is listening.
  events.addEventListener("hello", function () {
    document.documentElement.setAttribute("data-paperfeed-live", "connected");
  });
  // The output file behind this page: "papers/x/" is "papers/x/index.html".
  function shownFile() {
    var path = decodeURIComponent(window.location.pathname);
    if (path.indexOf(base) === 0) { path = path.slice(base.length); }
    return path === "" || path.slice(-1) === "/" ? path + "index.html" : path;
  }

  events.addEventListener("reload", function (e) {
    var data = JSON.parse(e.data);
    // A late update (related papers) that leaves this page as it is.
    if (data.if_shown && data.changed.indexOf(shownFile()) < 0) { return; }
    hideOverlay();
    if (data.css_only) { swapStylesheets(); } else { window.location.reload(); }
  });
  events.addEventListener("build-error", function (e) {
    showOverlay(JSON.parse(e.data));
  });
})();
