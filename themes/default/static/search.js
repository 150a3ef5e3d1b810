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

  function Index(base) {
    this.base = base;
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
      self.metaPromise = self.load("search/meta.json").then(function (meta) { self.meta = meta; return meta; });
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
      if (!self.fragments[key]) { self.fragments[key] = self.load("search/f/" + hex(key) + ".json"); }
      return self.fragments[key];
    }));
  };

  // doc → mask for every term accepted by `test`, from the loaded fragments.
  function postings(fragments, test, maskFilter) {
    var out = new Map();
    fragments.forEach(function (fragment) {
      Object.keys(fragment).forEach(function (term) {
        if (!test(term)) { return; }
        var list = fragment[term], doc = 0;
        for (var i = 0; i < list.length; i += 2) {
          doc += list[i];
          var mask = list[i + 1] & maskFilter;
          if (mask) { out.set(doc, (out.get(doc) || 0) | mask); }
        }
      });
    });
    return out;
  }

  function scored(map) {
    var out = new Map();
    map.forEach(function (mask, doc) { out.set(doc, weight(mask)); });
    return out;
  }

  function intersect(sets) {
    if (!sets.length) { return null; }
    sets.sort(function (a, b) { return a.size - b.size; });
    var out = new Map();
    sets[0].forEach(function (score, doc) {
      var total = score;
      for (var i = 1; i < sets.length; i++) {
        if (!sets[i].has(doc)) { return; }
        total += sets[i].get(doc);
      }
      out.set(doc, total);
    });
    return out;
  }

  // Evaluates a query to doc → score; `null` stands for "every paper".
  Index.prototype.evaluate = function (query) {
    var self = this, meta = self.meta;
    function all() {
      var out = new Map();
      for (var d = 0; d < meta.docs; d++) { out.set(d, 0); }
      return out;
    }
    function exactWords(ws, maskFilter) {
      return Promise.all(ws.map(function (w) {
        return self.fragmentsFor(w).then(function (fs) {
          return scored(postings(fs, function (t) { return t === w; }, maskFilter));
        });
      })).then(intersect);
    }
    switch (query.op) {
      case "prefix":
        return self.fragmentsFor(query.word).then(function (fs) {
          return scored(postings(fs, function (t) { return t.startsWith(query.word) && t[0] !== "#"; }, 31));
        });
      case "exact": return exactWords(query.words, 31);
      case "author": return exactWords(query.words, FIELD.author);
      case "tag":
        var key = "#" + query.slug;
        return self.fragmentsFor(key).then(function (fs) {
          var found = postings(fs, function (t) { return t === key; }, 31), out = new Map();
          found.forEach(function (_, doc) { out.set(doc, 0); });
          return out;
        });
      case "year":
        var out = new Map();
        meta.years.forEach(function (y) {
          if (y[0] === query.year) { for (var d = y[1]; d < y[2]; d++) { out.set(d, 0); } }
        });
        return Promise.resolve(out);
      case "not":
        return self.evaluate(query.part).then(function (inner) {
          var out = new Map();
          for (var d = 0; d < meta.docs; d++) { if (!inner || !inner.has(d)) { out.set(d, 0); } }
          if (!inner) { out.clear(); }
          return out;
        });
      case "and":
        if (!query.parts.length) { return Promise.resolve(null); }
        return Promise.all(query.parts.map(function (p) { return self.evaluate(p); })).then(function (sets) {
          var real = sets.filter(function (s) { return s !== null; });
          return real.length ? intersect(real) : null;
        });
      case "or":
        return Promise.all(query.parts.map(function (p) { return self.evaluate(p); })).then(function (sets) {
          if (sets.some(function (s) { return s === null; })) { return all(); }
          var out = new Map();
          sets.forEach(function (set) {
            set.forEach(function (score, doc) { out.set(doc, Math.max(score, out.get(doc) || 0)); });
          });
          return out;
        });
    }
    return Promise.reject(new Error("unknown query"));
  };

  Index.prototype.card = function (doc) {
    var self = this, per = self.meta.docs_per_chunk, chunk = Math.floor(doc / per);
    if (!self.cards[chunk]) { self.cards[chunk] = self.load("search/cards/" + chunk + ".json"); }
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
    var index = new Index(form.getAttribute("data-base") || "/");
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
    }

    function showMore() {
      var batch = ranked.slice(shown, shown + PAGE), mine = generation;
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
      return index.evaluate(query).then(function (found) {
        if (mine !== generation) { return; }
        if (found === null) { found = new Map(); for (var d = 0; d < index.meta.docs; d++) { found.set(d, 0); } }
        ranked = Array.from(found.keys()).sort(function (a, b) {
          return (found.get(b) - found.get(a)) || (a - b);
        });
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
  if (typeof module !== "undefined") { module.exports = { parse: parse, words: words, Index: Index }; }
})();
