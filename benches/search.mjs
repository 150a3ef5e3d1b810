// Query times and download sizes of the search index, by running the
// theme's own search.js in node against an index on disk:
//   node benches/search.mjs INDEX_DIR
// A "fetch" is a file read; its size is what a browser would download.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const require = createRequire(import.meta.url);
const { parse, Index, rank } = require("../themes/default/static/search.js");
const dir = process.argv[2];

let downloaded = 0;
globalThis.fetch = async (url) => {
  const body = readFileSync(dir + "/" + url);
  downloaded += body.length;
  return { ok: true, json: async () => JSON.parse(body.toString("utf8")) };
};

const queries = ["reinf", "reinforcement learning", "muller", "tag:topic-001", "transformer -diffusion",
  "\"policy gradient\"", "author:turing OR author:hopper", "year:2020 scaling", "zzzz"];

const results = [];
for (const q of queries) {
  // A fresh index per query: the first query's downloads, as a new visitor's.
  const index = new Index("", "search/meta.json");
  downloaded = 0;
  const t0 = performance.now();
  await index.ready();
  const docs = rank(await index.evaluate(parse(q)));
  await Promise.all(Array.from(docs.slice(0, 10)).map((d) => index.card(d)));
  const ms = performance.now() - t0;
  results.push({ q, hits: docs.length, ms: ms.toFixed(1), kb: (downloaded / 1024).toFixed(0) });
}
for (const r of results) {
  console.log(`  ${r.q.padEnd(34)} ${String(r.hits).padStart(7)} hits ${r.ms.padStart(8)} ms ${r.kb.padStart(7)} KB downloaded`);
}
