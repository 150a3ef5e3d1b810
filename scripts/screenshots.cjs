// Screenshots of the main page types at desktop and phone sizes, light and
// dark, with each page's full height: `scripts/screenshots` runs it against
// the example site. Uses Debian's Chromium through playwright-core.
const { chromium } = require("playwright-core");
const { mkdirSync } = require("node:fs");

const [base, out] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const pages = [
  ["home", ""], ["paper", process.env.PAPER || "papers/"], ["author", process.env.AUTHOR || "authors/"],
  ["authors-index", "authors/"], ["trending", "trending/all/"], ["search", "search/?q=reinforcement"], ["feeds", "feeds/"],
];
const sizes = [["desktop", 1280, 800, false], ["phone", 390, 844, true]];
(async () => {
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
for (const scheme of ["light", "dark"]) {
  for (const [size, width, height, isMobile] of sizes) {
    const context = await browser.newContext({ viewport: { width, height }, isMobile, colorScheme: scheme });
    const page = await context.newPage();
    for (const [name, path] of pages) {
      await page.goto(base + path, { waitUntil: "load" });
      if (name === "search") { await page.waitForSelector("#search-results .card", { timeout: 10000 }).catch(() => {}); }
      const file = `${out}/${name}-${size}-${scheme}.png`;
      await page.screenshot({ path: file });
      const full = await page.evaluate(() => document.documentElement.scrollHeight);
      console.log(`${name.padEnd(14)} ${size.padEnd(8)} ${scheme.padEnd(6)} page height ${String(full).padStart(6)} px  ${file}`);
    }
    await context.close();
  }
}
await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });
