// paperfeed default theme: progressive enhancements only. Every page works
// without this script.
(function () {
  "use strict";

  // "Copy BibTeX": the button stays hidden without JavaScript; the entry
  // itself is plain text anyone can select.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Fallback for http:// previews, where the async clipboard is unavailable.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  // "/" focuses the search box, wherever the reader is (but not while typing).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    var box = document.getElementById("search-input") || document.getElementById("site-search-q");
    // Pressed again in the empty box it is the shortcut, not a query.
    if (target === box && !box.value) { event.preventDefault(); return; }
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) { return; }
    if (box) { event.preventDefault(); box.focus(); box.select(); }
  });

  // A filter box over a long list on one page (the authors index): hides
  // names that do not match; Enter searches every paper for the rest.
  function filterList(form) {
    var list = document.getElementById(form.getAttribute("data-filter"));
    var input = form.querySelector("input");
    var status = form.querySelector(".filter-status");
    if (!list || !input) { return; }
    var items = Array.prototype.slice.call(list.children);
    var fold = function (s) { return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); };
    var names = items.map(function (li) { return fold(li.textContent); });
    form.hidden = false;
    input.addEventListener("input", function () {
      var q = fold(input.value.trim()), shown = 0;
      items.forEach(function (li, i) {
        var match = !q || names[i].indexOf(q) !== -1;
        li.hidden = !match;
        if (match) { shown += 1; }
      });
      status.textContent = q ? shown + " of " + items.length + " on this page" : "";
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var q = input.value.trim();
      if (q) { window.location.href = form.action + "?q=" + encodeURIComponent(input.getAttribute("data-prefix") + '"' + q + '"'); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-filter]"), filterList);
    // On an author's page, their name in every byline says so.
    Array.prototype.forEach.call(document.querySelectorAll(".card-authors a"), function (a) {
      if (a.pathname === window.location.pathname) { a.setAttribute("aria-current", "page"); }
    });
    var buttons = document.querySelectorAll("button[data-copy]");
    Array.prototype.forEach.call(buttons, function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) { return; }
      var status = button.parentNode.querySelector(".copy-status");
      button.hidden = false;
      button.addEventListener("click", function () {
        copyText(source.textContent).then(function () {
          if (status) { status.textContent = "Copied."; }
        }, function () {
          if (status) { status.textContent = "Press Ctrl+C to copy."; }
          var range = document.createRange();
          range.selectNodeContents(source);
          var selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
        });
      });
    });
  });
})();
