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
    // The sweep workers start once the first numbers are shown; a user
    // reads them before running a sweep: give the workers that second.
    await page.waitForTimeout(1000);
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
 * tile x alternating 16, 4, ... (warm: every layer search cached). Two
 * figures per change: the page's own "computed in N ms" (request posted to
 * answer received, on the main thread), and the user's wait, from the input
 * event to the end of the first frame that shows the new numbers.
 */
async function tileChange(lpf) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 120_000 });
  if (lpf !== 8) {
    await page.selectOption("#lpf", String(lpf));
    await page.waitForSelector('#status[data-state="ready"]', { timeout: 120_000 });
  }
  // [request-to-answer ms, input-to-frame ms] of one change of tile x
  const change = (x) =>
    page.evaluate(
      (x) =>
        new Promise((resolve, reject) => {
          const status = document.querySelector("#status");
          const before = status.dataset.run; // the run id of the answer shown
          const input = document.querySelector("#tile-x");
          const fail = setTimeout(() => reject(new Error("no answer in 60 s")), 60_000);
          const t = performance.now();
          const seen = new MutationObserver(() => {
            if (status.dataset.state !== "ready" || status.dataset.run === before) return;
            seen.disconnect();
            clearTimeout(fail);
            // the frame that paints the new numbers ends after its rAF callbacks
            requestAnimationFrame(() => setTimeout(() => resolve([Number(status.dataset.ms), performance.now() - t]), 0));
          });
          seen.observe(status, { childList: true, subtree: true, characterData: true, attributes: true });
          input.value = String(x);
          input.dispatchEvent(new Event("input", { bubbles: true }));
        }),
      x,
    );
  const [coldAnswer, coldFrame] = await change(4);
  const answers = [];
  const frames = [];
  for (let i = 0; i < 9; i++) {
    await page.waitForTimeout(400); // past the URL's save (300 ms after a change)
    const [a, f] = await change(i % 2 === 0 ? 16 : 4);
    answers.push(a);
    frames.push(f);
  }
  const ms = (xs) => xs.map((x) => x.toFixed(0)).join(", ");
  console.log(
    `(f) one schedule re-evaluated after a tile change, lpf ${lpf}: cold ${coldAnswer} ms (input to frame ${coldFrame.toFixed(0)} ms); ` +
      `warm median ${median(answers)} ms request to answer (runs: ${ms(answers)}), median ${median(frames).toFixed(0)} ms input to frame (runs: ${ms(frames)})`,
  );
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
