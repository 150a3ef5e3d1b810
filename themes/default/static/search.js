// paperfeed search: runs in the reader's browser over the index the build
// writes to search/. Mirrors src/search/ in Rust: the same words (text.rs),
// the same query language with the same meaning (query.rs), the same index
// layout (index.rs). Plain JavaScript, no dependencies, nothing remote.
(function () {
  "use strict";

  // ---- words: the same as src/search/text.rs --------------------------
  var STOPWORDS = ["a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it",
    "of", "on", "or", "that", "the", "this", "to", "we", "with", "our", "its"];

  function fold(text) {
    return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  }

  function words(text) {
    return fold(text).split(/[^\p{L}\p{N}]+/u).filter(function (w) {
      return w && STOPWORDS.indexOf(w) < 0;
    });
  }

  function slugify(text) {
    // Tags are matched by slug; the index lists each tag's slug in meta.tags,
    // so only a close-enough fold is needed to find it there.
    return fold(text).replace(/\+/g, " plus ").replace(/#/g, " sharp ").replace(/&/g, " and ")
      .replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-+|-+$/g, "");
  }

  // ---- query language: the same as src/search/query.rs ----------------
  function QueryError(column, message) { this.column = column; this.message = message; }

  function tokenize(text) {
    var chars = Array.from(text), tokens = [], i = 0;
    function readQuoted(open) {
      for (var j = open + 1; j < chars.length; j++) {
        if (chars[j] === '"') { return [chars.slice(open + 1, j).join(""), j + 1]; }
      }
      throw new QueryError(open + 1, "this quote is never closed");
    }
    while (i < chars.length) {
      var c = chars[i], column = i + 1;
      if (/\s/.test(c)) { i++; continue; }
      if (c === "(" || c === ")") { tokens.push({ column: column, kind: c }); i++; continue; }
      if (c === "-" && (i === 0 || /\s/.test(chars[i - 1]) || chars[i - 1] === "(") &&
          i + 1 < chars.length && !/\s/.test(chars[i + 1])) {
        tokens.push({ column: column, kind: "-" }); i++; continue;
      }
      if (c === '"') {
        var q = readQuoted(i);
        tokens.push({ column: column, kind: "quoted", value: q[0] }); i = q[1]; continue;
      }
      var start = i;
      while (i < chars.length && !/\s/.test(chars[i]) && "()\"".indexOf(chars[i]) < 0) { i++; }
      var word = chars.slice(start, i).join(""), colon = word.indexOf(":");
      var key = colon > 0 ? word.slice(0, colon) : "";
      if (key === "tag" || key === "author" || key === "year") {
        var value = word.slice(colon + 1);
        if (!value && chars[i] === '"') { var r = readQuoted(i); value = r[0]; i = r[1]; }
        if (!value) { throw new QueryError(column, "`" + key + ":` needs a value"); }
        tokens.push({ column: column, kind: "field", key: key, value: value });
      } else if (word === "OR") {
        tokens.push({ column: column, kind: "OR" });
      } else {
        tokens.push({ column: column, kind: "word", value: word });
      }
    }
    return tokens;
  }

  function parse(text) {
    var tokens = tokenize(text), at = 0, end = Array.from(text).length + 1;
    function peek() { return tokens[at] ? tokens[at].kind : null; }
    function column() { return tokens[at] ? tokens[at].column : end; }
    function or() {
      var parts = [and()];
      while (peek() === "OR") { at++; parts.push(and()); }
      return parts.length === 1 ? parts[0] : { op: "or", parts: parts };
    }
    function and() {
      var parts = [];
      while (peek() !== null && peek() !== "OR" && peek() !== ")") { parts.push(unary()); }
      if (!parts.length) { throw new QueryError(column(), "expected a search term"); }
      return parts.length === 1 ? parts[0] : { op: "and", parts: parts };
    }
    function unary() {
      var token = tokens[at++], ws;
      if (!token) { throw new QueryError(end, "expected a search term"); }
      switch (token.kind) {
        case "-": return { op: "not", part: unary() };
        case "(":
          var inner = or();
          if (peek() !== ")") { throw new QueryError(token.column, "this parenthesis is never closed"); }
          at++;
          return inner;
        case "word":
          ws = words(token.value);
          if (!ws.length) { return { op: "and", parts: [] }; }
          if (ws.length === 1) { return { op: "prefix", word: ws[0] }; }
          var parts = ws.slice(0, -1).map(function (w) { return { op: "exact", words: [w] }; });
          parts.push({ op: "prefix", word: ws[ws.length - 1] });
          return { op: "and", parts: parts };
        case "quoted":
          ws = words(token.value);
          return ws.length ? { op: "exact", words: ws } : { op: "and", parts: [] };
        case "field":
          if (token.key === "tag") {
            var slug = slugify(token.value);
            if (!slug) { throw new QueryError(token.column, "the tag has no searchable words"); }
            return { op: "tag", slug: slug };
          }
          if (token.key === "author") {
            ws = words(token.value);
            if (!ws.length) { throw new QueryError(token.column, "the author has no searchable words"); }
            return { op: "author", words: ws };
          }
          var year = parseInt(token.value, 10);
          if (!/^\s*-?\d+\s*$/.test(token.value)) {
            throw new QueryError(token.column, "`year:" + token.value + "` needs a year such as year:2024");
          }
          return { op: "year", year: year };
        default:
          throw new QueryError(token.column, "unexpected `" + token.kind + "`");
      }
    }
    var query = or();
    if (at < tokens.length) { throw new QueryError(tokens[at].column, "unexpected `" + tokens[at].kind + "`"); }
    return query;
  }

  // ---- the index: the layout src/search/index.rs writes ---------------
  var FIELD = { abstract: 1, tag: 2, author: 4, arxiv: 8, title: 16 };
  function weight(mask) {
    if (mask & FIELD.title) { return 3; }
    if (mask & (FIELD.tag | FIELD.author | FIELD.arxiv)) { return 2; }
    return mask ? 1 : 0;
  }

  // `metaPath` (from the page, which has it from the route table) is where
  // meta.json is; meta.json says where the rest is.
  function Index(base, metaPath) {
    this.base = base;
    this.metaPath = metaPath;
    this.fragments = {};
    this.cards = {};
    this.meta = null;
  }

  Index.prototype.load = function (path) {
    return fetch(this.base + path).then(function (r) {
      if (!r.ok) { throw new Error(path + ": " + r.status); }
      return r.json();
    });
  };

  Index.prototype.ready = function () {
    var self = this;
    if (!self.metaPromise) {
      self.metaPromise = self.load(self.metaPath).then(function (meta) { self.meta = meta; return meta; });
    }
    return self.metaPromise;
  };

  function hex(text) {
    return Array.from(new TextEncoder().encode(text)).map(function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  // The fragments that can hold terms starting with `word`.
  Index.prototype.fragmentsFor = function (word) {
    var self = this;
    var keys = self.meta.fragments.filter(function (k) { return k.startsWith(word) || word.startsWith(k); });
    return Promise.all(keys.map(function (key) {
      if (!self.fragments[key]) { self.fragments[key] = self.load(self.meta.paths.fragment.replace("{}", hex(key))); }
      return self.fragments[key];
    }));
  };

  // Results are dense arrays over all papers: score >= 0 for a match, -1
  // otherwise. Set operations are then single passes, fast even at 100,000.
  function none(n) { return new Int16Array(n).fill(-1); }
  function every(n) { return new Int16Array(n); }

  // Field masks of every term accepted by `test`, OR-ed per paper.
  function masks(fragments, test, n) {
    var out = new Uint8Array(n);
    fragments.forEach(function (fragment) {
      Object.keys(fragment).forEach(function (term) {
        if (!test(term)) { return; }
        var list = fragment[term];
        if (Array.isArray(list)) {
          for (var i = 0, doc = 0; i < list.length; i += 2) { doc += list[i]; out[doc] |= list[i + 1]; }
          return;
        }
        // Dense terms: one bitmap per field (see index.rs).
        Object.keys(list.b).forEach(function (bit) {
          var bytes = atob(list.b[bit]), field = Number(bit);
          for (var b = 0; b < bytes.length; b++) {
            var byte = bytes.charCodeAt(b);
            if (!byte) { continue; }
            for (var j = 0; j < 8; j++) { if (byte & (1 << j)) { out[b * 8 + j] |= field; } }
          }
        });
      });
    });
    return out;
  }

  function scoreMasks(m, filter) {
    var out = none(m.length);
    for (var d = 0; d < m.length; d++) { var x = m[d] & filter; if (x) { out[d] = weight(x); } }
    return out;
  }

  function intersect(sets, n) {
    var out = every(n);
    for (var d = 0; d < n; d++) {
      for (var i = 0; i < sets.length; i++) {
        if (sets[i][d] < 0) { out[d] = -1; break; }
        out[d] += sets[i][d];
      }
    }
    return out;
  }

  // Evaluates a query to one score per paper (-1: no match).
  Index.prototype.evaluate = function (query) {
    var self = this, n = self.meta.docs;
    function exactWords(ws, filter) {
      return Promise.all(ws.map(function (w) {
        return self.fragmentsFor(w).then(function (fs) {
          return scoreMasks(masks(fs, function (t) { return t === w; }, n), filter);
        });
      })).then(function (sets) { return intersect(sets, n); });
    }
    switch (query.op) {
      case "prefix":
        return self.fragmentsFor(query.word).then(function (fs) {
          return scoreMasks(masks(fs, function (t) { return t.startsWith(query.word) && t[0] !== "#"; }, n), 31);
        });
      case "exact": return exactWords(query.words, 31);
      case "author": return exactWords(query.words, FIELD.author);
      case "tag":
        var key = "#" + query.slug;
        return self.fragmentsFor(key).then(function (fs) {
          var m = masks(fs, function (t) { return t === key; }, n), out = none(n);
          for (var d = 0; d < n; d++) { if (m[d]) { out[d] = 0; } }
          return out;
        });
      case "year":
        var years = none(n);
        self.meta.years.forEach(function (y) {
          if (y[0] === query.year) { years.fill(0, y[1], y[2]); }
        });
        return Promise.resolve(years);
      case "not":
        return self.evaluate(query.part).then(function (inner) {
          var out = none(n);
          for (var d = 0; d < n; d++) { if (inner[d] < 0) { out[d] = 0; } }
          return out;
        });
      case "and":
        return Promise.all(query.parts.map(function (p) { return self.evaluate(p); })).then(function (sets) {
          return intersect(sets, n);
        });
      case "or":
        return Promise.all(query.parts.map(function (p) { return self.evaluate(p); })).then(function (sets) {
          var out = none(n);
          sets.forEach(function (set) { for (var d = 0; d < n; d++) { if (set[d] > out[d]) { out[d] = set[d]; } } });
          return out;
        });
    }
    return Promise.reject(new Error("unknown query"));
  };

  // Matching papers, best score first, then newest (lowest number) first:
  // a counting sort, linear in the number of papers.
  function rank(scores) {
    var max = -1, d;
    for (d = 0; d < scores.length; d++) { if (scores[d] > max) { max = scores[d]; } }
    if (max < 0) { return new Int32Array(0); }
    var counts = new Int32Array(max + 2);
    for (d = 0; d < scores.length; d++) { if (scores[d] >= 0) { counts[max - scores[d] + 1]++; } }
    for (var i = 1; i < counts.length; i++) { counts[i] += counts[i - 1]; }
    var out = new Int32Array(counts[counts.length - 1]);
    for (d = 0; d < scores.length; d++) { if (scores[d] >= 0) { out[counts[max - scores[d]]++] = d; } }
    return out;
  }

  Index.prototype.card = function (doc) {
    var self = this, per = self.meta.docs_per_chunk, chunk = Math.floor(doc / per);
    if (!self.cards[chunk]) { self.cards[chunk] = self.load(self.meta.paths.cards.replace("{}", chunk)); }
    return self.cards[chunk].then(function (cards) { return cards[doc % per]; });
  };

  // ---- the page --------------------------------------------------------
  var PAGE = 10;

  function positiveWords(query, out) {
    switch (query.op) {
      case "prefix": out.push(query.word); break;
      case "exact": case "author": query.words.forEach(function (w) { out.push(w); }); break;
      case "and": case "or": query.parts.forEach(function (p) { positiveWords(p, out); }); break;
    }
    return out;
  }

  // Wraps the words of `root`'s text that start with a query word in <mark>.
  function highlight(root, queryWords) {
    if (!queryWords.length) { return; }
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT), nodes = [];
    while (walker.nextNode()) { nodes.push(walker.currentNode); }
    nodes.forEach(function (node) {
      if (node.parentNode.closest("math, .tag-list")) { return; }
      var text = node.nodeValue, re = /[\p{L}\p{N}]+/gu, m, last = 0, pieces = [];
      while ((m = re.exec(text)) !== null) {
        var folded = fold(m[0]);
        if (queryWords.some(function (w) { return folded.startsWith(w); })) {
          pieces.push(document.createTextNode(text.slice(last, m.index)));
          var mark = document.createElement("mark");
          mark.textContent = m[0];
          pieces.push(mark);
          last = m.index + m[0].length;
        }
      }
      if (!pieces.length) { return; }
      pieces.push(document.createTextNode(text.slice(last)));
      var parent = node.parentNode;
      pieces.forEach(function (p) { parent.insertBefore(p, node); });
      parent.removeChild(node);
    });
  }

  function start() {
    var form = document.getElementById("search-form");
    if (!form) { return; }
    var input = document.getElementById("search-input");
    var tagSelect = document.getElementById("search-tag");
    var yearSelect = document.getElementById("search-year");
    var status = document.getElementById("search-status");
    var results = document.getElementById("search-results");
    var more = document.getElementById("search-more");
    var announce = document.getElementById("search-selection");
    var index = new Index(form.getAttribute("data-base") || "/", form.getAttribute("data-index"));
    var generation = 0, ranked = [], shown = 0, marked = [], selected = -1;

    function fromUrl() {
      var params = new URLSearchParams(window.location.search);
      input.value = params.get("q") || "";
      tagSelect.value = params.get("tag") || "";
      yearSelect.value = params.get("year") || "";
    }

    function toUrl(push) {
      var params = new URLSearchParams();
      if (input.value) { params.set("q", input.value); }
      if (tagSelect.value) { params.set("tag", tagSelect.value); }
      if (yearSelect.value) { params.set("year", yearSelect.value); }
      var query = params.toString(), url = window.location.pathname + (query ? "?" + query : "");
      if (push) { history.pushState(null, "", url); } else { history.replaceState(null, "", url); }
    }

    function select(i) {
      var cards = results.querySelectorAll(".card");
      if (!cards.length) { selected = -1; return; }
      selected = Math.max(0, Math.min(i, cards.length - 1));
      Array.prototype.forEach.call(cards, function (card, n) {
        card.classList.toggle("is-selected", n === selected);
      });
      cards[selected].scrollIntoView({ block: "nearest" });
      // Cards hold links, so they cannot be listbox options (axe: nested
      // interactive); a live region says which one the arrows picked.
      var title = cards[selected].querySelector(".card-title");
      if (announce && title) {
        announce.textContent = "Result " + (selected + 1) + " of " + ranked.length + ": " + title.textContent + ". Enter opens it.";
      }
    }

    function showMore() {
      var batch = Array.from(ranked.slice(shown, shown + PAGE)), mine = generation;
      shown += batch.length;
      more.hidden = shown >= ranked.length;
      return Promise.all(batch.map(function (doc) { return index.card(doc); })).then(function (cards) {
        if (mine !== generation) { return; }
        cards.forEach(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var card = holder.firstElementChild;
          if (!card) { return; }
          highlight(card, marked);
          results.appendChild(card);
        });
      });
    }

    function run() {
      var mine = ++generation, text = input.value.trim();
      var extra = [];
      if (tagSelect.value) { extra.push("tag:" + tagSelect.value); }
      if (yearSelect.value) { extra.push("year:" + yearSelect.value); }
      var full = [text ? "(" + text + ")" : ""].concat(extra).join(" ").trim();
      var shownQuery = [text].concat(extra).join(" ").trim();
      if (!full) {
        results.replaceChildren(); more.hidden = true; status.textContent = ""; return Promise.resolve();
      }
      var query;
      try { query = parse(text ? full : extra.join(" ")); } catch (e) {
        if (e instanceof QueryError) {
          status.textContent = "Not a query yet: " + e.message + " (at character " + Math.max(1, e.column - 1) + ").";
          return Promise.resolve();
        }
        throw e;
      }
      return index.evaluate(query).then(function (scores) {
        if (mine !== generation) { return; }
        ranked = rank(scores);
        marked = positiveWords(query, []);
        shown = 0; selected = -1;
        results.replaceChildren();
        status.textContent = ranked.length
          ? ranked.length + (ranked.length === 1 ? " paper matches " : " papers match ") + "“" + shownQuery + "”."
          : "No papers match “" + shownQuery + "”.";
        return showMore();
      });
    }

    index.ready().then(function (meta) {
      meta.tags.forEach(function (t) {
        var option = document.createElement("option");
        option.value = t[1]; option.textContent = t[0] + " (" + t[2] + ")";
        tagSelect.appendChild(option);
      });
      meta.years.forEach(function (y) {
        var option = document.createElement("option");
        option.value = String(y[0]); option.textContent = String(y[0]);
        yearSelect.appendChild(option);
      });
      fromUrl();
      input.focus();
      return run();
    }).catch(function (e) {
      status.textContent = "The search index could not be loaded (" + e.message + ").";
    });

    input.addEventListener("input", function () { toUrl(false); run(); });
    tagSelect.addEventListener("change", function () { toUrl(true); run(); });
    yearSelect.addEventListener("change", function () { toUrl(true); run(); });
    more.addEventListener("click", function () { showMore(); });
    window.addEventListener("popstate", function () { fromUrl(); run(); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (selected >= 0) { return; }
      toUrl(true);
      run();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); select(selected + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); select(selected - 1); }
      else if (event.key === "Enter" && selected >= 0) {
        var link = results.querySelectorAll(".card")[selected].querySelector(".card-title a");
        if (link) { event.preventDefault(); window.location.href = link.href; }
      }
    });
  }

  if (typeof document !== "undefined") {
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
  }
  // For the benchmark (benches/search.mjs), which runs the same code in node.
  if (typeof module !== "undefined") { module.exports = { parse: parse, words: words, Index: Index, rank: rank }; }
})();
