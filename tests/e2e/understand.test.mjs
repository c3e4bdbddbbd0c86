// End-to-end tests of understanding a number: "explain this number" on three
// kinds of number (a metric, a memory's energy in the chart's data table, a
// layer's latency in the layer table), each compared with `defines explain`
// and its terms summed here as the model sums them; the loop nests against
// `defines explain --item loops`. Screenshots at 1280x800 and 390x844 go to
// target/e2e/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { serveDir } from "./serve.mjs";
import { checkBuild, cli, dist, launchChromium, shots, defines, waitForScenarioInUrl } from "./env.mjs";

const TIMEOUT = 120_000;
const SCENARIO = ["--hardware", "Meta_prototype_DF", "--workload", "fsrcnn", "--mode", "3", "--tile", "16x18"];

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

const cliJson = (args) => JSON.parse(defines(args, { encoding: "utf8" }));
const cliExplain = (item) => cliJson(["explain", ...SCENARIO, "--item", item, "--format", "json"]);
const amount = (a) => a.Pj ?? a.Cycles;

async function open(viewport = { width: 1280, height: 800 }, deviceScaleFactor = 1) {
  const context = await browser.newContext({ viewport, deviceScaleFactor });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(url);
  await page.waitForSelector('#status[data-state="ready"]', { timeout: TIMEOUT });
  return { page, context, errors };
}

/** The open panel's number, its groups' and terms' values as shown. */
async function panel(page, item) {
  await page.waitForFunction((it) => {
    const v = document.querySelector("#explain-value");
    return v && document.querySelector(`#explain-panel`) && v.dataset.value !== undefined
      && document.querySelector(`#explain-terms`) && window.__item !== it;
  }, item, { timeout: TIMEOUT });
  return page.evaluate(() => {
    const v = document.querySelector("#explain-value");
    return {
      value: v.dataset.value, sum: v.dataset.sum, rule: v.dataset.rule, title: v.textContent,
      groups: [...document.querySelectorAll("#explain-terms tbody.group")].map((g) => ({
        value: g.dataset.value,
        terms: [...g.querySelectorAll("tr.term")].map((t) => t.dataset.value),
      })),
    };
  });
}

/** The terms added up as the model does (doubles, as in Rust). */
function addUp(p) {
  if (p.rule === "Flat") return p.groups.flatMap((g) => g.terms).reduce((a, t) => a + Number(t), -0);
  for (const g of p.groups) {
    assert.equal(g.terms.reduce((a, t) => a + Number(t), 0), Number(g.value), "a group is the sum of its terms");
  }
  return p.groups.reduce((a, g) => a + Number(g.value), 0);
}

async function check(page, item) {
  const want = cliExplain(item);
  // (compared as numbers: the page writes whole floats as "123.0")
  await page.waitForFunction((v) => Number(document.querySelector("#explain-value")?.dataset.value) === v,
    amount(want.value), { timeout: TIMEOUT }).catch(() => {});
  const p = await panel(page, item);
  assert.equal(Number(p.value), amount(want.value), `${item}: the CLI's number`);
  assert.equal(addUp(p), Number(p.value), `${item}: the terms add up to it`);
  assert.equal(Number(p.sum), Number(p.value));
  assert.equal(p.groups.length, want.groups.length, `${item}: the CLI's groups`);
  assert.deepEqual(p.groups.map((g) => g.terms.map(Number)), want.groups.map((g) => g.terms.map((t) => amount(t.value))));
  return p;
}

test("explain three kinds of number: each is the CLI's and its terms add up to it", async () => {
  const { page, context, errors } = await open(undefined, 2);
  // 1. a metric (total energy), opened from the keyboard
  await page.focus('button.explain[data-item="energy"]');
  await page.keyboard.press("Enter");
  const e = await check(page, "energy");
  assert.ok(e.groups.length > 10, "items (layers and copies)");
  await page.screenshot({ path: path.join(shots, "explain-energy.png"), fullPage: false });
  // 2. a memory's energy, from the energy chart's data table
  await page.click("#energy-chart-table >> xpath=ancestor::details/summary");
  await page.click('#energy-chart-table button.explain[data-item="memory/sram_64KB"]');
  const m = await check(page, "memory/sram_64KB");
  assert.equal(m.rule, "Flat");
  const formula = await page.textContent("#explain-terms tr.term .formula");
  assert.match(formula, /reads \(.* words\) × .* pJ \+ writes/);
  // 2b. a bar segment of the energy chart (the largest) opens its number
  const bars = JSON.parse(await page.getAttribute("#energy-chart", "data-bars"));
  const [x0, y0, x1, y1, cat, series] = bars.reduce((a, b) => ((b[2] - b[0]) * (b[3] - b[1]) > (a[2] - a[0]) * (a[3] - a[1]) ? b : a));
  const box = await page.locator("#energy-chart").boundingBox();
  // (drawn at the device pixel ratio: the bars are in CSS pixels of the chart)
  const scale = box.width / (await page.locator("#energy-chart").evaluate((c) => c.width / Number(c.dataset.dpr)));
  await page.mouse.click(box.x + ((x0 + x1) / 2) * scale, box.y + ((y0 + y1) / 2) * scale);
  const barItem = series === "MAC" ? "mac_energy" : series === "data copies" ? "data_copy_energy" : `memory/${cat}/${series.replace("operand ", "")}`;
  await check(page, barItem);
  // 3. a layer's latency, from the layer table (its tile type highlighted)
  await page.click('#layer-table button.explain[data-item="item/L3/latency"] >> nth=1');
  const l = await check(page, "item/L3/latency");
  assert.equal(await page.locator("#explain-terms tr.term.focus").count(), 1, "the clicked tile type is highlighted");
  assert.match(await page.textContent("#explain-terms tr.term.focus .formula"), /ideal temporal \d+ \+ stall \d+ \+ on-loading \d+/);
  assert.ok(l.groups[0].terms.length > 1);
  await page.locator("#explain-panel").screenshot({ path: path.join(shots, "explain-latency.png") });
  // a schedule change updates the open explanation
  await page.fill("#tile-x", "60");
  await page.fill("#tile-y", "72");
  await page.keyboard.press("Tab");
  const moved = cliJson(["explain", "--hardware", "Meta_prototype_DF", "--workload", "fsrcnn", "--mode", "3",
    "--tile", "60x72", "--item", "item/L3/latency", "--format", "json"]);
  await page.waitForFunction((v) => document.querySelector("#explain-value")?.dataset.value === v,
    String(amount(moved.value)), { timeout: TIMEOUT });
  await page.click("#explain-close");
  assert.equal(await page.locator("#explain-panel").count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the loop nests are the CLI's, every layer and tile type", async () => {
  const { page, context, errors } = await open();
  await page.click("#loops-toggle");
  await page.waitForSelector("details.loop-nest", { timeout: TIMEOUT });
  const want = cliJson(["explain", ...SCENARIO, "--item", "loops", "--format", "json"]);
  const shown = await page.evaluate(() => [...document.querySelectorAll("details.loop-nest")].map((d) => ({
    item: d.dataset.item,
    product: Number(d.dataset.product),
    rows: [...d.querySelectorAll("tbody tr")].map((r) => [...r.cells].map((c) => c.textContent)),
  })));
  assert.equal(shown.length, want.length);
  assert.equal(shown.length, 72, "9 tile types × 8 layers");
  for (const [s, w] of shown.map((s, i) => [s, want[i]])) {
    assert.equal(s.item, w.item);
    assert.equal(s.product, w.loops.reduce((a, l) => a * l[1], 1));
    // outermost first on the page, innermost first in the CLI's JSON
    assert.deepEqual(s.rows, [...w.loops].reverse().map(([d, n, at]) => [`for ${d}`, String(n), ...at]));
  }
  await page.locator("details.loop-nest >> nth=0").click();
  await page.locator("#loops-card").screenshot({ path: path.join(shots, "loops.png") });
  assert.deepEqual(errors, []);
  await context.close();
});

test("at 390 px the explanation panel fits without scrolling sideways", async () => {
  const { page, context, errors } = await open({ width: 390, height: 844 });
  await page.click('button.explain[data-item="latency"]');
  await check(page, "latency");
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `page width ${wide}`);
  await page.locator("#explain-panel").screenshot({ path: path.join(shots, "explain-390.png") });
  assert.deepEqual(errors, []);
  await context.close();
});

/** The top levels of each compute layer of a CLI report, as the page lists them. */
function tops(r) {
  const out = {};
  for (const it of r.layers.filter((i) => i.kind === "compute")) {
    const seen = [];
    for (const t of it.tile_types) for (const o of t.top_levels) {
      const s = `${o.operand} ${o.memory}`;
      if (!seen.includes(s)) seen.push(s);
    }
    out[it.name] = seen.join("|");
  }
  return out;
}

test("A/B: pin A, change B, read the CLI's ratios; A survives a reload and embeds", async () => {
  const { page, context, errors } = await open();
  await page.click("#pin-a");
  await page.waitForSelector("#compare");
  await page.fill("#tile-x", "60");
  await page.fill("#tile-y", "72");
  await page.keyboard.press("Tab");
  const a = cliJson(["eval", ...SCENARIO, "--format", "json"]);
  const b = cliJson(["eval", "--hardware", "Meta_prototype_DF", "--workload", "fsrcnn", "--mode", "3", "--tile", "60x72", "--format", "json"]);
  await page.waitForFunction((e) => Number(document.querySelector("#ab-energy")?.dataset.b) === e, b.energy_pj, { timeout: TIMEOUT });
  const row = async (id) => page.evaluate((id) => ({ ...document.querySelector(`#ab-${id}`).dataset }), id);
  for (const [id, va, vb] of [["energy", a.energy_pj, b.energy_pj], ["latency", a.latency_cycles, b.latency_cycles],
    ["mac-energy", a.mac_energy_pj, b.mac_energy_pj], ["copy-energy", a.data_copy_energy_pj, b.data_copy_energy_pj], ["macs", a.macs, b.macs]]) {
    const r = await row(id);
    assert.equal(Number(r.a), va, `${id} A`);
    assert.equal(Number(r.b), vb, `${id} B`);
    assert.equal(Number(r.ratio), vb / va, `${id} B/A`);
  }
  // the metric cards say A and B/A too
  assert.equal(Number(await page.getAttribute("#energy ~ .metric-ab, .metric:has(#energy) .metric-ab", "data-ratio")), b.energy_pj / a.energy_pj);
  // the layers whose top-level choices differ are the ones highlighted
  const [ta, tb] = [tops(a), tops(b)];
  const differ = Object.keys(tb).filter((k) => ta[k] !== undefined && ta[k] !== tb[k]).sort();
  assert.ok(differ.length > 0 && Object.keys(tb).length === 8, "60x72 keeps outputs elsewhere than 16x18");
  const shown = (await page.$$eval("#ab-layers tr.differs", (rs) => rs.map((r) => r.dataset.layer))).sort();
  assert.deepEqual(shown, differ);
  // A's and B's bars side by side: the data table lists both
  const cats = await page.$$eval("#energy-chart-table tbody td:first-child", (tds) => tds.map((t) => t.textContent));
  assert.ok(cats.includes("dram (A)") && cats.includes("dram (B)"), cats.join(","));
  await page.locator("#compare").screenshot({ path: path.join(shots, "compare.png") });
  // a reload keeps A (it is in the URL) and computes it again after B;
  // the URL is written once changes pause (300 ms)
  await waitForScenarioInUrl(page, { tx: 60, ty: 72 });
  const link = page.url();
  await page.reload();
  await page.waitForFunction((e) => Number(document.querySelector("#ab-energy")?.dataset.a) === e, a.energy_pj, { timeout: TIMEOUT });
  // the compare view embeds
  const embed = link.replace("/#", "/?embed=compare#").replace(/\/\?/, "/?");
  const frame = await context.newPage();
  await frame.setViewportSize({ width: 640, height: 400 });
  await frame.goto(embed.includes("?embed=") ? embed : link.replace("#", "?embed=compare#"));
  await frame.waitForFunction((e) => Number(document.querySelector("#ab-energy")?.dataset.b) === e, b.energy_pj, { timeout: TIMEOUT });
  await frame.screenshot({ path: path.join(shots, "embed-compare.png") });
  await frame.close();
  await page.click("#unpin");
  assert.equal(await page.locator("#compare").count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

/** The tile type at (row, col) of a CLI tile map. */
function typeAt(m, r, c) {
  const ri = m.row_runs.findIndex(([a, b]) => r >= a && r < b);
  const ci = m.col_runs.findIndex(([a, b]) => c >= a && c < b);
  return m.block_types[ri * m.col_runs.length + ci];
}

async function animAt(page) {
  return page.evaluate(() => ({ ...document.querySelector("#anim-canvas").dataset }));
}

async function scrubTo(page, k) {
  await page.evaluate((k) => {
    const el = document.querySelector("#anim-scrub");
    el.value = String(k);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, k);
  await page.waitForFunction((k) => document.querySelector("#anim-canvas")?.dataset.k === String(k), k, { timeout: TIMEOUT });
}

test("tile by tile: step, scrub, play and the keyboard follow the CLI's tile map, also at 1x1", async () => {
  const { page, context, errors } = await open();
  const r = cliJson(["eval", ...SCENARIO, "--format", "json"]);
  const st = r.stack_details[0];
  await page.locator("#animation-card").scrollIntoViewIfNeeded();
  let a = await animAt(page);
  assert.equal(Number(a.tiles), st.tiles);
  await page.click("#anim-step");
  await page.waitForFunction(() => document.querySelector("#anim-canvas").dataset.k === "1");
  for (const k of [1, 57, 58, 1000, st.tiles - 1]) {
    await scrubTo(page, k);
    a = await animAt(page);
    const [row, col] = [Math.floor(k / st.tile_map.cols), k % st.tile_map.cols];
    assert.deepEqual([Number(a.row), Number(a.col)], [row, col], `tile ${k}`);
    assert.equal(Number(a.type), typeAt(st.tile_map, row, col), `tile ${k}'s type`);
  }
  const status = await page.textContent("#anim-status");
  assert.match(status, new RegExp(`tile ${st.tiles.toLocaleString("en-US")} of ${st.tiles.toLocaleString("en-US")}`));
  // the keyboard: arrows step, space plays
  await scrubTo(page, 10);
  await page.focus("#anim-canvas");
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction(() => document.querySelector("#anim-canvas").dataset.k === "11");
  await page.keyboard.press(" ");
  await page.waitForFunction(() => Number(document.querySelector("#anim-canvas").dataset.k) > 11, null, { timeout: TIMEOUT });
  await page.click("#anim-play"); // pause
  await page.locator("#animation-card").screenshot({ path: path.join(shots, "animation.png") });
  // 1x1: 518,400-odd tiles, drawn from the tile map, still playing
  await page.fill("#tile-x", "1");
  await page.fill("#tile-y", "1");
  await page.keyboard.press("Tab");
  const r1 = cliJson(["eval", "--hardware", "Meta_prototype_DF", "--workload", "fsrcnn", "--mode", "3", "--tile", "1x1", "--format", "json"]);
  const n = r1.stack_details[0].tiles;
  assert.ok(n > 500_000);
  await page.waitForFunction((n) => document.querySelector("#anim-canvas")?.dataset.tiles === String(n), n, { timeout: TIMEOUT });
  await page.click("#anim-play");
  await page.waitForFunction(() => Number(document.querySelector("#anim-canvas").dataset.k) > 1000, null, { timeout: TIMEOUT });
  await page.click("#anim-play");
  await scrubTo(page, n - 1);
  a = await animAt(page);
  const m = r1.stack_details[0].tile_map;
  assert.equal(Number(a.type), typeAt(m, m.rows - 1, m.cols - 1));
  await page.locator("#animation-card").screenshot({ path: path.join(shots, "animation-1x1.png") });
  assert.deepEqual(errors, []);
  await context.close();
});

test("the Paper view recomputes case study 1: Figs. 12 to 15 carry the CLI's numbers", async () => {
  const { page, context, errors } = await open();
  await page.click("#paper-run");
  await page.waitForSelector("#fig13-table", { state: "attached", timeout: 300_000 });
  const ink = (id) => page.$eval(`#${id}`, (c) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240) n++;
    return n;
  });
  for (const id of ["fig12-energy-1", "fig12-latency-3", "fig13", "fig14-1", "fig14-2", "fig14-3", "fig15-energy", "fig15-latency"]) {
    assert.ok((await ink(id)) > 3000, `${id} drawn`);
  }
  const cells = (table) => page.$$eval(`#${table} tbody tr`, (rs) => rs.map((r) => [r.cells[0].textContent,
    ...[...r.querySelectorAll("td[data-value]")].map((t) => Number(t.dataset.value))]));
  const sweep = cliJson(["sweep", "--hardware", "Meta_prototype_DF", "--workload", "fsrcnn", "--tiles", "case-study-1", "--format", "json"]).schedules;
  const macs = await cells("fig13-table");
  assert.equal(macs.length, 18);
  for (const [label, ...vals] of macs) {
    const [, x, y, m] = label.match(/^(\d+)×(\d+) m(\d)$/);
    const row = sweep.find((r) => r.mode === Number(m) && r.tile_x === Number(x) && r.tile_y === Number(y));
    assert.equal(vals[Number(m) - 1], row.macs, label);
  }
  const energy = await cells("fig15-energy-table");
  const latency = await cells("fig15-latency-table");
  for (const [mode, tile] of [[2, "60x72"], [1, "960x540"], [3, "16x18"]]) {
    const r = cliJson(["eval", "--hardware", "Meta_prototype_DF", "--workload", "fsrcnn", "--mode", String(mode), "--tile", tile, "--format", "json"]);
    const label = `${tile.replace("x", "×")} m${mode}`;
    const [, mac, mem, copies] = energy.find((e) => e[0] === label);
    assert.deepEqual([mac, mem, copies], [r.mac_energy_pj, r.mem_energy_pj, r.data_copy_energy_pj], label);
    // Fig. 14: the compute layers' activation elements at DRAM, GB, LB
    const accesses = [];
    for (const i of [1, 2, 3]) accesses.push((await cells(`fig14-${i}-table`)).find((e) => e[0] === label)[mode]);
    const want = ["dram", "sram_1MB_A", "sram_64KB"].map((m) => r.element_accesses.find((a) => a.memory === m).activations);
    assert.deepEqual(accesses, want, `${label} Fig. 14`);
    const [, ideal, spatial, temporal, prep] = latency.find((e) => e[0] === label);
    assert.equal(ideal, r.ideal_cycles, label);
    assert.equal(prep, r.latency_cycles - r.latency_total0_cycles, label);
    assert.equal(ideal + spatial + temporal + prep, r.latency_cycles, label);
  }
  await page.locator("#paper").screenshot({ path: path.join(shots, "paper.png") });
  assert.deepEqual(errors, []);
  await context.close();
});
