// Benchmark (d): the case-study-1 sweep (FSRCNN on Meta_prototype_DF, 108
// schedules, lpf 6 and lpf 8) inside headless Chromium, in the page's sweep
// workers of the release build. Prints figures; never fails on a time.
// Usage: node bench/browser-sweep.mjs [runs]   (run by `cargo xtask bench`)
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serveDir } from "../tests/e2e/serve.mjs";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.argv[2] ?? 3);
const { server, url } = await serveDir(path.join(repo, "dist"));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
  ],
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median sweep time at `lpf` with the page told it has `cores` cores (null: real). */
async function sweep(cores, lpf) {
  const times = [];
  const loads = [];
  let workers = 0;
  for (let i = 0; i < runs; i++) {
    // A fresh profile and page each run: cold sweep workers.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    if (cores !== null) {
      await context.addInitScript((n) => Object.defineProperty(navigator, "hardwareConcurrency", { get: () => n }), cores);
    }
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(url);
    await page.waitForSelector('#status[data-state="ready"]', { timeout: 120_000 });
    loads.push(Date.now() - t0);
    // The page runs one sweep worker per core, up to 8.
    workers = await page.evaluate(() => Math.min(8, Math.max(1, navigator.hardwareConcurrency)));
    await page.selectOption("#grid", "cs1");
    if (lpf !== 6) {
      await page.selectOption("#lpf", String(lpf));
      await page.waitForSelector('#status[data-state="ready"]', { timeout: 120_000 });
    }
    const ms = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const t = performance.now();
          document.querySelector("#run-sweep").click();
          const check = () =>
            document.querySelector("#sweep-count")?.dataset.state === "done"
              ? resolve(performance.now() - t)
              : setTimeout(check, 5);
          check();
        }),
    );
    times.push(ms);
    await context.close();
  }
  console.log(
    `(d) browser sweep, 108 schedules, lpf ${lpf}, ${workers} sweep worker(s): median ${(median(times) / 1000).toFixed(2)} s ` +
      `(runs: ${times.map((t) => (t / 1000).toFixed(2)).join(", ")} s)`,
  );
  return loads;
}

try {
  const loads = await sweep(null, 6);
  await sweep(1, 6);
  await sweep(null, 8);
  await sweep(1, 8);
  console.log(`    page load to the default scenario's numbers: median ${median(loads)} ms`);
} finally {
  await browser.close();
  server.close();
}
