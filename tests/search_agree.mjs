// Prints, as JSON, the card links search.js finds for each query given on
// the command line, over the built site in PUBLIC_DIR:
//   node tests/search_agree.mjs PUBLIC_DIR QUERY…
// tests/search.rs compares them with what the Rust query code matches.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const { parse, Index, rank } = require("../themes/default/static/search.js");
const [dir, ...queries] = process.argv.slice(2);
globalThis.fetch = async (url) => {
  const body = readFileSync(dir + "/" + url, "utf8");
  return { ok: true, json: async () => JSON.parse(body) };
};

const out = {};
for (const q of queries) {
  const index = new Index("", "search/meta.json");
  await index.ready();
  const docs = [...rank(await index.evaluate(parse(q)))];
  const cards = await Promise.all(docs.map((d) => index.card(d)));
  out[q] = cards.map((html) => /href="([^"]+)"/.exec(html)[1]).sort();
}
console.log(JSON.stringify(out));
