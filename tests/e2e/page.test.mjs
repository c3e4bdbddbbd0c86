// End-to-end page tests: the built dist/ served on 127.0.0.1, driven in
// headless Chromium (playwright-core), numbers checked against the native
// CLI (`defines eval`). Run by `cargo xtask test` after `trunk build`;
// DEFINES_CLI names the CLI binary. Screenshots go to target/e2e/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { serveDir } from "./serve.mjs";
import { checkBuild, cli, dist, fullPageShot, launchChromium, repo, shots, defines, PAGE_LPF, waitForScenarioInUrl } from "./env.mjs";

const ANSWER_TIMEOUT_MS = 60_000;

let server, url, browser;

before(async () => {
  checkBuild();
  ({ server, url } = await serveDir(dist));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** `defines eval` for a scenario, as parsed JSON. */
function evalCli({ hw = "Meta_prototype_DF", wl = "fsrcnn", mode, tile, lpf = PAGE_LPF }) {
  const out = defines([
    "eval", "--hardware", hw, "--workload", wl, "--mode", String(mode), "--tile", tile,
    "--lpf", String(lpf), "--format", "json",
  ]);
  return JSON.parse(out.toString());
}

/** A fresh browser profile (context) on `target`; fails on page errors. */
async function open(target = url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  const t0 = Date.now();
  await page.goto(target);
  return { page, context, errors, t0 };
}

/** Waits until the page shows a fresh answer; returns its exact numbers. */
async function shown(page) {
  await page.waitForSelector('#status[data-state="ready"]', { timeout: ANSWER_TIMEOUT_MS });
  return {
    energy: Number(await page.getAttribute("#energy", "data-value")),
    latency: Number(await page.getAttribute("#latency", "data-value")),
    status: await page.textContent("#status"),
  };
}

/** Waits for the numbers of a given CLI report. */
async function waitForNumbers(page, expected) {
  const describe = async () =>
    `page shows ${await page.getAttribute("#energy", "data-value")} pJ / ${await page.getAttribute("#latency", "data-value")} cycles, ` +
    `status "${await page.textContent("#status")}", expected ${expected.energy_pj} / ${expected.latency_cycles}`;
  await page.waitForFunction(
    ([e, l]) =>
      document.querySelector('#status[data-state="ready"]') &&
      Number(document.querySelector("#energy")?.dataset.value) === e &&
      Number(document.querySelector("#latency")?.dataset.value) === l,
    [expected.energy_pj, expected.latency_cycles],
    { timeout: ANSWER_TIMEOUT_MS },
  ).catch(async (e) => {
    throw new Error(`${await describe()}: ${e.message}`);
  });
}

/** Counts separate runs of columns that contain the first series colour. */
async function countBars(page, selector) {
  return page.$eval(selector, (c) => {
    const { data, width, height } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
    let runs = 0, inRun = false;
    for (let x = 0; x < width - 150; x++) {
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

/** Number of non-white pixels of a canvas. */
async function inkOf(page, selector) {
  return page.$eval(selector, (c) => {
    const { data } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] < 250 || data[i + 1] < 250 || data[i + 2] < 250) n++;
    return n;
  });
}

test("default scenario: the page shows the CLI's numbers", async () => {
  const { page, context, errors, t0 } = await open();
  const expected = evalCli({ mode: 3, tile: "16x18" });
  const got = await shown(page);
  const loadMs = Date.now() - t0;
  assert.equal(got.energy, expected.energy_pj, "energy bit for bit");
  assert.equal(got.latency, expected.latency_cycles);
  // docs/model.md §6.10 reference values, to be sure the CLI is right too.
  assert.ok(Math.abs(got.energy / 1822760872.09 - 1) < 1e-9);
  assert.equal(got.latency, 20523395);
  assert.equal(await countBars(page, "#latency-chart"), 8, "one latency bar per FSRCNN layer");
  assert.ok((await inkOf(page, "#energy-chart")) > 5000, "energy chart drawn");
  assert.equal(await page.locator("#layer-table tbody tr").count(), 72, "9 tile types x 8 layers");
  await page.screenshot({ path: path.join(shots, "default.png") });
  await fullPageShot(page, path.join(shots, "default-full.png"));
  console.log(`# page load to numbers: ${loadMs} ms (${got.status})`);
  assert.deepEqual(errors, []);
  await context.close();
});

test("changing mode and tile gives the CLI's numbers", async () => {
  const { page, context, errors } = await open();
  await shown(page);
  // at the reference's lpf 6, whose run of this schedule is a hand case
  await page.selectOption("#lpf", "6");
  await page.click("#mode-1");
  await page.fill("#tile-x", "60");
  await page.press("#tile-x", "Tab");
  await page.fill("#tile-y", "72");
  await page.press("#tile-y", "Tab");
  const expected = evalCli({ mode: 1, tile: "60x72", lpf: 6 });
  await waitForNumbers(page, expected);
  assert.equal(expected.latency_cycles, 22776595, "docs/model.md §6.10 mode 1, 60x72");
  const status = await page.textContent("#status");
  console.log(`# re-evaluation in the page: ${status}`);
  // Back to the default schedule: every layer evaluation is cached.
  await page.click("#mode-3");
  await page.fill("#tile-x", "16");
  await page.fill("#tile-y", "18");
  await waitForNumbers(page, evalCli({ mode: 3, tile: "16x18", lpf: 6 }));
  console.log(`# warm re-evaluation (schedule seen before): ${await page.textContent("#status")}`);
  await page.screenshot({ path: path.join(shots, "mode1-60x72.png") });
  assert.deepEqual(errors, []);
  await context.close();
});

test("a sweep completes and draws heat maps and the Pareto front", async () => {
  const { page, context, errors } = await open();
  await shown(page);
  await page.selectOption("#lpf", "5"); // fewer orderings than the default 8: a faster sweep
  await shown(page);
  const t0 = Date.now();
  await page.click("#run-sweep");
  await page.waitForSelector('#sweep-count[data-state="done"]', { timeout: 300_000 });
  const sweepMs = Date.now() - t0;
  assert.equal(await page.getAttribute("#sweep-count", "data-done"), "108");
  for (const id of ["heat-energy-1", "heat-energy-3", "heat-latency-2", "pareto"]) {
    assert.ok((await inkOf(page, `#${id}`)) > 3000, `${id} drawn`);
  }
  // The simpler models' table: the same choices and ratios as the CLI's --lens.
  const lenses = JSON.parse(defines(["sweep", "--hardware", "Meta_prototype_DF", "--workload", "fsrcnn",
    "--tiles", "case-study-1", "--lpf", "5", "--lens", "all", "--format", "json"], { encoding: "utf8" })).lenses;
  assert.equal(lenses.length, 3);
  for (const l of lenses) {
    const row = page.locator(`#lens-${l.lens}`);
    assert.equal(Number(await row.getAttribute("data-energy")), l.energy_pj, l.lens);
    assert.equal(Number(await row.getAttribute("data-ratio")), l.energy_ratio, l.lens);
    assert.equal(await row.getAttribute("data-tile"), `${l.tile_x}x${l.tile_y}`);
    assert.equal(await row.getAttribute("data-mode"), String(l.mode));
    assert.equal(await row.locator("td[data-tied]").getAttribute("data-tied"), String(l.tied));
  }
  assert.equal(await page.getAttribute("#lens-full", "data-ratio"), "1.0");
  // A heat-map cell chosen with the keyboard loads its schedule.
  await page.click("#heat-cells > summary");
  const cell = page.locator('#heat-cells-2 button[data-tile="60x72"]');
  await cell.focus();
  await page.keyboard.press("Enter");
  await waitForNumbers(page, evalCli({ mode: 2, tile: "60x72", lpf: 5 }));
  assert.equal(await page.inputValue("#tile-x"), "60");
  // Click a point (one standing alone, other than the current schedule):
  // that schedule is loaded and evaluated.
  const points = JSON.parse(await page.getAttribute("#pareto", "data-points"));
  assert.equal(points.length, 108);
  assert.ok(points.some((p) => p[5]), "a Pareto front");
  const alone = (p) => points.every((q) => q === p || Math.hypot(q[0] - p[0], q[1] - p[1]) > 12);
  const [px, py, mode, tx, ty] = points.find((p) => alone(p) && !(p[3] === 16 && p[4] === 18 && p[2] === 3));
  const canvas = page.locator("#pareto");
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  const scale = box.width / (await canvas.evaluate((c) => c.width / Number(c.dataset.dpr)));
  await page.mouse.click(box.x + px * scale, box.y + py * scale);
  const expected = evalCli({ mode, tile: `${tx}x${ty}`, lpf: 5 });
  await waitForNumbers(page, expected);
  assert.equal(await page.inputValue("#tile-x"), String(tx));
  assert.equal(await page.inputValue("#tile-y"), String(ty));
  console.log(`# sweep of 108 schedules (lpf 5) in the page: ${sweepMs} ms; clicked front point mode ${mode} ${tx}x${ty}`);
  await fullPageShot(page, path.join(shots, "sweep.png"));
  assert.deepEqual(errors, []);
  await context.close();
});

test("Cancel stops a sweep and keeps its partial results", async () => {
  const { page, context, errors } = await open();
  await shown(page);
  // lpf 8: a sweep long enough (over a second) to be caught running
  await page.selectOption("#lpf", "8");
  await shown(page);
  await page.click("#run-sweep");
  await page.waitForFunction(() => Number(document.querySelector("#sweep-count")?.dataset.done) >= 1, null, {
    timeout: ANSWER_TIMEOUT_MS,
  });
  // Measured inside the page: from the click to the frame showing the
  // sweep cancelled (the sweep worker is terminated in the same task).
  const cancelMs = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const t0 = performance.now();
        document.querySelector("#cancel-sweep").click();
        const check = () =>
          document.querySelector("#sweep-count")?.dataset.state === "cancelled"
            ? resolve(performance.now() - t0)
            : requestAnimationFrame(check);
        check();
      }),
  );
  const done = Number(await page.getAttribute("#sweep-count", "data-done"));
  await page.waitForTimeout(1500);
  assert.equal(Number(await page.getAttribute("#sweep-count", "data-done")), done, "no more points after cancel");
  assert.ok(done >= 1 && done < 108);
  assert.ok(cancelMs < 1000);
  // The interactive worker is unaffected.
  await page.click("#mode-2");
  await shown(page);
  console.log(`# cancel took ${cancelMs.toFixed(1)} ms in the page (click to cancelled frame), ${done} points kept`);
  await page.screenshot({ path: path.join(shots, "cancelled.png") });
  assert.deepEqual(errors, []);
  await context.close();
});

test("a broken JSON edit shows a diagnostic and survives a reload", async () => {
  const { page, context, errors } = await open();
  await shown(page);
  await page.click("#editor-workload summary");
  const broken = '{ "name": "fsrcnn", "layers": [ ';
  await page.fill("#json-workload", broken);
  await page.waitForSelector('#status[data-state="invalid"]');
  const diag = await page.textContent("#editor-workload .diagnostics");
  assert.match(diag, /workload/);
  assert.ok(await page.isDisabled("#run-sweep"), "no sweep on invalid input");
  await page.locator("#editor-workload").scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(shots, "broken-edit.png") });
  await page.reload();
  await page.waitForSelector('#status[data-state="invalid"]');
  assert.equal(await page.inputValue("#json-workload"), broken, "the edit survived the reload");
  await page.click("#editor-workload button");
  await shown(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test("edits faster than the URL is written survive an immediate reload", async () => {
  // The URL and localStorage are written at most every 250 ms; the last
  // edit of a burst reaches them when the page is hidden.
  const { page, context, errors } = await open();
  await shown(page);
  await page.click("#editor-workload summary");
  await page.fill("#json-workload", '{ "name": "first" ');
  await page.fill("#json-workload", '{ "name": "second" ');
  await page.reload();
  await page.waitForSelector('#status[data-state="invalid"]');
  assert.equal(await page.inputValue("#json-workload"), '{ "name": "second" ');
  assert.deepEqual(errors, []);
  await context.close();
});

test("a shared URL reproduces the scenario in a fresh profile", async () => {
  const a = await open();
  await shown(a.page);
  await a.page.click("#mode-2");
  await a.page.selectOption("#workload", "mccnn");
  await a.page.fill("#tile-x", "60");
  await a.page.press("#tile-x", "Tab");
  const expected = evalCli({ wl: "mccnn", mode: 2, tile: "60x18" });
  await waitForNumbers(a.page, expected);
  // The URL fragment holds the scenario shown.
  await waitForScenarioInUrl(a.page, { wl: "mccnn", mode: 2, tx: 60, ty: 18 });
  const link = await a.page.evaluate(() => location.href);
  assert.match(link, /#s=/);
  await a.context.close();
  const b = await open(link);
  await waitForNumbers(b.page, expected);
  assert.equal(await b.page.inputValue("#workload"), "mccnn");
  await b.page.screenshot({ path: path.join(shots, "shared-link.png") });
  assert.deepEqual(b.errors, []);
  await b.context.close();
});

test("a corrupt URL falls back to the default with a message", async () => {
  const { page, context, errors } = await open(`${url}#s=not%20a%20scenario!!`);
  const got = await shown(page);
  assert.match(await page.textContent("#notice"), /could not be read/);
  assert.equal(got.latency, 20523395, "default scenario");
  await page.screenshot({ path: path.join(shots, "corrupt-url.png") });
  assert.deepEqual(errors, []);
  await context.close();
});

/** A shared link to the default scenario with an edited hardware text. */
function linkWithHardware(edit) {
  const preset = fs.readFileSync(path.join(repo, "crates/model/presets/hardware/Meta_prototype_DF.json"), "utf8");
  const hw = edit(preset);
  assert.notEqual(hw, preset, "the edit applies");
  const saved = { v: 1, hw: "Meta_prototype_DF", wl: "fsrcnn", mode: 3, tx: 16, ty: 18, lpf: 6, edits: [hw, null, null] };
  return `${url}#s=${Buffer.from(JSON.stringify(saved)).toString("base64url")}`;
}

test("finding1/finding2: hostile shared links show the limit, never freeze or compute forever", async () => {
  for (const [edit, field, words] of [
    // Once: the port count wrapped to 0 and validation allocated without end (a frozen tab).
    [(t) => t.replace(/"r_port": ?1,/, '"r_port": 18446744073709551615,'), "r_port", /64/],
    // Once: an infinite total that could not be decoded ("computing…" forever).
    [(t) => t.replace(/"r_cost_pJ_per_access": ?[0-9.e-]+,/, '"r_cost_pJ_per_access": 1e308,'), "r_cost_pJ_per_access", /1000000000/],
  ]) {
    const { page, context, errors } = await open(linkWithHardware(edit));
    await page.waitForSelector('#status[data-state="invalid"]', { timeout: 15_000 });
    if (!(await page.$eval("#editor-hardware", (d) => d.open))) await page.click("#editor-hardware summary");
    const diag = await page.textContent("#editor-hardware .diagnostics");
    assert.ok(diag.includes(field), diag);
    assert.match(diag, words);
    if (field === "r_port") {
      await page.locator("#editor-hardware .diagnostics").scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(shots, "hostile-link.png") });
    }
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test("a crashed worker is restarted with a notice and the inputs stay", async () => {
  const { page, context } = await open();
  await shown(page);
  await page.click("#mode-1");
  const expected = evalCli({ mode: 1, tile: "16x18" });
  await waitForNumbers(page, expected);
  // An uncaught exception inside every worker (as a panic would raise),
  // armed in all of them before the first one fires: a crashed sweep
  // worker makes the page stop the other sweep workers.
  const workers = page.workers();
  assert.ok(workers.length >= 2, "an evaluation worker and sweep workers");
  await Promise.all(
    workers.map((w) =>
      w.evaluate(() =>
        setTimeout(() => {
          throw new Error("simulated crash");
        }, 300),
      ),
    ),
  );
  await page.waitForSelector("#notice", { timeout: 10_000 });
  assert.match(await page.textContent("#notice"), /restarted, your inputs are kept/);
  // The restarted worker answers; the scenario is the user's.
  await page.fill("#tile-x", "60");
  await waitForNumbers(page, evalCli({ mode: 1, tile: "60x18" }));
  assert.equal(await page.getAttribute("#mode-1", "aria-checked"), "true");
  await page.screenshot({ path: path.join(shots, "worker-restarted.png") });
  await context.close();
});
