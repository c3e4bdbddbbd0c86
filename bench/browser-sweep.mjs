// Benchmark (d): the case-study-1 sweep (FSRCNN on Meta_prototype_DF, 108
// schedules, lpf 6 and lpf 8) inside headless Chromium, in the page's sweep
// workers of the release build. Prints figures; never fails on a time.
// Usage: node bench/browser-sweep.mjs [runs]   (run by `cargo xtask bench`)
import { serveDir } from "../tests/e2e/serve.mjs";
import { dist, launchChromium } from "../tests/e2e/env.mjs";

const runs = Number(process.argv[2] ?? 3);
const { server, url } = await serveDir(dist);
const browser = await launchChromium();
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
    if (lpf !== 8) {
      // the page's default is the paper's lpf 8
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

/**
 * One schedule re-evaluated in the page's worker after a tile change at
 * `lpf`: the first visit of tile x = 4 (cold: new layer searches), then
 * back to 16 and to 4 again (warm: every layer search cached). Reads the
 * page's own "computed in N ms" (request to answer in the worker lane).
 */
async function tileChange(lpf) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 120_000 });
  const answer = async (action) => {
    const before = await page.textContent("#status");
    await action();
    // the answer replaces the status text ("computed in N ms"); a repeat of
    // the very same text is taken after 3 s
    await page
      .waitForFunction((b) => document.querySelector("#status")?.textContent !== b, before, { timeout: 3_000 })
      .catch(() => {});
    await page.waitForSelector('#status[data-state="ready"]', { timeout: 120_000 });
    return Number((await page.textContent("#status")).match(/([0-9.]+) ms/)?.[1] ?? NaN);
  };
  if (lpf !== 8) await answer(() => page.selectOption("#lpf", String(lpf)));
  const cold = await answer(() => page.fill("#tile-x", "4"));
  await answer(() => page.fill("#tile-x", "16"));
  const warm = await answer(() => page.fill("#tile-x", "4"));
  console.log(`(f) the page re-evaluates one schedule after a tile change, lpf ${lpf}: cold ${cold} ms, warm ${warm} ms`);
  await context.close();
}

/**
 * The default scenario re-evaluated after a memory size change on a "what
 * if" slider (sram_64KB: 32 KB, 128 KB, 64 KB, ... in x2 steps), in a page
 * whose worker is warm. A new hardware document is a new scenario for the
 * worker (validated again, its layer searches done again).
 */
async function memoryChange() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 120_000 });
  await page.selectOption("#add-slider", "sram_64KB.size_bits");
  await page.waitForSelector("#what-if-0");
  const times = [];
  for (const step of ["7", "9", "8", "7", "9", "8", "7"]) {
    const before = await page.getAttribute("#what-if-0-value", "data-value");
    await page.fill("#what-if-0", step);
    await page.waitForFunction((b) => document.querySelector("#what-if-0-value")?.dataset.value !== b, before);
    await page.waitForFunction(() => document.querySelector('#status[data-state="ready"]')?.dataset.ms, null, { timeout: 120_000 });
    times.push(Number(await page.getAttribute("#status", "data-ms")));
  }
  console.log(`(g) the page re-evaluates the default scenario (lpf 8) after a memory size change (slider): median ${median(times)} ms (runs: ${times.join(", ")} ms)`);
  await context.close();
}

try {
  await memoryChange();
  await tileChange(8);
  const loads = await sweep(null, 6);
  await sweep(1, 6);
  await sweep(null, 8);
  await sweep(1, 8);
  console.log(`    page load to the default scenario's numbers: median ${median(loads)} ms`);
} finally {
  await browser.close();
  server.close();
}
