// End-to-end page test: the built dist/ served on 127.0.0.1, driven in
// headless Chromium. Run by `cargo xtask test` (after `trunk build`).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serveDir } from "./serve.mjs";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const dist = process.env.DEFINES_DIST ?? path.join(repo, "dist");
const shots = path.join(repo, "target", "e2e");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ANSWER_TIMEOUT_MS = 60_000;

let server, url, browser;

before(async () => {
  assert.ok(fs.existsSync(path.join(dist, "index.html")), `no build in ${dist}: run trunk build first`);
  fs.mkdirSync(shots, { recursive: true });
  ({ server, url } = await serveDir(dist));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    ],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** Opens the page, failing the test on any uncaught page error. */
async function open() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  const t0 = Date.now();
  await page.goto(url);
  return { page, context, errors, t0 };
}

/** Counts separate runs of columns that contain the bar colour (#2f6fb5). */
async function countBars(page, selector) {
  return page.$eval(selector, (c) => {
    const ctx = c.getContext("2d");
    const { data, width, height } = ctx.getImageData(0, 0, c.width, c.height);
    let runs = 0, inRun = false;
    for (let x = 0; x < width; x++) {
      let hit = false;
      for (let y = 0; y < height && !hit; y++) {
        const i = (y * width + x) * 4;
        hit = data[i] === 0x2f && data[i + 1] === 0x6f && data[i + 2] === 0xb5;
      }
      if (hit && !inRun) runs++;
      inRun = hit;
    }
    return runs;
  });
}

test("default page shows the FSRCNN MACs computed by the worker", async () => {
  const { page, context, errors, t0 } = await open();
  await page.waitForSelector('#status[data-state="ready"]', { timeout: ANSWER_TIMEOUT_MS });
  const loadMs = Date.now() - t0;
  assert.equal(await page.textContent("#total-macs"), "8,362,594,208");
  assert.equal(await countBars(page, "#macs-chart"), 8, "one bar per FSRCNN compute layer");
  const status = await page.textContent("#status");
  assert.match(status, /computed in the worker in [\d.]+ ms/);
  await page.screenshot({ path: path.join(shots, "default.png"), fullPage: true });
  console.log(`# page load to numbers: ${loadMs} ms (${status})`);
  assert.deepEqual(errors, []);
  await context.close();
});
